/* crawlsite.c -- demo-site routes for crawls that follow links: robots.txt, /links/, /calendar/, /slow-page/, /_stats */

/*
 * /links/ is a fixed site of 20 pages whose links exercise every rule a
 * crawler that follows links must get right. Below, PORT is the site's port,
 * S is http://127.0.0.1:PORT (the host the crawl starts on: absolute
 * same-host links name the Host the client sent) and O is
 * http://127.0.0.2:PORT (CRAWLSITE_OTHER_HOST, "another host"; start the
 * server with --host 127.0.0.1 --host 127.0.0.2 for it to answer).
 *
 * Normalised URLs reachable from S/links/index.html, same host only, rel and
 * meta nofollow obeyed, by the most links away from the start (depth):
 *
 *   depth 0   S/links/index.html
 *   depth 1   S/links/a.html  S/links/b.html  S/links/A.html  S/links/area.html
 *             S/links/d0.html
 *   depth 2   S/links/sub/c.html  S/links/base.html  S/links/meta-nofollow.html
 *             S/links/moved.html  S/links/private/secret.html  S/links/d1.html
 *   depth 3   S/links/sub/e.html  S/links/d2.html
 *   depth 4   S/links/d3.html
 *   depth 5   S/links/d4.html
 *
 * So 6 URLs with --max-depth 1, 12 with 2, 16 with no limit. Each is found
 * by one path only, so its depth does not depend on the order of fetches.
 *   - /links/moved.html answers 302 to O/links/landed.html (another host).
 *   - /links/private/secret.html is disallowed by tests/demo/links-robots.txt
 *     ("Disallow: /links/private/"): with that file served as robots.txt and
 *     obeyed, it is a blocked row, not a fetch.
 *   - Nofollow ignored adds S/links/nofollow.html (depth 1, found only
 *     through rel="nofollow" and rel="noopener NoFollow" links) and
 *     S/links/hidden.html (depth 3, found only on the page with
 *     <meta name="robots" content="nofollow">).
 *   - Any host adds O/links/elsewhere.html (depth 2), and O/links/landed.html
 *     if a redirect's target is taken as a URL of its own. Both have no links.
 *   - Never a URL: mailto:, javascript:, data: and ftp: links.
 *   - Duplicates that must come out as one URL: "/links/A.html",
 *     "/links/./A.html", "/links/%41.html", "HTTP://<S's host:port>/links/A.html"
 *     and "A.html#top" (S/links/A.html); "a.html" and "S/links/a.html"; "#top"
 *     and "index.html" (the start); "../a.html" from sub/, "../sub/../A.html",
 *     "/../links/sub/./c.html", "../../links/index.html".
 *   - Paths are case-sensitive: A.html and a.html are two pages. Only these
 *     exact paths are served; /links/%41.html, a path a crawler failed to
 *     normalise, is a 404, as are /links/e.html and /a.html, where base.html's
 *     links lead when its <base href="/links/sub/"> is ignored.
 */
#include "crawlsite.h"
#include "faultgen.h"
#include "hoststats.h"
#include "sitegen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEXT_TYPE "text/plain; charset=utf-8"
#define JSON_TYPE "application/json"
/* Where /robots.txt sends a client when --robots-status is a redirect. */
#define ROBOTS_MOVED "/robots-moved.txt"

struct crawlsite {
	const struct demo_config *cfg;
	char other[NET_ADDRSTR_LEN];	/* "127.0.0.2:PORT" */
	char *robots;			/* --robots file's bytes, or NULL */
	size_t robots_len;
};

/* --- the /links/ pages ------------------------------------------------------ */

/*
 * One page of /links/. In head and body, {S} stands for the authority the
 * client named the site by, {O} for the other host's.
 */
struct links_page {
	const char *name;	/* path after "/links/" */
	const char *title;
	const char *head;	/* more lines in <head>, or NULL */
	const char *body;	/* or, for a redirect, NULL ... */
	const char *location;	/* ... and this */
};

