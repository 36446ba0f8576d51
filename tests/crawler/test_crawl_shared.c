/* test_crawl_shared.c -- crawls shared in Redis: instances at once, list lines that are no URL exported once, one joining, one waiting for URLs before any exist, one killed, leases kept through slow pages, politeness across instances, links followed, export, status, drop, usage errors, Redis restarted or gone */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "itest.h"
#include "redis_server.h"

/* The list's URLs: late pages, so that every instance has time to take some. */
enum { LIST_URLS = 300 };
/* The longest list a test writes: the one an instance is killed in. */
enum { MAX_URLS = 2000 };
/* The longest list line crawlpool reads whole (URLLIST_LINE_MAX): the rest is cut. */
enum { LIST_LINE_MAX = 8192 };

static struct itest_site site;
static struct redis_server *redis;
static const char *frontier;		/* the redis-server's URL */
static char *urls[MAX_URLS];
static size_t n_urls;			/* in urls[]: the last list's */

static int setup(void **state)
{
	char robots[512];
	const char *extra[] = { "--host", "127.0.0.2", "--robots", robots, NULL };

	(void)state;
	snprintf(robots, sizeof(robots), "%s/tests/demo/links-robots.txt", SOURCE_DIR);
	if (itest_site_start_with(&site, 50, 30, extra) < 0)
		return -1;
	redis = redis_server_start(NULL);
	if (!redis)
		return -1;
	frontier = redis_server_url(redis);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < MAX_URLS; i++)
		free(urls[i]);
	redis_server_free(redis);
	itest_site_stop(&site);
	itest_cleanup();
	return 0;
}

/* URL i of a list of late answers (ms each): one of /fault/slow, or a slow page (i up to 40). */
typedef void make_url_fn(char *url, size_t size, unsigned ms, size_t i);

static void fault_slow_url(char *url, size_t size, unsigned ms, size_t i)
{
	snprintf(url, size, "%s/fault/slow?ms=%u&n=%zu", site.base, ms, i);
}

static void slow_page_url(char *url, size_t size, unsigned ms, size_t i)
{
	snprintf(url, size, "%s/slow-page/%zu.html?ms=%u", site.base, i, ms);
}

/* A list of n URLs written to name, each made by make_url; urls[] holds them. */
static const char *write_urls(const char *name, size_t n, make_url_fn *make_url, unsigned ms)
{
	const char *path = itest_path(name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(n <= MAX_URLS);
	for (size_t i = 0; i < MAX_URLS; i++) {
		char url[128];

		free(urls[i]);
		urls[i] = NULL;
		if (i >= n)
			continue;
		make_url(url, sizeof(url), ms, i);
		urls[i] = strdup(url);
		fprintf(f, "%s\n", url);
	}
	n_urls = n;
	fclose(f);
	return path;
}

/* A list of LIST_URLS late pages (ms each), written to name. */
static const char *write_list(const char *name, unsigned ms)
{
	return write_urls(name, LIST_URLS, fault_slow_url, ms);
}

/* An instance run in the background, its stderr in a file of its own. */
static pid_t spawn_instance(const char *const *args, const char *err_name)
{
	int fd = open(itest_path(err_name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid;

	assert_true(fd >= 0);
	pid = itest_spawn_fds(args, ITEST_FD_USUAL, ITEST_FD_USUAL, fd);
	close(fd);
	return pid;
}

static void expect_exit(pid_t pid, int want, const char *err_name)
{
	int rc = itest_wait(pid, 60);

	if (rc != want) {
		static char said[4096];
		char *text = itest_slurp(itest_path(err_name), NULL);

		snprintf(said, sizeof(said), "%s", text ? text : "");
		free(text);
		fail_msg("instance exited %d, expected %d: %s", rc, want, said);
	}
}

static void run_expect(const char *const *args, int want)
{
	int rc = itest_run(args, NULL, NULL);

	if (rc != want)
		fail_msg("%s exited %d, expected %d: %s", args[0], rc, want, itest_stderr());
}

/* `crawlpool export` of crawl into path (CSV). */
static void export_csv(const char *crawl, const char *path)
{
	const char *args[] = { "export", "--frontier", frontier, "--crawl", crawl, "-o", path, NULL };

	run_expect(args, 0);
}

/* Every URL of the list in t once, nothing else, each fetched. */
static void expect_every_url(const struct itest_table *t)
{
	itest_expect_urls(t, (const char *const *)urls, n_urls);
	for (size_t i = 0; i < t->n; i++) {
		assert_string_equal(t->rows[i].f[COL_ERROR], "");
		assert_string_equal(t->rows[i].f[COL_STATUS], "200");
	}
}

/* Whether url has a row in t. */
static bool has_url(const struct itest_table *t, const char *url)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->rows[i].f[COL_URL], url) == 0)
			return true;
	return false;
}

/* Two instances (event, process) on one list at once: each URL fetched by one, recorded once. */
static void test_two_instances(void **state)
{
	const char *list = write_list("two.txt", 10);
	const char *a_out = itest_path("two-a.csv"), *b_out = itest_path("two-b.csv");
	const char *all = itest_path("two-all.csv");
	const char *a[] = { "crawl", "-q", "-m", "event", "-w", "8", "--frontier", frontier,
			    "--crawl", "two", "-o", a_out, list, NULL };
	const char *b[] = { "crawl", "-q", "-m", "process", "-w", "4", "--frontier", frontier,
			    "--crawl", "two", "-o", b_out, list, NULL };
	struct itest_table ta, tb, tall;
	pid_t pa, pb;

	(void)state;
	pa = spawn_instance(a, "two-a.err");
	pb = spawn_instance(b, "two-b.err");
	expect_exit(pa, 0, "two-a.err");
	expect_exit(pb, 0, "two-b.err");
	export_csv("two", all);
	assert_int_equal(itest_csv_load(all, &tall), 0);
	expect_every_url(&tall);
	assert_int_equal(itest_csv_load(a_out, &ta), 0);
	assert_int_equal(itest_csv_load(b_out, &tb), 0);
	/* nobody died: every URL in exactly one instance's own file */
	assert_int_equal(ta.n + tb.n, LIST_URLS);
	for (size_t i = 0; i < LIST_URLS; i++)
		assert_true(has_url(&ta, urls[i]) != has_url(&tb, urls[i]));
	itest_table_free(&ta);
	itest_table_free(&tb);
	itest_table_free(&tall);
}

