/* pool.h -- run opaque jobs on a pool of worker threads or processes, one job at a time or an event loop each */
#ifndef CRAWLPOOL_POOL_H
#define CRAWLPOOL_POOL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Words, each with one meaning here:
 *   job     a byte blob next_job() hands out; its result is a byte blob too
 *   worker  a pool worker: a thread or a forked process, running one job at
 *           a time or an event loop over many
 *   task    the pool's record of one job in flight; loop workers hold them
 *
 * Jobs and results are blobs, never pointers, because a forked worker
 * shares no memory with its parent.
 *
 * Every pool has the same parent side (part 1). Its workers are of one of
 * two kinds, chosen by the mode, each with a contract of its own:
 *   part 2  per-job workers (POOL_THREADS, POOL_PROCESSES): work() runs one
 *           job at a time and returns its result;
 *   part 3  loop workers (POOL_EVENTS, POOL_HYBRID): serve() runs the worker's own loop
 *           over many jobs at once, taking and giving them back through a feed.
 * Part 4 is the table of callbacks that ties them together.
 */

/* ==== 1. The parent side, the same in every mode ==== */

enum pool_mode {
	POOL_THREADS,		/* per-job workers: threads */
	POOL_PROCESSES,		/* per-job workers: forked processes */
	POOL_EVENTS,		/* loop workers: threads, each running serve() */
	POOL_HYBRID,		/* loop workers: forked processes, each running serve() */
};

/* Error codes: 0 is success, failures are negative. */
enum pool_error {
	POOL_OK = 0,
	POOL_EINVAL = -1,	/* invalid argument */
	POOL_ENOMEM = -2,	/* out of memory */
	POOL_ESYS = -3,		/* a system call failed (see pool_failure()) */
	POOL_EINIT = -4,	/* a worker could not go on: worker_init failed, or serve() broke its contract */
	POOL_ENEXT = -5,	/* next_job reported an error */
	POOL_ESTOPPED = -6,	/* pool_run ended early on pool_stop() or pool_abandon() */
};

enum { POOL_MAX_WORKERS = 1024, POOL_MAX_WORKER_JOBS = 1024 };
/* Largest job or result blob; larger results are reported as failed jobs. */
#define POOL_MAX_BLOB ((size_t)256 << 20)

/* How one job ended, as seen by done(). */
enum pool_status {
	POOL_JOB_DONE,		/* its worker returned a result; data/len hold it */
	POOL_JOB_FAILED,	/* its worker failed it, died, or stopped responding; see error */
	POOL_JOB_INTERRUPTED,	/* never started before a stop, or abandoned by pool_abandon() */
};

struct pool_result {
	const void *job;	/* the job as next_job() gave it */
	size_t job_len;
	const void *data;	/* the result; NULL unless POOL_JOB_DONE */
	size_t len;
	enum pool_status status;
	const char *error;	/* why it failed, e.g. "worker killed by signal 9 (Killed)" */
	unsigned worker;	/* worker slot, 0..workers-1 */
	long worker_id;		/* pid in process and hybrid modes, slot index in the others */
};

/*
 * The pool pulls: whenever a worker has room, the parent asks next_job() for
 * the next job. next_job stores a malloc'd blob in *job (the pool takes it and
 * frees it) and returns 1, or returns 0 when there are no more jobs, or a
 * negative value to stop the run with POOL_ENEXT. A source that would have to
 * block (a pipe with no complete line yet) returns POOL_NEXT_WAIT instead:
 * the pool goes on delivering results and asks again once the descriptor
 * given to pool_watch_fd() is readable.
 *
 * Results come back to done(), always in the thread that called pool_run(),
 * one at a time, so done() may write to a file without a lock. done() must
 * not free anything in the result; the pool does.
 */
enum { POOL_NEXT_WAIT = 2 };

typedef int pool_next_cb(void *ctx, void **job, size_t *job_len);
typedef void pool_done_cb(void *ctx, const struct pool_result *result);

struct pool;
struct pool_callbacks;		/* part 4 */

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
 * Starts the workers, runs jobs until next_job() has none left and every
 * result is delivered, stops the workers and returns 0. Every job taken from
 * next_job() reaches done() exactly once, whatever happens to its worker.
 * Returns POOL_ESTOPPED if pool_stop() or pool_abandon() ended the run early,
 * or another negative code on failure (jobs already taken are still
 * reported). A pool runs once.
 */
int pool_run(struct pool *pool);

