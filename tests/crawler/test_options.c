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
	assert_int_equal(o.n_inputs, 1);
	assert_string_equal(o.inputs[0], "urls.txt");
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
			 "--format=tsv", "-t", "2.5", "--connect-timeout", "0.25",
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
	assert_int_equal(o.out.format, OUTPUT_TSV);
	assert_int_equal(o.timeout_ms, 2500);
	assert_int_equal(o.connect_timeout_ms, 250);
	assert_true(o.max_size == 65536);
	assert_int_equal(o.max_redirects, 0);
	assert_string_equal(o.user_agent, "bot/1");
	assert_true(o.out.bom);
	assert_false(o.out.formula_guard);
	assert_false(o.parse);
	assert_true(o.quiet);
	assert_int_equal(o.n_inputs, 1);
	assert_string_equal(o.inputs[0], "list.txt");
}

static void test_options_after_file_and_stdin(void **state)
{
	char *argv[] = { "crawl", "-", "-w", "2", "--mode", "threads", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o, err), OPTIONS_RUN);
	assert_int_equal(o.n_inputs, 1);
	assert_string_equal(o.inputs[0], "-");
	assert_int_equal(o.workers, 2);
	assert_int_equal(o.mode, POOL_THREADS);
}

static void test_event_mode(void **state)
{
	char *argv[] = { "crawl", "--mode=event", "-w", "64", NULL };
	char *plural[] = { "crawl", "-m", "events", NULL };
	char *hybrid[] = { "crawl", "-m", "hybrid", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &o, err), OPTIONS_RUN);
	assert_int_equal(o.mode, POOL_EVENTS);
	assert_int_equal(o.workers, 64);
	assert_int_equal(parse(ARGC(plural), plural, &o, err), OPTIONS_RUN);
	assert_int_equal(o.mode, POOL_EVENTS);
	assert_int_equal(parse(ARGC(hybrid), hybrid, &o, err), OPTIONS_RUN);
	assert_int_equal(o.mode, POOL_HYBRID);
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

