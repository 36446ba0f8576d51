/* frontier.c -- the frontier in memory: seen set, scope, per-host queues in a ready heap, robots.txt */
#include "frontier.h"

#include <libpsl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "robots.h"
#include "seen.h"
#include "urlnorm.h"

/* Longest origin: scheme, "://", a host name of at most 253 bytes, ":65535". */
enum { ORIGIN_MAX = 288 };

/* A URL handed out: what the crawl sees, and the entry behind it. */
struct ticket {
	struct frontier_url view;	/* first: the crawl's pointer is the ticket's */
	struct entry *entry;
	struct host *host;
};

/*
 * The links of one page mostly share one origin: the last origin a link had
 * keeps its scope verdict and its host, so the next link of it skips the
 * scope set's hash and the host table.
 */
struct origin_memo {
	char origin[ORIGIN_MAX];	/* "" when none is kept */
	bool in_scope;
	struct host *host;		/* NULL until a URL of it is queued */
};

struct frontier {
	struct frontier_options opts;
	struct hosts *hosts;
	struct seen *seen;		/* normalised URLs taken (following links only) */
	struct seen *scope;		/* start origins or registrable domains */
	struct referrer *last_referrer;	/* the page whose links are being added */
	struct origin_memo memo;
	size_t queued, out;
	unsigned long taken;		/* URLs taken in, for --max-pages */
};

struct frontier *frontier_new(const struct frontier_options *opts)
{
	struct frontier *f = calloc(1, sizeof(*f));
	struct fp_key seen_key, scope_key;

	if (!f)
		return NULL;
	f->opts = *opts;
	f->hosts = hosts_new();
	fp_key_new(&seen_key);
	fp_key_new(&scope_key);
	f->seen = seen_new(&seen_key);
	f->scope = seen_new(&scope_key);
	if (!f->hosts || !f->seen || !f->scope) {
		frontier_free(f);
		return NULL;
	}
	return f;
}

static void referrer_put(struct referrer *r)
{
	if (r && --r->refs == 0)
		free(r);
}

static void entry_free(struct entry *e)
{
	referrer_put(e->referrer);
	free(e);
}

void frontier_free(struct frontier *f)
{
	if (!f)
		return;
	hosts_free(f->hosts, entry_free);
	referrer_put(f->last_referrer);
	seen_free(f->seen);
	seen_free(f->scope);
	free(f);
}

/* The host of an origin "scheme://host:port", without brackets, into buf. */
static const char *origin_host(const char *origin, char *buf, size_t size)
{
	const char *start = strstr(origin, "://"), *end = strrchr(origin, ':');
	size_t len;

	start = start ? start + 3 : origin;
	if (!end || end < start)
		end = origin + strlen(origin);
	if (*start == '[' && end > start && end[-1] == ']') {
		start++;
		end--;
	}
	len = (size_t)(end - start) < size ? (size_t)(end - start) : size - 1;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return buf;
}

/*
 * An IPv4 address as a normalised URL writes it: digits and dots only
 * (libcurl writes "127.1" and "0x7f.1" as "127.0.0.1").
 */
static bool host_is_ipv4(const char *host)
{
	return host[0] && host[strspn(host, "0123456789.")] == '\0';
}

/* What --scope compares: the origin itself, its registrable domain, or nothing. */
static const char *scope_key(const struct frontier *f, const char *origin, char *buf, size_t size)
{
	const char *host, *domain;

	if (f->opts.scope == FRONTIER_SCOPE_HOST)
		return origin;
	host = origin_host(origin, buf, size);
	/* libpsl reads 127.0.0.1 as a name whose domain is "0.1", shared by 10.0.0.1 */
	if (host_is_ipv4(host))
		return host;
	domain = psl_registrable_domain(psl_builtin(), host);
	/* an IPv6 address or a bare public suffix is its own domain */
	return domain ? domain : host;
}

static bool frontier_in_scope(const struct frontier *f, const char *origin)
{
	char buf[ORIGIN_MAX];
	const char *key;

	if (f->opts.scope == FRONTIER_SCOPE_ANY)
		return true;
	key = scope_key(f, origin, buf, sizeof(buf));
	return seen_has(f->scope, key, strlen(key));
}

/* The scope grew: a verdict kept may be out of date. */
static void frontier_forget_origin(struct frontier *f)
{
	f->memo.origin[0] = '\0';
	f->memo.host = NULL;
}

