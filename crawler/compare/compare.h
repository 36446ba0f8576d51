/* compare.h -- `crawlpool compare`: the same list under each mode, side by side */
#ifndef CRAWLPOOL_COMPARE_H
#define CRAWLPOOL_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

/* One row of the comparison: the medians of R runs of one mode and worker count. */
struct compare_row {
	const char *mode;	/* "process", "thread", "event" or "hybrid" */
	unsigned workers;
	unsigned runs;
	unsigned long urls;	/* rows the crawl wrote */
	unsigned long errors;	/* rows with an error */
	double wall_s;
	double pages_per_s;
	double user_s;
	double sys_s;
	double cpu_us_per_page;	/* (user + sys) / URLs, median over the runs */
	double peak_mib;	/* whole crawl: parent and workers, PSS */
	double p50_ms;
	double p95_ms;
	double p99_ms;
	double speed;		/* pages/s as a fraction of the fastest row's */
	bool fastest;
};

/* Marks the fastest row (none at 0 pages/s) and fills every row's speed. */
void compare_rank(struct compare_row *rows, unsigned n);
/* The table people read: aligned columns, the fastest row starred. */
void compare_print_table(FILE *out, const struct compare_row *rows, unsigned n);
/* The same table as CSV with a header row. 0 or -1. */
int compare_write_csv(FILE *out, const struct compare_row *rows, unsigned n);

int compare_main(int argc, char **argv);

#endif
