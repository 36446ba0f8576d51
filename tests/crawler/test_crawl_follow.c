/* test_crawl_follow.c -- crawls that follow links: the exact URLs for depth, scope, nofollow and robots.txt, traps, politeness at the server */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "itest.h"

static struct itest_site site;
static char other[64];		/* http://127.0.0.2:PORT */
static const char *const modes[] = { "thread", "process", "event", "hybrid" };

static int setup(void **state)
{
	char robots[512];
	const char *extra[] = { "--host", "127.0.0.2", "--robots", robots, NULL };

	(void)state;
	snprintf(robots, sizeof(robots), "%s/tests/demo/links-robots.txt", SOURCE_DIR);
	if (itest_site_start_with(&site, 50, 30, extra) < 0)
		return -1;
	snprintf(other, sizeof(other), "http://127.0.0.2:%u", site.port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	itest_site_stop(&site);
	itest_cleanup();
	return 0;
}

struct row {
	char *url, *error, *referrer;
	long depth;
};

struct rows {
	struct row r[256];
	size_t n;
};

static char *json_text(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return strdup("");
	return strdup(json_object_get_string(v));
}

/* Reads a JSON Lines output: every line a whole row with depth and referrer. */
static void rows_load(const char *path, struct rows *rows)
{
	FILE *f = fopen(path, "r");
	char line[16384];

	assert_non_null(f);
	rows->n = 0;
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o = json_tokener_parse(line), *d;
		struct row *r = &rows->r[rows->n];

		if (!o)
			fail_msg("not a JSON row: %s", line);
		assert_true(rows->n < 256);
		assert_true(json_object_object_get_ex(o, "depth", &d));
		r->url = json_text(o, "url");
		r->error = json_text(o, "error");
		r->referrer = json_text(o, "referrer");
		r->depth = json_object_is_type(d, json_type_null) ? -1 : json_object_get_int64(d);
		json_object_put(o);
		rows->n++;
	}
	fclose(f);
}

static void rows_free(struct rows *rows)
{
	for (size_t i = 0; i < rows->n; i++) {
		free(rows->r[i].url);
		free(rows->r[i].error);
		free(rows->r[i].referrer);
	}
	rows->n = 0;
}

static const struct row *rows_find(const struct rows *rows, const char *url)
{
	const struct row *found = NULL;

	for (size_t i = 0; i < rows->n; i++) {
		if (strcmp(rows->r[i].url, url) != 0)
			continue;
		if (found)
			fail_msg("%s has two rows", url);
		found = &rows->r[i];
	}
	return found;
}

/* The rows are exactly these paths of base, each once, at these depths. */
static void expect_paths(const struct rows *rows, const char *base, const char *const *paths,
			 const long *depths, size_t n)
{
	char url[160];

	for (size_t i = 0; i < n; i++) {
		const struct row *r;

		snprintf(url, sizeof(url), "%s%s", base, paths[i]);
		r = rows_find(rows, url);
		if (!r)
			fail_msg("no row for %s", url);
		if (r->depth != depths[i])
			fail_msg("%s: depth %ld, expected %ld", url, r->depth, depths[i]);
	}
	if (rows->n != n) {
		for (size_t i = 0; i < rows->n; i++)
			fprintf(stderr, "row: %s (%s)\n", rows->r[i].url, rows->r[i].error);
		fail_msg("%zu rows, expected %zu", rows->n, n);
	}
}

static void run_follow(const char *const *args)
{
	int rc = itest_run(args, NULL, NULL);

	if (rc != 0)
		fail_msg("crawl exited %d: %s", rc, itest_stderr());
}

static const char *const all_paths[] = {
	"/links/index.html",
	"/links/a.html", "/links/b.html", "/links/A.html", "/links/area.html", "/links/d0.html",
	"/links/sub/c.html", "/links/base.html", "/links/meta-nofollow.html", "/links/moved.html",
	"/links/private/secret.html", "/links/d1.html",
	"/links/sub/e.html", "/links/d2.html",
	"/links/d3.html",
	"/links/d4.html",
};
static const long all_depths[] = { 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 4, 5 };

