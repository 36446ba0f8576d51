/* test_crawl_curl.c -- the curl habits in every mode: --retry, -H, -b/-c, -x and --fields, against a server the test runs */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

static const char *const modes[] = { "thread", "process", "event", "hybrid" };

/*
 * The server: one thread, one connection at a time, each answered and
 * closed. It sends with MSG_NOSIGNAL: crawlpool hangs up on purpose in the
 * middle of an answer (a robots.txt past --max-size), and a SIGPIPE would
 * kill the test. Every request is logged with when it came, so a test can see
 * what crawlpool sent and how long it waited between attempts.
 */
enum { LOG_MAX = 256, HEAD_MAX = 8192 };
/* A request head read whole: the long redirects below make request lines of 180 KB. */
enum { REQUEST_MAX = 256 * 1024 };
/* A relative Location of this many bytes, twice: a URL past FETCH_FINAL_URL_MAX (128 KiB). */
enum { GROW = 90000 };

struct request {
	char target[512];
	char head[HEAD_MAX];
	double at;
};

static struct {
	int listen_fd, stop[2];
	unsigned port;
	pthread_t thread;
	pthread_mutex_t lock;
	struct request log[LOG_MAX];
	size_t n;
} srv;

static char base[64];

/* How many requests for target came so far (under the lock). */
static size_t seen_locked(const char *target)
{
	size_t n = 0;

	for (size_t i = 0; i < srv.n; i++)
		n += strcmp(srv.log[i].target, target) == 0;
	return n;
}

