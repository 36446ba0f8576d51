/* job.h -- what a worker is asked to do with one URL, as the blob the pool carries */
#ifndef CRAWLPOOL_JOB_H
#define CRAWLPOOL_JOB_H

#include <stddef.h>
#include <stdint.h>

enum job_kind {
	JOB_PAGE = 1,		/* fetch and (unless --no-parse) parse; the record */
	JOB_ROBOTS = 2,		/* fetch a robots.txt; the record carries its body */
};

/*
 * A job: its kind, a token the parent gives and gets back untouched (the
 * worker never reads it), and the URL, NUL-terminated. Returns the blob
 * (malloc'd, *len bytes) or NULL when out of memory.
 */
void *job_encode(enum job_kind kind, uint64_t token, const char *url, size_t url_len, size_t *len);

/* 0 with the fields set (url points into blob), or -1 for a blob that is not a job. */
int job_decode(const void *blob, size_t len, enum job_kind *kind, uint64_t *token, const char **url);

#endif
