/* test_crawl_state.c -- --state: a followed crawl killed (-9) or interrupted goes on with the same command, every URL once; refusals touch nothing */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmocka.h>

#include "itest.h"

/* /slow-page/ is a chain of 41 pages; each answers after ?ms= milliseconds. */
enum { SLOW_PAGES = 41, MAX_ROWS = 256 };

static struct itest_site site;
static const char *const modes[] = { "thread", "process", "event", "hybrid" };

static int setup(void **state)
{
	char robots[512];
	const char *extra[] = { "--host", "127.0.0.2", "--robots", robots, NULL };

	(void)state;
	snprintf(robots, sizeof(robots), "%s/tests/demo/links-robots.txt", SOURCE_DIR);
	return itest_site_start_with(&site, 50, 30, extra);
}

static int teardown(void **state)
{
	(void)state;
	itest_site_stop(&site);
	itest_cleanup();
	return 0;
}

/* The JSON Lines output holds exactly these urls, each once, every line a whole row of 14 columns. */
static void expect_jsonl(const char *path, char *const *urls, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	unsigned seen[MAX_ROWS] = { 0 };
	size_t rows = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o = json_tokener_parse(line), *u;
		size_t i;

		if (!o || strlen(line) == 0 || line[strlen(line) - 1] != '\n')
			fail_msg("not a whole JSON row: %s", line);
		assert_int_equal(json_object_object_length(o), 14);
		assert_true(json_object_object_get_ex(o, "url", &u));
		for (i = 0; i < n && strcmp(urls[i], json_object_get_string(u)) != 0; i++)
			;
		if (i == n)
			fail_msg("unexpected row for %s", json_object_get_string(u));
		if (seen[i]++)
			fail_msg("%s has two rows", urls[i]);
		json_object_put(o);
		rows++;
	}
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			fail_msg("no row for %s", urls[i]);
	assert_int_equal(rows, n);
}

/* The CSV output: one header (14 columns), then exactly these urls, each once, CRLF rows. */
static void expect_csv(const char *path, char *const *urls, size_t n)
{
	size_t len, rows = 0;
	char *text = itest_slurp(path, &len), *p;
	unsigned seen[MAX_ROWS] = { 0 };

	assert_non_null(text);
	p = strstr(text, "\r\n");
	assert_non_null(p);
	*p = '\0';
	assert_string_equal(text, "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,redirects,"
			    "title,links,worker,error,depth,referrer");
	for (p += 2; *p; rows++) {
		char *end = strstr(p, "\r\n"), *comma = strchr(p, ',');
		size_t i;

		if (!end || !comma || comma > end)
			fail_msg("a torn row: %s", p);
		*comma = '\0';
		for (i = 0; i < n && strcmp(urls[i], p) != 0; i++)
			;
		if (i == n)
			fail_msg("unexpected row for %s", p);
		if (seen[i]++)
			fail_msg("%s has two rows", urls[i]);
		p = end + 2;
	}
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			fail_msg("no row for %s", urls[i]);
	assert_int_equal(rows, n);
	free(text);
}

static char *slow_urls[SLOW_PAGES];

/* The 41 pages of the slow chain, as their rows show them. */
static char *const *slow_chain(void)
{
	char url[160];

	for (size_t i = 0; i < SLOW_PAGES && !slow_urls[i]; i++) {
		snprintf(url, sizeof(url), "%s/slow-page/%zu.html?ms=100", site.base, i);
		slow_urls[i] = strdup(url);
		assert_non_null(slow_urls[i]);
	}
	return slow_urls;
}

/* Waits until path has n lines while pid runs, then kills the crawl and its workers. */
static void kill_after(pid_t pid, const char *path, size_t n)
{
	if (itest_wait_lines(path, n, pid, 60) < 0)
		fail_msg("the crawl ended or stalled before %zu lines; stderr: %s", n, itest_stderr());
	itest_kill_all(pid);
}

/* The slow chain in one mode: killed three times at growing points, then run to the end. */
static void killed_slow(const char *mode, const char *format)
{
	char out_name[64], state_name[64], start[128];
	const char *out, *st;
	bool csv = strcmp(format, "csv") == 0;

	snprintf(out_name, sizeof(out_name), "slow-%s.%s", mode, format);
	snprintf(state_name, sizeof(state_name), "slow-%s-%s.state", mode, format);
	out = itest_path(out_name);
	st = itest_path(state_name);
	unlink(out);
	unlink(st);
	snprintf(start, sizeof(start), "%s/slow-page/0.html?ms=100", site.base);
	const char *args[] = { "crawl", "-q", "-m", mode, "-w", "2", "-r", "-d", "100", "-f", format,
			       "-o", out, "--state", st, start, NULL };

	/* CSV counts its header as a line */
	kill_after(itest_spawn(args, NULL), out, csv ? 3 : 2);
	kill_after(itest_spawn(args, NULL), out, csv ? 12 : 11);
	kill_after(itest_spawn(args, NULL), out, csv ? 25 : 24);
	itest_expect_exit(itest_run(args, NULL, NULL), 0, NULL);
	if (csv)
		expect_csv(out, slow_chain(), SLOW_PAGES);
	else
		expect_jsonl(out, slow_chain(), SLOW_PAGES);
}

