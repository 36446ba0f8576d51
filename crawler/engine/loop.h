/* loop.h -- a loop worker: one thread keeps many URLs in flight over one fetch_multi, a visit for each */
#ifndef CRAWLPOOL_LOOP_H
#define CRAWLPOOL_LOOP_H

#include <stdbool.h>

#include "pool.h"
#include "visit.h"

struct loop_options {
	struct visit_options visit;	/* each transfer's limits, and whether it is parsed */
	unsigned transfers;		/* URLs at once, 1..POOL_MAX_WORKER_JOBS */
	/* Polled between waits; true drops every transfer (the pool has abandoned them). */
	bool (*abandoned)(void *ctx);
	void *abandoned_ctx;
};

struct loop;

/* A loop with its own connections and `transfers` visits. NULL on failure. */
struct loop *loop_new(const struct loop_options *opts);
/* Frees the loop; accepts NULL. Not while loop_serve() runs. */
void loop_free(struct loop *l);

/*
 * The pool_serve_cb body: takes jobs (job.h) from feed while
 * a visit is free, runs their transfers side by side, gives each record
 * back as soon as its transfer ends, and returns 0 once the feed is closed
 * and every job was given back; -1 if curl failed (jobs still held are
 * given back as failed first). A blob that is not a job
 * is given back as failed.
 */
int loop_serve(struct loop *l, struct pool_feed *feed);

#endif
