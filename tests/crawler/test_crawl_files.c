/* test_crawl_files.c -- what a crawl does to the user's files: refusals touch nothing, files written apart, append checks, a full disk, a closed pipe */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"

enum { PAGES = 300, SLOW = 20 };

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

/* A list of the first n demo pages, in the scratch dir under name. */
static const char *write_pages(const char *name, unsigned n)
{
	const char *path = itest_path(name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%s/page/%u.html\n", site.base, i);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void expect_run(const char *const *args, const char *in, int want, const char *needle)
{
	itest_expect_exit(itest_run(args, in, NULL), want, needle);
}

/* Fails unless path still holds exactly the len bytes of want. */
static void expect_unchanged(const char *path, const char *want, size_t len)
{
	size_t got_len;
	char *got = itest_slurp(path, &got_len);

	assert_non_null(got);
	if (got_len != len || memcmp(got, want, len) != 0)
		fail_msg("%s was changed: %zu bytes, had %zu", path, got_len, len);
	free(got);
}

/* The output named as the list itself, whatever the spelling: refused, and the list is whole. */
static void test_output_is_the_list(void **state)
{
	const char *list = write_pages("same.txt", 3);
	const char *sym = itest_path("same-link.txt"), *hard = itest_path("same-hard.txt");
	char dotted[256], *before;
	size_t len;
	int fd;

	(void)state;
	snprintf(dotted, sizeof(dotted), "%s/./same.txt", itest_dir());
	unlink(sym);
	unlink(hard);
	assert_int_equal(symlink(list, sym), 0);
	assert_int_equal(link(list, hard), 0);
	before = itest_slurp(list, &len);
	assert_non_null(before);

	const char *outs[] = { list, dotted, sym, hard };
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		const char *plain[] = { "crawl", "-q", "-o", outs[i], list, NULL };
		const char *append[] = { "crawl", "-q", "--append", "-o", outs[i], list, NULL };

		expect_run(plain, NULL, 2, "is the url list being read");
		expect_unchanged(list, before, len);
		expect_run(append, NULL, 2, "is the url list being read");
		expect_unchanged(list, before, len);
	}

	/* the list on stdin, the output a name for stdin */
	const char *dev_stdin[] = { "crawl", "-q", "-o", "/dev/stdin", "-", NULL };
	const char *proc_fd[] = { "crawl", "-q", "-o", "/proc/self/fd/0", "-", NULL };

	expect_run(dev_stdin, list, 2, "cannot write to '/dev/stdin': it is the url list being read");
	expect_unchanged(list, before, len);
	expect_run(proc_fd, list, 2, "is the url list being read");
	expect_unchanged(list, before, len);

	/* stdout appending to the list would feed the rows back in as URLs */
	const char *to_stdout[] = { "crawl", "-q", "-o", "-", list, NULL };

	fd = open(list, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	itest_expect_exit(itest_wait(itest_spawn_fds(to_stdout, ITEST_FD_USUAL, fd, ITEST_FD_USUAL), 60),
		      2, "cannot write to standard output: it is the url list being read");
	close(fd);
	expect_unchanged(list, before, len);

	/* stdin and stdout are different streams: fine */
	const char *streams[] = { "crawl", "-q", "-o", "-", "-", NULL };
	struct itest_table t;

	expect_run(streams, list, 0, NULL);
	assert_int_equal(itest_csv_load(itest_stdout_path(), &t), 0);
	assert_int_equal(t.n, 3);
	itest_table_free(&t);
	free(before);
}

/* A list that cannot be read, or a usage error: exit 2 and the existing output as it was. */
static void test_refusals_touch_nothing(void **state)
{
	static const char precious[] = "precious\n";
	const char *out = itest_path("keep.csv"), *list = write_pages("keep.txt", 3);
	const char *dir[] = { "crawl", "-q", "-o", out, itest_dir(), NULL };
	const char *from_stdin[] = { "crawl", "-q", "-o", out, "-", NULL };
	const char *usage[] = { "crawl", "-q", "-w", "0", "-o", out, list, NULL };
	const char *missing[] = { "crawl", "-q", "-o", out, itest_path("missing.txt"), NULL };
	const char *missing_here[] = { "crawl", "-q", "-o", out, "./data.v2/missing.txt", NULL };
	const char *schemeless[] = { "crawl", "-q", "-o", out, "127.0.0.1:9/page/1.html", NULL };
	const char *to_stdout[] = { "crawl", "-q", "-o", "-", list, NULL };
	int fd;

	(void)state;
	itest_write_file(out, precious);
	expect_run(dir, NULL, 2, "cannot read url list '");
	assert_non_null(strstr(itest_stderr(), "Is a directory"));
	expect_unchanged(out, precious, strlen(precious));

	itest_expect_exit(itest_wait(itest_spawn_fds(from_stdin, ITEST_FD_CLOSED, ITEST_FD_USUAL,
						 ITEST_FD_USUAL), 60),
		      2, "cannot read url list from standard input: it is closed");
	expect_unchanged(out, precious, strlen(precious));

	fd = open(itest_path("write-only.txt"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	itest_expect_exit(itest_wait(itest_spawn_fds(from_stdin, fd, ITEST_FD_USUAL, ITEST_FD_USUAL), 60),
		      2, "cannot read url list from standard input: it is open for writing only");
	close(fd);
	expect_unchanged(out, precious, strlen(precious));

	expect_run(usage, NULL, 2, "invalid --workers");
	expect_unchanged(out, precious, strlen(precious));
	expect_run(missing, NULL, 2, "cannot open url list");
	if (strstr(itest_stderr(), "http://"))
		fail_msg("a missing list file taken for a URL: %s", itest_stderr());
	expect_run(missing_here, NULL, 2, "cannot open url list");
	if (strstr(itest_stderr(), "http://"))
		fail_msg("a missing list file taken for a URL: %s", itest_stderr());
	expect_unchanged(out, precious, strlen(precious));
	/* a URL typed without its scheme is no file: the error says what it lacks */
	expect_run(schemeless, NULL, 2, "No such file or directory (a URL needs http:// or https:// "
		   "in front)");
	expect_unchanged(out, precious, strlen(precious));

	itest_expect_exit(itest_wait(itest_spawn_fds(to_stdout, ITEST_FD_USUAL, ITEST_FD_CLOSED,
						 ITEST_FD_USUAL), 60),
		      2, "cannot write to standard output: it is closed");
}

/*
 * The files a crawl writes (-o, --state, -c) are refused when two of them are
 * one file, or when the state or the jar is the list: each would be written
 * over. The list and an existing output stay as they were; reading cookies
 * from the jar it writes (-b FILE -c FILE) is fine.
 */
static void test_written_files_apart(void **state)
{
	const char *list = write_pages("apart.txt", 3), *out = itest_path("apart.csv");
	const char *fresh = itest_path("apart-new.csv"), *jar = itest_path("apart.jar");
	char dotted[256], *list_before, *out_before;
	size_t list_len, out_len;
	struct stat st;

	(void)state;
	snprintf(dotted, sizeof(dotted), "%s/./apart.csv", itest_dir());
	const char *first[] = { "crawl", "-q", "-o", out, list, NULL };
	const char *jar_is_list[] = { "crawl", "-q", "-o", out, "-c", list, list, NULL };
	const char *jar_is_out[] = { "crawl", "-q", "-o", out, "-c", dotted, list, NULL };
	const char *new_jar_is_out[] = { "crawl", "-q", "-o", fresh, "-c", fresh, list, NULL };
	const char *state_is_out[] = { "crawl", "-q", "-r", "-o", fresh, "--state", fresh,
				       list, NULL };
	const char *state_is_list[] = { "crawl", "-q", "-r", "-o", fresh, "--state", list,
					list, NULL };
	const char *jar_is_state[] = { "crawl", "-q", "-r", "-o", fresh, "--state", jar, "-c",
				       jar, list, NULL };
	const char *jar_read_too[] = { "crawl", "-q", "-o", fresh, "-b", jar, "-c", jar, list,
				       NULL };

	expect_run(first, NULL, 0, NULL);
	list_before = itest_slurp(list, &list_len);
	out_before = itest_slurp(out, &out_len);
	assert_non_null(list_before);
	assert_non_null(out_before);

	expect_run(jar_is_list, NULL, 2, "--cookie-jar '");
	assert_non_null(strstr(itest_stderr(), "is a URL list this crawl reads"));
	expect_unchanged(list, list_before, list_len);
	expect_run(jar_is_out, NULL, 2, "are one file");
	expect_unchanged(out, out_before, out_len);
	expect_run(new_jar_is_out, NULL, 2, "are one file");
	expect_run(state_is_out, NULL, 2, "are one file");
	expect_run(state_is_list, NULL, 2, "is a URL list this crawl reads");
	expect_unchanged(list, list_before, list_len);
	expect_run(jar_is_state, NULL, 2, "are one file");
	assert_int_equal(stat(fresh, &st), -1);
	assert_int_equal(stat(jar, &st), -1);

	itest_write_file(jar, "# Netscape HTTP Cookie File\n");
	expect_run(jar_read_too, NULL, 0, NULL);
	free(list_before);
	free(out_before);
}

/* A second crawl onto an output being written is refused, plain or resumed; the first ends whole. */
static void test_output_in_use(void **state)
{
	const char *out = itest_path("busy.csv"), *list = itest_path("busy.txt");
	const char *first[] = { "crawl", "-q", "-w", "2", "-o", out, list, NULL };
	const char *again[] = { "crawl", "-q", "-o", out, list, NULL };
	const char *resume[] = { "crawl", "-q", "--resume", "-o", out, list, NULL };
	struct itest_table t;
	struct stat st;
	FILE *f = fopen(list, "w");
	pid_t pid;

	(void)state;
	assert_non_null(f);
	for (unsigned i = 0; i < 4; i++)
		fprintf(f, "%s/fault/slow?ms=1500&u=%u\n", site.base, i);
	assert_int_equal(fclose(f), 0);
	unlink(out);
	pid = itest_spawn(first, NULL);
	for (unsigned i = 0; i < 200 && stat(out, &st) < 0; i++)
		usleep(20000);
	usleep(200000);
	expect_run(again, NULL, 2, "another crawl is writing it");
	expect_run(resume, NULL, 2, "another crawl is writing it");
	assert_int_equal(itest_wait(pid, 30), 0);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 4);
	itest_table_free(&t);
}

/* A row fetched reaches the file soon, though no other row comes after it to push it out. */
static void test_rows_out_while_waiting(void **state)
{
	const char *out = itest_path("waiting.csv"), *list = itest_path("waiting.txt");
	const char *modes[] = { "thread", "process", "event", "hybrid" };
	FILE *f = fopen(list, "w");

	(void)state;
	assert_non_null(f);
	fprintf(f, "%s/page/1.html\n%s/fault/slow?ms=6000\n", site.base, site.base);
	assert_int_equal(fclose(f), 0);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *args[] = { "crawl", "-q", "-m", modes[m], "-w", "2", "-o", out, list,
				       NULL };
		pid_t pid;

		unlink(out);
		pid = itest_spawn(args, NULL);
		/* the header and the fast page's row, well before the slow page ends */
		if (itest_wait_lines(out, 2, pid, 4) != 0)
			fail_msg("%s mode: the first row was not in the file after 4 s", modes[m]);
		assert_int_equal(itest_wait(pid, 30), 0);
		assert_int_equal(itest_file_lines(out), 3);
	}
}

/* JSON Lines has no header: its first row's keys must be this crawl's columns to add rows. */
static void test_jsonl_keys_checked(void **state)
{
	const char *list = write_pages("keys.txt", 3), *out = itest_path("keys.jsonl");
	const char *first[] = { "crawl", "-q", "-f", "jsonl", "-o", out, list, NULL };
	const char *append[] = { "crawl", "-q", "-f", "jsonl", "--append", "--fields", "url,status",
				 "-o", out, list, NULL };
	const char *resume[] = { "crawl", "-q", "-f", "jsonl", "--resume", "--fields", "url,status",
				 "-o", out, list, NULL };
	const char *same[] = { "crawl", "-q", "-f", "jsonl", "--append", "-o", out, list, NULL };
	char *before;
	size_t len;

	(void)state;
	expect_run(first, NULL, 0, NULL);
	before = itest_slurp(out, &len);
	assert_non_null(before);
	expect_run(append, NULL, 2, "its rows hold the keys 'url,final_url,status");
	assert_non_null(strstr(itest_stderr(), "this crawl writes 'url,status'"));
	expect_unchanged(out, before, len);
	expect_run(resume, NULL, 2, "cannot resume '");
	assert_non_null(strstr(itest_stderr(), "this crawl writes 'url,status'"));
	expect_unchanged(out, before, len);
	expect_run(same, NULL, 0, NULL);
	free(before);
}

/* With stderr closed the output file must not become descriptor 2 and take in the summary. */
static void test_closed_stderr_keeps_rows_clean(void **state)
{
	const char *out = itest_path("clean.csv");
	const char *args[] = { "crawl", "-o", out, "-", NULL };
	struct itest_table t;
	int fd = open(write_pages("clean.txt", 3), O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	itest_expect_exit(itest_wait(itest_spawn_fds(args, fd, ITEST_FD_USUAL, ITEST_FD_CLOSED), 60), 0, NULL);
	close(fd);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 3);
	itest_table_free(&t);
}

/*
 * --append checks the file first: a missing line end is added, a torn last row, another
 * format or header refused.
 */
static void test_append_checks_the_file(void **state)
{
	static const char other[] = "name,age\r\nbob,7\r\n";
	const char *out = itest_path("app.csv"), *list = write_pages("app.txt", 3);
	const char *other_csv = itest_path("other.csv"), *plain = itest_path("nobom.csv");
	const char *first[] = { "crawl", "-q", "-o", out, list, NULL };
	const char *append[] = { "crawl", "-q", "--append", "-o", out, list, NULL };
	const char *tsv[] = { "crawl", "-q", "-f", "tsv", "--append", "-o", out, list, NULL };
	const char *jsonl[] = { "crawl", "-q", "-f", "jsonl", "--append", "-o", out, list, NULL };
	const char *to_other[] = { "crawl", "-q", "--append", "-o", other_csv, list, NULL };
	const char *no_bom[] = { "crawl", "-q", "-o", plain, list, NULL };
	const char *bom[] = { "crawl", "-q", "--bom", "--append", "-o", plain, list, NULL };
	struct itest_table t;
	struct stat st;
	char *before, want[512];
	size_t len;
	FILE *torn;

	(void)state;
	expect_run(first, NULL, 0, NULL);
	/* the last row loses its CRLF, as an editor or a torn write may leave it */
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(truncate(out, st.st_size - 2), 0);
	expect_run(append, NULL, 0, NULL);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 6);
	itest_table_free(&t);

	/* a row torn inside a quote would swallow the rows after it: refused, the file as it was */
	assert_int_equal(stat(out, &st), 0);
	torn = fopen(out, "ab");
	assert_non_null(torn);
	fputs("http://x/,\"torn title", torn);
	assert_int_equal(fclose(torn), 0);
	before = itest_slurp(out, &len);
	assert_non_null(before);
	expect_run(append, NULL, 2, "is a torn row (it ends inside a quote)");
	expect_unchanged(out, before, len);
	free(before);
	assert_int_equal(truncate(out, st.st_size), 0);

	before = itest_slurp(out, &len);
	assert_non_null(before);
	snprintf(want, sizeof(want), "cannot append tsv rows to '%s': it holds csv rows", out);
	expect_run(tsv, NULL, 2, want);
	expect_unchanged(out, before, len);
	expect_run(jsonl, NULL, 2, "cannot append jsonl rows");
	expect_unchanged(out, before, len);
	free(before);

	itest_write_file(other_csv, other);
	expect_run(to_other, NULL, 2, "its first line is not crawlpool's csv header");
	expect_unchanged(other_csv, other, strlen(other));

	/* a file without a BOM gets none: a BOM can only lead a file */
	expect_run(no_bom, NULL, 0, NULL);
	expect_run(bom, NULL, 0, NULL);
	assert_int_equal(itest_csv_load(plain, &t), 0);
	assert_false(t.bom);
	assert_int_equal(t.n, 6);
	itest_table_free(&t);
}

/* A file that cannot grow (ulimit -f, as a full disk): cut back to whole rows, counted, exit 1. */
static void full_disk(const char *mode)
{
	const char *out = itest_path("full.csv");
	const char *args[] = { "crawl", "-q", "-m", mode, "-w", "4", "-o", out,
			       write_pages("full.txt", PAGES), NULL };
	struct itest_table t;
	struct stat st;
	char want[128];

	itest_limit_fsize(8192);
	itest_expect_exit(itest_wait(itest_spawn_fds(args, ITEST_FD_USUAL, ITEST_FD_USUAL, ITEST_FD_USUAL), 60),
		      1, "File too large");
	assert_int_equal(stat(out, &st), 0);
	assert_true(st.st_size <= 8192);
	/* the strict loader refuses a torn last row */
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_true(t.n > 0 && t.n < PAGES);
	for (size_t i = 0; i < t.n; i++)
		itest_find(&t, t.rows[i].f[COL_URL]);
	snprintf(want, sizeof(want), "crawl abandoned: %zu rows written, each one whole", t.n);
	if (!strstr(itest_stderr(), want))
		fail_msg("%s mode: stderr '%s' lacks '%s'", mode, itest_stderr(), want);
	itest_table_free(&t);
}

static void test_full_disk_thread_mode(void **state)
{
	(void)state;
	full_disk("thread");
}

static void test_full_disk_process_mode(void **state)
{
	(void)state;
	full_disk("process");
}

/*
 * A full disk under --append or --resume (ulimit -f at the file's size, or a
 * little past it): the file is cut back to whole rows, and stderr counts
 * every row it holds, those from before this run too, then this run's.
 */
static void full_disk_after(const char *how, unsigned long room)
{
	const char *out = itest_path("full-again.csv");
	const char *first[] = { "crawl", "-q", "-o", out, write_pages("first.txt", 20), NULL };
	const char *again[] = { "crawl", "-q", "-w", "4", how, "-o", out,
				write_pages("again.txt", PAGES), NULL };
	struct itest_table t;
	struct stat st;
	char want[512];

	expect_run(first, NULL, 0, NULL);
	assert_int_equal(stat(out, &st), 0);
	itest_limit_fsize((unsigned long)st.st_size + room);
	itest_expect_exit(itest_wait(itest_spawn_fds(again, ITEST_FD_USUAL, ITEST_FD_USUAL,
						     ITEST_FD_USUAL), 60), 1, "File too large");
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_true(t.n >= 20 && t.n < 20 + PAGES);
	if (room == 0)
		assert_int_equal(t.n, 20);
	else
		assert_true(t.n > 20);
	snprintf(want, sizeof(want), "crawl abandoned: '%s' holds %zu rows, each one whole (%zu "
		 "written by this run)", out, t.n, t.n - 20);
	if (!strstr(itest_stderr(), want))
		fail_msg("%s: stderr '%s' lacks '%s'", how, itest_stderr(), want);
	itest_table_free(&t);
}

static void test_full_disk_after_append(void **state)
{
	(void)state;
	full_disk_after("--append", 0);
	full_disk_after("--append", 4096);
}

static void test_full_disk_after_resume(void **state)
{
	(void)state;
	full_disk_after("--resume", 0);
	full_disk_after("--resume", 4096);
}

/* Reads from fd until a newline arrives; fails after timeout_s. */
static void read_line(int fd, double timeout_s)
{
	double deadline = itest_now() + timeout_s;
	char c = 0;

	while (c != '\n') {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (itest_now() > deadline)
			fail_msg("no line on the pipe in %.0f s", timeout_s);
		if (poll(&pfd, 1, 100) == 1 && read(fd, &c, 1) != 1)
			fail_msg("the pipe closed before a whole line");
	}
}

/* crawl | head -1: no reader left is the end of the crawl, silent, with exit 141. */
static void test_closed_pipe_ends_quietly(void **state)
{
	const char *list = itest_path("slow.txt");
	const char *args[] = { "crawl", "-w", "2", "-o", "-", list, NULL };
	FILE *f = fopen(list, "w");
	double t0;
	pid_t pid;
	int p[2];

	(void)state;
	assert_non_null(f);
	fprintf(f, "%s/page/1.html\n", site.base);
	for (int i = 0; i < SLOW; i++)
		fprintf(f, "%s/fault/slow?ms=1000\n", site.base);
	assert_int_equal(fclose(f), 0);

	/* the reader is gone before the header */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	close(p[0]);
	pid = itest_spawn_fds(args, ITEST_FD_USUAL, p[1], ITEST_FD_USUAL);
	close(p[1]);
	itest_expect_exit(itest_wait(pid, 60), 141, NULL);
	assert_string_equal(itest_stderr(), "");

	/* the reader leaves after the header: the crawl stops long before its 10 s of slow pages */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = itest_spawn_fds(args, ITEST_FD_USUAL, p[1], ITEST_FD_USUAL);
	close(p[1]);
	read_line(p[0], 30);
	close(p[0]);
	t0 = itest_now();
	itest_expect_exit(itest_wait(pid, 60), 141, NULL);
	if (itest_now() - t0 > 6)
		fail_msg("the crawl went on %.1f s after its reader left", itest_now() - t0);
	assert_string_equal(itest_stderr(), "");
}

/* A list line is text a spreadsheet would run: guarded like page text, in CSV and TSV. */
static void test_formula_in_list_lines(void **state)
{
	static const char *const lines[] = {
		"=HYPERLINK(\"http://x.test/\",\"x\")", "@SUM(A1)", "+1+1", "-1+1",
	};
	const char *list = itest_path("formula.txt"), *csv = itest_path("formula.csv");
	const char *tsv = itest_path("formula.tsv"), *raw = itest_path("formula-raw.csv");
	const char *a[] = { "crawl", "-q", "-o", csv, list, NULL };
	const char *b[] = { "crawl", "-q", "-f", "tsv", "-o", tsv, list, NULL };
	const char *c[] = { "crawl", "-q", "--no-formula-guard", "-o", raw, list, NULL };
	struct itest_table t, r;
	char guarded[64], *text;
	FILE *f = fopen(list, "w");

	(void)state;
	assert_non_null(f);
	for (size_t i = 0; i < 4; i++)
		fprintf(f, "%s\n", lines[i]);
	assert_int_equal(fclose(f), 0);
	expect_run(a, NULL, 0, NULL);
	expect_run(b, NULL, 0, NULL);
	expect_run(c, NULL, 0, NULL);
	assert_int_equal(itest_csv_load(csv, &t), 0);
	assert_int_equal(itest_csv_load(raw, &r), 0);
	text = itest_slurp(tsv, NULL);
	assert_non_null(text);
	for (size_t i = 0; i < 4; i++) {
		char line[96];

		snprintf(guarded, sizeof(guarded), "'%s", lines[i]);
		assert_non_null(itest_find(&t, guarded));
		assert_null(itest_find(&t, lines[i]));
		assert_non_null(itest_find(&r, lines[i]));
		snprintf(line, sizeof(line), "\n'%s\t", lines[i]);
		if (!strstr(text, line))
			fail_msg("the TSV lacks a guarded row for %s", lines[i]);
	}
	free(text);
	itest_table_free(&t);
	itest_table_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_is_the_list),
		cmocka_unit_test(test_refusals_touch_nothing),
		cmocka_unit_test(test_closed_stderr_keeps_rows_clean),
		cmocka_unit_test(test_append_checks_the_file),
		cmocka_unit_test(test_written_files_apart),
		cmocka_unit_test(test_jsonl_keys_checked),
		cmocka_unit_test(test_output_in_use),
		cmocka_unit_test(test_rows_out_while_waiting),
		cmocka_unit_test(test_full_disk_thread_mode),
		cmocka_unit_test(test_full_disk_process_mode),
		cmocka_unit_test(test_full_disk_after_append),
		cmocka_unit_test(test_full_disk_after_resume),
		cmocka_unit_test(test_closed_pipe_ends_quietly),
		cmocka_unit_test(test_formula_in_list_lines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
