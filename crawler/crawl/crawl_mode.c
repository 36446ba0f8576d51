/* crawl_mode.c -- the process, thread, event and hybrid modes of a crawl, each one table of operations */
#include "crawl_mode.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "loop.h"

/*
 * A worker process gets past --timeout only when it has stopped (SIGSTOP, a
 * hung library call): then the pool kills it. The grace covers the body's
 * last callbacks and the record's way back.
 */
enum { PROCESS_DEADLINE_GRACE_MS = 5000 };

/* Ctrl-C (and SIGTERM, SIGHUP) goes to the parent thread, whose read of the list it must interrupt. */
static void block_stop_signals(void)
{
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
}

/* Process and thread modes: one pool worker per URL in flight. */
static void size_one_each(struct crawl_plan *plan)
{
	plan->workers = plan->transfers;
	plan->worker_jobs = 1;
}

/* A job names a URL and what to do with it; its result is the visit's record. */
static int visit_job(void *ctx, void *state, const void *job, size_t job_len,
		     void **result, size_t *result_len)
{
	enum job_kind kind;
	uint64_t token;
	const char *url;

	(void)ctx;
	if (job_decode(job, job_len, &kind, &token, &url) < 0)
		return -1;
	return visit_run(state, kind, url, result, result_len);
}

static void visit_free_state(void *state)
{
	visit_free(state);
}

/*
 * How long one URL may take: one attempt within --timeout, or with --retry
 * attempts that start within --retry-max-time of the first and a last one
 * that runs its --timeout. Each is at most a day, so the deadlines fit.
 */
static long long job_limit_ms(const struct crawl_plan *plan)
{
	const struct fetch_options *f = &plan->visit.fetch;

	return f->timeout_ms + (f->retries > 0 ? f->retry_max_ms : 0);
}

/*
 * A worker process that finds its next URLs already in its channel lets the
 * parent nap through many results (process_pool.c): on 2 cores each wake-up
 * of the parent is a switch between processes, which costs more CPU than a
 * page's transfer (fetch only, 40,000 URLs, 8 workers: 1.87 s and 1.5 s of
 * system time with 1 spare URL a worker, 1.56 s and 1.05 s with 8). The pool
 * hands a worker process spares beyond the first only while its URLs are
 * fast (pool.h). Unless the plan says URLs must not be taken ahead
 * (crawl_mode.h).
 */
enum { PROCESS_SPARE_JOBS = 8 };

static int process_set_up(struct pool *pool, const struct crawl_plan *plan)
{
	int rc = plan->take_ahead ? pool_set_spare_jobs(pool, PROCESS_SPARE_JOBS) : 0;

	if (rc < 0)
		return rc;
	return pool_set_job_deadline(pool, (unsigned)(job_limit_ms(plan) +
						      PROCESS_DEADLINE_GRACE_MS));
}

static void *process_worker_new(const struct crawl_plan *plan, unsigned index)
{
	(void)index;
	return visit_new(&plan->visit);
}

/* A thread's transfer gives up by itself once the run is abandoned. */
static void *thread_worker_new(const struct crawl_plan *plan, unsigned index)
{
	struct visit_options opts = plan->visit;

	(void)index;
	block_stop_signals();
	opts.fetch.abandoned = plan->abandoned;
	opts.fetch.abandoned_ctx = plan->abandoned_ctx;
	return visit_new(&opts);
}

/*
 * One loop per online CPU, at most one per transfer: more loop threads than
 * cores would only take turns.
 */
static void event_size(struct crawl_plan *plan)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned loops = cpus < 1 ? 1 : (unsigned)cpus;

	if (loops > plan->transfers)
		loops = plan->transfers;
	plan->workers = loops;
	plan->worker_jobs = (plan->transfers + loops - 1) / loops;
}

/*
 * A loop that finds its next URLs already queued (or in its channel) lets
 * the parent sleep through many results: each wake-up of the parent is a
 * context switch, and on 2 cores the switches cost more CPU a page than the
 * transfers (fetch only, 8 transfers: 0.84x the CPU with 32 spare URLs a
 * loop against 3). Unless the plan says URLs must not be taken ahead
 * (crawl_mode.h). A stop never starts them (pool_stop()).
 */
