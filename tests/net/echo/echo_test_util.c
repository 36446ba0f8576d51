/* echo_test_util.c -- helpers for the echo integration tests: run the server, talk to it */
#include "echo_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "netutil.h"

static bool server_log_has(const struct test_server *s, const char *text);

long long test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the "listening on 127.0.0.1:PORT" line from the server's stdout. */
static unsigned short server_read_port(int fd)
{
	char line[256];
	size_t len = 0;
	long long deadline = test_now_ms() + TEST_IO_TIMEOUT_MS;
	const char *colon;

	while (len < sizeof(line) - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_true(test_now_ms() < deadline);
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(fd, line + len, 1);
		assert_true(n == 1);
		if (line[len++] == '\n')
			break;
	}
	line[len] = '\0';
	assert_non_null(strstr(line, "listening on "));
	colon = strrchr(line, ':');
	assert_non_null(colon);
	return (unsigned short)atoi(colon + 1);
}

/*
 * A copy of the server a test started and has not stopped yet: a failed
 * assertion leaves the test's frame, and its struct with it.
 */
static struct test_server leftover;

void test_server_prepare(struct test_server *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/echo-test-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
}

void test_server_start(struct test_server *s, const char *const *extra)
{
	const char *argv[32] = { ECHO_SERVER_BIN, "--mode", ECHO_TEST_MODE, "--host", "127.0.0.1",
				 "--port", "0" };
	int argc = 7;
	int out[2];

	if (!s->dir[0])
		test_server_prepare(s);
	while (extra && *extra && argc < 31)
		argv[argc++] = *extra++;
	argv[argc] = NULL;
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int log = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);

		if (log < 0 || dup2(out[1], STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	leftover = *s;
	s->port = server_read_port(out[0]);
	close(out[0]);
}

/* Files the tests put in the scratch directory are removed with it. */
static void server_cleanup(struct test_server *s)
{
	char path[512];
	DIR *d = opendir(s->dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(s->dir);
	s->dir[0] = '\0';
}

int test_server_stop(struct test_server *s)
{
	long long deadline = test_now_ms() + TEST_IO_TIMEOUT_MS;
	int status = -1;
	pid_t pid;

	leftover.pid = 0;
	kill(s->pid, SIGTERM);
	while ((pid = waitpid(s->pid, &status, WNOHANG)) == 0 && test_now_ms() < deadline)
		poll(NULL, 0, 10);
	if (pid == 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
		fail_msg("echo-server did not stop on SIGTERM");
	}
	/* Sanitizer reports from the server or its children land in its log. */
	if (server_log_has(s, "Sanitizer") || server_log_has(s, "runtime error"))
		fail_msg("sanitizer report in %s", s->log);
	server_cleanup(s);
	return status;
}

int test_server_reap_leftover(void **state)
{
	(void)state;
	if (leftover.pid > 0) {
		kill(leftover.pid, SIGKILL);
		waitpid(leftover.pid, NULL, 0);
		server_cleanup(&leftover);
		leftover.pid = 0;
	}
	return 0;
}

const char *test_server_file(struct test_server *s, const char *name, const void *data, size_t len)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(net_write_all(fd, data, len), 0);
	close(fd);
	return path;
}

static bool server_log_has(const struct test_server *s, const char *text)
{
	static char buf[1 << 20];
	int fd = open(s->log, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = net_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

bool test_server_logged(const struct test_server *s, const char *text)
{
	long long deadline = test_now_ms() + TEST_IO_TIMEOUT_MS;

	/* Ends are logged when a connection is gone, which can be just after the client sees it. */
	while (!server_log_has(s, text)) {
		if (test_now_ms() > deadline)
			return false;
		poll(NULL, 0, 20);
	}
	return true;
}

int test_server_children(const struct test_server *s)
{
	char path[64], buf[65536];
	int fd, count = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)s->pid, (int)s->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = net_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	for (ssize_t i = 0; i < n; i++)
		count += buf[i] == ' ';
	return count;
}

static long status_field(const struct test_server *s, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)s->pid);
	f = fopen(path, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':')
			value = atol(line + flen + 1);
	}
	fclose(f);
	return value;
}