/* An instance with no URLs joins a running crawl and takes part of it. */
static void test_join(void **state)
{
	const char *list = write_list("join.txt", 20);
	const char *a_out = itest_path("join-a.csv"), *b_out = itest_path("join-b.csv");
	const char *all = itest_path("join-all.csv");
	const char *a[] = { "crawl", "-q", "-m", "thread", "-w", "2", "--frontier", frontier,
			    "--crawl", "join", "-o", a_out, list, NULL };
	const char *b[] = { "crawl", "-q", "-m", "event", "-w", "4", "--frontier", frontier,
			    "--crawl", "join", "-o", b_out, NULL };
	struct itest_table tb, tall;
	pid_t pa, pb;

	(void)state;
	pa = spawn_instance(a, "join-a.err");
	if (itest_wait_lines(a_out, 10, pa, 60) < 0)
		fail_msg("the first instance wrote no rows");
	pb = spawn_instance(b, "join-b.err");
	expect_exit(pb, 0, "join-b.err");
	expect_exit(pa, 0, "join-a.err");
	assert_int_equal(itest_csv_load(b_out, &tb), 0);
	assert_true(tb.n > 0);
	export_csv("join", all);
	assert_int_equal(itest_csv_load(all, &tall), 0);
	expect_every_url(&tall);
	itest_table_free(&tb);
	itest_table_free(&tall);
}

/* The line an instance says when it joins a crawl no URL entered yet. */
static const char waiting_line[] = "has no URLs yet: waiting for an instance to add some";

/* Whether the file err_name came to hold text within timeout_s. */
static bool wait_for_text(const char *err_name, const char *text, double timeout_s)
{
	double deadline = itest_now() + timeout_s;

	for (;;) {
		char *said = itest_slurp(itest_path(err_name), NULL);
		bool found = said && strstr(said, text);

		free(said);
		if (found)
			return true;
		if (itest_now() > deadline)
			return false;
		usleep(20000);
	}
}

/* The times text occurs in the file err_name. */
static size_t count_text(const char *err_name, const char *text)
{
	char *said = itest_slurp(itest_path(err_name), NULL);
	size_t n = 0;

	for (const char *p = said; p && (p = strstr(p, text)); p += strlen(text))
		n++;
	free(said);
	return n;
}

/*
 * Instances started at once, the joiner first: it waits for the URLs the
 * other brings, takes part of them, and both end when the crawl does.
 */
static void test_join_before_urls(void **state)
{
	const char *list = write_list("early.txt", 20);
	const char *a_out = itest_path("early-a.csv"), *b_out = itest_path("early-b.csv");
	const char *all = itest_path("early-all.csv");
	const char *a[] = { "crawl", "-q", "-m", "thread", "-w", "2", "--frontier", frontier,
			    "--crawl", "early", "-o", a_out, list, NULL };
	const char *b[] = { "crawl", "-q", "-m", "event", "-w", "4", "--frontier", frontier,
			    "--crawl", "early", "-o", b_out, NULL };
	struct itest_table tb, tall;
	pid_t pa, pb;

	(void)state;
	pb = spawn_instance(b, "early-b.err");
	/* said at once, but a loaded machine may take a while to start it */
	if (!wait_for_text("early-b.err", waiting_line, 20)) {
		itest_kill_all(pb);
		fail_msg("the instance that came first never said it waits for URLs");
	}
	pa = spawn_instance(a, "early-a.err");
	expect_exit(pa, 0, "early-a.err");
	expect_exit(pb, 0, "early-b.err");
	assert_int_equal(count_text("early-b.err", waiting_line), 1);
	assert_int_equal(count_text("early-a.err", waiting_line), 0);
	assert_int_equal(itest_csv_load(b_out, &tb), 0);
	if (tb.n == 0)
		fail_msg("the instance that came first fetched nothing");
	export_csv("early", all);
	assert_int_equal(itest_csv_load(all, &tall), 0);
	expect_every_url(&tall);
	itest_table_free(&tb);
	itest_table_free(&tall);
}

/* Ctrl-C of an instance waiting for URLs: it ends at once, as an interrupted crawl, its file whole. */
static void test_waiting_joiner_interrupted(void **state)
{
	const char *out = itest_path("waiting.csv");
	const char *b[] = { "crawl", "-m", "event", "-w", "4", "--frontier", frontier, "--crawl",
			    "waiting", "-o", out, NULL };
	const char *list = write_urls("waiting-other.txt", 1, slow_page_url, 0);
	const char *other[] = { "crawl", "-q", "--frontier", frontier, "--crawl", "waiting-other",
				"-o", itest_path("waiting-other.csv"), list, NULL };
	struct itest_table t;
	double signalled, took;
	pid_t pb;
	int rc;

	(void)state;
	run_expect(other, 0);
	pb = spawn_instance(b, "waiting.err");
	if (!wait_for_text("waiting.err", waiting_line, 10)) {
		itest_kill_all(pb);
		fail_msg("the instance never said it waits for URLs");
	}
	assert_int_equal(kill(pb, SIGINT), 0);
	signalled = itest_now();
	rc = itest_wait(pb, 30);
	took = itest_now() - signalled;
	if (rc != 130)
		fail_msg("exited %d after Ctrl-C", rc);
	if (took > 2)
		fail_msg("took %.1f s to end after Ctrl-C", took);
	assert_int_equal(count_text("waiting.err", "interrupted after 0 URLs"), 1);
	/* the crawls there are named, not the one it waits in */
	assert_int_equal(count_text("waiting.err", "other crawls there: "), 1);
	assert_int_equal(count_text("waiting.err", "waiting-other"), 1);
	assert_int_equal(count_text("waiting.err", " waiting,"), 0);
	assert_int_equal(count_text("waiting.err", " waiting ("), 0);
	/* the header alone */
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 0);
	itest_table_free(&t);
}

