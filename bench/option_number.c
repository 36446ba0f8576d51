/* option_number.c -- a bench program's whole-number option, in a range, refused in the bench programs' own words */
#include "option_number.h"
#include "numbers.h"

#include <stdio.h>

long option_number(const char *prog, const char *opt, const char *arg, long lo, long hi)
{
	long long v;

	/* util words it otherwise; the bench programs keep the message they have always printed */
	if (num_parse_int(opt, arg, lo, hi, &v, NULL, 0) < 0) {
		fprintf(stderr, "%s: %s wants %ld..%ld, not '%s'\n", prog, opt, lo, hi, arg);
		return -1;
	}
	return (long)v;
}
