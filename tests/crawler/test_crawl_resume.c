/* test_crawl_resume.c -- --resume of a list crawl: after kill -9 or Ctrl-C every line ends with exactly one row; refusals touch nothing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"

/* Slow pages, two at a time, so that rows trickle and a kill lands mid-crawl. */
enum { SLOW = 36, SLOW_MS = 100, MAX_LINES = 64 };

static struct itest_site site;

/* The list's lines, and the url column each gives (guarded in CSV and TSV). */
static char *lines[MAX_LINES], *shown[MAX_LINES];
static size_t n_lines;

static int setup(void **state)
{
	(void)state;
	return itest_site_start(&site, 10, 30);
}

static int teardown(void **state)
{
	(void)state;
	itest_site_stop(&site);
	for (size_t i = 0; i < n_lines; i++) {
		free(lines[i]);
		free(shown[i]);
	}
	itest_cleanup();
	return 0;
}

static void add_line(const char *line, const char *as_shown)
{
	assert_true(n_lines < MAX_LINES);
	lines[n_lines] = strdup(line);
	shown[n_lines] = strdup(as_shown ? as_shown : line);
	assert_non_null(lines[n_lines]);
	assert_non_null(shown[n_lines]);
	n_lines++;
}

/*
 * The list every test crawls: slow pages, one of them three times, a line
 * that is no URL twice, and one a spreadsheet would run. Written once.
 */
