/* thread_pool.c -- the pthread back end (thread and event modes): a bounded task queue in, a finished queue out */
#include "pool_backend.h"
#include "pool_core.h"
#include "queue.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Tasks queued beyond those running, per worker, unless pool_set_spare_jobs()
 * says otherwise: enough that a worker finishing a job finds the next one
 * waiting, and that the parent can deliver and refill in batches instead of
 * waking for every job.
 */
enum { SPARE_JOBS_PER_WORKER = 3 };

struct pool_task {
	void *job;
	size_t job_len;
	void *result;
	size_t result_len;
	int rc;
	unsigned worker;
	bool reported;		/* already delivered as interrupted */
	bool exited;		/* its worker thread exited during work() or serve() */
	bool after_abandon;	/* it ended after pool_abandon(): interrupted, whatever rc says */
	size_t held_at;		/* its place in its worker's held[] */
};

/* A loop worker's view of the task queue. */
struct thread_feed {
	struct pool_feed base;	/* first: the feed serve() is given */
	struct worker *worker;
	int wake[2];		/* the parent writes when jobs come or the queue closes */
	bool hungry;		/* found the queue empty: wake it (under the lock) */
	bool asked;		/* its last take found nothing: drain wake[0] first */
	bool closed;		/* take said POOL_FEED_CLOSED */
	bool notify;		/* parent only: write wake[1] once the lock is released */
};

struct worker {
	struct thread_pool *tp;
	unsigned index;
	pthread_t thread;
	bool started;
	void *state;		/* what worker_init made */
	struct pool_task **held;	/* the tasks it runs: one with work(), more with serve() */
	size_t n_held;
	bool exited;		/* left in the middle of a job: join and replace it */
	struct thread_feed feed;	/* event mode only */
};

struct thread_pool {
	struct pool *pool;
	pthread_mutex_t lock;
	pthread_cond_t job_ready;
	struct queue pending;	/* tasks waiting for a worker */
	struct queue finished;	/* tasks ended, waiting for the parent */
	struct worker *workers;
	bool closing;		/* no more jobs: workers leave once pending is empty */
	bool parent_asleep;	/* the parent waits on the self-pipe */
	size_t limit;		/* jobs taken from next_job() and not yet delivered, at most */
	size_t low_water;	/* wake the parent when this few tasks remain queued */
	unsigned idle;		/* workers waiting for a job */
	size_t worker_jobs;	/* jobs one worker runs at once */
	bool events;		/* workers run serve(), not work() */
	bool worker_broke;	/* a worker could not go on: its init failed, or serve() broke the contract */
	bool worker_exited;	/* some worker thread has exited mid-job */
};

static void task_free(struct pool_task *task)
{
	free(task->job);
	free(task->result);
	free(task);
}

/* Says whether to wake a sleeping parent; called with the lock held. */
static bool wake_parent_locked(struct thread_pool *tp)
{
	bool wake = tp->parent_asleep;

	tp->parent_asleep = false;
	return wake;
}

/*
 * Files a task that has ended, with the lock held. Whether the abandon came
 * first is read here, at the end itself: a worker that returned a result
 * because it saw pool_abandoned() has its task stamped, even if the parent
 * has not handled the abandon yet.
 */
static void task_ended_locked(struct thread_pool *tp, struct pool_task *task)
{
	task->after_abandon = pool_stop_level(tp->pool) >= POOL_ABANDONING;
	queue_push(&tp->finished, task);
}

/*
 * After a job: results are left to pile up, and the parent woken only when
 * the queue runs low, so it delivers and refills many tasks per wake-up.
 */
static bool task_finished_locked(struct thread_pool *tp, struct pool_task *task)
{
	task_ended_locked(tp, task);
	if (tp->pending.count > tp->low_water)
		return false;
	return wake_parent_locked(tp);
}

static void hold_locked(struct worker *w, struct pool_task *task)
{
	task->worker = w->index;
	task->held_at = w->n_held;
	w->held[w->n_held++] = task;
}

static void release_locked(struct worker *w, struct pool_task *task)
{
	struct pool_task *last = w->held[--w->n_held];

	w->held[task->held_at] = last;
	last->held_at = task->held_at;
}

/* A worker is done with a task: the parent gets it, woken if the queue runs low. */
static void hand_back(struct worker *w, struct pool_task *task)
{
	struct thread_pool *tp = w->tp;
	bool wake;

	pthread_mutex_lock(&tp->lock);
	release_locked(w, task);
	wake = task_finished_locked(tp, task);
	pthread_mutex_unlock(&tp->lock);
	if (wake)
		pool_wake(tp->pool);
}

