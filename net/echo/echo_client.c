/* echo_client.c -- echo-client: handshake, then stdin to the server and replies to stdout */
#include "echo_client.h"
#include "echo_proto.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_conn.h"
#include "errbuf.h"

#define CLIENT_BUF 65536
/* The first bytes from a server without authentication must be our own, echoed. */
#define CLIENT_GREETING 32

__attribute__((format(printf, 3, 4)))
static int client_fail(char *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, NET_ERR_LEN, fmt, ap);
	va_end(ap);
	return code;
}

/* Seconds for a message: 10000 -> "10 s", 500 -> "0.5 s". */
static const char *client_seconds(int ms, char buf[32])
{
	snprintf(buf, 32, "%g s", ms / 1000.0);
	return buf;
}

/*
 * Reads up to len bytes, stopping after a newline if stop_nl; bytes read, or
 * -1 on error or when timeout_ms pass (errno ETIMEDOUT).
 */
static ssize_t client_read_until(int fd, unsigned char *buf, size_t len, bool stop_nl,
				 int timeout_ms)
{
	int64_t deadline = echo_now_ms() + timeout_ms;
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

int echo_client_handshake(int fd, const struct net_secret *secret, int timeout_ms, char *err)
{
	unsigned char challenge[NET_AUTH_CHALLENGE_LEN];
	unsigned char tag[NET_AUTH_TAG_LEN];
	unsigned char reply[64];
	char secs[32];
	/* A server that authenticates speaks first; one that does not waits for us. */
	ssize_t n = client_read_until(fd, challenge, sizeof(challenge), false, timeout_ms);

	if (n < 0 && errno == ETIMEDOUT)
		return client_fail(err, ECHO_CLIENT_MISMATCH,
				   "no challenge from the server within %s: it does not ask "
				   "for authentication (run without --secret-file), or it "
				   "is not answering",
				   client_seconds(timeout_ms, secs));
	if (n < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "no challenge from server: %s",
				   strerror(errno));
	if ((size_t)n < sizeof(challenge)) {
		/* A busy server answers with an error line instead of a challenge. */
		if (n > 0 && challenge[n - 1] == '\n')
			return client_server_message(challenge, (size_t)n, err);
		if (n == 0)
			return client_fail(err, ECHO_CLIENT_FAILED,
					   "server closed the connection without a challenge; "
					   "if it does not ask for authentication, run without "
					   "--secret-file");
		return client_fail(err, ECHO_CLIENT_FAILED,
				   "server closed the connection during the handshake");
	}
	if (net_auth_tag(secret, challenge, tag) < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "cannot compute the HMAC");
	if (net_write_all(fd, tag, sizeof(tag)) < 0)
		return client_fail(err, ECHO_CLIENT_FAILED, "cannot send the answer: %s",
				   strerror(errno));
	n = client_read_until(fd, reply, sizeof(reply), true, timeout_ms);
	if (n < 0 && errno == ETIMEDOUT)
		return client_fail(err, ECHO_CLIENT_FAILED, "no verdict from server within %s",
				   client_seconds(timeout_ms, secs));
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

/*
 * Whether the server is an echo-server that does not authenticate: its first
 * bytes are our first bytes upper-cased, with perhaps a newline of its own
 * (at our EOF, or before an error). One that authenticates sends a challenge
 * before it reads anything; a busy one, an ERROR line.
 */
enum greeting {
	GREETING_CHECKING,
	GREETING_OK,
	GREETING_FOREIGN,
};

struct client_pump {
	int fd, in_fd, out_fd;
	int timeout_ms;
	char out[CLIENT_BUF];		/* read from in_fd, not yet sent */
	size_t out_len, out_sent;
	char in[CLIENT_BUF];		/* from the server: the unfinished line */
	size_t in_len;
	bool in_eof, long_line;
	unsigned long long sent_total, got_total;
	int64_t last_progress;		/* monotonic ms of the last byte either way */
	enum greeting greeting;
	unsigned char echo_want[CLIENT_GREETING];	/* our first bytes, upper-cased */
	size_t echo_want_len;
	/* The server's first bytes; from error_at on, not an echo: an ERROR line? */
	unsigned char first[CLIENT_GREETING + 8];
	size_t first_len, error_at;
	bool echo_ended;
	int result;
	char *err;
};

/* After the echo ended: whether what follows is an ERROR line, or may still become one. */
static enum greeting greeting_error_line(const struct client_pump *p)
{
	static const char error[] = "ERROR ";
	size_t have = p->first_len - p->error_at;
	size_t n = have < sizeof(error) - 1 ? have : sizeof(error) - 1;

	if (memcmp(p->first + p->error_at, error, n) != 0)
		return GREETING_FOREIGN;
	/* A refusal, which the line handling reports. Until it is whole, keep looking. */
	return n == sizeof(error) - 1 ? GREETING_OK : GREETING_CHECKING;
}

/* Looks at bytes from the server until they prove to be an echo, or not. */
static void greeting_check(struct client_pump *p, const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len && p->greeting == GREETING_CHECKING; i++) {
		size_t at = p->first_len;

		p->first[p->first_len++] = buf[i];
		if (!p->echo_ended) {
			if (at < p->echo_want_len && buf[i] == p->echo_want[at]) {
				if (p->first_len == CLIENT_GREETING)
					p->greeting = GREETING_OK;
				continue;
			}
			p->echo_ended = true;
			/* The server's own newline after some echo: EOF or an error follows. */
			p->error_at = at > 0 && buf[i] == '\n' ? at + 1 : at;
			if (p->error_at > at)
				continue;
		}
		p->greeting = greeting_error_line(p);
	}
}

/* Whether the server closing now leaves its first bytes unexplained. */
static bool greeting_unfinished(const struct client_pump *p)
{
	return p->greeting == GREETING_CHECKING && p->echo_ended && p->first_len > p->error_at;
}

/* Notes what was sent, for the greeting check. */
static void greeting_sent(struct client_pump *p, const char *buf, size_t len)
{
	size_t room = CLIENT_GREETING - p->echo_want_len;
	size_t n = len < room ? len : room;

	memcpy(p->echo_want + p->echo_want_len, buf, n);
	echo_upcase((char *)p->echo_want + p->echo_want_len, n);
	p->echo_want_len += n;
}

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
		p->result = client_fail(p->err, errno == EPIPE ? ECHO_CLIENT_OUTPUT_GONE
							: ECHO_CLIENT_FAILED,
					"cannot write the output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int pump_mismatch(struct client_pump *p)
{
	p->result = client_fail(p->err, ECHO_CLIENT_MISMATCH,
				"the server asks for authentication: its first bytes are not an "
				"echo of ours but a challenge; run with --secret-file");
	return -1;
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
	if (p->greeting == GREETING_CHECKING) {
		greeting_check(p, (const unsigned char *)p->in + p->in_len, (size_t)n);
		/* At EOF, the start of an ERROR line that never finished is no echo either. */
		if (p->greeting == GREETING_FOREIGN || (n == 0 && greeting_unfinished(p)))
			return pump_mismatch(p);
	}
	if (n > 0) {
		p->got_total += (size_t)n;
		p->last_progress = echo_now_ms();
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
		if (n > 0) {
			greeting_sent(p, p->out + p->out_sent, (size_t)n);
			p->out_sent += (size_t)n;
			p->sent_total += (size_t)n;
			p->last_progress = echo_now_ms();
		}
	}
	return 0;
}

/*
 * How long poll() may wait: forever while only the user is awaited (the
 * server's idle timeout ends that), else what is left of the timeout since
 * the last progress. -2 once it has run out.
 */
static int pump_wait_ms(const struct client_pump *p)
{
	bool owed = p->out_sent < p->out_len || p->in_eof || p->sent_total > p->got_total;
	int64_t left;

	if (!owed)
		return -1;
	left = p->last_progress + p->timeout_ms - echo_now_ms();
	if (left <= 0)
		return -2;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static int pump_run(struct client_pump *p)
{
	for (;;) {
		bool sending = p->out_sent < p->out_len;
		struct pollfd pfd[2] = {
			{ .fd = p->fd, .events = (short)(POLLIN | (sending ? POLLOUT : 0)) },
			{ .fd = p->in_eof || sending ? -1 : p->in_fd, .events = POLLIN },
		};
		int wait = pump_wait_ms(p);
		char secs[32];
		int rc;

		if (wait == -2)
			return client_fail(p->err, ECHO_CLIENT_FAILED,
					   "no reply from the server within %s",
					   client_seconds(p->timeout_ms, secs));
		if (poll(pfd, 2, wait) < 0) {
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

int echo_client_pump(int fd, int in_fd, int out_fd, bool handshaken, int timeout_ms, char *err)
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
	p->timeout_ms = timeout_ms;
	p->last_progress = echo_now_ms();
	p->greeting = handshaken ? GREETING_OK : GREETING_CHECKING;
	p->err = err;
	p->result = ECHO_CLIENT_OK;
	rc = pump_run(p);
	free(p);
	return rc;
}
