/* chart.h -- the SVG bar chart of a comparison */
#ifndef CRAWLPOOL_CHART_H
#define CRAWLPOOL_CHART_H

#include <stdio.h>

#include "compare.h"

/* Writes a self-contained SVG: pages/s, CPU per page and peak memory per row. 0 or -1. */
int chart_write_svg(FILE *out, const struct compare_row *rows, unsigned n, const char *caption);

#endif