/* Ends every task a worker still holds as failed: `exited` says why. */
static void fail_held_locked(struct thread_pool *tp, struct worker *w, bool exited)
{
	while (w->n_held > 0) {
		struct pool_task *task = w->held[w->n_held - 1];

		release_locked(w, task);
		task->exited = exited;
		task->rc = -1;
		task_ended_locked(tp, task);
	}
}

/*
 * Runs if work() or serve() ends its thread (pthread_exit): its tasks are
 * reported as failed, the worker's state is finalised as if it had ended
 * normally, and the parent starts a replacement.
 */
static void on_worker_exit(void *arg)
{
	struct worker *w = arg;
	struct thread_pool *tp = w->tp;
	bool wake;

	pthread_mutex_lock(&tp->lock);
	fail_held_locked(tp, w, true);
	w->exited = true;
	tp->worker_exited = true;
	wake = wake_parent_locked(tp);
	pthread_mutex_unlock(&tp->lock);
	if (tp->pool->cb.worker_fini)
		tp->pool->cb.worker_fini(tp->pool->ctx, w->state);
	if (wake)
		pool_wake(tp->pool);
}

static void run_one(struct worker *w, struct pool_task *task)
{
	struct pool *pool = w->tp->pool;

	pthread_cleanup_push(on_worker_exit, w);
	task->rc = pool->cb.work(pool->ctx, w->state, task->job, task->job_len,
				 &task->result, &task->result_len);
	pthread_cleanup_pop(0);
}

/*
 * A worker that cannot go on (its worker_init failed, or serve() returned
 * against the contract): its tasks fail and the parent stops the run.
 */
static void report_broken_worker(struct worker *w)
{
	struct thread_pool *tp = w->tp;
	bool wake;

	pthread_mutex_lock(&tp->lock);
	fail_held_locked(tp, w, false);
	tp->worker_broke = true;
	wake = wake_parent_locked(tp);
	pthread_mutex_unlock(&tp->lock);
	if (wake)
		pool_wake(tp->pool);
}

/*
 * Once the pool is stopped, queued tasks wait for the parent to report them
 * as never started: a worker that saw the stop (its job ended on it) and
 * took the next one would start a job after the stop.
 */
static bool may_take_locked(const struct thread_pool *tp)
{
	return !queue_empty(&tp->pending) && pool_stop_level(tp->pool) < POOL_STOPPING;
}

/* A per-job worker: one task at a time from the shared queue, until it closes. */
static void work_loop(struct worker *w)
{
	struct thread_pool *tp = w->tp;

	for (;;) {
		struct pool_task *task;

		pthread_mutex_lock(&tp->lock);
		while (!may_take_locked(tp) && !tp->closing) {
			tp->idle++;
			pthread_cond_wait(&tp->job_ready, &tp->lock);
			tp->idle--;
		}
		task = may_take_locked(tp) ? queue_pop(&tp->pending) : NULL;
		if (task)
			hold_locked(w, task);
		pthread_mutex_unlock(&tp->lock);
		if (!task)
			break;

		run_one(w, task);
		hand_back(w, task);
	}
}

/* A loop worker: serve() must see the feed close with nothing left in its hands. */
static bool serve_loop(struct worker *w)
{
	struct pool *pool = w->tp->pool;
	int rc;

	pthread_cleanup_push(on_worker_exit, w);
	rc = pool->cb.serve(pool->ctx, w->state, &w->feed.base);
	pthread_cleanup_pop(0);
	return rc == 0 && w->feed.closed && w->n_held == 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct thread_pool *tp = w->tp;
	struct pool *pool = tp->pool;

	if (pool->cb.worker_init && pool->cb.worker_init(pool->ctx, w->index, &w->state) != 0) {
		report_broken_worker(w);
		return NULL;
	}
	if (!tp->events)
		work_loop(w);
	else if (!serve_loop(w))
		report_broken_worker(w);
	if (pool->cb.worker_fini)
		pool->cb.worker_fini(pool->ctx, w->state);
	return NULL;
}

static int start_worker(struct thread_pool *tp, unsigned index)
{
	struct worker *w = &tp->workers[index];
	int err;

	w->started = false;
	w->exited = false;
	w->state = NULL;
	w->feed.hungry = w->feed.asked = w->feed.closed = false;
	err = pthread_create(&w->thread, NULL, worker_main, w);
	if (err != 0) {
		errno = err;
		pool_note_failure(tp->pool, "cannot start a worker thread");
		return POOL_ESYS;
	}
	w->started = true;
	return 0;
}

