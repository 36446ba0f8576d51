/* thread_pool.c -- the pthread back end: a bounded job queue in, a result queue out */
#include "pool_internal.h"
#include "queue.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

/*
 * Jobs taken from next_job() but not yet delivered, per worker: enough that a
 * worker finishing a job finds the next one waiting, and that the parent can
 * deliver and refill in batches instead of waking for every job.
 */
enum { JOBS_PER_WORKER = 4 };

struct tjob {
	void *job;
	size_t job_len;
	void *result;
	size_t result_len;
	int rc;
	unsigned worker;
	bool reported;		/* already delivered as interrupted */
	bool exited;		/* its worker thread exited during work() */
};

struct worker {
	struct thread_pool *tp;
	unsigned index;
	pthread_t thread;
	bool started;
	void *state;		/* what worker_init made */
	struct tjob *job;	/* the job it runs, or NULL */
	bool exited;		/* left in the middle of a job: join and replace it */
};

struct thread_pool {
	struct pool *pool;
	pthread_mutex_t lock;
	pthread_cond_t job_ready;
	struct queue pending;	/* jobs waiting for a worker */
	struct queue finished;	/* jobs waiting for the parent */
	struct worker *workers;
	bool closing;		/* no more jobs: workers leave once pending is empty */
	bool parent_asleep;	/* the parent waits on the self-pipe */
	size_t low_water;	/* wake the parent when this few jobs remain queued */
	unsigned idle;		/* workers waiting for a job */
	bool init_failed;
	bool worker_exited;	/* some worker has exited mid-job */
};

static void tjob_free(struct tjob *tj)
{
	free(tj->job);
	free(tj->result);
	free(tj);
}

/* Says whether to wake a sleeping parent; called with the lock held. */
static bool wake_parent_locked(struct thread_pool *tp)
{
	bool wake = tp->parent_asleep;

	tp->parent_asleep = false;
	return wake;
}

/*
 * After a job: results are left to pile up, and the parent woken only when
 * the queue runs low, so it delivers and refills many jobs per wake-up.
 */
static bool job_finished_locked(struct thread_pool *tp, struct tjob *tj)
{
	queue_push(&tp->finished, tj);
	if (tp->pending.count > tp->low_water)
		return false;
	return wake_parent_locked(tp);
}

/*
 * Runs if work() ends its thread (pthread_exit): the job is reported as
 * failed, the worker's state is finalised as if it had ended normally, and
 * the parent starts a replacement.
 */
static void worker_exited(void *arg)
{
	struct worker *w = arg;
	struct thread_pool *tp = w->tp;
	bool wake;

	pthread_mutex_lock(&tp->lock);
	w->job->exited = true;
	queue_push(&tp->finished, w->job);
	w->job = NULL;
	w->exited = true;
	tp->worker_exited = true;
	wake = wake_parent_locked(tp);
	pthread_mutex_unlock(&tp->lock);
	if (tp->pool->cb.worker_fini)
		tp->pool->cb.worker_fini(tp->pool->ctx, w->state);
	if (wake)
		pool_wake(tp->pool);
}

static void run_one(struct worker *w, struct tjob *tj)
{
	struct pool *pool = w->tp->pool;

	pthread_cleanup_push(worker_exited, w);
	tj->rc = pool->cb.work(pool->ctx, w->state, tj->job, tj->job_len,
			       &tj->result, &tj->result_len);
	pthread_cleanup_pop(0);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct thread_pool *tp = w->tp;
	struct pool *pool = tp->pool;

	if (pool->cb.worker_init && pool->cb.worker_init(pool->ctx, w->index, &w->state) != 0) {
		bool wake;

		pthread_mutex_lock(&tp->lock);
		tp->init_failed = true;
		wake = wake_parent_locked(tp);
		pthread_mutex_unlock(&tp->lock);
		if (wake)
			pool_wake(pool);
		return NULL;
	}

	for (;;) {
		struct tjob *tj;
		bool wake;

		pthread_mutex_lock(&tp->lock);
		while (queue_empty(&tp->pending) && !tp->closing) {
			tp->idle++;
			pthread_cond_wait(&tp->job_ready, &tp->lock);
			tp->idle--;
		}
		tj = queue_pop(&tp->pending);
		if (tj)
			tj->worker = w->index;
		w->job = tj;
		pthread_mutex_unlock(&tp->lock);
		if (!tj)
			break;

		run_one(w, tj);

		pthread_mutex_lock(&tp->lock);
		w->job = NULL;
		wake = job_finished_locked(tp, tj);
		pthread_mutex_unlock(&tp->lock);
		if (wake)
			pool_wake(pool);
	}

	if (pool->cb.worker_fini)
		pool->cb.worker_fini(pool->ctx, w->state);
	return NULL;
}