/* --fields location: where a redirect out of scope points, beside why it was not followed. */
static void test_location_out_of_scope(void **state)
{
	const char *out = itest_path("location.csv");
	char start[128], want[320], *text;
	const char *args[] = { "crawl", "-q", "--follow", "-d", "10", "--fields",
			       "url,location,error", "-o", out, start, NULL };
	/* moved.html sends the crawl to the same port on another loopback address */
	const char *port = strrchr(site.base, ':');

	(void)state;
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	run_follow(args);
	text = itest_slurp(out, NULL);
	snprintf(want, sizeof(want), "\r\n%s/links/moved.html,http://127.0.0.2%s/links/landed.html,"
		 "redirect out of scope\r\n", site.base, port);
	if (!strstr(text, want))
		fail_msg("no row '%s' in:\n%s", want + 2, text);
	free(text);
	/* found on a page, it is a row; only a start URL that goes elsewhere is worth a word */
	assert_null(strstr(itest_stderr(), "redirects out of scope"));
	snprintf(start, sizeof(start), "%s/links/moved.html", site.base);
	run_follow(args);
	snprintf(want, sizeof(want), "crawlpool: start URL '%s' redirects out of scope, to "
		 "'http://127.0.0.2%s/links/landed.html': start from that URL (or widen --scope)",
		 start, port);
	if (!strstr(itest_stderr(), want))
		fail_msg("no '%s' in: %s", want, itest_stderr());
	/* in scope but filtered: no wider --scope would take it */
	{
		const char *filtered[] = { "crawl", "-q", "--follow", "--scope", "any", "--exclude",
					   "landed", "-o", out, start, NULL };

		run_follow(filtered);
		snprintf(want, sizeof(want), "crawlpool: start URL '%s' redirects to "
			 "'http://127.0.0.2%s/links/landed.html', which --include and --exclude "
			 "leave out: start from that URL\n", start, port);
		if (!strstr(itest_stderr(), want))
			fail_msg("no '%s' in: %s", want, itest_stderr());
	}
}

/* Every mode: the whole /links/ site, each URL once, robots.txt obeyed. */
static void test_links_every_mode(void **state)
{
	const char *out = itest_path("links.jsonl");
	char start[128];
	struct rows rows;

	(void)state;
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *args[] = { "crawl", "-q", "-m", modes[m], "-w", "4", "--follow", "-d", "10",
				       "-f", "jsonl", "-o", out, start, NULL };
		const struct row *r;
		char url[160];

		run_follow(args);
		rows_load(out, &rows);
		expect_paths(&rows, site.base, all_paths, all_depths,
			     sizeof(all_paths) / sizeof(all_paths[0]));
		snprintf(url, sizeof(url), "%s/links/private/secret.html", site.base);
		r = rows_find(&rows, url);
		assert_string_equal(r->error, "blocked by robots.txt");
		/* a redirect to another host is not followed: the row says why */
		snprintf(url, sizeof(url), "%s/links/moved.html", site.base);
		r = rows_find(&rows, url);
		assert_string_equal(r->error, "redirect out of scope");
		r = rows_find(&rows, start);
		assert_string_equal(r->referrer, "");
		assert_string_equal(r->error, "");
		/* found only through base.html's <base href="/links/sub/"> */
		snprintf(url, sizeof(url), "%s/links/sub/e.html", site.base);
		r = rows_find(&rows, url);
		snprintf(url, sizeof(url), "%s/links/base.html", site.base);
		assert_string_equal(r->referrer, url);
		rows_free(&rows);
	}
}

/* A crawl from site.base + start, depth as given: exactly the n paths, at their depths. */
static void expect_crawl_from(const char *start_path, const char *depth,
			      const char *const *paths, const long *depths, size_t n)
{
	const char *out = itest_path("from.jsonl");
	char start[128];
	const char *args[] = { "crawl", "-q", "-r", "-d", depth, "-f", "jsonl", "-o", out, start,
			       NULL };
	struct rows rows;

	snprintf(start, sizeof(start), "%s%s", site.base, start_path);
	run_follow(args);
	rows_load(out, &rows);
	expect_paths(&rows, site.base, paths, depths, n);
	for (size_t i = 0; i < rows.n; i++)
		assert_string_equal(rows.r[i].error, "");
	rows_free(&rows);
}

/*
 * A <base href> longer than 8 KiB: its relative link would be longer still
 * and is no URL, not one made against the base cut short; its absolute link
 * is followed.
 */
static void test_long_base(void **state)
{
	static const char *const paths[] = { "/fault/long-base", "/page/1.html" };
	static const long depths[] = { 0, 1 };

	(void)state;
	expect_crawl_from("/fault/long-base", "1", paths, depths, 2);
}

/*
 * An error page's links are not followed: /fault/missing/'s 404 links to
 * more/, another 404 one level down, a trap only --depth would end.
 */
