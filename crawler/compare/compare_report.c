/* compare_report.c -- the comparison as a ranked table on a terminal and as CSV */
#include "compare.h"

#include "stats.h"

void compare_rank(struct compare_row *rows, unsigned n)
{
	unsigned best = 0;

	for (unsigned i = 0; i < n; i++) {
		rows[i].fastest = false;
		if (rows[i].pages_per_s > rows[best].pages_per_s)
			best = i;
	}
	for (unsigned i = 0; i < n; i++)
		rows[i].speed = stats_ratio(rows[i].pages_per_s, rows[best].pages_per_s);
	/* a row that fetched nothing is no one's fastest */
	if (n > 0 && rows[best].pages_per_s > 0)
		rows[best].fastest = true;
}

void compare_print_table(FILE *out, const struct compare_row *rows, unsigned n)
{
	fprintf(out, "%-8s %7s %8s %9s %7s %7s %11s %9s %8s %8s %8s %7s %7s\n",
		"mode", "workers", "wall_s", "pages/s", "user_s", "sys_s", "cpu_us/page", "peak_MiB",
		"p50_ms", "p95_ms", "p99_ms", "errors", "speed");
	for (unsigned i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];

		fprintf(out, "%-8s %7u %8.2f %9.1f %7.2f %7.2f %11.1f %9.1f %8.1f %8.1f %8.1f %7lu "
			"%6.0f%%%s\n",
			r->mode, r->workers, r->wall_s, r->pages_per_s, r->user_s, r->sys_s,
			r->cpu_us_per_page, r->peak_mib, r->p50_ms, r->p95_ms, r->p99_ms, r->errors,
			r->speed * 100, r->fastest ? " *" : "");
	}
}

int compare_write_csv(FILE *f, const struct compare_row *rows, unsigned n)
{
	fputs("mode,workers,runs,urls,wall_s,pages_per_s,cpu_user_s,cpu_sys_s,peak_mib,"
	      "p50_ms,p95_ms,p99_ms,errors,speed,fastest,cpu_us_per_page\n", f);
	for (unsigned i = 0; i < n; i++) {
		const struct compare_row *r = &rows[i];

		/* cpu_us_per_page came last, so readers of the older columns by position still work */
		fprintf(f, "%s,%u,%u,%lu,%.3f,%.1f,%.3f,%.3f,%.1f,%.1f,%.1f,%.1f,%lu,%.3f,%s,%.1f\n",
			r->mode, r->workers, r->runs, r->urls, r->wall_s, r->pages_per_s,
			r->user_s, r->sys_s, r->peak_mib, r->p50_ms, r->p95_ms, r->p99_ms,
			r->errors, r->speed, r->fastest ? "yes" : "no", r->cpu_us_per_page);
	}
	return ferror(f) ? -1 : 0;
}