static void respond(int fd, const char *status, const char *extra, const char *title)
{
	char body[512];
	int blen = snprintf(body, sizeof(body),
			    "<html><head><title>%s</title></head><body>x</body></html>", title);
	size_t size = strlen(extra) + (size_t)blen + 256, sent = 0;
	char *msg = malloc(size);
	int n;

	if (!msg)
		return;
	n = snprintf(msg, size,
		     "HTTP/1.1 %s\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
		     "Connection: close\r\n%s\r\n%s", status, blen, extra, body);
	while (sent < (size_t)n) {
		ssize_t w = send(fd, msg + sent, (size_t)n - sent, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	free(msg);
}

/* "<html><title>gz</title></html>" in gzip, then junk: bytes after the gzip stream's end. */
static void respond_gzip_junk(int fd)
{
	static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xb3\xc9\x28\xc9"
				 "\xcd\xb1\xb3\x29\xc9\x2c\xc9\x49\xb5\x4b\xaf\xb2\xd1\x87"
				 "\xb0\x6c\xf4\xc1\xe2\x00\x0a\x2b\xbe\x4b\x1e\x00\x00\x00"
				 "junk";
	char head[256];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			 "Content-Encoding: gzip\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 sizeof(gz) - 1);

	if (send(fd, head, (size_t)n, MSG_NOSIGNAL) == n)
		send(fd, gz, sizeof(gz) - 1, MSG_NOSIGNAL);
}

/* A 302 to prefix, then n bytes of fill, then suffix: a Location longer than a row keeps. */
static void respond_fill_redirect(int fd, const char *prefix, char fill, size_t n,
				  const char *suffix)
{
	size_t size = strlen(prefix) + n + strlen(suffix) + 32;
	char *extra = malloc(size);
	int at;

	if (!extra)
		return;
	at = snprintf(extra, size, "Location: %s", prefix);
	memset(extra + at, fill, n);
	snprintf(extra + at + n, size - (size_t)at - n, "%s\r\n", suffix);
	respond(fd, "302 Found", extra, "moved");
	free(extra);
}

/* A 302 to a URL of this server longer than the 8 KiB a Location keeps: /long-landing?aaa...END. */
static void respond_long_redirect(int fd)
{
	char prefix[128];

	snprintf(prefix, sizeof(prefix), "%s/long-landing?", base);
	respond_fill_redirect(fd, prefix, 'a', 10000, "END");
}

/*
 * Host loop.test: a robots.txt whose redirects go round, one relative and
 * one absolute.
 */
static bool route_loop_host(int fd, const char *target, const char *head)
{
	char extra[160];

	if (!strstr(head, "\r\nHost: loop.test:"))
		return false;
	if (strcmp(target, "/robots.txt") == 0) {
		respond(fd, "302 Found", "Location: robots-again.txt\r\n", "moved");
		return true;
	}
	if (strcmp(target, "/robots-again.txt") == 0) {
		snprintf(extra, sizeof(extra), "Location: http://loop.test:%u/robots.txt\r\n",
			 srv.port);
		respond(fd, "302 Found", extra, "moved");
		return true;
	}
	return false;
}

/* Host ftp.test: a robots.txt moved to an ftp:// URL, which a crawl does not fetch. */
static bool route_ftp_host(int fd, const char *target, const char *head)
{
	if (!strstr(head, "\r\nHost: ftp.test:") || strcmp(target, "/robots.txt") != 0)
		return false;
	respond(fd, "301 Moved Permanently", "Location: ftp://127.0.0.1:1/robots.txt\r\n", "moved");
	return true;
}

/* A robots.txt of 700 KiB: its rules first, then comments past any cap. */
static void respond_big_robots(int fd)
{
	static const char rules[] = "User-agent: *\nDisallow: /private/\n";
	enum { SIZE = 700 * 1024 };
	char head[256], line[1024];
	size_t sent = sizeof(rules) - 1;
	int n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %d\r\nConnection: close\r\n\r\n", SIZE);

	memset(line, '#', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	if (send(fd, head, (size_t)n, MSG_NOSIGNAL) < 0 || send(fd, rules, sent, MSG_NOSIGNAL) < 0)
		return;
	while (sent < SIZE) {
		size_t len = SIZE - sent < sizeof(line) ? SIZE - sent : sizeof(line);
		ssize_t w = send(fd, line, len, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		sent += (size_t)w;
	}
}

/* The answer a target gets, its attempt-th time (1 for the first). */
static void route(int fd, const char *target, const char *head, size_t attempt)
{
	if (route_loop_host(fd, target, head) || route_ftp_host(fd, target, head))
		return;
	/* as a proxy: no tunnel, for want of credentials */
	if (strncmp(head, "CONNECT ", 8) == 0)
		respond(fd, "407 Proxy Authentication Required",
			"Proxy-Authenticate: Basic realm=\"test\"\r\n", "no tunnel");
	else if (strncmp(target, "http://", 7) == 0)
		respond(fd, "200 OK", "", "proxied");
	else if (strncmp(target, "/flaky/", 7) == 0 && attempt <= 2)
		respond(fd, "503 Service Unavailable", "Retry-After: 1\r\n", "busy");
	else if (strncmp(target, "/flaky/", 7) == 0)
		respond(fd, "200 OK", "", "flaky ok");
	else if (strncmp(target, "/down/", 6) == 0)
		respond(fd, "503 Service Unavailable", "", "down");
	else if (strncmp(target, "/wait6/", 7) == 0)
		respond(fd, "503 Service Unavailable", "Retry-After: 6\r\n", "wait");
	else if (strncmp(target, "/later/", 7) == 0)
		respond(fd, "503 Service Unavailable", "Retry-After: 30\r\n", "later");
	else if (strncmp(target, "/set-cookie/", 12) == 0)
		respond(fd, "200 OK", "Set-Cookie: session=s3cret; Path=/\r\n", "set");
	else if (strcmp(target, "/to-ftp") == 0)
		respond(fd, "302 Found", "Location: ftp://127.0.0.1:1/x\r\n", "moved");
	else if (strcmp(target, "/to-long") == 0)
		respond_long_redirect(fd);
	/* /grow, then /xxx.../, then /xxx.../yyy.../: two relative redirects of GROW bytes */
	else if (strcmp(target, "/grow") == 0)
		respond_fill_redirect(fd, "", 'x', GROW, "/");
	else if (strncmp(target, "/xxx", 4) == 0 && !strstr(target, "/yyy"))
		respond_fill_redirect(fd, "", 'y', GROW, "/");
	else if (strncmp(target, "/xxx", 4) == 0)
		respond(fd, "200 OK", "", "grown");
	else if (strcmp(target, "/robots.txt") == 0)
		respond_big_robots(fd);
	/* a Content-Type with bytes that are not UTF-8 (libcurl keeps the last one) */
	else if (strcmp(target, "/latin1-type") == 0)
		respond(fd, "200 OK", "Content-Type: text/html; x=caf\xe9\xff\r\n", "typed");
	else if (strcmp(target, "/gzip-junk") == 0)
		respond_gzip_junk(fd);
	else
		respond(fd, "200 OK", "", "echo");
}

/* Reads one request head and answers it. */
static void serve_one(int fd)
{
	/* the server's one thread is their only user */
	static char head[REQUEST_MAX], full[REQUEST_MAX];
	char target[512] = "";
	const char *from, *to;
	size_t len = 0, attempt;
	struct request *r;

	while (len + 1 < sizeof(head)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			return;
		n = read(fd, head + len, sizeof(head) - 1 - len);
		if (n <= 0)
			return;
		/* the end of the head may straddle two reads */
		head[len + (size_t)n] = '\0';
		if (strstr(head + (len > 3 ? len - 3 : 0), "\r\n\r\n")) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	from = strchr(head, ' ');
	to = from ? strchr(from + 1, ' ') : NULL;
	if (!to || to == from + 1)
		return;
	memcpy(full, from + 1, (size_t)(to - from - 1));
	full[to - from - 1] = '\0';
	/* the log keeps its start: enough to tell every route apart */
	snprintf(target, sizeof(target), "%.*s", (int)sizeof(target) - 1, full);
	pthread_mutex_lock(&srv.lock);
	attempt = seen_locked(target) + 1;
	if (srv.n < LOG_MAX) {
		r = &srv.log[srv.n++];
		snprintf(r->target, sizeof(r->target), "%s", target);
		snprintf(r->head, sizeof(r->head), "%.*s", (int)sizeof(r->head) - 1, head);
		r->at = itest_now();
	}
	pthread_mutex_unlock(&srv.lock);
	route(fd, full, head, attempt);
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[2] = { { .fd = srv.listen_fd, .events = POLLIN },
				       { .fd = srv.stop[0], .events = POLLIN } };
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept(srv.listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		serve_one(fd);
		close(fd);
	}
	return NULL;
}

static int server_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	srv.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (srv.listen_fd < 0 || bind(srv.listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(srv.listen_fd, 64) < 0 || getsockname(srv.listen_fd, (struct sockaddr *)&a, &alen) < 0 ||
	    pipe2(srv.stop, O_CLOEXEC) < 0)
		return -1;
	srv.port = ntohs(a.sin_port);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", srv.port);
	pthread_mutex_init(&srv.lock, NULL);
	return pthread_create(&srv.thread, NULL, serve, NULL) == 0 ? 0 : -1;
}

static void server_stop(void)
{
	if (write(srv.stop[1], "x", 1) == 1)
		pthread_join(srv.thread, NULL);
	close(srv.listen_fd);
	close(srv.stop[0]);
	close(srv.stop[1]);
	pthread_mutex_destroy(&srv.lock);
}

static size_t seen(const char *target)
{
	size_t n;

	pthread_mutex_lock(&srv.lock);
	n = seen_locked(target);
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/* Requests whose target starts with prefix. */
static size_t seen_prefix(const char *prefix)
{
	size_t n = 0;

	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < srv.n; i++)
		n += strncmp(srv.log[i].target, prefix, strlen(prefix)) == 0;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/* Requests whose head holds needle. */
static size_t seen_in_head(const char *needle)
{
	size_t n = 0;

	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < srv.n; i++)
		n += strstr(srv.log[i].head, needle) != NULL;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/* The head of the first request for target, copied to buf; fails the test if none came. */
static const char *head_of(const char *target, char *buf, size_t size)
{
	bool found = false;

	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < srv.n && !found; i++) {
		if (strcmp(srv.log[i].target, target) == 0) {
			snprintf(buf, size, "%s", srv.log[i].head);
			found = true;
		}
	}
	pthread_mutex_unlock(&srv.lock);
	if (!found)
		fail_msg("no request for '%s' came", target);
	return buf;
}

/* When the requests for target came, up to max of them; how many. */
static size_t times_of(const char *target, double *at, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&srv.lock);
	for (size_t i = 0; i < srv.n && n < max; i++)
		if (strcmp(srv.log[i].target, target) == 0)
			at[n++] = srv.log[i].at;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

static int setup(void **state)
{
	(void)state;
	/* -x must be the only proxy, and no_proxy must not send loopback round it */
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	return server_start();
}

static int teardown(void **state)
{
	(void)state;
	server_stop();
	itest_cleanup();
	return 0;
}

/* A CSV of our writer, read into rows of fields (no quoted commas in these tests). */
struct table {
	char *data;
	char *header;
	char *rows[16][24];
	size_t n, ncol;
};

static void table_load(struct table *t, const char *path)
{
	char *line, *save = NULL;

	memset(t, 0, sizeof(*t));
	t->data = itest_slurp(path, NULL);
	assert_non_null(t->data);
	t->header = strtok_r(t->data, "\r\n", &save);
	assert_non_null(t->header);
	for (char *p = t->header; *p; p++)
		t->ncol += *p == ',';
	t->ncol++;
	t->header = strdup(t->header);
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL && t->n < 16) {
		size_t c = 0;

		for (char *f = line; c < 24; c++) {
			char *comma = strchr(f, ',');

			t->rows[t->n][c] = f;
			if (!comma)
				break;
			*comma = '\0';
			f = comma + 1;
		}
		assert_int_equal(c + 1, t->ncol);
		t->n++;
	}
}

static void table_free(struct table *t)
{
	free(t->data);
	free(t->header);
}

/* The field of column name in the row whose url is url. */
static const char *cell(const struct table *t, const char *url, const char *name)
{
	size_t col = 0, ucol = 0;
	const char *h = t->header;

	for (size_t i = 0; i < t->ncol; i++) {
		size_t len = strcspn(h, ",");

		if (strlen(name) == len && strncmp(h, name, len) == 0)
			col = i + 1;
		if (len == 3 && strncmp(h, "url", 3) == 0)
			ucol = i + 1;
		h += len + (h[len] == ',');
	}
	if (!col || !ucol)
		fail_msg("no column %s or url in '%s'", name, t->header);
	for (size_t r = 0; r < t->n; r++)
		if (strcmp(t->rows[r][ucol - 1], url) == 0)
			return t->rows[r][col - 1];
	fail_msg("no row for '%s'", url);
	return NULL;
}

static const char *write_list(const char *name, const char *const *urls, size_t n)
{
	char text[4096];
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", urls[i]);
	itest_write_file(itest_path(name), text);
	return itest_path(name);
}

/* Fails with crawlpool's stderr unless it exited with want. */
static void expect_exit(int rc, int want)
{
	if (rc != want)
		fail_msg("crawlpool exited %d, not %d: %s", rc, want, itest_stderr());
}

/*
 * --retry: a route that fails twice with 503 and Retry-After: 1 gets one
 * row, status 200 after 2 retries, its attempts at least a second apart as
 * the server saw them; a route that always fails, and a port that refuses,
 * get one row each once the retries are spent.
 */
static void test_retry(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char flaky[128], down[128], refused[64], target[64], down_target[64];
		const char *urls[3] = { flaky, down, refused };
		const char *out = itest_path("retry.csv");
		const char *args[] = { "crawl", "-q", "-m", modes[m], "-w", "3", "--retry", "2",
				       "--retry-delay", "0.05", "--fields",
				       "url,status,retries,title,error", "-o", out,
				       NULL, NULL };
		struct table t;
		double at[8];

		snprintf(target, sizeof(target), "/flaky/%s", modes[m]);
		snprintf(down_target, sizeof(down_target), "/down/%s", modes[m]);
		snprintf(flaky, sizeof(flaky), "%s%s", base, target);
		snprintf(down, sizeof(down), "%s%s", base, down_target);
		/* port 1 on loopback: nothing listens there */
		snprintf(refused, sizeof(refused), "http://127.0.0.1:1/");
		args[14] = write_list("retry.txt", urls, 3);
		expect_exit(itest_run(args, NULL, NULL), 0);
		table_load(&t, out);
		assert_string_equal(t.header, "url,status,retries,title,error");
		assert_int_equal(t.n, 3);
		assert_string_equal(cell(&t, flaky, "status"), "200");
		assert_string_equal(cell(&t, flaky, "retries"), "2");
		assert_string_equal(cell(&t, flaky, "title"), "flaky ok");
		assert_string_equal(cell(&t, flaky, "error"), "");
		assert_int_equal(times_of(target, at, 8), 3);
		/* Retry-After: 1 is honoured, not the 0.05 s of --retry-delay */
		if (at[1] - at[0] < 1.0 || at[2] - at[1] < 1.0)
			fail_msg("%s: attempts %.3f s and %.3f s apart", modes[m], at[1] - at[0],
				 at[2] - at[1]);
		assert_string_equal(cell(&t, down, "status"), "503");
		assert_string_equal(cell(&t, down, "retries"), "2");
		assert_string_equal(cell(&t, down, "title"), "down");
		assert_int_equal(seen(down_target), 3);
		assert_string_equal(cell(&t, refused, "error"), "connection refused");
		assert_string_equal(cell(&t, refused, "retries"), "2");
		table_free(&t);
	}
}

/*
 * -H adds a header, "Name:" drops a default and "Name;" sends one empty;
 * the -b NAME=VALUE of every -b are sent, in one header; -A still works.
 */
static void test_headers(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char url[128], target[64], head[HEAD_MAX];
		const char *urls[1] = { url };
		const char *args[] = { "crawl", "-q", "-m", modes[m], "-H", "X-Crawl-Test: yes",
				       "-H", "Accept:", "--header", "X-Second: 2", "-b", "a=1; b=2",
				       "-A", "tester/1", "-H", "X-Empty;", "-b", "c=3", "-o",
				       itest_path("headers.csv"), NULL, NULL };

		snprintf(target, sizeof(target), "/echo/headers-%s", modes[m]);
		snprintf(url, sizeof(url), "%s%s", base, target);
		args[20] = write_list("headers.txt", urls, 1);
		expect_exit(itest_run(args, NULL, NULL), 0);
		head_of(target, head, sizeof(head));
		assert_non_null(strstr(head, "\r\nX-Crawl-Test: yes\r\n"));
		assert_non_null(strstr(head, "\r\nX-Second: 2\r\n"));
		assert_non_null(strstr(head, "\r\nCookie: a=1; b=2; c=3\r\n"));
		assert_non_null(strstr(head, "\r\nUser-Agent: tester/1\r\n"));
		assert_non_null(strstr(head, "\r\nX-Empty:\r\n"));
		if (strstr(head, "\r\nAccept:"))
			fail_msg("%s: \"Accept:\" did not drop the header: %s", modes[m], head);
	}
}

/*
 * A cookie set by one page goes with the next (-w 1, so one after the
 * other), beside those of two -b files; -c then holds every cookie, merged
 * from the workers in process mode.
 */
static void test_cookies(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char set[128], next[128], target[64], head[HEAD_MAX], start[256];
		const char *urls[2] = { set, next };
		const char *jar = itest_path("jar.txt");
		const char *args[] = { "crawl", "-q", "-m", modes[m], "-w", "1", "-b",
				       itest_path("start-cookies.txt"), "-b",
				       itest_path("more-cookies.txt"), "-c", jar, "-o",
				       itest_path("cookies.csv"), NULL, NULL };
		char *saved;

		snprintf(set, sizeof(set), "%s/set-cookie/%s", base, modes[m]);
		snprintf(target, sizeof(target), "/echo/cookie-%s", modes[m]);
		snprintf(next, sizeof(next), "%s%s", base, target);
		args[14] = write_list("cookies.txt", urls, 2);
		/* a Netscape cookie file: domain, subdomains, path, secure, expires, name, value */
		snprintf(start, sizeof(start), "# Netscape HTTP Cookie File\n"
			 "127.0.0.1\tFALSE\t/\tFALSE\t0\tfromfile\tyes\n");
		itest_write_file(itest_path("start-cookies.txt"), start);
		itest_write_file(itest_path("more-cookies.txt"),
				 "127.0.0.1\tFALSE\t/\tFALSE\t0\tsecond\ttoo\n");
		unlink(jar);
		expect_exit(itest_run(args, NULL, NULL), 0);
		head_of(target, head, sizeof(head));
		if (!strstr(head, "session=s3cret") || !strstr(head, "fromfile=yes") ||
		    !strstr(head, "second=too"))
			fail_msg("%s: the cookies did not come back: %s", modes[m], head);
		saved = itest_slurp(jar, NULL);
		assert_non_null(saved);
		if (!strstr(saved, "\tsession\ts3cret") || !strstr(saved, "\tfromfile\tyes") ||
		    !strstr(saved, "\tsecond\ttoo"))
			fail_msg("%s: the jar lacks a cookie: %s", modes[m], saved);
		free(saved);
	}
}

/*
 * -c naming a pipe (or a device: -c /dev/null, as curl users write) gets
 * the jar written into it; the pipe stays a pipe, not replaced by a file.
 */
static void test_cookie_jar_pipe(void **state)
{
	static const char *const jar_modes[] = { "thread", "process" };

	(void)state;
	for (size_t m = 0; m < sizeof(jar_modes) / sizeof(jar_modes[0]); m++) {
		char set[128], got[4096] = "";
		const char *urls[1] = { set };
		const char *pipe_path = itest_path("jar.fifo");
		const char *args[] = { "crawl", "-q", "-m", jar_modes[m], "-c", pipe_path, "-o",
				       itest_path("jar-pipe.csv"), NULL, NULL };
		struct stat st;
		ssize_t n;
		int fd;

		snprintf(set, sizeof(set), "%s/set-cookie/pipe-%s", base, jar_modes[m]);
		args[8] = write_list("jar-pipe.txt", urls, 1);
		unlink(pipe_path);
		assert_int_equal(mkfifo(pipe_path, 0600), 0);
		/* the reader is there before the run, and never waits: a pipe holds a small jar */
		fd = open(pipe_path, O_RDONLY | O_NONBLOCK);
		assert_true(fd >= 0);
		expect_exit(itest_run(args, NULL, NULL), 0);
		assert_int_equal(lstat(pipe_path, &st), 0);
		if (!S_ISFIFO(st.st_mode))
			fail_msg("%s: the pipe was replaced by a file", jar_modes[m]);
		n = read(fd, got, sizeof(got) - 1);
		close(fd);
		unlink(pipe_path);
		assert_true(n > 0);
		if (!strstr(got, "# Netscape HTTP Cookie File") || !strstr(got, "\tsession\ts3cret"))
			fail_msg("%s: the pipe did not get the jar: %s", jar_modes[m], got);
	}
}

/*
 * -o /dev/null -c /dev/null, a crawl kept for its effects only: one device
 * named twice is not one file written over another, and stays a device.
 */
static void test_null_outputs(void **state)
{
	char url[128];
	const char *args[] = { "crawl", "-q", "-o", "/dev/null", "-c", "/dev/null", url, NULL };
	struct stat st;

	(void)state;
	snprintf(url, sizeof(url), "%s/set-cookie/null", base);
	expect_exit(itest_run(args, NULL, NULL), 0);
	assert_int_equal(seen("/set-cookie/null"), 1);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

/*
 * -x: every request goes to the proxy, in the absolute form, even to a
 * host that does not exist; an https URL's tunnel the proxy refuses says so.
 */
static void test_proxy(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char a[128], b[128], tunnel[128], proxy[64];
		const char *urls[3] = { a, b, tunnel };
		const char *out = itest_path("proxy.csv");
		const char *args[] = { "crawl", "-q", "-m", modes[m], "-x", proxy, "--fields",
				       "url,status,title,error", "-o", out,
				       NULL, NULL };
		struct table t;

		snprintf(a, sizeof(a), "http://proxied.invalid/%s/a", modes[m]);
		snprintf(b, sizeof(b), "http://proxied.invalid/%s/b", modes[m]);
		snprintf(tunnel, sizeof(tunnel), "https://tunnel.invalid/%s", modes[m]);
		snprintf(proxy, sizeof(proxy), "127.0.0.1:%u", srv.port);
		args[10] = write_list("proxy.txt", urls, 3);
		expect_exit(itest_run(args, NULL, NULL), 0);
		table_load(&t, out);
		assert_string_equal(cell(&t, a, "title"), "proxied");
		assert_string_equal(cell(&t, b, "status"), "200");
		assert_int_equal(seen(a), 1);
		assert_int_equal(seen(b), 1);
		assert_string_equal(cell(&t, tunnel, "status"), "");
		assert_string_equal(cell(&t, tunnel, "error"), "proxy refused the tunnel (407)");
		table_free(&t);
	}
}

/* -x "", as curl's: no proxy at all (the environment's neither), not a usage error. */
static void test_proxy_none(void **state)
{
	char url[128];
	const char *out = itest_path("no-proxy.csv");
	const char *args[] = { "crawl", "-q", "-x", "", "--fields", "url,status,title,error", "-o",
			       out, url, NULL };
	struct table t;

	(void)state;
	snprintf(url, sizeof(url), "%s/echo/no-proxy", base);
	expect_exit(itest_run(args, NULL, NULL), 0);
	table_load(&t, out);
	assert_string_equal(cell(&t, url, "status"), "200");
	assert_string_equal(cell(&t, url, "title"), "echo");
	assert_int_equal(seen("/echo/no-proxy"), 1);
	table_free(&t);
}

/*
 * --fields: the columns in the order asked, JSON Lines with the same keys;
 * the default stays the 12 columns.
 */
static void test_fields(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char url[128];
		const char *urls[1] = { url };
		const char *args[] = { "crawl", "-q", "-m", modes[m], "--fields",
				       "status,url,location,remote_ip,http_version,time_connect,"
				       "retries,time_tls", "-o", itest_path("fields.csv"), NULL, NULL };
		const char *jargs[] = { "crawl", "-q", "-m", modes[m], "-f", "jsonl", "--fields",
					"http_version,url,retries", "-o", itest_path("fields.jsonl"),
					NULL, NULL };
		const char *plain[] = { "crawl", "-q", "-m", modes[m], "-o", itest_path("plain.csv"),
					NULL, NULL };
		struct table t;
		char *text, want[512];

		snprintf(url, sizeof(url), "%s/echo/fields", base);
		args[8] = jargs[10] = plain[6] = write_list("fields.txt", urls, 1);
		expect_exit(itest_run(args, NULL, NULL), 0);
		table_load(&t, itest_path("fields.csv"));
		assert_string_equal(t.header, "status,url,location,remote_ip,http_version,"
				    "time_connect,retries,time_tls");
		assert_int_equal(t.n, 1);
		assert_string_equal(cell(&t, url, "status"), "200");
		assert_string_equal(cell(&t, url, "location"), "");
		assert_string_equal(cell(&t, url, "remote_ip"), "127.0.0.1");
		assert_string_equal(cell(&t, url, "http_version"), "1.1");
		assert_string_equal(cell(&t, url, "retries"), "0");
		assert_string_equal(cell(&t, url, "time_tls"), "");
		assert_non_null(strchr(cell(&t, url, "time_connect"), '.'));
		table_free(&t);

		expect_exit(itest_run(jargs, NULL, NULL), 0);
		text = itest_slurp(itest_path("fields.jsonl"), NULL);
		assert_non_null(text);
		snprintf(want, sizeof(want), "{\"http_version\":\"1.1\",\"url\":\"%s\",\"retries\":0}\n",
			 url);
		assert_string_equal(text, want);
		free(text);

		/* without --fields, the 12 columns of every crawl */
		expect_exit(itest_run(plain, NULL, NULL), 0);
		table_load(&t, itest_path("plain.csv"));
		assert_string_equal(t.header, "url,final_url,status,bytes,content_type,ttfb_ms,"
				    "time_ms,redirects,title,links,worker,error");
		table_free(&t);
	}
}

