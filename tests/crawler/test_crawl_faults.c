/* test_crawl_faults.c -- crawlpool against every demo-site fault route, in every mode, within the bounds */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"
#include "sitegen.h"

enum { PAGES = 200, TIMEOUT_S = 3 };

static struct itest_site site;

/* What a route must give. NULL: not checked; error "" means success. */
struct expect {
	const char *path;
	const char *status;
	const char *error;	/* exact, or a prefix when it ends in '*' */
	const char *title;
	const char *links;
	const char *bytes;
};

static const struct expect routes[] = {
	{ "/fault/status/404", "404", "", "Status 404", "0", NULL },
	{ "/fault/status/500", "500", "", "Status 500", "0", NULL },
	{ "/fault/status/204", "204", "", NULL, NULL, "0" },
	{ "/fault/redirect/12", "302", "too many redirects*", "", "", NULL },
	{ "/fault/redirect-loop", "302", "redirect loop (1 hop)", "", "", NULL },
	{ "/fault/redirect-loop/3", "302", "redirect loop (3 hops)", "", "", NULL },
	{ "/fault/redirect-file", "302", "protocol not allowed", "", "", NULL },
	{ "/fault/redirect-ftp", "302", "protocol not allowed", "", "", NULL },
	{ "/fault/drip", "200", "timeout", "", "", NULL },
	{ "/fault/stall", "200", "timeout", "", "", NULL },
	{ "/fault/silent", "", "timeout", "", "", "0" },
	{ "/fault/no-reply", "", "empty reply", "", "", "0" },
	{ "/fault/bad-status", "", "bad response", "", "", "0" },
	{ "/fault/cut-head", "200", "truncated headers", "", "", "0" },
	{ "/fault/reset", "200", "connection reset", "", "", "5000" },
	{ "/fault/truncated", "200", "truncated body", "", "", "10" },
	{ "/fault/endless", "200", "too large", "", "", NULL },
	{ "/fault/huge", "200", "too large", "", "", "0" },
	{ "/fault/gzip-bomb", "200", "too large", "", "", NULL },
	{ "/fault/binary", "200", "", NULL, NULL, "1048576" },
	{ "/fault/deep", "200", "", "Deep page", "1", NULL },
	{ "/fault/deep?depth=300", "200", "", "Deep page", "1", NULL },
	{ "/fault/latin1", "200", "", "Caf\xc3\xa9 Z\xc3\xbcrich", "2", NULL },
	{ "/fault/latin1-c1", "200", "", "Caf\xc3\xa9 Z\xc3\xbcrich", "3", NULL },
	{ "/fault/garbage-status", "", "bad response", "", "", "0" },
	{ "/fault/huge-header", "200", "headers too large", "", "", "0" },
	{ "/fault/huge-header?lines=1", "200", "headers too large", "", "", "0" },
	{ "/fault/huge-header?status=1", "", "headers too large", "", "", "0" },
	{ "/fault/bad-chunk", "200", "bad response", "", "", NULL },
	{ "/fault/endless-links", "200", "too large", "", "", NULL },
	{ "/fault/empty", "200", "", "", "0", "0" },
	{ "/fault/not-html", "200", "", "", "", NULL },
	{ "/fault/slow?ms=300", "200", "", "Slow page", "3", NULL },
	{ "/fault/csv-title", "200", "", "Commas, \"quotes\" and more", "1", NULL },
	{ "/fault/formula", "200", "", "'=HYPERLINK(\"http://127.0.0.1/\",\"x\")", "1", NULL },
	{ "/no/such/page", "404", "", NULL, NULL, NULL },
};

/* Lines that never reach a worker, and the url column they must give. */
static const struct {
	const char *line;
	const char *url;
	const char *error;
} invalid[] = {
	{ "not a url", "not a url", "invalid URL" },
	{ "ftp://127.0.0.1/x", "ftp://127.0.0.1/x", "protocol not allowed" },
	{ "file:///etc/passwd", "file:///etc/passwd", "protocol not allowed" },
	{ "gopher://127.0.0.1/", "gopher://127.0.0.1/", "protocol not allowed" },
	{ "http://", "http://", "invalid URL" },
	{ "  http://exa mple/  ", "http://exa mple/", "invalid URL" },
	/* an international name with no ASCII form (it starts with a combining mark) */
	{ "http://\xcc\x80" "a.localhost/", "http://\xcc\x80" "a.localhost/", "invalid URL" },
	{ "http://127.0.0.1:1/", "http://127.0.0.1:1/", "connection refused" },
};

