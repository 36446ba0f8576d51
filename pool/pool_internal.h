/* pool_internal.h -- state shared by the pool front end and its back ends */
#ifndef CRAWLPOOL_POOL_INTERNAL_H
#define CRAWLPOOL_POOL_INTERNAL_H

#include "pool.h"

#include <stdatomic.h>

struct pool {
	enum pool_mode mode;
	unsigned workers;
	struct pool_callbacks cb;
	void *ctx;
	atomic_int stops;	/* pool_stop() calls so far; lock-free, so signal-safe */
	int wake[2];		/* self-pipe: pool_stop() and workers wake the parent */
	int input_fd;		/* what next_job() waits on, or -1 */
	unsigned worker_jobs;	/* jobs an event worker holds at once */
	char failure[160];	/* the first system call that failed, and why */
	bool ran;
};

int thread_pool_run(struct pool *pool);
int process_pool_run(struct pool *pool);

/* Calls done() with one result. */
void pool_deliver(struct pool *pool, const void *job, size_t job_len,
		  enum pool_status status, const void *data, size_t len,
		  const char *error, unsigned worker, long worker_id);

/* Remembers what failed, with errno's text, unless a failure is already noted. */
void pool_note_failure(struct pool *pool, const char *what);

/* Empties the self-pipe after poll() said it is readable. */
void pool_wake_drain(struct pool *pool);
/* Makes the self-pipe readable; async-signal-safe. */
void pool_wake(struct pool *pool);

static inline int pool_stops(struct pool *pool)
{
	return atomic_load(&pool->stops);
}

#endif
