/* pool_core.c -- what pool.c and both back ends share: stop requests, the self-pipe, delivery, failure notes, the tick */
#include "pool_core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Lock-free, an atomic works across processes as within one: the shared page needs no lock. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop level must be lock-free");

int pool_core_init(struct pool *pool, enum pool_mode mode)
{
	atomic_init(&pool->stop_level, POOL_RUNNING);
	pool->worker_stop_level = NULL;
	/* mapped here, before any fork: every worker, a replacement too, inherits the one page */
	if (mode == POOL_PROCESSES || mode == POOL_HYBRID) {
		void *page = mmap(NULL, sizeof(atomic_int), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (page == MAP_FAILED)
			return POOL_ESYS;
		pool->worker_stop_level = page;
		atomic_init(pool->worker_stop_level, POOL_RUNNING);
	}
	if (pipe2(pool->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		if (pool->worker_stop_level)
			munmap(pool->worker_stop_level, sizeof(atomic_int));
		return POOL_ESYS;
	}
	return 0;
}

void pool_core_release(struct pool *pool)
{
	close(pool->wake[0]);
	close(pool->wake[1]);
	if (pool->worker_stop_level)
		munmap(pool->worker_stop_level, sizeof(atomic_int));
}

/* Raises *level_of to at least `level`; only upwards: a stop after an abandon must not undo it. */
static void raise_level(atomic_int *level_of, enum pool_stop_level level)
{
	int now = atomic_load(level_of);

	while (now < (int)level && !atomic_compare_exchange_weak(level_of, &now, (int)level))
		;
}

void pool_request_stop(struct pool *pool, enum pool_stop_level level)
{
	int saved = errno;

	if (pool->worker_stop_level)
		raise_level(pool->worker_stop_level, level);
	raise_level(&pool->stop_level, level);
	pool_wake(pool);
	errno = saved;
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

	/* a short read emptied the pipe: asking again would only say EAGAIN */
	while (read(pool->wake[0], sink, sizeof(sink)) == (ssize_t)sizeof(sink))
		;
}

long long pool_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pool_tick_start(struct pool *pool)
{
	if (pool->tick)
		pool->tick_due_ms = pool_now_ms() + pool->tick_ms;
}

void pool_tick_run(struct pool *pool)
{
	if (!pool->tick || pool_now_ms() < pool->tick_due_ms)
		return;
	pool->tick(pool->ctx);
	/* from the end of this one: a slow tick is not called back to back */
	pool->tick_due_ms = pool_now_ms() + pool->tick_ms;
}

int pool_tick_timeout(const struct pool *pool)
{
	long long left;

	if (!pool->tick)
		return -1;
	left = pool->tick_due_ms - pool_now_ms();
	if (left < 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}
