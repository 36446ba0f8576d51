/* echo_client.c -- echo-client: handshake, then stdin lines to the server and replies to stdout */
#include "echo_client.h"
#include "echo_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_conn.h"

#define CLIENT_BUF 65536

static int client_fail(char *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, NET_ERR_LEN, fmt, ap);
	va_end(ap);
	return code;
}

/* Reads up to len bytes, stopping after a newline if stop_nl; bytes read, or -1 on timeout/error. */
static ssize_t client_read_until(int fd, unsigned char *buf, size_t len, bool stop_nl)
{
	int64_t deadline = echo_now_ms() + ECHO_CLIENT_HANDSHAKE_MS;
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t wait = deadline - echo_now_ms();
		ssize_t n;
		int rc;

		if (wait <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&pfd, 1, (int)wait);
		if (rc < 0 && errno != EINTR)
			return -1;
		if (rc <= 0)
			continue;
		/* One byte at a time when looking for a newline: nothing after it is ours. */
		n = recv(fd, buf + got, stop_nl ? 1 : len - got, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
		if (stop_nl && buf[got - 1] == '\n')
			break;
	}
	return (ssize_t)got;
}

static int client_server_message(const unsigned char *msg, size_t len, char *err)
{
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		len--;
	if (len > 6 && memcmp(msg, "ERROR ", 6) == 0)
		return client_fail(err, ECHO_CLIENT_REFUSED, "server refused: %.*s", (int)(len - 6),
				   (const char *)msg + 6);
	return client_fail(err, ECHO_CLIENT_FAILED, "unexpected reply from server: '%.*s'",
			   (int)len, (const char *)msg);
}

int echo_client_handshake(int fd, const struct net_secret *secret, char *err)
{
	unsigned char challenge[NET_AUTH_CHALLENGE_LEN];
	unsigned char tag[NET_AUTH_TAG_LEN];
	unsigned char reply[64];
	ssize_t n = client_read_until(fd, challenge, sizeof(challenge), false);

	if (n < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "no challenge from server: %s",
				   strerror(errno));
	if ((size_t)n < sizeof(challenge)) {
		/* A busy server answers with an error line instead of a challenge. */
		if (n > 0 && challenge[n - 1] == '\n')
			return client_server_message(challenge, (size_t)n, err);
		return client_fail(err, ECHO_CLIENT_FAILED,
				   "server closed the connection during the handshake");
	}
	if (net_auth_tag(secret, challenge, tag) < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "cannot compute the HMAC");
	if (net_write_all(fd, tag, sizeof(tag)) < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "cannot send the answer: %s",
				   strerror(errno));
	n = client_read_until(fd, reply, sizeof(reply), true);
	if (n < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "no verdict from server: %s",
				   strerror(errno));
	if ((size_t)n == strlen(ECHO_MSG_OK) && memcmp(reply, ECHO_MSG_OK, (size_t)n) == 0)
		return ECHO_CLIENT_OK;
	if ((size_t)n == strlen(ECHO_MSG_DENIED) && memcmp(reply, ECHO_MSG_DENIED, (size_t)n) == 0)
		return client_fail(err, ECHO_CLIENT_DENIED,
				   "authentication denied by server: wrong secret");
	if (n == 0)
		return client_fail(err, ECHO_CLIENT_FAILED,
				   "server closed the connection during the handshake");
	return client_server_message(reply, (size_t)n, err);
}

struct client_pump {
	int fd, in_fd, out_fd;
	char out[CLIENT_BUF];		/* read from in_fd, not yet sent */
	size_t out_len, out_sent;
	char in[CLIENT_BUF];		/* from the server: the unfinished line */
	size_t in_len;
	bool in_eof, long_line;
	int result;
	char *err;
};

/* Copies one line or run of bytes to the output, or to err if it is a server message. */
static int pump_emit(struct client_pump *p, const char *line, size_t len, bool whole)
{
	if (whole && !p->long_line && len > 6 && memcmp(line, "ERROR ", 6) == 0 &&
	    echo_is_server_message(line, len)) {
		p->result = client_server_message((const unsigned char *)line, len, p->err);
		return 0;
	}
	p->long_line = !whole;
	if (net_write_all(p->out_fd, line, len) < 0) {
		p->result = client_fail(p->err, ECHO_CLIENT_FAILED, "cannot write the output: %s",
					strerror(errno));
		return -1;
	}
	return 0;
}