/*
 * A header's bytes that are not UTF-8 are U+FFFD in every format, as JSON
 * Lines has always shown them: a CSV or TSV row must stay UTF-8 (--bom says
 * so to a spreadsheet, and Python's csv module reads it as such).
 */
static void test_header_not_utf8(void **state)
{
	static const char *const formats[] = { "csv", "tsv", "jsonl" };
	static const char *const want[] = { "text/html; x=caf\xef\xbf\xbd\xef\xbf\xbd\r\n",
					     "text/html; x=caf\xef\xbf\xbd\xef\xbf\xbd\n",
					     "{\"content_type\":\"text/html; x=caf\xef\xbf\xbd"
					     "\xef\xbf\xbd\"}\n" };
	char url[128];
	const char *urls[1] = { url };

	(void)state;
	snprintf(url, sizeof(url), "%s/latin1-type", base);
	for (size_t i = 0; i < 3; i++) {
		const char *args[] = { "crawl", "-q", "-f", formats[i], "--fields", "content_type",
				       "-o", itest_path("type.out"), write_list("type.txt", urls, 1),
				       NULL };
		char *text, *row;

		expect_exit(itest_run(args, NULL, NULL), 0);
		text = itest_slurp(itest_path("type.out"), NULL);
		assert_non_null(text);
		row = i < 2 ? strchr(text, '\n') + 1 : text;
		assert_string_equal(row, want[i]);
		free(text);
	}
}

