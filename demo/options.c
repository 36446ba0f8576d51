/* options.c -- parses demo-site's command line into a demo_options */
#include "options.h"
#include "numbers.h"
#include "sitegen.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Room for a message of util's option parsers, which quote the user's value. */
#define DEMO_ERR_LEN 256

/* The ranges of the numeric options, as the help text gives them. */
enum {
	DEMO_MAX_PAGES = 10000000,
	DEMO_MAX_CONNS = 100000,
	DEMO_MAX_IDLE_S = 3600,
	DEMO_MAX_CACHE_MB = 1 << 20,
};

enum {
	OPT_HOST = 256, OPT_PORT, OPT_PAGES, OPT_PORT_FILE, OPT_QUIET, OPT_VERBOSE, OPT_MAX_CONNS,
	OPT_IDLE, OPT_FAULT, OPT_CACHE, OPT_EXPORT, OPT_LIST, OPT_BASE, OPT_PRINT, OPT_VERSION,
	OPT_ROBOTS, OPT_ROBOTS_STATUS, OPT_ROBOTS_DELAY,
};

void demo_options_usage(FILE *out)
{
	fprintf(out,
		"Usage: demo-site [--host HOST]... [--port PORT] [--pages N] [--port-file FILE] [--quiet]\n"
		"       demo-site --export DIR [--pages N]\n"
		"       demo-site --list-urls N [--base URL] [--pages N]\n"
		"       demo-site --print-page N [--base URL] [--pages N]\n"
		"\n"
		"The crawlpool demo site: an HTTP/1.1 server on loopback serving a generated site of\n"
		"linked pages (deterministic from the page number), test-only /fault/ routes, and\n"
		"routes for crawls that follow links: /links/, /calendar/, /slow-page/, /_stats.\n"
		"\n"
		"Serving:\n"
		"  --host HOST          loopback address to listen on (default 127.0.0.1); repeat it\n"
		"                       to serve up to %u addresses on one port (127.0.0.2 needs\n"
		"                       no setup), the first naming the site\n"
		"  --port PORT          port; 0 picks a free one, the same for every --host\n"
		"                       (default %d)\n"
		"  --pages N            pages in the site, 1..%d (default %u)\n"
		"  --port-file FILE     write the port to FILE (atomically: temp file + rename)\n"
		"  --quiet              print only the listening lines, one per address\n"
		"  --verbose            log every request on stderr\n"
		"  --max-conns N        connections served at once, 1..%d; more get a 503\n"
		"                       (default %u)\n"
		"  --idle-timeout S     close idle keep-alive connections after S seconds, 1..%d\n"
		"                       (default %u)\n"
		"  --fault-seconds S    how long drip, stall, silent, endless, huge last, 1..%u (default %u)\n"
		"  --cache-mb N         memory for rendered pages, MB, 0..%d (default %u)\n"
		"  --robots FILE        serve FILE (at most %u MiB) as /robots.txt, text/plain;\n"
		"                       without --robots and --robots-status, /robots.txt is a 404\n"
		"  --robots-status N    answer /robots.txt with status N, 200..599 (a 3xx redirects\n"
		"                       to /robots-moved.txt, which has FILE); the body is FILE if\n"
		"                       given, else a comment line\n"
		"  --robots-delay-ms N  answer /robots.txt after N ms, 0..%u\n"
		"Other modes:\n"
		"  --export DIR         write DIR/index.html and DIR/page/N.html (relative links)\n"
		"  --list-urls N        print N page URLs, cycling over the pages\n"
		"  --print-page N       print page N as served under --base (exported form without)\n"
		"  --base URL           site address for --list-urls and --print-page\n"
		"                       (default for --list-urls: %s)\n"
		"  -h, --help           this help\n"
		"      --version        the version\n"
		"\n"
		"SIGINT or SIGTERM stop the server cleanly (exit 0). Exit 2: bad usage; 1: failure.\n",
		DEMO_MAX_HOSTS, DEMO_DEFAULT_PORT, DEMO_MAX_PAGES, SITEGEN_DEFAULT_PAGES,
		DEMO_MAX_CONNS, DEMO_DEFAULT_MAX_CONNS, DEMO_MAX_IDLE_S, DEMO_DEFAULT_IDLE_S,
		DEMO_FAULT_MAX_S, DEMO_FAULT_MAX_S, DEMO_MAX_CACHE_MB, DEMO_DEFAULT_CACHE_MB,
		DEMO_ROBOTS_MAX_BYTES >> 20, DEMO_ROBOTS_MAX_DELAY_MS, DEMO_DEFAULT_BASE);
}

/* Parses a decimal in [min, max] for option `name`. 0, or -1 after saying why. */
static int parse_number(const char *name, const char *text, long long min, long long max,
			long long *out)
{
	char err[DEMO_ERR_LEN];

	if (num_parse_int(name, text, min, max, out, err, sizeof(err)) < 0) {
		fprintf(stderr, "demo-site: %s\n", err);
		return -1;
	}
	return 0;
}