static const struct links_page links_pages[] = {
	{ "index.html", "Links: start", NULL,
	  "<p>Every way a page can name a link.</p>\n<ul>\n"
	  "<li><a href=\"a.html\">relative</a></li>\n"
	  "<li><a href=\"./b.html\">dot segment</a></li>\n"
	  "<li><a href=\"/links/A.html\">root-relative; paths are case-sensitive</a></li>\n"
	  "<li><a href=\"/links/./A.html\">root-relative with a dot segment</a></li>\n"
	  "<li><a href=\"/links/%41.html\">an unreserved character escaped</a></li>\n"
	  "<li><A HREF=\"HTTP://{S}/links/A.html\">upper-case scheme, explicit port</A></li>\n"
	  "<li><a href=\"A.html#top\">page and fragment</a></li>\n"
	  "<li><a href=\"http://{S}/links/a.html\">absolute, same host</a></li>\n"
	  "<li><a href=\"#top\">fragment only: this page</a></li>\n"
	  "<li><a href=\"d0.html\">a chain of five pages</a></li>\n"
	  "<li><a href=\"nofollow.html\" rel=\"nofollow\">rel=nofollow</a></li>\n"
	  "<li><a href=\"mailto:crawler@example.com\">mail</a></li>\n"
	  "<li><a href=\"javascript:void(0)\">script</a></li>\n"
	  "<li><a href=\"data:text/html,hello\">data</a></li>\n"
	  "<li><a href=\"ftp://127.0.0.1:1/file.txt\">ftp</a></li>\n"
	  "</ul>\n"
	  "<p><img usemap=\"#map\" alt=\"an image map\" width=\"10\" height=\"10\"></p>\n"
	  "<map name=\"map\"><area shape=\"rect\" coords=\"0,0,10,10\" href=\"area.html\" "
	  "alt=\"area\"></map>\n", NULL },
	{ "a.html", "Links: relative", NULL,
	  "<ul>\n"
	  "<li><a href=\"sub/c.html\">a folder down</a></li>\n"
	  "<li><a href=\"base.html\">a base element</a></li>\n"
	  "<li><a href=\"http://{O}/links/elsewhere.html\">another host</a></li>\n"
	  "<li><a href=\"index.html\">back to the start</a></li>\n"
	  "</ul>\n", NULL },
	{ "b.html", "Links: dot segment", NULL,
	  "<ul>\n"
	  "<li><a href=\"meta-nofollow.html\">a page whose links are not to be followed</a></li>\n"
	  "<li><a href=\"moved.html\">a redirect to another host</a></li>\n"
	  "<li><a href=\"private/secret.html\">disallowed by the sample robots.txt</a></li>\n"
	  "<li><a href=\"nofollow.html\" rel=\"noopener NoFollow\">two rel tokens</a></li>\n"
	  "<li><a href=\"./index.html\">back to the start</a></li>\n"
	  "</ul>\n<h2 id=\"part\">part</h2>\n", NULL },
	{ "A.html", "Links: upper-case A", NULL,
	  "<ul>\n"
	  "<li><a href=\"a.html\">lower-case a, another page</a></li>\n"
	  "<li><a href=\"b.html#part\">page and fragment</a></li>\n"
	  "</ul>\n", NULL },
	{ "area.html", "Links: image map area", NULL,
	  "<p><a href=\"index.html\">back to the start</a></p>\n", NULL },
	{ "nofollow.html", "Links: reached through nofollow links only", NULL,
	  "<p><a href=\"index.html\">back to the start</a></p>\n", NULL },
	{ "d0.html", "Links: chain 0", NULL, "<p><a href=\"d1.html\">next</a></p>\n", NULL },
	{ "d1.html", "Links: chain 1", NULL, "<p><a href=\"d2.html\">next</a></p>\n", NULL },
	{ "d2.html", "Links: chain 2", NULL, "<p><a href=\"d3.html\">next</a></p>\n", NULL },
	{ "d3.html", "Links: chain 3", NULL, "<p><a href=\"d4.html\">next</a></p>\n", NULL },
	{ "d4.html", "Links: chain 4", NULL,
	  "<p><a href=\"index.html\">back to the start</a></p>\n", NULL },
	{ "sub/c.html", "Links: a folder down", NULL,
	  "<ul>\n"
	  "<li><a href=\"../a.html\">up</a></li>\n"
	  "<li><a href=\"./../b.html\">here, then up</a></li>\n"
	  "<li><a href=\"/../links/sub/./c.html\">above the root: this page</a></li>\n"
	  "<li><a href=\"../sub/../A.html\">up, down, up</a></li>\n"
	  "<li><a href=\"../../links/index.html\">up twice, down</a></li>\n"
	  "</ul>\n", NULL },
	{ "base.html", "Links: base element", "<base href=\"/links/sub/\">\n",
	  "<ul>\n"
	  "<li><a href=\"e.html\">against the base: /links/sub/e.html</a></li>\n"
	  "<li><a href=\"../a.html\">against the base: /links/a.html</a></li>\n"
	  "</ul>\n", NULL },
	{ "sub/e.html", "Links: found through a base element", NULL,
	  "<p><a href=\"c.html\">beside</a></p>\n", NULL },
	{ "meta-nofollow.html", "Links: meta robots nofollow",
	  "<meta name=\"robots\" content=\"nofollow\">\n",
	  "<p><a href=\"hidden.html\">not to be followed</a></p>\n", NULL },
	{ "hidden.html", "Links: reached through a nofollow page only", NULL,
	  "<p><a href=\"index.html\">back to the start</a></p>\n", NULL },
	{ "moved.html", NULL, NULL, NULL, "http://{O}/links/landed.html" },
	{ "private/secret.html", "Links: disallowed by robots.txt", NULL,
	  "<p><a href=\"../index.html\">back to the start</a></p>\n", NULL },
	{ "elsewhere.html", "Links: another host", NULL, "<p>No links here.</p>\n", NULL },
	{ "landed.html", "Links: a redirect's target", NULL, "<p>No links here.</p>\n", NULL },
};

