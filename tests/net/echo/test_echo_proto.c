/* test_echo_proto.c -- unit tests of the echo protocol functions and option parsing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "echo_opts.h"
#include "echo_proto.h"

static void test_scan_answers_everything_within_the_limit(void **state)
{
	const char buf[] = "ab\ncd\nef";
	size_t line = 0;

	(void)state;
	/* No waiting for a newline: all of it may be answered, the unfinished line too. */
	assert_int_equal(echo_scan(buf, strlen(buf), &line, 10), strlen(buf));
	assert_int_equal(line, 2);
	assert_int_equal(echo_scan("hello", 5, &line, 10), 5);
	assert_int_equal(line, 7);
	assert_int_equal(echo_scan("", 0, &line, 10), 0);
	assert_int_equal(line, 7);
	assert_int_equal(echo_scan("\n\n", 2, &line, 10), 2);
	assert_int_equal(line, 0);
}

static void test_scan_limit_is_inclusive(void **state)
{
	size_t line = 0;

	(void)state;
	/* Exactly max_line bytes before the newline is allowed, one more is not. */
	assert_int_equal(echo_scan("abcd\n", 5, &line, 4), 5);
	assert_int_equal(line, 0);
	assert_int_equal(echo_scan("abcde\n", 6, &line, 4), 4);
	assert_int_equal(line, 4);
	/* An unfinished line is refused as soon as it is over the limit. */
	line = 0;
	assert_int_equal(echo_scan("abcd", 4, &line, 4), 4);
	assert_int_equal(echo_scan("\n", 1, &line, 4), 1);
	line = 0;
	assert_int_equal(echo_scan("abcde", 5, &line, 4), 4);
}

static void test_scan_good_lines_before_a_long_one(void **state)
{
	const char buf[] = "ok\nfine\nmuch too long\nlater\n";
	size_t line = 0;

	(void)state;
	/* "ok\nfine\n" and "much " are within the limit; the 't' is one too many. */
	assert_int_equal(echo_scan(buf, strlen(buf), &line, 5), 13);
	assert_int_equal(line, 5);
}

static void test_scan_counts_across_calls(void **state)
{
	/* A line that arrives a byte at a time is held to the same limit. */
	size_t line = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(echo_scan("x", 1, &line, 3), 1);
	assert_int_equal(echo_scan("x", 1, &line, 3), 0);
	line = 2;
	assert_int_equal(echo_scan("ab\ncde\nf", 9, &line, 3), 1);
	line = 3;
	assert_int_equal(echo_scan("\nabc", 4, &line, 3), 4);
	assert_int_equal(line, 3);
}

static void test_upcase_ascii_only(void **state)
{
	char buf[] = "hello, World! az AZ @[`{ \xc3\xa9t\xc3\xa9 \xc3\x9f 0123\r\n\t";
	const char want[] = "HELLO, WORLD! AZ AZ @[`{ \xc3\xa9T\xc3\xa9 \xc3\x9f 0123\r\n\t";

	(void)state;
	echo_upcase(buf, strlen(buf));
	assert_string_equal(buf, want);
}

static void test_upcase_keeps_every_non_letter_byte(void **state)
{
	char buf[256];

	(void)state;
	for (int i = 0; i < 256; i++)
		buf[i] = (char)i;
	echo_upcase(buf, sizeof(buf));
	for (int i = 0; i < 256; i++) {
		int want = i >= 'a' && i <= 'z' ? i - 32 : i;

		assert_int_equal((unsigned char)buf[i], want);
	}
}

static void test_server_messages_are_not_echoes(void **state)
{
	char echo[] = "error busy\n";

	(void)state;
	echo_upcase(echo, strlen(echo));
	assert_false(echo_is_server_message(echo, strlen(echo)));
	assert_true(echo_is_server_message(ECHO_MSG_BUSY, strlen(ECHO_MSG_BUSY)));
	assert_true(echo_is_server_message(ECHO_MSG_TOO_LONG, strlen(ECHO_MSG_TOO_LONG)));
}

static void test_server_opts_defaults(void **state)
{
	char *argv[] = { "echo-server", NULL };
	struct echo_server_opts o;
	char err[ECHO_OPTS_ERR_LEN];

	(void)state;
	assert_int_equal(echo_server_opts_parse(&o, 1, argv, err), ECHO_OPTS_RUN);
	assert_string_equal(o.host, "127.0.0.1");
	assert_int_equal(o.port, 8080);
	assert_int_equal(o.max_clients, 1024);
	assert_int_equal(o.idle_seconds, 300);
	assert_int_equal(o.max_line, 65536);
	assert_null(o.secret_file);
	assert_false(o.quiet);
}

static void test_server_opts_all(void **state)
{
	char *argv[] = { "echo-server", "--host", "::1", "--port", "0", "--mode", "process",
			 "--secret-file", "k", "--max-clients", "5", "--idle-timeout", "7",
			 "--max-line", "100", "--port-file", "p", "--quiet", NULL };
	struct echo_server_opts o;
	char err[ECHO_OPTS_ERR_LEN];

	(void)state;
	assert_int_equal(echo_server_opts_parse(&o, 18, argv, err), ECHO_OPTS_RUN);
	assert_string_equal(o.host, "::1");
	assert_int_equal(o.port, 0);
	assert_int_equal(o.mode, ECHO_MODE_PROCESS);
	assert_string_equal(o.secret_file, "k");
	assert_int_equal(o.max_clients, 5);
	assert_int_equal(o.idle_seconds, 7);
	assert_int_equal(o.max_line, 100);
	assert_string_equal(o.port_file, "p");
	assert_true(o.quiet);
}

