/* test_crawl_inputs.c -- list lines that must not be changed silently, and a crawl that fits its descriptors */
#include <setjmp.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "itest.h"

enum { PAGES = 300 };

static struct itest_site site;

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

/* A NUL inside a line would cut the URL there: the line is an error row, shown whole. */
static void test_nul_in_line(void **state)
{
	const char *list = itest_path("nul.txt"), *out = itest_path("nul.csv");
	const char *args[] = { "crawl", "-q", "-o", out, list, NULL };
	char good[96], line[128], shown[128];
	const struct itest_row *r;
	struct itest_table t;
	FILE *f;

	(void)state;
	snprintf(good, sizeof(good), "%s/page/1.html", site.base);
	/* the prefix before the NUL is a real page: fetching it would be the bug */
	snprintf(line, sizeof(line), "%s/page/2.html", site.base);
	snprintf(shown, sizeof(shown), "%s/page/2.html\\0.evil", site.base);
	f = fopen(list, "w");
	assert_non_null(f);
	fprintf(f, "%s\n%s", good, line);
	fputc('\0', f);
	fputs(".evil\n", f);
	fclose(f);

	assert_int_equal(itest_run(args, NULL, NULL), 0);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 2);
	r = itest_find(&t, good);
	assert_non_null(r);
	assert_string_equal(r->f[COL_ERROR], "");
	r = itest_find(&t, shown);
	assert_non_null(r);
	assert_string_equal(r->f[COL_ERROR], "invalid URL");
	assert_string_equal(r->f[COL_STATUS], "");
	assert_null(itest_find(&t, line));
	itest_table_free(&t);
}

/* --max-pages on a plain list takes its first N URLs, as the help says (it was ignored). */
static void test_max_pages_list(void **state)
{
	const char *list = itest_path("max.txt"), *out = itest_path("max.csv");
	const char *args[] = { "crawl", "-q", "--max-pages", "2", "-o", out, list, NULL };
	const char *resume[] = { "crawl", "-q", "--max-pages", "2", "--resume", "-o", out, list,
				 NULL };
	char urls[2][96];
	struct itest_table t;
	FILE *f;

	(void)state;
	f = fopen(list, "w");
	assert_non_null(f);
	for (int i = 1; i <= 5; i++)
		fprintf(f, "%s/page/%d.html\n", site.base, i);
	fclose(f);
	snprintf(urls[0], sizeof(urls[0]), "%s/page/1.html", site.base);
	snprintf(urls[1], sizeof(urls[1]), "%s/page/2.html", site.base);

	assert_int_equal(itest_run(args, NULL, NULL), 0);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 2);
	assert_non_null(itest_find(&t, urls[0]));
	assert_non_null(itest_find(&t, urls[1]));
	itest_table_free(&t);
	/* the crawl had finished: resumed, its two rows count, and nothing is added */
	assert_int_equal(itest_run(resume, NULL, NULL), 0);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 2);
	itest_table_free(&t);
}

/* A list that never ends (a pipe kept open) is read no further than --max-pages needs. */
static void test_max_pages_endless_list(void **state)
{
	const char *out = itest_path("max-pipe.csv");
	const char *args[] = { "crawl", "-q", "--max-pages", "2", "-o", out, "-", NULL };
	struct itest_table t;
	char line[128];
	int fds[2], rc;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	for (int i = 1; i <= 3; i++) {
		int n = snprintf(line, sizeof(line), "%s/page/%d.html\n", site.base, i);

		assert_int_equal(write(fds[1], line, (size_t)n), n);
	}
	pid = itest_spawn_fds(args, fds[0], ITEST_FD_USUAL, ITEST_FD_USUAL);
	close(fds[0]);
	rc = itest_wait(pid, 30);
	close(fds[1]);
	if (rc < 0) {
		itest_kill_all(pid);
		fail_msg("still reading the list after --max-pages URLs");
	}
	assert_int_equal(rc, 0);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 2);
	itest_table_free(&t);
}

/*
 * /dev/zero as the list: one line that never ends. Its first 8 KiB are a row
 * (NUL bytes: "invalid URL") and the rest is dropped as it is read, for ever;
 * the crawl still hears SIGTERM, stops and leaves a whole file.
 */
static void test_endless_line(void **state)
{
	const char *out = itest_path("zero.csv");
	const char *args[] = { "crawl", "-q", "-o", out, "/dev/zero", NULL };
	struct itest_table t;
	pid_t pid;
	int rc;

	(void)state;
	pid = itest_spawn(args, NULL);
	/* the row goes out when the reading first pauses: the tail is being dropped */
	rc = itest_wait_lines(out, 2, pid, 10);
	if (rc == 0) {
		kill(pid, SIGTERM);
		rc = itest_wait(pid, 10);
	}
	if (rc < 0)
		itest_kill_all(pid);
	assert_int_equal(rc, 130);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.rows[0].f[COL_ERROR], "invalid URL");
	itest_table_free(&t);
}

/*
 * With `ulimit -n 256`, 1024 URLs at once cannot have a socket each: the
 * crawl fetches fewer at once, says so, and every row is a real fetch.
 */
static void crawl_within_file_limit(const char *mode)
{
	const char *list = itest_path("limit.txt"), *out = itest_path("limit.csv");
	const char *args[] = { "crawl", "-m", mode, "-w", "1024", "-o", out, list, NULL };
	struct itest_table t;
	FILE *f = fopen(list, "w");
	size_t errors = 0;

	assert_non_null(f);
	for (unsigned i = 0; i < PAGES; i++)
		fprintf(f, "%s/page/%u.html\n", site.base, i);
	fclose(f);

	itest_limit_files(256);
	assert_int_equal(itest_run(args, NULL, NULL), 0);
	if (!strstr(itest_stderr(), "open-file limit (ulimit -n) is 256: fetching ") ||
	    !strstr(itest_stderr(), " URLs at once instead of 1024"))
		fail_msg("%s mode: stderr '%s' does not say how many URLs go at once", mode,
			 itest_stderr());
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, PAGES);
	for (size_t i = 0; i < t.n; i++)
		errors += t.rows[i].f[COL_ERROR][0] != '\0';
	if (errors)
		fail_msg("%s mode: %zu of %zu rows failed", mode, errors, t.n);
	itest_table_free(&t);
}

static void test_file_limit_thread(void **state)
{
	(void)state;
	crawl_within_file_limit("thread");
}

static void test_file_limit_process(void **state)
{
	(void)state;
	crawl_within_file_limit("process");
}

static void test_file_limit_event(void **state)
{
	(void)state;
	crawl_within_file_limit("event");
}

static void test_file_limit_hybrid(void **state)
{
	(void)state;
	crawl_within_file_limit("hybrid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_in_line),
		cmocka_unit_test(test_max_pages_list),
		cmocka_unit_test(test_max_pages_endless_list),
		cmocka_unit_test(test_endless_line),
		cmocka_unit_test(test_file_limit_thread),
		cmocka_unit_test(test_file_limit_process),
		cmocka_unit_test(test_file_limit_event),
		cmocka_unit_test(test_file_limit_hybrid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
