/* shared_open.c -- opening a shared crawl to look at it, with the exit status a failure means */
#include "shared_open.h"

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

void shared_address(const char *url, char *buf, size_t size)
{
	struct redis_address a;
	char err[8];

	if (redis_address_parse(url, &a, err, sizeof(err)) < 0)
		snprintf(buf, size, "redis");
	else
		redis_address_show(&a, buf, size);
}