static void test_killed_thread_mode(void **state)
{
	(void)state;
	killed_slow("thread", "jsonl");
}

static void test_killed_process_mode(void **state)
{
	(void)state;
	killed_slow("process", "csv");
}

static void test_killed_event_mode(void **state)
{
	(void)state;
	killed_slow("event", "jsonl");
}

static void test_killed_hybrid_mode(void **state)
{
	(void)state;
	killed_slow("hybrid", "csv");
}

/*
 * The slow chain killed twice half way through a row: the state never has
 * a torn row's URL done, so the same command cuts the row and fetches it.
 */
static void torn_slow(const char *mode, const char *format)
{
	char out_name[64], state_name[64], start[128];
	const char *out, *st;

	snprintf(out_name, sizeof(out_name), "torn-%s.%s", mode, format);
	snprintf(state_name, sizeof(state_name), "torn-%s.state", mode);
	out = itest_path(out_name);
	st = itest_path(state_name);
	unlink(out);
	unlink(st);
	snprintf(start, sizeof(start), "%s/slow-page/0.html?ms=100", site.base);
	const char *args[] = { "crawl", "-m", mode, "-w", "2", "-r", "-d", "100", "-f", format,
			       "-o", out, "--state", st, start, NULL };

	itest_tear_twice(out, args, args, 700, 1500);
	itest_expect_exit(itest_run(args, NULL, NULL), 0, "a torn last row of ");
	if (strcmp(format, "csv") == 0)
		expect_csv(out, slow_chain(), SLOW_PAGES);
	else
		expect_jsonl(out, slow_chain(), SLOW_PAGES);
}

static void test_torn_rows(void **state)
{
	(void)state;
	torn_slow("thread", "csv");
	torn_slow("hybrid", "jsonl");
}

static const char *const links_paths[] = {
	"/links/index.html",
	"/links/a.html", "/links/b.html", "/links/A.html", "/links/area.html", "/links/d0.html",
	"/links/sub/c.html", "/links/base.html", "/links/meta-nofollow.html", "/links/moved.html",
	"/links/private/secret.html", "/links/d1.html",
	"/links/sub/e.html", "/links/d2.html",
	"/links/d3.html",
	"/links/d4.html",
};
enum { LINKS = sizeof(links_paths) / sizeof(links_paths[0]) };

/*
 * The /links/ site (robots.txt, a redirect, two hosts) slowed by --delay so
 * that a kill lands mid-crawl; the resume needs no --delay: it is the same
 * crawl, only faster.
 */
static void test_links_killed_every_mode(void **state)
{
	char *urls[LINKS], start[128], out_name[64], state_name[64];

	(void)state;
	for (size_t i = 0; i < LINKS; i++) {
		char url[160];

		snprintf(url, sizeof(url), "%s%s", site.base, links_paths[i]);
		urls[i] = strdup(url);
	}
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		snprintf(out_name, sizeof(out_name), "links-%s.jsonl", modes[m]);
		snprintf(state_name, sizeof(state_name), "links-%s.state", modes[m]);
		const char *out = itest_path(out_name), *st = itest_path(state_name);
		const char *slow[] = { "crawl", "-q", "-m", modes[m], "-w", "4", "-r", "-d", "10",
				       "--delay", "0.15", "-f", "jsonl", "-o", out, "--state", st,
				       start, NULL };
		const char *fast[] = { "crawl", "-m", modes[m], "-w", "4", "-r", "-d", "10",
				       "-f", "jsonl", "-o", out, "--state", st, start, NULL };
		size_t len, len2;
		char *before, *after;

		unlink(out);
		unlink(st);
		kill_after(itest_spawn(slow, NULL), out, 3);
		itest_expect_exit(itest_run(fast, NULL, NULL), 0, "crawlpool: resuming: ");
		expect_jsonl(out, urls, LINKS);
		/* a finished crawl: nothing written, exit 0 */
		before = itest_slurp(out, &len);
		itest_expect_exit(itest_run(fast, NULL, NULL), 0, "0 URLs of state file");
		after = itest_slurp(out, &len2);
		assert_int_equal(len, len2);
		assert_memory_equal(before, after, len);
		free(before);
		free(after);
	}
	for (size_t i = 0; i < LINKS; i++)
		free(urls[i]);
}

