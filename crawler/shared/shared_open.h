/* shared_open.h -- what export, status and drop share: reading their arguments, opening the crawl to look at it */
#ifndef CRAWLPOOL_SHARED_OPEN_H
#define CRAWLPOOL_SHARED_OPEN_H

#include <stdio.h>

#include "redis_frontier.h"

/*
 * redis_frontier_open() with nothing joined or written. NULL on failure,
 * said on stderr as "crawlpool COMMAND: ...", with *status the exit status:
 * 2 for a bad address or password, 1 when Redis cannot be reached.
 */
struct redis_frontier *shared_open(const char *command, const char *url, const char *crawl,
				   int *status);

/* Once the options are read: 1, or -1 with err filled if operands follow or --frontier is missing. */
int shared_args_end(int argc, char **argv, const char *frontier, char *err, size_t errlen);

/*
 * When the crawl asked for is not in Redis, the ones that are, as a line
 * "LEAD crawls there: a, b (...)" on f: a user who made a crawl with
 * --crawl NAME and left it out here learns the name. Nothing when there
 * are none, or Redis cannot list them.
 */
void shared_other_crawls(struct redis_frontier *rf, FILE *f, const char *lead);

/* The address as messages show it, without its password. */
void shared_address(const char *url, char *buf, size_t size);

#endif