/* Several lists and URLs, and the options of a followed crawl with their defaults. */
static void test_follow_options(void **state)
{
	char *plain[] = { "crawl", "a.txt", "http://x.test/", "-", NULL };
	char *follow[] = { "crawl", "-r", "-d", "2", "--scope", "domain", "--include", "/a/",
			   "--include", "b$", "--exclude", "\\.pdf$", "--max-pages", "50",
			   "--delay", "0.25", "--no-robots", "--resolve", "x.test:80:127.0.0.1",
			   "http://x.test/", NULL };
	char *bad_re[] = { "crawl", "--exclude", "a(", NULL };
	char *bad_resolve[] = { "crawl", "--resolve", "x.test:80", NULL };
	char *bad_port[] = { "crawl", "--resolve", "x.test:0:127.0.0.1", NULL };
	/* an address libcurl cannot read would fail every transfer, not the command */
	char *bad_addr[] = { "crawl", "--resolve", "x.test:80:127.0.0.1,localhost", NULL };
	char *addrs[] = { "crawl", "--resolve", "x.test:443:[::1],,127.0.0.1", "--resolve",
			  "y.test:80:::1", NULL };
	char *bad_delay[] = { "crawl", "--delay", "-1", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(plain), plain, &o, err), OPTIONS_RUN);
	assert_int_equal(o.n_inputs, 3);
	assert_string_equal(o.inputs[1], "http://x.test/");
	assert_false(o.follow);
	assert_int_equal(o.per_host, 0);
	assert_false(o.robots);

	assert_int_equal(parse(ARGC(follow), follow, &o, err), OPTIONS_RUN);
	assert_true(o.follow);
	assert_int_equal(o.depth, 2);
	assert_int_equal(o.scope, FRONTIER_SCOPE_DOMAIN);
	assert_int_equal(o.n_include, 2);
	assert_int_equal(o.n_exclude, 1);
	assert_int_equal(o.max_pages, 50);
	assert_int_equal(o.delay_ms, 250);
	assert_int_equal(o.per_host, 2);
	assert_false(o.robots);
	assert_int_equal(o.n_resolve, 1);
	assert_int_equal(o.n_inputs, 1);

	expect_usage(bad_re, ARGC(bad_re), "invalid --exclude 'a('");
	expect_usage(bad_resolve, ARGC(bad_resolve), "invalid --resolve 'x.test:80'");
	expect_usage(bad_port, ARGC(bad_port), "invalid --resolve port '0'");
	expect_usage(bad_addr, ARGC(bad_addr), "invalid --resolve 'x.test:80:127.0.0.1,localhost'");
	assert_int_equal(parse(ARGC(addrs), addrs, &o, err), OPTIONS_RUN);
	assert_int_equal(o.n_resolve, 2);
	expect_usage(bad_delay, ARGC(bad_delay), "invalid --delay '-1'");
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
	char *k[] = { "crawl", "--scope", "planet", NULL };
	char *l[] = { "crawl", "--max-redirects", "-1", NULL };
	char *m[] = { "crawl", "--workers", "4x", NULL };
	char *depth_alone[] = { "crawl", "-d", "2", "http://x.test/", NULL };
	char *scope_alone[] = { "crawl", "--scope", "any", "http://x.test/", NULL };
	char *n[] = { "crawl", "-A", "bot/1.0\r\nX-Injected: 1", NULL };
	char *o[] = { "crawl", "--user-agent", "bot/1.0\n", NULL };

	(void)state;
	expect_usage(a, ARGC(a), "invalid --workers '0'");
	expect_usage(b, ARGC(b), "invalid --workers '1025'");
	expect_usage(c, ARGC(c), "invalid --mode 'fiber': use process, thread, event or hybrid");
	expect_usage(d, ARGC(d), "invalid --format 'xml'");
	expect_usage(e, ARGC(e), "invalid --timeout '0'");
	expect_usage(f, ARGC(f), "invalid --max-size '10X'");
	expect_usage(g, ARGC(g), "unknown option --bogus");
	expect_usage(h, ARGC(h), "unknown option -z");
	expect_usage(i, ARGC(i), "option --output needs a value");
	expect_usage(j, ARGC(j), "option -o needs a value");
	expect_usage(k, ARGC(k), "invalid --scope 'planet': use host, domain or any");
	expect_usage(l, ARGC(l), "invalid --max-redirects '-1'");
	expect_usage(m, ARGC(m), "invalid --workers '4x'");
	/* options only links obey, on a list crawl: the user meant --follow */
	expect_usage(depth_alone, ARGC(depth_alone), "--depth is about the links a crawl follows: "
		     "it needs --follow (-r)");
	expect_usage(scope_alone, ARGC(scope_alone), "--scope is about the links");
	/* a header line: a line break would end it and send another */
	expect_usage(n, ARGC(n), "a line break in it");
	expect_usage(o, ARGC(o), "invalid --user-agent");
}

