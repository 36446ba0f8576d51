/* redis_frontier_impl.h -- the insides of the Redis frontier's handle, shared by its files (verbs, round trip, report, scan, drop) */
#ifndef CRAWLPOOL_REDIS_FRONTIER_IMPL_H
#define CRAWLPOOL_REDIS_FRONTIER_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "redis_frontier.h"
#include "redis_link.h"

/* A URL leased to this instance: what the crawl sees, and what Redis knows it by. */
struct rf_item {
	struct frontier_url view;	/* first: the crawl's pointer is the item's */
	struct rf_item *prev, *next;
	bool robots;			/* a host's robots.txt, not a page */
	bool answered;			/* its answer is buffered already */
	const char *member;		/* as leased: the normalised URL, or "robots ORIGIN" */
	const char *origin;
	char buf[];
};

struct rf_list {
	struct rf_item *head, *tail;
	size_t n;
};

/* Arguments buffered for the next script call, copied. */
struct rf_args {
	char **v;
	size_t *len;
	size_t n, cap;
};

struct redis_frontier {
	struct redis_link *link;
	struct redis_script open, sync, status;	/* each knows its SHA1 once loaded */
	char prefix[256];		/* "NAME:" */
	char inst[24];			/* this instance's id */
	bool joined;			/* false: looking only */
	struct frontier_options opts;
	struct frontier *rules;		/* scope, filters and depth decide here */
	struct hosts *verdicts;		/* each host's robots.txt, as read from Redis once */
	long lease_ms, poll_ms;
	unsigned lease_batch;
	unsigned long max_pages;	/* counted in Redis, not by rules */
	bool scope_stale;		/* Redis has scope keys this instance has not read */
	struct rf_args adds, acks;
	struct rf_list ready;		/* leased, not handed out yet */
	struct rf_list hand;		/* handed out, not done */
	long long first_pending_ms;	/* when buffered adds or acks were first seen, or 0 */
	long long renewed_ms;		/* last renewal */
	long long ask_ms;		/* no lease request before this */
	long long remote_queued, remote_leased;
	bool begun;			/* a URL or list line ever entered the crawl */
	size_t scope_known;		/* scope keys read from Redis */
	int last_add;			/* Redis's answer to the last add sent */
	char error[512];
};

/* Buffered arguments, copied: 0 or -1 when out of memory. */
int rf_args_push(struct rf_args *a, const char *s, size_t len);
int rf_args_pushs(struct rf_args *a, const char *s);
/* Back to n arguments (a group half pushed when memory ran out). */
void rf_args_cut(struct rf_args *a, size_t n);
void rf_args_free(struct rf_args *a);

void rf_list_push(struct rf_list *l, struct rf_item *it);
void rf_list_remove(struct rf_list *l, struct rf_item *it);
void rf_list_free(struct rf_list *l);

/* A script call (the crawl's prefix put in argv[0]); a command. 0, or an error with rf->error set. */
int rf_eval(struct redis_frontier *rf, struct redis_script *s, int argc, const char **argv,
	    size_t *lens, struct redis_reply **reply);
int rf_command(struct redis_frontier *rf, int argc, const char *const *argv, const size_t *lens,
	       struct redis_reply **reply);

/*
 * The round trip (redis_sync.c): sends every buffered add and ack, renews
 * the leases in hand when a third of the lease has passed, and leases up
 * to n_lease URLs into rf->ready. 0 or an error; what failed stays buffered.
 */
int rf_sync(struct redis_frontier *rf, long long now_ms, unsigned n_lease);
/* Reads the scope keys other instances' start URLs added. */
int rf_read_scope(struct redis_frontier *rf);

/*
 * Every key matching the SCAN pattern, a reply's array of keys at a time,
 * to cb (0 to go on, an error to stop). A key may come twice. 0 or an error.
 */
typedef int rf_scan_cb(void *ctx, const struct redis_reply *keys);
int rf_scan(struct redis_frontier *rf, const char *pattern, rf_scan_cb *cb, void *ctx);
/* s as a SCAN pattern that matches it alone (glob's special characters escaped), then tail as is. */
void rf_glob_escape(const char *s, const char *tail, char *buf, size_t size);

#endif
