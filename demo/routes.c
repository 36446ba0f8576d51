/* routes.c -- dispatches demo-site requests: "/", /page/N.html, /fault/..., crawlsite's, and 404 */
#include "routes.h"
#include "crawlsite.h"
#include "faultgen.h"
#include "sitegen.h"

#include <string.h>
#include <strings.h>

int demo_parse_uint(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 9 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static bool has_prefix(const char *s, size_t len, const char *prefix, size_t plen)
{
	return len >= plen && memcmp(s, prefix, plen) == 0;
}

/* A Host value fit to build absolute links from: host name or [v6] address, optional port. */
static bool host_usable(const char *h, size_t len)
{
	if (len == 0 || len > SITEGEN_ORIGIN_MAX - (sizeof("http://") - 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = h[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(".-_:[]", ch)))
			return false;
	}
	return true;
}

/*
 * Absolute links name the host the client asked for. Pages for our own
 * address (nearly every request) are rendered once and then come from the cache.
 */
bool demo_serve_page(struct demo_conn *c, const struct http_request *req, unsigned n)
{
	struct demo_site *site = c->site;
	char origin[SITEGEN_ORIGIN_MAX + 1] = "http://";
	const struct demo_page *page;
	bool ours = !req->host || !host_usable(req->host, req->host_len) ||
		    (req->host_len == strlen(site->authority) &&
		     strncasecmp(req->host, site->authority, req->host_len) == 0);
	char *scratch;
	size_t len;

	page = ours ? demo_cache_find(&site->cache, n) : NULL;
	if (page)
		return conn_reply(c, req, 200, DEMO_HTML_TYPE, page->body, page->len, NULL);
	scratch = conn_scratch(c);
	if (!scratch)
		return conn_reply_error(c, req, 500);
	if (ours) {
		len = sitegen_render_to(n, site->cfg->pages, site->origin, scratch);
		if (len > 0)
			demo_cache_put(&site->cache, n, scratch, len);
	} else {
		memcpy(origin + 7, req->host, req->host_len);
		origin[7 + req->host_len] = '\0';
		len = sitegen_render_to(n, site->cfg->pages, origin, scratch);
	}
	if (len == 0)
		return conn_reply_error(c, req, 500);
	return conn_reply(c, req, 200, DEMO_HTML_TYPE, scratch, len, NULL);
}

static bool serve_not_found(struct demo_conn *c, const struct http_request *req)
{
	char body[512];
	size_t len = faultgen_small_page(body, sizeof(body), "Not found", 0);

	return conn_reply(c, req, 404, DEMO_HTML_TYPE, body, len, NULL);
}

bool demo_route(struct demo_conn *c, const struct http_request *req)
{
	static const char page[] = "/page/", fault[] = "/fault/", html[] = ".html";
	const char *p = req->path;
	size_t len = req->path_len;
	unsigned n;

	if ((len == 1 && p[0] == '/') || (len == 11 && memcmp(p, "/index.html", 11) == 0))
		return conn_reply(c, req, 200, DEMO_HTML_TYPE, c->site->index, c->site->index_len, NULL);
	if (has_prefix(p, len, page, sizeof(page) - 1) && len > sizeof(page) - 1 + sizeof(html) - 1 &&
	    memcmp(p + len - (sizeof(html) - 1), html, sizeof(html) - 1) == 0 &&
	    demo_parse_uint(p + sizeof(page) - 1, len - (sizeof(page) - 1) - (sizeof(html) - 1),
			    &n) == 0 &&
	    n < c->site->cfg->pages)
		return demo_serve_page(c, req, n);
	if (has_prefix(p, len, fault, sizeof(fault) - 1)) {
		int rc = demo_fault(c, req, p + sizeof(fault) - 1, len - (sizeof(fault) - 1));

		if (rc >= 0)
			return rc > 0;
	}
	{	/* robots.txt, /links/, /calendar/, /slow-page/, /_stats */
		int rc = crawlsite_route(c, req);

		if (rc >= 0)
			return rc > 0;
	}
	return serve_not_found(c, req);
}
