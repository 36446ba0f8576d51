/* compare_options.h -- the command line of `crawlpool compare` */
#ifndef CRAWLPOOL_COMPARE_OPTIONS_H
#define CRAWLPOOL_COMPARE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum {
	COMPARE_MAX_MODES = 4,
	COMPARE_MAX_COUNTS = 8,
	COMPARE_MAX_REPEAT = 100,
	COMPARE_MAX_PASS = 64,
	COMPARE_EXIT_OK = 0,
	COMPARE_EXIT_FAILED = 1,
	COMPARE_EXIT_USAGE = 2,
	COMPARE_EXIT_INTERRUPTED = 130,
};

struct compare_opts {
	const char *modes[COMPARE_MAX_MODES];
	unsigned n_modes;
	unsigned workers[COMPARE_MAX_COUNTS];
	unsigned n_workers;
	unsigned repeat;
	const char *out_dir;	/* NULL: rows are discarded, table files go to . */
	const char *list;
	const char *pass[COMPARE_MAX_PASS];	/* crawl options handed on as they are */
	unsigned n_pass;
	bool version;		/* --version: print it, run nothing */
	bool quiet;		/* -q (crawl's, handed on too): no "run k/n" lines */
};

/*
 * Fills o from argv (argv[0] is "compare"). Returns 0, or COMPARE_EXIT_USAGE after
 * printing what is wrong; *help asks for the usage text instead of a run.
 */
int compare_parse_args(int argc, char **argv, struct compare_opts *o, bool *help);
void compare_usage(FILE *f);

#endif
