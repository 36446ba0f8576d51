/* option_number.h -- a bench program's whole-number option, in a range, refused in the bench programs' own words */
#ifndef CRAWLPOOL_BENCH_OPTION_NUMBER_H
#define CRAWLPOOL_BENCH_OPTION_NUMBER_H

/*
 * The value of arg, digits only (util's num_parse_int), from lo (0 or more,
 * so that -1 is free to say no) to hi. -1 after telling stderr
 *
 *	parse_bench: --passes wants 1..100, not 'abc'
 *
 * prog names the program, opt the option as the user writes it.
 */
long option_number(const char *prog, const char *opt, const char *arg, long lo, long hi);

#endif