static const unsigned pages[] = { 0, 3, 13, 23, 33, 43, 53, 63, 73, 83, 93, 103, 113, 199 };

/*
 * International host names of loopback (libcurl resolves *.localhost
 * itself): the page, and a redirect whose Location names one in raw UTF-8.
 */
static const char *const idn_hosts[] = { "b\xc3\xbc" "cher.localhost", "B\xc3\x9c" "CHER.localhost" };
static const unsigned idn_page = 7;

enum {
	NROUTES = sizeof(routes) / sizeof(routes[0]),
	NINVALID = sizeof(invalid) / sizeof(invalid[0]),
	NPAGES = sizeof(pages) / sizeof(pages[0]),
	NIDN = sizeof(idn_hosts) / sizeof(idn_hosts[0]),
	/* ... then the idn redirect, then the redirect chain */
	NURLS = NROUTES + NINVALID + NPAGES + NIDN + 2,
};

static char urls[NURLS][256];

static int setup(void **state)
{
	(void)state;
	return itest_site_start(&site, PAGES, 30);
}

static int teardown(void **state)
{
	(void)state;
	itest_site_stop(&site);
	itest_cleanup();
	return 0;
}

/* Writes the list (with comments and blanks that must be skipped); fills urls[]. */
static const char *write_list(void)
{
	static char text[16384];
	size_t n = 0, u = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "# every fault route\n\n");
	for (size_t i = 0; i < NROUTES; i++) {
		snprintf(urls[u], sizeof(urls[u]), "%s%s", site.base, routes[i].path);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", urls[u++]);
	}
	for (size_t i = 0; i < NINVALID; i++) {
		snprintf(urls[u++], sizeof(urls[0]), "%s", invalid[i].url);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\r\n", invalid[i].line);
	}
	for (size_t i = 0; i < NPAGES; i++) {
		snprintf(urls[u], sizeof(urls[u]), "%s/page/%u.html", site.base, pages[i]);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "   %s\t\n", urls[u++]);
	}
	for (size_t i = 0; i < NIDN; i++) {
		snprintf(urls[u], sizeof(urls[u]), "http://%s:%s/page/%u.html", idn_hosts[i],
			 strrchr(site.base, ':') + 1, idn_page);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", urls[u++]);
	}
	snprintf(urls[u++], sizeof(urls[0]), "%s/fault/redirect-idn", site.base);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", urls[u - 1]);
	snprintf(urls[u++], sizeof(urls[0]), "%s/fault/redirect/3", site.base);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", urls[u - 1]);
	itest_write_file(itest_path("faults.txt"), text);
	return itest_path("faults.txt");
}

static void expect_field(const struct itest_row *r, int col, const char *want, const char *what)
{
	const char *got = r->f[col];
	size_t n;

	if (!want)
		return;
	n = strlen(want);
	if (n > 0 && want[n - 1] == '*' ? strncmp(got, want, n - 1) == 0 : strcmp(got, want) == 0)
		return;
	fail_msg("%s: %s '%s', expected '%s'", r->f[COL_URL], what, got, want);
}

static void check_fault_rows(const struct itest_table *t, const char *mode)
{
	for (size_t i = 0; i < NROUTES; i++) {
		const struct itest_row *r = itest_find(t, urls[i]);
		double ms;

		assert_non_null(r);
		expect_field(r, COL_STATUS, routes[i].status, "status");
		expect_field(r, COL_ERROR, routes[i].error, "error");
		expect_field(r, COL_TITLE, routes[i].title, "title");
		expect_field(r, COL_LINKS, routes[i].links, "links");
		expect_field(r, COL_BYTES, routes[i].bytes, "bytes");
		/*
		 * --timeout bounds every URL, whatever the server does. The slack is
		 * for a loaded machine under sanitizers; an unbounded route would run
		 * for the site's whole fault time (30 s).
		 */
		ms = atof(r->f[COL_TIME]);
		if (ms <= 0 || ms > TIMEOUT_S * 1000 + 5000)
			fail_msg("%s: time_ms %s out of bounds", urls[i], r->f[COL_TIME]);
		if (!*r->f[COL_WORKER])
			fail_msg("%s: no worker in %s mode", urls[i], mode);
		/* the body cap holds after decompression too */
		if (strtoull(r->f[COL_BYTES], NULL, 10) > 2u << 20)
			fail_msg("%s: %s bytes past --max-size", urls[i], r->f[COL_BYTES]);
	}
}