int test_server_threads(const struct test_server *s)
{
	return (int)status_field(s, "Threads");
}

long test_server_rss_kib(const struct test_server *s)
{
	return status_field(s, "VmRSS");
}

int test_server_fds(const struct test_server *s)
{
	char path[64];
	int count = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)s->pid);
	d = opendir(path);
	assert_non_null(d);
	while (readdir(d))
		count++;
	closedir(d);
	return count - 2;
}

int tc_connect(unsigned short port)
{
	struct timeval tv = { .tv_sec = TEST_IO_TIMEOUT_MS / 1000 };
	char err[NET_ERR_LEN];
	int fd = net_tcp_connect("127.0.0.1", port, err);

	if (fd < 0)
		fail_msg("%s", err);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

void tc_send(int fd, const void *data, size_t len)
{
	assert_int_equal(net_write_all(fd, data, len), 0);
}

void tc_send_str(int fd, const char *s)
{
	tc_send(fd, s, strlen(s));
}

void tc_expect(int fd, const char *want)
{
	size_t len = strlen(want);
	char *got = malloc(len + 1);
	ssize_t n;

	assert_non_null(got);
	n = net_read_full(fd, got, len);
	if (n != (ssize_t)len)
		fail_msg("expected '%s': got %zd bytes (%s)", want, n, n < 0 ? strerror(errno) : "eof");
	got[len] = '\0';
	assert_string_equal(got, want);
	free(got);
}

size_t tc_read_line(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap - 1) {
		ssize_t n = read(fd, buf + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET)
			break;
		assert_true(n >= 0);
		if (n == 0)
			break;
		if (buf[len++] == '\n')
			break;
	}
	buf[len] = '\0';
	return len;
}

void tc_expect_eof(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 0 && !(n < 0 && errno == ECONNRESET))
		fail_msg("expected the server to close: read returned %zd (%s)", n,
			 n < 0 ? strerror(errno) : "data");
}

void tc_reset(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

void tc_handshake(int fd, const char *key)
{
	unsigned char challenge[NET_AUTH_CHALLENGE_LEN];
	unsigned char tag[NET_AUTH_TAG_LEN];

	assert_int_equal(net_read_full(fd, challenge, sizeof(challenge)), (ssize_t)sizeof(challenge));
	assert_int_equal(net_auth_hmac(key, strlen(key), challenge, sizeof(challenge), tag), 0);
	tc_send(fd, tag, sizeof(tag));
}

static bool client_active(const struct tclient *c)
{
	return !c->eof && c->got_len < c->cap;
}

static void client_io(struct tclient *c, short revents, unsigned *seed)
{
	if ((revents & POLLOUT) && !c->send_failed && c->out_sent < c->out_len) {
		/* Random chunks, so lines are split and joined across segments. */
		size_t chunk = 1 + (size_t)rand_r(seed) % 700;
		ssize_t n;

		if (chunk > c->out_len - c->out_sent)
			chunk = c->out_len - c->out_sent;
		n = send(c->fd, c->out + c->out_sent, chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0)
			c->out_sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			c->send_failed = true;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n = recv(c->fd, c->got + c->got_len, c->cap - c->got_len, MSG_DONTWAIT);

		if (n > 0)
			c->got_len += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->eof = true;
	}
}

bool test_run_clients(struct tclient *c, int n, unsigned seed, int timeout_ms)
{
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	long long deadline = test_now_ms() + timeout_ms;
	bool done = false;

	assert_non_null(pfd);
	while (!done && test_now_ms() < deadline) {
		done = true;
		for (int i = 0; i < n; i++) {
			bool sending = !c[i].send_failed && c[i].out_sent < c[i].out_len;

			pfd[i].fd = client_active(&c[i]) ? c[i].fd : -1;
			pfd[i].events = (short)(POLLIN | (sending ? POLLOUT : 0));
			pfd[i].revents = 0;
			if (client_active(&c[i]))
				done = false;
		}
		if (done)
			break;
		if (poll(pfd, (nfds_t)n, 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (pfd[i].revents)
				client_io(&c[i], pfd[i].revents, &seed);
		}
	}
	free(pfd);
	return done;
}
