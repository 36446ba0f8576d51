/* test_echo_conn.c -- unit tests of the connection state machine over a socketpair */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "echo_conn.h"
#include "echo_proto.h"

struct pair {
	struct echo_conn c;
	struct echo_config cfg;
	struct net_secret secret;
	int peer;		/* the client's end, blocking */
	int64_t now;
};

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));
	int sv[2];

	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(net_set_nonblock(sv[0], true), 0);
	p->peer = sv[1];
	p->c.fd = sv[0];
	p->cfg.max_line = 16;
	p->cfg.idle_ms = 1000;
	p->now = 1000000;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	echo_conn_release(&p->c);
	close(p->peer);
	net_auth_secret_release(&p->secret);
	free(p);
	return 0;
}

static void start(struct pair *p, const char *secret)
{
	int fd = p->c.fd;

	if (secret) {
		assert_int_equal(net_auth_secret_parse(&p->secret, secret, strlen(secret), NULL), 0);
		p->cfg.secret = &p->secret;
	}
	assert_int_equal(echo_conn_init(&p->c, fd, "test", &p->cfg, p->now), 0);
	echo_conn_handle(&p->c, 0, p->now);
}

/* Lets the connection do all it can with what the peer sent. */
static void step(struct pair *p)
{
	for (int i = 0; i < 8 && !echo_conn_done(&p->c); i++)
		echo_conn_handle(&p->c, POLLIN | POLLOUT, p->now);
}

static void send_str(struct pair *p, const char *s)
{
	assert_int_equal(net_write_all(p->peer, s, strlen(s)), 0);
}

static void expect_str(struct pair *p, const char *want)
{
	size_t len = strlen(want);
	char *got = malloc(len + 1);

	assert_non_null(got);
	assert_int_equal(net_read_full(p->peer, got, len), (ssize_t)len);
	got[len] = '\0';
	assert_string_equal(got, want);
	free(got);
}

