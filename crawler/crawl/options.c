/* options.c -- getopt_long parsing of the crawl command, with sizes, seconds and the help text */
#include "options.h"
#include "errbuf.h"
#include "numbers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The longest a user may ask a single URL to take: a day. */
#define OPTIONS_MAX_MS (86400 * 1000LL)
#define OPTIONS_MAX_REDIRECTS 1000
/* A body larger than this is no page: the limit stops runaway downloads, not real ones. */
#define OPTIONS_MAX_SIZE (8LL << 30)

enum {
	OPT_APPEND = 256,
	OPT_CONNECT_TIMEOUT,
	OPT_MAX_SIZE,
	OPT_MAX_REDIRECTS,
	OPT_BOM,
	OPT_NO_FORMULA_GUARD,
	OPT_NO_PARSE,
	OPT_VERSION,
	OPT_SCOPE,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_MAX_PAGES,
	OPT_PER_HOST,
	OPT_DELAY,
	OPT_ROBOTS,
	OPT_NO_ROBOTS,
	OPT_RESOLVE,
	OPT_IGNORE_NOFOLLOW,
	OPT_RESUME,
	OPT_STATE,
	OPT_RETRY,
	OPT_RETRY_DELAY,
	OPT_RETRY_MAX_TIME,
	OPT_CACERT,
	OPT_HTTP2,
	OPT_HTTP1_1,
	OPT_FIELDS,
	OPT_FRONTIER,
	OPT_CRAWL,
	OPT_LEASE,
};

/* More retries than this are a loop, not patience. */
#define OPTIONS_MAX_RETRIES 1000

/* Deeper than this no crawl means it; it bounds the depth column too. */
#define OPTIONS_MAX_DEPTH 1000000
#define OPTIONS_DEFAULT_DEPTH 5
/* A URL given back a minute after its instance went silent. */
#define OPTIONS_DEFAULT_LEASE_MS 60000
/* --per-host with --follow unless given: two at once, as polite crawlers do. */
#define OPTIONS_FOLLOW_PER_HOST 2

/* The leading ':' makes a missing value ':' rather than '?'. */
static const char options_short[] = ":m:w:o:f:t:A:qhrd:H:b:c:kx:";