#define LINKS_PAGES (sizeof(links_pages) / sizeof(links_pages[0]))

const char *crawlsite_links_name(size_t i)
{
	return i < LINKS_PAGES ? links_pages[i].name : NULL;
}

/* A bounded appender: every put after the first failure fails too. */
struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *s, size_t len)
{
	if (o->full || len >= o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, len);
	o->len += len;
	o->buf[o->len] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Appends tmpl with {S} and {O} replaced. */
static void put_template(struct out *o, const char *tmpl, const char *self, const char *other)
{
	for (const char *p = tmpl; *p;) {
		const char *brace = strchr(p, '{');

		if (!brace) {
			put_str(o, p);
			return;
		}
		put(o, p, (size_t)(brace - p));
		if (strncmp(brace, "{S}", 3) == 0) {
			put_str(o, self);
			p = brace + 3;
		} else if (strncmp(brace, "{O}", 3) == 0) {
			put_str(o, other);
			p = brace + 3;
		} else {
			put(o, "{", 1);
			p = brace + 1;
		}
	}
}

/* The start of every page here: doctype to <body>, with an h1 repeating the title. */
static void put_page_head(struct out *o, const char *title, const char *head_extra)
{
	put_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	put_str(o, title);
	put_str(o, "</title>\n");
	if (head_extra)
		put_str(o, head_extra);
	put_str(o, "</head>\n<body>\n<h1 id=\"top\">");
	put_str(o, title);
	put_str(o, "</h1>\n");
}

static const char page_tail[] = "</body>\n</html>\n";

size_t crawlsite_links_render(const char *name, size_t len, const char *self, const char *other,
			      char *buf, size_t cap, bool *redirect)
{
	struct out o = { .buf = buf, .cap = cap, .full = cap == 0 };

	for (size_t i = 0; i < LINKS_PAGES; i++) {
		const struct links_page *p = &links_pages[i];

		if (strlen(p->name) != len || memcmp(p->name, name, len) != 0)
			continue;
		*redirect = p->body == NULL;
		if (*redirect) {
			put_template(&o, p->location, self, other);
		} else {
			put_page_head(&o, p->title, p->head);
			put_template(&o, p->body, self, other);
			put_str(&o, page_tail);
		}
		return o.full ? 0 : o.len;
	}
	return 0;
}

/* --- helpers -------------------------------------------------------------- */

static bool path_is(const struct http_request *req, const char *path)
{
	return req->path_len == strlen(path) && memcmp(req->path, path, req->path_len) == 0;
}

/* The authority the client named the site by: its Host, else the address it connected to. */
static void request_authority(const struct demo_conn *c, const struct http_request *req,
			      char out[NET_ADDRSTR_LEN])
{
	/* only a Host safe to write into links */
	if (req->host && req->host_len < NET_ADDRSTR_LEN &&
	    http_host_plain(req->host, req->host_len)) {
		memcpy(out, req->host, req->host_len);
		out[req->host_len] = '\0';
	} else {
		snprintf(out, NET_ADDRSTR_LEN, "%s", c->local);
	}
}

static int reply_html(struct demo_conn *c, const struct http_request *req, const char *body,
		      size_t len)
{
	if (len == 0)
		return conn_reply_error(c, req, 500);
	return conn_reply(c, req, 200, DEMO_HTML_TYPE, body, len, NULL);
}

/* --- routes ----------------------------------------------------------------- */

static int serve_links(struct demo_conn *c, const struct http_request *req, const char *name,
		       size_t len)
{
	char self[NET_ADDRSTR_LEN], body[CRAWLSITE_PAGE_MAX], extra[CRAWLSITE_PAGE_MAX + 16];
	bool redirect;
	size_t n;

	request_authority(c, req, self);
	n = crawlsite_links_render(name, len, self, c->site->crawl->other, body, sizeof(body),
				   &redirect);
	if (n == 0)
		return -1;
	if (!redirect)
		return conn_reply(c, req, 200, DEMO_HTML_TYPE, body, n, NULL);
	snprintf(extra, sizeof(extra), "Location: %s\r\n", body);
	n = faultgen_small_page(body, sizeof(body), "Moved", 0);
	return conn_reply(c, req, 302, DEMO_HTML_TYPE, body, n, extra);
}

/*
 * /robots.txt as the options say: late by --robots-delay-ms, with status
 * --robots-status (a redirect sends the client to ROBOTS_MOVED, which has
 * the file), the --robots file's bytes or a comment line as the body.
 */
static int serve_robots(struct demo_conn *c, const struct http_request *req, bool moved)
{
	const struct crawlsite *cs = c->site->crawl;
	const struct demo_config *cfg = cs->cfg;
	int status = cfg->robots_status ? cfg->robots_status : cs->robots ? 200 : 404;
	bool redirects = status >= 300 && status < 400 && status != 304;
	char note[96], extra[64] = "";
	const char *body = cs->robots;
	size_t len = cs->robots_len;

	if (moved && !redirects)
		return -1;
	if (moved) {
		status = 200;
	} else if (cfg->robots_delay_ms > 0 &&
		   conn_sleep(c, demo_now_ms() + cfg->robots_delay_ms) < 0) {
		return 0;
	}
	if (!moved && redirects)
		snprintf(extra, sizeof(extra), "Location: %s\r\n", ROBOTS_MOVED);
	if (!body || (!moved && redirects)) {
		len = (size_t)snprintf(note, sizeof(note),
				       "# demo-site: /robots.txt answers %d, no rules here\n",
				       cfg->robots_status ? cfg->robots_status : status);
		body = note;
	}
	return conn_reply(c, req, status, TEXT_TYPE, body, len, extra[0] ? extra : NULL);
}

/* /calendar/YYYY-MM.html: one month linking to the next and the previous, 0000-01 to 9999-12 and round. */
static int serve_calendar(struct demo_conn *c, const struct http_request *req, const char *name,
			  size_t len)
{
	static const char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned year, month, months, prev, next, ndays;
	char title[32], body[CRAWLSITE_PAGE_MAX];
	struct out o = { .buf = body, .cap = sizeof(body) };
	char line[160];

	if (len != 12 || name[4] != '-' || memcmp(name + 7, ".html", 5) != 0)
		return -1;
	/* http_parse_uint refuses leading zeros, which years and months have: digit by digit */
	year = month = 0;
	for (int i = 0; i < 7; i++) {
		if (i == 4)
			continue;
		if (name[i] < '0' || name[i] > '9')
			return -1;
		if (i < 4)
			year = year * 10 + (unsigned)(name[i] - '0');
		else
			month = month * 10 + (unsigned)(name[i] - '0');
	}
	if (month < 1 || month > 12)
		return -1;
	months = 10000u * 12u;
	prev = (year * 12 + month - 1 + months - 1) % months;
	next = (year * 12 + month - 1 + 1) % months;
	ndays = (unsigned)days[month - 1] +
		(month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0));
	snprintf(title, sizeof(title), "Calendar %04u-%02u", year, month);
	put_page_head(&o, title, NULL);
	snprintf(line, sizeof(line),
		 "<p><a href=\"%04u-%02u.html\">previous month</a> | "
		 "<a href=\"%04u-%02u.html\">next month</a></p>\n<p>%u days.</p>\n",
		 prev / 12, prev % 12 + 1, next / 12, next % 12 + 1, ndays);
	put_str(&o, line);
	put_str(&o, page_tail);
	return reply_html(c, req, body, o.full ? 0 : o.len);
}