/* `crawlpool status` of crawl, its text in a malloc'd buffer. */
static char *status_text(const char *crawl)
{
	const char *status[] = { "status", "--frontier", frontier, "--crawl", crawl, NULL };
	char *text;

	run_expect(status, 0);
	text = itest_slurp(itest_stdout_path(), NULL);
	assert_non_null(text);
	return text;
}

/*
 * Three instances, one in each mode, on a list of 2,000 late pages; one is
 * killed (kill -9, its workers too) mid-crawl. Its leases run out and the
 * others take them: the site sees more requests than URLs (the dead
 * instance's pages in flight asked for again), and the export holds each URL
 * once.
 */
static void test_killed_instance(void **state)
{
	const char *list = write_urls("kill.txt", MAX_URLS, fault_slow_url, 20);
	const char *a_out = itest_path("kill-a.csv");
	const char *all = itest_path("kill-all.csv");
	const char *a[] = { "crawl", "-q", "-m", "process", "-w", "4", "--lease", "2",
			    "--frontier", frontier, "--crawl", "kill", "-o", a_out, list, NULL };
	const char *b[] = { "crawl", "-q", "-m", "thread", "-w", "4", "--lease", "2",
			    "--frontier", frontier, "--crawl", "kill", "-o", itest_path("kill-b.csv"),
			    list, NULL };
	const char *c[] = { "crawl", "-q", "-m", "event", "-w", "8", "--lease", "2",
			    "--frontier", frontier, "--crawl", "kill", "-o", itest_path("kill-c.csv"),
			    list, NULL };
	struct itest_site_stats st;
	struct itest_table tall;
	char done[64], *text;
	pid_t pa, pb, pc;

	(void)state;
	itest_site_stats(&site, &st);	/* reset */
	pa = spawn_instance(a, "kill-a.err");
	pb = spawn_instance(b, "kill-b.err");
	pc = spawn_instance(c, "kill-c.err");
	if (itest_wait_lines(a_out, 30, pa, 60) < 0)
		fail_msg("the first instance wrote no rows");
	itest_kill_all(pa);
	/* looked at while it runs: a whole file of the rows so far, and the instances */
	export_csv("kill", all);
	assert_int_equal(itest_csv_load(all, &tall), 0);
	assert_true(tall.n <= MAX_URLS);
	itest_table_free(&tall);
	text = status_text("kill");
	assert_non_null(strstr(text, "alive of 3"));
	free(text);
	expect_exit(pb, 0, "kill-b.err");
	expect_exit(pc, 0, "kill-c.err");
	export_csv("kill", all);
	assert_int_equal(itest_csv_load(all, &tall), 0);
	expect_every_url(&tall);
	itest_table_free(&tall);
	/* the pages the dead instance was fetching were asked for again, by the others */
	itest_site_stats(&site, &st);
	if (st.requests <= MAX_URLS)
		fail_msg("%lu requests for %d URLs: none of the dead instance's fetched again",
			 st.requests, MAX_URLS);
	/* its leases ran out and were taken by the others */
	text = status_text("kill");
	snprintf(done, sizeof(done), "done       %d (0 errors)", MAX_URLS);
	assert_non_null(strstr(text, done));
	assert_non_null(strstr(text, "queued     0"));
	assert_null(strstr(text, "expired    0 "));
	free(text);
}

/* The list lines that are no URL, appended to list: each as its row shows it, and its error. */
struct bad_line {
	char shown[LIST_LINE_MAX + 1];
	const char *error;
};

static void append_bad_lines(const char *list, struct bad_line bad[3])
{
	FILE *f = fopen(list, "a");
	char *long_url = malloc(10001);

	assert_non_null(f);
	assert_non_null(long_url);
	fputs("not a url\n", f);
	snprintf(bad[0].shown, sizeof(bad[0].shown), "not a url");
	bad[0].error = "invalid URL";
	/* 10,000 bytes: the row keeps the first LIST_LINE_MAX */
	memset(long_url, 'a', 10000);
	memcpy(long_url, "http://127.0.0.1/", 17);
	long_url[10000] = '\0';
	fprintf(f, "%s\n", long_url);
	long_url[LIST_LINE_MAX] = '\0';
	snprintf(bad[1].shown, sizeof(bad[1].shown), "%s", long_url);
	bad[1].error = "URL too long";
	fwrite("http://a\0b/\n", 1, sizeof("http://a\0b/\n") - 1, f);
	snprintf(bad[2].shown, sizeof(bad[2].shown), "http://a\\0b/");
	bad[2].error = "invalid URL";
	free(long_url);
	fclose(f);
}

/* Each bad line in t once, with its error. */
static void expect_bad_lines(const struct itest_table *t, const struct bad_line bad[3])
{
	for (size_t i = 0; i < 3; i++) {
		const struct itest_row *r = itest_find(t, bad[i].shown);

		if (!r)
			fail_msg("no row for list line %zu ('%.40s')", i, bad[i].shown);
		assert_string_equal(r->f[COL_ERROR], bad[i].error);
	}
}

/*
 * One list with lines that are no URL, given to two instances: each line's
 * row is in the export once, as each URL's is, and counted done and failed.
 */
