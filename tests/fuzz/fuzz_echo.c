/* fuzz_echo.c -- the echo line protocol with its handshake, over a socketpair, against a model */
#include "fuzz_support.h"
#include "auth.h"
#include "echo_conn.h"
#include "echo_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Input: choices (line limit, secret or none, right, wrong or cut tag, write
 * sizes), a secret file's contents, then what the client sends, run-length
 * expanded so lines reach the 4 KiB buffer and past it.
 *
 * One echo_conn serves the server end of a socketpair; this file plays the
 * client, single-threaded, both ends non-blocking. What the client receives
 * must be exactly what echo_proto.h and echo_conn.h promise:
 *
 *   with a secret: the 32-byte challenge; then OK\n for the right tag,
 *   DENIED\n and nothing more for a wrong one, nothing more if the client
 *   leaves before its tag is complete;
 *   then what the client sent, upper-cased (ASCII letters only), a newline
 *   after a last unfinished line, and, at the first line growing past the
 *   limit, its first max_line bytes, a newline, ERROR line too long\n and
 *   nothing after it.
 *
 * The end reason must match too, and no echoed line may look like a server
 * message. Also checked without a socket: echo_scan fed piece by piece (with
 * line_len carried over) against a byte-by-byte model, echo_upcase, and
 * net_auth_secret_parse against "all bytes less one trailing newline, 1 to
 * NET_AUTH_SECRET_MAX of them".
 */

#define SEND_CAP (3 * 4096 + 512)

static const size_t limits[8] = { 1, 2, 5, 64, 4095, 4096, 4097, 8192 };

static void upcase_model(uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] -= 32;
}

/*
 * The replies to data under a line limit: everything upper-cased as it
 * comes; a line growing past max_line bytes (its newline not counted) is
 * answered up to the limit, then a newline and the error; an unfinished
 * last line gets its newline at EOF. *end gets the reason expected.
 */
static size_t echo_model(const uint8_t *data, size_t len, size_t max_line, uint8_t *out,
			 enum echo_conn_end *end)
{
	size_t line = 0, o = 0;

	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n' && line == max_line) {
			o += (size_t)sprintf((char *)out + o, "%s%s", line ? "\n" : "",
					     ECHO_MSG_TOO_LONG);
			*end = ECHO_END_TOO_LONG;
			return o;
		}
		line = data[i] == '\n' ? 0 : line + 1;
		out[o++] = data[i] >= 'a' && data[i] <= 'z' ? data[i] - 32 : data[i];
	}
	if (line > 0)
		out[o++] = '\n';
	*end = ECHO_END_EOF;
	return o;
}

/* echo_scan given the bytes a piece at a time, as a connection sees them. */
static void check_scan(const uint8_t *data, size_t len, size_t max_line, uint8_t how)
{
	size_t have = 0, line_len = 0, model_line = 0;
	uint32_t state = how * 2654435761u + 3;

	while (have < len) {
		size_t n, ok, want = 0;

		state = state * 1103515245u + 12345u;
		n = 1 + (state >> 8) % 300;
		if (n > len - have)
			n = len - have;
		ok = echo_scan((const char *)data + have, n, &line_len, max_line);
		/* the model: stop at the first byte that would make a line too long */
		for (; want < n; want++) {
			if (data[have + want] == '\n') {
				model_line = 0;
				continue;
			}
			if (model_line == max_line)
				break;
			model_line++;
		}
		FUZZ_CHECK(ok == want, "echo_scan lets %zu of %zu bytes through, the model %zu",
			   ok, n, want);
		FUZZ_CHECK(ok == n ? line_len == model_line : line_len == max_line,
			   "echo_scan: line_len %zu, the model %zu", line_len, model_line);
		if (ok < n)
			return;
		have += n;
	}
}

/* echo_upcase against the model: ASCII letters only, nothing else touched. */
static void check_upcase(const uint8_t *data, size_t len)
{
	uint8_t *a = malloc(len + 1), *b = malloc(len + 1);

	if (!a || !b)
		abort();
	memcpy(a, data, len);
	memcpy(b, data, len);
	echo_upcase((char *)a, len);
	upcase_model(b, len);
	FUZZ_CHECK(memcmp(a, b, len) == 0, "echo_upcase differs from the model");
	free(a);
	free(b);
}

