/* options.h -- the crawl command line: parsed, checked and defaulted */
#ifndef CRAWLPOOL_OPTIONS_H
#define CRAWLPOOL_OPTIONS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fetch.h"
#include "frontier.h"
#include "output.h"
#include "pool.h"

/* At most this many --include, --exclude and --resolve options each. */
enum { OPTIONS_MAX_REPEATS = 64 };

struct crawl_options {
	enum pool_mode mode;
	unsigned workers;		/* --workers: transfers, URLs being fetched at once, in every mode */
	const char *const *inputs;	/* URLs to start from and URL list files, in order; "-" is stdin */
	size_t n_inputs;
	const char *output;		/* "-" for stdout */
	struct output_options out;
	long timeout_ms;
	long connect_timeout_ms;
	unsigned long long max_size;
	long max_redirects;
	const char *user_agent;		/* NULL: the default */
	bool quiet;
	bool resume;			/* --resume: skip the URLs the output already has rows for */
	const char *state;		/* --state FILE: a followed crawl's frontier in SQLite, or NULL */
	bool parse;			/* false with --no-parse: fetch only */
	const char *resolve[OPTIONS_MAX_REPEATS];	/* HOST:PORT:ADDR, as curl's --resolve */
	size_t n_resolve;

	/* What curl and wget2 users reach for. */
	unsigned retries;		/* --retry: more attempts of a transient failure */
	long retry_delay_ms;		/* the first wait, doubled at each retry */
	long retry_max_ms;		/* no retry starts later than this after the first attempt */
	const char *headers[OPTIONS_MAX_REPEATS];	/* -H "Name: value" */
	size_t n_headers;
	const char *cookies[OPTIONS_MAX_REPEATS];	/* -b NAME=VALUE...: sent with every request */
	size_t n_cookies;
	const char *cookie_files[OPTIONS_MAX_REPEATS];	/* -b FILE: cookies to start with */
	size_t n_cookie_files;
	const char *cookie_jar;		/* -c FILE: every cookie, written at the end */
	bool insecure;			/* -k */
	const char *cacert;
	const char *proxy;		/* -x */
	enum fetch_http http;		/* --http2, --http1.1 */
	const char *fields;		/* --fields as given; parsed into out.fields */

	/* Following links, and politeness (which holds for lists too). */
	bool follow;
	unsigned depth;			/* links away from a start URL */
	enum frontier_scope scope;
	const char *include[OPTIONS_MAX_REPEATS];	/* POSIX extended regular expressions */
	size_t n_include;
	const char *exclude[OPTIONS_MAX_REPEATS];
	size_t n_exclude;
	unsigned long max_pages;	/* 0: no limit */
	unsigned per_host;		/* transfers at once to one host; 0: no limit */
	bool per_host_given;
	long delay_ms;			/* between the starts of two requests to one host */
	bool robots;			/* obey robots.txt */
	bool robots_given;
	bool ignore_nofollow;
	const char *link_option;	/* the first option given that only links obey, or NULL */

	/* A frontier shared in Redis by many instances (--frontier), or NULL. */
	const char *frontier;		/* redis://... or redis+unix://... */
	const char *crawl_name;		/* --crawl: the prefix of the crawl's keys; NULL: crawlpool */
	long lease_ms;			/* --lease: how long a URL stays with a silent instance */
	bool lease_given;
	/* Set by Ctrl-C (crawl.c), or NULL: waiting for Redis to answer ends. */
	const volatile sig_atomic_t *interrupted;
};

enum options_verdict {
	OPTIONS_USAGE = -1,	/* bad usage; err says why */
	OPTIONS_RUN = 0,
	OPTIONS_HELP = 1,
	OPTIONS_VERSION = 2,
};

/* Fills opts with the defaults the help text promises. */
void options_defaults(struct crawl_options *opts);

/*
 * Parses the arguments after "crawl" (argv[0] is the command name). Strings
 * in opts point into argv. Returns an options_verdict.
 */
int options_parse(int argc, char **argv, struct crawl_options *opts, char *err, size_t errlen);

void options_usage(FILE *f);

/*
 * The values of a repeatable option (or the inputs), one a line: how a
 * crawl's identity stores them. malloc'd; NULL when out of memory.
 */
char *options_join(const char *const *items, size_t n);

struct option;

/*
 * After getopt_long() (opterr 0, ":" first in the short options) gave c,
 * ':' or '?', on the options longs: why, in err, for every command. "option
 * -o needs a value", "option --follow takes no value" (for --follow=yes,
 * which getopt_long() reports as it reports an unknown option), "unknown
 * option --bogus".
 */
void options_bad_option(int c, char **argv, const struct option *longs, char *err, size_t errlen);

/*
 * Whether the crawl option arg, as written on a command line ("-t",
 * "--max-size", "-qt"), takes the next argument as its value. For commands
 * that hand crawl options on, so that the crawl option table stays the only
 * list of them.
 */
bool options_takes_value(const char *arg);

/*
 * Whether the crawl option arg, as getopt_long reads it, gives the option
 * called name ("mode"): by its short letter, bundled too ("-qmevent"), or by
 * its long name or a prefix of it ("--mod", "--mode=event").
 */
bool options_gives(const char *arg, const char *name);

#endif