/* Fetched under their ASCII form; the url column as given, and no redirect to tell otherwise. */
static void check_idn_rows(const struct itest_table *t)
{
	size_t first = NROUTES + NINVALID + NPAGES;
	const struct itest_row *r;
	struct sitegen_page want;
	char num[32];

	sitegen_page_info(idn_page, PAGES, &want);
	snprintf(num, sizeof(num), "%u", want.links);
	for (size_t i = 0; i < NIDN; i++) {
		r = itest_find(t, urls[first + i]);
		assert_non_null(r);
		if (strcmp(r->f[COL_ERROR], "") != 0)
			fail_msg("%s: error '%s'", urls[first + i], r->f[COL_ERROR]);
		assert_string_equal(r->f[COL_STATUS], "200");
		assert_string_equal(r->f[COL_FINAL_URL], urls[first + i]);
		assert_string_equal(r->f[COL_TITLE], want.title);
		assert_string_equal(r->f[COL_LINKS], num);
	}
	r = itest_find(t, urls[first + NIDN]);
	assert_non_null(r);
	sitegen_page_info(0, PAGES, &want);
	if (strcmp(r->f[COL_ERROR], "") != 0)
		fail_msg("%s: error '%s'", urls[first + NIDN], r->f[COL_ERROR]);
	assert_string_equal(r->f[COL_REDIRECTS], "1");
	assert_string_equal(r->f[COL_TITLE], want.title);
	assert_non_null(strstr(r->f[COL_FINAL_URL], "b\xc3\xbc" "cher.localhost:"));
}

static void check_other_rows(const struct itest_table *t)
{
	struct sitegen_page want;
	char num[32];

	for (size_t i = 0; i < NINVALID; i++) {
		const struct itest_row *r = itest_find(t, urls[NROUTES + i]);

		assert_non_null(r);
		assert_string_equal(r->f[COL_ERROR], invalid[i].error);
	}
	for (size_t i = 0; i < NPAGES; i++) {
		const struct itest_row *r = itest_find(t, urls[NROUTES + NINVALID + i]);

		assert_non_null(r);
		sitegen_page_info(pages[i], PAGES, &want);
		assert_string_equal(r->f[COL_STATUS], "200");
		assert_string_equal(r->f[COL_ERROR], "");
		/* the formula guard marks titles starting with = + - @ */
		if (strchr("=+-@", want.title[0])) {
			assert_int_equal(r->f[COL_TITLE][0], '\'');
			assert_string_equal(r->f[COL_TITLE] + 1, want.title);
		} else {
			assert_string_equal(r->f[COL_TITLE], want.title);
		}
		snprintf(num, sizeof(num), "%u", want.links);
		assert_string_equal(r->f[COL_LINKS], num);
		snprintf(num, sizeof(num), "%zu", want.bytes);
		assert_string_equal(r->f[COL_BYTES], num);
		assert_string_equal(r->f[COL_FINAL_URL], r->f[COL_URL]);
		assert_string_equal(r->f[COL_REDIRECTS], "0");
		assert_non_null(strstr(r->f[COL_CONTENT_TYPE], "text/html"));
	}
	{
		const struct itest_row *r = itest_find(t, urls[NURLS - 1]);

		assert_non_null(r);
		sitegen_page_info(0, PAGES, &want);
		assert_string_equal(r->f[COL_REDIRECTS], "3");
		assert_string_equal(r->f[COL_TITLE], want.title);
		assert_non_null(strstr(r->f[COL_FINAL_URL], "/page/0.html"));
	}
	check_idn_rows(t);
}

