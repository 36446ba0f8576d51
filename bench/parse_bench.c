/* parse_bench.c -- crawlpool's own parser (engine/parse.h) CPU time per page on exported pages, skimming and reading every byte */
#include "parse.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * What a visit spends parsing a body: parse_begin, the body in 16 KiB pieces
 * as libcurl hands them, parse_end, each link handed to a callback as in a
 * crawl that follows links. Each page is read from disk untimed just before
 * it is parsed; only the parse is on the thread CPU clock. bench/parse_ceiling
 * measures libxml2 alone; this measures what crawlpool does around it.
 */

enum { PB_PIECE = 16384 };

struct pb_corpus {
	char **paths;
	size_t n;
	char *buf;
	size_t cap;
};

static const char *pb_usage =
	"usage: parse_bench [--passes P] [--limit N] DIR\n"
	"\n"
	"Parses every DIR/page/*.html (as written by demo-site --export), or every DIR/*.html\n"
	"when there is no DIR/page, with crawlpool's parser: skimming (the default) and reading\n"
	"every byte (parse_skim off), alternately, and prints the thread CPU time per page, the\n"
	"best of P passes (default 3).\n"
	"Last line, for scripts: pages=N skim_us=.. read_us=.. links=N\n";

static void pb_link(void *ctx, const char *href, bool nofollow)
{
	unsigned long *n = ctx;

	(void)href;
	(void)nofollow;
	++*n;
}

static int pb_load(struct pb_corpus *c, const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	long size;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto fail;
	if ((size_t)size > c->cap) {
		char *b = realloc(c->buf, (size_t)size);

		if (!b)
			goto fail;
		c->buf = b;
		c->cap = (size_t)size;
	}
	if (fread(c->buf, 1, (size_t)size, f) != (size_t)size)
		goto fail;
	fclose(f);
	*len = (size_t)size;
	return 0;
fail:
	fprintf(stderr, "parse_bench: cannot read '%s': %s\n", path, strerror(errno));
	if (f)
		fclose(f);
	return -1;
}

static double pb_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over the corpus: CPU seconds spent parsing, and the links counted and handed over. */
static int pb_pass(struct pb_corpus *c, struct parse *p, double *cpu, unsigned long *links,
		   unsigned long *handed)
{
	*cpu = 0;
	*links = *handed = 0;
	parse_collect_links(p, pb_link, handed);
	for (size_t i = 0; i < c->n; i++) {
		struct parse_facts f;
		size_t len;
		double t0;

		if (pb_load(c, c->paths[i], &len) < 0)
			return -1;
		t0 = pb_cpu_now();
		if (parse_begin(p, "text/html") < 0) {
			fprintf(stderr, "parse_bench: out of memory\n");
			return -1;
		}
		for (size_t off = 0; off < len; off += PB_PIECE)
			parse_feed(p, c->buf + off, len - off < PB_PIECE ? len - off : PB_PIECE);
		parse_end(p, &f);
		*cpu += pb_cpu_now() - t0;
		*links += f.links;
	}
	return 0;
}

static bool pb_html(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcasecmp(name + n - 5, ".html") == 0;
}

static int pb_list(struct pb_corpus *c, const char *dir, size_t limit)
{
	size_t plen = strlen(dir) + 8, cap = 0;
	char *pagedir = malloc(plen);
	struct dirent *d;
	DIR *dp;

	if (!pagedir)
		return -1;
	snprintf(pagedir, plen, "%s/page", dir);
	dp = opendir(pagedir);
	if (!dp) {
		snprintf(pagedir, plen, "%s", dir);
		dp = opendir(pagedir);
	}
	if (!dp) {
		fprintf(stderr, "parse_bench: cannot open '%s': %s\n", dir, strerror(errno));
		free(pagedir);
		return -1;
	}
	while ((d = readdir(dp)) != NULL && (limit == 0 || c->n < limit)) {
		size_t len = plen + strlen(d->d_name) + 1;

		if (!pb_html(d->d_name))
			continue;
		if (c->n == cap) {
			char **p = realloc(c->paths, (cap ? cap * 2 : 1024) * sizeof(*p));

			if (!p)
				break;
			c->paths = p;
			cap = cap ? cap * 2 : 1024;
		}
		c->paths[c->n] = malloc(len);
		if (!c->paths[c->n])
			break;
		snprintf(c->paths[c->n++], len, "%s/%s", pagedir, d->d_name);
	}
	closedir(dp);
	free(pagedir);
	if (c->n == 0) {
		fprintf(stderr, "parse_bench: no .html pages under '%s'\n", dir);
		return -1;
	}
	return 0;
}

static long pb_number(const char *opt, const char *arg, long lo, long hi)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (*end || n < lo || n > hi) {
		fprintf(stderr, "parse_bench: %s wants %ld..%ld, not '%s'\n", opt, lo, hi, arg);
		return -1;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "passes", required_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const modes[2] = { "skim", "read" };
	struct pb_corpus c = { 0 };
	struct parse *p = NULL;
	double best[2] = { -1, -1 };
	unsigned long links[2] = { 0 }, handed[2] = { 0 };
	long passes = 3, limit = 0;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			passes = pb_number("--passes", optarg, 1, 100);
			break;
		case 'l':
			limit = pb_number("--limit", optarg, 1, 100000000);
			break;
		case 'h':
			fputs(pb_usage, stdout);
			return 0;
		default:
			fputs(pb_usage, stderr);
			return 2;
		}
		if (passes < 0 || limit < 0)
			return 2;
	}
	if (optind != argc - 1) {
		fputs(pb_usage, stderr);
		return 2;
	}
	parse_global_init();
	p = parse_new();
	if (!p || pb_list(&c, argv[optind], (size_t)limit) < 0)
		goto out;
	/* the modes alternate within each pass, so a noisy moment of the machine hits both */
	for (long pass = 0; pass < passes; pass++) {
		for (int m = 0; m < 2; m++) {
			double cpu;

			parse_skim(p, m == 0);
			if (pb_pass(&c, p, &cpu, &links[m], &handed[m]) < 0)
				goto out;
			if (best[m] < 0 || cpu < best[m])
				best[m] = cpu;
		}
	}
	for (int m = 0; m < 2; m++)
		printf("%-5s %8.2f us/page  (%lu links counted, %lu handed over)\n", modes[m],
		       best[m] * 1e6 / (double)c.n, links[m], handed[m]);
	if (links[0] != links[1] || handed[0] != handed[1])
		fprintf(stderr, "parse_bench: warning: skimming and reading found other links\n");
	printf("pages=%zu skim_us=%.2f read_us=%.2f links=%lu\n", c.n, best[0] * 1e6 / (double)c.n,
	       best[1] * 1e6 / (double)c.n, links[0]);
	rc = 0;
out:
	for (size_t i = 0; i < c.n; i++)
		free(c.paths[i]);
	free(c.paths);
	free(c.buf);
	parse_free(p);
	parse_global_cleanup();
	return rc;
}