static int start_worker(struct thread_pool *tp, unsigned index)
{
	struct worker *w = &tp->workers[index];

	*w = (struct worker){ .tp = tp, .index = index };
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return POOL_ESYS;
	w->started = true;
	return 0;
}

/* Joins workers that exited mid-job and starts their replacements. */
static int replace_exited(struct thread_pool *tp)
{
	int rc = 0;

	pthread_mutex_lock(&tp->lock);
	if (!tp->worker_exited) {
		pthread_mutex_unlock(&tp->lock);
		return 0;
	}
	tp->worker_exited = false;
	pthread_mutex_unlock(&tp->lock);

	for (unsigned i = 0; i < tp->pool->workers; i++) {
		struct worker *w = &tp->workers[i];
		bool exited;

		pthread_mutex_lock(&tp->lock);
		exited = w->exited;
		pthread_mutex_unlock(&tp->lock);
		if (!exited)
			continue;
		pthread_join(w->thread, NULL);
		w->started = false;
		if (start_worker(tp, i) < 0)
			rc = POOL_ESYS;
	}
	return rc;
}

static void deliver(struct thread_pool *tp, struct tjob *tj)
{
	struct pool *pool = tp->pool;

	if (tj->reported)
		return;
	if (tj->exited)
		pool_deliver(pool, tj->job, tj->job_len, POOL_JOB_FAILED, NULL, 0,
			     "worker thread exited", tj->worker, tj->worker);
	else if (tj->rc != 0)
		pool_deliver(pool, tj->job, tj->job_len, POOL_JOB_FAILED, NULL, 0,
			     "job failed", tj->worker, tj->worker);
	else if (tj->result_len > POOL_MAX_BLOB)
		pool_deliver(pool, tj->job, tj->job_len, POOL_JOB_FAILED, NULL, 0,
			     "result too large", tj->worker, tj->worker);
	else
		pool_deliver(pool, tj->job, tj->job_len, POOL_JOB_DONE,
			     tj->result, tj->result_len, NULL, tj->worker, tj->worker);
}

static void interrupt(struct thread_pool *tp, struct tjob *tj, const char *why)
{
	pool_deliver(tp->pool, tj->job, tj->job_len, POOL_JOB_INTERRUPTED, NULL, 0,
		     why, tj->worker, tj->worker);
	tj->reported = true;
}

/*
 * A stop request: queued jobs never started are reported at once; on the
 * second request, running jobs are reported too and their results, when they
 * come, are dropped. Returns how many jobs left the books.
 */
static size_t cancel_jobs(struct thread_pool *tp, bool abandon)
{
	/* At most the queue and one running job per worker. */
	struct tjob *cancelled[(JOBS_PER_WORKER + 1) * POOL_MAX_WORKERS];
	size_t n = 0, settled;

	pthread_mutex_lock(&tp->lock);
	while (!queue_empty(&tp->pending))
		cancelled[n++] = queue_pop(&tp->pending);
	settled = n;
	if (abandon) {
		for (unsigned i = 0; i < tp->pool->workers; i++) {
			struct tjob *tj = tp->workers[i].job;

			if (tj && !tj->reported)
				cancelled[n++] = tj;
		}
	}
	pthread_mutex_unlock(&tp->lock);

	/* Running jobs still belong to their workers; only the report happens now. */
	for (size_t i = 0; i < n; i++) {
		interrupt(tp, cancelled[i], i < settled ? "interrupted before it started" : "interrupted");
		if (i < settled)
			tjob_free(cancelled[i]);
	}
	return settled;
}

/*
 * Takes up to `room` jobs from next_job() and returns how many. When the
 * source runs dry or fails, *exhausted is set, and *err on failure; when it
 * has nothing yet, *waiting.
 */
static size_t take_jobs(struct thread_pool *tp, struct tjob **batch, size_t room,
			bool *exhausted, bool *waiting, int *err)
{
	struct pool *pool = tp->pool;
	size_t n = 0;

	while (n < room) {
		struct tjob *tj = calloc(1, sizeof(*tj));
		int rc;

		if (!tj) {
			*exhausted = true;
			*err = POOL_ENOMEM;
			break;
		}
		rc = pool->cb.next_job(pool->ctx, &tj->job, &tj->job_len);
		if (rc == POOL_NEXT_WAIT) {
			free(tj);
			*waiting = true;
			break;
		}
		if (rc <= 0) {
			free(tj);
			*exhausted = true;
			if (rc < 0)
				*err = POOL_ENEXT;
			break;
		}
		batch[n++] = tj;
	}
	return n;
}