/* Wakes loop workers flagged with feed.notify; called without the lock. */
static void notify_feeds(struct thread_pool *tp)
{
	char byte = 1;

	for (unsigned i = 0; i < tp->pool->workers; i++) {
		struct thread_feed *feed = &tp->workers[i].feed;

		if (!feed->notify)
			continue;
		feed->notify = false;
		/* a full pipe is already readable */
		if (write(feed->wake[1], &byte, 1) < 0)
			continue;
	}
}

/* Flags the loop workers waiting for jobs (or all of them) for notify_feeds(). */
static bool flag_feeds_locked(struct thread_pool *tp, bool all)
{
	bool any = false;

	if (!tp->events)
		return false;
	for (unsigned i = 0; i < tp->pool->workers; i++) {
		struct thread_feed *feed = &tp->workers[i].feed;

		if (feed->hungry || all) {
			feed->hungry = false;
			feed->notify = any = true;
		}
	}
	return any;
}

static void feed_drain(struct thread_feed *feed)
{
	char sink[64];

	/* a short read emptied the pipe: asking again would only say EAGAIN */
	while (read(feed->wake[0], sink, sizeof(sink)) == (ssize_t)sizeof(sink))
		;
}

static int thread_feed_take(struct pool_feed *base, struct pool_task **task,
			    const void **job, size_t *job_len)
{
	struct thread_feed *feed = (struct thread_feed *)base;
	struct worker *w = feed->worker;
	struct thread_pool *tp = w->tp;
	struct pool_task *taken = NULL;
	int verdict = POOL_FEED_EMPTY;
	bool wake = false;

	/* drained before looking, so a wake that comes after the look stays */
	if (feed->asked)
		feed_drain(feed);
	pthread_mutex_lock(&tp->lock);
	if (w->n_held < tp->worker_jobs && may_take_locked(tp))
		taken = queue_pop(&tp->pending);
	if (taken) {
		hold_locked(w, taken);
		verdict = POOL_FEED_JOB;
	} else if (tp->closing && !may_take_locked(tp)) {
		verdict = POOL_FEED_CLOSED;
	} else if (w->n_held < tp->worker_jobs) {
		feed->hungry = true;
	}
	/*
	 * Results given back while the queue was full did not wake the parent;
	 * now that takes have run it low, the parent must refill it.
	 */
	if (tp->pending.count <= tp->low_water && !queue_empty(&tp->finished))
		wake = wake_parent_locked(tp);
	pthread_mutex_unlock(&tp->lock);
	if (wake)
		pool_wake(tp->pool);

	feed->asked = verdict == POOL_FEED_EMPTY;
	feed->closed = verdict == POOL_FEED_CLOSED;
	if (taken) {
		*task = taken;
		*job = taken->job;
		*job_len = taken->job_len;
	}
	return verdict;
}

static void thread_feed_give(struct pool_feed *base, struct pool_task *task, int rc,
			     void *result, size_t result_len)
{
	struct thread_feed *feed = (struct thread_feed *)base;

	task->rc = rc;
	if (rc == 0) {
		task->result = result;
		task->result_len = result_len;
	} else {
		free(result);
	}
	hand_back(feed->worker, task);
}

static int thread_feed_fd(const struct pool_feed *base)
{
	return ((const struct thread_feed *)base)->wake[0];
}

static const struct pool_feed_ops thread_feed_ops = {
	.take = thread_feed_take,
	.give = thread_feed_give,
	.fd = thread_feed_fd,
};

/* Joins worker threads that exited mid-job and starts their replacements. */
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

static void deliver(struct thread_pool *tp, struct pool_task *task)
{
	struct pool *pool = tp->pool;

	if (task->reported)
		return;
	if (task->after_abandon)
		/* its worker may have given up on it, or cut its result short */
		pool_deliver(pool, task->job, task->job_len, POOL_JOB_INTERRUPTED, NULL, 0,
			     "interrupted", task->worker, task->worker);
	else if (task->exited)
		pool_deliver(pool, task->job, task->job_len, POOL_JOB_FAILED, NULL, 0,
			     "worker thread exited", task->worker, task->worker);
	else if (task->rc != 0)
		pool_deliver(pool, task->job, task->job_len, POOL_JOB_FAILED, NULL, 0,
			     "job failed", task->worker, task->worker);
	else if (task->result_len > POOL_MAX_BLOB)
		pool_deliver(pool, task->job, task->job_len, POOL_JOB_FAILED, NULL, 0,
			     "result too large", task->worker, task->worker);
	else
		pool_deliver(pool, task->job, task->job_len, POOL_JOB_DONE,
			     task->result, task->result_len, NULL, task->worker, task->worker);
}

