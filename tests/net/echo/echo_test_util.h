/* echo_test_util.h -- helpers for the echo integration tests: run the server, talk to it */
#ifndef CRAWLPOOL_ECHO_TEST_UTIL_H
#define CRAWLPOOL_ECHO_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Generous: the machine is shared and sanitizers are slow. */
#define TEST_IO_TIMEOUT_MS 30000

struct test_server {
	pid_t pid;
	unsigned short port;
	char dir[64];		/* scratch directory: log, secret files */
	char log[128];		/* the server's stderr */
};

/* Makes the scratch directory; test_server_start() does it if not done yet. Zero s first. */
void test_server_prepare(struct test_server *s);
/*
 * Starts echo-server in the mode under test on 127.0.0.1 port 0 with the
 * extra arguments (NULL-terminated), and waits for its "listening on" line.
 */
void test_server_start(struct test_server *s, const char *const *extra);
/* SIGTERM, then waits; returns the exit status as from waitpid. */
int test_server_stop(struct test_server *s);
/* cmocka teardown: kills a server its failed test left running. */
int test_server_reap_leftover(void **state);
/* Writes a file in the server's scratch directory; returns its path (static). */
const char *test_server_file(struct test_server *s, const char *name, const void *data, size_t len);
/* Whether the server's log holds the text, waiting for it a while. */
bool test_server_logged(const struct test_server *s, const char *text);
/* How many children the server has, zombies included. */
int test_server_children(const struct test_server *s);
/* How many threads the server has. */
int test_server_threads(const struct test_server *s);
/* How many descriptors the server has open. */
int test_server_fds(const struct test_server *s);
/* Resident memory of the server process in KiB. */
long test_server_rss_kib(const struct test_server *s);

/* Blocking connection with send and receive timeouts. */
int tc_connect(unsigned short port);
void tc_send(int fd, const void *data, size_t len);
void tc_send_str(int fd, const char *s);
/* Reads exactly strlen(want) bytes and compares. */
void tc_expect(int fd, const char *want);
/* Reads one line (at most cap-1 bytes, newline kept) into buf; length, 0 at EOF. */
size_t tc_read_line(int fd, char *buf, size_t cap);
/* Asserts the peer closes, with nothing more to read. */
void tc_expect_eof(int fd);
/* Closes with a reset rather than a FIN. */
void tc_reset(int fd);
/* Answers the challenge with key. */
void tc_handshake(int fd, const char *key);

/* A client driven by test_run_clients(). */
struct tclient {
	int fd;
	const char *out;	/* to send */
	size_t out_len, out_sent;
	char *got;		/* received, up to cap bytes */
	size_t got_len, cap;
	bool eof;
	bool send_failed;
};

/*
 * Sends each client's output in random chunks while reading its replies,
 * until every client has cap bytes or EOF. Returns false on timeout.
 */
bool test_run_clients(struct tclient *c, int n, unsigned seed, int timeout_ms);

long long test_now_ms(void);

#endif