/*
 * /slow-page/N.html: answers after ?ms= milliseconds (default 300), with
 * links to N+1 and N+2 up to CRAWLSITE_SLOW_LAST, carrying the same ?ms=.
 */
static int serve_slow(struct demo_conn *c, const struct http_request *req, const char *name,
		      size_t len)
{
	unsigned n, ms = CRAWLSITE_SLOW_DEFAULT_MS;
	char title[32], query[24] = "", body[CRAWLSITE_PAGE_MAX], line[96];
	struct out o = { .buf = body, .cap = sizeof(body) };
	const char *v;
	size_t vlen;

	if (len <= 5 || memcmp(name + len - 5, ".html", 5) != 0 ||
	    http_parse_uint(name, len - 5, &n) < 0 || n > CRAWLSITE_SLOW_LAST)
		return -1;
	if (http_query_param(req, "ms", &v, &vlen) && http_parse_uint(v, vlen, &ms) == 0) {
		if (ms > CRAWLSITE_SLOW_MAX_MS)
			ms = CRAWLSITE_SLOW_MAX_MS;
		snprintf(query, sizeof(query), "?ms=%u", ms);
	}
	if (ms > 0 && conn_sleep(c, demo_now_ms() + ms) < 0)
		return 0;
	snprintf(title, sizeof(title), "Slow page %u", n);
	put_page_head(&o, title, NULL);
	put_str(&o, "<ul>\n");
	for (unsigned k = n + 1; k <= n + 2 && k <= CRAWLSITE_SLOW_LAST; k++) {
		snprintf(line, sizeof(line), "<li><a href=\"%u.html%s\">Slow page %u</a></li>\n", k,
			 query, k);
		put_str(&o, line);
	}
	put_str(&o, "</ul>\n");
	put_str(&o, page_tail);
	return reply_html(c, req, body, o.full ? 0 : o.len);
}

