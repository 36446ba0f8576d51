/* crawl.h -- the crawl command: a URL list through the worker pool into a results file */
#ifndef CRAWLPOOL_CRAWL_H
#define CRAWLPOOL_CRAWL_H

/* Exit statuses of the crawlpool program. */
enum crawl_exit {
	CRAWL_EXIT_OK = 0,
	CRAWL_EXIT_FAILED = 1,		/* the run broke off: pool, list or write failure */
	CRAWL_EXIT_USAGE = 2,		/* bad usage, unreadable list, unwritable output */
	CRAWL_EXIT_INTERRUPTED = 130,	/* SIGINT, SIGTERM or SIGHUP */
	/*
	 * The reader of the output went away (crawl | head -1): the crawl ends
	 * as a filter killed by SIGPIPE would, silently, with the status a
	 * shell shows for that.
	 */
	CRAWL_EXIT_PIPE = 141,
};

/* Runs "crawl ARGS..." (argv[0] is "crawl"); returns an exit status. */
int crawl_main(int argc, char **argv);

#endif