/* frontier_in_scope(), the last origin's verdict kept. */
static bool frontier_origin_in_scope(struct frontier *f, const char *origin)
{
	struct origin_memo *m = &f->memo;

	if (strcmp(m->origin, origin) != 0) {
		snprintf(m->origin, sizeof(m->origin), "%s", origin);
		m->in_scope = frontier_in_scope(f, origin);
		m->host = NULL;
	}
	return m->in_scope;
}

/* hosts_get(), the last origin's host kept (hosts live as long as the frontier). */
static struct host *frontier_host(struct frontier *f, const char *origin)
{
	struct origin_memo *m = &f->memo;
	bool remembered = strcmp(m->origin, origin) == 0;
	struct host *h;

	if (remembered && m->host)
		return m->host;
	h = hosts_get(f->hosts, origin, f->opts.robots ? ROBOTS_UNKNOWN : ROBOTS_NOT_ASKED,
		      f->opts.delay_ms);
	if (remembered)
		m->host = h;
	return h;
}

bool frontier_filters_out(const struct frontier *f, const char *url)
{
	bool included = f->opts.n_include == 0;

	for (size_t i = 0; i < f->opts.n_include && !included; i++)
		included = regexec(&f->opts.include[i], url, 0, NULL, 0) == 0;
	if (!included)
		return true;
	for (size_t i = 0; i < f->opts.n_exclude; i++)
		if (regexec(&f->opts.exclude[i], url, 0, NULL, 0) == 0)
			return true;
	return false;
}

/* Every link of one page shares one copy of the page's URL. */
static struct referrer *referrer_get(struct frontier *f, const char *url)
{
	struct referrer *r = f->last_referrer;
	size_t len;

	if (r && strcmp(r->url, url) == 0) {
		r->refs++;
		return r;
	}
	len = strlen(url);
	r = malloc(sizeof(*r) + len + 1);
	if (!r)
		return NULL;
	memcpy(r->url, url, len + 1);
	r->refs = 2;		/* the entry's and last_referrer's */
	referrer_put(f->last_referrer);
	f->last_referrer = r;
	return r;
}

static bool host_ready(const struct frontier *f, const struct host *h)
{
	if (h->queued == 0 || h->robots_state == ROBOTS_FETCHING)
		return false;
	return f->opts.per_host == 0 || h->out < f->opts.per_host;
}

static int frontier_queue(struct frontier *f, const char *url, const char *origin, unsigned depth,
			  unsigned redirects, const char *referrer, bool given)
{
	size_t len = strlen(url);
	struct entry *e;
	struct host *h;

	h = frontier_host(f, origin);
	e = calloc(1, sizeof(*e) + len + 1);
	if (!h || !e)
		goto out_free;
	memcpy(e->url, url, len + 1);
	e->depth = depth;
	e->redirects = (unsigned short)(redirects < FRONTIER_REDIRECTS_MAX ? redirects :
					FRONTIER_REDIRECTS_MAX);
	e->given = given;
	if (referrer) {
		e->referrer = referrer_get(f, referrer);
		if (!e->referrer)
			goto out_free;
	}
	host_enqueue(h, e);
	f->queued++;
	f->taken++;
	if (host_ready(f, h) && h->heap_at == HOSTS_NOT_READY && hosts_ready(f->hosts, h) < 0)
		return FRONTIER_ENOMEM;
	return FRONTIER_ADDED;

out_free:
	free(e);
	return FRONTIER_ENOMEM;
}

/* A start URL or list line: queued as given, and in scope by definition. */
static int frontier_add_start(struct frontier *f, const char *url)
{
	char origin[ORIGIN_MAX], buf[ORIGIN_MAX];
	const char *key;
	char *norm = NULL;
	int rc = urlnorm_resolve(NULL, url, &norm);

	if (rc == URLNORM_ENOMEM)
		return FRONTIER_ENOMEM;
	if (rc != URLNORM_OK || urlnorm_origin(norm, origin, sizeof(origin)) < 0) {
		free(norm);
		return FRONTIER_INVALID;
	}
	rc = FRONTIER_ADDED;
	if (f->opts.follow) {
		key = scope_key(f, origin, buf, sizeof(buf));
		frontier_forget_origin(f);
		if (seen_add(f->scope, key, strlen(key)) < 0)
			rc = FRONTIER_ENOMEM;
		else if (frontier_full(f))
			rc = FRONTIER_FULL;
		else
			rc = seen_add(f->seen, norm, strlen(norm));
		if (rc < 0)
			rc = FRONTIER_ENOMEM;
		else if (rc == 0)
			rc = FRONTIER_SEEN;
	} else if (frontier_full(f)) {
		/* a plain list: its first N URLs, as a shared frontier takes them */
		rc = FRONTIER_FULL;
	}
	free(norm);
	if (rc != FRONTIER_ADDED)
		return rc;
	return frontier_queue(f, url, origin, 0, 0, NULL, true);
}