/*
 * Bytes after the end of a gzip body fail the transfer in libcurl with
 * CURLE_WRITE_ERROR, which is the server's encoding at fault, not a write
 * of ours: every mode says so.
 */
static void test_gzip_junk(void **state)
{
	char url[128];
	const char *urls[1] = { url };

	(void)state;
	snprintf(url, sizeof(url), "%s/gzip-junk", base);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *args[] = { "crawl", "-q", "-m", modes[m], "--fields", "url,status,error",
				       "-o", itest_path("junk.csv"), write_list("junk.txt", urls, 1),
				       NULL };
		struct table t;

		expect_exit(itest_run(args, NULL, NULL), 0);
		table_load(&t, itest_path("junk.csv"));
		assert_string_equal(cell(&t, url, "status"), "200");
		assert_string_equal(cell(&t, url, "error"), "bad content encoding");
		table_free(&t);
	}
}

/* location: where a redirect not followed (--max-redirects 0) points, from the demo site's chain. */
static void test_location(void **state)
{
	char url[128];
	const char *urls[1] = { url };
	const char *args[] = { "crawl", "-q", "--max-redirects", "0", "--fields",
			       "url,status,location", "-o", itest_path("location.csv"), NULL, NULL };
	struct itest_site site;
	struct table t;

	(void)state;
	assert_int_equal(itest_site_start(&site, 10, 5), 0);
	snprintf(url, sizeof(url), "%s/fault/redirect/2", site.base);
	args[8] = write_list("location.txt", urls, 1);
	expect_exit(itest_run(args, NULL, NULL), 0);
	table_load(&t, itest_path("location.csv"));
	assert_string_equal(cell(&t, url, "status"), "302");
	if (!strstr(cell(&t, url, "location"), "/fault/redirect/1"))
		fail_msg("location is '%s'", cell(&t, url, "location"));
	table_free(&t);
	itest_site_stop(&site);
}

