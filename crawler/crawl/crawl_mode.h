/* crawl_mode.h -- what each pool mode does in a crawl: one table of operations per mode */
#ifndef CRAWLPOOL_CRAWL_MODE_H
#define CRAWLPOOL_CRAWL_MODE_H

#include <stdbool.h>
#include <stddef.h>

#include "pool.h"
#include "visit.h"

/* What every mode is given by the crawl. */
struct crawl_plan {
	struct visit_options visit;	/* each URL's limits, and whether it is parsed */
	unsigned transfers;		/* --workers: URLs in flight at once */
	unsigned workers;		/* pool workers, as the mode's size() chose */
	unsigned worker_jobs;		/* jobs one pool worker holds at once */
	/*
	 * URLs may be taken well before they start: not when a host's requests
	 * are spaced in time (--delay, robots.txt's Crawl-delay), nor when other
	 * instances share the frontier and could start them now
	 */
	bool take_ahead;
	/* true once the pool has abandoned its jobs: in-flight work may give up */
	bool (*abandoned)(void *ctx);
	void *abandoned_ctx;
};

/*
 * A mode's operations, in the order a crawl calls them:
 *   size()        how many pool workers carry plan->transfers, and how many jobs each holds
 *   set_up()      settings of the pool before it runs (may be NULL)
 *   worker_new()  in each pool worker: the state its jobs run on
 *   work/serve    the pool's per-job or loop callback (exactly one is set; they
 *                 ignore the pool's ctx and run on the worker's state)
 *   worker_free() in each pool worker, at its end
 * Abandoning is each mode's own: a thread's transfer polls plan->abandoned,
 * a loop drops its transfers between waits, a process is killed by the pool.
 */
struct crawl_mode {
	enum pool_mode pool_mode;
	const char *unit;		/* what plan->workers counts: "worker", "loop" */
	unsigned fds_per_transfer;	/* descriptors one URL in flight may hold in this process */
	void (*size)(struct crawl_plan *plan);
	int (*set_up)(struct pool *pool, const struct crawl_plan *plan);
	void *(*worker_new)(const struct crawl_plan *plan, unsigned index);
	void (*worker_free)(void *state);
	pool_work_cb *work;
	pool_serve_cb *serve;
};

/* The table of a pool mode. */
const struct crawl_mode *crawl_mode_of(enum pool_mode mode);

#endif