/* --bom marks CSV and TSV: with JSON Lines, which takes none, it is refused, not ignored. */
static void test_bom_needs_csv_or_tsv(void **state)
{
	char *after[] = { "crawl", "--bom", "-f", "jsonl", NULL };
	char *before[] = { "crawl", "--format=jsonl", "--bom", NULL };
	char *tsv[] = { "crawl", "--bom", "-f", "tsv", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	expect_usage(after, ARGC(after), "--bom is for CSV and TSV");
	expect_usage(before, ARGC(before), "--bom is for CSV and TSV");
	assert_int_equal(parse(ARGC(tsv), tsv, &o, err), OPTIONS_RUN);
	assert_true(o.out.bom);
}

/* A value given to an option that takes none is named so, not called an unknown option. */
static void test_value_for_a_flag(void **state)
{
	char *follow[] = { "crawl", "--follow=yes", NULL };
	char *prefix[] = { "crawl", "--fol=yes", NULL };
	char *quiet[] = { "crawl", "--quiet=1", NULL };
	char *robots[] = { "crawl", "--no-robots=", NULL };
	char *help[] = { "crawl", "--help=me", NULL };
	char *version[] = { "crawl", "--version=2", NULL };
	char *bom[] = { "crawl", "--bom=no", NULL };
	char *unknown[] = { "crawl", "--follows=yes", NULL };

	(void)state;
	expect_usage(follow, ARGC(follow), "option --follow takes no value");
	expect_usage(prefix, ARGC(prefix), "option --follow takes no value");
	expect_usage(quiet, ARGC(quiet), "option --quiet takes no value");
	expect_usage(robots, ARGC(robots), "option --no-robots takes no value");
	expect_usage(help, ARGC(help), "option --help takes no value");
	expect_usage(version, ARGC(version), "option --version takes no value");
	expect_usage(bom, ARGC(bom), "option --bom takes no value");
	expect_usage(unknown, ARGC(unknown), "unknown option --follows=yes");
}

/* A prefix of several options is named ambiguous, with what it may mean, not called unknown. */
static void test_ambiguous_prefix(void **state)
{
	char *re[] = { "crawl", "--re", "3", NULL };
	char *http[] = { "crawl", "--http=2", NULL };
	char *max[] = { "crawl", "--max", "3", "urls.txt", NULL };
	char *unique[] = { "crawl", "--max-s", "1K", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	expect_usage(re, ARGC(re), "ambiguous option --re: it may be --resume, --resolve, "
		     "--retry, --retry-delay, --retry-max-time");
	expect_usage(http, ARGC(http), "ambiguous option --http: it may be --http2, --http1.1");
	expect_usage(max, ARGC(max), "ambiguous option --max: it may be --max-size, "
		     "--max-redirects, --max-pages");
	assert_int_equal(parse(ARGC(unique), unique, &o, err), OPTIONS_RUN);
	assert_true(o.max_size == 1024);
}

/* --fields is a comma list as compare's --modes and --workers are: an empty item is named so. */
static void test_fields_empty_item(void **state)
{
	char *inner[] = { "crawl", "--fields", "url,,status", NULL };
	char *trailing[] = { "crawl", "--fields=url,", NULL };
	char *none[] = { "crawl", "--fields", "", NULL };

	(void)state;
	expect_usage(inner, ARGC(inner), "--fields: empty item in 'url,,status'");
	expect_usage(trailing, ARGC(trailing), "--fields: empty item in 'url,'");
	expect_usage(none, ARGC(none), "--fields: empty item in ''");
}

/* Each value here was taken, or refused without naming the range, before util/numbers.c. */
/* --frontier: a shared crawl; with no URL or list the instance joins, and --state is Redis's job. */
static void test_shared_options(void **state)
{
	char *shared[] = { "crawl", "--frontier", "redis://127.0.0.1/", "--crawl", "site",
			   "--lease", "2.5", NULL };
	char *defaults[] = { "crawl", "--frontier", "redis://127.0.0.1/", "list.txt", NULL };
	char *no_frontier[] = { "crawl", "--crawl", "site", NULL };
	char *lease_alone[] = { "crawl", "--lease", "10", NULL };
	char *short_lease[] = { "crawl", "--frontier", "redis://h/", "--lease", "0.5", NULL };
	char *almost_lease[] = { "crawl", "--frontier", "redis://h/", "--lease", "0.9999", NULL };
	char *with_state[] = { "crawl", "-r", "--frontier", "redis://h/", "--state", "s", "-o", "x",
			       NULL };
	char *with_resume[] = { "crawl", "--frontier", "redis://h/", "--resume", "-o", "x", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(shared), shared, &o, err), OPTIONS_RUN);
	assert_string_equal(o.frontier, "redis://127.0.0.1/");
	assert_string_equal(o.crawl_name, "site");
	assert_int_equal(o.lease_ms, 2500);
	assert_int_equal(o.n_inputs, 0);
	assert_int_equal(parse(ARGC(defaults), defaults, &o, err), OPTIONS_RUN);
	assert_null(o.crawl_name);
	assert_int_equal(o.lease_ms, 60000);
	assert_int_equal(o.n_inputs, 1);
	assert_string_equal(o.inputs[0], "list.txt");
	assert_int_equal(parse(ARGC(no_frontier), no_frontier, &o, err), OPTIONS_USAGE);
	assert_non_null(strstr(err, "--crawl"));
	assert_int_equal(parse(ARGC(lease_alone), lease_alone, &o, err), OPTIONS_USAGE);
	assert_int_equal(parse(ARGC(short_lease), short_lease, &o, err), OPTIONS_USAGE);
	assert_int_equal(parse(ARGC(almost_lease), almost_lease, &o, err), OPTIONS_USAGE);
	assert_string_equal(err, "invalid --lease '0.9999': use seconds from 1 to 86400");
	assert_int_equal(parse(ARGC(with_state), with_state, &o, err), OPTIONS_USAGE);
	assert_non_null(strstr(err, "--state with --frontier"));
	assert_int_equal(parse(ARGC(with_resume), with_resume, &o, err), OPTIONS_USAGE);
}

static void test_bad_numbers(void **state)
{
	static const struct {
		const char *opt, *value, *message;
	} cases[] = {
		{ "--max-size", " -5", "invalid --max-size ' -5': use a size from 1 to 8G (K, M, G)" },
		{ "--max-size", "9223372036854775808", "invalid --max-size '9223372036854775808': "
		  "use a size from 1 to 8G (K, M, G)" },
		{ "--max-size", "9G", "invalid --max-size '9G': use a size from 1 to 8G (K, M, G)" },
		{ "--max-size", "", "invalid --max-size '': use a size from 1 to 8G (K, M, G)" },
		{ "--workers", "0", "invalid --workers '0': use a number from 1 to 1024" },
		{ "-w", "+5", "invalid --workers '+5': use a number from 1 to 1024" },
		{ "--timeout", "1e999", "invalid --timeout '1e999': use seconds from 0.001 to 86400" },
		{ "--timeout", " 5", "invalid --timeout ' 5': use seconds from 0.001 to 86400" },
		{ "-t", "5 ", "invalid --timeout '5 ': use seconds from 0.001 to 86400" },
		{ "--connect-timeout", "1e3",
		  "invalid --connect-timeout '1e3': use seconds from 0.001 to 86400" },
		{ "--connect-timeout", "86400.001",
		  "invalid --connect-timeout '86400.001': use seconds from 0.001 to 86400" },
		{ "--max-redirects", " 5", "invalid --max-redirects ' 5': use a number from 0 to 1000" },
		/* below each documented minimum, however close: never rounded up into range */
		{ "-t", "0.0001", "invalid --timeout '0.0001': use seconds from 0.001 to 86400" },
		{ "--connect-timeout", "0.0009",
		  "invalid --connect-timeout '0.0009': use seconds from 0.001 to 86400" },
		{ "--retry-max-time", "0.00001",
		  "invalid --retry-max-time '0.00001': use seconds from 0.001 to 86400" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "crawl", (char *)cases[i].opt, (char *)cases[i].value, NULL };
		struct crawl_options o;
		char err[256] = "";

		if (parse(ARGC(argv), argv, &o, err) != OPTIONS_USAGE)
			fail_msg("%s '%s' was taken", cases[i].opt, cases[i].value);
		assert_string_equal(err, cases[i].message);
	}
}

/* A long bad value is shown cut: the reason after it stays in the message. */
static void test_long_values_cut(void **state)
{
	static const char *const opts[] = { "--max-size", "--include", "--workers" };
	char value[1001];

	(void)state;
	memset(value, '1', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	value[500] = '(';	/* no regular expression either */
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char *argv[] = { "crawl", "-r", (char *)opts[i], value, "http://x/", NULL };
		struct crawl_options o;
		char err[256] = "";

		assert_int_equal(parse(ARGC(argv), argv, &o, err), OPTIONS_USAGE);
		if (!strstr(err, "1111...': "))
			fail_msg("%s: '%s'", opts[i], err);
	}
}

/* The value --max-size SIZE gives, or 0 when the option is refused. */
static unsigned long long max_size(const char *text)
{
	char *argv[] = { "crawl", "--max-size", (char *)text, NULL };
	struct crawl_options o;
	char err[256];

	return parse(ARGC(argv), argv, &o, err) == OPTIONS_RUN ? o.max_size : 0;
}

static void test_sizes(void **state)
{
	(void)state;
	assert_true(max_size("512") == 512);
	assert_true(max_size("64k") == 65536);
	assert_true(max_size("10M") == 10ull << 20);
	assert_true(max_size("2G") == 2ull << 30);
	assert_true(max_size("8G") == 8ull << 30);
	assert_true(max_size("1MiB") == 1ull << 20);
	assert_true(max_size("100B") == 100);
	assert_true(max_size("1") == 1);
	assert_true(max_size("") == 0);
	assert_true(max_size("0") == 0);
	assert_true(max_size("-1") == 0);
	assert_true(max_size("1.5M") == 0);
	assert_true(max_size("1Mx") == 0);
	assert_true(max_size("8193M") == 0);
	assert_true(max_size("99999999999999999999") == 0);
	assert_true(max_size("17179869184G") == 0);
}

/* The milliseconds --timeout SECONDS gives, or -1 when the option is refused. */
static long timeout_ms(const char *text)
{
	char *argv[] = { "crawl", "--timeout", (char *)text, NULL };
	struct crawl_options o;
	char err[256];

	return parse(ARGC(argv), argv, &o, err) == OPTIONS_RUN ? o.timeout_ms : -1;
}

static void test_seconds(void **state)
{
	(void)state;
	assert_int_equal(timeout_ms("30"), 30000);
	assert_int_equal(timeout_ms("0.001"), 1);
	/* under the documented 0.001: refused, not rounded up to it */
	assert_int_equal(timeout_ms("0.0001"), -1);
	assert_int_equal(timeout_ms("0.0005"), -1);
	assert_int_equal(timeout_ms("0.0015"), 2);
	assert_int_equal(timeout_ms("86400"), 86400000);
	assert_int_equal(timeout_ms("0"), -1);
	assert_int_equal(timeout_ms("-3"), -1);
	assert_int_equal(timeout_ms("nan"), -1);
	assert_int_equal(timeout_ms("inf"), -1);
	assert_int_equal(timeout_ms("3s"), -1);
	assert_int_equal(timeout_ms("1e9"), -1);
	assert_int_equal(timeout_ms("86401"), -1);
}

/* --delay and --retry-delay start at 0 (no wait), so a wait under 1 ms is 1 ms, not none. */
static void test_seconds_from_zero(void **state)
{
	char *zero[] = { "crawl", "--delay", "0", "--retry-delay", "0", NULL };
	char *tiny[] = { "crawl", "--delay", "0.0001", "--retry-delay", "0.0004", NULL };
	struct crawl_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(ARGC(zero), zero, &o, err), OPTIONS_RUN);
	assert_int_equal(o.delay_ms, 0);
	assert_int_equal(o.retry_delay_ms, 0);
	assert_int_equal(parse(ARGC(tiny), tiny, &o, err), OPTIONS_RUN);
	assert_int_equal(o.delay_ms, 1);
	assert_int_equal(o.retry_delay_ms, 1);
}