/*
 * A followed crawl takes a redirect's target itself: one it cannot take (not
 * http or https, longer than it keeps) is not fetched, and the row says why;
 * a cut target would be another URL than the one the server named.
 */
static void test_follow_redirect_refused(void **state)
{
	char ftp[96], longer[96];
	const char *urls[] = { ftp, longer };
	const char *args[] = { "crawl", "-q", "--follow", "--no-robots", "--fields",
			       "url,status,error", "-o", itest_path("refused.csv"), NULL, NULL };
	struct table t;

	(void)state;
	snprintf(ftp, sizeof(ftp), "%s/to-ftp", base);
	snprintf(longer, sizeof(longer), "%s/to-long", base);
	args[8] = write_list("refused.txt", urls, 2);
	expect_exit(itest_run(args, NULL, NULL), 0);
	table_load(&t, itest_path("refused.csv"));
	assert_int_equal(t.n, 2);
	assert_string_equal(cell(&t, ftp, "status"), "302");
	assert_string_equal(cell(&t, ftp, "error"), "redirect not to http or https");
	assert_string_equal(cell(&t, longer, "status"), "302");
	assert_string_equal(cell(&t, longer, "error"), "redirect URL too long");
	assert_int_equal(seen_prefix("/long-landing"), 0);
	table_free(&t);
}

