/* test_echo_server.c -- echo-server on loopback in one mode (ECHO_TEST_MODE): behaviour under load and abuse */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "echo_proto.h"
#include "netutil.h"
#include "echo_test_util.h"

/* ThreadSanitizer starts a thread of its own with the first pthread_create(). */
#ifdef __SANITIZE_THREAD__
#define RUNTIME_THREADS 1
#else
#define RUNTIME_THREADS 0
#endif

#define MANY_CLIENTS 200
#define LINES_EACH 50

static bool is_process_mode(void)
{
	return strcmp(ECHO_TEST_MODE, "process") == 0;
}

static void stop_ok(struct test_server *s)
{
	int status = test_server_stop(s);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Waits until the server has released every worker (process, thread) it used. */
static void wait_workers_gone(const struct test_server *s)
{
	long long deadline = test_now_ms() + TEST_IO_TIMEOUT_MS;

	for (;;) {
		int extra = is_process_mode() ? test_server_children(s) :
			    test_server_threads(s) - 1 - RUNTIME_THREADS;

		/* <= : the sanitizer thread appears only once some thread was started. */
		if (extra <= 0)
			return;
		if (test_now_ms() > deadline)
			fail_msg("server still has %d workers", extra);
		poll(NULL, 0, 20);
	}
}

/* Builds a client's 50 lines: mixed case, UTF-8, tabs, a few long ones. */
static size_t make_lines(char *out, size_t cap, int client, char *want)
{
	size_t len = 0;

	for (int i = 0; i < LINES_EACH; i++) {
		int pad = (client * 31 + i * 17) % 300;

		len += (size_t)snprintf(out + len, cap - len, "client %d line %d: Mixed Case \xc3\xa9t\xc3\xa9\t",
					client, i);
		for (int k = 0; k < pad; k++)
			out[len++] = (char)('a' + (k + i) % 26);
		out[len++] = '\n';
	}
	memcpy(want, out, len);
	echo_upcase(want, len);
	return len;
}

static void test_many_clients_in_order(void **state)
{
	struct tclient *c = calloc(MANY_CLIENTS, sizeof(*c));
	char **want = calloc(MANY_CLIENTS, sizeof(*want));
	struct test_server s = { 0 };
	size_t cap = LINES_EACH * 400;

	(void)state;
	assert_non_null(c);
	assert_non_null(want);
	test_server_start(&s, (const char *const[]){ "--quiet", NULL });
	for (int i = 0; i < MANY_CLIENTS; i++) {
		char *out = malloc(cap);

		want[i] = malloc(cap);
		c[i].got = malloc(cap);
		assert_non_null(out);
		assert_non_null(want[i]);
		assert_non_null(c[i].got);
		c[i].out = out;
		c[i].out_len = make_lines(out, cap, i, want[i]);
		c[i].cap = c[i].out_len;
		c[i].fd = tc_connect(s.port);
	}
	assert_true(test_run_clients(c, MANY_CLIENTS, 5, 120000));
	for (int i = 0; i < MANY_CLIENTS; i++) {
		assert_false(c[i].eof);
		assert_int_equal(c[i].got_len, c[i].out_len);
		assert_memory_equal(c[i].got, want[i], c[i].out_len);
		close(c[i].fd);
		free((char *)c[i].out);
		free(c[i].got);
		free(want[i]);
	}
	free(c);
	free(want);
	wait_workers_gone(&s);
	stop_ok(&s);
}

/* Sends data while reading, as a client that keeps writing after the server gave up would. */
static void expect_refusal_while_sending(int fd, const char *data, size_t len, const char *want)
{
	struct tclient c = { .fd = fd, .out = data, .out_len = len, .cap = strlen(want) + 256 };

	c.got = malloc(c.cap);
	assert_non_null(c.got);
	assert_true(test_run_clients(&c, 1, 9, TEST_IO_TIMEOUT_MS));
	assert_true(c.eof);
	assert_int_equal(c.got_len, strlen(want));
	assert_memory_equal(c.got, want, c.got_len);
	free(c.got);
}

static void test_huge_line_refused(void **state)
{
	size_t huge = (size_t)1 << 20;
	char *line = malloc(huge + 1);
	struct test_server s = { 0 };
	int other, fd;

	(void)state;
	assert_non_null(line);
	test_server_start(&s, NULL);
	other = tc_connect(s.port);
	tc_send_str(other, "before\n");
	tc_expect(other, "BEFORE\n");

	/* Exactly the limit is still a line. */
	memset(line, 'q', ECHO_DEFAULT_MAX_LINE);
	line[ECHO_DEFAULT_MAX_LINE] = '\n';
	fd = tc_connect(s.port);
	tc_send(fd, line, ECHO_DEFAULT_MAX_LINE + 1);
	memset(line, 'Q', ECHO_DEFAULT_MAX_LINE);
	line[ECHO_DEFAULT_MAX_LINE] = '\0';
	tc_expect(fd, line);
	tc_expect(fd, "\n");
	close(fd);

	/*
	 * 1 MiB: the good line before it is answered, then the long one up to the
	 * limit (what arrives is answered at once), then the error on a line of
	 * its own, then the close.
	 */
	memset(line, 'z', huge);
	memcpy(line, "fine\n", 5);
	line[huge] = '\n';
	{
		size_t wlen = 5 + ECHO_DEFAULT_MAX_LINE + 1 + strlen(ECHO_MSG_TOO_LONG);
		char *want = malloc(wlen + 1);

		assert_non_null(want);
		memcpy(want, "FINE\n", 5);
		memset(want + 5, 'Z', ECHO_DEFAULT_MAX_LINE);
		snprintf(want + 5 + ECHO_DEFAULT_MAX_LINE, wlen + 1 - 5 - ECHO_DEFAULT_MAX_LINE,
			 "\n%s", ECHO_MSG_TOO_LONG);
		fd = tc_connect(s.port);
		expect_refusal_while_sending(fd, line, huge + 1, want);
		close(fd);
		free(want);
	}

	tc_send_str(other, "after\n");
	tc_expect(other, "AFTER\n");
	close(other);
	assert_true(test_server_logged(&s, "line too long"));
	free(line);
	stop_ok(&s);
}

/* Connects until the server has room again: a slot frees when the server notices the close. */
static int connect_when_free(unsigned short port)
{
	long long deadline = test_now_ms() + TEST_IO_TIMEOUT_MS;
	char line[64];

	while (test_now_ms() < deadline) {
		int fd = tc_connect(port);

		tc_send_str(fd, "in\n");
		if (tc_read_line(fd, line, sizeof(line)) > 0 && strcmp(line, "IN\n") == 0)
			return fd;
		assert_string_equal(line, ECHO_MSG_BUSY);
		close(fd);
		poll(NULL, 0, 20);
	}
	fail_msg("no slot freed within the timeout");
	return -1;
}

static void expect_busy(unsigned short port)
{
	int fd = tc_connect(port);

	tc_expect(fd, ECHO_MSG_BUSY);
	tc_expect_eof(fd);
	close(fd);
}

static void test_max_clients(void **state)
{
	enum { MAX = 4 };
	int fd[MAX];
	struct test_server s = { 0 };

	(void)state;
	test_server_start(&s, (const char *const[]){ "--max-clients", "4", NULL });
	for (int i = 0; i < MAX; i++) {
		/* A reply proves the server counts this client before the next connects. */
		fd[i] = tc_connect(s.port);
		tc_send_str(fd[i], "hi\n");
		tc_expect(fd[i], "HI\n");
	}
	expect_busy(s.port);
	assert_true(test_server_logged(&s, "busy"));

	/* Leaving in every way frees the slot, and only that one. */
	close(fd[0]);
	fd[0] = connect_when_free(s.port);
	expect_busy(s.port);
	tc_reset(fd[1]);
	fd[1] = connect_when_free(s.port);
	expect_busy(s.port);
	shutdown(fd[2], SHUT_WR);
	tc_expect_eof(fd[2]);
	close(fd[2]);
	fd[2] = connect_when_free(s.port);
	expect_busy(s.port);

	/* After everyone leaves, the full number can connect again. */
	for (int i = 0; i < MAX; i++)
		close(fd[i]);
	for (int i = 0; i < MAX; i++)
		fd[i] = connect_when_free(s.port);
	expect_busy(s.port);
	for (int i = 0; i < MAX; i++)
		close(fd[i]);
	stop_ok(&s);
}

static void test_reset_and_half_close_harm_no_one(void **state)
{
	struct test_server s = { 0 };
	int good, fd;
	char many[8192];

	(void)state;
	test_server_start(&s, NULL);
	good = tc_connect(s.port);
	tc_send_str(good, "one\n");
	tc_expect(good, "ONE\n");

	/* Reset mid-line. */
	fd = tc_connect(s.port);
	tc_send_str(fd, "half a li");
	tc_reset(fd);
	/* Reset with replies unread. */
	memset(many, 'm', sizeof(many));
	for (size_t i = 99; i < sizeof(many); i += 100)
		many[i] = '\n';
	fd = tc_connect(s.port);
	tc_send(fd, many, sizeof(many));
	tc_reset(fd);
	/* Close mid-line without a reset. */
	fd = tc_connect(s.port);
	tc_send_str(fd, "never fini");
	close(fd);
	/* Half-close: every line is still answered, the unfinished one too. */
	fd = tc_connect(s.port);
	tc_send_str(fd, "abc\nlast without newline");
	shutdown(fd, SHUT_WR);
	tc_expect(fd, "ABC\nLAST WITHOUT NEWLINE\n");
	tc_expect_eof(fd);
	close(fd);

	tc_send_str(good, "two\n");
	tc_expect(good, "TWO\n");
	close(good);
	fd = tc_connect(s.port);
	tc_send_str(fd, "new\n");
	tc_expect(fd, "NEW\n");
	close(fd);
	wait_workers_gone(&s);
	stop_ok(&s);
}

static void test_reader_that_never_reads(void **state)
{
	struct test_server s = { 0 };
	char chunk[65536];
	size_t stuffed = 0;
	int hog, good;
	long rss_before;

	(void)state;
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = i % 64 == 63 ? '\n' : 'w';
	test_server_start(&s, NULL);
	good = tc_connect(s.port);
	tc_send_str(good, "x\n");
	tc_expect(good, "X\n");
	rss_before = test_server_rss_kib(&s);

	/* The hog sends and never reads: the server must stop reading it, not buffer it all. */
	hog = tc_connect(s.port);
	assert_int_equal(net_set_nonblock(hog, true), 0);
	for (long long deadline = test_now_ms() + 3000; test_now_ms() < deadline;) {
		ssize_t n = send(hog, chunk, sizeof(chunk), MSG_NOSIGNAL);

		if (n > 0) {
			stuffed += (size_t)n;
			deadline = test_now_ms() + 1000;
		} else {
			assert_true(errno == EAGAIN);
			poll(NULL, 0, 10);
		}
		assert_true(stuffed < ((size_t)256 << 20));
	}
	tc_send_str(good, "still served\n");
	tc_expect(good, "STILL SERVED\n");
	if (!is_process_mode())
		assert_true(test_server_rss_kib(&s) - rss_before < 32 * 1024);
	close(hog);
	close(good);
	stop_ok(&s);
}

/* Reads exactly strlen(want) bytes within a few seconds, never waiting for more. */
static void expect_soon(int fd, const char *want)
{
	size_t len = strlen(want), got = 0;
	long long deadline = test_now_ms() + TEST_IO_TIMEOUT_MS;
	char buf[256];

	assert_true(len < sizeof(buf));
	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (test_now_ms() > deadline)
			fail_msg("waited for '%s': got %zu bytes, '%.*s'", want, got, (int)got, buf);
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(fd, buf + got, len - got, 0);
		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_memory_equal(buf, want, len);
}

/*
 * The classic client people learn from: s.send(b"hello"); s.recv(1024).
 * No newline is ever sent, and the answer must come anyway, with or without
 * authentication.
 */
static void test_word_without_newline(void **state)
{
	struct test_server s = { 0 };
	char arg[256];
	int fd;

	(void)state;
	test_server_start(&s, (const char *const[]){ "--idle-timeout", "30", NULL });
	fd = tc_connect(s.port);
	tc_send_str(fd, "hello");
	expect_soon(fd, "HELLO");
	tc_send_str(fd, ", w\xc3\xb6rld");
	expect_soon(fd, ", W\xc3\xb6RLD");
	tc_send_str(fd, "!\nnext");
	expect_soon(fd, "!\nNEXT");
	close(fd);
	stop_ok(&s);

	test_server_prepare(&s);
	snprintf(arg, sizeof(arg), "%s", test_server_file(&s, "key", "k", 1));
	test_server_start(&s, (const char *const[]){ "--secret-file", arg, NULL });
	fd = tc_connect(s.port);
	tc_handshake(fd, "k");
	expect_soon(fd, ECHO_MSG_OK);
	tc_send_str(fd, "hello");
	expect_soon(fd, "HELLO");
	close(fd);
	stop_ok(&s);
}

static void test_auth(void **state)
{
	struct test_server s = { 0 };
	const char *key;
	char arg[256];
	int fd, silent;
	long long t0;

	(void)state;
	test_server_prepare(&s);
	key = test_server_file(&s, "key", "open sesame\n", 12);
	snprintf(arg, sizeof(arg), "%s", key);
	test_server_start(&s, (const char *const[]){ "--secret-file", arg, NULL });

	silent = tc_connect(s.port);
	t0 = test_now_ms();

	fd = tc_connect(s.port);
	tc_handshake(fd, "open sesame");
	tc_expect(fd, ECHO_MSG_OK);
	tc_send_str(fd, "secret stuff\n");
	tc_expect(fd, "SECRET STUFF\n");
	close(fd);

	fd = tc_connect(s.port);
	tc_handshake(fd, "open sesame\n");
	tc_expect(fd, ECHO_MSG_DENIED);
	tc_expect_eof(fd);
	close(fd);

	/* Lines instead of a tag: no echo, only DENIED. */
	fd = tc_connect(s.port);
	tc_send_str(fd, "hello, is this the echo server?\n");
	{
		char challenge[NET_AUTH_CHALLENGE_LEN];

		assert_int_equal(net_read_full(fd, challenge, sizeof(challenge)), (ssize_t)sizeof(challenge));
	}
	tc_expect(fd, ECHO_MSG_DENIED);
	tc_expect_eof(fd);
	close(fd);

	/* The silent client is dropped after the handshake deadline, not before. */
	{
		char challenge[NET_AUTH_CHALLENGE_LEN];

		assert_int_equal(net_read_full(silent, challenge, sizeof(challenge)),
				 (ssize_t)sizeof(challenge));
	}
	tc_expect_eof(silent);
	assert_true(test_now_ms() - t0 >= ECHO_AUTH_TIMEOUT_MS - 100);
	close(silent);
	assert_true(test_server_logged(&s, "denied"));
	assert_true(test_server_logged(&s, "no answer to the challenge"));
	stop_ok(&s);
}

static void test_idle_timeout(void **state)
{
	struct test_server s = { 0 };
	long long t0;
	int fd;

	(void)state;
	test_server_start(&s, (const char *const[]){ "--idle-timeout", "1", NULL });
	fd = tc_connect(s.port);
	tc_send_str(fd, "ping\n");
	tc_expect(fd, "PING\n");
	t0 = test_now_ms();
	tc_expect_eof(fd);
	assert_true(test_now_ms() - t0 >= 900);
	close(fd);
	assert_true(test_server_logged(&s, "idle timeout"));
	stop_ok(&s);
}

static void test_no_zombies_after_short_connections(void **state)
{
	struct test_server s = { 0 };
	int fds_before, fd;

	(void)state;
	test_server_start(&s, (const char *const[]){ "--quiet", NULL });
	/* Counted after a first client: each mode opens its own descriptors once running. */
	fd = tc_connect(s.port);
	tc_send_str(fd, "first\n");
	tc_expect(fd, "FIRST\n");
	close(fd);
	wait_workers_gone(&s);
	/*
	 * The server may not have closed its side of that first connection
	 * yet (a loaded machine, a sanitizer): the baseline is the fewest
	 * descriptors seen over a second.
	 */
	fds_before = test_server_fds(&s);
	for (long long settle = test_now_ms() + 1000; test_now_ms() < settle;) {
		int now = test_server_fds(&s);

		if (now < fds_before)
			fds_before = now;
		poll(NULL, 0, 20);
	}
	for (int i = 0; i < 100; i++) {
		fd = tc_connect(s.port);

		tc_send_str(fd, "z\n");
		tc_expect(fd, "Z\n");
		if (i % 2)
			tc_reset(fd);
		else
			close(fd);
	}
	/* Every worker ends and is reaped or joined; no descriptor stays behind. */
	wait_workers_gone(&s);
	for (long long deadline = test_now_ms() + TEST_IO_TIMEOUT_MS;
	     test_server_fds(&s) > fds_before && test_now_ms() < deadline;)
		poll(NULL, 0, 20);
	assert_true(test_server_fds(&s) <= fds_before);
	stop_ok(&s);
}

static void test_sigterm_closes_clients(void **state)
{
	struct test_server s = { 0 };
	int fd[3];

	(void)state;
	test_server_start(&s, NULL);
	for (int i = 0; i < 3; i++) {
		fd[i] = tc_connect(s.port);
		tc_send_str(fd[i], "up\n");
		tc_expect(fd[i], "UP\n");
	}
	/* Mid-line: answered at once (no newline is waited for), then closed by the stop. */
	tc_send_str(fd[2], "mid-li");
	tc_expect(fd[2], "MID-LI");
	stop_ok(&s);
	for (int i = 0; i < 3; i++) {
		tc_expect_eof(fd[i]);
		close(fd[i]);
	}
	/* Every child was reaped before the server exited: none is left to us or init. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_many_clients_in_order, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_huge_line_refused, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_max_clients, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_reset_and_half_close_harm_no_one, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_reader_that_never_reads, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_word_without_newline, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_auth, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_idle_timeout, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_no_zombies_after_short_connections, test_server_reap_leftover),
		cmocka_unit_test_teardown(test_sigterm_closes_clients, test_server_reap_leftover),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