static int parse_uint(const char *name, const char *text, unsigned min, unsigned max,
		      unsigned *out)
{
	long long v;

	if (parse_number(name, text, min, max, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int set_mode(struct demo_options *o, enum demo_mode mode)
{
	if (o->mode != DEMO_SERVE && o->mode != mode) {
		fprintf(stderr, "demo-site: --export, --list-urls and --print-page exclude each other\n");
		return -1;
	}
	o->mode = mode;
	return 0;
}

static int apply(struct demo_options *o, int opt, const char *arg)
{
	struct demo_config *s = &o->server;
	long long v;

	switch (opt) {
	case OPT_HOST:
		if (!o->host_given)
			s->n_hosts = 0;
		o->host_given = true;
		if (s->n_hosts == DEMO_MAX_HOSTS) {
			fprintf(stderr, "demo-site: --host given more than %u times\n", DEMO_MAX_HOSTS);
			return -1;
		}
		s->hosts[s->n_hosts++] = arg;
		return 0;
	case OPT_PORT:
		if (parse_number("--port", arg, 0, 65535, &v) < 0)
			return -1;
		s->port = (unsigned short)v;
		return 0;
	case OPT_PAGES:
		return parse_uint("--pages", arg, 1, DEMO_MAX_PAGES, &s->pages);
	case OPT_PORT_FILE:
		s->port_file = arg;
		return 0;
	case OPT_QUIET:
		s->quiet = true;
		return 0;
	case OPT_VERBOSE:
		s->verbose = true;
		return 0;
	case OPT_MAX_CONNS:
		return parse_uint("--max-conns", arg, 1, DEMO_MAX_CONNS, &s->max_conns);
	case OPT_IDLE:
		return parse_uint("--idle-timeout", arg, 1, DEMO_MAX_IDLE_S, &s->idle_timeout_s);
	case OPT_FAULT:
		return parse_uint("--fault-seconds", arg, 1, DEMO_FAULT_MAX_S, &s->fault_s);
	case OPT_CACHE:
		if (parse_number("--cache-mb", arg, 0, DEMO_MAX_CACHE_MB, &v) < 0)
			return -1;
		s->cache_bytes = (size_t)v << 20;
		return 0;
	case OPT_ROBOTS:
		s->robots_file = arg;
		return 0;
	case OPT_ROBOTS_STATUS:
		if (parse_number("--robots-status", arg, 200, 599, &v) < 0)
			return -1;
		s->robots_status = (int)v;
		return 0;
	case OPT_ROBOTS_DELAY:
		return parse_uint("--robots-delay-ms", arg, 0, DEMO_ROBOTS_MAX_DELAY_MS,
				  &s->robots_delay_ms);
	case OPT_EXPORT:
		o->export_dir = arg;
		return set_mode(o, DEMO_EXPORT);
	case OPT_LIST:
		if (parse_number("--list-urls", arg, 0, LLONG_MAX, &v) < 0)
			return -1;
		o->list_count = (unsigned long long)v;
		return set_mode(o, DEMO_LIST_URLS);
	case OPT_PRINT:
		if (parse_uint("--print-page", arg, 0, UINT_MAX, &o->print_page) < 0)
			return -1;
		return set_mode(o, DEMO_PRINT_PAGE);
	case OPT_BASE:
		o->base = arg;
		return 0;
	default:
		return -1;
	}
}

int demo_options_parse(int argc, char **argv, struct demo_options *o)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "pages", required_argument, NULL, OPT_PAGES },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "fault-seconds", required_argument, NULL, OPT_FAULT },
		{ "cache-mb", required_argument, NULL, OPT_CACHE },
		{ "robots", required_argument, NULL, OPT_ROBOTS },
		{ "robots-status", required_argument, NULL, OPT_ROBOTS_STATUS },
		{ "robots-delay-ms", required_argument, NULL, OPT_ROBOTS_DELAY },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "list-urls", required_argument, NULL, OPT_LIST },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "print-page", required_argument, NULL, OPT_PRINT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->server = (struct demo_config){
		.hosts = { "127.0.0.1" },
		.n_hosts = 1,
		.port = DEMO_DEFAULT_PORT,
		.pages = SITEGEN_DEFAULT_PAGES,
		.max_conns = DEMO_DEFAULT_MAX_CONNS,
		.idle_timeout_s = DEMO_DEFAULT_IDLE_S,
		.fault_s = DEMO_FAULT_MAX_S,
		.cache_bytes = (size_t)DEMO_DEFAULT_CACHE_MB << 20,
	};
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_VERSION) {
			o->mode = opt == 'h' ? DEMO_HELP : DEMO_VERSION;
			return 0;
		}
		if (opt == '?' || opt == ':') {
			fprintf(stderr, "demo-site: unknown option or missing value: '%s'\n",
				argv[optind - 1]);
			return -1;
		}
		if (apply(o, opt, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "demo-site: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->mode == DEMO_PRINT_PAGE && o->print_page >= o->server.pages) {
		fprintf(stderr, "demo-site: --print-page %u: the site has pages 0 to %u\n",
			o->print_page, o->server.pages - 1);
		return -1;
	}
	return 0;
}
