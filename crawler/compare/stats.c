/* stats.c -- the arithmetic of compare: medians, percentiles, ratios */
#include "stats.h"

#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_percentile(double *values, size_t n, double p)
{
	double rank, frac;
	size_t lo;

	if (n == 0)
		return 0;
	qsort(values, n, sizeof(*values), compare_doubles);
	if (p <= 0)
		return values[0];
	if (p >= 100)
		return values[n - 1];
	rank = p / 100 * (double)(n - 1);
	lo = (size_t)rank;
	frac = rank - (double)lo;
	if (lo + 1 >= n)
		return values[n - 1];
	return values[lo] + frac * (values[lo + 1] - values[lo]);
}

double stats_median(double *values, size_t n)
{
	return stats_percentile(values, n, 50);
}

double stats_ratio(double a, double b)
{
	return b == 0 ? 0 : a / b;
}