static const struct option options_long[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'w' },
	{ "output", required_argument, NULL, 'o' },
	{ "append", no_argument, NULL, OPT_APPEND },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "format", required_argument, NULL, 'f' },
	{ "timeout", required_argument, NULL, 't' },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "max-redirects", required_argument, NULL, OPT_MAX_REDIRECTS },
	{ "user-agent", required_argument, NULL, 'A' },
	{ "bom", no_argument, NULL, OPT_BOM },
	{ "no-formula-guard", no_argument, NULL, OPT_NO_FORMULA_GUARD },
	{ "no-parse", no_argument, NULL, OPT_NO_PARSE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "follow", no_argument, NULL, 'r' },
	{ "depth", required_argument, NULL, 'd' },
	{ "scope", required_argument, NULL, OPT_SCOPE },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "max-pages", required_argument, NULL, OPT_MAX_PAGES },
	{ "per-host", required_argument, NULL, OPT_PER_HOST },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "robots", no_argument, NULL, OPT_ROBOTS },
	{ "no-robots", no_argument, NULL, OPT_NO_ROBOTS },
	{ "resolve", required_argument, NULL, OPT_RESOLVE },
	{ "ignore-nofollow", no_argument, NULL, OPT_IGNORE_NOFOLLOW },
	{ "retry", required_argument, NULL, OPT_RETRY },
	{ "retry-delay", required_argument, NULL, OPT_RETRY_DELAY },
	{ "retry-max-time", required_argument, NULL, OPT_RETRY_MAX_TIME },
	{ "header", required_argument, NULL, 'H' },
	{ "cookie", required_argument, NULL, 'b' },
	{ "cookie-jar", required_argument, NULL, 'c' },
	{ "insecure", no_argument, NULL, 'k' },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "proxy", required_argument, NULL, 'x' },
	{ "http2", no_argument, NULL, OPT_HTTP2 },
	{ "http1.1", no_argument, NULL, OPT_HTTP1_1 },
	{ "fields", required_argument, NULL, OPT_FIELDS },
	{ "frontier", required_argument, NULL, OPT_FRONTIER },
	{ "crawl", required_argument, NULL, OPT_CRAWL },
	{ "lease", required_argument, NULL, OPT_LEASE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *f)
{
	fputs("usage: crawlpool crawl [OPTIONS] [URLS_FILE | URL]...\n"
	      "\n"
	      "Fetches every URL given and every URL of each URLS_FILE (default urls.txt,\n"
	      "'-' for stdin; one a line, blank lines and # comments skipped) and writes one\n"
	      "row per URL. An argument that begins with http:// or https:// is a URL.\n"
	      "\n"
	      "  -m, --mode process|thread|event|hybrid\n"
	      "                                what runs the transfers: a forked process or a\n"
	      "                                thread for each, or event loops, each running many\n"
	      "                                at once, in a thread (event) or a forked process\n"
	      "                                (hybrid) per CPU (default: thread)\n"
	      "  -w, --workers N               transfers: URLs being fetched at once, 1-1024\n"
	      "                                (default: 8); event and hybrid modes share them\n"
	      "                                out over min(N, CPUs) loops\n"
	      "  -o, --output FILE             results file, '-' for stdout (default: results.csv)\n"
	      "      --append                  add to FILE; the header only if FILE is new or empty,\n"
	      "                                else FILE must hold this format's rows\n"
	      "      --resume                  go on with a stopped crawl: skip the URLs the output\n"
	      "                                already has rows for (run the same command again)\n"
	      "      --state FILE              keep the frontier of a --follow crawl in an SQLite\n"
	      "                                file: the same command again goes on where it stopped\n"
	      "  -f, --format csv|tsv|jsonl    output format (default: csv)\n"
	      "      --bom                     start a new CSV/TSV file with a UTF-8 byte-order mark\n"
	      "                                (not with -f jsonl)\n"
	      "      --no-formula-guard        keep text starting with = + - @ tab or CR as it is\n"
	      "  -t, --timeout SECONDS         whole transfer per URL, redirects included (default: 30)\n"
	      "      --connect-timeout SECONDS connecting, and the longest stall (under a byte a\n"
	      "                                second, whole seconds rounded up) (default: 10);\n"
	      "                                SECONDS from 0.001 to 86400, decimals allowed\n"
	      "      --max-size SIZE           body limit after decompression, 1 to 8G, K/M/G\n"
	      "                                (default: 10M)\n"
	      "      --max-redirects N         redirects to follow, 0 to 1000, 0 = none (default: 10)\n"
	      "  -A, --user-agent STRING       User-Agent header\n"
	      "      --no-parse                fetch only: no title or links\n"
	      "  -q, --quiet                   no progress line and no summary\n"
	      "      --resolve HOST:PORT:ADDR  connect to ADDR for HOST:PORT, as curl's --resolve\n"
	      "      --fields LIST             the columns to write, in this order (default: the\n"
	      "                                usual ones, below); also retries, location,\n"
	      "                                remote_ip, http_version, time_connect, time_tls\n"
	      "\n"
	      "As curl does:\n"
	      "      --retry N                 try a transient failure again up to N times\n"
	      "                                (default: 0): a timeout, connection refused or\n"
	      "                                reset, HTTP 408, 429, 500, 502, 503, 504\n"
	      "      --retry-delay SECONDS     the first wait, doubled each retry, plus up to a\n"
	      "                                quarter at random; a Retry-After wins (default: 1)\n"
	      "      --retry-max-time SECONDS  no retry starts later than this after the first\n"
	      "                                attempt (default: 60)\n"
	      "  -H, --header \"Name: value\"    an extra request header (repeatable); \"Name:\"\n"
	      "                                drops a header sent by default, \"Name;\"\n"
	      "                                sends it empty\n"
	      "  -b, --cookie NAME=VALUE[; ...]|FILE\n"
	      "                                cookies to send, or a cookie file to start from\n"
	      "                                (repeatable); cookies set by pages are sent back\n"
	      "  -c, --cookie-jar FILE         write every cookie to FILE at the end\n"
	      "  -k, --insecure                do not verify TLS certificates\n"
	      "      --cacert FILE             trust the CA certificates of FILE (PEM)\n"
	      "  -x, --proxy URL               every request through this proxy (default: the\n"
	      "                                http_proxy, https_proxy and no_proxy variables);\n"
	      "                                -x \"\": none, whatever they say\n"
	      "      --http2, --http1.1        the HTTP version to ask for (default: HTTP/2 over\n"
	      "                                TLS where the server offers it, else 1.1)\n"
	      "\n"
	      "Following links (start URLs are depth 0; all but --max-pages need --follow):\n"
	      "  -r, --follow                  the in-scope links of every fetched HTML page join\n"
	      "                                the crawl; each URL is fetched once\n"
	      "  -d, --depth N                 links away from a start URL (default: 5; 0: start\n"
	      "                                URLs only)\n"
	      "      --scope host|domain|any   links followed: the scheme, host and port of a\n"
	      "                                start URL (default), its registrable domain, or any\n"
	      "      --include REGEX           follow only links matching one (POSIX extended)\n"
	      "      --exclude REGEX           follow no link matching one; both repeatable\n"
	      "      --max-pages N             take at most N URLs into the crawl (default: 0, no\n"
	      "                                limit)\n"
	      "      --ignore-nofollow         follow rel=nofollow links and nofollow pages too\n"
	      "Politeness, for lists too:\n"
	      "      --per-host N              transfers at once to one host (scheme, host, port);\n"
	      "                                default 2 with --follow, else no limit (0)\n"
	      "      --delay SECONDS           least time between the starts of two requests to\n"
	      "                                one host (default: 0)\n"
	      "      --robots, --no-robots     obey robots.txt (default: on with --follow)\n"
	      "Many instances, one crawl (a frontier shared in Redis):\n"
	      "      --frontier URL            redis://[:PASSWORD@]HOST[:PORT][/DB] or\n"
	      "                                redis+unix:///PATH: every instance with the same\n"
	      "                                URL and --crawl takes its URLs from there; with no\n"
	      "                                URLS_FILE or URL an instance joins the crawl,\n"
	      "                                waiting for its first URLs if it has none yet;\n"
	      "                                Redis away is retried for 60 s, then exit 1\n"
	      "      --crawl NAME              the crawl's name, the prefix of its keys (default:\n"
	      "                                crawlpool)\n"
	      "      --lease SECONDS           how long a URL stays with an instance that stopped\n"
	      "                                renewing it, 1 to 86400 (default: 60)\n"
	      "  -h, --help                    this help\n"
	      "      --version                 the version\n"
	      "\n"
	      "Columns: url,final_url,status,bytes,content_type,ttfb_ms,time_ms,redirects,\n"
	      "title,links,worker,error (with --follow also depth,referrer); worker is the\n"
	      "process id, the thread's number or the loop's number.\n"
	      "Exit status: 0 when the list was crawled to the end (failed URLs are rows\n"
	      "with an error), 1 on a runtime failure, 2 on bad usage, an unreadable list or\n"
	      "an unwritable output, 130 when interrupted, 141 when the reader of the\n"
	      "output went away.\n", f);
}

