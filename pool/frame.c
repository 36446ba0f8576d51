/* frame.c -- the messages on a worker process's socket: a header, then its bytes */
#include "frame.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* A buffer grows by at least this much at a time. */
enum { BUF_CHUNK = 64 * 1024 };

int frame_next(const char *buf, size_t len, size_t max, struct frame_header *hdr,
	       const char **payload)
{
	if (len < sizeof(*hdr))
		return FRAME_PARTIAL;
	memcpy(hdr, buf, sizeof(*hdr));
	if (hdr->len > max)
		return FRAME_BAD;
	if (len - sizeof(*hdr) < hdr->len)
		return FRAME_PARTIAL;
	*payload = buf + sizeof(*hdr);
	return FRAME_WHOLE;
}

bool frame_buf_reserve(struct frame_buf *buf, size_t want)
{
	size_t cap = buf->cap ? buf->cap : BUF_CHUNK;
	char *data;

	if (buf->cap - buf->len >= want)
		return true;
	while (cap - buf->len < want)
		cap *= 2;
	data = realloc(buf->data, cap);
	if (!data)
		return false;
	buf->data = data;
	buf->cap = cap;
	return true;
}

bool frame_buf_add(struct frame_buf *buf, const struct frame_header *hdr, const void *data)
{
	if (!frame_buf_reserve(buf, sizeof(*hdr) + hdr->len))
		return false;
	memcpy(buf->data + buf->len, hdr, sizeof(*hdr));
	if (hdr->len > 0)
		memcpy(buf->data + buf->len + sizeof(*hdr), data, hdr->len);
	buf->len += sizeof(*hdr) + hdr->len;
	return true;
}

void frame_buf_consume(struct frame_buf *buf, size_t n)
{
	memmove(buf->data, buf->data + n, buf->len - n);
	buf->len -= n;
}

/* Sends what the vector holds, moving it past what went; 0 or -1. */
static int send_vector(int fd, struct iovec *iov, int n)
{
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)n };

	while (msg.msg_iovlen > 0) {
		ssize_t sent = sendmsg(fd, &msg, MSG_NOSIGNAL);

		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				if (poll(&p, 1, -1) < 0 && errno != EINTR)
					return -1;
				continue;
			}
			return -1;
		}
		while (msg.msg_iovlen > 0 && (size_t)sent >= msg.msg_iov->iov_len) {
			sent -= (ssize_t)msg.msg_iov->iov_len;
			msg.msg_iov++;
			msg.msg_iovlen--;
		}
		if (msg.msg_iovlen > 0) {
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + sent;
			msg.msg_iov->iov_len -= (size_t)sent;
		}
	}
	return 0;
}

int frame_send(int fd, const struct frame_header *hdr, const void *data)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)hdr, .iov_len = sizeof(*hdr) },
		{ .iov_base = (void *)data, .iov_len = hdr->len },
	};

	return send_vector(fd, iov, hdr->len > 0 ? 2 : 1);
}

int frame_write_all(int fd, const char *data, size_t len)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };

	return send_vector(fd, &iov, len > 0 ? 1 : 0);
}
