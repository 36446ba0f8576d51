/* feed_shared.h -- the feed's side of a crawl shared in Redis: joining it, and Redis's faults met (feed.c alone includes it) */
#ifndef CRAWLPOOL_FEED_SHARED_H
#define CRAWLPOOL_FEED_SHARED_H

#include <stdbool.h>
#include <stddef.h>

#include "frontier.h"
#include "options.h"
#include "record.h"

/*
 * The Redis frontier's verbs as the feed uses them, with Redis's faults met
 * here: an outage is said once on stderr and waited out for
 * FEED_SHARED_PATIENCE_MS, at the start as mid-crawl; past that, or when
 * the crawl is gone from Redis, the crawl fails.
 */
struct feed_shared;

/*
 * Joins the crawl in Redis under the rules fo. NULL with err filled on
 * failure; *runtime set when it is one of the run (exit 1), not the user's
 * to fix.
 */
struct feed_shared *feed_shared_join(const struct crawl_options *o,
				     const struct frontier_options *fo, bool *runtime, char *err,
				     size_t errlen);
/* Gives back the URLs in hand, leaves the crawl, and returns its round trips to Redis, all of them. */
unsigned long long feed_shared_leave(struct feed_shared *s);
/* feed_shared_leave(), if not done yet, and frees s. Accepts NULL. */
void feed_shared_close(struct feed_shared *s);

/* redis_frontier_add(): buffered, sent with the next round trip. */
int feed_shared_add(struct feed_shared *s, const char *url, unsigned depth, const char *referrer);
/*
 * A redirect's target (the redirects-th of its chain), asked of Redis at once: FRONTIER_SEEN when another
 * instance took it. Redis unreachable, it counts as taken here
 * (FRONTIER_ADDED) and goes with the next round trip.
 */
int feed_shared_redirect(struct feed_shared *s, const char *target, unsigned depth,
			 unsigned redirects, const char *referrer);

/*
 * frontier_next() of the shared frontier: Redis away is FRONTIER_WAIT
 * (*wait_ms set) until the patience runs out; then, or with the crawl gone,
 * FRONTIER_ENOMEM with failure filled and errno 0. An instance with no URL
 * or list of its own, in a crawl no URL entered yet, gets FRONTIER_WAIT, not
 * FRONTIER_DONE: it waits for another to bring some.
 */
int feed_shared_next(struct feed_shared *s, const struct frontier_url **u, long long *wait_ms,
		     char *failure, size_t size);
/* Whether Redis is away now: reading more lines would only pile them up. */
bool feed_shared_down(const struct feed_shared *s);

/* A robots.txt's answer, shared with every instance. */
void feed_shared_robots(struct feed_shared *s, const struct frontier_url *u, long status,
			const char *body, size_t len);
/* A URL's row (worker: its column) is written: recorded in Redis with its done mark. */
void feed_shared_row(struct feed_shared *s, const struct frontier_url *u, const char *url,
		     const struct crawl_record *rec, long worker);
/* The row of a list line that is no URL (line: as the row shows it): recorded in Redis once per line. */
void feed_shared_line_row(struct feed_shared *s, const char *line, const struct crawl_record *rec);
/*
 * Every line and URL of this instance's own is read and added: the crawl
 * has begun, even with none, and an instance waiting for its first URLs
 * stops waiting.
 */
void feed_shared_sources_done(struct feed_shared *s);
/* A URL done without a row (a robots.txt, answered by feed_shared_robots()). */
void feed_shared_done(struct feed_shared *s, const struct frontier_url *u);

/* How often feed_shared_tick() is to run: often enough that no lease is renewed late. */
unsigned feed_shared_tick_ms(const struct feed_shared *s);
/* The leases in hand renewed when due, whatever the workers are doing. */
void feed_shared_tick(struct feed_shared *s);

#endif
