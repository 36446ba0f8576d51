/* redis_frontier.h -- the frontier shared in Redis by many crawl instances: the verbs of frontier.h, leased */
#ifndef CRAWLPOOL_REDIS_FRONTIER_H
#define CRAWLPOOL_REDIS_FRONTIER_H

#include <stdbool.h>
#include <stddef.h>

#include "frontier.h"
#include "state.h"

/*
 * The same verbs as frontier.h, so a crawl drives either: add, next, robots,
 * done. Scope, filters and depth are still decided here, in this process,
 * by the memory frontier's own rules (frontier_admits()); Redis keeps what
 * the instances share: the URLs taken, the host queues, politeness, robots.txt
 * answers, leases and rows. Each URL handed out is leased to this instance
 * and renewed while it is in hand; if the instance dies, its leases expire
 * and the URLs go back to the front of their host's queue for another.
 *
 * Mechanism: sorted sets and Lua scripts (EVALSHA), not streams. A stream
 * with a consumer group hands entries out in arrival order to whoever reads
 * next; politeness needs "the next URL of a host that has a free slot and
 * whose delay has passed", a choice across many queues that only a script
 * can make atomically. One script (redis_scripts.c) does a whole round trip:
 * queue found links, record rows, renew, return expired leases, lease more.
 *
 * Key space, every key under the crawl's name (--crawl, "crawlpool"):
 *
 *   NAME:crawl         hash    what defines the crawl, and "version"
 *   NAME:stats         hash    started (ms), taken, queued, done, errors, expired
 *   NAME:url           hash    every URL taken, normalised -> "origin\ndepth\n
 *                              referrer\ngiven" ('' once its row is recorded):
 *                              the seen set and the done marks in one
 *   NAME:scope         set     the scope keys of every start URL
 *   NAME:q:ORIGIN      list    a host's queued URLs, oldest first
 *   NAME:host:ORIGIN   hash    out (leases now), due and start (ms), delay
 *                              (ms, raised by Crawl-delay), robots (0 to
 *                              fetch, 1 fetching, 2 known, 3 not obeyed);
 *                              last (member), prev_due, prev_start: the turn
 *                              a URL robots.txt forbids gives back
 *   NAME:ready         zset    origins that may be asked, scored by due time
 *   NAME:leased        zset    leased members, scored by lease deadline (ms);
 *                              a member is a URL, or "robots ORIGIN"
 *   NAME:owner         hash    leased member -> "INSTANCE ORIGIN"
 *   NAME:leases        hash    instance -> URLs it holds
 *   NAME:robots        hash    origin -> "STATUS\nBODY" of its robots.txt
 *   NAME:rows          list    each URL's row, once, in the order recorded;
 *                              each list line's that is no URL, once too
 *   NAME:lines         set     every list line that is no URL, as its row
 *                              shows it: its row recorded
 *   NAME:instances     hash    instance id -> "LEASE_MS HOSTNAME:PID"
 *   NAME:instance:next string  the last instance id given
 *   NAME:alive         zset    instance id, scored by its last call (ms)
 *
 * Times are Redis's own (TIME), never an instance's clock. One Redis server,
 * not a cluster: a script reaches keys it computes.
 *
 * Round trips: adds and acks are buffered and go out with the next lease
 * request, in one script call; a call leases up to lease_batch URLs. A row
 * recorded twice (its first holder died after fetching, before acking) is
 * kept once: the first wins. Errors from Redis leave the buffers as they
 * were, and every step is safe to send again, so the caller retries.
 */

enum redis_frontier_error {
	REDIS_FRONTIER_EDOWN = -10,	/* Redis unreachable or failing: retry after *wait_ms */
	REDIS_FRONTIER_EUSAGE = -11,	/* a bad URL, password or database (exit 2) */
	REDIS_FRONTIER_ECRAWL = -12,	/* the crawl in Redis is another's, or it vanished */
	/* FRONTIER_ENOMEM (-1) as in frontier.h */
};

/* The version of the key space this crawlpool writes. */
enum { REDIS_FRONTIER_VERSION = 2 };

