/* visit.c -- one URL visited: fetched, its body fed to the parser as it arrives, its record encoded */
#include "visit.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "record.h"
#include "urlnorm.h"

/*
 * Links taken from one page at most, and the bytes of their targets: a page
 * of a million links adds ten thousand to the crawl, not a million.
 */
#define VISIT_LINKS_MAX 10000u
#define VISIT_LINK_BYTES_MAX (4u << 20)
/* Redirects a robots.txt request follows at least, whatever --max-redirects says. */
#define VISIT_ROBOTS_REDIRECTS 5L

/* A growable byte buffer with a ceiling. */
struct visit_buf {
	char *data;
	size_t len, cap;
};

struct visit {
	struct fetch *fetch;
	struct fetch_sink sink;	/* the body goes to visit_begin and visit_data */
	struct parse *parse;	/* NULL with --no-parse */
	enum job_kind kind;	/* of the current URL */
	bool begun;		/* the current body has started */
	bool parsing;		/* ... and is going to the parser */
	char *body;		/* a robots.txt's body, up to VISIT_BODY_MAX */
	size_t body_len;
	bool body_failed;	/* out of memory keeping it */
	bool body_full;		/* VISIT_BODY_MAX kept: the transfer was stopped there */
	bool follow, ignore_nofollow;
	const char *url;	/* the current job's, until visit_finish() */
	struct visit_buf hrefs;	/* the page's link targets as written, NUL-separated */
	unsigned n_hrefs;
	struct visit_buf found;	/* the record's links: resolved, normalised, one a line */
};

/* Appends len bytes and then `end`; false past the ceiling or out of memory. */
static bool visit_buf_add(struct visit_buf *b, const char *p, size_t len, char end)
{
	if (len + 1 > VISIT_LINK_BYTES_MAX - b->len)
		return false;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *data;

		while (cap < b->len + len + 1)
			cap *= 2;
		data = realloc(b->data, cap);
		if (!data)
			return false;
		b->data = data;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len++] = end;
	return true;
}

static void visit_link(void *ctx, const char *href, bool nofollow)
{
	struct visit *v = ctx;

	if ((nofollow && !v->ignore_nofollow) || v->n_hrefs >= VISIT_LINKS_MAX)
		return;
	if (visit_buf_add(&v->hrefs, href, strlen(href), '\0'))
		v->n_hrefs++;
}

/*
 * The URL the links of page resolve against, into *base (malloc'd) when it
 * is its <base href>: the page itself when there is none or it is no URL, as
 * browsers do, and NULL when it is too long to hold, which leaves only the
 * absolute links (a shorter base would make other URLs of the rest).
 */
static const char *visit_base(const char *page, const struct parse_facts *facts, char **base)
{
	if (facts->base_cut)
		return NULL;
	if (!facts->base[0])
		return page;
	switch (urlnorm_resolve(page, facts->base, base)) {
	case URLNORM_OK:
		return *base;
	case URLNORM_TOO_LONG:
		return NULL;
	default:
		return page;
	}
}

/*
 * The links to follow: each target resolved against the page's base (its
 * <base href>, itself resolved against the final URL) and normalised; other
 * schemes and broken targets are dropped. NULL when there are none.
 */
static const char *visit_links(struct visit *v, const char *page, const struct parse_facts *facts)
{
	char *base = NULL, *link;
	const char *href = v->hrefs.data;
	struct urlnorm_base from;

	v->found.len = 0;
	if ((facts->nofollow && !v->ignore_nofollow) || !page)
		return NULL;
	/* every link of the page against one base: read once */
	urlnorm_base_set(&from, visit_base(page, facts, &base));
	for (unsigned i = 0; i < v->n_hrefs; i++, href += strlen(href) + 1) {
		if (urlnorm_resolve_from(&from, href, &link) != URLNORM_OK)
			continue;
		visit_buf_add(&v->found, link, strlen(link), '\n');
		free(link);
	}
	free(base);
	if (v->found.len == 0)
		return NULL;
	v->found.data[v->found.len - 1] = '\0';
	return v->found.data;
}

static void visit_begin(void *ctx, const char *content_type)
{
	struct visit *v = ctx;

	v->begun = true;
	v->parsing = v->kind == JOB_PAGE && v->parse && parse_is_html(content_type) &&
		     parse_begin(v->parse, content_type) == 0;
}

/* A retried URL starts again: what the failed attempt's body gave is dropped. */
static void visit_restart(void *ctx)
{
	struct visit *v = ctx;

	if (v->parsing)
		parse_abort(v->parse);
	v->begun = v->parsing = v->body_failed = v->body_full = false;
	v->body_len = 0;
	v->hrefs.len = 0;
	v->n_hrefs = 0;
}

/*
 * The target of a redirect a followed crawl takes over from libcurl, as
 * *target (malloc'd), or why there is none: the row says why it stops.
 */
static const char *visit_redirect(const struct fetch_result *res, char **target)
{
	if (res->location_cut)
		return "redirect URL too long";
	switch (urlnorm_resolve(NULL, res->location, target)) {
	case URLNORM_OK:
		return NULL;
	case URLNORM_SKIP:
		return "redirect not to http or https";
	case URLNORM_TOO_LONG:
		return "redirect URL too long";
	case URLNORM_ENOMEM:
		return "out of memory";
	default:
		return "invalid redirect URL";
	}
}

/* A robots.txt is kept whole, up to its cap: the rest is never read by the parser anyway. */
static void visit_keep(struct visit *v, const char *buf, size_t len)
{
	if (!v->body) {
		v->body = malloc(VISIT_BODY_MAX + 1);
		if (!v->body) {
			v->body_failed = true;
			return;
		}
	}
	if (len > VISIT_BODY_MAX - v->body_len)
		len = VISIT_BODY_MAX - v->body_len;
	memcpy(v->body + v->body_len, buf, len);
	v->body_len += len;
}

