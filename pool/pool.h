/* pool.h -- run opaque jobs on a pool of worker threads, forked worker processes or event-loop threads */
#ifndef CRAWLPOOL_POOL_H
#define CRAWLPOOL_POOL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Jobs and results are byte blobs, never pointers: a forked worker shares no
 * memory with its parent, so one API serves both modes.
 *
 * The pool pulls: whenever a worker is free, the parent asks next_job() for
 * the next job. Results come back to done(), always called in the thread that
 * called pool_run(), one at a time, so done() may write to a file without a
 * lock. Worker-side callbacks (worker_init, work, worker_fini) run in a worker
 * thread or in a child process and must not touch the parent's state.
 */

enum pool_mode {
	POOL_THREADS,		/* worker threads, one job each at a time: work() */
	POOL_PROCESSES,		/* forked worker processes, one job each at a time: work() */
	POOL_EVENTS,		/* worker threads, each running its own loop over many jobs: serve() */
};

/* Error codes: 0 is success, failures are negative. */
enum pool_error {
	POOL_OK = 0,
	POOL_EINVAL = -1,	/* invalid argument */
	POOL_ENOMEM = -2,	/* out of memory */
	POOL_ESYS = -3,		/* a system call failed (see errno) */
	POOL_EINIT = -4,	/* worker_init failed */
	POOL_ENEXT = -5,	/* next_job reported an error */
	POOL_ESTOPPED = -6,	/* pool_run ended early on pool_stop() */
};

enum { POOL_MAX_WORKERS = 1024, POOL_MAX_WORKER_JOBS = 1024 };
/* Largest job or result blob; larger results are reported as failed jobs. */
#define POOL_MAX_BLOB ((size_t)256 << 20)

/* How one job ended, as seen by done(). */
enum pool_status {
	POOL_JOB_DONE,		/* work() returned 0; data/len hold its result */
	POOL_JOB_FAILED,	/* work() failed or its worker died; see error */
	POOL_JOB_INTERRUPTED,	/* abandoned on a second pool_stop() */
};

struct pool_result {
	const void *job;	/* the job as next_job() gave it */
	size_t job_len;
	const void *data;	/* the result; NULL unless POOL_JOB_DONE */
	size_t len;
	enum pool_status status;
	const char *error;	/* why it failed, e.g. "worker killed by signal 9 (Killed)" */
	unsigned worker;	/* worker slot, 0..workers-1 */
	long worker_id;		/* pid in process mode, slot index in thread and event modes */
};

/*
 * Parent side. next_job stores a malloc'd blob in *job (the pool takes it and
 * frees it) and returns 1, or returns 0 when there are no more jobs, or a
 * negative value to stop the run with POOL_ENEXT. A source that would have to
 * block (a pipe with no complete line yet) returns POOL_NEXT_WAIT instead:
 * the pool goes on delivering results and asks again once the descriptor
 * given to pool_watch_fd() is readable. done() must not free anything in the
 * result; the pool does.
 */
enum { POOL_NEXT_WAIT = 2 };

typedef int pool_next_cb(void *ctx, void **job, size_t *job_len);
typedef void pool_done_cb(void *ctx, const struct pool_result *result);

/*
 * Worker side. worker_init runs once in each worker before its first job and
 * may set *state (passed to work and worker_fini); a non-zero return stops
 * the pool with POOL_EINIT. A worker process inherits the parent's open
 * descriptors; worker_init is the place to close those it must not hold
 * (such as the write end of a pipe the parent reads to its end). work stores a malloc'd result in *result (the
 * pool frees it) and returns 0, or returns non-zero on failure.
 */
typedef int pool_worker_init_cb(void *ctx, unsigned worker, void **state);
typedef void pool_worker_fini_cb(void *ctx, void *state);
typedef int pool_work_cb(void *ctx, void *state, const void *job, size_t job_len,
			 void **result, size_t *result_len);

/*
 * Event workers (POOL_EVENTS). Instead of work(), each worker thread calls
 * serve() once and runs its own loop with up to pool_set_worker_jobs() jobs
 * at a time. It takes jobs with pool_feed_take(), which never blocks, hands
 * each result back with pool_feed_give() in any order, and sleeps on
 * pool_feed_fd() beside its own descriptors only after a take has said
 * POOL_FEED_EMPTY (so, having given results back, it takes before it sleeps).
 * It returns 0 once pool_feed_take() has said the feed is closed and every
 * job it took has been given back. Returning non-zero, or with jobs still held,
 * fails those jobs and stops the pool with POOL_EINIT.
 */
