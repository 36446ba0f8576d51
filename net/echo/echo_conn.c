/* echo_conn.c -- one echo connection as a non-blocking state machine, shared by all modes */
#include "echo_conn.h"
#include "echo_proto.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * The reply buffer starts small and doubles while replies pile up faster than
 * the peer takes them, up to the line limit but within these bounds: replies
 * go out as they come, so no line has to fit.
 */
#define ECHO_BUF_START 4096
#define ECHO_BUF_MAX ((size_t)64 << 10)

int64_t echo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t conn_buf_cap(const struct echo_conn *c)
{
	size_t cap = c->cfg->max_line;

	if (cap < ECHO_BUF_START)
		return ECHO_BUF_START;
	return cap > ECHO_BUF_MAX ? ECHO_BUF_MAX : cap;
}

static void conn_note(struct echo_conn *c, const void *msg, size_t len)
{
	memcpy(c->note, msg, len);
	c->note_len = len;
	c->note_sent = 0;
}

void echo_conn_end(struct echo_conn *c, enum echo_conn_end why)
{
	if (c->state == ECHO_CONN_DONE)
		return;
	c->state = ECHO_CONN_DONE;
	if (c->end == ECHO_END_NONE)
		c->end = why;
}

/*
 * Stops reading, says why in a last message, and closes once it is out. The
 * message starts a line of its own, so a client reading lines can tell it
 * from the echo it follows.
 */
static void conn_refuse(struct echo_conn *c, enum echo_conn_end why, const char *msg, int64_t now)
{
	size_t nl = c->line_len > 0;

	c->note[0] = '\n';
	memcpy(c->note + nl, msg, strlen(msg));
	c->note_len = nl + strlen(msg);
	c->note_sent = 0;
	c->line_len = 0;
	c->state = ECHO_CONN_CLOSING;
	c->end = why;
	c->deadline = now + ECHO_LINGER_MS;
}

int echo_conn_init(struct echo_conn *c, int fd, const char *peer,
		   const struct echo_config *cfg, int64_t now)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->cfg = cfg;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	if (!cfg->secret) {
		c->state = ECHO_CONN_ECHO;
		c->deadline = now + cfg->idle_ms;
		return 0;
	}
	if (net_auth_challenge(c->challenge) < 0)
		return -1;
	conn_note(c, c->challenge, sizeof(c->challenge));
	c->state = ECHO_CONN_AUTH;
	/* Fixed from the accept: a slow trickle of tag bytes does not extend it. */
	c->deadline = now + ECHO_AUTH_TIMEOUT_MS;
	return 0;
}

void echo_conn_release(struct echo_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->alloc = 0;
}

static bool conn_output_pending(const struct echo_conn *c)
{
	return c->sent < c->len || c->note_sent < c->note_len;
}

/* Moves the unsent bytes to the front, making room at the end. */
static void conn_compact(struct echo_conn *c)
{
	if (c->sent == 0)
		return;
	memmove(c->buf, c->buf + c->sent, c->len - c->sent);
	c->len -= c->sent;
	c->sent = 0;
}

/*
 * Whether a read has somewhere to go. Replies the peer has not taken wait in
 * the buffer; once it is full at its cap, the peer is not read from until
 * they are written, so what it can make the server hold stays bounded.
 */
static bool conn_can_read(const struct echo_conn *c)
{
	/* Replies must not overtake the OK still on its way. */
	if (c->note_sent < c->note_len)
		return false;
	return c->len - c->sent < conn_buf_cap(c);
}

short echo_conn_events(const struct echo_conn *c)
{
	short ev = conn_output_pending(c) ? POLLOUT : 0;

	switch (c->state) {
	case ECHO_CONN_AUTH:
		/* The tag is read only once the whole challenge is out. */
		return ev ? ev : POLLIN;
	case ECHO_CONN_LINGER:
		return ev | POLLIN;
	case ECHO_CONN_ECHO:
		if (!c->peer_eof && conn_can_read(c))
			ev |= POLLIN;
		return ev;
	case ECHO_CONN_CLOSING:
		return POLLOUT;
	case ECHO_CONN_DONE:
		break;
	}
	return 0;
}

