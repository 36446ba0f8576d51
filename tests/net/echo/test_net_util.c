/* test_net_util.c -- the shared helpers echo-client and the servers lean on: bounded connect, safe file replace */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "netutil.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_connect_ok(void **state)
{
	char err[NET_ERR_LEN];
	int lfd = net_tcp_listen("127.0.0.1", 0, 4, err);
	int fd;

	(void)state;
	assert_true(lfd >= 0);
	fd = net_tcp_connect_timeout("127.0.0.1", (unsigned short)net_local_port(lfd), 5000, err);
	assert_true(fd >= 0);
	/* Handed back blocking, as net_tcp_connect() does. */
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	close(lfd);
}

static void test_connect_refused(void **state)
{
	char err[NET_ERR_LEN];
	int lfd = net_tcp_listen("127.0.0.1", 0, 4, err);
	unsigned short port;

	(void)state;
	assert_true(lfd >= 0);
	port = (unsigned short)net_local_port(lfd);
	close(lfd);
	assert_int_equal(net_tcp_connect_timeout("127.0.0.1", port, 5000, err), -1);
	assert_int_equal(errno, ECONNREFUSED);
	assert_non_null(strstr(err, "connect failed to 127.0.0.1:"));
}

/*
 * A name may stand for ::1 and 127.0.0.1 while the server listens on one of
 * them: each address is tried in turn, the first refusing.
 */
static void test_connect_tries_every_address(void **state)
{
	char err[NET_ERR_LEN];
	int lfd = net_tcp_listen("127.0.0.1", 0, 4, err);
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct addrinfo second = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM,
				   .ai_addr = (struct sockaddr *)&v4, .ai_addrlen = sizeof(v4) };
	struct addrinfo first = { .ai_family = AF_INET6, .ai_socktype = SOCK_STREAM,
				  .ai_addr = (struct sockaddr *)&v6, .ai_addrlen = sizeof(v6),
				  .ai_next = &second };
	unsigned short port;
	int fd;

	(void)state;
	assert_true(lfd >= 0);
	port = (unsigned short)net_local_port(lfd);
	v6.sin6_port = v4.sin_port = htons(port);
	fd = net_tcp_connect_addrs(&first, "localhost", port, 5000, err);
	assert_true(fd >= 0);
	close(fd);
	/* none takes it: the last address's error, the name as given */
	close(lfd);
	assert_int_equal(net_tcp_connect_addrs(&first, "localhost", port, 5000, err), -1);
	assert_int_equal(errno, ECONNREFUSED);
	assert_non_null(strstr(err, "connect failed to localhost:"));
}

/*
 * A listener that never accepts, its queue full: the kernel drops further
 * SYNs, so a connect would hang for minutes of retries. It must give up.
 */
static void test_connect_times_out(void **state)
{
	char err[NET_ERR_LEN];
	int lfd = net_tcp_listen("127.0.0.1", 0, 0, err);
	int filler[8], nfill = 0, fd = -1;
	unsigned short port;
	long long t0;

	(void)state;
	assert_true(lfd >= 0);
	port = (unsigned short)net_local_port(lfd);
	/* Fill the accept queue: a connect that does not complete in 300 ms shows it is full. */
	while (nfill < 8) {
		t0 = now_ms();
		fd = net_tcp_connect_timeout("127.0.0.1", port, 300, err);
		if (fd < 0)
			break;
		filler[nfill++] = fd;
	}
	assert_true(fd < 0);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(now_ms() - t0 >= 290);
	assert_true(now_ms() - t0 < 5000);
	assert_non_null(strstr(err, "timed out"));
	while (nfill > 0)
		close(filler[--nfill]);
	close(lfd);
}

struct dir {
	char path[64];
};

static int dir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/net-util-XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static void slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = net_read_full(fd, buf, cap - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static int entries(const char *dir)
{
	char cmd[128];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

/* A symlink planted at the name is replaced, and what it points to left alone. */
static void test_write_file_replaces_a_symlink(void **state)
{
	struct dir *d = *state;
	char victim[128], path[128], buf[64], err[NET_ERR_LEN];
	struct stat st;
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim", d->path);
	snprintf(path, sizeof(path), "%s/port", d->path);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(net_write_all(fd, "precious\n", 9), 0);
	close(fd);
	assert_int_equal(symlink(victim, path), 0);

	assert_int_equal(net_write_file_atomic(path, "4242\n", 5, err), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "4242\n");
	slurp(victim, buf, sizeof(buf));
	assert_string_equal(buf, "precious\n");
	/* The victim and the new file: no temporary file left. */
	assert_int_equal(entries(d->path), 2);

	/* Replacing again is atomic too. */
	assert_int_equal(net_write_file_atomic(path, "7\n", 2, err), 0);
	slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "7\n");
	assert_int_equal(entries(d->path), 2);
}

static void test_write_file_errors(void **state)
{
	struct dir *d = *state;
	char path[128], err[NET_ERR_LEN];

	snprintf(path, sizeof(path), "%s/missing/port", d->path);
	assert_int_equal(net_write_file_atomic(path, "1\n", 2, err), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, path));
	/* A rename onto a directory fails, and takes its temporary file with it. */
	snprintf(path, sizeof(path), "%s/dir", d->path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(net_write_file_atomic(path, "1\n", 2, err), -1);
	assert_non_null(strstr(err, "cannot write"));
	assert_int_equal(entries(d->path), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_ok),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_connect_tries_every_address),
		cmocka_unit_test(test_connect_times_out),
		cmocka_unit_test_setup_teardown(test_write_file_replaces_a_symlink, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_write_file_errors, dir_setup, dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