struct redis_frontier_options {
	/*
	 * The crawl's rules (regexes borrowed). follow, max_depth, scope,
	 * include, exclude are decided in this process; per_host, delay_ms,
	 * robots, max_pages in Redis for all instances together.
	 */
	const struct frontier_options *rules;
	/*
	 * What else defines the crawl, stored with it (include and exclude
	 * patterns as text, for instance). follow, depth, scope, per_host,
	 * delay_ms, robots and max_pages are added from rules; an instance
	 * whose pairs differ from the stored ones is refused.
	 */
	const struct state_pair *identity;
	size_t n_identity;
	long lease_ms;		/* 0: 60 s */
	unsigned lease_batch;	/* URLs asked for per round trip, held here until handed
				   out (fewer idle workers elsewhere: keep it near the
				   transfers this instance runs); 0: 16 */
	long poll_ms;		/* how often an instance with nothing to do asks again; 0: 100 */
	long timeout_ms;	/* connecting and each reply; 0: 5 s */
};

struct redis_frontier;

/*
 * Connects to url (redis://... or redis+unix://...) and joins crawl (its
 * name: the prefix of every key; NULL for "crawlpool"), making it if new.
 * With o NULL, only looks (status and export; nothing is written). 0 with
 * *out set, or REDIS_FRONTIER_EUSAGE, REDIS_FRONTIER_ECRAWL,
 * REDIS_FRONTIER_EDOWN, FRONTIER_ENOMEM with err filled.
 */
int redis_frontier_open(const char *url, const char *crawl, const struct redis_frontier_options *o,
			struct redis_frontier **out, char *err, size_t errlen);
/*
 * Gives back the URLs in hand, sends what is buffered (one try), leaves the
 * crawl; after it only redis_frontier_round_trips() and _close() are for use.
 */
void redis_frontier_leave(struct redis_frontier *rf);
/* Leaves the crawl if that is not done yet, and frees rf. Accepts NULL. */
void redis_frontier_close(struct redis_frontier *rf);

/*
 * frontier_add(): the rules decide here (FRONTIER_OUT, FRONTIER_INVALID,
 * FRONTIER_ENOMEM); a URL they take is buffered and FRONTIER_ADDED returned
 * without knowing whether another instance took it already. A shared crawl
 * takes every URL once by its normal form, list lines too (several
 * instances may be given one list); a start URL is fetched and shown as given.
 */
int redis_frontier_add(struct redis_frontier *rf, const char *url, unsigned depth,
		       const char *referrer);
/*
 * A redirect's target (the redirects-th of its chain, frontier_add_redirect()),
 * sent now (with everything buffered), and Redis's answer: FRONTIER_SEEN too,
 * which a redirect's row needs. REDIS_FRONTIER_EDOWN leaves the URL
 * buffered, to be sent with the next round trip.
 */
int redis_frontier_add_wait(struct redis_frontier *rf, const char *url, unsigned depth,
			    unsigned redirects, const char *referrer);

/*
 * frontier_next(), plus REDIS_FRONTIER_EDOWN (try again after *wait_ms) and
 * REDIS_FRONTIER_ECRAWL. FRONTIER_WAIT also when other instances hold URLs
 * whose pages may bring more; FRONTIER_DONE only when nothing is queued or
 * leased in the whole crawl and nothing is buffered here. FRONTIER_IDLE is
 * never returned. *out stays valid until redis_frontier_done().
 */
int redis_frontier_next(struct redis_frontier *rf, long long now_ms, const struct frontier_url **out,
			long long *wait_ms);

/*
 * Whether a URL or a list line ever entered the crawl (from any instance),
 * as of the last round trip. Until one has, FRONTIER_DONE means only that
 * nobody brought any yet: an instance with none of its own may wait for them.
 */
bool redis_frontier_begun(const struct redis_frontier *rf);

/* frontier_robots(): parsed here, and the answer shared with every instance. */
void redis_frontier_robots(struct redis_frontier *rf, const struct frontier_url *u, long status,
			   const char *body, size_t len);

/*
 * frontier_done(), with the URL's row (bytes the crawl formats; none for a
 * robots.txt) and whether it is an error row. The row is recorded with the
 * next round trip; the first recorded for a URL is the one kept.
 * 0 or FRONTIER_ENOMEM (the row is then not buffered).
 */