/* The first Ctrl-C lets the pages in flight finish; the same command does the rest. */
static void test_ctrl_c_then_resume(void **state)
{
	const char *out = itest_path("int.jsonl"), *st = itest_path("int.state");
	char start[128];
	pid_t pid;

	(void)state;
	unlink(out);
	unlink(st);
	snprintf(start, sizeof(start), "%s/slow-page/0.html?ms=100", site.base);
	const char *args[] = { "crawl", "-q", "-w", "2", "-r", "-d", "100", "-f", "jsonl", "-o",
			       out, "--state", st, start, NULL };

	pid = itest_spawn(args, NULL);
	if (itest_wait_lines(out, 4, pid, 60) < 0)
		fail_msg("no rows; stderr: %s", itest_stderr());
	kill(pid, SIGINT);
	itest_expect_exit(itest_wait(pid, 60), 130, NULL);
	assert_true(itest_file_lines(out) < SLOW_PAGES);
	itest_expect_exit(itest_run(args, NULL, NULL), 0, NULL);
	expect_jsonl(out, slow_chain(), SLOW_PAGES);
}

/* The state is a plain SQLite database: every URL of the finished crawl there, marked done. */
static void test_state_is_sqlite(void **state)
{
	const char *out = itest_path("db.jsonl"), *st = itest_path("db.state");
	char start[128];
	sqlite3 *db;
	sqlite3_stmt *q;

	(void)state;
	unlink(out);
	unlink(st);
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	const char *args[] = { "crawl", "-q", "-r", "-d", "10", "-f", "jsonl", "-o", out,
			       "--state", st, start, NULL };

	itest_expect_exit(itest_run(args, NULL, NULL), 0, NULL);
	assert_int_equal(sqlite3_open_v2(st, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(done) FROM url", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), LINKS);
	assert_int_equal(sqlite3_column_int(q, 1), LINKS);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM crawl WHERE key = 'start'", -1, &q,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), start);
	sqlite3_finalize(q);
	sqlite3_close(db);
}

/* Another crawl's state, a file that is no state, and options that cannot go together: exit 2, nothing touched. */
static void test_refusals(void **state)
{
	const char *out = itest_path("ref.jsonl"), *st = itest_path("ref.state");
	const char *text = itest_path("text.state"), *fresh = itest_path("fresh.state");
	char start[128], other[128];
	char *out_before, *st_before, *after;
	size_t out_len, st_len, len;

	(void)state;
	unlink(out);
	unlink(st);
	unlink(fresh);
	snprintf(start, sizeof(start), "%s/links/index.html", site.base);
	snprintf(other, sizeof(other), "%s/links/a.html", site.base);
	const char *first[] = { "crawl", "-q", "-r", "-d", "10", "-f", "jsonl", "-o", out,
				"--state", st, start, NULL };
	const char *other_start[] = { "crawl", "-q", "-r", "-d", "10", "-f", "jsonl", "-o", out,
				      "--state", st, other, NULL };
	const char *other_depth[] = { "crawl", "-q", "-r", "-d", "3", "-f", "jsonl", "-o", out,
				      "--state", st, start, NULL };
	const char *not_state[] = { "crawl", "-q", "-r", "-f", "jsonl", "-o", out, "--state", text,
				    start, NULL };
	const char *no_follow[] = { "crawl", "-q", "-o", out, "--state", st, start, NULL };
	const char *to_stdout[] = { "crawl", "-q", "-r", "-o", "-", "--state", st, start, NULL };
	const char *resume_no_state[] = { "crawl", "-q", "-r", "--resume", "-o", out, start, NULL };
	const char *lost_state[] = { "crawl", "-q", "-r", "-d", "10", "-f", "jsonl", "--resume",
				     "-o", out, "--state", fresh, start, NULL };
	const char *empty_state[] = { "crawl", "-q", "-r", "-d", "10", "-f", "jsonl", "-o", out,
				      "--state", fresh, start, NULL };
	char no_dir_state[256], under_file_state[256], said[512];
	const char *no_dir[] = { "crawl", "-q", "-r", "-d", "10", "-f", "jsonl", "-o", out,
				 "--state", no_dir_state, start, NULL };
	const char *under_file[] = { "crawl", "-q", "-r", "-d", "10", "-f", "jsonl", "-o", out,
				     "--state", under_file_state, start, NULL };

	snprintf(no_dir_state, sizeof(no_dir_state), "%s/no-such-dir/x.state", itest_dir());
	snprintf(under_file_state, sizeof(under_file_state), "%s/x.state", out);

	itest_expect_exit(itest_run(first, NULL, NULL), 0, NULL);
	out_before = itest_slurp(out, &out_len);
	st_before = itest_slurp(st, &st_len);
	itest_expect_exit(itest_run(other_start, NULL, NULL), 2, "is another crawl's: its start is");
	itest_expect_exit(itest_run(other_depth, NULL, NULL), 2, "its depth is '10', this crawl's '3'");
	itest_write_file(text, "not a database, and long enough to be read as one................"
			 "..................................................................\n");
	itest_expect_exit(itest_run(not_state, NULL, NULL), 2, "is not a crawlpool state file");
	itest_expect_exit(itest_run(no_follow, NULL, NULL), 2, "--state keeps the frontier of a crawl "
		      "that follows links");
	itest_expect_exit(itest_run(to_stdout, NULL, NULL), 2, "it needs -o FILE");
	itest_expect_exit(itest_run(resume_no_state, NULL, NULL), 2,
		      "--resume with --follow needs --state FILE");
	itest_expect_exit(itest_run(lost_state, NULL, NULL), 2, "cannot be resumed without");
	assert_int_equal(access(fresh, F_OK), -1);
	/* a state file that cannot be made: where, and why (tests run as root, so no EACCES) */
	itest_expect_exit(itest_run(no_dir, NULL, NULL), 2, NULL);
	snprintf(said, sizeof(said), "crawlpool: cannot create state file '%s': No such file or "
		 "directory\n", no_dir_state);
	assert_string_equal(itest_stderr(), said);
	itest_expect_exit(itest_run(under_file, NULL, NULL), 2, NULL);
	snprintf(said, sizeof(said), "crawlpool: cannot create state file '%s': Not a directory\n",
		 under_file_state);
	assert_string_equal(itest_stderr(), said);
	/* an empty state file still says a crawl was begun: no --resume needed to keep its rows */
	itest_write_file(fresh, "");
	itest_expect_exit(itest_run(empty_state, NULL, NULL), 2, "state file '");
	assert_non_null(strstr(itest_stderr(), "is empty: the rows in"));
	after = itest_slurp(out, &len);
	assert_int_equal(len, out_len);
	assert_memory_equal(after, out_before, len);
	free(after);
	after = itest_slurp(st, &len);
	assert_int_equal(len, st_len);
	assert_memory_equal(after, st_before, len);
	free(after);
	free(out_before);
	free(st_before);
}

/*
 * A list of start URLs edited between two runs makes them two crawls: the
 * second is refused, though the list's name is the same; unedited, it goes on.
 */
static void test_edited_list_refused(void **state)
{
	const char *out = itest_path("list.csv"), *st = itest_path("list.state");
	const char *list = itest_path("starts.txt");
	const char *run[] = { "crawl", "-q", "-r", "-d", "1", "-o", out, "--state", st, list, NULL };
	char text[256];

	(void)state;
	unlink(out);
	unlink(st);
	snprintf(text, sizeof(text), "%s/links/index.html\n", site.base);
	itest_write_file(list, text);
	itest_expect_exit(itest_run(run, NULL, NULL), 0, NULL);
	/* the same list again: the crawl is finished, and nothing more is written */
	itest_expect_exit(itest_run(run, NULL, NULL), 0, NULL);
	snprintf(text, sizeof(text), "%s/links/a.html\n", site.base);
	itest_write_file(list, text);
	itest_expect_exit(itest_run(run, NULL, NULL), 2, "is another crawl's: its lists is");
}

/* Two crawls on one state file: the second is refused while the first runs. */
static void test_state_in_use(void **state)
{
	const char *out = itest_path("busy.jsonl"), *st = itest_path("busy.state");
	const char *out2 = itest_path("busy2.jsonl");
	char start[128];
	pid_t pid;

	(void)state;
	unlink(out);
	unlink(st);
	snprintf(start, sizeof(start), "%s/slow-page/0.html?ms=100", site.base);
	const char *args[] = { "crawl", "-q", "-w", "2", "-r", "-d", "100", "-f", "jsonl", "-o",
			       out, "--state", st, start, NULL };
	const char *second[] = { "crawl", "-q", "-w", "2", "-r", "-d", "100", "-f", "jsonl", "-o",
				 out2, "--state", st, start, NULL };

	pid = itest_spawn(args, NULL);
	if (itest_wait_lines(out, 2, pid, 60) < 0)
		fail_msg("no rows; stderr: %s", itest_stderr());
	itest_expect_exit(itest_run(second, NULL, NULL), 2, "is in use by another crawl");
	itest_kill_all(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_killed_thread_mode),
		cmocka_unit_test(test_killed_process_mode),
		cmocka_unit_test(test_killed_event_mode),
		cmocka_unit_test(test_killed_hybrid_mode),
		cmocka_unit_test(test_torn_rows),
		cmocka_unit_test(test_links_killed_every_mode),
		cmocka_unit_test(test_ctrl_c_then_resume),
		cmocka_unit_test(test_state_is_sqlite),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_edited_list_refused),
		cmocka_unit_test(test_state_in_use),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);

	for (size_t i = 0; i < SLOW_PAGES; i++)
		free(slow_urls[i]);
	return rc;
}
