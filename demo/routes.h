/* routes.h -- what the demo site serves: index, generated pages, fault routes, 404 */
#ifndef CRAWLPOOL_DEMO_ROUTES_H
#define CRAWLPOOL_DEMO_ROUTES_H

#include "conn.h"
#include "http.h"

#include <stdbool.h>
#include <stddef.h>

/* Answers one GET or HEAD request; true if the connection may serve another. */
bool demo_route(struct demo_conn *c, const struct http_request *req);

/* Answers with generated page n (< pages). */
bool demo_serve_page(struct demo_conn *c, const struct http_request *req, unsigned n);

/*
 * Answers /fault/<name>: 1 if the connection may serve another request, 0 if
 * it must close, -1 if there is no such fault route.
 */
int demo_fault(struct demo_conn *c, const struct http_request *req, const char *name,
	       size_t len);

/* Parses a decimal number of at most 9 digits, no sign, no leading zero. 0 or -1. */
int demo_parse_uint(const char *s, size_t len, unsigned *out);

#endif