static void crawl_faults(const char *mode)
{
	const char *out = itest_path("faults.csv");
	const char *args[] = { "crawl", "--mode", mode, "--workers", "16", "--timeout", "3",
			       "--connect-timeout", "2", "--max-size", "2M", "-q", "-o", out,
			       write_list(), NULL };
	const char *list[NURLS];
	struct itest_table t;
	double secs;
	int rc = itest_run(args, NULL, &secs);

	if (rc != 0)
		fail_msg("%s mode: exit %d: %s", mode, rc, itest_stderr());
	/* -q: nothing at all, libxml2's complaints about the pages included */
	if (itest_stderr()[0])
		fail_msg("%s mode wrote on stderr: %s", mode, itest_stderr());
	/* all run at once, so the whole list takes about one timeout */
	if (secs > 3 * TIMEOUT_S + 10)
		fail_msg("%s mode took %.1f s", mode, secs);
	assert_int_equal(itest_csv_load(out, &t), 0);
	for (size_t i = 0; i < NURLS; i++)
		list[i] = urls[i];
	itest_expect_urls(&t, list, NURLS);
	check_fault_rows(&t, mode);
	check_other_rows(&t);
	itest_table_free(&t);
}

/*
 * One worker, so one libcurl handle, URL after URL: the cause of one
 * failure must not stick to the next (7.88 keeps a socket's errno).
 */
static void errors_one_after_another(const char *mode)
{
	static const struct {
		const char *path;
		const char *error;
	} seq[] = {
		{ "/fault/reset", "connection reset" },
		{ "/fault/bad-chunk", "bad response" },
		{ "/fault/garbage-status", "bad response" },
		{ "/fault/reset", "connection reset" },
		{ "/fault/truncated", "truncated body" },
		{ "/page/1.html", "" },
		{ "/fault/cut-head", "truncated headers" },
		{ "/fault/bad-chunk", "bad response" },
	};
	const char *out = itest_path("one.csv"), *list = itest_path("one.txt");
	const char *args[] = { "crawl", "--mode", mode, "--workers", "1", "--timeout", "5", "-q",
			       "-o", out, list, NULL };
	char text[2048], want[256];
	struct itest_table t;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s\n", site.base, seq[i].path);
	itest_write_file(list, text);
	rc = itest_run(args, NULL, NULL);
	if (rc != 0)
		fail_msg("%s mode: exit %d: %s", mode, rc, itest_stderr());
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, sizeof(seq) / sizeof(seq[0]));
	/* one worker: rows in list order */
	for (size_t i = 0; i < t.n; i++) {
		snprintf(want, sizeof(want), "%s%s", site.base, seq[i].path);
		assert_string_equal(t.rows[i].f[COL_URL], want);
		if (strcmp(t.rows[i].f[COL_ERROR], seq[i].error) != 0)
			fail_msg("%s mode, row %zu (%s): error '%s', expected '%s'", mode, i, seq[i].path,
				 t.rows[i].f[COL_ERROR], seq[i].error);
	}
	itest_table_free(&t);
}

static void test_errors_one_after_another(void **state)
{
	(void)state;
	errors_one_after_another("thread");
	errors_one_after_another("process");
	errors_one_after_another("event");
	errors_one_after_another("hybrid");
}

/*
 * A loop through any number of URLs is named at its first repeat, however
 * many redirects are allowed: one request a URL of the loop, counted by the
 * site, in every mode. The row is the last redirect's, its location the URL
 * that repeated.
 */
