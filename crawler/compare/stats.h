/* stats.h -- the arithmetic of compare: medians, percentiles, ratios */
#ifndef CRAWLPOOL_STATS_H
#define CRAWLPOOL_STATS_H

#include <stddef.h>

/* Median of n values (sorts them in place); 0 when n is 0. */
double stats_median(double *values, size_t n);

/*
 * The p-th percentile (0..100) of n values by linear interpolation between
 * closest ranks (sorts them in place); 0 when n is 0.
 */
double stats_percentile(double *values, size_t n, double p);

/* a / b, or 0 when b is 0 (a missing measurement is not infinitely fast). */
double stats_ratio(double a, double b);

#endif