/* Sleeps until a worker or a stop request writes the self-pipe, or new input. */
static int wait_for_wake(struct pool *pool, bool input)
{
	struct pollfd pfd[2] = {
		{ .fd = pool->wake[0], .events = POLLIN },
		{ .fd = input ? pool->input_fd : -1, .events = POLLIN },
	};

	if (poll(pfd, 2, -1) < 0 && errno != EINTR)
		return POOL_ESYS;
	pool_wake_drain(pool);
	return 0;
}

/* The parent's loop: keep the queue topped up, deliver what comes back. */
static int run_jobs(struct thread_pool *tp)
{
	struct pool *pool = tp->pool;
	size_t limit = (size_t)pool->workers * JOBS_PER_WORKER;
	struct tjob **batch = calloc(limit, sizeof(*batch));
	size_t outstanding = 0;
	bool exhausted = false, waiting = false;
	int handled_stops = 0, rc = 0;

	if (!batch)
		return POOL_ENOMEM;

	for (;;) {
		int stops = pool_stops(pool);
		size_t taken = 0, done = 0;

		if (stops > handled_stops) {
			outstanding -= cancel_jobs(tp, stops >= 2);
			handled_stops = stops;
			exhausted = true;
		}
		waiting = false;
		if (!exhausted && outstanding < limit)
			taken = take_jobs(tp, batch, limit - outstanding, &exhausted, &waiting, &rc);

		if (!rc)
			rc = replace_exited(tp);

		pthread_mutex_lock(&tp->lock);
		for (size_t i = 0; i < taken; i++)
			queue_push(&tp->pending, batch[i]);
		if (taken > 1 && tp->idle > 1)
			pthread_cond_broadcast(&tp->job_ready);
		else if (taken > 0 && tp->idle > 0)
			pthread_cond_signal(&tp->job_ready);
		while (!queue_empty(&tp->finished))
			batch[done++] = queue_pop(&tp->finished);
		if (tp->init_failed)
			rc = POOL_EINIT;
		if (done == 0)
			tp->parent_asleep = true;
		pthread_mutex_unlock(&tp->lock);
		outstanding += taken;

		for (size_t i = 0; i < done; i++) {
			deliver(tp, batch[i]);
			tjob_free(batch[i]);
		}
		outstanding -= done;

		if (rc)
			exhausted = true;
		if (rc == POOL_EINIT)
			break;
		if (outstanding == 0 && exhausted)
			break;
		if (done == 0 && wait_for_wake(pool, waiting) < 0) {
			rc = POOL_ESYS;
			break;
		}
	}
	free(batch);
	if (!rc && handled_stops > 0)
		rc = POOL_ESTOPPED;
	return rc;
}

/* After a failed init, jobs still queued or running are reported and dropped. */
static void drain_after_failure(struct thread_pool *tp)
{
	struct tjob *tj;

	while ((tj = queue_pop(&tp->pending))) {
		interrupt(tp, tj, "worker initialisation failed");
		tjob_free(tj);
	}
	while ((tj = queue_pop(&tp->finished))) {
		deliver(tp, tj);
		tjob_free(tj);
	}
}

int thread_pool_run(struct pool *pool)
{
	struct thread_pool tp = { .pool = pool };
	size_t limit = (size_t)pool->workers * JOBS_PER_WORKER;
	int rc = POOL_ENOMEM;

	tp.workers = calloc(pool->workers, sizeof(*tp.workers));
	if (!tp.workers)
		return POOL_ENOMEM;
	if (queue_init(&tp.pending, limit) < 0)
		goto out_free_workers;
	/* Room for every job in flight, plus those whose worker exited. */
	if (queue_init(&tp.finished, limit + pool->workers) < 0)
		goto out_release_pending;
	pthread_mutex_init(&tp.lock, NULL);
	pthread_cond_init(&tp.job_ready, NULL);
	tp.low_water = pool->workers;

	rc = 0;
	for (unsigned i = 0; i < pool->workers && !rc; i++)
		rc = start_worker(&tp, i);
	if (!rc)
		rc = run_jobs(&tp);

	pthread_mutex_lock(&tp.lock);
	tp.closing = true;
	pthread_cond_broadcast(&tp.job_ready);
	pthread_mutex_unlock(&tp.lock);
	for (unsigned i = 0; i < pool->workers; i++)
		if (tp.workers[i].started)
			pthread_join(tp.workers[i].thread, NULL);
	drain_after_failure(&tp);
	/* A worker may fail its init after the last job was delivered. */
	if (tp.init_failed && (rc == 0 || rc == POOL_ESTOPPED))
		rc = POOL_EINIT;

	pthread_cond_destroy(&tp.job_ready);
	pthread_mutex_destroy(&tp.lock);
	queue_release(&tp.finished);
out_release_pending:
	queue_release(&tp.pending);
out_free_workers:
	free(tp.workers);
	return rc;
}