void options_defaults(struct crawl_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->mode = POOL_THREADS;
	opts->workers = 8;
	static const char *const default_inputs[] = { "urls.txt" };

	opts->inputs = default_inputs;
	opts->n_inputs = 1;
	opts->depth = OPTIONS_DEFAULT_DEPTH;
	opts->scope = FRONTIER_SCOPE_HOST;
	opts->output = "results.csv";
	opts->out.format = OUTPUT_CSV;
	opts->out.formula_guard = true;
	opts->timeout_ms = 30000;
	opts->connect_timeout_ms = 10000;
	opts->max_size = 10ull << 20;
	opts->max_redirects = 10;
	opts->parse = true;
	opts->retry_delay_ms = 1000;
	opts->retry_max_ms = 60000;
	opts->lease_ms = OPTIONS_DEFAULT_LEASE_MS;
}

/*
 * The option "--NAME[=VALUE]" names as getopt_long reads it: the exact
 * name, or a prefix of just one; NULL for none.
 */
static const struct option *options_long_named(const char *arg)
{
	size_t len = strcspn(arg + 2, "=");
	const struct option *found = NULL;
	bool several = false;

	if (len == 0)
		return NULL;
	for (const struct option *o = options_long; o->name; o++) {
		if (strncmp(o->name, arg + 2, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return o;
		several |= found != NULL;
		found = o;
	}
	return several ? NULL : found;
}

bool options_takes_value(const char *arg)
{
	const struct option *o;

	if (arg[0] != '-' || arg[1] == '\0')
		return false;
	if (arg[1] != '-') {
		/* Bundled short options, "-qt": the first that takes a value takes the rest. */
		for (const char *p = arg + 1; *p; p++) {
			const char *spec = *p == ':' ? NULL : strchr(options_short + 1, *p);

			if (!spec || spec[1] == ':')
				return spec && p[1] == '\0';
		}
		return false;
	}
	o = strchr(arg, '=') ? NULL : options_long_named(arg);
	return o && o->has_arg == required_argument;
}

bool options_gives(const char *arg, const char *name)
{
	const struct option *want = options_long;

	while (want->name && strcmp(want->name, name) != 0)
		want++;
	if (!want->name || arg[0] != '-' || arg[1] == '\0')
		return false;
	if (arg[1] == '-')
		return options_long_named(arg) == want;
	/* each letter of a bundle up to the first that takes a value, which takes the rest */
	for (const char *p = arg + 1; *p; p++) {
		const char *spec = *p == ':' ? NULL : strchr(options_short + 1, *p);

		if (!spec)
			return false;
		if (*p == want->val)
			return true;
		if (spec[1] == ':')
			return false;
	}
	return false;
}

/* A repeatable option's value, kept in list (at most OPTIONS_MAX_REPEATS). */
static int options_repeat(const char *name, const char *arg, const char **list, size_t *n,
			  char *err, size_t errlen)
{
	if (*n == OPTIONS_MAX_REPEATS) {
		snprintf(err, errlen, "too many %s options: %d at most", name, OPTIONS_MAX_REPEATS);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

/* A regular expression that does not compile is a usage error, not a crawl that follows nothing. */
static int options_pattern(const char *name, const char *arg, const char **list, size_t *n,
			   char *err, size_t errlen)
{
	regex_t re;
	char why[128];
	int rc = regcomp(&re, arg, REG_EXTENDED | REG_NOSUB);

	if (rc != 0) {
		regerror(rc, &re, why, sizeof(why));
		snprintf(err, errlen, "invalid %s '" ERRBUF_CUT "': %s", name, ERRBUF_CUT_ARGS(arg), why);
		return -1;
	}
	regfree(&re);
	return options_repeat(name, arg, list, n, err, errlen);
}

/* One address of --resolve, len bytes: IPv4, or IPv6 bare or in brackets, as libcurl reads them. */
static bool options_resolve_addr(const char *addr, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']') {
		addr++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(text))
		return false;
	memcpy(text, addr, len);
	text[len] = '\0';
	return inet_pton(AF_INET, text, &a) == 1 || inet_pton(AF_INET6, text, &a) == 1;
}

/*
 * The addresses of --resolve, comma-separated (empty ones skipped, as
 * libcurl does): one that is no address fails every transfer in libcurl.
 */
static bool options_resolve_addrs(const char *list)
{
	size_t found = 0;

	for (const char *p = list; *p; p += *p == ',') {
		size_t len = strcspn(p, ",");

		if (len > 0 && !options_resolve_addr(p, len))
			return false;
		found += len > 0;
		p += len;
	}
	return found > 0;
}

/* "HOST:PORT:ADDR": a host, a port and at least one address, as curl takes them. */
static int options_resolve(const char *arg, struct crawl_options *opts, char *err, size_t errlen)
{
	const char *port = strchr(arg, ':'), *addr = port ? strchr(port + 1, ':') : NULL;
	char text[16];
	long long v;

	if (!port || port == arg || !addr || addr == port + 1 || !options_resolve_addrs(addr + 1) ||
	    (size_t)(addr - port - 1) >= sizeof(text)) {
		snprintf(err, errlen, "invalid --resolve '%s': use HOST:PORT:ADDR[,ADDR...], each "
			 "ADDR an IPv4 or IPv6 address", arg);
		return -1;
	}
	memcpy(text, port + 1, (size_t)(addr - port - 1));
	text[addr - port - 1] = '\0';
	if (num_parse_int("--resolve port", text, 1, 65535, &v, err, errlen) < 0)
		return -1;
	return options_repeat("--resolve", arg, opts->resolve, &opts->n_resolve, err, errlen);
}

/* A file that must be there and readable now, not once the crawl has begun. */
static int options_readable(const char *what, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot read %s '%s': %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s '%s': it is not a regular file", what, path);
		return -1;
	}
	return 0;
}

/*
 * -H "Name: value": a header name, a colon, and no line break to smuggle
 * another; or "Name;", which libcurl sends as the empty header "Name:".
 */
static int options_header(const char *arg, struct crawl_options *opts, char *err, size_t errlen)
{
	size_t name = strcspn(arg, ":");
	/* no colon, and the first semicolon last */
	bool empty = arg[name] == '\0' && name > 1 && strcspn(arg, ";") == name - 1;

	if (empty)
		name--;
	if ((arg[name] != ':' && !empty) || name == 0 || arg[strcspn(arg, "\r\n")] != '\0' ||
	    strcspn(arg, " \t") < name) {
		snprintf(err, errlen, "invalid --header '%s': use \"Name: value\" (\"Name:\" drops a "
			 "header sent by default, \"Name;\" sends it empty)", arg);
		return -1;
	}
	return options_repeat("--header", arg, opts->headers, &opts->n_headers, err, errlen);
}

/*
 * -b: as curl, NAME=VALUE pairs to send, or (with no '=') a cookie file to
 * read; repeatable, as curl's: every pair is sent, every file read.
 */
static int options_cookie(const char *arg, struct crawl_options *opts, char *err, size_t errlen)
{
	if (strchr(arg, '=')) {
		if (arg[strcspn(arg, "\r\n")] != '\0') {
			snprintf(err, errlen, "invalid --cookie '%s': a line break in it", arg);
			return -1;
		}
		return options_repeat("--cookie", arg, opts->cookies, &opts->n_cookies, err, errlen);
	}
	if (options_readable("cookie file", arg, err, errlen) < 0)
		return -1;
	return options_repeat("--cookie", arg, opts->cookie_files, &opts->n_cookie_files, err,
			      errlen);
}

/* -c FILE is written at the end: a directory, or a place that cannot be written, is refused now. */
static int options_cookie_jar(const char *arg, struct crawl_options *opts, char *err,
			      size_t errlen)
{
	const char *slash = strrchr(arg, '/');
	char dir[4096];
	struct stat st;
	bool there = stat(arg, &st) == 0;

	if (!*arg || strcmp(arg, "-") == 0) {
		snprintf(err, errlen, "invalid --cookie-jar '%s': it needs a file name", arg);
		return -1;
	}
	if (there && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot write cookie jar '%s': it is a directory", arg);
		return -1;
	}
	/* a device or a pipe (/dev/null) is written into, not renamed over: it must be writable */
	if (there && !S_ISREG(st.st_mode)) {
		if (access(arg, W_OK) < 0) {
			snprintf(err, errlen, "cannot write cookie jar '%s': %s", arg,
				 strerror(errno));
			return -1;
		}
		opts->cookie_jar = arg;
		return 0;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - arg) + (slash == arg) : 1,
		 slash ? arg : ".");
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "cannot write cookie jar '%s': %s", arg, strerror(errno));
		return -1;
	}
	opts->cookie_jar = arg;
	return 0;
}