/* Nothing more to read from the connection right now. */
static void expect_nothing(struct pair *p)
{
	char c;

	assert_int_equal(recv(p->peer, &c, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

static void expect_eof(struct pair *p)
{
	char c;

	assert_int_equal(read(p->peer, &c, 1), 0);
}

static void test_lines_echoed(void **state)
{
	struct pair *p = *state;

	start(p, NULL);
	send_str(p, "ab\ncD\n");
	step(p);
	expect_str(p, "AB\nCD\n");
	send_str(p, "hel");
	step(p);
	expect_str(p, "HEL");
	send_str(p, "lo w\xc3\xb6rld\n\n");
	step(p);
	expect_str(p, "LO W\xc3\xb6RLD\n\n");
	expect_nothing(p);
	assert_false(echo_conn_done(&p->c));
}

/* The classic client: send(b"hello"), then recv() with no newline ever sent. */
static void test_word_without_newline_answered_at_once(void **state)
{
	struct pair *p = *state;

	start(p, NULL);
	send_str(p, "hello");
	step(p);
	expect_str(p, "HELLO");
	expect_nothing(p);
	send_str(p, " again");
	step(p);
	expect_str(p, " AGAIN");
	/* Still one line for the limit, and ended with a newline at EOF. */
	shutdown(p->peer, SHUT_WR);
	step(p);
	expect_str(p, "\n");
	assert_true(echo_conn_done(&p->c));
	assert_int_equal(p->c.end, ECHO_END_EOF);
}

static void test_line_too_long(void **state)
{
	struct pair *p = *state;

	start(p, NULL);
	send_str(p, "0123456789abcdef\nok\n0123456789abcdefg");
	step(p);
	/* Answered up to the limit, then the error on a line of its own. */
	expect_str(p, "0123456789ABCDEF\nOK\n0123456789ABCDEF\n" ECHO_MSG_TOO_LONG);
	/* The server shut its side and drains ours until we close. */
	expect_eof(p);
	assert_int_equal(p->c.state, ECHO_CONN_LINGER);
	send_str(p, "more ignored\n");
	step(p);
	assert_false(echo_conn_done(&p->c));
	shutdown(p->peer, SHUT_WR);
	step(p);
	assert_true(echo_conn_done(&p->c));
	assert_int_equal(p->c.end, ECHO_END_TOO_LONG);
}

static void test_too_long_without_newline(void **state)
{
	struct pair *p = *state;
	char line[4000];

	/* Refused once past the limit, without waiting for a newline that never comes. */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	start(p, NULL);
	send_str(p, line);
	step(p);
	expect_str(p, "XXXXXXXXXXXXXXXX\n" ECHO_MSG_TOO_LONG);
	assert_int_equal(p->c.end, ECHO_END_TOO_LONG);
}

static void test_half_close_answers_everything(void **state)
{
	struct pair *p = *state;

	start(p, NULL);
	send_str(p, "one\ntwo\nthree");
	shutdown(p->peer, SHUT_WR);
	step(p);
	expect_str(p, "ONE\nTWO\nTHREE\n");
	assert_true(echo_conn_done(&p->c));
	assert_int_equal(p->c.end, ECHO_END_EOF);
	echo_conn_release(&p->c);
	expect_eof(p);
}

static void test_idle_timeout(void **state)
{
	struct pair *p = *state;

	start(p, NULL);
	send_str(p, "x\n");
	p->now += 500;
	step(p);
	expect_str(p, "X\n");
	/* Progress moved the deadline: idle_ms after the last reply. */
	echo_conn_expire(&p->c, p->now + 999);
	assert_false(echo_conn_done(&p->c));
	echo_conn_expire(&p->c, p->now + 1000);
	assert_true(echo_conn_done(&p->c));
	assert_int_equal(p->c.end, ECHO_END_IDLE);
}

static void answer_challenge(struct pair *p, const char *key, const char *then)
{
	unsigned char challenge[NET_AUTH_CHALLENGE_LEN];
	unsigned char tag[NET_AUTH_TAG_LEN];

	assert_int_equal(net_read_full(p->peer, challenge, sizeof(challenge)),
			 (ssize_t)sizeof(challenge));
	assert_int_equal(net_auth_hmac(key, strlen(key), challenge, sizeof(challenge), tag), 0);
	assert_int_equal(net_write_all(p->peer, tag, sizeof(tag)), 0);
	send_str(p, then);
}

static void test_auth_accepts_the_key(void **state)
{
	struct pair *p = *state;

	start(p, "sesame\n");
	/* Lines sent right behind the tag wait until OK is out. */
	answer_challenge(p, "sesame", "hi\n");
	step(p);
	expect_str(p, ECHO_MSG_OK "HI\n");
	assert_int_equal(p->c.state, ECHO_CONN_ECHO);
	/* Authenticated or not, no newline is waited for. */
	send_str(p, "bare");
	step(p);
	expect_str(p, "BARE");
}

static void test_auth_denies_a_wrong_key(void **state)
{
	struct pair *p = *state;

	start(p, "sesame");
	answer_challenge(p, "sesame\n", "hi\n");
	step(p);
	expect_str(p, ECHO_MSG_DENIED);
	expect_eof(p);
	close(p->peer);
	p->peer = -1;
	step(p);
	assert_true(echo_conn_done(&p->c));
	assert_int_equal(p->c.end, ECHO_END_DENIED);
}

static void test_auth_deadline_is_fixed(void **state)
{
	struct pair *p = *state;
	unsigned char challenge[NET_AUTH_CHALLENGE_LEN];
	int64_t t0 = p->now;

	start(p, "sesame");
	assert_int_equal(net_read_full(p->peer, challenge, sizeof(challenge)),
			 (ssize_t)sizeof(challenge));
	/* A byte at a time does not buy more time. */
	for (int i = 0; i < 10; i++) {
		send_str(p, "x");
		p->now += 400;
		step(p);
	}
	echo_conn_expire(&p->c, t0 + ECHO_AUTH_TIMEOUT_MS - 1);
	assert_false(echo_conn_done(&p->c));
	echo_conn_expire(&p->c, t0 + ECHO_AUTH_TIMEOUT_MS);
	assert_true(echo_conn_done(&p->c));
	assert_int_equal(p->c.end, ECHO_END_AUTH_TIMEOUT);
}

static void test_peer_not_reading_is_not_read(void **state)
{
	struct pair *p = *state;
	char chunk[4096];
	size_t sent = 0;

	/* Short lines so the buffer fills with replies, not with one long line. */
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (i % 8 == 7) ? '\n' : 'a';
	p->cfg.max_line = 64;
	start(p, NULL);
	assert_int_equal(net_set_nonblock(p->peer, true), 0);
	for (int round = 0; round < 4096; round++) {
		ssize_t n = send(p->peer, chunk, sizeof(chunk), MSG_DONTWAIT);

		if (n > 0)
			sent += (size_t)n;
		step(p);
		if (n < 0 && !(echo_conn_events(&p->c) & POLLIN))
			break;
	}
	/* Both socket buffers are full and the connection stopped reading. */
	assert_false(echo_conn_events(&p->c) & POLLIN);
	assert_true(echo_conn_events(&p->c) & POLLOUT);
	assert_true(p->c.alloc <= 4096);
	assert_true(sent < ((size_t)64 << 20));
	assert_false(echo_conn_done(&p->c));
}

static void test_long_line_grows_buffer(void **state)
{
	struct pair *p = *state;
	size_t len = 100000;
	char *line = malloc(len + 2);
	char *want = malloc(len + 2);
	char *got = malloc(len + 2);

	assert_non_null(line);
	assert_non_null(want);
	assert_non_null(got);
	for (size_t i = 0; i < len; i++)
		line[i] = (char)('a' + i % 26);
	line[len] = '\n';
	memcpy(want, line, len + 1);
	echo_upcase(want, len);
	p->cfg.max_line = len;
	start(p, NULL);
	/* Feed and read in turns: neither side's socket buffer holds it all. */
	assert_int_equal(net_set_nonblock(p->peer, true), 0);
	size_t sent = 0, recvd = 0;
	for (int i = 0; i < 100000 && recvd < len + 1; i++) {
		ssize_t n = send(p->peer, line + sent, len + 1 - sent, MSG_DONTWAIT);

		if (n > 0)
			sent += (size_t)n;
		step(p);
		n = recv(p->peer, got + recvd, len + 1 - recvd, MSG_DONTWAIT);
		if (n > 0)
			recvd += (size_t)n;
	}
	assert_int_equal(recvd, len + 1);
	assert_memory_equal(got, want, len + 1);
	free(line);
	free(want);
	free(got);
}

static void test_reset_ends_with_error(void **state)
{
	struct pair *p = *state;

	start(p, NULL);
	send_str(p, "partial li");
	step(p);
	close(p->peer);
	p->peer = -1;
	step(p);
	assert_true(echo_conn_done(&p->c));
}

static void test_end_strings(void **state)
{
	(void)state;
	assert_string_equal(echo_conn_end_string(ECHO_END_DENIED), "denied: wrong key");
	assert_true(echo_conn_end_is_refusal(ECHO_END_AUTH_TIMEOUT));
	assert_true(echo_conn_end_is_refusal(ECHO_END_TOO_LONG));
	assert_false(echo_conn_end_is_refusal(ECHO_END_EOF));
	assert_false(echo_conn_end_is_refusal(ECHO_END_SHUTDOWN));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lines_echoed),
		T(test_word_without_newline_answered_at_once),
		T(test_line_too_long),
		T(test_too_long_without_newline),
		T(test_half_close_answers_everything),
		T(test_idle_timeout),
		T(test_auth_accepts_the_key),
		T(test_auth_denies_a_wrong_key),
		T(test_auth_deadline_is_fixed),
		T(test_peer_not_reading_is_not_read),
		T(test_long_line_grows_buffer),
		T(test_reset_ends_with_error),
		T(test_end_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