static void interrupt(struct thread_pool *tp, struct pool_task *task, const char *why)
{
	pool_deliver(tp->pool, task->job, task->job_len, POOL_JOB_INTERRUPTED, NULL, 0,
		     why, task->worker, task->worker);
	task->reported = true;
}

/*
 * A stop request: queued tasks never started are reported at once; on an
 * abandon, running ones are reported too and their results, when they come,
 * are dropped. Returns how many tasks left the books.
 */
static size_t cancel_tasks(struct thread_pool *tp, bool abandon, struct pool_task **cancelled)
{
	size_t n = 0, settled;

	/* cancelled[] has room for every outstanding task: queued or held */
	pthread_mutex_lock(&tp->lock);
	while (!queue_empty(&tp->pending))
		cancelled[n++] = queue_pop(&tp->pending);
	settled = n;
	if (abandon) {
		for (unsigned i = 0; i < tp->pool->workers; i++) {
			struct worker *w = &tp->workers[i];

			for (size_t j = 0; j < w->n_held; j++)
				if (!w->held[j]->reported)
					cancelled[n++] = w->held[j];
		}
	}
	pthread_mutex_unlock(&tp->lock);

	/* Running tasks still belong to their workers; only the report happens now. */
	for (size_t i = 0; i < n; i++) {
		interrupt(tp, cancelled[i], i < settled ? "interrupted before it started" : "interrupted");
		if (i < settled)
			task_free(cancelled[i]);
	}
	return settled;
}

/*
 * Takes up to `room` jobs from next_job(), each in a new task, and returns
 * how many. When the source runs dry or fails, *exhausted is set, and *err
 * on failure; when it has nothing yet, *waiting.
 */
static size_t take_jobs(struct thread_pool *tp, struct pool_task **batch, size_t room,
			bool *exhausted, bool *waiting, int *err)
{
	struct pool *pool = tp->pool;
	size_t n = 0;

	while (n < room) {
		struct pool_task *task = calloc(1, sizeof(*task));
		int rc;

		if (!task) {
			*exhausted = true;
			*err = POOL_ENOMEM;
			break;
		}
		rc = pool->cb.next_job(pool->ctx, &task->job, &task->job_len);
		if (rc == POOL_NEXT_WAIT) {
			free(task);
			*waiting = true;
			break;
		}
		if (rc <= 0) {
			free(task);
			*exhausted = true;
			if (rc < 0)
				*err = POOL_ENEXT;
			break;
		}
		batch[n++] = task;
	}
	return n;
}

/* Sleeps until a worker or a stop request writes the self-pipe, new input, or the tick is due. */
static int wait_for_wake(struct pool *pool, bool input)
{
	struct pollfd pfd[2] = {
		{ .fd = pool->wake[0], .events = POLLIN },
		{ .fd = input ? pool->input_fd : -1, .events = POLLIN },
	};

	if (poll(pfd, 2, pool_tick_timeout(pool)) < 0 && errno != EINTR)
		return POOL_ESYS;
	if (pfd[0].revents)
		pool_wake_drain(pool);
	return 0;
}

