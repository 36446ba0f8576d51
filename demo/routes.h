/* routes.h -- what the demo site serves: index, pages, fault routes, crawl-test routes, 404 */
#ifndef CRAWLPOOL_DEMO_ROUTES_H
#define CRAWLPOOL_DEMO_ROUTES_H

#include "conn.h"
#include "http.h"

#include <stdbool.h>

/* Answers one GET or HEAD request; true if the connection may serve another. */
bool demo_route(struct demo_conn *c, const struct http_request *req);

#endif
