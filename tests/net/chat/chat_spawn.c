/* chat_spawn.c -- test harness: run a program with piped stdio and wait for lines it prints */
#include "chat_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netutil.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int spawn_start(struct spawn *s, const char *const argv[])
{
	int in[2], out[2], err[2];

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	s->in = in[1];
	s->out.fd = out[0];
	s->err.fd = err[0];
	s->out.len = s->err.len = 0;
	return 0;
}

int spawn_send(struct spawn *s, const char *text)
{
	if (s->in < 0)
		return -1;
	return net_write_all(s->in, text, strlen(text));
}

void spawn_close_stdin(struct spawn *s)
{
	if (s->in >= 0)
		close(s->in);
	s->in = -1;
}

static void stream_read(struct spawn_stream *st)
{
	char scratch[4096];
	size_t room = sizeof(st->text) - 1 - st->len;
	ssize_t n;

	/* Keep the first SPAWN_KEEP bytes; drain the rest so the child never blocks. */
	n = read(st->fd, room ? st->text + st->len : scratch, room ? room : sizeof(scratch));
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(st->fd);
		st->fd = -1;
		return;
	}
	if (room) {
		st->len += (size_t)n;
		st->text[st->len] = '\0';
	}
}

/* Reads whatever arrives within timeout_ms. -1 once both streams are at EOF. */
static int pump(struct spawn *s, int timeout_ms)
{
	struct pollfd p[2] = { { .fd = s->out.fd, .events = POLLIN },
			       { .fd = s->err.fd, .events = POLLIN } };

	if (s->out.fd < 0 && s->err.fd < 0)
		return -1;
	if (poll(p, 2, timeout_ms) <= 0)
		return 0;
	if (p[0].revents)
		stream_read(&s->out);
	if (p[1].revents)
		stream_read(&s->err);
	return 0;
}

static const struct spawn_stream *stream_of(const struct spawn *s, enum spawn_which w)
{
	return w == SPAWN_OUT ? &s->out : &s->err;
}

/*
 * Calls match(line, len, arg) on each complete line; stops at the first
 * match when stop is set. Returns the number of matches; *first gets the
 * first matching line.
 */
static int scan_lines(const struct spawn_stream *st, int (*match)(const char *, size_t, const void *),
		      const void *arg, int stop, const char **first, size_t *first_len)
{
	const char *p = st->text, *end = st->text + st->len;
	int found = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			break;
		if (match(p, (size_t)(nl - p), arg)) {
			if (found++ == 0 && first) {
				*first = p;
				*first_len = (size_t)(nl - p);
			}
			if (stop)
				break;
		}
		p = nl + 1;
	}
	return found;
}

static int line_contains(const char *line, size_t len, const void *needle)
{
	size_t nlen = strlen(needle);
	size_t i;

	for (i = 0; i + nlen <= len; i++)
		if (memcmp(line + i, needle, nlen) == 0)
			return 1;
	return 0;
}

static int line_equals(const char *line, size_t len, const void *want)
{
	return strlen(want) == len && memcmp(line, want, len) == 0;
}

int spawn_wait_line(struct spawn *s, enum spawn_which which, const char *needle,
		    char *line, size_t cap, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		const char *hit;
		size_t len;
		long left;

		if (scan_lines(stream_of(s, which), line_contains, needle, 1, &hit, &len)) {
			if (line && cap) {
				if (len >= cap)
					len = cap - 1;
				memcpy(line, hit, len);
				line[len] = '\0';
			}
			return 0;
		}
		left = deadline - now_ms();
		if (left <= 0 || pump(s, (int)left) < 0)
			return -1;
	}
}

int spawn_count_lines(const struct spawn *s, enum spawn_which which, const char *line)
{
	return scan_lines(stream_of(s, which), line_equals, line, 0, NULL, NULL);
}

int spawn_count_matching(const struct spawn *s, enum spawn_which which, const char *needle)
{
	return scan_lines(stream_of(s, which), line_contains, needle, 0, NULL, NULL);
}

void spawn_kill(struct spawn *s, int sig)
{
	if (s->pid > 0)
		kill(s->pid, sig);
}

int spawn_wait(struct spawn *s, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int status;
	pid_t r;

	if (s->pid <= 0)
		return -1;
	while ((r = waitpid(s->pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
		pump(s, 20);
	if (r == 0) {
		kill(s->pid, SIGKILL);
		r = waitpid(s->pid, &status, 0);
	}
	s->pid = -1;
	spawn_close_stdin(s);
	/* The child held the only write ends, so EOF follows at once. */
	deadline = now_ms() + 5000;
	while ((s->out.fd >= 0 || s->err.fd >= 0) && now_ms() < deadline)
		pump(s, 100);
	if (s->out.fd >= 0)
		close(s->out.fd);
	if (s->err.fd >= 0)
		close(s->err.fd);
	s->out.fd = s->err.fd = -1;
	if (r < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int spawn_listen_port(struct spawn *s, int timeout_ms)
{
	char line[256];
	const char *colon;

	if (spawn_wait_line(s, SPAWN_ERR, "listening on ", line, sizeof(line), timeout_ms) < 0)
		return -1;
	colon = strrchr(line, ':');
	return colon ? atoi(colon + 1) : -1;
}
