/* shared_open.c -- what export, status and drop share: reading their arguments, opening the crawl to look at it */
#include "shared_open.h"

#include <getopt.h>
#include <stdio.h>

#include "crawl.h"
#include "redis_address.h"

struct redis_frontier *shared_open(const char *command, const char *url, const char *crawl,
				   int *status)
{
	struct redis_frontier *rf;
	char err[640];
	int rc = redis_frontier_open(url, crawl, NULL, &rf, err, sizeof(err));

	if (rc == 0)
		return rf;
	fprintf(stderr, "crawlpool %s: %s\n", command, err);
	*status = rc == REDIS_FRONTIER_EUSAGE ? CRAWL_EXIT_USAGE : CRAWL_EXIT_FAILED;
	return NULL;
}

int shared_args_end(int argc, char **argv, const char *frontier, char *err, size_t errlen)
{
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!frontier) {
		snprintf(err, errlen, "which crawl? --frontier URL is needed");
		return -1;
	}
	return 1;
}

void shared_address(const char *url, char *buf, size_t size)
{
	struct redis_address a;
	char err[8];

	if (redis_address_parse(url, &a, err, sizeof(err)) < 0)
		snprintf(buf, size, "redis");
	else
		redis_address_show(&a, buf, size);
}

void shared_other_crawls(struct redis_frontier *rf, FILE *f, const char *lead)
{
	char list[1024];

	if (redis_frontier_crawls(rf, list, sizeof(list)) == 0 && list[0])
		fprintf(f, "%scrawls there: %s (--crawl NAME names one)\n", lead, list);
}
