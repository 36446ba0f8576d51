/* drop.c -- the drop command: removes a crawl shared in Redis, once no instance works on it */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crawl.h"
#include "options.h"
#include "redis_frontier.h"
#include "shared.h"
#include "shared_open.h"

enum { OPT_FRONTIER = 256, OPT_CRAWL, OPT_FORCE };

struct drop_options {
	const char *frontier;
	const char *crawl;
	bool force;
};

static void drop_usage(FILE *f)
{
	fputs("usage: crawlpool drop --frontier URL --crawl NAME [--force]\n"
	      "\n"
	      "Removes a crawl shared in Redis: its queues, rows, robots.txt answers and\n"
	      "definition, every key under 'NAME:' that the crawl made, and no other\n"
	      "crawl's. Export its rows first if you want them. Refused while an\n"
	      "instance works on it (called within its lease: 'crawlpool status' shows).\n"
	      "\n"
	      "      --frontier URL            redis://[:PASSWORD@]HOST[:PORT][/DB] or\n"
	      "                                redis+unix:///PATH\n"
	      "      --crawl NAME              the crawl to drop (needed: no default here)\n"
	      "      --force                   drop it even with instances at work (they\n"
	      "                                end with exit 1: the crawl is gone)\n"
	      "  -h, --help                    this help\n"
	      "\n"
	      "Exit status: 0 (also when there was no such crawl), 1 when Redis cannot be\n"
	      "reached or an instance is at work, 2 on bad usage.\n", f);
}

/* 1 to run, 0 for help, -1 with err filled. */
static int drop_parse(int argc, char **argv, struct drop_options *o, char *err, size_t errlen)
{
	static const struct option longs[] = {
		{ "frontier", required_argument, NULL, OPT_FRONTIER },
		{ "crawl", required_argument, NULL, OPT_CRAWL },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		switch (c) {
		case OPT_FRONTIER:
			o->frontier = optarg;
			break;
		case OPT_CRAWL:
			o->crawl = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'h':
			return 0;
		default:
			options_bad_option(c, argv, longs, err, errlen);
			return -1;
		}
	}
	if (shared_args_end(argc, argv, o->frontier, err, errlen) < 0)
		return -1;
	if (!o->crawl) {
		/* a default that removes data is one typo away from the wrong crawl */
		snprintf(err, errlen, "which crawl? --crawl NAME is needed (a crawl started "
			 "without one is 'crawlpool')");
		return -1;
	}
	return 1;
}

/* How many instances called within their lease; -1 with the reason said. */
static long alive_instances(struct redis_frontier *rf)
{
	struct redis_frontier_status st;
	long alive = 0;
	int rc = redis_frontier_status(rf, &st);

	if (rc < 0) {
		fprintf(stderr, "crawlpool drop: %s\n", rc == FRONTIER_ENOMEM ? "out of memory" :
			redis_frontier_error(rf));
		return -1;
	}
	for (size_t i = 0; i < st.n_instances; i++)
		alive += st.instances[i].alive;
	redis_frontier_status_free(&st);
	return alive;
}

int drop_main(int argc, char **argv)
{
	struct drop_options o;
	struct redis_frontier *rf;
	char err[512], where[300];
	long long dropped;
	long alive = 0;
	int rc, status = CRAWL_EXIT_OK;

	rc = drop_parse(argc, argv, &o, err, sizeof(err));
	if (rc == 0) {
		drop_usage(stdout);
		return CRAWL_EXIT_OK;
	}
	if (rc < 0) {
		fprintf(stderr, "crawlpool drop: %s\n(try 'crawlpool drop --help')\n", err);
		return CRAWL_EXIT_USAGE;
	}
	rf = shared_open("drop", o.frontier, o.crawl, &status);
	if (!rf)
		return status;
	shared_address(o.frontier, where, sizeof(where));
	if (!o.force)
		alive = alive_instances(rf);
	if (alive != 0) {
		if (alive > 0)
			fprintf(stderr, "crawlpool drop: crawl '%s' in %s has %ld instance%s at work "
				"('crawlpool status' lists them): stop %s first, or give --force\n",
				o.crawl, where, alive, alive == 1 ? "" : "s", alive == 1 ? "it" : "them");
		redis_frontier_close(rf);
		return CRAWL_EXIT_FAILED;
	}
	rc = redis_frontier_drop(rf, &dropped);
	if (rc < 0) {
		fprintf(stderr, "crawlpool drop: %s (what was dropped before stays dropped)\n",
			redis_frontier_error(rf));
		redis_frontier_close(rf);
		return CRAWL_EXIT_FAILED;
	}
	if (dropped == 0) {
		printf("crawl '%s' in %s: none, nothing dropped\n", o.crawl, where);
		shared_other_crawls(rf, stdout, "  ");
	} else {
		printf("crawl '%s' in %s dropped: %lld key%s\n", o.crawl, where, dropped,
		       dropped == 1 ? "" : "s");
	}
	redis_frontier_close(rf);
	return CRAWL_EXIT_OK;
}
