/* feed_shared.c -- the feed's side of a crawl shared in Redis: joining it, the frontier's verbs, Redis's faults met */
#include "feed_shared.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redis_frontier.h"
#include "shared_row.h"
#include "state.h"

/*
 * How long a shared crawl waits for Redis, at the start or mid-crawl, before
 * it gives up (exit 1, the rows fetched so far written).
 */
enum { FEED_REDIS_PATIENCE_MS = 60000 };
/* How often an instance that joined before any URL existed asks again: each ask is a round trip. */
enum { FEED_AWAIT_URLS_MS = 500 };

struct feed_shared {
	struct redis_frontier *rf;
	long long down_since;		/* when Redis stopped answering, or 0 */
	const char *crawl_name;
	bool joiner;			/* no URL or list of its own */
	bool said_waiting;		/* that it waits for URLs, on stderr */
};

static long long feed_shared_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms; false when a signal (Ctrl-C) cut the sleep short. */
static bool feed_shared_sleep_ms(long long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	return nanosleep(&ts, NULL) == 0;
}

/*
 * redis_frontier_open() until Redis answers: retried with a backoff for
 * FEED_REDIS_PATIENCE_MS. 0, or an error of redis_frontier_open() with err
 * filled.
 */
static int feed_shared_open(struct feed_shared *s, const struct crawl_options *o,
			    const struct redis_frontier_options *ro, char *err, size_t errlen)
{
	long long started = feed_shared_now_ms(), backoff_ms = 100;
	int rc;

	for (;;) {
		rc = redis_frontier_open(o->frontier, o->crawl_name, ro, &s->rf, err, errlen);
		if (rc != REDIS_FRONTIER_EDOWN)
			return rc;
		/* a Ctrl-C during a call waiting for an answer cut no sleep short */
		if (o->interrupted && *o->interrupted)
			break;
		if (feed_shared_now_ms() - started >= FEED_REDIS_PATIENCE_MS) {
			size_t len = strlen(err);

			snprintf(err + len, errlen - len, "; gave up after %d s",
				 FEED_REDIS_PATIENCE_MS / 1000);
			return rc;
		}
		if (backoff_ms == 100)
			fprintf(stderr, "crawlpool: %s; retrying for up to %d s\n", err,
				FEED_REDIS_PATIENCE_MS / 1000);
		/* one that came just before the sleep began did not cut it short either */
		if (!feed_shared_sleep_ms(backoff_ms) || (o->interrupted && *o->interrupted))
			break;
		backoff_ms = backoff_ms * 2 < 2000 ? backoff_ms * 2 : 2000;
	}
	snprintf(err, errlen, "interrupted while waiting for redis");
	return rc;
}

/*
 * What defines the crawl beyond the rules the module stores itself (as
 * --state's identity, less the start URLs: an instance may join with none).
 */
struct feed_shared *feed_shared_join(const struct crawl_options *o,
				     const struct frontier_options *fo, bool *runtime, char *err,
				     size_t errlen)
{
	struct feed_shared *s = calloc(1, sizeof(*s));
	char *include = options_join(o->include, o->n_include);
	char *exclude = options_join(o->exclude, o->n_exclude);
	struct state_pair id[] = {
		{ "include", include },
		{ "exclude", exclude },
		{ "nofollow", o->ignore_nofollow ? "ignored" : "obeyed" },
	};
	struct redis_frontier_options ro = {
		.rules = fo,
		.identity = id,
		.n_identity = sizeof(id) / sizeof(id[0]),
		.lease_ms = o->lease_ms,
		/* a quarter of the transfers a round trip: leases never wait long in hand */
		.lease_batch = o->workers >= 4 ? o->workers / 4 : 1,
	};
	int rc;

	if (!s || !include || !exclude) {
		snprintf(err, errlen, "out of memory");
		*runtime = true;
		goto fail;
	}
	s->crawl_name = o->crawl_name ? o->crawl_name : "crawlpool";
	s->joiner = o->n_inputs == 0;
	rc = feed_shared_open(s, o, &ro, err, errlen);
	/* a bad address or password, or another crawl's name: the user's to fix */
	*runtime = rc == REDIS_FRONTIER_EDOWN || rc == FRONTIER_ENOMEM;
	if (rc < 0)
		goto fail;
	free(include);
	free(exclude);
	return s;

fail:
	free(include);
	free(exclude);
	free(s);
	return NULL;
}

unsigned long long feed_shared_leave(struct feed_shared *s)
{
	redis_frontier_leave(s->rf);
	return redis_frontier_round_trips(s->rf);
}

void feed_shared_close(struct feed_shared *s)
{
	if (!s)
		return;
	/* URLs leased and not fetched go back to the shared queue now */
	redis_frontier_close(s->rf);
	free(s);
}

int feed_shared_add(struct feed_shared *s, const char *url, unsigned depth, const char *referrer)
{
	return redis_frontier_add(s->rf, url, depth, referrer);
}

int feed_shared_redirect(struct feed_shared *s, const char *target, unsigned depth,
			 unsigned redirects, const char *referrer)
{
	int rc = redis_frontier_add_wait(s->rf, target, depth, redirects, referrer);

	return rc == REDIS_FRONTIER_EDOWN || rc == REDIS_FRONTIER_ECRAWL ? FRONTIER_ADDED : rc;
}

