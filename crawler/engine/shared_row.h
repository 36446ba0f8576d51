/* shared_row.h -- a row of a crawl shared in Redis: the record and what the row says beside it, as bytes */
#ifndef CRAWLPOOL_SHARED_ROW_H
#define CRAWLPOOL_SHARED_ROW_H

#include <stddef.h>

#include "record.h"

/*
 * What an instance stores in Redis for each URL, so that `crawlpool export`
 * can write the row again in any format: the url, the worker, and the
 * record with its depth and referrer. The links found and the body are
 * left out (the frontier has the links already). Like a record, native
 * byte order: the instances of one crawl run one build on one architecture.
 */
struct shared_row {
	const char *url;
	long worker;			/* -1: none */
	struct crawl_record rec;	/* depth -1 when the crawl follows no links */
};

/* One malloc'd blob (*blob, *len). 0 or RECORD_ENOMEM. */
int shared_row_encode(const char *url, const struct crawl_record *rec, long worker, void **blob,
		      size_t *len);

/* Decodes a blob of shared_row_encode(); the strings point into blob. 0 or RECORD_EBADBLOB. */
int shared_row_decode(const void *blob, size_t len, struct shared_row *row);

#endif
