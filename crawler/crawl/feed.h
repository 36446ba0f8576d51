/* feed.h -- what a crawl hands out next: its sources' URLs, through the frontier, and the links its pages give */
#ifndef CRAWLPOOL_FEED_H
#define CRAWLPOOL_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "options.h"
#include "record.h"

/*
 * A plain list with no politeness goes straight from the sources to the
 * workers, as fast as it is read. Following links, --per-host, --delay or
 * robots.txt put every URL through the frontier, which decides the order.
 * With --frontier every URL goes through the frontier shared in Redis, and
 * every row is recorded there too.
 */
struct feed;

/*
 * Opens every source and readies the frontier (joining the shared crawl:
 * Redis unreachable is retried for a minute). NULL with err filled on
 * failure: a usage error, or with *runtime set one of the run (exit 1).
 */
struct feed *feed_open(const struct crawl_options *opts, bool *runtime, char *err, size_t errlen);
/*
 * A shared crawl leaves Redis now (the URLs in hand given back, the last
 * rows sent) and returns its round trips to Redis, all of them; 0 for any
 * other crawl. feed_close() does it too, for a caller with no use for the count.
 */
unsigned long long feed_leave(struct feed *f);
void feed_close(struct feed *f);

struct resume;

/*
 * --resume: before a line becomes a job or a row, one of the rows the
 * output already has for it (r, borrowed) is used up instead.
 */
void feed_resume(struct feed *f, struct resume *r);

struct state;

/*
 * --state: rebuilds the frontier from st (borrowed): a URL the output has a
 * row for (in the resume given to feed_resume(), if any) is seen, any other
 * is queued again with its depth and referrer; *queued says how many. From
 * then on every URL taken goes into st, and every row written is marked
 * there. 0, or -1 with err filled.
 */
int feed_keep_state(struct feed *f, struct state *st, size_t *queued, char *err, size_t errlen);

/* The list files' identities, so that the output cannot be one of them. */
const struct stat *feed_lists(const struct feed *f, size_t *n);

enum feed_verdict {
	FEED_END = 0,		/* nothing more will come */
	FEED_JOB = 1,		/* item->job is a job blob for the pool (the caller owns it) */
	FEED_ROW = 2,		/* a row to write with no fetch: item->url and item->rec */
	FEED_WAIT = 3,		/* nothing now: ask again after a result, or once feed_fd() is readable */
	FEED_ERROR = -1,	/* errno says why; feed_failure() what failed */
};

struct feed_item {
	void *job;
	size_t job_len;
	const char *url;		/* FEED_ROW: valid until the next feed_next() */
	struct crawl_record rec;	/* FEED_ROW: its error, depth and referrer */
	uint64_t token;			/* FEED_ROW: give it to feed_row_written() */
};

/* The next job or row. Returns a feed_verdict. */
int feed_next(struct feed *f, struct feed_item *item);
/* Readable when feed_next() may have something new after FEED_WAIT. */
int feed_fd(const struct feed *f);
/* After FEED_ERROR: "cannot read url list 'x'", or NULL. */
const char *feed_failure(const struct feed *f);

/* A FEED_ROW item's row (url, rec) is written. */
void feed_row_written(struct feed *f, uint64_t token, const char *url,
		      const struct crawl_record *rec);

/*
 * A job came back. For a page, fills in rec's depth and referrer and returns
 * true: its row is to be written, then feed_job_done() called. A redirect's
 * target joins the crawl as a URL of its own, or rec's error says why not
 * ("redirect out of scope", "redirect to a URL already taken"). A
 * robots.txt goes to the frontier and gets no row (returns false;
 * feed_job_done() all the same).
 */
bool feed_job_result(struct feed *f, uint64_t token, const char *url, struct crawl_record *rec);
/*
 * The job's row is written (rec NULL when it had none): its links join the
 * crawl. A shared crawl records the row (worker: its column) in Redis.
 */
void feed_job_done(struct feed *f, uint64_t token, const char *url, const struct crawl_record *rec,
		   long worker);
/*
 * A job a stop interrupted (it never ran, or was abandoned): no row, not
 * done. --state keeps it to fetch; a shared crawl gives it back for another
 * instance when it leaves Redis.
 */
void feed_job_dropped(struct feed *f, uint64_t token);

/*
 * How often feed_tick() is to run while the pool runs, in milliseconds; 0
 * when it has nothing to do (any crawl but a shared one).
 */
unsigned feed_tick_ms(const struct feed *f);
/*
 * A shared crawl's leases renewed when due, whatever the workers are doing:
 * with every one of them in a long fetch, nothing else would renew them,
 * and another instance would fetch those URLs too. Redis away is said as
 * feed_next() says it, and counts toward its patience.
 */
void feed_tick(struct feed *f);

/* URLs taken into the crawl whose rows are not written yet (queued or in flight), for the progress line. */
size_t feed_queued(const struct feed *f);
/* Of those, the URLs never handed out: what a stopped followed crawl leaves behind. */
size_t feed_waiting(const struct feed *f);

#endif