static int visit_data(void *ctx, const char *buf, size_t len)
{
	struct visit *v = ctx;

	if (v->parsing)
		parse_feed(v->parse, buf, len);
	else if (v->kind == JOB_ROBOTS && !v->body_failed)
		visit_keep(v, buf, len);
	/* what a robots.txt says past its cap is never read: no need to fetch it */
	if (v->kind == JOB_ROBOTS && v->body_len == VISIT_BODY_MAX) {
		v->body_full = true;
		return -1;
	}
	return 0;
}

struct visit *visit_new(const struct visit_options *opts)
{
	struct visit *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->sink = (struct fetch_sink){ visit_begin, visit_data, v, visit_restart };
	v->fetch = fetch_new(&opts->fetch);
	if (!v->fetch)
		goto out_free;
	if (opts->parse) {
		v->parse = parse_new();
		if (!v->parse)
			goto out_fetch;
		if (opts->follow)
			parse_collect_links(v->parse, visit_link, v);
	}
	v->follow = opts->follow;
	v->ignore_nofollow = opts->ignore_nofollow;
	return v;

out_fetch:
	fetch_free(v->fetch);
out_free:
	free(v);
	return NULL;
}

void visit_free(struct visit *v)
{
	if (!v)
		return;
	parse_free(v->parse);
	fetch_free(v->fetch);
	free(v->body);
	free(v->hrefs.data);
	free(v->found.data);
	free(v);
}

int visit_start(struct visit *v, enum job_kind kind, const char *url)
{
	v->kind = kind;
	v->begun = v->parsing = v->body_failed = v->body_full = false;
	v->body_len = 0;
	v->hrefs.len = 0;
	v->n_hrefs = 0;
	v->url = url;
	/*
	 * A crawl that follows links decides about each redirect itself; a
	 * robots.txt's are followed, five at least (RFC 9309 2.3.1.2).
	 */
	fetch_follow_redirects(v->fetch, !(v->follow && kind == JOB_PAGE),
			       kind == JOB_ROBOTS ? VISIT_ROBOTS_REDIRECTS : 0);
	fetch_refuse_by_length(v->fetch, kind != JOB_ROBOTS);
	return fetch_start(v->fetch, url, &v->sink);
}

struct fetch *visit_fetch(struct visit *v)
{
	return v->fetch;
}

int visit_finish(struct visit *v, const struct fetch_result *res, void **blob, size_t *len)
{
	struct parse_facts facts;
	struct crawl_record rec;
	char *target = NULL;
	int rc;

	if (!res) {
		record_init_error(&rec, "could not start the transfer");
		return record_encode(&rec, blob, len) == RECORD_OK ? 0 : -1;
	}
	rec = (struct crawl_record){
		.status = res->status,
		.bytes = res->bytes,
		.ttfb_us = res->ttfb_us,
		.time_us = res->time_us,
		.redirects = res->redirects,
		.links = -1,
		.final_url = res->final_url,
		.content_type = res->content_type,
		.error = res->error,
		.retries = res->retries,
		.http_version = res->http_version,
		.connect_us = res->connect_us,
		.tls_us = res->tls_us,
		.location = res->location,
		.remote_ip = res->remote_ip,
	};
	if (v->kind == JOB_ROBOTS) {
		/*
		 * One cut at its cap or at --max-size is read as far as it came, as
		 * RFC 9309 allows (at least 500 KiB), not taken for an unreachable host.
		 */
		if ((v->body_full || res->body_cut) && v->body_len > 0)
			rec.error = NULL;
		if (v->body_failed)
			rec.error = "out of memory";
		/* no body at all is an empty robots.txt, which allows everything */
		rec.body = v->body ? v->body : "";
		rec.body_len = v->body_len;
		if (v->body)
			v->body[v->body_len] = '\0';
	}
	/* a failed transfer's partial body is not a page: no title, no links */
	else if (res->ok && v->parse && parse_is_html(res->content_type)) {
		if (v->parsing) {
			parse_end(v->parse, &facts);
			rec.title = facts.title;
			rec.links = (long)facts.links;
			/*
			 * An error page's links are not followed: relative ones lead to
			 * more error pages (/missing/a/, /missing/a/a/ ...), a trap.
			 */
			if (v->follow && rec.status >= 200 && rec.status < 300)
				rec.found = visit_links(v, res->final_url ? res->final_url : v->url,
							&facts);
		} else if (!v->begun) {
			/* an empty body: a page with nothing in it */
			rec.title = "";
			rec.links = 0;
		}
	} else if (v->parsing) {
		parse_abort(v->parse);
	}
	/*
	 * A redirect not followed: its target is its one link to follow, if the
	 * crawl takes it, never the links of the page that came with it.
	 */
	if (v->follow && v->kind == JOB_PAGE && rec.status >= 300 && rec.status < 400) {
		if (res->location && !rec.error)
			rec.error = visit_redirect(res, &target);
		rec.found = target;
	}
	v->begun = v->parsing = false;
	rc = record_encode(&rec, blob, len) == RECORD_OK ? 0 : -1;
	free(target);
	return rc;
}

int visit_run(struct visit *v, enum job_kind kind, const char *url, void **blob, size_t *len)
{
	struct fetch_result res;

	if (visit_start(v, kind, url) < 0)
		return visit_finish(v, NULL, blob, len);
	fetch_perform(v->fetch, &res);
	return visit_finish(v, &res, blob, len);
}
