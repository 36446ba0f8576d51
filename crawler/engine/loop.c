/* loop.c -- a loop worker: one thread keeps many URLs in flight over one fetch_multi, a visit for each */
#include "loop.h"

#include <stdlib.h>

/*
 * The longest sleep in one wait. Nothing wakes the loop when the pool
 * abandons its jobs while it has no room for more (then it does not watch
 * the feed), so this bounds how long a second Ctrl-C waits.
 */
enum { LOOP_WAKE_MS = 200 };

struct loop_slot {
	struct visit *visit;
	struct pool_task *task;		/* the job in flight; NULL when free */
};

struct loop {
	struct fetch_multi *multi;
	struct loop_slot *slots;
	unsigned *idle;			/* indexes of free slots, a stack */
	unsigned n_slots, n_idle;
	bool (*abandoned)(void *ctx);
	void *abandoned_ctx;
};

struct loop *loop_new(const struct loop_options *opts)
{
	struct loop *l;

	if (opts->transfers < 1 || opts->transfers > POOL_MAX_WORKER_JOBS)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->abandoned = opts->abandoned;
	l->abandoned_ctx = opts->abandoned_ctx;
	l->slots = calloc(opts->transfers, sizeof(*l->slots));
	l->idle = calloc(opts->transfers, sizeof(*l->idle));
	l->multi = fetch_multi_new(opts->transfers);
	if (!l->slots || !l->idle || !l->multi)
		goto out_free;
	for (; l->n_slots < opts->transfers; l->n_slots++) {
		l->slots[l->n_slots].visit = visit_new(&opts->visit);
		if (!l->slots[l->n_slots].visit)
			goto out_free;
		l->idle[l->n_idle++] = l->n_slots;
	}
	return l;

out_free:
	loop_free(l);
	return NULL;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (unsigned i = 0; i < l->n_slots; i++)
		visit_free(l->slots[i].visit);
	fetch_multi_free(l->multi);
	free(l->idle);
	free(l->slots);
	free(l);
}

static unsigned loop_busy(const struct loop *l)
{
	return l->n_slots - l->n_idle;
}

static void loop_release(struct loop *l, struct loop_slot *s)
{
	s->task = NULL;
	l->idle[l->n_idle++] = (unsigned)(s - l->slots);
}

/* Gives back the record of the slot's ended transfer (res NULL: it never ran). */
static void loop_give(struct loop *l, struct pool_feed *feed, struct loop_slot *s,
		      struct pool_task *task, const struct fetch_result *res)
{
	void *blob = NULL;
	size_t len = 0;
	int rc = visit_finish(s->visit, res, &blob, &len);

	pool_feed_give(feed, task, rc, rc == 0 ? blob : NULL, rc == 0 ? len : 0);
	loop_release(l, s);
}

static void loop_start(struct loop *l, struct pool_feed *feed, struct pool_task *task,
		       const void *job, size_t job_len)
{
	enum job_kind kind;
	uint64_t token;
	const char *url;
	struct loop_slot *s;

	if (job_decode(job, job_len, &kind, &token, &url) < 0) {
		pool_feed_give(feed, task, -1, NULL, 0);
		return;
	}
	s = &l->slots[l->idle[--l->n_idle]];
	if (visit_start(s->visit, kind, url) < 0 ||
	    fetch_multi_add(l->multi, visit_fetch(s->visit), s) < 0) {
		loop_give(l, feed, s, task, NULL);
		return;
	}
	s->task = task;
}

/* Every transfer in flight stops; its job goes back as failed. */
static void loop_drop_all(struct loop *l, struct pool_feed *feed)
{
	for (unsigned i = 0; i < l->n_slots; i++) {
		struct loop_slot *s = &l->slots[i];

		if (!s->task)
			continue;
		fetch_multi_drop(l->multi, visit_fetch(s->visit));
		pool_feed_give(feed, s->task, -1, NULL, 0);
		loop_release(l, s);
	}
}

/* Takes jobs while a visit is free; returns false once the feed is closed. */
static bool loop_fill(struct loop *l, struct pool_feed *feed, bool abandoned)
{
	struct pool_task *task;
	const void *job;
	size_t len;

	while (l->n_idle > 0) {
		switch (pool_feed_take(feed, &task, &job, &len)) {
		case POOL_FEED_JOB:
			if (abandoned)
				pool_feed_give(feed, task, -1, NULL, 0);
			else
				loop_start(l, feed, task, job, len);
			break;
		case POOL_FEED_EMPTY:
			return true;
		default:
			return false;
		}
	}
	return true;
}

int loop_serve(struct loop *l, struct pool_feed *feed)
{
	struct fetch_result res;
	struct loop_slot *s;
	bool open = true;

	for (;;) {
		bool abandoned = l->abandoned && l->abandoned(l->abandoned_ctx);

		if (abandoned)
			loop_drop_all(l, feed);
		if (open)
			open = loop_fill(l, feed, abandoned);
		if (!open && loop_busy(l) == 0)
			return 0;
		/* the feed is watched only while there is room for what it brings */
		if (fetch_multi_run(l->multi, open && l->n_idle > 0 ? pool_feed_fd(feed) : -1,
				    LOOP_WAKE_MS) < 0) {
			loop_drop_all(l, feed);
			return -1;
		}
		while ((s = fetch_multi_done(l->multi, &res)) != NULL)
			loop_give(l, feed, s, s->task, &res);
	}
}
