/* worker.h -- one URL in a worker: fetch, parse as the body streams in, encode the record */
#ifndef CRAWLPOOL_WORKER_H
#define CRAWLPOOL_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"

struct worker_options {
	struct fetch_options fetch;
	bool parse;		/* false: fetch only, no title or links */
};

struct worker;

/* A worker's fetch handle and parser, kept across URLs. NULL on failure. */
struct worker *worker_new(const struct worker_options *opts);
void worker_free(struct worker *w);

/*
 * Fetches url and stores its encoded crawl_record in a malloc'd *blob.
 * Every outcome of the fetch is a record; -1 only when out of memory.
 */
int worker_run(struct worker *w, const char *url, void **blob, size_t *len);

#endif
