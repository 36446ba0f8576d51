/* shared_open.h -- opening a shared crawl to look at it, with the exit status a failure means */
#ifndef CRAWLPOOL_SHARED_OPEN_H
#define CRAWLPOOL_SHARED_OPEN_H

#include "redis_frontier.h"

/*
 * redis_frontier_open() with nothing joined or written. NULL on failure,
 * said on stderr as "crawlpool COMMAND: ...", with *status the exit status:
 * 2 for a bad address or password, 1 when Redis cannot be reached.
 */
struct redis_frontier *shared_open(const char *command, const char *url, const char *crawl,
				   int *status);

/* The address as messages show it, without its password. */
void shared_address(const char *url, char *buf, size_t size);

#endif