static void test_bad_lines_exported_once(void **state)
{
	const char *list = write_urls("lines.txt", 40, fault_slow_url, 20);
	const char *a_out = itest_path("lines-a.csv"), *b_out = itest_path("lines-b.csv");
	const char *all = itest_path("lines-all.csv");
	const char *a[] = { "crawl", "-q", "-m", "event", "-w", "4", "--frontier", frontier,
			    "--crawl", "lines", "-o", a_out, list, NULL };
	const char *b[] = { "crawl", "-q", "-m", "thread", "-w", "4", "--frontier", frontier,
			    "--crawl", "lines", "-o", b_out, list, NULL };
	struct bad_line *bad = calloc(3, sizeof(*bad));
	struct itest_table t;
	char *text;
	pid_t pa, pb;

	(void)state;
	assert_non_null(bad);
	append_bad_lines(list, bad);
	pa = spawn_instance(a, "lines-a.err");
	pb = spawn_instance(b, "lines-b.err");
	expect_exit(pa, 0, "lines-a.err");
	expect_exit(pb, 0, "lines-b.err");
	export_csv("lines", all);
	assert_int_equal(itest_csv_load(all, &t), 0);
	if (t.n != n_urls + 3)
		fail_msg("%zu rows exported for %zu URLs and 3 bad lines", t.n, n_urls);
	for (size_t i = 0; i < n_urls; i++) {
		const struct itest_row *r = itest_find(&t, urls[i]);

		assert_non_null(r);
		assert_string_equal(r->f[COL_STATUS], "200");
	}
	expect_bad_lines(&t, bad);
	itest_table_free(&t);
	/* each instance read the lines: its own file has their rows too */
	assert_int_equal(itest_csv_load(a_out, &t), 0);
	expect_bad_lines(&t, bad);
	itest_table_free(&t);
	text = status_text("lines");
	if (!strstr(text, "done       43 (3 errors)"))
		fail_msg("not every row counted: %s", text);
	free(text);
	free(bad);
}

/*
 * Pages slower than the lease, more of them queued in each instance's pool
 * behind workers all busy: no result comes and no job is asked for while a
 * lease would run out, so only the instances' ticks renew them. The server
 * sees each page once, and no lease expires.
 */
static void test_slow_pages_keep_leases(void **state)
{
	/* a process worker holds one page behind its own, a hybrid loop one too */
	const char *list = write_urls("lease.txt", 8, slow_page_url, 3000);
	const char *a_out = itest_path("lease-a.csv"), *b_out = itest_path("lease-b.csv");
	const char *all = itest_path("lease-all.csv");
	const char *a[] = { "crawl", "-q", "-m", "process", "-w", "2", "--lease", "2",
			    "--frontier", frontier, "--crawl", "lease", "-o", a_out, list, NULL };
	const char *b[] = { "crawl", "-q", "-m", "hybrid", "-w", "2", "--lease", "2",
			    "--frontier", frontier, "--crawl", "lease", "-o", b_out, list, NULL };
	struct itest_site_stats st;
	struct itest_table ta, tb, tall;
	char *text;
	pid_t pa, pb;

	(void)state;
	itest_site_stats(&site, &st);	/* reset */
	pa = spawn_instance(a, "lease-a.err");
	pb = spawn_instance(b, "lease-b.err");
	expect_exit(pa, 0, "lease-a.err");
	expect_exit(pb, 0, "lease-b.err");
	itest_site_stats(&site, &st);
	if (st.requests != n_urls)
		fail_msg("%lu requests for %zu pages: a lease ran out mid-fetch", st.requests, n_urls);
	export_csv("lease", all);
	assert_int_equal(itest_csv_load(all, &tall), 0);
	expect_every_url(&tall);
	assert_int_equal(itest_csv_load(a_out, &ta), 0);
	assert_int_equal(itest_csv_load(b_out, &tb), 0);
	assert_int_equal(ta.n + tb.n, n_urls);
	for (size_t i = 0; i < n_urls; i++)
		assert_true(has_url(&ta, urls[i]) != has_url(&tb, urls[i]));
	itest_table_free(&ta);
	itest_table_free(&tb);
	itest_table_free(&tall);
	text = status_text("lease");
	if (!strstr(text, "expired    0 "))
		fail_msg("leases expired: %s", text);
	free(text);
}

/*
 * Two instances (modes a_mode, b_mode, 4 transfers each) on one list of
 * pages (ms each) under a politeness option (opt, value): their requests
 * as the server saw them, each page fetched once and recorded once.
 */
static void run_polite(const char *crawl, const char *a_mode, const char *b_mode,
		       const char *opt, const char *value, unsigned ms,
		       struct itest_site_stats *st)
{
	const char *list = write_urls("polite.txt", 10, slow_page_url, ms);
	const char *all = itest_path("polite-all.csv");
	const char *a[] = { "crawl", "-q", "-m", a_mode, "-w", "4", opt, value, "--frontier",
			    frontier, "--crawl", crawl, "-o", itest_path("polite-a.csv"), list,
			    NULL };
	const char *b[] = { "crawl", "-q", "-m", b_mode, "-w", "4", opt, value, "--frontier",
			    frontier, "--crawl", crawl, "-o", itest_path("polite-b.csv"), list,
			    NULL };
	struct itest_table t;
	pid_t pa, pb;

	itest_site_stats(&site, st);	/* reset */
	pa = spawn_instance(a, "polite-a.err");
	pb = spawn_instance(b, "polite-b.err");
	expect_exit(pa, 0, "polite-a.err");
	expect_exit(pb, 0, "polite-b.err");
	itest_site_stats(&site, st);
	assert_int_equal(st->requests, n_urls);
	export_csv(crawl, all);
	assert_int_equal(itest_csv_load(all, &t), 0);
	expect_every_url(&t);
	itest_table_free(&t);
}

