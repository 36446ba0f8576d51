/* frame.h -- the messages on a worker process's socket: a header, then its bytes */
#ifndef CRAWLPOOL_FRAME_H
#define CRAWLPOOL_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every message on a worker's socket is a frame: this header, then `len`
 * bytes. The parent sends FRAME_JOB; the worker answers each job with one
 * FRAME_RESULT (carrying the result), FRAME_FAILED, FRAME_TOO_LARGE or
 * FRAME_INTERRUPTED (the pool was stopped before the job started), under the
 * job's id: a loop worker answers its jobs in any order. Parent and
 * worker are the same binary: native order and widths.
 */
struct frame_header {
	uint32_t len;
	uint32_t kind;
	uint32_t id;
};

enum frame_kind {
	FRAME_JOB = 1,
	FRAME_RESULT,
	FRAME_FAILED,
	FRAME_TOO_LARGE,
	FRAME_INTERRUPTED,
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

/* Bytes read from or waiting for a socket. */
struct frame_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Room for `want` more bytes; false when out of memory. */
bool frame_buf_reserve(struct frame_buf *buf, size_t want);
/* Appends a frame; false when out of memory. */
bool frame_buf_add(struct frame_buf *buf, const struct frame_header *hdr, const void *data);
/* Drops the first n bytes. */
void frame_buf_consume(struct frame_buf *buf, size_t n);

/* Writes one frame whole to a blocking socket: 0, or -1 with errno set. */
int frame_send(int fd, const struct frame_header *hdr, const void *data);
/* Writes len bytes whole, waiting for room when the socket is non-blocking: 0 or -1. */
int frame_write_all(int fd, const char *data, size_t len);

#endif