/* /_stats: the per-host table as JSON; ?reset clears it once written. */
static int serve_stats(struct demo_conn *c, const struct http_request *req)
{
	char *buf = conn_scratch(c);
	const char *v;
	size_t vlen, n;

	if (!buf)
		return conn_reply_error(c, req, 500);
	n = hoststats_json(c->site->stats, buf, SITEGEN_MAX_BYTES - 1,
			   http_query_param(req, "reset", &v, &vlen));
	if (n == 0)
		return conn_reply_error(c, req, 500);
	buf[n++] = '\n';
	return conn_reply(c, req, 200, JSON_TYPE, buf, n, "Cache-Control: no-store\r\n");
}

static bool strip_prefix(const struct http_request *req, const char *prefix, const char **rest,
			 size_t *len)
{
	size_t plen = strlen(prefix);

	if (req->path_len <= plen || memcmp(req->path, prefix, plen) != 0)
		return false;
	*rest = req->path + plen;
	*len = req->path_len - plen;
	return true;
}

int crawlsite_route(struct demo_conn *c, const struct http_request *req)
{
	const struct demo_config *cfg = c->site->cfg;
	const char *rest;
	size_t len;

	if (path_is(req, "/robots.txt") || path_is(req, ROBOTS_MOVED)) {
		if (!cfg->robots_file && !cfg->robots_status && !cfg->robots_delay_ms)
			return -1;
		return serve_robots(c, req, path_is(req, ROBOTS_MOVED));
	}
	if (strip_prefix(req, "/links/", &rest, &len))
		return serve_links(c, req, rest, len);
	if (strip_prefix(req, "/calendar/", &rest, &len))
		return serve_calendar(c, req, rest, len);
	if (strip_prefix(req, "/slow-page/", &rest, &len))
		return serve_slow(c, req, rest, len);
	if (path_is(req, CONN_STATS_PATH))
		return serve_stats(c, req);
	return -1;
}

/* --- setup -------------------------------------------------------------------- */

/* Reads the whole robots file into cs. 0, or -1 with err filled. */
static int read_robots(struct crawlsite *cs, const char *path, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open robots file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > DEMO_ROBOTS_MAX_BYTES) {
		snprintf(err, errlen, "robots file '%s': not a regular file of at most %u bytes",
			 path, DEMO_ROBOTS_MAX_BYTES);
		goto out_fd;
	}
	cs->robots = malloc((size_t)st.st_size + 1);
	if (!cs->robots) {
		snprintf(err, errlen, "robots file '%s': out of memory", path);
		goto out_fd;
	}
	n = net_read_full(fd, cs->robots, (size_t)st.st_size);
	if (n < 0) {
		snprintf(err, errlen, "cannot read robots file '%s': %s", path, strerror(errno));
		goto out_fd;
	}
	cs->robots_len = (size_t)n;
	close(fd);
	return 0;
out_fd:
	close(fd);
	return -1;
}

struct crawlsite *crawlsite_new(const struct demo_config *cfg, unsigned short port, char *err,
				size_t errlen)
{
	struct crawlsite *cs = calloc(1, sizeof(*cs));

	if (!cs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cs->cfg = cfg;
	snprintf(cs->other, sizeof(cs->other), "%s:%u", CRAWLSITE_OTHER_HOST, port);
	if (cfg->robots_file && read_robots(cs, cfg->robots_file, err, errlen) < 0) {
		crawlsite_free(cs);
		return NULL;
	}
	return cs;
}

void crawlsite_free(struct crawlsite *cs)
{
	if (!cs)
		return;
	free(cs->robots);
	free(cs);
}
