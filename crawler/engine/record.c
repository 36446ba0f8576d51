/* record.c -- encode a crawl_record into a self-contained blob and back */
#include "record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout: a fixed header of numbers, then the strings, each a 32-bit
 * length (UINT32_MAX for NULL) followed by the bytes and a NUL. Worker and
 * parent are the same binary on the same machine, so native byte order and
 * widths are fine; the magic catches a blob that is not a record at all.
 */
#define RECORD_MAGIC 0x63726c31u	/* "crl1" */
#define RECORD_NO_STRING UINT32_MAX
/* Strings in a record are capped upstream; this only bounds a corrupt blob. */
#define RECORD_MAX_STRING (16u << 20)

struct record_head {
	uint32_t magic;
	uint32_t reserved;
	int64_t status;
	uint64_t bytes;
	int64_t ttfb_us;
	int64_t time_us;
	int64_t redirects;
	int64_t links;
	int64_t retries;
	int64_t http_version;
	int64_t connect_us;
	int64_t tls_us;
};

void record_init_error(struct crawl_record *rec, const char *error)
{
	memset(rec, 0, sizeof(*rec));
	rec->ttfb_us = -1;
	rec->time_us = -1;
	rec->links = -1;
	rec->depth = -1;
	rec->error = error;
}

/* The i-th string of a record; *len is set for one whose length is not strlen's. */
static const char **record_strings(struct crawl_record *rec, size_t i, size_t **len)
{
	*len = NULL;
	switch (i) {
	case 0:
		return &rec->final_url;
	case 1:
		return &rec->content_type;
	case 2:
		return &rec->title;
	case 3:
		return &rec->error;
	case 4:
		return &rec->found;
	case 5:
		return &rec->location;
	case 6:
		return &rec->remote_ip;
	default:
		*len = &rec->body_len;
		return &rec->body;
	}
}

enum { RECORD_NSTRINGS = 8 };

int record_encode(const struct crawl_record *rec, void **blob, size_t *len)
{
	struct crawl_record copy = *rec;
	struct record_head head = {
		.magic = RECORD_MAGIC,
		.status = rec->status,
		.bytes = rec->bytes,
		.ttfb_us = rec->ttfb_us,
		.time_us = rec->time_us,
		.redirects = rec->redirects,
		.links = rec->links,
		.retries = rec->retries,
		.http_version = rec->http_version,
		.connect_us = rec->connect_us,
		.tls_us = rec->tls_us,
	};
	size_t total = sizeof(head), slen[RECORD_NSTRINGS];
	char *p;

	for (size_t i = 0; i < RECORD_NSTRINGS; i++) {
		size_t *known;
		const char *s = *record_strings(&copy, i, &known);

		slen[i] = !s ? 0 : known ? *known : strlen(s);
		if (slen[i] > RECORD_MAX_STRING)
			slen[i] = RECORD_MAX_STRING;
		total += sizeof(uint32_t) + (s ? slen[i] + 1 : 0);
	}
	p = malloc(total);
	if (!p)
		return RECORD_ENOMEM;
	*blob = p;
	*len = total;
	memcpy(p, &head, sizeof(head));
	p += sizeof(head);
	for (size_t i = 0; i < RECORD_NSTRINGS; i++) {
		size_t *known;
		const char *s = *record_strings(&copy, i, &known);
		uint32_t n = s ? (uint32_t)slen[i] : RECORD_NO_STRING;

		memcpy(p, &n, sizeof(n));
		p += sizeof(n);
		if (s) {
			memcpy(p, s, slen[i]);
			p[slen[i]] = '\0';
			p += slen[i] + 1;
		}
	}
	return RECORD_OK;
}

int record_decode(const void *blob, size_t len, struct crawl_record *rec)
{
	const char *p = blob, *end = p + len;
	struct record_head head;

	if (len < sizeof(head))
		return RECORD_EBADBLOB;
	memcpy(&head, p, sizeof(head));
	if (head.magic != RECORD_MAGIC)
		return RECORD_EBADBLOB;
	p += sizeof(head);
	memset(rec, 0, sizeof(*rec));
	rec->status = (long)head.status;
	rec->bytes = head.bytes;
	rec->ttfb_us = head.ttfb_us;
	rec->time_us = head.time_us;
	rec->redirects = (long)head.redirects;
	rec->links = (long)head.links;
	rec->retries = (long)head.retries;
	rec->http_version = (long)head.http_version;
	rec->connect_us = head.connect_us;
	rec->tls_us = head.tls_us;
	rec->depth = -1;
	for (size_t i = 0; i < RECORD_NSTRINGS; i++) {
		size_t *known;
		const char **field = record_strings(rec, i, &known);
		uint32_t n;

		if ((size_t)(end - p) < sizeof(n))
			return RECORD_EBADBLOB;
		memcpy(&n, p, sizeof(n));
		p += sizeof(n);
		if (n == RECORD_NO_STRING)
			continue;
		if (n > RECORD_MAX_STRING || (size_t)(end - p) < (size_t)n + 1 || p[n] != '\0')
			return RECORD_EBADBLOB;
		*field = p;
		if (known)
			*known = n;
		p += (size_t)n + 1;
	}
	return p == end ? RECORD_OK : RECORD_EBADBLOB;
}