static void expect_usage(int argc, char **argv, const char *words)
{
	struct echo_server_opts o;
	char err[ECHO_OPTS_ERR_LEN] = "";

	assert_int_equal(echo_server_opts_parse(&o, argc, argv, err), ECHO_OPTS_USAGE);
	assert_non_null(strstr(err, words));
}

static void test_server_opts_errors(void **state)
{
	char *mode[] = { "s", "--mode", "fork", NULL };
	char *port[] = { "s", "--port", "65536", NULL };
	char *clients[] = { "s", "--max-clients", "0", NULL };
	char *negative[] = { "s", "--max-line", "-5", NULL };
	char *junk[] = { "s", "--idle-timeout", "10s", NULL };
	char *unknown[] = { "s", "--frobnicate", NULL };
	char *missing[] = { "s", "--port", NULL };
	char *extra[] = { "s", "stray", NULL };
	char *help[] = { "s", "--help", NULL };
	struct echo_server_opts o;
	char err[ECHO_OPTS_ERR_LEN];

	(void)state;
	expect_usage(3, mode, "invalid mode 'fork'");
	expect_usage(3, port, "invalid --port '65536': use a number from 0 to 65535");
	expect_usage(3, clients, "--max-clients");
	expect_usage(3, negative, "--max-line");
	expect_usage(3, junk, "--idle-timeout");
	expect_usage(2, unknown, "--frobnicate");
	expect_usage(2, missing, "missing value");
	expect_usage(2, extra, "stray");
	assert_int_equal(echo_server_opts_parse(&o, 2, help, err), ECHO_OPTS_HELP);
}

/* Each value here was taken before util/numbers.c, or refused without its range. */
static void test_server_opts_numbers(void **state)
{
	static const struct {
		const char *opt, *value, *message;
	} cases[] = {
		{ "--max-line", " 5", "invalid --max-line ' 5': use a size from 1 to 64M (K, M, G)" },
		{ "--max-line", "65M", "invalid --max-line '65M': use a size from 1 to 64M (K, M, G)" },
		{ "--port", " 80", "invalid --port ' 80': use a number from 0 to 65535" },
		{ "--port", "+80", "invalid --port '+80': use a number from 0 to 65535" },
		{ "--port", "", "invalid --port '': use a number from 0 to 65535" },
		{ "--max-clients", " 5", "invalid --max-clients ' 5': use a number from 1 to 100000" },
		{ "--idle-timeout", "18446744073709551617", "invalid --idle-timeout "
		  "'18446744073709551617': use a number from 1 to 604800" },
	};
	char *line_k[] = { "s", "--max-line", "64K", NULL };
	struct echo_server_opts o;
	char err[ECHO_OPTS_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "s", (char *)cases[i].opt, (char *)cases[i].value, NULL };

		assert_int_equal(echo_server_opts_parse(&o, 3, argv, err), ECHO_OPTS_USAGE);
		assert_string_equal(err, cases[i].message);
	}
	assert_int_equal(echo_server_opts_parse(&o, 3, line_k, err), ECHO_OPTS_RUN);
	assert_int_equal(o.max_line, 65536);
}

static void test_client_opts(void **state)
{
	char *argv[] = { "echo-client", "--port", "9", "--secret-file", "s", NULL };
	char *bad[] = { "echo-client", "--mode", "event", NULL };
	char *port_space[] = { "echo-client", "--port", " 9", NULL };
	struct echo_client_opts o;
	char err[ECHO_OPTS_ERR_LEN];

	(void)state;
	assert_int_equal(echo_client_opts_parse(&o, 5, argv, err), ECHO_OPTS_RUN);
	assert_string_equal(o.host, "127.0.0.1");
	assert_int_equal(o.port, 9);
	assert_string_equal(o.secret_file, "s");
	assert_int_equal(echo_client_opts_parse(&o, 3, bad, err), ECHO_OPTS_USAGE);
	assert_int_equal(echo_client_opts_parse(&o, 3, port_space, err), ECHO_OPTS_USAGE);
	assert_string_equal(err, "invalid --port ' 9': use a number from 1 to 65535");
	port_space[2] = "0";
	assert_int_equal(echo_client_opts_parse(&o, 3, port_space, err), ECHO_OPTS_USAGE);
	assert_string_equal(err, "invalid --port '0': use a number from 1 to 65535");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_answers_everything_within_the_limit),
		cmocka_unit_test(test_scan_limit_is_inclusive),
		cmocka_unit_test(test_scan_good_lines_before_a_long_one),
		cmocka_unit_test(test_scan_counts_across_calls),
		cmocka_unit_test(test_upcase_ascii_only),
		cmocka_unit_test(test_upcase_keeps_every_non_letter_byte),
		cmocka_unit_test(test_server_messages_are_not_echoes),
		cmocka_unit_test(test_server_opts_defaults),
		cmocka_unit_test(test_server_opts_all),
		cmocka_unit_test(test_server_opts_errors),
		cmocka_unit_test(test_server_opts_numbers),
		cmocka_unit_test(test_client_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