/* A found link or a redirect's target: in scope, filtered, and not seen before. */
static int frontier_add_found(struct frontier *f, const char *url, unsigned depth,
			      unsigned redirects, const char *referrer)
{
	char origin[ORIGIN_MAX];
	int rc;

	if (depth > f->opts.max_depth)
		return FRONTIER_OUT;
	if (urlnorm_origin(url, origin, sizeof(origin)) < 0)
		return FRONTIER_INVALID;
	if (!frontier_origin_in_scope(f, origin) || frontier_filters_out(f, url))
		return FRONTIER_OUT;
	if (frontier_full(f))
		return FRONTIER_FULL;
	rc = seen_add(f->seen, url, strlen(url));
	if (rc <= 0)
		return rc < 0 ? FRONTIER_ENOMEM : FRONTIER_SEEN;
	return frontier_queue(f, url, origin, depth, redirects, referrer, false);
}

int frontier_add(struct frontier *f, const char *url, unsigned depth, const char *referrer)
{
	if (!referrer)
		return frontier_add_start(f, url);
	return frontier_add_found(f, url, depth, 0, referrer);
}

int frontier_add_redirect(struct frontier *f, const char *url, unsigned depth, unsigned redirects,
			  const char *referrer)
{
	return frontier_add_found(f, url, depth, redirects, referrer);
}

void frontier_taken(struct frontier *f)
{
	f->taken++;
}

bool frontier_full(const struct frontier *f)
{
	return f->opts.max_pages && f->taken >= f->opts.max_pages;
}

int frontier_restore(struct frontier *f, const char *url, unsigned depth, unsigned redirects,
		     const char *referrer, bool done)
{
	char origin[ORIGIN_MAX], buf[ORIGIN_MAX];
	const char *key = url;
	char *norm = NULL;
	int rc;

	if (!referrer) {
		rc = urlnorm_resolve(NULL, url, &norm);
		if (rc == URLNORM_ENOMEM)
			return FRONTIER_ENOMEM;
		key = norm;
	}
	rc = FRONTIER_INVALID;
	if (!key || urlnorm_origin(key, origin, sizeof(origin)) < 0)
		goto out;
	rc = FRONTIER_ENOMEM;
	if (!referrer) {
		const char *scope = scope_key(f, origin, buf, sizeof(buf));

		frontier_forget_origin(f);
		if (seen_add(f->scope, scope, strlen(scope)) < 0)
			goto out;
	}
	rc = seen_add(f->seen, key, strlen(key));
	if (rc <= 0) {
		rc = rc < 0 ? FRONTIER_ENOMEM : FRONTIER_SEEN;
		goto out;
	}
	if (done) {
		f->taken++;
		rc = FRONTIER_ADDED;
	} else {
		rc = frontier_queue(f, url, origin, depth, redirects, referrer, !referrer);
	}
out:
	free(norm);
	return rc;
}

static const struct frontier_url *frontier_hand(struct frontier *f, struct host *h, struct entry *e,
						enum frontier_kind kind, const char *url)
{
	struct ticket *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->entry = e;
	t->host = h;
	t->view = (struct frontier_url){
		.kind = kind,
		.url = url,
		.depth = e ? e->depth : 0,
		.redirects = e ? e->redirects : 0,
		.referrer = e && e->referrer ? e->referrer->url : NULL,
		.why = kind == FRONTIER_BLOCKED ? robots_why(h->robots) : NULL,
	};
	f->out++;
	return &t->view;
}

/* The host's robots.txt, the first request it gets. */
static const struct frontier_url *frontier_hand_robots(struct frontier *f, struct host *h)
{
	size_t len = strlen(h->origin);
	struct entry *e = calloc(1, sizeof(*e) + len + sizeof("/robots.txt"));
	const struct frontier_url *u;

	if (!e)
		return NULL;
	memcpy(e->url, h->origin, len);
	memcpy(e->url + len, "/robots.txt", sizeof("/robots.txt"));
	e->host = h;
	u = frontier_hand(f, h, e, FRONTIER_ROBOTS, e->url);
	if (!u)
		free(e);
	return u;
}