static void check_secret_parse(const uint8_t *p, size_t len)
{
	struct net_secret s;
	char err[512];
	size_t want = len > 0 && p[len - 1] == '\n' ? len - 1 : len;
	int rc = net_auth_secret_parse(&s, p, len, err);

	FUZZ_CHECK((rc == 0) == (want >= 1 && want <= NET_AUTH_SECRET_MAX),
		   "net_auth_secret_parse gave %d for %zu bytes", rc, len);
	if (rc == 0)
		FUZZ_CHECK(s.len == want && memcmp(s.bytes, p, want) == 0, "secret bytes differ");
	net_auth_secret_release(&s);
}

struct client {
	int fd;
	const uint8_t *send;
	size_t send_len, sent;
	bool shut;
	uint8_t *got;
	size_t got_len, got_cap;
	uint32_t state;
	size_t most;
};

/* Sends the next piece, or shuts the write side once everything is out. True on progress. */
static bool client_send(struct client *c)
{
	size_t n;
	ssize_t w;

	if (c->sent == c->send_len) {
		if (c->shut)
			return false;
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
		return true;
	}
	c->state = c->state * 1103515245u + 12345u;
	n = 1 + (c->state >> 8) % c->most;
	if (n > c->send_len - c->sent)
		n = c->send_len - c->sent;
	w = send(c->fd, c->send + c->sent, n, MSG_NOSIGNAL);
	if (w < 0) {
		FUZZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK || errno == EPIPE ||
			   errno == ECONNRESET, "client send: %s", strerror(errno));
		if (errno == EPIPE || errno == ECONNRESET)
			c->sent = c->send_len;	/* the server has gone: nothing more to say */
		return false;
	}
	c->sent += (size_t)w;
	return w > 0;
}

