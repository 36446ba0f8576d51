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

/*
 * The same in two steps, for a loop that runs many workers' transfers at
 * once: worker_start() prepares the transfer of url on worker_fetch(w)
 * (0, or -1 if the handle failed); once it has ended, worker_finish()
 * encodes the record of *res (NULL: the transfer never ran) like
 * worker_run(). A worker holds one URL at a time.
 */
int worker_start(struct worker *w, const char *url);
struct fetch *worker_fetch(struct worker *w);
int worker_finish(struct worker *w, const struct fetch_result *res, void **blob, size_t *len);

#endif
