/* status.c -- the status command: what a shared crawl holds now, and which instances work on it */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "crawl.h"
#include "options.h"
#include "redis_frontier.h"
#include "shared.h"
#include "shared_open.h"

enum { OPT_FRONTIER = 256, OPT_CRAWL };

static void status_usage(FILE *f)
{
	fputs("usage: crawlpool status --frontier URL [--crawl NAME]\n"
	      "\n"
	      "Prints what a crawl shared in Redis holds: URLs queued, leased (per\n"
	      "instance), done and failed, the rate since it began, and the instances\n"
	      "alive. Reads only.\n"
	      "\n"
	      "      --frontier URL            redis://[:PASSWORD@]HOST[:PORT][/DB] or\n"
	      "                                redis+unix:///PATH\n"
	      "      --crawl NAME              the crawl's name (default: crawlpool)\n"
	      "  -h, --help                    this help\n"
	      "\n"
	      "Exit status: 0, 1 when Redis cannot be reached, 2 on bad usage.\n", f);
}

/* 1 to run, 0 for help, -1 with err filled. */
static int status_parse(int argc, char **argv, const char **frontier, const char **crawl,
			char *err, size_t errlen)
{
	static const struct option longs[] = {
		{ "frontier", required_argument, NULL, OPT_FRONTIER },
		{ "crawl", required_argument, NULL, OPT_CRAWL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*frontier = *crawl = NULL;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case OPT_FRONTIER:
			*frontier = optarg;
			break;
		case OPT_CRAWL:
			*crawl = optarg;
			break;
		case 'h':
			return 0;
		default:
			options_bad_option(c, argv, longs, err, errlen);
			return -1;
		}
	}
	return shared_args_end(argc, argv, *frontier, err, errlen);
}

static void status_print(const char *name, const char *where, const struct redis_frontier_status *st)
{
	double secs = (double)st->elapsed_ms / 1000.0;
	size_t alive = 0;

	if (!st->exists) {
		printf("crawl '%s' in %s: none (nothing taken yet)\n", name, where);
		return;
	}
	for (size_t i = 0; i < st->n_instances; i++)
		alive += st->instances[i].alive;
	printf("crawl '%s' in %s, begun %.0f s ago\n", name, where, secs);
	printf("  queued     %lld\n", st->queued);
	printf("  leased     %lld\n", st->leased);
	printf("  done       %lld (%lld error%s)\n", st->done, st->errors, st->errors == 1 ? "" : "s");
	printf("  taken      %lld\n", st->taken);
	printf("  expired    %lld (leases that ran out: URLs given to another instance)\n",
	       st->expired);
	printf("  rate       %.1f URLs/s\n", secs > 0 ? (double)st->done / secs : 0.0);
	printf("  instances  %zu alive of %zu\n", alive, st->n_instances);
	for (size_t i = 0; i < st->n_instances; i++) {
		const struct redis_frontier_instance *in = &st->instances[i];

		printf("    %-6lld %-32s leased %-6lld ", in->id, in->name, in->leased);
		if (in->idle_ms < 0)
			printf("left\n");
		else
			printf("%s, last seen %.1f s ago\n", in->alive ? "alive" : "silent",
			       (double)in->idle_ms / 1000.0);
	}
}

int status_main(int argc, char **argv)
{
	const char *frontier, *crawl;
	struct redis_frontier_status st;
	struct redis_frontier *rf;
	char err[512], where[300];
	int rc, status = CRAWL_EXIT_OK;

	rc = status_parse(argc, argv, &frontier, &crawl, err, sizeof(err));
	if (rc == 0) {
		status_usage(stdout);
		return CRAWL_EXIT_OK;
	}
	if (rc < 0) {
		fprintf(stderr, "crawlpool status: %s\n(try 'crawlpool status --help')\n", err);
		return CRAWL_EXIT_USAGE;
	}
	rf = shared_open("status", frontier, crawl, &status);
	if (!rf)
		return status;
	rc = redis_frontier_status(rf, &st);
	if (rc < 0) {
		fprintf(stderr, "crawlpool status: %s\n", rc == FRONTIER_ENOMEM ? "out of memory" :
			redis_frontier_error(rf));
		redis_frontier_close(rf);
		return CRAWL_EXIT_FAILED;
	}
	shared_address(frontier, where, sizeof(where));
	status_print(crawl ? crawl : "crawlpool", where, &st);
	if (!st.exists)
		shared_other_crawls(rf, stdout, "  ");
	redis_frontier_status_free(&st);
	redis_frontier_close(rf);
	return CRAWL_EXIT_OK;
}
