/* fuzz_frames.c -- the worker->parent frames of a process pool, read from any bytes in any pieces */
#include "frame.h"
#include "fuzz_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The first byte picks how the stream arrives (its pieces' largest size) and
 * the second a small limit on a frame's bytes; the rest is the stream a
 * worker wrote. Read as the parent reads it -- appended piece by piece to a
 * buffer, whole frames taken from its front -- it must give exactly what a
 * simple model gives from the whole stream at once: the same frames (kind,
 * id, length, bytes) in order, the same stop on a header past the limit, the
 * same bytes left over. Every payload lies inside the buffer.
 */

_Static_assert(sizeof(struct frame_header) == 12, "the model reads a header as three 4-byte words");

struct seen_frames {
	uint32_t kind[64];
	uint32_t id[64];
	uint32_t len[64];
	uint64_t sum[64];	/* of the payload's bytes, position-weighted */
	size_t n;
	bool bad;
	size_t left;		/* bytes after the last whole frame */
};

static uint64_t payload_sum(const char *p, size_t len)
{
	uint64_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = s * 1099511628211ull + (unsigned char)p[i] + 1;
	return s;
}

static void note(struct seen_frames *f, const struct frame_header *hdr, const char *payload)
{
	if (f->n < 64) {
		f->kind[f->n] = hdr->kind;
		f->id[f->n] = hdr->id;
		f->len[f->n] = hdr->len;
		f->sum[f->n] = payload_sum(payload, hdr->len);
	}
	f->n++;
}

/* The model: the header's three words read straight from the whole stream. */
static void model(const char *s, size_t len, size_t max, struct seen_frames *f)
{
	size_t off = 0;

	memset(f, 0, sizeof(*f));
	while (len - off >= 12) {
		struct frame_header hdr;

		memcpy(&hdr.len, s + off, 4);
		memcpy(&hdr.kind, s + off + 4, 4);
		memcpy(&hdr.id, s + off + 8, 4);
		if (hdr.len > max) {
			f->bad = true;
			break;
		}
		if (len - off - 12 < hdr.len)
			break;
		note(f, &hdr, s + off + 12);
		off += 12 + hdr.len;
	}
	f->left = len - off;
}

/* As the parent does: pieces appended to a buffer, whole frames taken from its front. */
static void piecewise(const char *s, size_t len, size_t max, unsigned most, struct seen_frames *f)
{
	char *buf = malloc(len ? len : 1);
	size_t have = 0, at = 0;
	uint32_t state = most * 2654435761u + 7;

	FUZZ_CHECK(buf != NULL, "out of memory");
	memset(f, 0, sizeof(*f));
	while (at < len && !f->bad) {
		size_t n, off = 0;

		state = state * 1103515245u + 12345u;
		n = 1 + (state >> 8) % most;
		if (n > len - at)
			n = len - at;
		memcpy(buf + have, s + at, n);
		have += n;
		at += n;
		for (;;) {
			struct frame_header hdr;
			const char *payload = NULL;
			int v = frame_next(buf + off, have - off, max, &hdr, &payload);

			if (v == FRAME_BAD) {
				f->bad = true;
				break;
			}
			if (v == FRAME_PARTIAL)
				break;
			FUZZ_CHECK(v == FRAME_WHOLE, "frame_next said %d", v);
			FUZZ_CHECK(payload == buf + off + sizeof(hdr) && hdr.len <= max &&
				   off + sizeof(hdr) + hdr.len <= have, "a payload outside the buffer");
			note(f, &hdr, payload);
			off += sizeof(hdr) + hdr.len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	f->left = have + (len - at);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned most[4] = { 1, 5, 64, 4096 };
	struct seen_frames want, got;
	size_t max;

	if (size < 2)
		return 0;
	max = (size_t)data[1] * 3;
	model((const char *)data + 2, size - 2, max, &want);
	piecewise((const char *)data + 2, size - 2, max, most[data[0] & 3], &got);
	FUZZ_CHECK(got.bad == want.bad, "a bad header seen %d, the model says %d", got.bad, want.bad);
	FUZZ_CHECK(got.n == want.n, "%zu frames, the model has %zu", got.n, want.n);
	for (size_t i = 0; i < got.n && i < 64; i++)
		FUZZ_CHECK(got.kind[i] == want.kind[i] && got.id[i] == want.id[i] &&
			   got.len[i] == want.len[i] &&
			   got.sum[i] == want.sum[i], "frame %zu differs from the model", i);
	if (!want.bad)
		FUZZ_CHECK(got.left == want.left, "%zu bytes left, the model leaves %zu", got.left,
			   want.left);
	return 0;
}
