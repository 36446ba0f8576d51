/* record.h -- the result of one URL, and its byte encoding from worker to parent */
#ifndef CRAWLPOOL_RECORD_H
#define CRAWLPOOL_RECORD_H

#include <stddef.h>

/*
 * What a worker learned about one URL. Strings are NUL-terminated; NULL
 * means "none" (an empty CSV field, a JSON null). Times are microseconds.
 */
struct crawl_record {
	long status;		/* HTTP status of the last response, 0 if none */
	unsigned long long bytes;	/* body bytes after decoding */
	long long ttfb_us;	/* to the first response byte; -1 if none came */
	long long time_us;	/* whole transfer; -1 when nothing was fetched */
	long redirects;		/* redirects followed */
	long links;		/* <a href> count; -1 when not parsed as HTML */
	const char *final_url;
	const char *content_type;
	const char *title;	/* NULL when not parsed as HTML */
	const char *error;	/* NULL on success */
	const char *found;	/* links to follow, absolute and normalised, one a line; NULL if not asked */
	const char *body;	/* the body itself (a robots.txt), NUL-terminated; NULL if not asked */
	size_t body_len;	/* bytes of body, which may hold NUL bytes itself */
	/* Columns asked for with --fields. */
	long retries;		/* attempts after the first (--retry) */
	long http_version;	/* of the last response: 10, 11, 20, 30; 0 if none */
	long long connect_us;	/* to the connection made; 0 or less: none */
	long long tls_us;	/* to the TLS handshake done; 0 or less: none */
	const char *location;	/* where a redirect not followed points */
	const char *remote_ip;	/* the address of the last connection */
	/* Where the URL came from, set by the parent of a crawl that follows links; not encoded. */
	long depth;		/* links away from a start URL; -1 when not following */
	const char *referrer;	/* the page it was found on */
};

enum {
	RECORD_OK = 0,
	RECORD_ENOMEM = -1,
	RECORD_EBADBLOB = -2,	/* truncated, oversized or not a record */
};

/* A record for a URL that was never fetched: every field empty but error. */
void record_init_error(struct crawl_record *rec, const char *error);

/* Encodes rec into one malloc'd blob (*blob, *len). 0 or RECORD_ENOMEM. */
int record_encode(const struct crawl_record *rec, void **blob, size_t *len);

/*
 * Decodes a blob made by record_encode(). The strings in *rec point into
 * blob, so blob must outlive rec. 0 or RECORD_EBADBLOB.
 */
int record_decode(const void *blob, size_t len, struct crawl_record *rec);

#endif
