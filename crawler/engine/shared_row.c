/* shared_row.c -- a row of a crawl shared in Redis: the record and what the row says beside it, as bytes */
#include "shared_row.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout: magic, worker, depth, the url and the referrer (each a 32-bit
 * length, UINT32_MAX for none, then the bytes and a NUL), then the record
 * as record_encode() makes it.
 */
#define SHARED_ROW_MAGIC 0x63727331u	/* "crs1" */
#define SHARED_ROW_NONE UINT32_MAX
/* A URL in a row is at most a list line long; this only bounds a corrupt blob. */
#define SHARED_ROW_MAX_STRING (1u << 20)

struct shared_row_head {
	uint32_t magic;
	uint32_t reserved;
	int64_t worker;
	int64_t depth;
};

static char *shared_row_put(char *p, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : SHARED_ROW_NONE;

	memcpy(p, &n, sizeof(n));
	p += sizeof(n);
	if (s) {
		memcpy(p, s, (size_t)n + 1);
		p += (size_t)n + 1;
	}
	return p;
}

int shared_row_encode(const char *url, const struct crawl_record *rec, long worker, void **blob,
		      size_t *len)
{
	struct crawl_record bare = *rec;
	struct shared_row_head head = {
		.magic = SHARED_ROW_MAGIC,
		.worker = worker,
		.depth = rec->depth,
	};
	void *record;
	size_t record_len, total;
	char *p;

	if (strlen(url) > SHARED_ROW_MAX_STRING ||
	    (rec->referrer && strlen(rec->referrer) > SHARED_ROW_MAX_STRING))
		return RECORD_EBADBLOB;
	bare.found = NULL;
	bare.body = NULL;
	bare.body_len = 0;
	if (record_encode(&bare, &record, &record_len) < 0)
		return RECORD_ENOMEM;
	total = sizeof(head) + 2 * sizeof(uint32_t) + strlen(url) + 1 +
		(rec->referrer ? strlen(rec->referrer) + 1 : 0) + record_len;
	p = malloc(total);
	if (!p) {
		free(record);
		return RECORD_ENOMEM;
	}
	*blob = p;
	*len = total;
	memcpy(p, &head, sizeof(head));
	p = shared_row_put(p + sizeof(head), url);
	p = shared_row_put(p, rec->referrer);
	memcpy(p, record, record_len);
	free(record);
	return RECORD_OK;
}

/* A string of the blob: *s NULL for none. The rest of the blob after it, or NULL when it is bad. */
static const char *shared_row_get(const char *p, const char *end, const char **s)
{
	uint32_t n;

	if ((size_t)(end - p) < sizeof(n))
		return NULL;
	memcpy(&n, p, sizeof(n));
	p += sizeof(n);
	*s = NULL;
	if (n == SHARED_ROW_NONE)
		return p;
	if (n > SHARED_ROW_MAX_STRING || (size_t)(end - p) < (size_t)n + 1 || p[n] != '\0' ||
	    memchr(p, '\0', n))
		return NULL;
	*s = p;
	return p + n + 1;
}

int shared_row_decode(const void *blob, size_t len, struct shared_row *row)
{
	const char *p = blob, *end = p + len, *referrer;
	struct shared_row_head head;

	if (len < sizeof(head))
		return RECORD_EBADBLOB;
	memcpy(&head, p, sizeof(head));
	if (head.magic != SHARED_ROW_MAGIC || head.depth < -1 || head.depth > INT32_MAX)
		return RECORD_EBADBLOB;
	p = shared_row_get(p + sizeof(head), end, &row->url);
	if (!p || !row->url)
		return RECORD_EBADBLOB;
	p = shared_row_get(p, end, &referrer);
	if (!p || record_decode(p, (size_t)(end - p), &row->rec) != RECORD_OK)
		return RECORD_EBADBLOB;
	row->worker = (long)head.worker;
	row->rec.depth = (long)head.depth;
	row->rec.referrer = referrer;
	return RECORD_OK;
}
