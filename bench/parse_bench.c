/* parse_bench.c -- crawlpool's own parser (engine/parse.h) CPU time per page on exported pages, skimming and reading every byte */
#include "clocks.h"
#include "corpus.h"
#include "option_number.h"
#include "parse.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * What a visit spends parsing a body: parse_begin, the body in 16 KiB pieces
 * as libcurl hands them, parse_end, each link handed to a callback as in a
 * crawl that follows links. Each page is read from disk untimed just before
 * it is parsed; only the parse is on the thread CPU clock. bench/parse_ceiling
 * measures libxml2 alone; this measures what crawlpool does around it.
 */

enum { PB_PIECE = 16384 };

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

/* One pass over the corpus: CPU seconds spent parsing, and the links counted and handed over. */
static int pb_pass(struct corpus *c, struct parse *p, double *cpu, unsigned long *links,
		   unsigned long *handed)
{
	*cpu = 0;
	*links = *handed = 0;
	parse_collect_links(p, pb_link, handed);
	for (size_t i = 0; i < c->n; i++) {
		struct parse_facts f;
		size_t len;
		double t0;

		if (corpus_read(c, i, &len) < 0) {
			fprintf(stderr, "parse_bench: cannot read '%s': %s\n", c->paths[i],
				strerror(errno));
			return -1;
		}
		t0 = thread_cpu_seconds();
		if (parse_begin(p, "text/html") < 0) {
			fprintf(stderr, "parse_bench: out of memory\n");
			return -1;
		}
		for (size_t off = 0; off < len; off += PB_PIECE)
			parse_feed(p, c->buf + off, len - off < PB_PIECE ? len - off : PB_PIECE);
		parse_end(p, &f);
		*cpu += thread_cpu_seconds() - t0;
		*links += f.links;
	}
	return 0;
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
	struct corpus c = { 0 };
	struct parse *p = NULL;
	double best[2] = { -1, -1 };
	unsigned long links[2] = { 0 }, handed[2] = { 0 };
	long passes = 3, limit = 0;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			passes = option_number("parse_bench", "--passes", optarg, 1, 100);
			break;
		case 'l':
			limit = option_number("parse_bench", "--limit", optarg, 1, 100000000);
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
	if (!p)
		goto out;
	if (corpus_list(&c, argv[optind], CORPUS_PAGE_DIR_OR_DIR, (size_t)limit) < 0) {
		fprintf(stderr, "parse_bench: cannot open '%s': %s\n", argv[optind], strerror(errno));
		goto out;
	}
	if (c.n == 0) {
		fprintf(stderr, "parse_bench: no .html pages under '%s'\n", argv[optind]);
		goto out;
	}
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
	corpus_free(&c);
	parse_free(p);
	parse_global_cleanup();
	return rc;
}
