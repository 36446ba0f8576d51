/* conn.c -- a demo-site connection: bounded reads, writes and waits; response heads and replies */
#include "conn.h"
#include "hoststats.h"
#include "sitegen.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

long long demo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on the client until the deadline: 1 when ready, else CONN_*. */
static int conn_poll(struct demo_conn *c, short events, long long deadline)
{
	struct pollfd p[2] = {
		{ .fd = c->fd, .events = events },
		{ .fd = c->site->stop_fd, .events = POLLIN },
	};

	for (;;) {
		long long left = deadline - demo_now_ms();
		int n;

		if (left < 0)
			left = 0;
		n = poll(p, 2, left > INT_MAX ? INT_MAX : (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return CONN_GONE;
		}
		if (p[1].revents)
			return CONN_STOP;
		if (p[0].revents & events)
			return 1;
		if (p[0].revents)
			return CONN_GONE;
		if (left == 0)
			return CONN_TIMEOUT;
	}
}

/*
 * After a non-blocking socket call failed: 0 to try it again (interrupted,
 * or the socket is ready now), or CONN_*.
 */
static int conn_retry(struct demo_conn *c, short events, long long deadline)
{
	int rc;

	if (errno == EINTR)
		return 0;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return CONN_GONE;
	rc = conn_poll(c, events, deadline);
	return rc < 0 ? rc : 0;
}

int conn_send(struct demo_conn *c, struct iovec *iov, int cnt, long long deadline)
{
	while (cnt > 0) {
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
		ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			int rc = conn_retry(c, POLLOUT, deadline);

			if (rc < 0)
				return rc;
			continue;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

int conn_send_buf(struct demo_conn *c, const void *buf, size_t len, long long deadline)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return conn_send(c, &iov, 1, deadline);
}

int conn_sleep(struct demo_conn *c, long long deadline)
{
	int rc = conn_poll(c, POLLRDHUP, deadline);

	if (rc == CONN_TIMEOUT)
		return 0;
	return rc == 1 ? CONN_GONE : rc;
}

ssize_t conn_read(struct demo_conn *c, void *buf, size_t len, long long deadline)
{
	for (;;) {
		ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);
		int rc;

		if (n >= 0)
			return n;
		rc = conn_retry(c, POLLIN, deadline);
		if (rc < 0)
			return rc;
	}
}

ssize_t conn_recv(struct demo_conn *c, long long deadline)
{
	ssize_t n = conn_read(c, c->in + c->in_len, sizeof(c->in) - c->in_len, deadline);

	if (n > 0)
		c->in_len += (size_t)n;
	return n;
}

char *conn_scratch(struct demo_conn *c)
{
	if (!c->scratch)
		c->scratch = malloc(SITEGEN_MAX_BYTES);
	return c->scratch;
}

size_t conn_head(struct demo_conn *c, const struct http_request *req, char *buf, size_t cap,
		 struct http_response *resp)
{
	time_t now = time(NULL);

	if (now != c->date_at) {
		http_date(c->date);
		c->date_at = now;
	}
	resp->minor = req ? req->minor : 1;
	resp->keep_alive = resp->keep_alive && req && req->keep_alive;
	c->status = resp->status;
	return http_format_head(buf, cap, resp, c->date);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void conn_stats_begin(struct demo_conn *c, const struct http_request *req)
{
	char key[HOSTSTATS_KEY_MAX + 1];
	size_t len;

	c->stats = NULL;
	if (req->path_len == sizeof(CONN_STATS_PATH) - 1 &&
	    memcmp(req->path, CONN_STATS_PATH, req->path_len) == 0)
		return;
	if (req->host && req->host_len > 0 && req->host_len <= HOSTSTATS_KEY_MAX) {
		len = req->host_len;
		for (size_t i = 0; i < len; i++) {
			char ch = req->host[i];

			key[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
		}
	} else {
		len = strlen(c->local);
		memcpy(key, c->local, len);
	}
	c->stats = hoststats_begin(c->site->stats, key, len, now_us());
}

void conn_stats_end(struct demo_conn *c)
{
	if (c->stats) {
		hoststats_end(c->site->stats, c->stats);
		c->stats = NULL;
	}
}

bool conn_reply(struct demo_conn *c, const struct http_request *req, int status,
		const char *type, const void *body, size_t len, const char *extra)
{
	struct http_response resp = {
		.status = status,
		.content_type = type,
		.content_length = (long long)len,
		.extra = extra,
		.keep_alive = true,
	};
	char head[512];
	struct iovec iov[2];
	int cnt = 1;

	/* 204 and 304 carry no body and, here, no length */
	if (status == 204 || status == 304) {
		resp.content_length = -1;
		len = 0;
	}
	iov[0].iov_base = head;
	iov[0].iov_len = conn_head(c, req, head, sizeof(head), &resp);
	if (iov[0].iov_len == 0)
		return false;
	if (len > 0 && !(req && req->method == HTTP_HEAD)) {
		iov[1].iov_base = (void *)body;
		iov[1].iov_len = len;
		cnt = 2;
	}
	/*
	 * The request stops counting as in progress once its whole answer is
	 * ready to go: a client may send its next one the moment it reads it.
	 */
	conn_stats_end(c);
	if (conn_send(c, iov, cnt, demo_now_ms() + CONN_WRITE_MS) < 0)
		return false;
	return resp.keep_alive;
}

bool conn_reply_error(struct demo_conn *c, const struct http_request *req, int status)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
			 "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>"
			 "<body><h1>%d %s</h1></body></html>\n",
			 status, http_reason(status), status, http_reason(status));
	struct http_request closing;

	if (req) {
		closing = *req;
		closing.keep_alive = false;
		req = &closing;
	}
	conn_reply(c, req, status, DEMO_HTML_TYPE, body, (size_t)n,
		   status == 405 ? "Allow: GET, HEAD\r\n" : NULL);
	return false;
}
