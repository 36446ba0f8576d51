/* fuzz_record.c -- record_decode on any bytes, and encode -> decode of any valid record */
#include "fuzz_support.h"
#include "record.h"

#include <string.h>

/*
 * Two halves, picked by the first byte:
 *
 * decode: the rest is a blob. record_decode must never read outside it; when
 * it accepts, every string must lie inside the blob and end there with a NUL,
 * and re-encoding the record must give the blob back byte for byte (less the
 * reserved word, which the encoder zeroes) unless a string held a NUL.
 *
 * round trip: the rest describes a record (numbers, strings or NULL), which
 * must come back field for field through encode -> decode; every proper
 * prefix of the blob, and the blob with a byte more, must be refused.
 */

static bool inside(const char *s, const char *blob, size_t len)
{
	return s >= blob && s < blob + len && memchr(s, '\0', (size_t)(blob + len - s)) != NULL;
}

static bool same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void same_record(const struct crawl_record *a, const struct crawl_record *b)
{
	FUZZ_CHECK(a->status == b->status, "status %ld, not %ld", b->status, a->status);
	FUZZ_CHECK(a->bytes == b->bytes, "bytes differ");
	FUZZ_CHECK(a->ttfb_us == b->ttfb_us, "ttfb_us differs");
	FUZZ_CHECK(a->time_us == b->time_us, "time_us differs");
	FUZZ_CHECK(a->redirects == b->redirects, "redirects differ");
	FUZZ_CHECK(a->links == b->links, "links differ");
	FUZZ_CHECK(same_string(a->final_url, b->final_url), "final_url differs");
	FUZZ_CHECK(same_string(a->content_type, b->content_type), "content_type differs");
	FUZZ_CHECK(same_string(a->title, b->title), "title differs");
	FUZZ_CHECK(same_string(a->error, b->error), "error differs");
}

/* Where the encoder's reserved word sits: after the 32-bit magic. */
#define RESERVED_AT 4
#define RESERVED_LEN 4

static void decode_any(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so ASan sees any read past the end */
	char *blob = malloc(size ? size : 1);
	struct crawl_record rec;
	/* every string measured by strlen when encoded (the body carries its length) */
	enum { NSTRS = 7 };
	const char *strs[NSTRS];
	bool has_nul = false;
	void *again;
	size_t len;

	if (!blob)
		abort();
	memcpy(blob, data, size);
	if (record_decode(blob, size, &rec) != RECORD_OK) {
		free(blob);
		return;
	}
	strs[0] = rec.final_url;
	strs[1] = rec.content_type;
	strs[2] = rec.title;
	strs[3] = rec.error;
	strs[4] = rec.found;
	strs[5] = rec.location;
	strs[6] = rec.remote_ip;
	for (int i = 0; i < NSTRS; i++) {
		if (!strs[i])
			continue;
		FUZZ_CHECK(inside(strs[i], blob, size), "string %d is not inside the blob", i);
	}
	FUZZ_CHECK(record_encode(&rec, &again, &len) == RECORD_OK, "re-encode failed");
	/* a string with a NUL inside decodes shorter than it was sent */
	for (int i = 0; i < NSTRS; i++) {
		const char *s = strs[i];
		size_t rest;
		uint32_t n;

		if (!s)
			continue;
		rest = (size_t)(blob + size - s);
		/* record.c's layout: the 32-bit length sits just before the string */
		memcpy(&n, s - sizeof(n), sizeof(n));
		if (n > rest || strlen(s) != n)
			has_nul = true;
	}
	if (!has_nul) {
		FUZZ_CHECK(len == size, "re-encoded to %zu bytes from %zu", len, size);
		FUZZ_CHECK(memcmp(again, blob, RESERVED_AT) == 0 &&
			   memcmp((char *)again + RESERVED_AT + RESERVED_LEN,
				  blob + RESERVED_AT + RESERVED_LEN,
				  size - RESERVED_AT - RESERVED_LEN) == 0,
			   "re-encoding differs from the blob");
	}
	free(again);
	free(blob);
}

static void round_trip(struct fuzz_in *in)
{
	char *strs[4];
	struct crawl_record rec = {
		.status = (long)fuzz_u64(in),
		.bytes = fuzz_u64(in),
		.ttfb_us = (long long)fuzz_u64(in),
		.time_us = (long long)fuzz_u64(in),
		.redirects = (long)fuzz_u64(in),
		.links = (long)fuzz_u64(in),
	}, back;
	void *blob;
	size_t len;
	char *grown;

	for (int i = 0; i < 4; i++)
		strs[i] = fuzz_string(in, true);
	rec.final_url = strs[0];
	rec.content_type = strs[1];
	rec.title = strs[2];
	rec.error = strs[3];
	FUZZ_CHECK(record_encode(&rec, &blob, &len) == RECORD_OK, "encode failed");
	FUZZ_CHECK(record_decode(blob, len, &back) == RECORD_OK, "decode of an encoding failed");
	same_record(&rec, &back);
	for (size_t cut = 0; cut < len; cut++) {
		/* a fresh allocation of exactly cut bytes, so ASan catches reads past it */
		char *prefix = malloc(cut ? cut : 1);

		if (!prefix)
			abort();
		memcpy(prefix, blob, cut);
		FUZZ_CHECK(record_decode(prefix, cut, &back) == RECORD_EBADBLOB,
			   "a %zu-byte prefix of a %zu-byte blob decoded", cut, len);
		free(prefix);
	}
	grown = malloc(len + 1);
	if (!grown)
		abort();
	memcpy(grown, blob, len);
	grown[len] = '\0';
	FUZZ_CHECK(record_decode(grown, len + 1, &back) == RECORD_EBADBLOB,
		   "a blob with a byte more decoded");
	free(grown);
	free(blob);
	for (int i = 0; i < 4; i++)
		free(strs[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	if (fuzz_u8(&in) & 1)
		round_trip(&in);
	else
		decode_any(in.p, in.n);
	return 0;
}