/*
 * Asks a running pool to stop; safe to call from a signal handler, and
 * calling it again changes nothing. No more jobs are taken from next_job().
 * The jobs already started run to their end and are delivered as they end
 * (one that is only waiting may see pool_stopping() and end sooner); those
 * not yet started, in the pool's shared queue (thread and event modes) or
 * in a worker process's channel (process and hybrid modes), never start:
 * they are reported as POOL_JOB_INTERRUPTED.
 */
void pool_stop(struct pool *pool);

/*
 * Stops the pool (no pool_stop() is needed before) and abandons the jobs in
 * flight: worker processes are killed, and every job that ends after this
 * call is reported as POOL_JOB_INTERRUPTED, whatever its worker said; a job
 * that ended before it is delivered as it ended. A job ends when work()
 * returns or pool_feed_give() is called; in process mode, where a worker
 * cannot see the abandon, when the parent reads its result. Safe to call
 * from a signal handler.
 */
void pool_abandon(struct pool *pool);

/*
 * True once pool_abandon() was called. A work() or serve() in a thread may
 * poll it to give up early; a worker process never sees it turn true.
 */
bool pool_abandoned(const struct pool *pool);

/*
 * True once pool_stop() or pool_abandon() was called, wherever it is asked:
 * in the parent, and in a work() or serve() under way in a worker thread or
 * a worker process alike (a worker process reads the stop in a page it
 * shares with the parent). A stop lets the jobs already started run to
 * their end; a job that is only waiting (to try again, say) may poll this
 * to make that end now. Lock-free, so also safe in a signal handler.
 */
bool pool_stopping(const struct pool *pool);

/*
 * The parent's own clock, for upkeep that the workers' progress does not
 * bring (a lease to renew, a heartbeat): the pool asks next_job() only when
 * a worker has room and calls done() only when a job ends, so with every
 * worker in a long job neither comes. Once set, pool_run() calls tick(ctx)
 * in its own thread, never during another callback, from the start of the
 * run until its last result is delivered: at most `ms` milliseconds after
 * the start or the end of the last tick (plus the time a next_job() or
 * done() under way takes), whatever the workers are doing. A tick may call
 * pool_stop(). ms 0 or tick NULL: no tick (the default). Returns 0, or
 * POOL_EINVAL once the pool has run.
 */
typedef void pool_tick_cb(void *ctx);

int pool_set_tick(struct pool *pool, unsigned ms, pool_tick_cb *tick);

/*
 * How many jobs the pool takes from next_job() ahead of need, per worker,
 * beyond those the worker runs at once (0..POOL_MAX_WORKER_JOBS; 0, the
 * default: the pool's own, a few). The parent refills them when about half
 * are gone, so more of them mean fewer wake-ups of the parent (each costs
 * a context switch, the largest part of an event loop's cost a page on a
 * busy machine), but a job taken waits longer before it starts: keep the
 * default when the time a job is handed out matters (a pause between
 * requests to one host, measured from the hand-out). A per-job worker
 * process (POOL_PROCESSES) is handed spares beyond the first only while its
 * jobs take under 2 ms: behind a slow job they would wait as long, while
 * other workers may have nothing to do. After a pool_stop()
 * the spares come back as POOL_JOB_INTERRUPTED, as the jobs never started
 * do in every mode. Returns 0, or POOL_EINVAL for a NULL pool, too many
 * jobs, or a pool that has run.
 */
int pool_set_spare_jobs(struct pool *pool, unsigned jobs);

/* Frees the pool; accepts NULL. Not to be called while pool_run() runs. */
void pool_free(struct pool *pool);

const char *pool_strerror(int err);
/*
 * After pool_run() returned POOL_ESYS: the system call that failed and why,
 * e.g. "cannot make a worker channel: Too many open files"; NULL if unknown.
 */
const char *pool_failure(const struct pool *pool);
const char *pool_mode_name(enum pool_mode mode);
/* Parses "thread(s)", "process(es)", "event(s)" or "hybrid"; returns 0 or POOL_EINVAL. */
int pool_mode_parse(const char *name, enum pool_mode *mode);

/* ==== 2. Per-job workers: POOL_THREADS and POOL_PROCESSES ==== */

