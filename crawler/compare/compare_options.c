/* compare_options.c -- the command line of `crawlpool compare` */
#include "compare_options.h"
#include "numbers.h"
#include "options.h"
#include "pool.h"
#include "sources.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void compare_usage(FILE *f)
{
	fputs("usage: crawlpool compare [OPTIONS] [CRAWL OPTIONS] [URLS_FILE]\n"
	      "\n"
	      "Crawls the same list under each mode and worker count, one run after\n"
	      "another, and prints the medians side by side.\n"
	      "\n"
	      "  --modes LIST        modes to compare (default: process,thread,event,hybrid)\n"
	      "  --workers N[,N...]  worker counts, each run as crawl --workers N\n"
	      "                      (transfers at once) (default: 8)\n"
	      "  --repeat R          runs of each mode and count (default: 3)\n"
	      "  --out-dir DIR       keep each run's rows there (JSON Lines) beside\n"
	      "                      compare.csv and compare.svg (default: rows are\n"
	      "                      discarded; compare.csv and compare.svg go to .)\n"
	      "  -q, --quiet         no progress lines (\"run k/n\"); errors and the table\n"
	      "                      and its files as always\n"
	      "  -h, --help          this help\n"
	      "      --version       crawlpool's version\n"
	      "\n"
	      "Crawl options (--timeout, --connect-timeout, --max-size, --max-redirects,\n"
	      "--user-agent, --no-parse) are passed to every run. URLS_FILE defaults to\n"
	      "urls.txt; '-' reads the list from stdin once. A list with no URLs is\n"
	      "refused: nothing to compare.\n"
	      "\n"
	      "Columns: wall time, pages/s, CPU user and sys seconds of the parent and\n"
	      "all workers, peak memory of the whole crawl (PSS of the parent and every\n"
	      "worker at the same moment), per-URL latency percentiles, error rows, and\n"
	      "speed as a share of the fastest row's pages/s.\n", f);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("crawlpool compare: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'crawlpool compare --help'.\n", stderr);
	return COMPARE_EXIT_USAGE;
}

/* Room for a message of util's option parsers, which quote the user's value. */
#define COMPARE_ERR_LEN 256

/* A count from 1 to max for opt. 0, or COMPARE_EXIT_USAGE after saying why. */
static int parse_count(const char *opt, const char *text, unsigned max, unsigned *out)
{
	char err[COMPARE_ERR_LEN];
	long long v;

	if (num_parse_int(opt, text, 1, max, &v, err, sizeof(err)) < 0)
		return usage_error("%s", err);
	*out = (unsigned)v;
	return 0;
}

/* "8,,16", "thread,": an empty item is most likely a value lost, so it is refused, not skipped. */
static int check_items(const char *opt, const char *list)
{
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");

		if (len == 0)
			return usage_error("%s: empty item in '%s'", opt, list);
		p += len;
		if (*p == '\0')
			return 0;
	}
}

static int parse_modes(char *list, struct compare_opts *o)
{
	o->n_modes = 0;
	for (char *save, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		enum pool_mode mode;
		const char *name;
		bool seen = false;

		if (pool_mode_parse(m, &mode) < 0)
			return usage_error("unknown mode '%s' (expected process, thread, event or hybrid)", m);
		name = pool_mode_name(mode);
		for (unsigned i = 0; i < o->n_modes; i++)
			seen |= o->modes[i] == name;
		if (!seen)
			o->modes[o->n_modes++] = name;
	}
	return o->n_modes ? 0 : usage_error("--modes needs at least one mode");
}

/* A count given twice is run once, as a mode given twice is. */
static int parse_counts(char *list, struct compare_opts *o)
{
	o->n_workers = 0;
	for (char *save, *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		unsigned count;
		bool seen = false;

		if (parse_count("--workers", c, POOL_MAX_WORKERS, &count))
			return COMPARE_EXIT_USAGE;
		for (unsigned i = 0; i < o->n_workers; i++)
			seen |= o->workers[i] == count;
		if (seen)
			continue;
		if (o->n_workers == COMPARE_MAX_COUNTS)
			return usage_error("--workers takes at most %d counts", COMPARE_MAX_COUNTS);
		o->workers[o->n_workers++] = count;
	}
	return o->n_workers ? 0 : usage_error("--workers needs at least one count");
}

/*
 * Crawl options compare decides itself, or that make no sense for runs
 * that must each crawl the whole list afresh, however written ("-w8",
 * "-qmevent", "--mod", "--out=x"): handed on, they would override what
 * each run is labelled with. What to use instead, or NULL.
 */
static bool reserved(const char *opt, const char **instead)
{
	static const struct {
		const char *name, *instead;
	} own[] = {
		{ "mode", "--modes LIST" }, { "workers", "--workers N[,N...]" },
		{ "output", "--out-dir DIR" }, { "format", "--out-dir DIR (rows are JSON Lines)" },
		{ "append", NULL }, { "resume", NULL }, { "state", NULL },
		{ "frontier", NULL }, { "crawl", NULL }, { "lease", NULL },
	};

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		if (options_gives(opt, own[i].name)) {
			*instead = own[i].instead;
			return true;
		}
	}
	return false;
}

