/* crawlsite.h -- demo-site routes for crawls that follow links: robots.txt, /links/, /calendar/, /slow-page/, /_stats */
#ifndef CRAWLPOOL_DEMO_CRAWLSITE_H
#define CRAWLPOOL_DEMO_CRAWLSITE_H

#include "conn.h"
#include "http.h"
#include "site.h"

#include <stdbool.h>
#include <stddef.h>

/* The address /links/ pages name as "another host", on the site's own port. */
#define CRAWLSITE_OTHER_HOST "127.0.0.2"
/* /slow-page/N.html exists for N from 0 to this. */
#define CRAWLSITE_SLOW_LAST 40u
#define CRAWLSITE_SLOW_DEFAULT_MS 300u
#define CRAWLSITE_SLOW_MAX_MS 10000u
/* Room for any /links/ page, /calendar/ page or /slow-page/ page. */
#define CRAWLSITE_PAGE_MAX 4096u

/*
 * The crawl-test part of a site served on `port`: reads cfg->robots_file
 * (at most DEMO_ROBOTS_MAX_BYTES). NULL with err (errlen bytes) filled when
 * the file cannot be read or memory is short.
 */
struct crawlsite *crawlsite_new(const struct demo_config *cfg, unsigned short port, char *err,
				size_t errlen);
/* Accepts NULL. */
void crawlsite_free(struct crawlsite *cs);

/* Answers req if its path is ours: 1 if the connection may serve another, 0 if not, -1 not ours. */
int crawlsite_route(struct demo_conn *c, const struct http_request *req);

/*
 * Renders /links/<name> (name: the path after "/links/", len bytes) as served
 * to a client that calls the site `self` ("127.0.0.1:8931"), `other` being
 * the other host's authority, into buf (cap bytes). Returns the length of
 * the page, or for /links/moved.html of the Location it redirects to (with
 * *redirect set); 0 if there is no such page or it does not fit.
 */
size_t crawlsite_links_render(const char *name, size_t len, const char *self, const char *other,
			      char *buf, size_t cap, bool *redirect);

/* The name of /links/ page i (from 0), or NULL past the last. */
const char *crawlsite_links_name(size_t i);

#endif
