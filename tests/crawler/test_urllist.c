/* test_urllist.c -- the URL list reader: trimming, comments, BOM, UTF-16 refused, long lines, buffer boundaries */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "urllist.h"

static char test_path[64];

static const char *write_list(const char *data, size_t len)
{
	int fd;

	if (test_path[0])
		unlink(test_path);
	snprintf(test_path, sizeof(test_path), "/tmp/crawler-urllist-XXXXXX");
	fd = mkstemp(test_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return test_path;
}

static int teardown(void **state)
{
	(void)state;
	if (test_path[0])
		unlink(test_path);
	test_path[0] = '\0';
	return 0;
}

/* Reads every entry and checks them against want[] (NULL-terminated). */
static void expect_lines(const char *path, const char *const *want)
{
	char err[256];
	struct urllist *l = urllist_open(path, err, sizeof(err));
	const char *line;
	size_t len, i = 0;
	bool cut;

	assert_non_null(l);
	while (urllist_next(l, &line, &len, &cut) == 1) {
		assert_non_null(want[i]);
		assert_string_equal(line, want[i]);
		assert_int_equal(len, strlen(want[i]));
		assert_false(cut);
		i++;
	}
	assert_null(want[i]);
	urllist_close(l);
}

static void test_trim_comments_blanks(void **state)
{
	static const char data[] =
		"\xef\xbb\xbfhttp://a/1\n"
		"# a comment\n"
		"\n"
		"   \t\n"
		"  http://a/2  \r\n"
		"\t# indented comment\n"
		"not a url at all\r\n"
		"http://a/3";	/* no final newline */
	static const char *const want[] = {
		"http://a/1", "http://a/2", "not a url at all", "http://a/3", NULL,
	};

	(void)state;
	expect_lines(write_list(data, sizeof(data) - 1), want);
	assert_int_equal(urllist_count(test_path), 4);
}

static void test_empty_file(void **state)
{
	static const char *const want[] = { NULL };

	(void)state;
	expect_lines(write_list("", 0), want);
	assert_int_equal(urllist_count(test_path), 0);
	expect_lines(write_list("\n\n# only comments\n", 18), want);
}

static void test_long_line_cut_and_next_intact(void **state)
{
	size_t big = 3 * URLLIST_LINE_MAX + 17;
	char *data = malloc(big + 64);
	const char *line;
	char err[256];
	struct urllist *l;
	size_t len, n;
	bool cut;

	(void)state;
	assert_non_null(data);
	n = (size_t)sprintf(data, "http://first/\n");
	memset(data + n, 'x', big);
	n += big;
	n += (size_t)sprintf(data + n, "\nhttp://after/\n");
	l = urllist_open(write_list(data, n), err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(urllist_next(l, &line, &len, &cut), 1);
	assert_string_equal(line, "http://first/");
	assert_int_equal(urllist_next(l, &line, &len, &cut), 1);
	assert_true(cut);
	assert_int_equal(len, URLLIST_LINE_MAX);
	assert_int_equal(strlen(line), URLLIST_LINE_MAX);
	assert_int_equal(urllist_next(l, &line, &len, &cut), 1);
	assert_false(cut);
	assert_string_equal(line, "http://after/");
	assert_int_equal(urllist_next(l, &line, &len, &cut), 0);
	urllist_close(l);
	free(data);
}

static void test_line_at_the_limit(void **state)
{
	char *data = malloc(2 * URLLIST_LINE_MAX + 8);
	const char *line;
	char err[256];
	struct urllist *l;
	size_t len;
	bool cut;

	(void)state;
	assert_non_null(data);
	memset(data, 'a', URLLIST_LINE_MAX);
	data[URLLIST_LINE_MAX] = '\n';
	memset(data + URLLIST_LINE_MAX + 1, 'b', URLLIST_LINE_MAX + 1);
	l = urllist_open(write_list(data, 2 * URLLIST_LINE_MAX + 2), err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(urllist_next(l, &line, &len, &cut), 1);
	assert_false(cut);
	assert_int_equal(len, URLLIST_LINE_MAX);
	assert_int_equal(urllist_next(l, &line, &len, &cut), 1);
	assert_true(cut);
	assert_int_equal(line[0], 'b');
	assert_int_equal(urllist_next(l, &line, &len, &cut), 0);
	urllist_close(l);
	free(data);
}

static void test_many_lines_across_buffers(void **state)
{
	enum { N = 50000 };
	char *data = malloc((size_t)N * 40);
	const char *line;
	char err[256], want[40];
	struct urllist *l;
	size_t len, n = 0;
	bool cut;

	(void)state;
	assert_non_null(data);
	for (int i = 0; i < N; i++)
		n += (size_t)sprintf(data + n, i % 7 ? "http://h/%d\n" : "# %d\n\n", i);
	l = urllist_open(write_list(data, n), err, sizeof(err));
	assert_non_null(l);
	for (int i = 0; i < N; i++) {
		if (i % 7 == 0)
			continue;
		assert_int_equal(urllist_next(l, &line, &len, &cut), 1);
		snprintf(want, sizeof(want), "http://h/%d", i);
		assert_string_equal(line, want);
	}
	assert_int_equal(urllist_next(l, &line, &len, &cut), 0);
	urllist_close(l);
	assert_int_equal(urllist_count(test_path), N - (N + 6) / 7);
	free(data);
}

/* On a pipe, no-wait mode says "again" until a whole line has arrived. */
static void test_nowait_on_a_pipe(void **state)
{
	struct urllist *list;
	const char *line;
	size_t len;
	bool cut;
	char err[256];
	int fds[2], saved_stdin = dup(STDIN_FILENO);

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	list = urllist_open("-", err, sizeof(err));
	assert_non_null(list);
	urllist_nowait(list, true);
	assert_int_equal(urllist_fd(list), STDIN_FILENO);

	assert_int_equal(urllist_next(list, &line, &len, &cut), URLLIST_AGAIN);
	assert_int_equal(write(fds[1], "http://a.test/1\nhttp://a.te", 27), 27);
	assert_int_equal(urllist_next(list, &line, &len, &cut), 1);
	assert_string_equal(line, "http://a.test/1");
	assert_int_equal(urllist_next(list, &line, &len, &cut), URLLIST_AGAIN);
	assert_int_equal(write(fds[1], "st/2\n", 5), 5);
	close(fds[1]);
	assert_int_equal(urllist_next(list, &line, &len, &cut), 1);
	assert_string_equal(line, "http://a.test/2");
	assert_int_equal(urllist_next(list, &line, &len, &cut), 0);

	urllist_close(list);
	dup2(saved_stdin, STDIN_FILENO);
	close(saved_stdin);
}

/*
 * A list in UTF-16 (a Windows editor's, PowerShell's '>') would be rows of
 * NULs: a file is refused at open, a pipe at its first line, saying why.
 */
static void test_refuses_utf16(void **state)
{
	static const char le[] = "\xff\xfeh\0t\0t\0p\0:\0/\0/\0a\0/\0\n\0";
	static const char be[] = "\xfe\xff\0h\0t\0t\0p\0:\0/\0/\0a\0/\0\n";
	const char *const plain[] = { "http://a/", NULL };
	int saved = dup(STDIN_FILENO), fds[2];
	struct urllist *l;
	const char *line;
	char err[256];
	size_t len;
	bool cut;

	(void)state;
	assert_null(urllist_open(write_list(le, sizeof(le) - 1), err, sizeof(err)));
	assert_non_null(strstr(err, "it is UTF-16 (it starts with a UTF-16 byte-order mark): "
				    "save it as UTF-8"));
	assert_null(urllist_open(write_list(be, sizeof(be) - 1), err, sizeof(err)));
	assert_non_null(strstr(err, "it is UTF-16"));
	/* UTF-8 with its byte-order mark is read as ever */
	expect_lines(write_list("\xef\xbb\xbfhttp://a/\n", 13), plain);

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	assert_int_equal(write(fds[1], le, sizeof(le) - 1), (ssize_t)sizeof(le) - 1);
	close(fds[1]);
	l = urllist_open("-", err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(urllist_next(l, &line, &len, &cut), -1);
	assert_string_equal(urllist_error(l), "it is UTF-16 (it starts with a UTF-16 byte-order "
					      "mark): save it as UTF-8");
	urllist_close(l);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

static void test_open_failure(void **state)
{
	char err[256];

	(void)state;
	assert_null(urllist_open("/nonexistent/urls.txt", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open url list '/nonexistent/urls.txt'"));
	assert_int_equal(urllist_count("/nonexistent/urls.txt"), -1);
	assert_int_equal(urllist_count("-"), -1);
}

/* A list that could never be read is refused at open: nothing else of the run happens. */
static void test_refuses_unreadable_lists(void **state)
{
	int saved = dup(STDIN_FILENO), fd;
	const char *path = write_list("http://a/\n", 10), *line;
	struct urllist *l;
	char err[256];
	size_t len;
	bool cut;

	(void)state;
	assert_true(saved >= 0);
	assert_null(urllist_open("/tmp", err, sizeof(err)));
	assert_string_equal(err, "cannot read url list '/tmp': Is a directory");

	close(STDIN_FILENO);
	assert_null(urllist_open("-", err, sizeof(err)));
	assert_string_equal(err, "cannot read url list from standard input: it is closed");

	fd = open(path, O_WRONLY);
	assert_int_equal(fd, STDIN_FILENO);
	assert_null(urllist_open("-", err, sizeof(err)));
	assert_string_equal(err, "cannot read url list from standard input: it is open for writing only");
	close(fd);

	/* a file opened while stdin is closed takes descriptor 0, and is still the list's to close */
	l = urllist_open(path, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(urllist_fd(l), STDIN_FILENO);
	assert_int_equal(urllist_next(l, &line, &len, &cut), 1);
	assert_string_equal(line, "http://a/");
	urllist_close(l);
	assert_true(fcntl(STDIN_FILENO, F_GETFD) < 0);

	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_trim_comments_blanks, teardown),
		cmocka_unit_test_teardown(test_empty_file, teardown),
		cmocka_unit_test_teardown(test_long_line_cut_and_next_intact, teardown),
		cmocka_unit_test_teardown(test_line_at_the_limit, teardown),
		cmocka_unit_test_teardown(test_many_lines_across_buffers, teardown),
		cmocka_unit_test(test_nowait_on_a_pipe),
		cmocka_unit_test_teardown(test_refuses_utf16, teardown),
		cmocka_unit_test(test_open_failure),
		cmocka_unit_test_teardown(test_refuses_unreadable_lists, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