/*
 * final_url carries the whole URL where the redirects ended, however long
 * (the 8 KiB a list line may have, the 10 KB of a Location), up to 128 KiB;
 * one longer than that, which only relative redirects can build, is cut
 * there and says so.
 */
static void test_final_url_long(void **state)
{
	enum { LINE_MAX_ = 8192, CUT = 128 * 1024 };
	static const char mark[] = " [cut]";
	char to_long[96], grow[96], landing[10200], line[LINE_MAX_ + 1];
	const char *urls[] = { to_long, grow, line };

	(void)state;
	snprintf(to_long, sizeof(to_long), "%s/to-long", base);
	snprintf(grow, sizeof(grow), "%s/grow", base);
	snprintf(landing, sizeof(landing), "%s/long-landing?", base);
	memset(landing + strlen(landing), 'a', 10000);
	strcpy(landing + strlen(base) + 14 + 10000, "END");
	/* a list line as long as a list line may be: its row keeps it whole */
	snprintf(line, sizeof(line), "%s/echo/", base);
	memset(line + strlen(line), 'e', LINE_MAX_ - strlen(line));
	line[LINE_MAX_] = '\0';
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *args[] = { "crawl", "-q", "-m", modes[m], "--fields",
				       "url,final_url,redirects,error", "-o", itest_path("long.csv"),
				       NULL, NULL };
		const char *got;
		char *list;
		size_t len = 0;
		struct table t;
		FILE *f;

		/* write_list() has no room for these lines */
		list = (char *)itest_path("long.txt");
		f = fopen(list, "w");
		assert_non_null(f);
		for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
			fprintf(f, "%s\n", urls[i]);
		fclose(f);
		args[8] = list;
		expect_exit(itest_run(args, NULL, NULL), 0);
		table_load(&t, itest_path("long.csv"));
		assert_int_equal(t.n, 3);
		assert_string_equal(cell(&t, to_long, "error"), "");
		assert_string_equal(cell(&t, to_long, "redirects"), "1");
		assert_string_equal(cell(&t, to_long, "final_url"), landing);
		assert_string_equal(cell(&t, line, "error"), "");
		assert_string_equal(cell(&t, line, "final_url"), line);
		assert_string_equal(cell(&t, grow, "error"), "");
		assert_string_equal(cell(&t, grow, "redirects"), "2");
		got = cell(&t, grow, "final_url");
		len = strlen(got);
		if (len != CUT + sizeof(mark) - 1 || strcmp(got + CUT, mark) != 0)
			fail_msg("%s mode: final_url of %zu bytes ending '%s'", modes[m], len,
				 len > 16 ? got + len - 16 : got);
		assert_int_equal(strncmp(got, base, strlen(base)), 0);
		assert_int_equal(strncmp(got + strlen(base), "/xxx", 4), 0);
		table_free(&t);
	}
}