/*
 * A per-job worker's life, in its own thread or forked process:
 *
 *   worker_init(ctx, worker, &state)      once; non-zero stops the pool (POOL_EINIT)
 *   repeat, one job at a time:
 *       work(ctx, state, job) -> result   the parent passes it to done()
 *   worker_fini(ctx, state)               once next_job() has no more jobs
 *
 * work stores a malloc'd result in *result (the pool frees it; NULL with
 * length 0 for none) and returns 0, or returns non-zero to fail the job.
 * These callbacks run in a worker and must not touch the parent's state.
 *
 * A worker thread that ends itself (pthread_exit) in work() fails its job
 * with "worker thread exited" and is replaced. A worker process that dies
 * fails its job with the cause ("worker killed by signal 9 (Killed)") and is
 * replaced; the job queued behind it goes to the replacement.
 *
 * A worker process holds only its channel to the parent, stdin and stdout
 * on /dev/null, and the parent's stderr: every other descriptor the parent
 * had open at fork (its output file, its job source, other workers'
 * channels) is closed before worker_init runs.
 */
typedef int pool_worker_init_cb(void *ctx, unsigned worker, void **state);
typedef void pool_worker_fini_cb(void *ctx, void *state);
typedef int pool_work_cb(void *ctx, void *state, const void *job, size_t job_len,
			 void **result, size_t *result_len);

/*
 * How long one job may run, in milliseconds (0, the default: no limit).
 * Returns 0, or POOL_EINVAL once the pool has run.
 *
 * In process and hybrid modes the parent enforces it: a worker whose job has run longer
 * (it hangs, or was stopped with SIGSTOP) is killed with SIGKILL and
 * replaced, and its job fails with "worker stopped responding (killed after
 * N s)". Thread and event modes ignore it: a thread cannot be killed safely,
 * so there work() or serve() must bound its own jobs.
 */
int pool_set_job_deadline(struct pool *pool, unsigned ms);

/* ==== 3. Loop workers: POOL_EVENTS and POOL_HYBRID ==== */

/*
 * A loop worker is a thread (POOL_EVENTS) or a forked process (POOL_HYBRID)
 * that runs its own event loop over up to pool_set_worker_jobs() jobs at a
 * time:
 *
 *   worker_init(ctx, worker, &state)      as in part 2
 *   serve(ctx, state, feed), which loops:
 *       pool_feed_take(feed, &task, &job) never blocks; it says
 *           POOL_FEED_JOB     start the job and keep its task
 *           POOL_FEED_EMPTY   nothing now: sleep on pool_feed_fd() beside
 *                             the worker's own descriptors
 *           POOL_FEED_CLOSED  no more jobs: finish those held, then return
 *       when a job ends, in any order:
 *           pool_feed_give(feed, task, rc, result)
 *   worker_fini(ctx, state)               after serve() returned
 *
 * pool_feed_fd() means something only after a take said POOL_FEED_EMPTY:
 * having given results back, take again before sleeping. serve returns 0
 * once a take has said POOL_FEED_CLOSED and every task taken has been given
 * back. Returning non-zero, or with tasks still held, fails those jobs and
 * stops the pool with POOL_EINIT; ending its thread (pthread_exit) fails
 * them with "worker thread exited" and starts a replacement.
 *
 * A loop worker process runs on its own copy of the parent's memory, like a
 * per-job one (part 2). Its results go back in one write at its next take,
 * and a few jobs wait in its channel behind those it holds, so that it never
 * waits for the parent; after a pool_stop(), a take reports those as
 * interrupted instead of returning them. When it dies, the jobs it may have
 * started (as many as it holds at once, the oldest) fail with the cause, and
 * a replacement takes the others: a job that made one worker crash is not
 * handed to the next. pool_set_job_deadline() holds for each job from when it
 * is among those the worker may run at once; one overdue job gets the whole
 * worker killed.
 */
struct pool_feed;
struct pool_task;

typedef int pool_serve_cb(void *ctx, void *state, struct pool_feed *feed);

/*
 * How many jobs a loop worker holds at once (1..POOL_MAX_WORKER_JOBS,
 * default 1); ignored by the other modes. Returns 0 or POOL_EINVAL.
 */
int pool_set_worker_jobs(struct pool *pool, unsigned jobs);

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

/* ==== 4. The callbacks ==== */

struct pool_callbacks {
	pool_next_cb *next_job;			/* required */
	pool_done_cb *done;			/* required */
	pool_work_cb *work;			/* required by per-job workers (part 2) */
	pool_serve_cb *serve;			/* required by loop workers (part 3) */
	pool_worker_init_cb *worker_init;	/* optional */
	pool_worker_fini_cb *worker_fini;	/* optional */
};

#endif