static const char *the_list(void)
{
	const char *path = itest_path("list.txt");
	char url[128];
	FILE *f;

	if (n_lines == 0) {
		for (unsigned i = 0; i < SLOW; i++) {
			snprintf(url, sizeof(url), "%s/fault/slow?ms=%u&n=%u", site.base, SLOW_MS, i);
			add_line(url, NULL);
		}
		snprintf(url, sizeof(url), "%s/page/1.html", site.base);
		add_line(url, NULL);
		add_line(url, NULL);
		add_line(url, NULL);
		add_line("not a url", NULL);
		add_line("not a url", NULL);
		add_line("=1+1", "'=1+1");
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# a comment, and a blank line: no rows\n\n", f);
	for (size_t i = 0; i < n_lines; i++)
		fprintf(f, "%s\n", lines[i]);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* The CSV at path: one header, well-formed rows, each line of the list exactly once. */
static void expect_csv_whole(const char *path)
{
	struct itest_table t;

	if (itest_csv_load(path, &t) < 0)
		fail_msg("%s is not a whole CSV file", path);
	itest_expect_urls(&t, (const char *const *)shown, n_lines);
	itest_table_free(&t);
}

/* Waits until path has `rows` rows past its header, then kills the whole crawl. */
static void kill_after(pid_t pid, const char *path, size_t rows)
{
	if (itest_wait_lines(path, rows + 1, pid, 60) < 0)
		fail_msg("the crawl ended or stalled before %zu rows; stderr: %s", rows,
			 itest_stderr());
	itest_kill_all(pid);
}

/* kill -9 twice at different points, then resume to the end: every line once. */
static void killed_and_resumed(const char *mode, const char *polite)
{
	char name[64];
	const char *out, *list = the_list();

	snprintf(name, sizeof(name), "killed-%s%s.csv", mode, polite ? "-polite" : "");
	out = itest_path(name);
	unlink(out);
	/* polite: the list goes through the frontier, which takes a start URL listed twice twice */
	const char *first[] = { "crawl", "-q", "-m", mode, "-w", "2", "-o", out, list,
				polite, polite ? "2" : NULL, NULL };
	const char *again[] = { "crawl", "-m", mode, "-w", "2", "--resume", "-o", out, list,
				polite, polite ? "2" : NULL, NULL };

	kill_after(itest_spawn(first, NULL), out, 2);
	kill_after(itest_spawn(again, NULL), out, SLOW / 2);
	itest_expect_exit(itest_run(again, NULL, NULL), 0, "crawlpool: resuming: ");
	expect_csv_whole(out);
	/* and once more: nothing left to do */
	itest_expect_exit(itest_run(again, NULL, NULL), 0, NULL);
	expect_csv_whole(out);
}

static void test_killed_thread_mode(void **state)
{
	(void)state;
	killed_and_resumed("thread", NULL);
}

static void test_killed_process_mode(void **state)
{
	(void)state;
	killed_and_resumed("process", NULL);
}

static void test_killed_event_mode(void **state)
{
	(void)state;
	killed_and_resumed("event", NULL);
}

static void test_killed_hybrid_mode(void **state)
{
	(void)state;
	killed_and_resumed("hybrid", NULL);
}

static void test_killed_polite_list(void **state)
{
	(void)state;
	killed_and_resumed("thread", "--per-host");
}

/*
 * Killed half way through a row, twice, then resumed to the end: the torn
 * rows are cut and their lines crawled, every line once.
 */
static void torn_and_resumed(const char *mode)
{
	char name[64];
	const char *out, *list = the_list();

	snprintf(name, sizeof(name), "torn-%s.csv", mode);
	out = itest_path(name);
	unlink(out);
	const char *first[] = { "crawl", "-q", "-m", mode, "-w", "2", "-o", out, list, NULL };
	const char *again[] = { "crawl", "-m", mode, "-w", "2", "--resume", "-o", out, list, NULL };

	/* a few rows past the header, then a few more past the first cut */
	itest_tear_twice(out, first, again, 600, 900);
	itest_expect_exit(itest_run(again, NULL, NULL), 0, "; a torn last row of ");
	expect_csv_whole(out);
}

static void test_torn_every_mode(void **state)
{
	static const char *const modes[] = { "thread", "process", "event", "hybrid" };

	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		torn_and_resumed(modes[i]);
}

/*
 * The first Ctrl-C lets the URLs in flight finish; those queued for a worker
 * get no row, so the resume fetches them: no "interrupted" row is left.
 */
static void test_ctrl_c_then_resume(void **state)
{
	static const char *const modes[] = { "thread", "event", "process", "hybrid" };
	const char *out = itest_path("int.csv"), *list = the_list();
	struct itest_table t;

	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *first[] = { "crawl", "-q", "-m", modes[m], "-w", "4", "-o", out, list,
					NULL };
		const char *again[] = { "crawl", "-q", "-m", modes[m], "-w", "4", "--resume", "-o",
					out, list, NULL };
		pid_t pid;

		unlink(out);
		pid = itest_spawn(first, NULL);
		if (itest_wait_lines(out, 3, pid, 60) < 0)
			fail_msg("no rows; stderr: %s", itest_stderr());
		kill(pid, SIGINT);
		itest_expect_exit(itest_wait(pid, 60), 130, NULL);
		assert_true(itest_file_lines(out) < n_lines + 1);
		itest_expect_exit(itest_run(again, NULL, NULL), 0, NULL);
		expect_csv_whole(out);
		assert_int_equal(itest_csv_load(out, &t), 0);
		for (size_t i = 0; i < t.n; i++)
			if (strstr(t.rows[i].f[COL_ERROR], "interrupted"))
				fail_msg("%s mode: %s kept its row '%s'", modes[m],
					 t.rows[i].f[COL_URL], t.rows[i].f[COL_ERROR]);
		itest_table_free(&t);
	}
}

/* Resuming a finished crawl writes nothing and says so. */
static void test_finished_writes_nothing(void **state)
{
	const char *out = itest_path("done.csv"), *list = the_list();
	const char *first[] = { "crawl", "-q", "-w", "8", "-o", out, list, NULL };
	const char *again[] = { "crawl", "-w", "8", "--resume", "-o", out, list, NULL };
	char want[128], *before, *after;
	size_t len, len2;

	(void)state;
	itest_expect_exit(itest_run(first, NULL, NULL), 0, NULL);
	before = itest_slurp(out, &len);
	assert_non_null(before);
	snprintf(want, sizeof(want), "crawlpool: resuming: %zu rows already in '%s'\n", n_lines, out);
	itest_expect_exit(itest_run(again, NULL, NULL), 0, want);
	after = itest_slurp(out, &len2);
	assert_non_null(after);
	assert_int_equal(len, len2);
	assert_memory_equal(before, after, len);
	free(before);
	free(after);
}

/*
 * The file as a kill -9 mid-write leaves it: whole rows, then half of one.
 * Cut back to the last whole row, and the lines without a row crawled.
 */
static void torn_by_hand(const char *fmt, bool bom, const char *name)
{
	const char *out = itest_path(name), *list = the_list();
	const char *first[] = { "crawl", "-q", "-w", "8", "-f", fmt, "-o", out, list, bom ? "--bom" : NULL, NULL };
	const char *again[] = { "crawl", "-w", "8", "-f", fmt, "--resume", "-o", out, list, NULL };
	char *data, *p;
	size_t len;

	unlink(out);
	itest_expect_exit(itest_run(first, NULL, NULL), 0, NULL);
	data = itest_slurp(out, &len);
	assert_non_null(data);
	/* keep a third of the lines, and half of the next */
	p = data;
	for (size_t i = 0; i < n_lines / 3 + (strcmp(fmt, "jsonl") != 0); i++)
		p = strchr(p, '\n') + 1;
	p += (size_t)(strchr(p, '\n') - p) / 2;
	assert_int_equal(truncate(out, p - data), 0);
	free(data);
	itest_expect_exit(itest_run(again, NULL, NULL), 0, "; a torn last row of ");
}

static void test_torn_csv_with_bom(void **state)
{
	const char *out = itest_path("torn.csv");
	struct itest_table t;

	(void)state;
	torn_by_hand("csv", true, "torn.csv");
	expect_csv_whole(out);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_true(t.bom);
	itest_table_free(&t);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* got (n of them, sorted here) must be the list's lines, each once. */
static void expect_lines(char **got, size_t n, char *const *want_in)
{
	char *want[MAX_LINES];

	if (n != n_lines)
		fail_msg("%zu rows for %zu lines", n, n_lines);
	memcpy(want, want_in, n * sizeof(*want));
	qsort(got, n, sizeof(*got), cmp_str);
	qsort(want, n, sizeof(*want), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (strcmp(got[i], want[i]) != 0)
			fail_msg("rows and lines differ at '%s' / '%s'", got[i], want[i]);
}

static void test_torn_tsv(void **state)
{
	static const char head[] = "url\tfinal_url\tstatus\tbytes\tcontent_type\tttfb_ms\t"
				   "time_ms\tredirects\ttitle\tlinks\tworker\terror\n";
	const char *out = itest_path("torn.tsv");
	char *data, *p, *got[MAX_LINES];
	size_t len, n = 0;

	(void)state;
	torn_by_hand("tsv", false, "torn.tsv");
	data = itest_slurp(out, &len);
	assert_non_null(data);
	assert_int_equal(strncmp(data, head, strlen(head)), 0);
	assert_int_equal(data[len - 1], '\n');
	for (p = data + strlen(head); *p; ) {
		char *end = strchr(p, '\n'), *tab = strchr(p, '\t');
		size_t tabs = 0;

		assert_non_null(end);
		for (char *q = p; q < end; q++)
			tabs += *q == '\t';
		assert_int_equal(tabs, 11);
		assert_true(n < MAX_LINES);
		*tab = '\0';
		got[n++] = p;
		p = end + 1;
	}
	expect_lines(got, n, shown);
	free(data);
}

static void test_torn_jsonl(void **state)
{
	const char *out = itest_path("torn.jsonl");
	char *data, *p, *got[MAX_LINES];
	json_object *rows[MAX_LINES];
	size_t len, n = 0;

	(void)state;
	torn_by_hand("jsonl", false, "torn.jsonl");
	data = itest_slurp(out, &len);
	assert_non_null(data);
	assert_int_equal(data[len - 1], '\n');
	for (p = data; *p; ) {
		char *end = strchr(p, '\n');
		json_object *url;

		*end = '\0';
		assert_true(n < MAX_LINES);
		rows[n] = json_tokener_parse(p);
		if (!rows[n] || !json_object_object_get_ex(rows[n], "url", &url))
			fail_msg("not a row: %s", p);
		got[n] = (char *)json_object_get_string(url);
		n++;
		p = end + 1;
	}
	/* JSON Lines has no formula guard */
	expect_lines(got, n, lines);
	for (size_t i = 0; i < n; i++)
		json_object_put(rows[i]);
	free(data);
}

/* Refusals touch nothing; a missing or empty output is a fresh crawl. */
static void test_usage(void **state)
{
	static const char other[] = "name,age\r\nbob,7\r\n";
	const char *out = itest_path("usage.csv"), *list = the_list();
	const char *to_stdout[] = { "crawl", "-q", "--resume", "-o", "-", list, NULL };
	const char *follow[] = { "crawl", "-q", "--resume", "-r", "-o", out, list, NULL };
	const char *as_tsv[] = { "crawl", "-q", "-f", "tsv", "--resume", "-o", out, list, NULL };
	const char *as_csv[] = { "crawl", "-q", "-w", "8", "--resume", "-o", out, list, NULL };
	const char *the_list_itself[] = { "crawl", "-q", "--resume", "-o", list, list, NULL };
	char *before;
	size_t len, len2;

	(void)state;
	itest_write_file(out, other);
	itest_expect_exit(itest_run(to_stdout, NULL, NULL), 2, "it needs -o FILE");
	itest_expect_exit(itest_run(follow, NULL, NULL), 2,
		      "--resume with --follow needs --state FILE");
	itest_expect_exit(itest_run(as_csv, NULL, NULL), 2, "its first line is not crawlpool's csv header");
	before = itest_slurp(out, &len);
	assert_int_equal(len, strlen(other));
	assert_memory_equal(before, other, len);
	free(before);
	before = itest_slurp(list, &len);
	itest_expect_exit(itest_run(the_list_itself, NULL, NULL), 2, "it is the url list being read");
	{
		char *after = itest_slurp(list, &len2);

		assert_int_equal(len, len2);
		assert_memory_equal(before, after, len);
		free(after);
	}
	free(before);

	/* missing, then empty: a fresh crawl with its header */
	unlink(out);
	itest_expect_exit(itest_run(as_csv, NULL, NULL), 0, NULL);
	expect_csv_whole(out);
	/* a CSV resumed as TSV: refused, untouched */
	before = itest_slurp(out, &len);
	itest_expect_exit(itest_run(as_tsv, NULL, NULL), 2, "it holds csv rows, not tsv");
	{
		char *after = itest_slurp(out, &len2);

		assert_int_equal(len, len2);
		assert_memory_equal(before, after, len);
		free(after);
	}
	free(before);
	itest_write_file(out, "");
	itest_expect_exit(itest_run(as_csv, NULL, NULL), 0, NULL);
	expect_csv_whole(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_killed_thread_mode),
		cmocka_unit_test(test_killed_process_mode),
		cmocka_unit_test(test_killed_event_mode),
		cmocka_unit_test(test_killed_hybrid_mode),
		cmocka_unit_test(test_killed_polite_list),
		cmocka_unit_test(test_torn_every_mode),
		cmocka_unit_test(test_ctrl_c_then_resume),
		cmocka_unit_test(test_finished_writes_nothing),
		cmocka_unit_test(test_torn_csv_with_bom),
		cmocka_unit_test(test_torn_tsv),
		cmocka_unit_test(test_torn_jsonl),
		cmocka_unit_test(test_usage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