/*
 * A robots.txt is the one thing a followed crawl lets libcurl redirect: a
 * loop there stops at its first repeat too, whatever --max-redirects says,
 * and counts as unavailable (RFC 9309 2.3.1.2): the host's pages are fetched.
 */
static void test_robots_redirect_loop(void **state)
{
	char page[96], resolve[64];
	const char *urls[1] = { page };

	(void)state;
	snprintf(page, sizeof(page), "http://loop.test:%u/page", srv.port);
	snprintf(resolve, sizeof(resolve), "loop.test:%u:127.0.0.1", srv.port);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *args[] = { "crawl", "-q", "-m", modes[m], "--follow", "-d", "0",
				       "--max-redirects", "1000", "--resolve", resolve, "--fields",
				       "url,status,error", "-o", itest_path("loop.csv"), NULL, NULL };
		size_t before = seen_in_head("\r\nHost: loop.test:");
		struct table t;

		args[15] = write_list("loop.txt", urls, 1);
		expect_exit(itest_run(args, NULL, NULL), 0);
		/* robots.txt, robots-again.txt, then the page */
		if (seen_in_head("\r\nHost: loop.test:") - before != 3)
			fail_msg("%s mode: %zu requests to loop.test", modes[m],
				 seen_in_head("\r\nHost: loop.test:") - before);
		table_load(&t, itest_path("loop.csv"));
		assert_int_equal(t.n, 1);
		assert_string_not_equal(cell(&t, page, "status"), "");
		assert_null(strstr(cell(&t, page, "error"), "robots.txt"));
		table_free(&t);
	}
}

/*
 * A robots.txt moved to another protocol leads to none: unavailable, as a
 * loop is, not unreachable, so the host's pages are fetched.
 */
static void test_robots_redirect_elsewhere(void **state)
{
	char page[96], resolve[64];
	const char *urls[1] = { page };

	(void)state;
	snprintf(page, sizeof(page), "http://ftp.test:%u/page", srv.port);
	snprintf(resolve, sizeof(resolve), "ftp.test:%u:127.0.0.1", srv.port);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *args[] = { "crawl", "-q", "-m", modes[m], "--follow", "-d", "0",
				       "--resolve", resolve, "--fields", "url,status,error", "-o",
				       itest_path("ftp.csv"), NULL, NULL };
		struct table t;

		args[13] = write_list("ftp.txt", urls, 1);
		expect_exit(itest_run(args, NULL, NULL), 0);
		table_load(&t, itest_path("ftp.csv"));
		assert_int_equal(t.n, 1);
		assert_string_equal(cell(&t, page, "status"), "200");
		assert_string_equal(cell(&t, page, "error"), "");
		table_free(&t);
	}
}

/*
 * A robots.txt cut short by --max-size (or by its own 500 KiB cap) is read
 * as far as it came, even when the first piece received is already past
 * --max-size (1K): the host is not taken for unreachable and shut off.
 */
static void test_robots_cut_short(void **state)
{
	static const char *const sizes[] = { "100K", "1K" };
	char allowed[96], private[96];
	const char *urls[] = { allowed, private };
	const char *args[] = { "crawl", "-q", "--follow", "-d", "0", "--max-size", NULL,
			       "--fields", "url,status,error", "-o", itest_path("robots.csv"),
			       NULL, NULL };
	struct table t;

	(void)state;
	snprintf(allowed, sizeof(allowed), "%s/open/page", base);
	snprintf(private, sizeof(private), "%s/private/page", base);
	args[11] = write_list("robots.txt", urls, 2);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		args[6] = sizes[i];
		expect_exit(itest_run(args, NULL, NULL), 0);
		table_load(&t, itest_path("robots.csv"));
		assert_string_equal(cell(&t, allowed, "status"), "200");
		assert_string_equal(cell(&t, allowed, "error"), "");
		assert_string_equal(cell(&t, private, "error"), "blocked by robots.txt");
		table_free(&t);
	}
}

/* Bad values are usage errors before anything is touched: the output keeps what it had. */
static void test_refusals(void **state)
{
	static const struct {
		const char *opt, *value, *says;
	} bad[] = {
		{ "--fields", "url,nope", "unknown field 'nope'" },
		{ "--fields", "url,url", "twice" },
		{ "--fields", "url,depth", "--follow" },
		{ "-H", "NoColon", "invalid --header" },
		{ "-H", "Bad Name: x", "invalid --header" },
		{ "-H", "Not;Empty;", "invalid --header" },
		{ "-b", "/nonexistent/cookies", "cannot read cookie file" },
		{ "-c", "/nonexistent/dir/jar", "cannot write cookie jar" },
		{ "--cacert", "/nonexistent/ca.pem", "cannot read CA bundle" },
		{ "-x", "ftp://127.0.0.1:1", "invalid --proxy" },
		{ "--retry", "-1", "--retry" },
		{ "--retry-delay", "x", "--retry-delay" },
		{ "--retry-max-time", "0", "--retry-max-time" },
	};
	const char *out = itest_path("kept.csv");

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { "crawl", bad[i].opt, bad[i].value, "-o", out, base, NULL };
		char *kept;

		itest_write_file(out, "precious\n");
		expect_exit(itest_run(args, NULL, NULL), 2);
		if (!strstr(itest_stderr(), bad[i].says))
			fail_msg("%s %s: stderr lacks '%s': %s", bad[i].opt, bad[i].value, bad[i].says,
				 itest_stderr());
		kept = itest_slurp(out, NULL);
		assert_string_equal(kept, "precious\n");
		free(kept);
	}
}

