/* visit.h -- one URL visited: fetch, parse as the body streams in, encode the record */
#ifndef CRAWLPOOL_VISIT_H
#define CRAWLPOOL_VISIT_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"
#include "job.h"

/* A robots.txt is read this far; RFC 9309 lets a crawler stop at 500 KiB. */
#define VISIT_BODY_MAX (500u * 1024u)

struct visit_options {
	struct fetch_options fetch;
	bool parse;		/* false: fetch only, no title or links */
	bool follow;		/* the record carries the page's links to follow */
	bool ignore_nofollow;	/* ... rel=nofollow ones and those of nofollow pages too */
};

struct visit;

/* A visit keeps its fetch handle and parser across URLs. NULL on failure. */
struct visit *visit_new(const struct visit_options *opts);
void visit_free(struct visit *v);

/*
 * Fetches url and stores its encoded crawl_record in a malloc'd *blob: a
 * page's (parsed unless --no-parse), or a robots.txt's with its body.
 * Every outcome of the fetch is a record; -1 only when out of memory.
 */
int visit_run(struct visit *v, enum job_kind kind, const char *url, void **blob, size_t *len);

/*
 * The same in two steps, for a loop that runs many visits side by side:
 * visit_start() prepares the transfer of url on visit_fetch(w)
 * (0, or -1 if the handle failed); once it has ended, visit_finish()
 * encodes the record of *res (NULL: the transfer never ran) like
 * visit_run(). A visit holds one URL at a time.
 */
int visit_start(struct visit *v, enum job_kind kind, const char *url);
struct fetch *visit_fetch(struct visit *v);
int visit_finish(struct visit *v, const struct fetch_result *res, void **blob, size_t *len);

#endif
