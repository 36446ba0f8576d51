/* pages.c -- the generated pages, /page/N.html: cached for our own Host, else rendered */
#include "pages.h"
#include "sitegen.h"

#include <string.h>
#include <strings.h>

/* A Host value fit to build absolute links from. */
static bool host_usable(const char *h, size_t len)
{
	return len <= SITEGEN_ORIGIN_MAX - (sizeof("http://") - 1) && http_host_plain(h, len);
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