/*
 * -x: [SCHEME://]HOST[:PORT], a scheme libcurl speaks to a proxy; or, as
 * curl's -x "", no proxy at all, whatever http_proxy and the others say.
 */
static int options_proxy(const char *arg, struct crawl_options *opts, char *err, size_t errlen)
{
	static const char *const schemes[] = {
		"http://", "https://", "socks4://", "socks4a://", "socks5://", "socks5h://",
	};
	const char *host = strstr(arg, "://");
	size_t i = 0;

	if (!*arg) {
		opts->proxy = arg;
		return 0;
	}
	if (host) {
		for (; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (strncasecmp(arg, schemes[i], strlen(schemes[i])) == 0)
				break;
		host += 3;
	} else {
		host = arg;
	}
	if (i == sizeof(schemes) / sizeof(schemes[0]) || !*host || *host == ':' || *host == '/' ||
	    arg[strcspn(arg, " \t\r\n")] != '\0') {
		snprintf(err, errlen, "invalid --proxy '%s': use [SCHEME://]HOST[:PORT], the scheme "
			 "http, https, socks4, socks4a, socks5 or socks5h", arg);
		return -1;
	}
	opts->proxy = arg;
	return 0;
}

/* --frontier, --crawl, --lease: a crawl shared in Redis; the address is checked when it is opened. */
static int options_apply_shared(int c, const char *arg, struct crawl_options *opts,
				char *err, size_t errlen)
{
	long long v;

	switch (c) {
	case OPT_FRONTIER:
		opts->frontier = arg;
		return 0;
	case OPT_CRAWL:
		opts->crawl_name = arg;
		return 0;
	case OPT_LEASE:
		if (num_parse_seconds("--lease", arg, 1000, OPTIONS_MAX_MS, &v, err, errlen) < 0)
			return -1;
		opts->lease_ms = (long)v;
		opts->lease_given = true;
		return 0;
	default:
		snprintf(err, errlen, "unhandled option");
		return -1;
	}
}

static int options_apply_curl(int c, const char *arg, struct crawl_options *opts,
			      char *err, size_t errlen)
{
	long long v;

	switch (c) {
	case OPT_RETRY:
		if (num_parse_int("--retry", arg, 0, OPTIONS_MAX_RETRIES, &v, err, errlen) < 0)
			return -1;
		opts->retries = (unsigned)v;
		return 0;
	case OPT_RETRY_DELAY:
		if (num_parse_seconds("--retry-delay", arg, 0, OPTIONS_MAX_MS, &v, err, errlen) < 0)
			return -1;
		opts->retry_delay_ms = (long)v;
		return 0;
	case OPT_RETRY_MAX_TIME:
		if (num_parse_seconds("--retry-max-time", arg, 1, OPTIONS_MAX_MS, &v, err,
				      errlen) < 0)
			return -1;
		opts->retry_max_ms = (long)v;
		return 0;
	case 'H':
		return options_header(arg, opts, err, errlen);
	case 'b':
		return options_cookie(arg, opts, err, errlen);
	case 'c':
		return options_cookie_jar(arg, opts, err, errlen);
	case 'k':
		opts->insecure = true;
		return 0;
	case OPT_CACERT:
		if (options_readable("CA bundle", arg, err, errlen) < 0)
			return -1;
		opts->cacert = arg;
		return 0;
	case 'x':
		return options_proxy(arg, opts, err, errlen);
	case OPT_HTTP2:
	case OPT_HTTP1_1:
		opts->http = c == OPT_HTTP2 ? FETCH_HTTP_2 : FETCH_HTTP_1_1;
		return 0;
	case OPT_FIELDS:
		opts->fields = arg;
		return 0;
	default:
		return options_apply_shared(c, arg, opts, err, errlen);
		return -1;
	}
}

static int options_apply_follow(int c, const char *arg, struct crawl_options *opts,
				char *err, size_t errlen)
{
	static const struct {
		int c;
		const char *name;
	} link_options[] = {
		{ 'd', "--depth" }, { OPT_SCOPE, "--scope" }, { OPT_INCLUDE, "--include" },
		{ OPT_EXCLUDE, "--exclude" }, { OPT_IGNORE_NOFOLLOW, "--ignore-nofollow" },
	};
	long long v;

	for (size_t i = 0; i < sizeof(link_options) / sizeof(link_options[0]); i++)
		if (c == link_options[i].c && !opts->link_option)
			opts->link_option = link_options[i].name;
	switch (c) {
	case 'r':
		opts->follow = true;
		return 0;
	case 'd':
		if (num_parse_int("--depth", arg, 0, OPTIONS_MAX_DEPTH, &v, err, errlen) < 0)
			return -1;
		opts->depth = (unsigned)v;
		return 0;
	case OPT_SCOPE:
		if (strcmp(arg, "host") == 0)
			opts->scope = FRONTIER_SCOPE_HOST;
		else if (strcmp(arg, "domain") == 0)
			opts->scope = FRONTIER_SCOPE_DOMAIN;
		else if (strcmp(arg, "any") == 0)
			opts->scope = FRONTIER_SCOPE_ANY;
		else {
			snprintf(err, errlen, "invalid --scope '%s': use host, domain or any", arg);
			return -1;
		}
		return 0;
	case OPT_INCLUDE:
		return options_pattern("--include", arg, opts->include, &opts->n_include, err, errlen);
	case OPT_EXCLUDE:
		return options_pattern("--exclude", arg, opts->exclude, &opts->n_exclude, err, errlen);
	case OPT_MAX_PAGES:
		if (num_parse_int("--max-pages", arg, 0, LLONG_MAX, &v, err, errlen) < 0)
			return -1;
		opts->max_pages = (unsigned long)v;
		return 0;
	case OPT_PER_HOST:
		if (num_parse_int("--per-host", arg, 0, POOL_MAX_WORKERS, &v, err, errlen) < 0)
			return -1;
		opts->per_host = (unsigned)v;
		opts->per_host_given = true;
		return 0;
	case OPT_DELAY:
		if (num_parse_seconds("--delay", arg, 0, OPTIONS_MAX_MS, &v, err, errlen) < 0)
			return -1;
		opts->delay_ms = (long)v;
		return 0;
	case OPT_ROBOTS:
	case OPT_NO_ROBOTS:
		opts->robots = c == OPT_ROBOTS;
		opts->robots_given = true;
		return 0;
	case OPT_RESOLVE:
		return options_resolve(arg, opts, err, errlen);
	case OPT_IGNORE_NOFOLLOW:
		opts->ignore_nofollow = true;
		return 0;
	default:
		return options_apply_curl(c, arg, opts, err, errlen);
	}
}

/* Applies one option; -1 with err filled when its value is bad. */
static int options_apply(int c, const char *arg, struct crawl_options *opts,
			 char *err, size_t errlen)
{
	long long v;

	switch (c) {
	case 'm':
		if (pool_mode_parse(arg, &opts->mode) == 0)
			return 0;
		snprintf(err, errlen, "invalid --mode '%s': use process, thread, event or hybrid", arg);
		return -1;
	case 'w':
		if (num_parse_int("--workers", arg, 1, POOL_MAX_WORKERS, &v, err, errlen) < 0)
			return -1;
		opts->workers = (unsigned)v;
		return 0;
	case 'o':
		opts->output = arg;
		return 0;
	case OPT_APPEND:
		opts->out.append = true;
		return 0;
	case OPT_RESUME:
		opts->resume = true;
		return 0;
	case OPT_STATE:
		opts->state = arg;
		return 0;
	case 'f':
		if (output_format_parse(arg, &opts->out.format) == 0)
			return 0;
		snprintf(err, errlen, "invalid --format '%s': use csv, tsv or jsonl", arg);
		return -1;
	case 't':
		if (num_parse_seconds("--timeout", arg, 1, OPTIONS_MAX_MS, &v, err, errlen) < 0)
			return -1;
		opts->timeout_ms = (long)v;
		return 0;
	case OPT_CONNECT_TIMEOUT:
		if (num_parse_seconds("--connect-timeout", arg, 1, OPTIONS_MAX_MS, &v, err,
				      errlen) < 0)
			return -1;
		opts->connect_timeout_ms = (long)v;
		return 0;
	case OPT_MAX_SIZE:
		if (num_parse_size("--max-size", arg, 1, OPTIONS_MAX_SIZE, &v, err, errlen) < 0)
			return -1;
		opts->max_size = (unsigned long long)v;
		return 0;
	case OPT_MAX_REDIRECTS:
		if (num_parse_int("--max-redirects", arg, 0, OPTIONS_MAX_REDIRECTS, &v, err,
				  errlen) < 0)
			return -1;
		opts->max_redirects = (long)v;
		return 0;
	case 'A':
		/* sent as a header line: a line break would end it and smuggle another */
		if (arg[strcspn(arg, "\r\n")] != '\0') {
			snprintf(err, errlen, "invalid --user-agent '%s': a line break in it", arg);
			return -1;
		}
		opts->user_agent = arg;
		return 0;
	case OPT_BOM:
		opts->out.bom = true;
		return 0;
	case OPT_NO_FORMULA_GUARD:
		opts->out.formula_guard = false;
		return 0;
	case OPT_NO_PARSE:
		opts->parse = false;
		return 0;
	case 'q':
		opts->quiet = true;
		return 0;
	default:
		return options_apply_follow(c, arg, opts, err, errlen);
	}
}

/* Names the option getopt stopped at, for "unknown option" and "needs a value". */
static const char *options_culprit(char **argv, char *buf, size_t size)
{
	const char *arg = argv[optind - 1];

	if (optopt && strncmp(arg, "--", 2) != 0) {
		snprintf(buf, size, "-%c", optopt);
		return buf;
	}
	return arg;
}

/*
 * "--follow=yes": getopt_long() gives '?' as for an unknown option, but
 * with optopt the option's value. Its full name (the user may have written
 * a prefix), or NULL when arg is not such an option.
 */
static const char *options_valued_flag(const char *arg, const struct option *longs)
{
	const char *eq = strchr(arg, '=');
	const struct option *found = NULL;
	size_t len;

	if (!optopt || strncmp(arg, "--", 2) != 0 || !eq)
		return NULL;
	len = (size_t)(eq - arg) - 2;
	for (const struct option *o = longs; o->name; o++) {
		if (o->has_arg != no_argument || o->flag || o->val != optopt ||
		    strncmp(o->name, arg + 2, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return o->name;
		found = found ? found : o;
	}
	return found ? found->name : NULL;
}

/*
 * "--re": getopt_long() gives '?' as for an unknown option when a prefix
 * names more than one option. Those names into buf ("--resume, --resolve,
 * ..."), or false when arg is no such prefix.
 */
static bool options_ambiguous(const char *arg, const struct option *longs, char *buf,
			      size_t size)
{
	size_t len, used = 0;
	int n = 0;

	if (strncmp(arg, "--", 2) != 0 || (len = strcspn(arg + 2, "=")) == 0)
		return false;
	buf[0] = '\0';
	for (const struct option *o = longs; o->name; o++) {
		if (strncmp(o->name, arg + 2, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return false;
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s--%s", n ? ", " : "",
						 o->name);
		n++;
	}
	return n > 1;
}

void options_bad_option(int c, char **argv, const struct option *longs, char *err, size_t errlen)
{
	const char *flag = c == '?' ? options_valued_flag(argv[optind - 1], longs) : NULL;
	char name[8], names[256];

	if (flag)
		snprintf(err, errlen, "option --%s takes no value", flag);
	else if (c == '?' && options_ambiguous(argv[optind - 1], longs, names, sizeof(names)))
		snprintf(err, errlen, "ambiguous option %.*s: it may be %s",
			 (int)strcspn(argv[optind - 1], "="), argv[optind - 1], names);
	else if (c == ':')
		snprintf(err, errlen, "option %s needs a value",
			 options_culprit(argv, name, sizeof(name)));
	else
		snprintf(err, errlen, "unknown option %s", options_culprit(argv, name, sizeof(name)));
}

/*
 * --resume reads the rows already in the output and adds to them; a
 * followed crawl also needs the frontier it kept in --state FILE.
 */
static int options_check_resume(struct crawl_options *opts, char *err, size_t errlen)
{
	if (strcmp(opts->output, "-") == 0) {
		snprintf(err, errlen, "--resume reads the rows already in the output: it needs -o FILE, "
			 "not standard output");
		return -1;
	}
	if (opts->follow && !opts->state) {
		snprintf(err, errlen, "--resume with --follow needs --state FILE, the frontier the "
			 "stopped crawl kept");
		return -1;
	}
	opts->out.append = true;
	return 0;
}

/* --state keeps what a followed crawl has found; a list needs none (its output is the record). */
static int options_check_state(const struct crawl_options *opts, char *err, size_t errlen)
{
	if (!opts->follow) {
		snprintf(err, errlen, "--state keeps the frontier of a crawl that follows links: it "
			 "needs --follow (a list resumes with --resume alone)");
		return -1;
	}
	if (strcmp(opts->output, "-") == 0) {
		snprintf(err, errlen, "--state goes with the rows of its output: it needs -o FILE, "
			 "not standard output");
		return -1;
	}
	return 0;
}

/*
 * --frontier: Redis keeps what was taken and what was done, so --state and
 * --resume have nothing to add; --crawl and --lease mean nothing without it.
 */
static int options_check_shared(struct crawl_options *opts, bool inputs_given, char *err,
				size_t errlen)
{
	if (!opts->frontier) {
		if (!opts->crawl_name && !opts->lease_given)
			return 0;
		snprintf(err, errlen, "%s names a crawl shared in Redis: it needs --frontier URL",
			 opts->crawl_name ? "--crawl" : "--lease");
		return -1;
	}
	if (opts->state || opts->resume) {
		snprintf(err, errlen, "%s with --frontier: Redis is the crawl's state (run the same "
			 "command again to go on)", opts->state ? "--state" : "--resume");
		return -1;
	}
	/* no URL and no list: this instance joins a crawl others started */
	if (!inputs_given)
		opts->n_inputs = 0;
	return 0;
}

/*
 * --fields, once every option is known: depth and referrer exist only when
 * following, and a crawl that may resume finds its rows by their url.
 */
static int options_check_fields(struct crawl_options *opts, char *err, size_t errlen)
{
	if (output_fields_parse(opts->fields, &opts->out, err, errlen) < 0)
		return -1;
	if (!opts->follow && (output_has_column(&opts->out, OUTPUT_COL_DEPTH) ||
			      output_has_column(&opts->out, OUTPUT_COL_REFERRER))) {
		snprintf(err, errlen, "--fields: depth and referrer are columns of a crawl that "
			 "follows links (--follow)");
		return -1;
	}
	if ((opts->resume || opts->state) && !output_has_column(&opts->out, OUTPUT_COL_URL)) {
		snprintf(err, errlen, "--fields: %s finds the rows already written by their url: "
			 "name url", opts->state ? "--state" : "--resume");
		return -1;
	}
	if ((opts->resume || opts->state) && opts->out.format == OUTPUT_JSONL &&
	    opts->out.fields[0] != OUTPUT_COL_URL) {
		snprintf(err, errlen, "--fields: %s reads JSON Lines rows that begin with their url: "
			 "name url first", opts->state ? "--state" : "--resume");
		return -1;
	}
	return 0;
}

char *options_join(const char *const *items, size_t n)
{
	size_t len = 1;
	char *text, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 1;
	text = p = malloc(len);
	if (!text)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "\n" : "", items[i]);
	return text;
}

int options_parse(int argc, char **argv, struct crawl_options *opts, char *err, size_t errlen)
{
	int c;

	options_defaults(opts);
	optind = 0;	/* GNU: start over, so the parser can run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, options_short, options_long, NULL)) != -1) {
		switch (c) {
		case 'h':
			return OPTIONS_HELP;
		case OPT_VERSION:
			return OPTIONS_VERSION;
		case ':':
		case '?':
			options_bad_option(c, argv, options_long, err, errlen);
			return OPTIONS_USAGE;
		default:
			if (options_apply(c, optarg, opts, err, errlen) < 0)
				return OPTIONS_USAGE;
		}
	}
	if (argc > optind) {
		opts->inputs = (const char *const *)argv + optind;
		opts->n_inputs = (size_t)(argc - optind);
	}
	/* a list crawl would ignore it: the user most likely meant to follow links */
	if (opts->link_option && !opts->follow) {
		snprintf(err, errlen, "%s is about the links a crawl follows: it needs --follow (-r)",
			 opts->link_option);
		return OPTIONS_USAGE;
	}
	if (output_options_check(&opts->out, err, errlen) < 0)
		return OPTIONS_USAGE;
	if (options_check_shared(opts, argc > optind, err, errlen) < 0)
		return OPTIONS_USAGE;
	if (opts->state && options_check_state(opts, err, errlen) < 0)
		return OPTIONS_USAGE;
	if (opts->resume && options_check_resume(opts, err, errlen) < 0)
		return OPTIONS_USAGE;
	if (opts->fields && options_check_fields(opts, err, errlen) < 0)
		return OPTIONS_USAGE;
	/* defaults that depend on --follow */
	if (!opts->per_host_given && opts->follow)
		opts->per_host = OPTIONS_FOLLOW_PER_HOST;
	if (!opts->robots_given)
		opts->robots = opts->follow;
	return OPTIONS_RUN;
}