static void redirect_loops(const char *mode)
{
	static const unsigned lengths[] = { 1, 2, 5, 40 };
	enum { N = sizeof(lengths) / sizeof(lengths[0]) };
	const char *out = itest_path("loops.csv"), *list = itest_path("loops.txt");
	const char *args[] = { "crawl", "--mode", mode, "--workers", "4", "--max-redirects", "1000",
			       "-q", "-o", out, list, NULL };
	char text[1024], url[N][128], last[640], want[64];
	struct itest_site_stats st;
	unsigned long requests = 0;
	struct itest_table t;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < N; i++) {
		/* a loop of one is the old route, a redirect to itself */
		if (lengths[i] == 1)
			snprintf(url[i], sizeof(url[i]), "%s/fault/redirect-loop", site.base);
		else
			snprintf(url[i], sizeof(url[i]), "%s/fault/redirect-loop/%u", site.base,
				 lengths[i]);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", url[i]);
		requests += lengths[i];
	}
	itest_write_file(list, text);
	itest_site_stats(&site, &st);
	rc = itest_run(args, NULL, NULL);
	if (rc != 0)
		fail_msg("%s mode: exit %d: %s", mode, rc, itest_stderr());
	itest_site_stats(&site, &st);
	if (st.requests != requests)
		fail_msg("%s mode: %lu requests for loops of %lu URLs in all", mode, st.requests,
			 requests);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, N);
	for (size_t i = 0; i < N; i++) {
		const struct itest_row *r = itest_find(&t, url[i]);

		assert_non_null(r);
		snprintf(want, sizeof(want), "redirect loop (%u hop%s)", lengths[i],
			 lengths[i] == 1 ? "" : "s");
		if (strcmp(r->f[COL_ERROR], want) != 0)
			fail_msg("%s mode, %s: error '%s', expected '%s'", mode, url[i],
				 r->f[COL_ERROR], want);
		assert_string_equal(r->f[COL_STATUS], "302");
		snprintf(want, sizeof(want), "%u", lengths[i] - 1);
		assert_string_equal(r->f[COL_REDIRECTS], want);
		/* the last URL of the loop asked, the one whose Location repeats the first */
		if (lengths[i] == 1)
			assert_string_equal(r->f[COL_FINAL_URL], url[i]);
		else {
			snprintf(last, sizeof(last), "%s/%u", url[i], lengths[i] - 1);
			assert_string_equal(r->f[COL_FINAL_URL], last);
		}
	}
	itest_table_free(&t);
}

static void test_redirect_loops(void **state)
{
	(void)state;
	redirect_loops("thread");
	redirect_loops("process");
	redirect_loops("event");
	redirect_loops("hybrid");
}

/*
 * A crawl that follows links takes each redirect itself, not libcurl: a
 * loop ends at the redirect to a URL already taken, each URL asked once.
 */
static void test_redirect_loop_followed(void **state)
{
	const char *out = itest_path("followed.csv");
	char start[128], second[160], third[160];
	/* the columns of a list crawl, which itest_csv_load() reads */
	const char *args[] = { "crawl", "--follow", "--no-robots", "--max-redirects", "1000", "-q",
			       "--fields", "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,"
			       "redirects,title,links,worker,error", "-o", out, start, NULL };
	struct itest_site_stats st;
	const struct itest_row *r;
	struct itest_table t;
	int rc;

	(void)state;
	snprintf(start, sizeof(start), "%s/fault/redirect-loop/3", site.base);
	snprintf(second, sizeof(second), "%s/1", start);
	snprintf(third, sizeof(third), "%s/2", start);
	itest_site_stats(&site, &st);
	rc = itest_run(args, NULL, NULL);
	if (rc != 0)
		fail_msg("exit %d: %s", rc, itest_stderr());
	itest_site_stats(&site, &st);
	if (st.requests != 3)
		fail_msg("%lu requests for a loop of 3 URLs", st.requests);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 3);
	r = itest_find(&t, start);
	assert_non_null(r);
	assert_string_equal(r->f[COL_ERROR], "");
	r = itest_find(&t, second);
	assert_non_null(r);
	assert_string_equal(r->f[COL_ERROR], "");
	r = itest_find(&t, third);
	assert_non_null(r);
	assert_string_equal(r->f[COL_STATUS], "302");
	assert_string_equal(r->f[COL_ERROR], "redirect to a URL already taken");
	itest_table_free(&t);
}

static void test_faults_thread_mode(void **state)
{
	(void)state;
	crawl_faults("thread");
}

static void test_faults_process_mode(void **state)
{
	(void)state;
	crawl_faults("process");
}

static void test_faults_event_mode(void **state)
{
	(void)state;
	crawl_faults("event");
}

static void test_faults_hybrid_mode(void **state)
{
	(void)state;
	crawl_faults("hybrid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults_thread_mode),
		cmocka_unit_test(test_faults_process_mode),
		cmocka_unit_test(test_faults_event_mode),
		cmocka_unit_test(test_faults_hybrid_mode),
		cmocka_unit_test(test_errors_one_after_another),
		cmocka_unit_test(test_redirect_loops),
		cmocka_unit_test(test_redirect_loop_followed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