/*
 * --per-host and --delay hold for all instances together, at the server:
 * one request at a time, and starts 300 ms apart. Redis spaces the leases;
 * a request starts a little after its lease, later on a busy machine (a
 * sanitized build, other tests at once), so the gap may fall short of the
 * delay by that lateness: half the delay is allowed for it.
 */
static void test_politeness_across_instances(void **state)
{
	struct itest_site_stats st;

	(void)state;
	run_polite("polite-slots", "event", "process", "--per-host", "1", 100, &st);
	if (st.max_concurrent != 1)
		fail_msg("%u requests at once, --per-host 1", st.max_concurrent);
	run_polite("polite-delay", "thread", "hybrid", "--delay", "0.3", 20, &st);
	if (st.max_concurrent != 1 || st.min_gap_ms < 150)
		fail_msg("%u requests at once, two starts %ld ms apart, --delay 0.3",
			 st.max_concurrent, st.min_gap_ms);
}

struct row {
	char *url;
	long depth;
};

/* The url and depth of every JSON Lines row of path; returns how many. */
static size_t jsonl_load(const char *path, struct row *rows, size_t max)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o = json_tokener_parse(line), *u, *d;

		if (!o)
			fail_msg("not a JSON row: %s", line);
		assert_true(n < max);
		assert_true(json_object_object_get_ex(o, "url", &u));
		assert_true(json_object_object_get_ex(o, "depth", &d));
		rows[n].url = strdup(json_object_get_string(u));
		rows[n].depth = json_object_get_int64(d);
		json_object_put(o);
		n++;
	}
	fclose(f);
	return n;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->url, ((const struct row *)b)->url);
}

/* The /links/ site crawled by one instance, then by two at once: the same URLs at the same depths. */
static void test_follow_shared(void **state)
{
	const char *one = itest_path("follow-one.jsonl"), *two = itest_path("follow-two.jsonl");
	char start[128];
	const char *solo[] = { "crawl", "-q", "-m", "thread", "-w", "4", "-r", "-d", "10",
			       "--frontier", frontier, "--crawl", "follow1", "-f", "jsonl",
			       "-o", itest_path("follow-solo.jsonl"), start, NULL };
	const char *a[] = { "crawl", "-q", "-m", "event", "-w", "4", "-r", "-d", "10",
			    "--frontier", frontier, "--crawl", "follow2", "-f", "jsonl",
			    "-o", itest_path("follow-a.jsonl"), start, NULL };
	const char *b[] = { "crawl", "-q", "-m", "hybrid", "-w", "4", "-r", "-d", "10",
			    "--frontier", frontier, "--crawl", "follow2", "-f", "jsonl",
			    "-o", itest_path("follow-b.jsonl"), start, NULL };
	const char *export1[] = { "export", "--frontier", frontier, "--crawl", "follow1", "-f",
				  "jsonl", "-o", one, NULL };
	const char *export2[] = { "export", "--frontier", frontier, "--crawl", "follow2", "-f",
				  "jsonl", "-o", two, NULL };
	struct row r1[64], r2[64];
	size_t n1, n2;
	pid_t pa, pb;

	(void)state;
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	run_expect(solo, 0);
	pa = spawn_instance(a, "follow-a.err");
	pb = spawn_instance(b, "follow-b.err");
	expect_exit(pa, 0, "follow-a.err");
	expect_exit(pb, 0, "follow-b.err");
	run_expect(export1, 0);
	run_expect(export2, 0);
	n1 = jsonl_load(one, r1, 64);
	n2 = jsonl_load(two, r2, 64);
	/* the 16 pages of the /links/ site the follow tests name (test_crawl_follow.c) */
	assert_int_equal(n1, 16);
	assert_int_equal(n2, n1);
	qsort(r1, n1, sizeof(r1[0]), row_cmp);
	qsort(r2, n2, sizeof(r2[0]), row_cmp);
	for (size_t i = 0; i < n1; i++) {
		assert_string_equal(r1[i].url, r2[i].url);
		assert_int_equal(r1[i].depth, r2[i].depth);
		if (i > 0)
			assert_string_not_equal(r1[i].url, r1[i - 1].url);
	}
	for (size_t i = 0; i < n1; i++) {
		free(r1[i].url);
		free(r2[i].url);
	}
}

/* A chain of redirects taken by two instances in turn is bounded by --max-redirects all the same. */
static void test_redirect_chain_shared(void **state)
{
	char start[128];
	const char *a[] = { "crawl", "-q", "-m", "event", "-r", "--max-redirects", "3",
			    "--frontier", frontier, "--crawl", "chain", "-o",
			    itest_path("chain-a.csv"), start, NULL };
	const char *b[] = { "crawl", "-q", "-m", "thread", "-r", "--max-redirects", "3",
			    "--frontier", frontier, "--crawl", "chain", "-o",
			    itest_path("chain-b.csv"), NULL };
	const char *all = itest_path("chain.csv");
	char *text;
	pid_t pa, pb;

	(void)state;
	snprintf(start, sizeof(start), "%s/fault/redirect/100000", site.base);
	pb = spawn_instance(b, "chain-b.err");
	pa = spawn_instance(a, "chain-a.err");
	expect_exit(pa, 0, "chain-a.err");
	expect_exit(pb, 0, "chain-b.err");
	export_csv("chain", all);
	text = itest_slurp(all, NULL);
	assert_non_null(text);
	assert_null(strstr(text, "/fault/redirect/99996"));
	assert_non_null(strstr(text, "/fault/redirect/99997,"));
	assert_non_null(strstr(text, "too many redirects (over 3)"));
	free(text);
}