static void test_error_page_links(void **state)
{
	static const char *const paths[] = { "/fault/missing/x" };
	static const long depths[] = { 0 };

	(void)state;
	expect_crawl_from("/fault/missing/x", "4", paths, depths, 1);
}

static void test_depth_limits(void **state)
{
	const char *out = itest_path("depth.jsonl");
	char start[128];
	struct rows rows;
	const char *one[] = { "crawl", "-q", "-r", "-d", "1", "-f", "jsonl", "-o", out, start, NULL };
	const char *two[] = { "crawl", "-q", "-r", "-d", "2", "-f", "jsonl", "-o", out, start, NULL };
	const char *zero[] = { "crawl", "-q", "-r", "-d", "0", "-f", "jsonl", "-o", out, start, NULL };

	(void)state;
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	run_follow(zero);
	rows_load(out, &rows);
	expect_paths(&rows, site.base, all_paths, all_depths, 1);
	rows_free(&rows);
	run_follow(one);
	rows_load(out, &rows);
	expect_paths(&rows, site.base, all_paths, all_depths, 6);
	rows_free(&rows);
	run_follow(two);
	rows_load(out, &rows);
	expect_paths(&rows, site.base, all_paths, all_depths, 12);
	rows_free(&rows);
}

/* --ignore-nofollow adds the pages only nofollow links lead to; --scope any the other host. */
static void test_nofollow_and_scope(void **state)
{
	const char *out = itest_path("scope.jsonl");
	char start[128], url[160];
	struct rows rows;
	const char *ignore[] = { "crawl", "-q", "-r", "-d", "10", "--ignore-nofollow", "-f", "jsonl",
				 "-o", out, start, NULL };
	const char *any[] = { "crawl", "-q", "-r", "-d", "10", "--scope", "any", "-f", "jsonl",
			      "-o", out, start, NULL };

	(void)state;
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	run_follow(ignore);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 18);
	snprintf(url, sizeof(url), "%s/links/nofollow.html", site.base);
	assert_non_null(rows_find(&rows, url));
	snprintf(url, sizeof(url), "%s/links/hidden.html", site.base);
	assert_non_null(rows_find(&rows, url));
	rows_free(&rows);

	run_follow(any);
	rows_load(out, &rows);
	snprintf(url, sizeof(url), "%s/links/elsewhere.html", other);
	assert_non_null(rows_find(&rows, url));
	/* in scope, a redirect's target is a URL of its own, found on the redirecting page */
	snprintf(url, sizeof(url), "%s/links/moved.html", site.base);
	assert_string_equal(rows_find(&rows, url)->error, "");
	snprintf(url, sizeof(url), "%s/links/landed.html", other);
	assert_non_null(rows_find(&rows, url));
	snprintf(url, sizeof(url), "%s/links/moved.html", site.base);
	snprintf(start, sizeof(start), "%s/links/landed.html", other);
	assert_string_equal(rows_find(&rows, start)->referrer, url);
	rows_free(&rows);
}

/*
 * A chain of redirects, each step a URL of its own, is bounded by
 * --max-redirects as one transfer's is (a chain of distinct URLs never
 * ends by itself), in every mode.
 */
static void test_redirect_chain_bounded(void **state)
{
	const char *out = itest_path("chain.jsonl");
	char start[128], url[160], mode[16];
	const char *args[] = { "crawl", "-q", "-m", mode, "-r", "--max-redirects", "3", "-f",
			       "jsonl", "-o", out, start, NULL };
	const char *none[] = { "crawl", "-q", "-r", "--max-redirects", "0", "-f", "jsonl", "-o",
			       out, start, NULL };
	struct rows rows;

	(void)state;
	snprintf(start, sizeof(start), "%s/fault/redirect/100000", site.base);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		snprintf(mode, sizeof(mode), "%s", modes[m]);
		run_follow(args);
		rows_load(out, &rows);
		/* the start URL and three redirects' targets; the third's own redirect is refused */
		assert_int_equal(rows.n, 4);
		for (unsigned i = 0; i < 4; i++) {
			const struct row *r;

			snprintf(url, sizeof(url), "%s/fault/redirect/%u", site.base, 100000 - i);
			r = rows_find(&rows, url);
			assert_non_null(r);
			assert_int_equal(r->depth, 0);
			assert_string_equal(r->error, i < 3 ? "" : "too many redirects (over 3)");
		}
		rows_free(&rows);
	}
	/* 0: the row is the redirect itself, as for a list */
	run_follow(none);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.r[0].error, "");
	rows_free(&rows);
}