/* Does the host's robots.txt let this entry be fetched? */
static bool frontier_allowed(const struct host *h, const struct entry *e)
{
	char *norm = NULL;
	bool allowed;

	if (h->robots_state != ROBOTS_KNOWN || !h->robots)
		return true;
	if (!e->given)
		return robots_allowed(h->robots, urlnorm_path(e->url));
	/* a start URL is kept as given: its path is compared normalised */
	if (urlnorm_resolve(NULL, e->url, &norm) != URLNORM_OK)
		return true;
	allowed = robots_allowed(h->robots, urlnorm_path(norm));
	free(norm);
	return allowed;
}

int frontier_next(struct frontier *f, long long now_ms, const struct frontier_url **out,
		  long long *wait_ms)
{
	const struct frontier_url *u;
	struct host *h = hosts_first(f->hosts);
	struct entry *e;

	if (!h)
		return f->out ? FRONTIER_IDLE : FRONTIER_DONE;
	if (h->due_ms > now_ms) {
		*wait_ms = h->due_ms - now_ms;
		return FRONTIER_WAIT;
	}
	if (h->robots_state == ROBOTS_UNKNOWN) {
		u = frontier_hand_robots(f, h);
		if (!u)
			return FRONTIER_ENOMEM;
		h->robots_state = ROBOTS_FETCHING;
	} else {
		e = host_dequeue(h);
		f->queued--;
		if (!frontier_allowed(h, e)) {
			/* no request: neither a slot nor the delay is spent */
			u = frontier_hand(f, h, e, FRONTIER_BLOCKED, e->url);
			if (!u) {
				entry_free(e);
				return FRONTIER_ENOMEM;
			}
			if (!host_ready(f, h))
				hosts_unready(f->hosts, h);
			*out = u;
			return FRONTIER_URL;
		}
		u = frontier_hand(f, h, e, FRONTIER_PAGE, e->url);
		if (!u) {
			entry_free(e);
			return FRONTIER_ENOMEM;
		}
	}
	h->out++;
	h->last_start_ms = now_ms;
	h->due_ms = now_ms + h->delay_ms;
	if (host_ready(f, h))
		hosts_ready(f->hosts, h);
	else
		hosts_unready(f->hosts, h);
	*out = u;
	return FRONTIER_URL;
}

void frontier_robots(struct frontier *f, const struct frontier_url *u, long status,
		     const char *body, size_t len)
{
	struct ticket *t = (struct ticket *)u;
	struct host *h = t->host;
	long delay;

	if (u->kind != FRONTIER_ROBOTS || h->robots_state == ROBOTS_KNOWN)
		return;
	robots_free(h->robots);
	h->robots = robots_from_answer(status, body, len, f->opts.product_token);
	h->robots_state = ROBOTS_KNOWN;
	delay = h->robots ? robots_crawl_delay_ms(h->robots) : -1;
	if (delay > h->delay_ms) {
		/* the robots.txt request itself was the last one to start */
		h->delay_ms = delay;
		h->due_ms = h->last_start_ms + delay;
	}
}

void frontier_done(struct frontier *f, const struct frontier_url *u, long long now_ms)
{
	struct ticket *t = (struct ticket *)u;
	struct host *h = t->host;

	(void)now_ms;
	f->out--;
	if (u->kind != FRONTIER_BLOCKED)
		h->out--;
	/* a robots.txt fetch that ended without an answer counts as unreachable */
	if (u->kind == FRONTIER_ROBOTS && h->robots_state == ROBOTS_FETCHING)
		frontier_robots(f, u, 0, NULL, 0);
	entry_free(t->entry);
	free(t);
	if (host_ready(f, h))
		hosts_ready(f->hosts, h);
}

bool frontier_following(const struct frontier *f)
{
	return f->opts.follow;
}

size_t frontier_queued(const struct frontier *f)
{
	return f->queued;
}

size_t frontier_out(const struct frontier *f)
{
	return f->out;
}

/* For a frontier kept elsewhere (redis_frontier.c): these rules decide, the store keeps the URLs. */
int frontier_admits(const struct frontier *f, const char *url, unsigned depth)
{
	char origin[ORIGIN_MAX];

	if (urlnorm_origin(url, origin, sizeof(origin)) < 0)
		return FRONTIER_INVALID;
	if (depth > f->opts.max_depth || !frontier_in_scope(f, origin) ||
	    frontier_filters_out(f, url))
		return FRONTIER_OUT;
	return FRONTIER_ADDED;
}

const char *frontier_scope_of(const struct frontier *f, const char *origin, char *buf,
			      size_t size)
{
	return scope_key(f, origin, buf, size);
}

int frontier_scope_add(struct frontier *f, const char *key)
{
	frontier_forget_origin(f);
	return seen_add(f->scope, key, strlen(key)) < 0 ? FRONTIER_ENOMEM : 0;
}
