/* chart.c -- the SVG bar chart of a comparison */
#include "chart.h"

#include <string.h>

enum {
	LABEL_W = 160,	/* row labels on the left */
	PANEL_W = 330,	/* each of the two panels */
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
	return strcmp(mode, "event") == 0 ? "#3a9e5c" : "#2b7bd9";
}

static void panel(FILE *out, const struct compare_row *rows, unsigned n, int x0,
		  const char *title, const char *unit, const char *key, int use_memory)
{
	double max = 0;

	for (unsigned i = 0; i < n; i++) {
		double v = use_memory ? rows[i].peak_mib : rows[i].pages_per_s;

		if (v > max)
			max = v;
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"head\">%s</text>\n", x0, TOP - 20, title);
	for (unsigned i = 0; i < n; i++) {
		double v = use_memory ? rows[i].peak_mib : rows[i].pages_per_s;
		double w = max > 0 ? v / max * (PANEL_W - 70) : 0;
		int y = TOP + (int)i * ROW_H;

		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
			"data-%s=\"%.1f\"><title>%s, %u workers: %.1f %s</title></rect>\n",
			x0, y, w, BAR_H, mode_color(rows[i].mode), key, v,
			rows[i].mode, rows[i].workers, v, unit);
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"value\">%.*f%s</text>\n",
			x0 + w + 6, y + BAR_H - 6, use_memory ? 1 : 0, v,
			!use_memory && rows[i].fastest ? " \xe2\x98\x85" : "");
	}
}

int chart_write_svg(FILE *out, const struct compare_row *rows, unsigned n, const char *caption)
{
	int width = LABEL_W + 2 * PANEL_W + GAP + 20;
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
	panel(out, rows, n, LABEL_W, "pages/s (higher is better)", "pages/s", "pages-per-s", 0);
	panel(out, rows, n, LABEL_W + PANEL_W + GAP, "peak memory, MiB (lower is better)",
	      "MiB", "peak-mib", 1);
	fprintf(out, "<text x=\"10\" y=\"%d\" class=\"note\">medians of the runs; memory is "
		"the PSS of the parent and all workers at the same moment; \xe2\x98\x85 fastest</text>\n",
		height - 12);
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