/* A free loopback port nothing listens on (bound, then let go). */
static unsigned closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/*
 * A host denied whole for its robots.txt answer says which answer in its
 * rows (5xx, or unreachable and why); a robots.txt behind a redirect loop is
 * unavailable (everything allowed, RFC 9309 2.3.1.2); its redirects are
 * followed whatever --max-redirects says.
 */
static void test_robots_answers(void **state)
{
	const char *out = itest_path("robots-answers.jsonl");
	char start[128], robots[512];
	const char *args[] = { "crawl", "-q", "-r", "-d", "1", "--max-redirects", "0", "-f", "jsonl",
			       "-o", out, start, NULL };
	const char *status503[] = { "--robots-status", "503", NULL };
	const char *moved[] = { "--robots-status", "301", "--robots", robots, NULL };
	struct itest_site s2;
	struct rows rows;

	(void)state;
	assert_int_equal(itest_site_start_with(&s2, 5, 30, status503), 0);
	snprintf(start, sizeof(start), "%s/page/0.html", s2.base);
	run_follow(args);
	itest_site_stop(&s2);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.r[0].error, "blocked by robots.txt: it answered 503");
	rows_free(&rows);

	snprintf(start, sizeof(start), "http://127.0.0.1:%u/", closed_port());
	run_follow(args);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.r[0].error,
			    "blocked by robots.txt: unreachable (connection refused)");
	rows_free(&rows);

	/* moved, with --max-redirects 0: its rules still hold */
	snprintf(robots, sizeof(robots), "%s/tests/demo/links-robots.txt", SOURCE_DIR);
	assert_int_equal(itest_site_start_with(&s2, 5, 30, moved), 0);
	snprintf(start, sizeof(start), "%s/links/private/secret.html", s2.base);
	run_follow(args);
	itest_site_stop(&s2);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.r[0].error, "blocked by robots.txt");
	rows_free(&rows);
}

/* --resolve points a name at loopback, as curl's does: the crawl stays on that name. */
static void test_resolve(void **state)
{
	const char *out = itest_path("resolve.jsonl");
	char start[128], rule[64], url[160];
	const char *args[] = { "crawl", "-q", "-r", "-d", "1", "--resolve", rule, "-f", "jsonl",
			       "-o", out, start, NULL };
	struct rows rows;

	(void)state;
	snprintf(rule, sizeof(rule), "demo.test:%u:127.0.0.1", site.port);
	snprintf(start, sizeof(start), "http://demo.test:%u/links/index.html", site.port);
	run_follow(args);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 6);
	snprintf(url, sizeof(url), "http://demo.test:%u/links/a.html", site.port);
	assert_string_equal(rows_find(&rows, url)->error, "");
	rows_free(&rows);
}

/* An endless calendar: --depth and --max-pages both end it. */
static void test_trap(void **state)
{
	const char *out = itest_path("trap.jsonl");
	char start[128];
	struct rows rows;
	const char *pages[] = { "crawl", "-q", "-r", "-d", "1000", "--max-pages", "25", "-f",
				"jsonl", "-o", out, start, NULL };
	const char *depth[] = { "crawl", "-q", "-r", "-d", "3", "-f", "jsonl", "-o", out, start,
				NULL };

	(void)state;
	snprintf(start, sizeof(start), "%s/calendar/2026-06.html", site.base);
	run_follow(pages);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 25);
	rows_free(&rows);
	run_follow(depth);
	rows_load(out, &rows);
	/* three months either way, and the start */
	assert_int_equal(rows.n, 7);
	rows_free(&rows);
}

/*
 * A redirect whose target comes after --max-pages: its row says so, and a
 * start URL that does is not said to redirect out of scope.
 */
static void test_redirect_past_max_pages(void **state)
{
	const char *out = itest_path("redirect-full.jsonl");
	char start[128];
	const char *args[] = { "crawl", "-q", "-r", "--max-pages", "1", "-f", "jsonl", "-o", out,
			       start, NULL };
	struct rows rows;

	(void)state;
	snprintf(start, sizeof(start), "%s/fault/redirect/2", site.base);
	run_follow(args);
	rows_load(out, &rows);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.r[0].url, start);
	assert_string_equal(rows.r[0].error, "redirect past --max-pages");
	rows_free(&rows);
	assert_null(strstr(itest_stderr(), "out of scope"));
}