/*
 * A followed crawl whose list begins with a line that is no URL: that row,
 * the first recorded, has no depth, yet the export has the crawl's columns.
 */
static void test_follow_bad_first_line(void **state)
{
	const char *list = itest_path("follow-bad.txt"), *all = itest_path("follow-bad-all.csv");
	const char *args[] = { "crawl", "-q", "-m", "event", "-w", "4", "-r", "-d", "10",
			       "--frontier", frontier, "--crawl", "followbad", "-o",
			       itest_path("follow-bad.csv"), list, NULL };
	const char *export[] = { "export", "--frontier", frontier, "--crawl", "followbad", "-o",
				 all, NULL };
	static const char header[] = "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,"
				     "redirects,title,links,worker,error,depth,referrer\r\n";
	char text[256];
	char *data;

	(void)state;
	snprintf(text, sizeof(text), "not a url\n%s/links/index.html\n", site.base);
	itest_write_file(list, text);
	run_expect(args, 0);
	run_expect(export, 0);
	data = itest_slurp(all, NULL);
	assert_non_null(data);
	if (strncmp(data, header, strlen(header)) != 0)
		fail_msg("the export lacks the depth and referrer columns: %.120s", data);
	assert_non_null(strstr(data, "\r\nnot a url,"));
	free(data);
}

/* A joiner waiting for URLs ends once the instance that was to bring them had none. */
static void test_joiner_ends_on_empty_list(void **state)
{
	const char *list = itest_path("nothing.txt");
	const char *a[] = { "crawl", "-q", "-m", "thread", "-w", "2", "--frontier", frontier,
			    "--crawl", "nothing", "-o", itest_path("nothing-a.csv"), list, NULL };
	const char *b[] = { "crawl", "-q", "-m", "event", "-w", "2", "--frontier", frontier,
			    "--crawl", "nothing", "-o", itest_path("nothing-b.csv"), NULL };
	pid_t pb;

	(void)state;
	itest_write_file(list, "# no URL yet\n");
	pb = spawn_instance(b, "nothing-b.err");
	if (!wait_for_text("nothing-b.err", waiting_line, 20)) {
		itest_kill_all(pb);
		fail_msg("the joiner never said it waits for URLs");
	}
	run_expect(a, 0);
	if (itest_wait(pb, 20) != 0) {
		itest_kill_all(pb);
		fail_msg("the joiner went on waiting for a crawl that had no URLs");
	}
}

/*
 * status and export of a crawl that does not exist: said plainly, with the
 * crawls that do (a name left out or mistyped), an empty file with its header.
 */
static void test_empty_crawl(void **state)
{
	const char *out = itest_path("empty.csv");
	const char *list = write_urls("empty-other.txt", 2, slow_page_url, 0);
	const char *other[] = { "crawl", "-q", "--frontier", frontier, "--crawl", "empty[x]:other",
				"-o", itest_path("empty-other.csv"), list, NULL };
	const char *status[] = { "status", "--frontier", frontier, "--crawl", "empty", NULL };
	const char *export[] = { "export", "--frontier", frontier, "--crawl", "empty", "-o", out,
				 NULL };
	char *text;

	(void)state;
	run_expect(other, 0);
	run_expect(status, 0);
	text = itest_slurp(itest_stdout_path(), NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "crawl 'empty' in "));
	assert_non_null(strstr(text, ": none"));
	assert_non_null(strstr(text, "crawls there: "));
	assert_non_null(strstr(text, "empty[x]:other"));
	free(text);
	run_expect(export, 0);
	assert_non_null(strstr(itest_stderr(), "no crawl 'empty' in "));
	assert_non_null(strstr(itest_stderr(), "empty[x]:other"));
	text = itest_slurp(out, NULL);
	assert_non_null(text);
	assert_string_equal(text, "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,"
			    "redirects,title,links,worker,error\r\n");
	free(text);
}

/* Keys in the test's Redis whose names begin with prefix (no glob characters in it). */
static size_t keys_under(const char *prefix)
{
	redisContext *c = redisConnectUnix(redis_server_socket(redis));
	redisReply *r;
	size_t n;

	assert_true(c && !c->err);
	r = redisCommand(c, "KEYS %s*", prefix);
	assert_true(r && r->type == REDIS_REPLY_ARRAY);
	n = r->elements;
	freeReplyObject(r);
	redisFree(c);
	return n;
}

/* The rows `crawlpool export` gives for crawl (lines of the CSV file after its header). */
static size_t export_rows(const char *crawl)
{
	const char *path = itest_path("drop-export.csv");
	size_t n = 0;
	char *text;

	export_csv(crawl, path);
	text = itest_slurp(path, NULL);
	assert_non_null(text);
	for (const char *p = text; (p = strstr(p, "\r\n")); p += 2)
		n++;
	free(text);
	return n - 1;
}

/*
 * drop removes every key of a crawl, and none of crawls whose names begin
 * with its own and a colon (their keys begin with its prefix too); refused
 * while an instance works on the crawl, unless --force, which ends it.
 */
