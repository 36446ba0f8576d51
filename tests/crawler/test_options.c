/* test_options.c -- the crawl command line: defaults, every option, sizes, seconds, bad usage */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static int parse(int argc, char **argv, struct crawl_options *o, char *err)
{
	return options_parse(argc, argv, o, err, 256);
}

static void test_defaults(void **state)
{
	char *argv[] = { "crawl", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o, err), OPTIONS_RUN);
	assert_int_equal(o.mode, POOL_THREADS);
	assert_int_equal(o.workers, 8);
	assert_string_equal(o.input, "urls.txt");
	assert_string_equal(o.output, "results.csv");
	assert_int_equal(o.out.format, OUTPUT_CSV);
	assert_false(o.out.append);
	assert_false(o.out.bom);
	assert_true(o.out.formula_guard);
	assert_int_equal(o.timeout_ms, 30000);
	assert_int_equal(o.connect_timeout_ms, 10000);
	assert_true(o.max_size == 10ull << 20);
	assert_int_equal(o.max_redirects, 10);
	assert_null(o.user_agent);
	assert_false(o.quiet);
	assert_true(o.parse);
}

static void test_every_option(void **state)
{
	char *argv[] = { "crawl", "-m", "process", "--workers", "32", "-o", "-", "--append",
			 "--format=jsonl", "-t", "2.5", "--connect-timeout", "0.25",
			 "--max-size", "64K", "--max-redirects", "0", "-A", "bot/1", "--bom",
			 "--no-formula-guard", "--no-parse", "-q", "list.txt", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o, err), OPTIONS_RUN);
	assert_int_equal(o.mode, POOL_PROCESSES);
	assert_int_equal(o.workers, 32);
	assert_string_equal(o.output, "-");
	assert_true(o.out.append);
	assert_int_equal(o.out.format, OUTPUT_JSONL);
	assert_int_equal(o.timeout_ms, 2500);
	assert_int_equal(o.connect_timeout_ms, 250);
	assert_true(o.max_size == 65536);
	assert_int_equal(o.max_redirects, 0);
	assert_string_equal(o.user_agent, "bot/1");
	assert_true(o.out.bom);
	assert_false(o.out.formula_guard);
	assert_false(o.parse);
	assert_true(o.quiet);
	assert_string_equal(o.input, "list.txt");
}

static void test_options_after_file_and_stdin(void **state)
{
	char *argv[] = { "crawl", "-", "-w", "2", "--mode", "threads", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o, err), OPTIONS_RUN);
	assert_string_equal(o.input, "-");
	assert_int_equal(o.workers, 2);
	assert_int_equal(o.mode, POOL_THREADS);
}

static void test_event_mode(void **state)
{
	char *argv[] = { "crawl", "--mode=event", "-w", "64", NULL };
	char *plural[] = { "crawl", "-m", "events", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o, err), OPTIONS_RUN);
	assert_int_equal(o.mode, POOL_EVENTS);
	assert_int_equal(o.workers, 64);
	assert_int_equal(parse(ARGC(plural), plural, &o, err), OPTIONS_RUN);
	assert_int_equal(o.mode, POOL_EVENTS);
}

static void test_help_and_version(void **state)
{
	char *help[] = { "crawl", "-w", "3", "--help", NULL };
	char *version[] = { "crawl", "--version", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(help), help, &o, err), OPTIONS_HELP);
	assert_int_equal(parse(ARGC(version), version, &o, err), OPTIONS_VERSION);
}

static void expect_usage(char **argv, int argc, const char *needle)
{
	struct crawl_options o;
	char err[256] = "";

	assert_int_equal(parse(argc, argv, &o, err), OPTIONS_USAGE);
	if (!strstr(err, needle))
		fail_msg("'%s' does not mention '%s'", err, needle);
}

static void test_bad_usage(void **state)
{
	char *a[] = { "crawl", "--workers", "0", NULL };
	char *b[] = { "crawl", "-w", "1025", NULL };
	char *c[] = { "crawl", "--mode", "fiber", NULL };
	char *d[] = { "crawl", "--format", "xml", NULL };
	char *e[] = { "crawl", "--timeout", "0", NULL };
	char *f[] = { "crawl", "--max-size", "10X", NULL };
	char *g[] = { "crawl", "--bogus", NULL };
	char *h[] = { "crawl", "-z", NULL };
	char *i[] = { "crawl", "--output", NULL };
	char *j[] = { "crawl", "-o", NULL };
	char *k[] = { "crawl", "a.txt", "b.txt", NULL };
	char *l[] = { "crawl", "--max-redirects", "-1", NULL };
	char *m[] = { "crawl", "--workers", "4x", NULL };

	(void)state;
	expect_usage(a, ARGC(a), "invalid --workers '0'");
	expect_usage(b, ARGC(b), "invalid --workers '1025'");
	expect_usage(c, ARGC(c), "invalid --mode 'fiber': use process, thread or event");
	expect_usage(d, ARGC(d), "invalid --format 'xml'");
	expect_usage(e, ARGC(e), "invalid --timeout '0'");
	expect_usage(f, ARGC(f), "invalid --max-size '10X'");
	expect_usage(g, ARGC(g), "unknown option --bogus");
	expect_usage(h, ARGC(h), "unknown option -z");
	expect_usage(i, ARGC(i), "option --output needs a value");
	expect_usage(j, ARGC(j), "option -o needs a value");
	expect_usage(k, ARGC(k), "one URLS_FILE at most");
	expect_usage(l, ARGC(l), "invalid --max-redirects '-1'");
	expect_usage(m, ARGC(m), "invalid --workers '4x'");
}

static void test_sizes(void **state)
{
	unsigned long long v;

	(void)state;
	assert_int_equal(options_parse_size("512", &v), 0);
	assert_true(v == 512);
	assert_int_equal(options_parse_size("64k", &v), 0);
	assert_true(v == 65536);
	assert_int_equal(options_parse_size("10M", &v), 0);
	assert_true(v == 10ull << 20);
	assert_int_equal(options_parse_size("2G", &v), 0);
	assert_true(v == 2ull << 30);
	assert_int_equal(options_parse_size("1MiB", &v), 0);
	assert_true(v == 1ull << 20);
	assert_int_equal(options_parse_size("100B", &v), 0);
	assert_true(v == 100);
	assert_int_equal(options_parse_size("", &v), -1);
	assert_int_equal(options_parse_size("0", &v), -1);
	assert_int_equal(options_parse_size("-1", &v), -1);
	assert_int_equal(options_parse_size("1.5M", &v), -1);
	assert_int_equal(options_parse_size("1Mx", &v), -1);
	assert_int_equal(options_parse_size("99999999999999999999", &v), -1);
	assert_int_equal(options_parse_size("17179869184G", &v), -1);
}

static void test_seconds(void **state)
{
	long ms;

	(void)state;
	assert_int_equal(options_parse_seconds("30", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(options_parse_seconds("0.001", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(options_parse_seconds("0.0001", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(options_parse_seconds("0", &ms), -1);
	assert_int_equal(options_parse_seconds("-3", &ms), -1);
	assert_int_equal(options_parse_seconds("nan", &ms), -1);
	assert_int_equal(options_parse_seconds("inf", &ms), -1);
	assert_int_equal(options_parse_seconds("3s", &ms), -1);
	assert_int_equal(options_parse_seconds("1e9", &ms), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_options_after_file_and_stdin),
		cmocka_unit_test(test_event_mode),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
