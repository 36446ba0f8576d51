/* pool.c -- the pool's public API: argument checks, lifecycle, stop requests, dispatch to a back end */
#include "pool_backend.h"
#include "pool_core.h"

#include <stdlib.h>
#include <string.h>

struct pool *pool_new(enum pool_mode mode, unsigned workers,
		      const struct pool_callbacks *cb, void *ctx, int *err)
{
	struct pool *pool;
	int rc = POOL_EINVAL;

	if (mode != POOL_THREADS && mode != POOL_PROCESSES && mode != POOL_EVENTS &&
	    mode != POOL_HYBRID)
		goto out_err;
	if (workers < 1 || workers > POOL_MAX_WORKERS)
		goto out_err;
	if (!cb || !cb->next_job || !cb->done)
		goto out_err;
	if (pool_mode_loops(mode) ? !cb->serve : !cb->work)
		goto out_err;

	rc = POOL_ENOMEM;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		goto out_err;
	rc = pool_core_init(pool, mode);
	if (rc < 0)
		goto out_free_pool;

	pool->mode = mode;
	pool->workers = workers;
	pool->cb = *cb;
	pool->ctx = ctx;
	pool->input_fd = -1;
	pool->worker_jobs = 1;
	pool->job_deadline_ms = 0;
	return pool;

out_free_pool:
	free(pool);
out_err:
	if (err)
		*err = rc;
	return NULL;
}

int pool_run(struct pool *pool)
{
	if (!pool || pool->ran)
		return POOL_EINVAL;
	pool->ran = true;
	pool_tick_start(pool);
	if (pool->mode == POOL_PROCESSES || pool->mode == POOL_HYBRID)
		return process_pool_run(pool);
	return thread_pool_run(pool);
}

void pool_watch_fd(struct pool *pool, int fd)
{
	pool->input_fd = fd;
}

int pool_set_worker_jobs(struct pool *pool, unsigned jobs)
{
	if (!pool || jobs < 1 || jobs > POOL_MAX_WORKER_JOBS || pool->ran)
		return POOL_EINVAL;
	pool->worker_jobs = jobs;
	return 0;
}

int pool_set_spare_jobs(struct pool *pool, unsigned jobs)
{
	if (!pool || jobs > POOL_MAX_WORKER_JOBS || pool->ran)
		return POOL_EINVAL;
	pool->spare_jobs = jobs;
	return 0;
}

int pool_set_job_deadline(struct pool *pool, unsigned ms)
{
	if (!pool || pool->ran)
		return POOL_EINVAL;
	pool->job_deadline_ms = ms;
	return 0;
}

int pool_set_tick(struct pool *pool, unsigned ms, pool_tick_cb *tick)
{
	if (!pool || pool->ran)
		return POOL_EINVAL;
	pool->tick = ms > 0 ? tick : NULL;
	pool->tick_ms = ms;
	return 0;
}

int pool_feed_take(struct pool_feed *feed, struct pool_task **task,
		   const void **job, size_t *job_len)
{
	return feed->ops->take(feed, task, job, job_len);
}

void pool_feed_give(struct pool_feed *feed, struct pool_task *task, int rc,
		    void *result, size_t result_len)
{
	feed->ops->give(feed, task, rc, result, result_len);
}

int pool_feed_fd(const struct pool_feed *feed)
{
	return feed->ops->fd(feed);
}

void pool_stop(struct pool *pool)
{
	pool_request_stop(pool, POOL_STOPPING);
}

void pool_abandon(struct pool *pool)
{
	pool_request_stop(pool, POOL_ABANDONING);
}

bool pool_abandoned(const struct pool *pool)
{
	return pool_stop_level(pool) >= POOL_ABANDONING;
}

bool pool_stopping(const struct pool *pool)
{
	/* a worker process's own copy of stop_level never moves: only the shared page does */
	if (pool->worker_stop_level)
		return pool_worker_stopped(pool);
	return pool_stop_level(pool) >= POOL_STOPPING;
}

void pool_free(struct pool *pool)
{
	if (!pool)
		return;
	pool_core_release(pool);
	free(pool);
}

const char *pool_failure(const struct pool *pool)
{
	return pool && pool->failure[0] ? pool->failure : NULL;
}

const char *pool_strerror(int err)
{
	switch (err) {
	case POOL_OK:
		return "success";
	case POOL_EINVAL:
		return "invalid argument";
	case POOL_ENOMEM:
		return "out of memory";
	case POOL_ESYS:
		return "system call failed";
	case POOL_EINIT:
		return "a worker could not go on";
	case POOL_ENEXT:
		return "job source failed";
	case POOL_ESTOPPED:
		return "stopped";
	}
	return "unknown error";
}

const char *pool_mode_name(enum pool_mode mode)
{
	switch (mode) {
	case POOL_PROCESSES:
		return "process";
	case POOL_EVENTS:
		return "event";
	case POOL_HYBRID:
		return "hybrid";
	default:
		return "thread";
	}
}

int pool_mode_parse(const char *name, enum pool_mode *mode)
{
	if (!strcmp(name, "thread") || !strcmp(name, "threads")) {
		*mode = POOL_THREADS;
		return 0;
	}
	if (!strcmp(name, "process") || !strcmp(name, "processes")) {
		*mode = POOL_PROCESSES;
		return 0;
	}
	if (!strcmp(name, "event") || !strcmp(name, "events")) {
		*mode = POOL_EVENTS;
		return 0;
	}
	if (!strcmp(name, "hybrid")) {
		*mode = POOL_HYBRID;
		return 0;
	}
	return POOL_EINVAL;
}
