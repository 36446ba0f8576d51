/* chart.c -- the SVG bar chart of a comparison */
#include "chart.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum {
	LABEL_W = 160,	/* row labels on the left */
	PANEL_W = 280,	/* each of the three panels */
	GAP = 40,
	BAR_H = 22,
	ROW_H = 34,
	TOP = 70,
};

/* Text taken from the user (the caption) must not break the XML. */
static void put_escaped(FILE *out, const char *text)
{
	for (; *text; text++) {
		switch (*text) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*text, out);
		}
	}
}

static const char *mode_color(const char *mode)
{
	if (strcmp(mode, "process") == 0)
		return "#d9822b";
	if (strcmp(mode, "hybrid") == 0)
		return "#8e5bb5";
	return strcmp(mode, "event") == 0 ? "#3a9e5c" : "#2b7bd9";
}

/* What a panel shows: one number of a row, its name in the data attribute and tooltip. */
struct chart_metric {
	const char *title, *unit, *key;
	size_t offset;		/* of a double in struct compare_row */
	int decimals;
	bool star;		/* mark the fastest row */
};

static const struct chart_metric chart_metrics[] = {
	{ "pages/s (higher is better)", "pages/s", "pages-per-s",
	  offsetof(struct compare_row, pages_per_s), 0, true },
	{ "CPU \xc2\xb5s per page (lower is better)", "\xc2\xb5s of CPU per page", "cpu-us-per-page",
	  offsetof(struct compare_row, cpu_us_per_page), 1, false },
	{ "peak memory, MiB (lower is better)", "MiB", "peak-mib",
	  offsetof(struct compare_row, peak_mib), 1, false },
};

static double metric_value(const struct compare_row *row, const struct chart_metric *m)
{
	double v;

	memcpy(&v, (const char *)row + m->offset, sizeof(v));
	return v;
}

static void panel(FILE *out, const struct compare_row *rows, unsigned n, int x0,
		  const struct chart_metric *m)
{
	double max = 0;

	for (unsigned i = 0; i < n; i++)
		if (metric_value(&rows[i], m) > max)
			max = metric_value(&rows[i], m);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"head\">%s</text>\n", x0, TOP - 20, m->title);
	for (unsigned i = 0; i < n; i++) {
		double v = metric_value(&rows[i], m);
		double w = max > 0 ? v / max * (PANEL_W - 70) : 0;
		int y = TOP + (int)i * ROW_H;

		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
			"data-%s=\"%.1f\"><title>%s, %u workers: %.1f %s</title></rect>\n",
			x0, y, w, BAR_H, mode_color(rows[i].mode), m->key, v,
			rows[i].mode, rows[i].workers, v, m->unit);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"value\">%.*f%s</text>\n",
			x0 + w + 6, y + BAR_H - 6, m->decimals, v,
			m->star && rows[i].fastest ? " \xe2\x98\x85" : "");
	}
}

int chart_write_svg(FILE *out, const struct compare_row *rows, unsigned n, const char *caption)
{
	unsigned n_panels = sizeof(chart_metrics) / sizeof(chart_metrics[0]);
	int width = LABEL_W + (int)n_panels * (PANEL_W + GAP) - GAP + 20;
	int height = TOP + (int)n * ROW_H + 40;

	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">\n",
		width, height, width, height);
	fputs("<style>.head{font-weight:bold}.value{fill:#333}.label{fill:#111}"
	      ".note{fill:#666;font-size:11px}</style>\n", out);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", out);
	fputs("<text x=\"10\" y=\"22\" class=\"head\" font-size=\"15\">", out);
	put_escaped(out, caption);
	fputs("</text>\n", out);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "<text x=\"10\" y=\"%d\" class=\"label\">%s, %u workers</text>\n",
			TOP + (int)i * ROW_H + BAR_H - 6, rows[i].mode, rows[i].workers);
	for (unsigned p = 0; p < n_panels; p++)
		panel(out, rows, n, LABEL_W + (int)p * (PANEL_W + GAP), &chart_metrics[p]);
	fprintf(out, "<text x=\"10\" y=\"%d\" class=\"note\">medians of the runs; CPU: user+sys "
		"of the parent and all workers over the URLs; memory: their PSS at one moment; "
		"\xe2\x98\x85 fastest</text>\n",
		height - 12);
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