/* Splits what came from the server into lines; 1 at EOF, 0 to go on, -1 on error. */
static int pump_from_server(struct client_pump *p)
{
	ssize_t n = recv(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len, 0);
	size_t start = 0;
	char *nl;

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		p->result = client_fail(p->err, ECHO_CLIENT_FAILED, "connection lost: %s",
					strerror(errno));
		return -1;
	}
	if (n == 0) {
		if (p->in_len > 0 && pump_emit(p, p->in, p->in_len, false) < 0)
			return -1;
		/* Before our input ended: an idle timeout or a server going down. */
		if (!p->in_eof && p->result == ECHO_CLIENT_OK)
			p->result = client_fail(p->err, ECHO_CLIENT_FAILED,
						"server closed the connection");
		return 1;
	}
	p->in_len += (size_t)n;
	while ((nl = memchr(p->in + start, '\n', p->in_len - start))) {
		size_t len = (size_t)(nl - (p->in + start)) + 1;

		if (pump_emit(p, p->in + start, len, true) < 0)
			return -1;
		start += len;
	}
	memmove(p->in, p->in + start, p->in_len - start);
	p->in_len -= start;
	/* A reply longer than the buffer cannot be a server message: pass it on. */
	if (p->in_len == sizeof(p->in)) {
		if (pump_emit(p, p->in, p->in_len, false) < 0)
			return -1;
		p->in_len = 0;
	}
	return 0;
}

static int pump_to_server(struct client_pump *p, short revents)
{
	if (p->out_sent == p->out_len && (revents & (POLLIN | POLLHUP))) {
		ssize_t n = read(p->in_fd, p->out, sizeof(p->out));

		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			p->result = client_fail(p->err, ECHO_CLIENT_FAILED,
						"cannot read the input: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			p->in_eof = true;
			shutdown(p->fd, SHUT_WR);
		}
		p->out_len = n > 0 ? (size_t)n : 0;
		p->out_sent = 0;
	}
	if (p->out_sent < p->out_len) {
		ssize_t n = send(p->fd, p->out + p->out_sent, p->out_len - p->out_sent,
				 MSG_NOSIGNAL);

		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			p->result = client_fail(p->err, ECHO_CLIENT_FAILED, "connection lost: %s",
						strerror(errno));
			return -1;
		}
		if (n > 0)
			p->out_sent += (size_t)n;
	}
	return 0;
}

static int pump_run(struct client_pump *p)
{
	for (;;) {
		bool sending = p->out_sent < p->out_len;
		struct pollfd pfd[2] = {
			{ .fd = p->fd, .events = (short)(POLLIN | (sending ? POLLOUT : 0)) },
			{ .fd = p->in_eof || sending ? -1 : p->in_fd, .events = POLLIN },
		};
		int rc;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return client_fail(p->err, ECHO_CLIENT_FAILED, "poll failed: %s",
					   strerror(errno));
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = pump_from_server(p);
			if (rc != 0)
				return p->result;
		}
		if ((pfd[0].revents & POLLOUT) || pfd[1].revents) {
			if (pump_to_server(p, pfd[1].revents) < 0)
				return p->result;
		}
	}
}

int echo_client_pump(int fd, int in_fd, int out_fd, char *err)
{
	struct client_pump *p;
	int rc;

	if (net_set_nonblock(fd, true) < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "cannot make the socket non-blocking: %s",
				   strerror(errno));
	p = calloc(1, sizeof(*p));
	if (!p)
		return client_fail(err, ECHO_CLIENT_FAILED, "out of memory");
	p->fd = fd;
	p->in_fd = in_fd;
	p->out_fd = out_fd;
	p->err = err;
	p->result = ECHO_CLIENT_OK;
	rc = pump_run(p);
	free(p);
	return rc;
}
