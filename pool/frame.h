/* frame.h -- the messages on a worker process's socket: a header, then its bytes */
#ifndef CRAWLPOOL_FRAME_H
#define CRAWLPOOL_FRAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every message on a worker's socket is a frame: this header, then `len`
 * bytes. The parent sends FRAME_JOB; the worker answers each job with one
 * FRAME_RESULT (carrying the result), FRAME_FAILED or FRAME_TOO_LARGE.
 * Parent and worker are the same binary: native order and widths.
 */
struct frame_header {
	uint32_t len;
	uint32_t kind;
};

enum frame_kind {
	FRAME_JOB = 1,
	FRAME_RESULT,
	FRAME_FAILED,
	FRAME_TOO_LARGE,
};

enum frame_verdict {
	FRAME_BAD = -1,		/* a header announcing more than max bytes: not ours */
	FRAME_PARTIAL = 0,	/* not a whole frame yet: read more */
	FRAME_WHOLE = 1,	/* *hdr and *payload are set; the frame takes sizeof(*hdr) + hdr->len bytes */
};

/*
 * The frame at the start of buf[0..len), which came from a peer that may
 * be broken: any bytes at all are safe here. Returns a frame_verdict.
 */
int frame_next(const char *buf, size_t len, size_t max, struct frame_header *hdr,
	       const char **payload);

#endif
