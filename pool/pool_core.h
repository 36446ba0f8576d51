/* pool_core.h -- the pool's state and the core helpers (pool_core.c) that pool.c and the back ends share */
#ifndef CRAWLPOOL_POOL_CORE_H
#define CRAWLPOOL_POOL_CORE_H

#include "pool.h"

#include <stdatomic.h>

/*
 * The layers call downwards only:
 *   pool.c (the public API) -> thread_pool.c, process_pool.c (pool_backend.h)
 *                           -> pool_core.c (this header)
 * pool_core.c calls neither of the others, and no back end calls pool.c.
 */

/* How far a stop request has gone; it only ever rises. */
enum pool_stop_level {
	POOL_RUNNING = 0,
	POOL_STOPPING,		/* pool_stop(): take no more jobs */
	POOL_ABANDONING,	/* pool_abandon(): drop the jobs in flight too */
};

struct pool {
	enum pool_mode mode;
	unsigned workers;
	struct pool_callbacks cb;
	void *ctx;
	atomic_int stop_level;	/* an enum pool_stop_level; lock-free, so signal-safe */
	/*
	 * The stop level again, in a page shared with the worker processes
	 * (process and hybrid modes; NULL in the others): a job waits in a
	 * worker's channel, where the parent cannot take it back, so the worker
	 * itself looks here before it starts one, and a job under way through
	 * pool_stopping(). Not stop_level itself: a worker process must never
	 * see pool_abandoned() turn true.
	 */
	atomic_int *worker_stop_level;
	int wake[2];		/* self-pipe: stop requests and workers wake the parent */
	int input_fd;		/* what next_job() waits on, or -1 */
	unsigned worker_jobs;	/* jobs a loop worker holds at once */
	unsigned job_deadline_ms;	/* how long one job may run; 0 for no limit */
	unsigned spare_jobs;	/* jobs taken ahead per worker; 0 for the back end's default */
	pool_tick_cb *tick;		/* pool_set_tick(), or NULL */
	unsigned tick_ms;
	long long tick_due_ms;		/* when the next tick is due (pool_now_ms()) */
	char failure[160];	/* the first system call that failed, and why */
	bool ran;
};

/*
 * A loop worker's feed: each back end that runs loop workers embeds this
 * first in a feed of its own, and pool.c's pool_feed_*() call through it.
 */
struct pool_feed_ops {
	int (*take)(struct pool_feed *feed, struct pool_task **task, const void **job,
		    size_t *job_len);
	void (*give)(struct pool_feed *feed, struct pool_task *task, int rc, void *result,
		     size_t result_len);
	int (*fd)(const struct pool_feed *feed);
};

struct pool_feed {
	const struct pool_feed_ops *ops;
};

/* Whether the mode's workers run serve() (part 3 of pool.h) rather than work(). */
static inline bool pool_mode_loops(enum pool_mode mode)
{
	return mode == POOL_EVENTS || mode == POOL_HYBRID;
}

/* The monotonic clock, in milliseconds. */
long long pool_now_ms(void);

/* Starts the tick's clock: the first tick is due a period from now. */
void pool_tick_start(struct pool *pool);
/* Calls the tick if it is due; the back ends call it once a turn of their loop. */
void pool_tick_run(struct pool *pool);
/* How long the parent may sleep before the next tick is due: ms, or -1 with no tick. */
int pool_tick_timeout(const struct pool *pool);
/* The shorter of two poll() timeouts, -1 meaning none. */
static inline int pool_sooner(int a, int b)
{
	if (a < 0)
		return b;
	return b < 0 || a < b ? a : b;
}

/* Makes the self-pipe, and the shared stop level for the mode; returns 0 or POOL_ESYS. */
int pool_core_init(struct pool *pool, enum pool_mode mode);
/* Closes the self-pipe, unmaps the shared stop level. */
void pool_core_release(struct pool *pool);

/* Raises the stop level to at least `level` and wakes the parent; async-signal-safe. */
void pool_request_stop(struct pool *pool, enum pool_stop_level level);

static inline enum pool_stop_level pool_stop_level(const struct pool *pool)
{
	return (enum pool_stop_level)atomic_load(&((struct pool *)pool)->stop_level);
}

/* In a worker process: whether the pool was stopped, so that a job not yet started must not be. */
static inline bool pool_worker_stopped(const struct pool *pool)
{
	return atomic_load(pool->worker_stop_level) >= POOL_STOPPING;
}

/* Calls done() with one result. */
void pool_deliver(struct pool *pool, const void *job, size_t job_len,
		  enum pool_status status, const void *data, size_t len,
		  const char *error, unsigned worker, long worker_id);

/* Remembers what failed, with errno's text, unless a failure is already noted. */
void pool_note_failure(struct pool *pool, const char *what);

/* Makes the self-pipe readable; async-signal-safe. */
void pool_wake(struct pool *pool);
/* Empties the self-pipe after poll() said it is readable. */
void pool_wake_drain(struct pool *pool);

#endif