/*
 * Redis did not answer: the first miss of an outage starts its clock and is
 * said once. True once it has been away FEED_REDIS_PATIENCE_MS.
 */
static bool feed_shared_missed(struct feed_shared *s, long long now)
{
	if (!s->down_since) {
		s->down_since = now;
		fprintf(stderr, "crawlpool: %s; retrying for up to %d s\n",
			redis_frontier_error(s->rf), FEED_REDIS_PATIENCE_MS / 1000);
		return false;
	}
	return now - s->down_since >= FEED_REDIS_PATIENCE_MS;
}

/* Redis answered: an outage, if any, is over. */
static void feed_shared_answered(struct feed_shared *s)
{
	if (s->down_since) {
		fprintf(stderr, "crawlpool: redis answers again\n");
		s->down_since = 0;
	}
}

/*
 * A joiner that came before any URL did (several instances started at once)
 * would find nothing to do and end: it waits for another to bring some.
 */
static int feed_shared_await_urls(struct feed_shared *s, long long *wait_ms)
{
	if (!s->said_waiting) {
		char others[512];

		fprintf(stderr, "crawlpool: crawl '%s' has no URLs yet: waiting for an instance to "
			"add some (Ctrl-C to stop)\n", s->crawl_name);
		/* a name mistyped, or left out, waits for ever */
		if (redis_frontier_crawls(s->rf, others, sizeof(others)) == 0 && others[0])
			fprintf(stderr, "crawlpool: other crawls there: %s (--crawl NAME names one)\n",
				others);
		s->said_waiting = true;
	}
	*wait_ms = FEED_AWAIT_URLS_MS;
	return FRONTIER_WAIT;
}

int feed_shared_next(struct feed_shared *s, const struct frontier_url **u, long long *wait_ms,
		     char *failure, size_t size)
{
	long long now = feed_shared_now_ms();
	int verdict = redis_frontier_next(s->rf, now, u, wait_ms);

	if (verdict == REDIS_FRONTIER_EDOWN) {
		if (feed_shared_missed(s, now)) {
			snprintf(failure, size, "%s; gave up after %d s", redis_frontier_error(s->rf),
				 FEED_REDIS_PATIENCE_MS / 1000);
			errno = 0;
			return FRONTIER_ENOMEM;
		}
		if (*wait_ms <= 0)
			*wait_ms = 100;
		return FRONTIER_WAIT;
	}
	if (verdict < 0 && verdict != FRONTIER_ENOMEM) {
		snprintf(failure, size, "%s", redis_frontier_error(s->rf));
		errno = 0;
		return FRONTIER_ENOMEM;
	}
	if (verdict >= 0)
		feed_shared_answered(s);
	if (verdict == FRONTIER_DONE && s->joiner && !redis_frontier_begun(s->rf))
		return feed_shared_await_urls(s, wait_ms);
	return verdict;
}

bool feed_shared_down(const struct feed_shared *s)
{
	return s->down_since != 0;
}

void feed_shared_robots(struct feed_shared *s, const struct frontier_url *u, long status,
			const char *body, size_t len)
{
	redis_frontier_robots(s->rf, u, status, body, len);
}

/* A row that cannot be encoded is not acked: its URL goes back to the queue at the end. */
void feed_shared_row(struct feed_shared *s, const struct frontier_url *u, const char *url,
		     const struct crawl_record *rec, long worker)
{
	void *row;
	size_t len;

	if (shared_row_encode(url, rec, worker, &row, &len) != RECORD_OK)
		return;
	redis_frontier_done(s->rf, u, row, len, rec->error != NULL, feed_shared_now_ms());
	free(row);
}

void feed_shared_sources_done(struct feed_shared *s)
{
	/* a joiner brought nothing: only an instance with URLs of its own may say they are all in */
	if (!s->joiner)
		redis_frontier_begin(s->rf);
}

/* A list line that is no URL: its row goes to Redis too, so that the export has every line. */
void feed_shared_line_row(struct feed_shared *s, const char *line, const struct crawl_record *rec)
{
	void *row;
	size_t len;

	if (shared_row_encode(line, rec, -1, &row, &len) != RECORD_OK)
		return;
	redis_frontier_line(s->rf, line, row, len, rec->error != NULL);
	free(row);
}

void feed_shared_done(struct feed_shared *s, const struct frontier_url *u)
{
	redis_frontier_done(s->rf, u, NULL, 0, false, feed_shared_now_ms());
}

unsigned feed_shared_tick_ms(const struct feed_shared *s)
{
	return (unsigned)redis_frontier_renew_ms(s->rf);
}

void feed_shared_tick(struct feed_shared *s)
{
	long long now = feed_shared_now_ms();
	int rc = redis_frontier_renew(s->rf, now);

	/* patience runs out in feed_shared_next(): a tick cannot end the crawl */
	if (rc == REDIS_FRONTIER_EDOWN)
		feed_shared_missed(s, now);
	else if (rc > 0)
		feed_shared_answered(s);
	/* the crawl gone from Redis, or no memory: the next round trip of next meets them */
}