enum { LOOP_SPARE_JOBS = 32 };

static int loop_set_up(struct pool *pool, const struct crawl_plan *plan)
{
	int rc = pool_set_worker_jobs(pool, plan->worker_jobs);

	if (rc == 0 && plan->take_ahead)
		rc = pool_set_spare_jobs(pool, LOOP_SPARE_JOBS);
	return rc;
}

/*
 * A job's clock starts once it is among those its loop may run, but a loop
 * given one transfer less than the others (3 over 2 loops) may make one of
 * them wait for a free transfer: one URL's time more.
 */
static int hybrid_set_up(struct pool *pool, const struct crawl_plan *plan)
{
	int rc = loop_set_up(pool, plan);

	if (rc < 0)
		return rc;
	return pool_set_job_deadline(pool, (unsigned)(2 * job_limit_ms(plan) +
						      PROCESS_DEADLINE_GRACE_MS));
}

/* The transfers split as evenly as they go: 3 over 2 loops is 2 + 1. */
static unsigned loop_share(const struct crawl_plan *plan, unsigned index)
{
	return plan->transfers / plan->workers + (index < plan->transfers % plan->workers);
}

static void *event_worker_new(const struct crawl_plan *plan, unsigned index)
{
	const struct loop_options opts = {
		.visit = plan->visit,
		.transfers = loop_share(plan, index),
		.abandoned = plan->abandoned,
		.abandoned_ctx = plan->abandoned_ctx,
	};

	block_stop_signals();
	return loop_new(&opts);
}

/* A loop in a worker process never sees the abandon: the pool kills it. */
static void *hybrid_worker_new(const struct crawl_plan *plan, unsigned index)
{
	const struct loop_options opts = {
		.visit = plan->visit,
		.transfers = loop_share(plan, index),
	};

	return loop_new(&opts);
}

static void event_worker_free(void *state)
{
	loop_free(state);
}

static int event_serve(void *ctx, void *state, struct pool_feed *feed)
{
	(void)ctx;
	return loop_serve(state, feed);
}

/*
 * Descriptors per URL in flight: its socket, and another while a connection
 * is replaced. A thread's transfer also keeps a multi handle of its own
 * (libcurl's wake-up socketpair and fetch_multi's epoll set); a worker
 * process holds those in its own table, and the parent only the worker's
 * channel.
 */
static const struct crawl_mode process_mode = {
	.pool_mode = POOL_PROCESSES,
	.unit = "worker",
	.fds_per_transfer = 2,
	.size = size_one_each,
	.set_up = process_set_up,
	.worker_new = process_worker_new,
	.worker_free = visit_free_state,
	.work = visit_job,
};

static const struct crawl_mode thread_mode = {
	.pool_mode = POOL_THREADS,
	.unit = "worker",
	.fds_per_transfer = 5,
	.size = size_one_each,
	.worker_new = thread_worker_new,
	.worker_free = visit_free_state,
	.work = visit_job,
};

static const struct crawl_mode hybrid_mode = {
	.pool_mode = POOL_HYBRID,
	.unit = "loop",
	.fds_per_transfer = 2,
	.size = event_size,
	.set_up = hybrid_set_up,
	.worker_new = hybrid_worker_new,
	.worker_free = event_worker_free,
	.serve = event_serve,
};

static const struct crawl_mode event_mode = {
	.pool_mode = POOL_EVENTS,
	.unit = "loop",
	.fds_per_transfer = 2,
	.size = event_size,
	.set_up = loop_set_up,
	.worker_new = event_worker_new,
	.worker_free = event_worker_free,
	.serve = event_serve,
};

const struct crawl_mode *crawl_mode_of(enum pool_mode mode)
{
	switch (mode) {
	case POOL_PROCESSES:
		return &process_mode;
	case POOL_EVENTS:
		return &event_mode;
	case POOL_HYBRID:
		return &hybrid_mode;
	default:
		return &thread_mode;
	}
}