static void test_politeness_at_the_server(void **state)
{
	const char *out = itest_path("polite.jsonl");
	char start[128];
	struct itest_site_stats st;

	(void)state;
	snprintf(start, sizeof(start), "%s/slow-page/0.html?ms=150", site.base);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *slots[] = { "crawl", "-q", "-m", modes[m], "-w", "8", "-r", "-d", "100",
					"--no-robots", "--per-host", "2", "--max-pages", "20",
					"-f", "jsonl", "-o", out, start, NULL };
		/*
		 * --delay spaces the starts only: with the default --per-host 2 a
		 * 150 ms page that a loaded machine stretches past 200 ms may
		 * overlap the next, so one at a time is asked for too.
		 */
		const char *delay[] = { "crawl", "-q", "-m", modes[m], "-w", "8", "-r", "-d", "100",
					"--no-robots", "--delay", "0.2", "--per-host", "1",
					"--max-pages", "6", "-f", "jsonl", "-o", out, start, NULL };

		itest_site_stats(&site, &st);	/* reset */
		run_follow(slots);
		itest_site_stats(&site, &st);
		if (st.max_concurrent != 2)
			fail_msg("%s mode: %u requests at once, --per-host 2", modes[m],
				 st.max_concurrent);
		run_follow(delay);
		itest_site_stats(&site, &st);
		assert_int_equal(st.max_concurrent, 1);
		/*
		 * Requests are handed out 200 ms apart; a worker woken late on a
		 * busy machine may start one some milliseconds after its turn.
		 */
		if (st.min_gap_ms < 150)
			fail_msg("%s mode: two starts %ld ms apart, --delay 0.2", modes[m],
				 st.min_gap_ms);
	}
}

/* Waits until the output holds at least n lines (bounded). */
static void wait_rows(const char *path, size_t n)
{
	double deadline = itest_now() + 30;

	while (itest_now() < deadline) {
		FILE *f = fopen(path, "r");
		size_t lines = 0;
		int ch;

		if (f) {
			while ((ch = fgetc(f)) != EOF)
				lines += ch == '\n';
			fclose(f);
		}
		if (lines >= n)
			return;
		usleep(20000);
	}
	fail_msg("%s never held %zu rows", path, n);
}

/*
 * A followed crawl stopped by Ctrl-C, and one that loses a worker process:
 * the output stays whole, each URL at most once, and the crawl that lost a
 * worker still reaches every page.
 */
static void test_interrupt_and_killed_worker(void **state)
{
	const char *out = itest_path("stop.jsonl");
	char start[128];
	const char *slow[] = { "crawl", "-q", "-m", "process", "-w", "4", "-r", "-d", "100",
			       "--no-robots", "-f", "jsonl", "-o", out, start, NULL };
	struct rows rows;
	pid_t pid, kids[16];
	int rc;

	(void)state;
	snprintf(start, sizeof(start), "%s/slow-page/0.html?ms=200", site.base);
	unlink(out);
	pid = itest_spawn(slow, NULL);
	wait_rows(out, 3);
	kill(pid, SIGINT);
	rc = itest_wait(pid, 30);
	assert_int_equal(rc, 130);
	rows_load(out, &rows);
	assert_true(rows.n >= 3 && rows.n < 41);
	for (size_t i = 0; i < rows.n; i++)
		rows_find(&rows, rows.r[i].url);	/* fails on a second row */
	rows_free(&rows);

	unlink(out);
	pid = itest_spawn(slow, NULL);
	wait_rows(out, 2);
	assert_true(itest_children(pid, kids, 16) > 0);
	assert_int_equal(kill(kids[0], SIGKILL), 0);
	rc = itest_wait(pid, 60);
	assert_int_equal(rc, 0);
	rows_load(out, &rows);
	/* slow pages 0 to 40, each once; the killed worker's page is a row with the signal */
	assert_int_equal(rows.n, 41);
	for (size_t i = 0; i < rows.n; i++)
		rows_find(&rows, rows.r[i].url);
	rows_free(&rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links_every_mode),
		cmocka_unit_test(test_location_out_of_scope),
		cmocka_unit_test(test_depth_limits),
		cmocka_unit_test(test_nofollow_and_scope),
		cmocka_unit_test(test_trap),
		cmocka_unit_test(test_redirect_chain_bounded),
		cmocka_unit_test(test_robots_answers),
		cmocka_unit_test(test_long_base),
		cmocka_unit_test(test_error_page_links),
		cmocka_unit_test(test_redirect_past_max_pages),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_politeness_at_the_server),
		cmocka_unit_test(test_interrupt_and_killed_worker),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
