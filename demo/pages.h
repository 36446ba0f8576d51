/* pages.h -- the demo site's generated pages, /page/N.html, for routes.c and faults.c */
#ifndef CRAWLPOOL_DEMO_PAGES_H
#define CRAWLPOOL_DEMO_PAGES_H

#include "conn.h"
#include "http.h"

#include <stdbool.h>

/* Answers with generated page n (< pages); true if the connection may serve another request. */
bool demo_serve_page(struct demo_conn *c, const struct http_request *req, unsigned n);

#endif