/* write() once; returns bytes written, 0 on EAGAIN, -1 after ending the connection. */
static ssize_t conn_write(struct echo_conn *c, const void *p, size_t len)
{
	ssize_t n;

	do
		n = send(c->fd, p, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	echo_conn_end(c, ECHO_END_ERROR);
	return -1;
}

static void conn_flush(struct echo_conn *c, int64_t now)
{
	bool progress = false;

	while (c->sent < c->len) {
		ssize_t n = conn_write(c, c->buf + c->sent, c->len - c->sent);

		if (n <= 0)
			goto out;
		c->sent += (size_t)n;
		progress = true;
	}
	while (c->note_sent < c->note_len) {
		ssize_t n = conn_write(c, c->note + c->note_sent, c->note_len - c->note_sent);

		if (n <= 0)
			goto out;
		c->note_sent += (size_t)n;
		progress = true;
	}
	if (c->state == ECHO_CONN_CLOSING) {
		/* FIN after the message, then drain: closing with unread input would reset it away. */
		shutdown(c->fd, SHUT_WR);
		c->state = ECHO_CONN_LINGER;
	} else if (c->state == ECHO_CONN_ECHO && c->peer_eof) {
		echo_conn_end(c, ECHO_END_EOF);
	}
out:
	if (progress && c->state == ECHO_CONN_ECHO)
		c->deadline = now + c->cfg->idle_ms;
}

/* read() once; returns bytes read, 0 on EAGAIN, -1 on EOF or error (peer_eof set on EOF). */
static ssize_t conn_read(struct echo_conn *c, void *p, size_t len)
{
	ssize_t n;

	do
		n = recv(c->fd, p, len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0) {
		c->peer_eof = true;
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	echo_conn_end(c, ECHO_END_ERROR);
	return -1;
}

static void conn_read_auth(struct echo_conn *c, int64_t now)
{
	/* Never past the tag: data sent early waits in the socket until OK is out. */
	ssize_t n = conn_read(c, c->answer + c->answer_len, sizeof(c->answer) - c->answer_len);

	if (n < 0) {
		echo_conn_end(c, ECHO_END_AUTH_EOF);
		return;
	}
	c->answer_len += (size_t)n;
	if (c->answer_len < sizeof(c->answer))
		return;
	if (!net_auth_verify(c->cfg->secret, c->challenge, c->answer)) {
		conn_refuse(c, ECHO_END_DENIED, ECHO_MSG_DENIED, now);
		return;
	}
	conn_note(c, ECHO_MSG_OK, strlen(ECHO_MSG_OK));
	c->state = ECHO_CONN_ECHO;
	c->deadline = now + c->cfg->idle_ms;
}

static int conn_make_room(struct echo_conn *c)
{
	size_t cap = conn_buf_cap(c);
	size_t want;
	char *p;

	if (c->sent > 0)
		conn_compact(c);
	if (c->len < c->alloc)
		return 0;
	want = c->alloc ? c->alloc * 2 : ECHO_BUF_START;
	if (want > cap)
		want = cap;
	p = realloc(c->buf, want);
	if (!p)
		return -1;
	c->buf = p;
	c->alloc = want;
	return 0;
}

/* An unfinished line at EOF is ended as if its newline had come. */
static void conn_finish_line(struct echo_conn *c)
{
	if (c->line_len == 0)
		return;
	c->line_len = 0;
	conn_note(c, "\n", 1);
}

/* Answers what arrived at once: a client that sends a word and waits gets it back. */
static void conn_read_echo(struct echo_conn *c, int64_t now)
{
	size_t ok;
	ssize_t n;

	if (!conn_can_read(c))
		return;
	if (conn_make_room(c) < 0) {
		echo_conn_end(c, ECHO_END_NOMEM);
		return;
	}
	n = conn_read(c, c->buf + c->len, c->alloc - c->len);
	if (n < 0) {
		if (c->peer_eof)
			conn_finish_line(c);
		return;
	}
	if (n == 0)
		return;
	c->deadline = now + c->cfg->idle_ms;
	ok = echo_scan(c->buf + c->len, (size_t)n, &c->line_len, c->cfg->max_line);
	echo_upcase(c->buf + c->len, ok);
	c->len += ok;
	if (ok < (size_t)n)
		conn_refuse(c, ECHO_END_TOO_LONG, ECHO_MSG_TOO_LONG, now);
}

static void conn_read_linger(struct echo_conn *c)
{
	char scratch[4096];

	for (int i = 0; i < 16; i++) {
		ssize_t n = conn_read(c, scratch, sizeof(scratch));

		if (n < 0) {
			echo_conn_end(c, c->end);
			return;
		}
		if (n == 0)
			return;
	}
}

void echo_conn_handle(struct echo_conn *c, short revents, int64_t now)
{
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		switch (c->state) {
		case ECHO_CONN_AUTH:
			/* A verdict must not replace a challenge still being sent. */
			if (!conn_output_pending(c))
				conn_read_auth(c, now);
			break;
		case ECHO_CONN_ECHO:
			if (!c->peer_eof)
				conn_read_echo(c, now);
			break;
		case ECHO_CONN_LINGER:
			conn_read_linger(c);
			break;
		case ECHO_CONN_CLOSING:
		case ECHO_CONN_DONE:
			break;
		}
	}
	/* Write at once rather than after another wait: the socket is usually writable. */
	if (c->state != ECHO_CONN_DONE && c->state != ECHO_CONN_LINGER)
		conn_flush(c, now);
}

void echo_conn_expire(struct echo_conn *c, int64_t now)
{
	if (c->state == ECHO_CONN_DONE || now < c->deadline)
		return;
	switch (c->state) {
	case ECHO_CONN_AUTH:
		echo_conn_end(c, ECHO_END_AUTH_TIMEOUT);
		break;
	case ECHO_CONN_ECHO:
		echo_conn_end(c, ECHO_END_IDLE);
		break;
	default:
		/* A refused peer that does not read or close: its refusal stands. */
		echo_conn_end(c, c->end);
		break;
	}
}

void echo_conn_serve(struct echo_conn *c, int stop_fd)
{
	while (!echo_conn_done(c)) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd, .events = echo_conn_events(c) },
			{ .fd = stop_fd, .events = POLLIN },
		};
		int64_t now = echo_now_ms();
		int64_t wait;
		int n;

		echo_conn_expire(c, now);
		if (echo_conn_done(c))
			break;
		wait = c->deadline - now;
		n = poll(pfd, 2, wait > INT_MAX ? INT_MAX : (int)wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			echo_conn_end(c, ECHO_END_ERROR);
			break;
		}
		if (pfd[1].revents) {
			echo_conn_end(c, ECHO_END_SHUTDOWN);
			break;
		}
		if (pfd[0].revents)
			echo_conn_handle(c, pfd[0].revents, echo_now_ms());
	}
}

const char *echo_conn_end_string(enum echo_conn_end why)
{
	switch (why) {
	case ECHO_END_NONE:
		return "open";
	case ECHO_END_EOF:
		return "closed by peer";
	case ECHO_END_ERROR:
		return "connection error";
	case ECHO_END_IDLE:
		return "idle timeout";
	case ECHO_END_AUTH_TIMEOUT:
		return "no answer to the challenge in time";
	case ECHO_END_AUTH_EOF:
		return "closed before answering the challenge";
	case ECHO_END_DENIED:
		return "denied: wrong key";
	case ECHO_END_TOO_LONG:
		return "line too long";
	case ECHO_END_SHUTDOWN:
		return "server shutting down";
	case ECHO_END_NOMEM:
		return "out of memory";
	}
	return "unknown";
}

bool echo_conn_end_is_refusal(enum echo_conn_end why)
{
	switch (why) {
	case ECHO_END_IDLE:
	case ECHO_END_AUTH_TIMEOUT:
	case ECHO_END_AUTH_EOF:
	case ECHO_END_DENIED:
	case ECHO_END_TOO_LONG:
	case ECHO_END_NOMEM:
		return true;
	default:
		return false;
	}
}