int redis_frontier_done(struct redis_frontier *rf, const struct frontier_url *u, const char *row,
			size_t len, bool error, long long now_ms);
/*
 * The row of a list line that is no URL (line: the text its row shows),
 * which no URL of the crawl stands for: recorded with the next round trip,
 * once per line text however many instances read it. 0 or FRONTIER_ENOMEM.
 */
int redis_frontier_line(struct redis_frontier *rf, const char *line, const char *row, size_t len,
			bool error);

/*
 * This instance has added every URL and list line of its own (none, it may
 * be): with the next round trip, after them, the crawl counts as begun, so
 * that an instance waiting for the first URLs ends if there are none.
 * 0 or FRONTIER_ENOMEM.
 */
int redis_frontier_begin(struct redis_frontier *rf);

/*
 * The crawl's rule: whether it follows links (its rows have depth and
 * referrer). 1, 0 when there is no such crawl (*follow false), or an error.
 */
int redis_frontier_follows(struct redis_frontier *rf, bool *follow);

/*
 * Sends what is buffered now, and renews the leases in hand if a third of
 * the lease has passed, without asking for URLs. 0, REDIS_FRONTIER_EDOWN,
 * REDIS_FRONTIER_ECRAWL or FRONTIER_ENOMEM.
 */
int redis_frontier_flush(struct redis_frontier *rf, long long now_ms);

/*
 * Renewals ride on next and done; a crawl whose workers are all in long
 * fetches calls neither, so it calls this at least every
 * redis_frontier_renew_ms(): when a third of the lease has passed since the
 * last renewal, the leases in hand are renewed in one round trip (that
 * sends what is buffered too). 1 when it renewed, 0 when nothing was due
 * (no round trip), or REDIS_FRONTIER_EDOWN, REDIS_FRONTIER_ECRAWL,
 * FRONTIER_ENOMEM.
 */
int redis_frontier_renew(struct redis_frontier *rf, long long now_ms);
/* How often to call redis_frontier_renew(): a sixth of the lease, so a renewal is never late. */
long redis_frontier_renew_ms(const struct redis_frontier *rf);

/* Why the last call failed. */
const char *redis_frontier_error(const struct redis_frontier *rf);

/* What `crawlpool status` shows. */
struct redis_frontier_instance {
	long long id;
	char name[128];		/* "HOSTNAME:PID" */
	long long idle_ms;	/* since its last call; -1 when it left */
	long long lease_ms;
	long long leased;
	bool alive;		/* called within its lease time */
};

struct redis_frontier_status {
	bool exists;
	long long taken, queued, leased, done, errors, expired;
	long long elapsed_ms;	/* since the crawl was made */
	struct redis_frontier_instance *instances;
	size_t n_instances;
};

/* 0 or REDIS_FRONTIER_EDOWN / FRONTIER_ENOMEM. Free with redis_frontier_status_free(). */
int redis_frontier_status(struct redis_frontier *rf, struct redis_frontier_status *st);
void redis_frontier_status_free(struct redis_frontier_status *st);

/*
 * Removes every key of the crawl (what defines it first, so an instance still
 * at work stops), however large, and no key of another crawl; *dropped counts
 * the keys that were there. 0 or REDIS_FRONTIER_EDOWN. Whether an instance is
 * alive is the caller's to ask first (redis_frontier_status()).
 */
int redis_frontier_drop(struct redis_frontier *rf, long long *dropped);

/*
 * The names of the other crawls in the handle's database (each one's
 * definition, "NAME:crawl"), sorted and joined by ", " into list, "" for
 * none; a list longer than size ends in "...". 0, REDIS_FRONTIER_EDOWN or
 * FRONTIER_ENOMEM.
 */
int redis_frontier_crawls(struct redis_frontier *rf, char *list, size_t size);

/* Every row recorded, in order, to cb (0 to go on, -1 to stop). 0, -1 (cb stopped) or an error. */
typedef int (*redis_frontier_row_cb)(void *ctx, const char *row, size_t len);
int redis_frontier_export(struct redis_frontier *rf, redis_frontier_row_cb cb, void *ctx);

/* Round trips to Redis so far: every command sent (script calls, SCRIPT LOAD, login). */
unsigned long long redis_frontier_round_trips(const struct redis_frontier *rf);

#endif