struct pool_feed;
struct pool_task;

typedef int pool_serve_cb(void *ctx, void *state, struct pool_feed *feed);

struct pool_callbacks {
	pool_next_cb *next_job;			/* required */
	pool_done_cb *done;			/* required */
	pool_work_cb *work;			/* required by POOL_THREADS and POOL_PROCESSES */
	pool_serve_cb *serve;			/* required by POOL_EVENTS */
	pool_worker_init_cb *worker_init;	/* optional */
	pool_worker_fini_cb *worker_fini;	/* optional */
};

enum pool_feed_verdict {
	POOL_FEED_CLOSED = -1,	/* no job will come any more */
	POOL_FEED_EMPTY = 0,	/* none now; pool_feed_fd() turns readable when one may be */
	POOL_FEED_JOB = 1,	/* *task, *job and *job_len are set */
};

/*
 * Takes the next job without blocking; returns a pool_feed_verdict. The job
 * stays valid until its task is given back.
 */
int pool_feed_take(struct pool_feed *feed, struct pool_task **task,
		   const void **job, size_t *job_len);

/*
 * Ends a task: rc 0 with a malloc'd result (the pool takes it, NULL with
 * len 0 for none), or rc non-zero when the job failed.
 */
void pool_feed_give(struct pool_feed *feed, struct pool_task *task, int rc,
		    void *result, size_t result_len);

/* Readable when pool_feed_take() may have something new to say. */
int pool_feed_fd(const struct pool_feed *feed);

struct pool;

/*
 * Makes a pool of `workers` workers (1..POOL_MAX_WORKERS). Nothing is started
 * until pool_run(). Returns NULL with *err set (if err is not NULL) on failure.
 */
struct pool *pool_new(enum pool_mode mode, unsigned workers,
		      const struct pool_callbacks *cb, void *ctx, int *err);

/*
 * The descriptor next_job() waits on when it returns POOL_NEXT_WAIT; without
 * one, the pool asks again after the next result.
 */
void pool_watch_fd(struct pool *pool, int fd);

/*
 * How many jobs an event worker holds at once (1..POOL_MAX_WORKER_JOBS,
 * default 1); ignored by the other modes. Returns 0 or POOL_EINVAL.
 */
int pool_set_worker_jobs(struct pool *pool, unsigned jobs);

/*
 * Starts the workers, runs jobs until next_job() has none left and every
 * result is delivered, stops the workers and returns 0. Every job taken from
 * next_job() reaches done() exactly once, whatever happens to its worker.
 * Returns POOL_ESTOPPED if pool_stop() ended the run early, or another
 * negative code on failure (jobs already taken are still reported). A pool
 * runs once.
 */
int pool_run(struct pool *pool);

/*
 * Asks a running pool to stop; safe to call from a signal handler. The first
 * call takes no more jobs from next_job() and lets the jobs handed to workers
 * finish (thread mode reports those still waiting in its shared queue as
 * POOL_JOB_INTERRUPTED); the second abandons the rest (worker processes are
 * killed) and reports them as POOL_JOB_INTERRUPTED, as it does a job whose
 * worker gives it up as failed once the run is abandoned.
 */
void pool_stop(struct pool *pool);

/*
 * True once a second pool_stop() has abandoned the in-flight jobs. A work()
 * or serve() callback in a thread may poll it to give up early; the results
 * of abandoned jobs are discarded either way.
 */
bool pool_abandoned(const struct pool *pool);

/* Frees the pool; accepts NULL. Not to be called while pool_run() runs. */
void pool_free(struct pool *pool);

const char *pool_strerror(int err);
/*
 * After pool_run() returned POOL_ESYS: the system call that failed and why,
 * e.g. "cannot make a worker channel: Too many open files"; NULL if unknown.
 */
const char *pool_failure(const struct pool *pool);
const char *pool_mode_name(enum pool_mode mode);
/* Parses "thread(s)", "process(es)" or "event(s)"; returns 0 or POOL_EINVAL. */
int pool_mode_parse(const char *name, enum pool_mode *mode);

#endif
