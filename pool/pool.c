/* pool.c -- the pool's public API: argument checks, lifecycle, stop requests, dispatch */
#include "pool_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pool *pool_new(enum pool_mode mode, unsigned workers,
		      const struct pool_callbacks *cb, void *ctx, int *err)
{
	struct pool *pool;
	int rc = POOL_EINVAL;

	if (mode != POOL_THREADS && mode != POOL_PROCESSES && mode != POOL_EVENTS)
		goto out_err;
	if (workers < 1 || workers > POOL_MAX_WORKERS)
		goto out_err;
	if (!cb || !cb->next_job || !cb->done)
		goto out_err;
	if (mode == POOL_EVENTS ? !cb->serve : !cb->work)
		goto out_err;

	rc = POOL_ENOMEM;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		goto out_err;
	rc = POOL_ESYS;
	if (pipe2(pool->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		goto out_free_pool;

	pool->mode = mode;
	pool->workers = workers;
	pool->cb = *cb;
	pool->ctx = ctx;
	pool->input_fd = -1;
	pool->worker_jobs = 1;
	atomic_init(&pool->stops, 0);
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
	if (pool->mode == POOL_PROCESSES)
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

void pool_stop(struct pool *pool)
{
	int saved = errno;
	int stops = atomic_load(&pool->stops);

	/* Two requests mean something; more change nothing and must not wrap. */
	while (stops < 2 && !atomic_compare_exchange_weak(&pool->stops, &stops, stops + 1))
		;
	pool_wake(pool);
	errno = saved;
}

bool pool_abandoned(const struct pool *pool)
{
	return atomic_load(&((struct pool *)pool)->stops) >= 2;
}

void pool_free(struct pool *pool)
{
	if (!pool)
		return;
	close(pool->wake[0]);
	close(pool->wake[1]);
	free(pool);
}

void pool_deliver(struct pool *pool, const void *job, size_t job_len,
		  enum pool_status status, const void *data, size_t len,
		  const char *error, unsigned worker, long worker_id)
{
	struct pool_result result = {
		.job = job,
		.job_len = job_len,
		.data = status == POOL_JOB_DONE ? data : NULL,
		.len = status == POOL_JOB_DONE ? len : 0,
		.status = status,
		.error = error,
		.worker = worker,
		.worker_id = worker_id,
	};

	pool->cb.done(pool->ctx, &result);
}

void pool_note_failure(struct pool *pool, const char *what)
{
	if (!pool->failure[0])
		snprintf(pool->failure, sizeof(pool->failure), "%s: %s", what, strerror(errno));
}

const char *pool_failure(const struct pool *pool)
{
	return pool && pool->failure[0] ? pool->failure : NULL;
}

void pool_wake(struct pool *pool)
{
	char byte = 1;

	/* A full pipe is already readable, so EAGAIN is as good as success. */
	if (write(pool->wake[1], &byte, 1) < 0)
		return;
}

void pool_wake_drain(struct pool *pool)
{
	char sink[64];

	while (read(pool->wake[0], sink, sizeof(sink)) > 0)
		;
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
		return "worker initialisation failed";
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
	return POOL_EINVAL;
}