static void test_drop(void **state)
{
	char start[128];
	const char *names[] = { "drop", "drop:q", "drop:host" };
	const char *drop[] = { "drop", "--frontier", frontier, "--crawl", "drop", NULL };
	const char *no_name[] = { "drop", "--frontier", frontier, NULL };
	const char *list = write_list("drop-busy.txt", 3000);
	const char *busy[] = { "crawl", "-q", "-m", "thread", "-w", "2", "--frontier", frontier,
			       "--crawl", "dropbusy", "-o", itest_path("drop-busy.csv"), list, NULL };
	const char *drop_busy[] = { "drop", "--frontier", frontier, "--crawl", "dropbusy", NULL };
	const char *force[] = { "drop", "--frontier", frontier, "--crawl", "dropbusy", "--force",
				NULL };
	size_t kept_q, kept_host;
	char *text;
	pid_t pid;

	(void)state;
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	for (size_t i = 0; i < 3; i++) {
		const char *crawl[] = { "crawl", "-q", "-m", "event", "-r", "--frontier", frontier,
					"--crawl", names[i], "-o", itest_path("drop.csv"), start,
					NULL };

		run_expect(crawl, 0);
	}
	kept_q = export_rows("drop:q");
	kept_host = export_rows("drop:host");
	assert_int_equal(kept_q, 16);
	assert_true(keys_under("drop:") > keys_under("drop:q:") + keys_under("drop:host:"));

	run_expect(drop, 0);
	text = itest_slurp(itest_stdout_path(), NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "crawl 'drop' in "));
	assert_non_null(strstr(text, " dropped: "));
	free(text);
	/* nothing of it left; the others whole */
	assert_int_equal(keys_under("drop:"), keys_under("drop:q:") + keys_under("drop:host:"));
	assert_int_equal(export_rows("drop:q"), kept_q);
	assert_int_equal(export_rows("drop:host"), kept_host);
	run_expect(drop, 0);
	text = itest_slurp(itest_stdout_path(), NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "none, nothing dropped"));
	free(text);
	run_expect(no_name, 2);
	assert_non_null(strstr(itest_stderr(), "--crawl NAME is needed"));

	pid = spawn_instance(busy, "drop-busy.err");
	if (itest_wait_lines(itest_path("drop-busy.csv"), 2, pid, 60) < 0)
		fail_msg("the busy instance wrote no rows");
	run_expect(drop_busy, 1);
	assert_non_null(strstr(itest_stderr(), "1 instance at work"));
	run_expect(force, 0);
	expect_exit(pid, 1, "drop-busy.err");
	assert_int_equal(keys_under("dropbusy:"), 0);
}

/* Refused before anything is touched: exit 2, no output made. */
static void test_usage_errors(void **state)
{
	const char *out = itest_path("usage.csv");
	char start[128];
	const char *bad_url[] = { "crawl", "-q", "--frontier", "redis://127.0.0.1:notaport", "-o",
				  out, start, NULL };
	const char *with_state[] = { "crawl", "-q", "-r", "--frontier", frontier, "--state",
				     itest_path("usage.state"), "-o", out, start, NULL };
	const char *first[] = { "crawl", "-q", "-r", "-d", "2", "--frontier", frontier, "--crawl",
				"usage", "-o", itest_path("usage-first.csv"), start, NULL };
	const char *deeper[] = { "crawl", "-q", "-r", "-d", "3", "--frontier", frontier, "--crawl",
				 "usage", "-o", out, start, NULL };
	const char *lease[] = { "crawl", "-q", "--lease", "5", "-o", out, start, NULL };
	const char *export_bad[] = { "export", "--frontier", "http://127.0.0.1/", NULL };
	const char *export_down[] = { "export", "--frontier", "redis+unix:///nonexistent/redis.sock",
				      "-o", out, NULL };

	(void)state;
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	run_expect(bad_url, 2);
	assert_non_null(strstr(itest_stderr(), "--frontier"));
	run_expect(with_state, 2);
	assert_non_null(strstr(itest_stderr(), "--state with --frontier"));
	run_expect(lease, 2);
	run_expect(first, 0);
	run_expect(deeper, 2);
	assert_non_null(strstr(itest_stderr(), "its depth is '2', this instance's '3'"));
	run_expect(export_bad, 2);
	run_expect(export_down, 1);
	assert_non_null(strstr(itest_stderr(), "unreachable"));
	assert_int_equal(access(out, F_OK), -1);
}

/* A Redis that wants a password it was not given: a usage error, for the crawl and the commands. */
static void test_password_refused(void **state)
{
	const struct redis_server_options locked = { .password = "sesame" };
	struct redis_server *server = redis_server_start(&locked);
	const char *out = itest_path("locked.csv");
	char start[128];

	(void)state;
	assert_non_null(server);
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	{
		const char *crawl[] = { "crawl", "-q", "--frontier", redis_server_url(server), "-o",
					out, start, NULL };
		const char *status[] = { "status", "--frontier", redis_server_url(server), NULL };

		run_expect(crawl, 2);
		assert_non_null(strstr(itest_stderr(), "NOAUTH"));
		run_expect(status, 2);
	}
	assert_int_equal(access(out, F_OK), -1);
	redis_server_free(server);
}

/*
 * Redis restarted mid-crawl (its append-only file kept): the instance waits,
 * goes on, loses nothing. A lease whose reply the restart cut off is this
 * instance's in Redis but not in hand: it comes back when it runs out, so
 * the lease is short.
 */
static void test_redis_restart(void **state)
{
	const struct redis_server_options aof = { .appendonly = true };
	struct redis_server *server = redis_server_start(&aof);
	const char *list = write_list("restart.txt", 20);
	const char *out = itest_path("restart.csv"), *all = itest_path("restart-all.csv");
	const char *url;
	struct itest_table t;
	char *text;
	pid_t pid;

	(void)state;
	assert_non_null(server);
	url = redis_server_url(server);
	{
		const char *a[] = { "crawl", "-m", "event", "-w", "4", "--lease", "2", "--frontier",
				    url, "--crawl", "restart", "-o", out, list, NULL };
		const char *export[] = { "export", "--frontier", url, "--crawl", "restart", "-o",
					 all, NULL };

		pid = spawn_instance(a, "restart.err");
		if (itest_wait_lines(out, 20, pid, 60) < 0)
			fail_msg("the instance wrote no rows");
		assert_int_equal(redis_server_restart(server), 0);
		expect_exit(pid, 0, "restart.err");
		run_expect(export, 0);
	}
	assert_int_equal(itest_csv_load(all, &t), 0);
	expect_every_url(&t);
	itest_table_free(&t);
	/* the instance's own file has every row it fetched, whole, each once */
	assert_int_equal(itest_csv_load(out, &t), 0);
	itest_table_free(&t);
	text = itest_slurp(itest_path("restart.err"), NULL);
	assert_non_null(text);
	if (strstr(text, "unreachable"))
		assert_non_null(strstr(text, "redis answers again"));
	free(text);
	redis_server_free(server);
}

