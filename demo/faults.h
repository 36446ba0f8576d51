/* faults.h -- the demo site's /fault/ routes, misbehaviour on purpose */
#ifndef CRAWLPOOL_DEMO_FAULTS_H
#define CRAWLPOOL_DEMO_FAULTS_H

#include "conn.h"
#include "http.h"

#include <stddef.h>

/*
 * Answers /fault/<name> (name: the path after "/fault/", len bytes): 1 if
 * the connection may serve another request, 0 if it must close, -1 if there
 * is no such fault route.
 */
int demo_fault(struct demo_conn *c, const struct http_request *req, const char *name,
	       size_t len);

#endif
