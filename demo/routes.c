/* routes.c -- dispatches demo-site requests: "/", /page/N.html, /fault/..., crawlsite's, and 404 */
#include "routes.h"
#include "conn.h"
#include "crawlsite.h"
#include "faultgen.h"
#include "faults.h"
#include "pages.h"

#include <string.h>

static bool has_prefix(const char *s, size_t len, const char *prefix, size_t plen)
{
	return len >= plen && memcmp(s, prefix, plen) == 0;
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
	    http_parse_uint(p + sizeof(page) - 1, len - (sizeof(page) - 1) - (sizeof(html) - 1),
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