/*
 * Ctrl-C while the instance waits for a server that never answers to let it
 * join: it ends when that wait does (exit 130), not after the patience it
 * gives a Redis that is away.
 */
static void test_interrupted_joining_silent_redis(void **state)
{
	const char *out = itest_path("silent.csv");
	char url[64], start[128];
	int fd = redis_silent_listener(url, sizeof(url));
	const char *a[] = { "crawl", "-q", "--frontier", url, "-o", out, start, NULL };
	double signalled, took;
	pid_t pid;
	int rc;

	(void)state;
	assert_true(fd >= 0);
	snprintf(start, sizeof(start), "%s/page/1.html", site.base);
	pid = spawn_instance(a, "silent.err");
	/* inside its first call, which waits 5 s for an answer: its connection is in the backlog */
	if (poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 30000) != 1)
		fail_msg("the instance never connected");
	usleep(200 * 1000);
	assert_int_equal(kill(pid, SIGINT), 0);
	signalled = itest_now();
	rc = itest_wait(pid, 90);
	took = itest_now() - signalled;
	close(fd);
	if (rc != 130)
		fail_msg("exited %d %.1f s after Ctrl-C", rc, took);
	if (took > 10)
		fail_msg("took %.1f s to end after Ctrl-C", took);
	assert_int_equal(count_text("silent.err", "interrupted while waiting for redis"), 1);
}

/* What the feed gives Redis before it gives up (FEED_REDIS_PATIENCE_MS, feed_shared.c), in seconds. */
enum { REDIS_PATIENCE_S = 60 };

/*
 * Redis stopped for good mid-crawl: the instance retries for the patience
 * it promises, then exits 1, its own output whole (one header, whole rows)
 * and holding a row for every page the server saw it fetch.
 */
static void test_redis_gone_for_good(void **state)
{
	struct redis_server *server = redis_server_start(NULL);
	const char *list = write_urls("gone.txt", 60, fault_slow_url, 250);
	const char *out = itest_path("gone.csv");
	struct itest_site_stats st;
	struct itest_table t;
	double stopped, waited;
	char *text;
	pid_t pid;
	int rc;

	(void)state;
	assert_non_null(server);
	{
		const char *a[] = { "crawl", "-m", "thread", "-w", "2", "--frontier",
				    redis_server_url(server), "--crawl", "gone", "-o", out, list, NULL };

		itest_site_stats(&site, &st);	/* reset */
		pid = spawn_instance(a, "gone.err");
	}
	if (itest_wait_lines(out, 5, pid, 60) < 0)
		fail_msg("the instance wrote no rows");
	assert_int_equal(redis_server_stop(server), 0);
	stopped = itest_now();
	rc = itest_wait(pid, REDIS_PATIENCE_S + 30);
	waited = itest_now() - stopped;
	text = itest_slurp(itest_path("gone.err"), NULL);
	assert_non_null(text);
	if (rc != 1)
		fail_msg("exited %d after %.1f s: %s", rc, waited, text);
	/* it waited the whole patience, counted from its first call that failed */
	if (waited < REDIS_PATIENCE_S - 1)
		fail_msg("gave up after %.1f s: %s", waited, text);
	assert_non_null(strstr(text, "unreachable"));
	assert_non_null(strstr(text, "retrying for up to 60 s"));
	assert_non_null(strstr(text, "gave up after 60 s"));
	/* the summary says the crawl stopped short, not that it was crawled */
	if (!strstr(text, "crawlpool: stopped after ") || strstr(text, "crawlpool: crawled "))
		fail_msg("the summary tells a finished crawl: %s", text);
	free(text);

	itest_site_stats(&site, &st);
	assert_int_equal(itest_csv_load(out, &t), 0);
	/* every page fetched has its row, each once, finished: none cut short */
	if (t.n != st.requests)
		fail_msg("%zu rows for %lu pages fetched", t.n, st.requests);
	assert_true(t.n >= 4 && t.n < n_urls);
	for (size_t i = 0; i < t.n; i++) {
		const char *url = t.rows[i].f[COL_URL];
		bool listed = false;

		for (size_t k = 0; k < n_urls && !listed; k++)
			listed = strcmp(url, urls[k]) == 0;
		if (!listed)
			fail_msg("row %zu is not of a listed URL: '%s'", i, url);
		assert_non_null(itest_find(&t, url));
		assert_string_equal(t.rows[i].f[COL_STATUS], "200");
		assert_string_equal(t.rows[i].f[COL_ERROR], "");
	}
	itest_table_free(&t);
	redis_server_free(server);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_instances),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_join_before_urls),
		cmocka_unit_test(test_waiting_joiner_interrupted),
		cmocka_unit_test(test_bad_lines_exported_once),
		cmocka_unit_test(test_killed_instance),
		cmocka_unit_test(test_slow_pages_keep_leases),
		cmocka_unit_test(test_politeness_across_instances),
		cmocka_unit_test(test_follow_shared),
		cmocka_unit_test(test_follow_bad_first_line),
		cmocka_unit_test(test_redirect_chain_shared),
		cmocka_unit_test(test_joiner_ends_on_empty_list),
		cmocka_unit_test(test_empty_crawl),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_password_refused),
		cmocka_unit_test(test_interrupted_joining_silent_redis),
		cmocka_unit_test(test_redis_restart),
		cmocka_unit_test(test_redis_gone_for_good),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