/*
 * --resume reads back a file written with --fields: the same columns go
 * on; others, or JSON Lines that do not begin with url, are refused.
 */
static void test_resume_fields(void **state)
{
	char a[128], b[128];
	const char *urls[2] = { a, b };
	const char *out = itest_path("resume.csv");
	const char *list = NULL;
	const char *first[] = { "crawl", "-q", "--fields", "status,url", "-o", out, NULL, NULL };
	const char *again[] = { "crawl", "-q", "--resume", "--fields", "status,url", "-o", out,
				NULL, NULL };
	const char *other[] = { "crawl", "-q", "--resume", "--fields", "url,status", "-o", out,
				NULL, NULL };
	const char *jsonl[] = { "crawl", "-q", "--resume", "-f", "jsonl", "--fields",
				"status,url", "-o", itest_path("resume.jsonl"), NULL, NULL };
	char *before, *after;

	(void)state;
	snprintf(a, sizeof(a), "%s/echo/resume-a", base);
	snprintf(b, sizeof(b), "%s/echo/resume-b", base);
	list = write_list("resume-a.txt", urls, 1);
	first[6] = list;
	expect_exit(itest_run(first, NULL, NULL), 0);
	list = write_list("resume-ab.txt", urls, 2);
	again[7] = other[7] = jsonl[9] = list;
	expect_exit(itest_run(again, NULL, NULL), 0);
	assert_int_equal(seen("/echo/resume-a"), 1);
	assert_int_equal(seen("/echo/resume-b"), 1);
	before = itest_slurp(out, NULL);
	assert_int_equal(itest_file_lines(out), 3);
	expect_exit(itest_run(other, NULL, NULL), 2);
	assert_non_null(strstr(itest_stderr(), "columns"));
	after = itest_slurp(out, NULL);
	assert_string_equal(before, after);
	free(before);
	free(after);
	expect_exit(itest_run(jsonl, NULL, NULL), 2);
	assert_non_null(strstr(itest_stderr(), "name url first"));
}

/*
 * Ctrl-C while a URL waits 30 s to be retried: in every mode, a worker
 * process's wait too, the first ends the wait and the row is the last
 * answer, with no attempt after it.
 */
static void test_interrupt_wait(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char url[128], target[64];
		const char *urls[1] = { url };
		const char *out = itest_path("later.csv");
		const char *args[] = { "crawl", "-q", "-m", modes[m], "--retry", "3", "--fields",
				       "url,status,retries,error", "-o", out, NULL, NULL };
		double deadline = itest_now() + 30;
		struct table t;
		pid_t pid;

		snprintf(target, sizeof(target), "/later/%s", modes[m]);
		snprintf(url, sizeof(url), "%s%s", base, target);
		args[10] = write_list("later.txt", urls, 1);
		pid = itest_spawn(args, NULL);
		while (seen(target) == 0 && itest_now() < deadline)
			usleep(10000);
		assert_int_equal(seen(target), 1);
		/* the wait has begun once the answer is read: give it a moment */
		usleep(200000);
		kill(pid, SIGINT);
		/* well before the 30 s Retry-After */
		expect_exit(itest_wait(pid, 15), 130);
		table_load(&t, out);
		assert_int_equal(t.n, 1);
		assert_string_equal(cell(&t, url, "status"), "503");
		assert_string_equal(cell(&t, url, "retries"), "0");
		assert_string_equal(cell(&t, url, "error"), "");
		assert_int_equal(seen(target), 1);
		table_free(&t);
	}
}

/*
 * Process and hybrid modes kill a worker whose job runs past --timeout and
 * a grace: with --retry the job is every attempt and wait, and no worker is
 * killed for waiting as asked (here 6 s, past a 0.5 s --timeout and its grace).
 */
static void process_deadline(const char *mode)
{
	char url[128], path[64];
	const char *urls[1] = { url };
	const char *out = itest_path("deadline.csv");
	const char *args[] = { "crawl", "-q", "-m", mode, "-t", "0.5", "--retry", "1",
			       "--retry-max-time", "8", "--fields", "url,status,retries,error", "-o",
			       out, NULL, NULL };
	struct table t;

	snprintf(path, sizeof(path), "/wait6/deadline-%s", mode);
	snprintf(url, sizeof(url), "%s%s", base, path);
	args[14] = write_list("deadline.txt", urls, 1);
	expect_exit(itest_run(args, NULL, NULL), 0);
	table_load(&t, out);
	assert_string_equal(cell(&t, url, "error"), "");
	assert_string_equal(cell(&t, url, "status"), "503");
	assert_string_equal(cell(&t, url, "retries"), "1");
	assert_int_equal(seen(path), 2);
	table_free(&t);
}

static void test_process_deadline(void **state)
{
	(void)state;
	process_deadline("process");
	process_deadline("hybrid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_cookie_jar_pipe),
		cmocka_unit_test(test_null_outputs),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_proxy_none),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_header_not_utf8),
		cmocka_unit_test(test_gzip_junk),
		cmocka_unit_test(test_follow_redirect_refused),
		cmocka_unit_test(test_robots_cut_short),
		cmocka_unit_test(test_final_url_long),
		cmocka_unit_test(test_robots_redirect_loop),
		cmocka_unit_test(test_robots_redirect_elsewhere),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_resume_fields),
		cmocka_unit_test(test_interrupt_wait),
		cmocka_unit_test(test_process_deadline),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
