/* frontier.h -- which URL a crawl fetches next: seen URLs, per-host queues, politeness, robots.txt, depth and scope */
#ifndef CRAWLPOOL_FRONTIER_H
#define CRAWLPOOL_FRONTIER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The frontier knows URLs and hosts, not HTTP transfers and not the pool.
 * The crawl adds start URLs (or list lines) and the links its pages give,
 * asks for the next URL whenever a worker is free, and says when a URL's
 * row is written. A host is the scheme, host and port of a URL (its origin):
 * each has its own queue, so a host that must wait never holds back another.
 *
 *   frontier_add()   start URLs, list lines, found links -> queued, or not
 *   frontier_next()  -> a URL to fetch (a page, or a host's robots.txt first),
 *                       a URL robots.txt blocks (a row, no fetch), "wait
 *                       until", "nothing until a result comes", or done
 *   frontier_done()  after the URL's row is written: its host's slot is free
 */

enum frontier_scope {
	FRONTIER_SCOPE_HOST,	/* the origin of one of the start URLs */
	FRONTIER_SCOPE_DOMAIN,	/* the registrable domain of one of them (public suffix list) */
	FRONTIER_SCOPE_ANY,
};

struct frontier_options {
	bool follow;		/* false: a plain list, every line taken, none deduplicated */
	unsigned max_depth;	/* links away from a start URL */
	enum frontier_scope scope;
	const regex_t *include;	/* a found link must match one of these, if any */
	size_t n_include;
	const regex_t *exclude;	/* ... and none of these */
	size_t n_exclude;
	unsigned long max_pages;	/* URLs handed out at most; 0: no limit */
	unsigned per_host;	/* requests at once to one host; 0: no limit */
	long delay_ms;		/* least time between the starts of two requests to a host */
	bool robots;		/* fetch and obey each host's robots.txt */
	const char *product_token;	/* the name robots.txt groups are matched on */
};

/* What frontier_next() hands out. */
enum frontier_kind {
	FRONTIER_PAGE,		/* fetch url; its row follows */
	FRONTIER_ROBOTS,	/* fetch url, a host's robots.txt: give the answer to frontier_robots() */
	FRONTIER_BLOCKED,	/* robots.txt forbids url: write its row, fetch nothing */
};

struct frontier_url {
	enum frontier_kind kind;
	const char *url;	/* as fetched: normalised for found links, as given for start URLs */
	unsigned depth;		/* 0 for start URLs and list lines */
	unsigned redirects;	/* redirects that led here from a link or start URL (which have 0) */
	const char *referrer;	/* the page it was first found on; NULL for start URLs */
	const char *why;	/* FRONTIER_BLOCKED: what its row says (robots_why()) */
};

/* Redirects counted from a link or start URL: more cannot be kept (--max-redirects is at most 1000). */
enum { FRONTIER_REDIRECTS_MAX = 65535 };

enum frontier_verdict {
	FRONTIER_URL = 1,	/* *out is set */
	FRONTIER_WAIT = 2,	/* nothing is due before *wait_ms */
	FRONTIER_IDLE = 3,	/* nothing until a URL handed out is done */
	FRONTIER_DONE = 0,	/* nothing queued, nothing out */
	FRONTIER_ENOMEM = -1,
};

enum frontier_add_result {
	FRONTIER_ADDED = 1,
	FRONTIER_SEEN = 0,	/* already taken in this crawl */
	FRONTIER_OUT = 2,	/* out of scope, filtered or too deep */
	FRONTIER_FULL = 3,	/* past --max-pages */
	FRONTIER_INVALID = -2,	/* not an http(s) URL */
	/* FRONTIER_ENOMEM (-1) as above */
};

struct frontier;

/* A frontier with its options copied (the regexes are borrowed). NULL when out of memory. */
struct frontier *frontier_new(const struct frontier_options *opts);
void frontier_free(struct frontier *f);

/*
 * Adds a URL. A start URL (referrer NULL, depth 0) also defines the scope,
 * and is taken even if seen when the crawl follows no links. A found link
 * must be a normalised absolute URL. Returns a frontier_add_result.
 */
int frontier_add(struct frontier *f, const char *url, unsigned depth, const char *referrer);

/*
 * A redirect's target, as frontier_add() takes a found link: at the depth of
 * the URL that redirected (its referrer), the redirects-th redirect since a
 * link or start URL. The caller bounds the chain (--max-redirects).
 */
int frontier_add_redirect(struct frontier *f, const char *url, unsigned depth, unsigned redirects,
			  const char *referrer);

/*
 * A URL a stopped crawl had taken, as frontier_add() took it then (read back
 * from its state): seen, and counted for --max-pages; queued again unless
 * done (its row is in the output). Scope and filters are not asked again,
 * but a start URL (referrer NULL) still defines the scope. Returns
 * FRONTIER_ADDED, FRONTIER_SEEN (taken already), FRONTIER_INVALID or
 * FRONTIER_ENOMEM.
 */
int frontier_restore(struct frontier *f, const char *url, unsigned depth, unsigned redirects,
		     const char *referrer, bool done);

/* A plain list's line whose row a stopped crawl wrote (--resume): counted for --max-pages. */
void frontier_taken(struct frontier *f);
/* Whether --max-pages URLs are taken: no other URL will be. */
bool frontier_full(const struct frontier *f);

/*
 * The next URL to hand out at monotonic time now_ms; *out stays valid until
 * frontier_done() is called with it. Returns a frontier_verdict.
 */
int frontier_next(struct frontier *f, long long now_ms, const struct frontier_url **out,
		  long long *wait_ms);

/* The URL's row is written (a BLOCKED URL's too): its host may be asked again. */
void frontier_done(struct frontier *f, const struct frontier_url *u, long long now_ms);

/*
 * The answer to a FRONTIER_ROBOTS URL, before its frontier_done(): the HTTP
 * status and the body, or status 0 and the transfer's error when the host
 * could not be reached. 3xx (redirects left) and 4xx allow everything, 5xx
 * and no answer forbid everything on that host (robots_from_answer()).
 */
void frontier_robots(struct frontier *f, const struct frontier_url *u, long status,
		     const char *body, size_t len);

/*
 * For a frontier whose URLs are kept elsewhere (Redis, redis_frontier.h),
 * which asks this one's rules and queues nothing here.
 * frontier_admits(): would a found link (normalised) at depth be taken by
 * scope, filters and depth? FRONTIER_ADDED, FRONTIER_OUT or FRONTIER_INVALID.
 * frontier_scope_of(): what --scope compares for a start URL's origin (the
 * origin or its registrable domain; buf holds it when needed, size >= 288).
 * frontier_scope_add(): widens the scope by such a key. 0 or FRONTIER_ENOMEM.
 */
int frontier_admits(const struct frontier *f, const char *url, unsigned depth);
const char *frontier_scope_of(const struct frontier *f, const char *origin, char *buf,
			      size_t size);
int frontier_scope_add(struct frontier *f, const char *key);

/* Whether --include and --exclude leave out a URL (normalised, absolute), whatever its scope. */
bool frontier_filters_out(const struct frontier *f, const char *url);

/* Whether the crawl follows links (its rows then say depth and referrer). */
bool frontier_following(const struct frontier *f);

/* URLs waiting in host queues, and URLs handed out and not yet done. */
size_t frontier_queued(const struct frontier *f);
size_t frontier_out(const struct frontier *f);

#endif