/* "--opt VALUE" and "--opt=VALUE" alike; NULL when the value is missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (!strncmp(argv[*i], name, len) && argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(arg, name, len) && (arg[len] == '\0' || arg[len] == '=');
}

/*
 * Crawl's own parser on the options handed on, after the format every run
 * writes: a bad value, or one JSON Lines cannot take (--bom), stops compare
 * before any run, and -q, -h and --version are found however they are
 * spelt ("--qui", "-kq", "-kh", "--vers").
 */
static int check_passed(struct compare_opts *o, bool *help)
{
	char *args[COMPARE_MAX_PASS + 4] = { "crawl", "--format", "jsonl" };
	char err[COMPARE_ERR_LEN];
	struct crawl_options crawl;

	for (unsigned i = 0; i < o->n_pass; i++)
		args[i + 3] = (char *)o->pass[i];
	switch (options_parse((int)o->n_pass + 3, args, &crawl, err, sizeof(err))) {
	case OPTIONS_USAGE:
		return usage_error("%s", err);
	/* "-kh", "--vers": compare's own help or version, not each run's printed as its rows */
	case OPTIONS_HELP:
		*help = true;
		return 0;
	case OPTIONS_VERSION:
		o->version = true;
		return 0;
	default:
		o->quiet = crawl.quiet;
		return 0;
	}
}

/*
 * The list file argument; a URL is refused. A second list is kept in
 * *extra, refused after the crawl options are checked: it may be the value
 * of a bad one ("--re 3 list.txt"), which is then the error to name.
 */
static int take_list(const char *arg, struct compare_opts *o, const char **extra)
{
	if (sources_is_url(arg))
		return usage_error("'%s' is a URL: compare crawls a list file, one URL a line", arg);
	if (!o->list)
		o->list = arg;
	else if (!*extra)
		*extra = arg;
	return 0;
}

int compare_parse_args(int argc, char **argv, struct compare_opts *o, bool *help)
{
	static char default_modes[] = "process,thread,event,hybrid";
	static char default_counts[] = "8";
	const char *extra = NULL;
	bool options_end = false;
	int rc;

	*o = (struct compare_opts){ .repeat = 3 };
	parse_modes(default_modes, o);
	parse_counts(default_counts, o);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value;

		/* "--": what follows is the list, whatever its name ("-x") */
		if (!options_end && !strcmp(arg, "--")) {
			options_end = true;
			continue;
		}
		if (options_end) {
			if (take_list(arg, o, &extra))
				return COMPARE_EXIT_USAGE;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			*help = true;
			return 0;
		}
		if (!strcmp(arg, "--version")) {
			o->version = true;
			return 0;
		}
		if (is_option(arg, "--modes") || is_option(arg, "--workers") ||
		    is_option(arg, "--repeat") || is_option(arg, "--out-dir")) {
			char name[16];
			char *copy;

			snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
			value = option_value(argc, argv, &i, name);
			if (!value)
				return usage_error("option '%s' needs a value", name);
			if (!strcmp(name, "--out-dir")) {
				o->out_dir = value;
				continue;
			}
			if (!strcmp(name, "--repeat")) {
				if (parse_count("--repeat", value, COMPARE_MAX_REPEAT, &o->repeat))
					return COMPARE_EXIT_USAGE;
				continue;
			}
			if (check_items(name, value))
				return COMPARE_EXIT_USAGE;
			copy = strdup(value);
			if (!copy)
				return COMPARE_EXIT_FAILED;
			rc = !strcmp(name, "--modes") ? parse_modes(copy, o) : parse_counts(copy, o);
			free(copy);
			if (rc)
				return rc;
			continue;
		}
		if (arg[0] == '-' && arg[1] != '\0') {
			const char *instead;

			if (reserved(arg, &instead))
				return instead ? usage_error("option '%s' is chosen by compare itself: "
							     "use %s", arg, instead) :
				       usage_error("option '%s' is not for compare: each run crawls "
						   "the whole list afresh", arg);
			if (o->n_pass + 2 > COMPARE_MAX_PASS)
				return usage_error("too many options");
			o->pass[o->n_pass++] = arg;
			if (options_takes_value(arg)) {
				if (i + 1 >= argc)
					return usage_error("option '%s' needs a value", arg);
				o->pass[o->n_pass++] = argv[++i];
			}
			continue;
		}
		if (take_list(arg, o, &extra))
			return COMPARE_EXIT_USAGE;
	}
	if (!o->list)
		o->list = "urls.txt";
	rc = check_passed(o, help);
	if (rc || *help || o->version || !extra)
		return rc;
	return usage_error("more than one list given: '%s'", extra);
}