/* The parent's loop: keep the queue topped up, deliver what comes back. */
static int run_jobs(struct thread_pool *tp)
{
	struct pool *pool = tp->pool;
	size_t limit = tp->limit;
	struct pool_task **batch = calloc(limit, sizeof(*batch));
	size_t outstanding = 0;
	bool exhausted = false, waiting = false;
	enum pool_stop_level handled = POOL_RUNNING;
	int rc = 0;

	if (!batch)
		return POOL_ENOMEM;

	for (;;) {
		enum pool_stop_level level;
		size_t taken = 0, done = 0;
		bool notify;

		/* first: a tick may stop the pool */
		pool_tick_run(pool);
		level = pool_stop_level(pool);
		if (level > handled) {
			outstanding -= cancel_tasks(tp, level >= POOL_ABANDONING, batch);
			handled = level;
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
		notify = taken > 0 && flag_feeds_locked(tp, false);
		while (!queue_empty(&tp->finished))
			batch[done++] = queue_pop(&tp->finished);
		if (tp->worker_broke)
			rc = POOL_EINIT;
		if (done == 0)
			tp->parent_asleep = true;
		pthread_mutex_unlock(&tp->lock);
		if (notify)
			notify_feeds(tp);
		outstanding += taken;

		for (size_t i = 0; i < done; i++) {
			deliver(tp, batch[i]);
			task_free(batch[i]);
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
	if (!rc && handled > POOL_RUNNING)
		rc = POOL_ESTOPPED;
	return rc;
}

/*
 * Once the workers have left: tasks still queued (a broken worker stopped
 * the run) are reported as never started, and those ended are delivered.
 */
static void settle_leftovers(struct thread_pool *tp)
{
	struct pool_task *task;

	while ((task = queue_pop(&tp->pending))) {
		interrupt(tp, task, "interrupted before it started: a worker could not go on");
		task_free(task);
	}
	while ((task = queue_pop(&tp->finished))) {
		deliver(tp, task);
		task_free(task);
	}
}

/* Tells every worker there is no more work, and waits for them to leave. */
static void close_and_join(struct thread_pool *tp)
{
	bool notify;

	pthread_mutex_lock(&tp->lock);
	tp->closing = true;
	pthread_cond_broadcast(&tp->job_ready);
	notify = flag_feeds_locked(tp, true);
	pthread_mutex_unlock(&tp->lock);
	if (notify)
		notify_feeds(tp);
	for (unsigned i = 0; i < tp->pool->workers; i++)
		if (tp->workers[i].started)
			pthread_join(tp->workers[i].thread, NULL);
}

static void release_workers(struct thread_pool *tp)
{
	if (!tp->workers)
		return;
	for (unsigned i = 0; i < tp->pool->workers; i++) {
		struct worker *w = &tp->workers[i];

		free(w->held);
		if (w->feed.wake[0] >= 0) {
			close(w->feed.wake[0]);
			close(w->feed.wake[1]);
		}
	}
	free(tp->workers);
}

/* Each worker's room for held tasks, and in event mode its wake-up pipe. */
static int make_workers(struct thread_pool *tp)
{
	unsigned n = tp->pool->workers;

	tp->workers = calloc(n, sizeof(*tp->workers));
	if (!tp->workers)
		return POOL_ENOMEM;
	/*
	 * All of them releasable before anything can fail: a worker never reached
	 * must not be left with calloc's wake-up pipe {0, 0}, or release_workers()
	 * would close descriptor 0 (stdin, maybe the job source) twice.
	 */
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = &tp->workers[i];

		*w = (struct worker){ .tp = tp, .index = i };
		w->feed = (struct thread_feed){ .base = { &thread_feed_ops }, .worker = w,
						.wake = { -1, -1 } };
	}
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = &tp->workers[i];

		w->held = calloc(tp->worker_jobs, sizeof(*w->held));
		if (!w->held)
			return POOL_ENOMEM;
		if (tp->events && pipe2(w->feed.wake, O_CLOEXEC | O_NONBLOCK) < 0) {
			pool_note_failure(tp->pool, "cannot make an event worker's wake-up pipe");
			w->feed.wake[0] = w->feed.wake[1] = -1;
			return POOL_ESYS;
		}
	}
	return 0;
}

int thread_pool_run(struct pool *pool)
{
	struct thread_pool tp = { .pool = pool };
	size_t jobs = pool->mode == POOL_EVENTS ? pool->worker_jobs : 1;
	size_t spare = pool->spare_jobs ? pool->spare_jobs :
		       jobs / 2 > SPARE_JOBS_PER_WORKER ? jobs / 2 : SPARE_JOBS_PER_WORKER;
	int rc;

	tp.events = pool->mode == POOL_EVENTS;
	tp.worker_jobs = jobs;
	tp.limit = pool->workers * (jobs + spare);
	/* wake the parent with half the spare jobs gone */
	tp.low_water = pool->workers * (spare / 2);
	rc = make_workers(&tp);
	if (rc < 0)
		goto out_release_workers;
	rc = POOL_ENOMEM;
	if (queue_init(&tp.pending, tp.limit) < 0)
		goto out_release_workers;
	/* Room for every job in flight: queued, held or finished, each is counted once. */
	if (queue_init(&tp.finished, tp.limit) < 0)
		goto out_release_pending;
	pthread_mutex_init(&tp.lock, NULL);
	pthread_cond_init(&tp.job_ready, NULL);

	rc = 0;
	for (unsigned i = 0; i < pool->workers && !rc; i++)
		rc = start_worker(&tp, i);
	if (!rc)
		rc = run_jobs(&tp);
	close_and_join(&tp);
	settle_leftovers(&tp);
	/* A worker may break after the last job was delivered. */
	if (tp.worker_broke && (rc == 0 || rc == POOL_ESTOPPED))
		rc = POOL_EINIT;

	pthread_cond_destroy(&tp.job_ready);
	pthread_mutex_destroy(&tp.lock);
	queue_release(&tp.finished);
out_release_pending:
	queue_release(&tp.pending);
out_release_workers:
	release_workers(&tp);
	return rc;
}