/* Reads what has arrived; true on progress. eof is set at the server's FIN. */
static bool client_recv(struct client *c, bool *eof)
{
	bool progress = false;

	for (;;) {
		ssize_t r;

		if (c->got_cap - c->got_len < 4096) {
			c->got_cap = c->got_cap * 2 + 8192;
			c->got = realloc(c->got, c->got_cap);
			if (!c->got)
				abort();
		}
		r = recv(c->fd, c->got + c->got_len, c->got_cap - c->got_len, 0);
		if (r > 0) {
			c->got_len += (size_t)r;
			progress = true;
			continue;
		}
		if (r == 0)
			*eof = true;
		else
			FUZZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNRESET,
				   "client recv: %s", strerror(errno));
		return progress;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t bits = fuzz_u8(&in), how = fuzz_u8(&in);
	size_t max_line = limits[bits & 7], key_len, lines_len, want_len, tag_keep;
	int tag_mode = (bits >> 3) & 3;	/* 0 no secret, 1 right tag, 2 wrong tag, 3 cut tag */
	const uint8_t *key = fuzz_piece(&in, &key_len);
	uint8_t *lines = fuzz_expand(in.p, in.n, SEND_CAP, &lines_len);
	uint8_t *want = malloc(lines_len + 64), *send_buf;
	struct net_secret secret = { 0 };
	struct echo_config cfg = { .max_line = max_line, .idle_ms = 60000 };
	struct echo_conn conn;
	struct client cl = { .state = how * 2654435761u + 5 };
	enum echo_conn_end want_end;
	size_t idle = 0, rounds = 0, at = 0;
	bool eof = false, tag_sent = false;
	int sv[2];

	if (!want)
		abort();
	check_scan(lines, lines_len, max_line, how);
	check_upcase(lines, lines_len);
	check_secret_parse(key, key_len);
	if (tag_mode != 0 && net_auth_secret_parse(&secret, key, key_len, NULL) < 0)
		tag_mode = 0;
	if (tag_mode != 0)
		cfg.secret = &secret;
	tag_keep = how % NET_AUTH_TAG_LEN;	/* bytes of the tag a leaving client sends */

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	FUZZ_CHECK(echo_conn_init(&conn, sv[0], "fuzz", &cfg, echo_now_ms()) == 0,
		   "echo_conn_init failed");
	cl.fd = sv[1];
	cl.most = (how & 0x80) ? 7 : 5000;

	/* without a secret the lines go at once; with one, after the challenge */
	send_buf = malloc(NET_AUTH_TAG_LEN + lines_len + 1);
	if (!send_buf)
		abort();
	if (tag_mode == 0) {
		memcpy(send_buf, lines, lines_len);
		cl.send = send_buf;
		cl.send_len = lines_len;
		tag_sent = true;
	}

	while (!echo_conn_done(&conn)) {
		struct pollfd pfd = { .fd = conn.fd, .events = echo_conn_events(&conn) };
		bool progress = false;

		if (!tag_sent && cl.got_len >= NET_AUTH_CHALLENGE_LEN) {
			unsigned char tag[NET_AUTH_TAG_LEN];
			size_t n = NET_AUTH_TAG_LEN;

			FUZZ_CHECK(net_auth_tag(&secret, cl.got, tag) == 0, "net_auth_tag failed");
			FUZZ_CHECK(net_auth_verify(&secret, cl.got, tag), "a right tag does not verify");
			tag[how % NET_AUTH_TAG_LEN] ^= (uint8_t)(1u << (bits >> 5));
			FUZZ_CHECK(!net_auth_verify(&secret, cl.got, tag), "a wrong tag verifies");
			tag[how % NET_AUTH_TAG_LEN] ^= (uint8_t)(1u << (bits >> 5));
			if (tag_mode == 2)
				tag[0] ^= 0x80;
			if (tag_mode == 3)
				n = tag_keep;
			memcpy(send_buf, tag, n);
			if (tag_mode == 1) {
				memcpy(send_buf + n, lines, lines_len);
				n += lines_len;
			}
			cl.send = send_buf;
			cl.send_len = n;
			tag_sent = true;
		}
		if (tag_sent)
			progress |= client_send(&cl);
		progress |= client_recv(&cl, &eof);
		if (poll(&pfd, 1, 0) > 0) {
			echo_conn_handle(&conn, pfd.revents, echo_now_ms());
			progress = true;
		}
		idle = progress ? 0 : idle + 1;
		FUZZ_CHECK(++rounds < 1000000, "the connection never ends (state %d)", conn.state);
		FUZZ_CHECK(idle < 1000, "the connection stalled in state %d (sent %zu of %zu, got %zu)",
			   conn.state, cl.sent, cl.send_len, cl.got_len);
	}
	echo_conn_release(&conn);
	while (!eof)
		if (!client_recv(&cl, &eof) && !eof)
			FUZZ_CHECK(poll(&(struct pollfd){ .fd = cl.fd, .events = POLLIN }, 1, 1000) > 0,
				   "no EOF after the server closed");
	close(cl.fd);

	/* what the client must have received */
	if (tag_mode != 0) {
		FUZZ_CHECK(cl.got_len >= NET_AUTH_CHALLENGE_LEN, "no whole challenge");
		at = NET_AUTH_CHALLENGE_LEN;
	}
	switch (tag_mode) {
	case 2:
		want_len = strlen(ECHO_MSG_DENIED);
		memcpy(want, ECHO_MSG_DENIED, want_len);
		want_end = ECHO_END_DENIED;
		break;
	case 3:
		want_len = 0;
		want_end = ECHO_END_AUTH_EOF;
		break;
	case 1:
		memcpy(want, ECHO_MSG_OK, strlen(ECHO_MSG_OK));
		want_len = strlen(ECHO_MSG_OK) +
			   echo_model(lines, lines_len, max_line, want + strlen(ECHO_MSG_OK),
				      &want_end);
		break;
	default:
		want_len = echo_model(lines, lines_len, max_line, want, &want_end);
		break;
	}
	FUZZ_CHECK(cl.got_len - at == want_len && memcmp(cl.got + at, want, want_len) == 0,
		   "received %zu bytes, the model says %zu (limit %zu, tag mode %d)",
		   cl.got_len - at, want_len, max_line, tag_mode);
	FUZZ_CHECK(conn.end == want_end, "ended '%s', the model says '%s'",
		   echo_conn_end_string(conn.end), echo_conn_end_string(want_end));
	FUZZ_CHECK(echo_conn_end_is_refusal(conn.end) ==
		   (want_end != ECHO_END_EOF), "refusal flag for '%s'",
		   echo_conn_end_string(conn.end));

	/* no echo may pass for a server message; every error must */
	for (size_t s = at; s < cl.got_len;) {
		uint8_t *nl = memchr(cl.got + s, '\n', cl.got_len - s);
		size_t e = nl ? (size_t)(nl - cl.got) : cl.got_len;
		bool server = echo_is_server_message((char *)cl.got + s, e - s);
		bool is_msg = (e - s + 1 == strlen(ECHO_MSG_TOO_LONG) &&
			       memcmp(cl.got + s, ECHO_MSG_TOO_LONG, e - s) == 0);

		if (!is_msg)
			FUZZ_CHECK(!server, "an echo passes for a server message");
		if (is_msg)
			FUZZ_CHECK(server, "an error does not look like a server message");
		s = e + 1;
	}

	net_auth_secret_release(&secret);
	free(send_buf);
	free(want);
	free(lines);
	free(cl.got);
	return 0;
}