/* What compare asks before handing a crawl option on with its value. */
static void test_takes_value(void **state)
{
	(void)state;
	assert_true(options_takes_value("-t"));
	assert_true(options_takes_value("--timeout"));
	assert_true(options_takes_value("--connect-timeout"));
	assert_true(options_takes_value("--max-size"));
	assert_true(options_takes_value("--max-redirects"));
	assert_true(options_takes_value("-A"));
	assert_true(options_takes_value("--user-agent"));
	assert_true(options_takes_value("--workers"));
	assert_true(options_takes_value("-qt"));
	/* getopt_long takes an unambiguous prefix */
	assert_true(options_takes_value("--max-s"));
	assert_false(options_takes_value("--max"));
	assert_false(options_takes_value("--timeout=5"));
	assert_false(options_takes_value("-t5"));
	assert_false(options_takes_value("--no-parse"));
	assert_false(options_takes_value("--quiet"));
	assert_false(options_takes_value("-q"));
	assert_false(options_takes_value("--bogus"));
	assert_false(options_takes_value("-"));
	assert_false(options_takes_value("--"));
	assert_false(options_takes_value("urls.txt"));
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
		cmocka_unit_test(test_fields_empty_item),
		cmocka_unit_test(test_value_for_a_flag),
		cmocka_unit_test(test_ambiguous_prefix),
		cmocka_unit_test(test_bom_needs_csv_or_tsv),
		cmocka_unit_test(test_follow_options),
		cmocka_unit_test(test_shared_options),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_long_values_cut),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_seconds_from_zero),
		cmocka_unit_test(test_takes_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
