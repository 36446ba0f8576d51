/* test_numbers.c -- strict option values: boundaries, overflow, signs, spaces, suffixes, empty strings */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "numbers.h"

#define ERR_LEN 256
/* What a failed parse must leave in the output. */
#define UNTOUCHED 4242

/* num_parse_int, num_parse_size and num_parse_seconds share this shape. */
typedef int num_parser(const char *opt, const char *text, long long min, long long max,
		       long long *out, char *err, size_t errlen);

static long long parse_ok(num_parser *parse, const char *text, long long min, long long max)
{
	long long v = UNTOUCHED;
	char err[ERR_LEN] = "";

	if (parse("--opt", text, min, max, &v, err, sizeof(err)) != 0)
		fail_msg("'%s' in %lld..%lld refused: %s", text, min, max, err);
	return v;
}

static void parse_bad(num_parser *parse, const char *text, long long min, long long max)
{
	long long v = UNTOUCHED;
	char err[ERR_LEN] = "";

	if (parse("--opt", text, min, max, &v, err, sizeof(err)) != -1)
		fail_msg("'%s' in %lld..%lld accepted as %lld", text, min, max, v);
	assert_int_equal(v, UNTOUCHED);
	assert_true(strncmp(err, "invalid --opt '", 15) == 0);
}

#define int_ok(text, min, max) parse_ok(num_parse_int, (text), (min), (max))
#define int_bad(text, min, max) parse_bad(num_parse_int, (text), (min), (max))
#define size_ok(text, min, max) parse_ok(num_parse_size, (text), (min), (max))
#define size_bad(text, min, max) parse_bad(num_parse_size, (text), (min), (max))
#define ms_ok(text, min, max) parse_ok(num_parse_seconds, (text), (min), (max))
#define ms_bad(text, min, max) parse_bad(num_parse_seconds, (text), (min), (max))

static void test_int_boundaries(void **state)
{
	(void)state;
	assert_int_equal(int_ok("1", 1, 1024), 1);
	assert_int_equal(int_ok("1024", 1, 1024), 1024);
	int_bad("0", 1, 1024);
	int_bad("1025", 1, 1024);
	assert_int_equal(int_ok("0", 0, 0), 0);
	assert_int_equal(int_ok("007", 0, 10), 7);
	assert_true(int_ok("9223372036854775807", 0, LLONG_MAX) == LLONG_MAX);
}

static void test_int_overflow(void **state)
{
	(void)state;
	int_bad("9223372036854775808", 0, LLONG_MAX);
	int_bad("18446744073709551615", 0, LLONG_MAX);
	int_bad("18446744073709551616", 0, LLONG_MAX);
	int_bad("99999999999999999999999999999", 0, LLONG_MAX);
	int_bad("-9223372036854775808", LLONG_MIN, 0);
	assert_true(int_ok("-9223372036854775807", -LLONG_MAX, 0) == -LLONG_MAX);
}

static void test_int_signs(void **state)
{
	(void)state;
	int_bad("-1", 0, 10);
	int_bad("-0", 0, 10);
	int_bad("+5", 0, 10);
	int_bad("-5", 1, 10);
	assert_int_equal(int_ok("-5", -10, 10), -5);
	assert_int_equal(int_ok("+5", -10, 10), 5);
	assert_int_equal(int_ok("-0", -10, 10), 0);
	int_bad("-11", -10, 10);
	int_bad("--5", -10, 10);
	int_bad("+-5", -10, 10);
	int_bad("-", -10, 10);
}

static void test_int_spaces_and_junk(void **state)
{
	(void)state;
	int_bad("", 0, 10);
	int_bad(" 5", 0, 10);
	int_bad("5 ", 0, 10);
	int_bad("\t5", 0, 10);
	int_bad("5\n", 0, 10);
	int_bad(" -5", 0, 10);
	int_bad("4x", 0, 10);
	int_bad("0x5", 0, 10);
	int_bad("5.0", 0, 10);
	int_bad("1e1", 0, 100);
	int_bad("5K", 0, 100000);
}

static void test_int_message(void **state)
{
	long long v;
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(num_parse_int("--workers", "0", 1, 1024, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --workers '0': use a number from 1 to 1024");
	assert_int_equal(num_parse_int("--delta", "x", -3, 3, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --delta 'x': use a number from -3 to 3");
	/* No buffer, or one too small: still refused, never overrun. */
	assert_int_equal(num_parse_int("--workers", "0", 1, 1024, &v, NULL, 0), -1);
	assert_int_equal(num_parse_int("--workers", "0", 1, 1024, &v, err, 8), -1);
	assert_string_equal(err, "invalid");
}

static void test_size_suffixes(void **state)
{
	(void)state;
	assert_int_equal(size_ok("512", 1, LLONG_MAX), 512);
	assert_int_equal(size_ok("100B", 1, LLONG_MAX), 100);
	assert_int_equal(size_ok("100b", 1, LLONG_MAX), 100);
	assert_int_equal(size_ok("64k", 1, LLONG_MAX), 65536);
	assert_int_equal(size_ok("64K", 1, LLONG_MAX), 65536);
	assert_int_equal(size_ok("64KB", 1, LLONG_MAX), 65536);
	assert_int_equal(size_ok("64KiB", 1, LLONG_MAX), 65536);
	assert_int_equal(size_ok("64kib", 1, LLONG_MAX), 65536);
	assert_true(size_ok("10M", 1, LLONG_MAX) == 10LL << 20);
	assert_true(size_ok("1MiB", 1, LLONG_MAX) == 1LL << 20);
	assert_true(size_ok("2G", 1, LLONG_MAX) == 2LL << 30);
	assert_true(size_ok("2gb", 1, LLONG_MAX) == 2LL << 30);
	size_bad("100iB", 1, LLONG_MAX);
	size_bad("1Ki", 1, LLONG_MAX);
	size_bad("1KBB", 1, LLONG_MAX);
	size_bad("1T", 1, LLONG_MAX);
	size_bad("1MK", 1, LLONG_MAX);
	size_bad("1Mx", 1, LLONG_MAX);
	size_bad("1.5M", 1, LLONG_MAX);
	size_bad("K", 1, LLONG_MAX);
	size_bad("B", 1, LLONG_MAX);
	size_bad("10X", 1, LLONG_MAX);
}

static void test_size_boundaries_and_overflow(void **state)
{
	(void)state;
	assert_true(size_ok("8G", 1, 8LL << 30) == 8LL << 30);
	assert_true(size_ok("8589934592", 1, 8LL << 30) == 8LL << 30);
	size_bad("8589934593", 1, 8LL << 30);
	size_bad("8193M", 1, 8LL << 30);
	assert_int_equal(size_ok("1", 1, 8LL << 30), 1);
	size_bad("0", 1, 8LL << 30);
	size_bad("0K", 1, 8LL << 30);
	/* 2^63 - 1 is the most; anything that shifts past it is refused, not wrapped. */
	assert_true(size_ok("9223372036854775807", 0, LLONG_MAX) == LLONG_MAX);
	size_bad("9223372036854775808", 0, LLONG_MAX);
	size_bad("8589934592G", 0, LLONG_MAX);
	assert_true(size_ok("8589934591G", 0, LLONG_MAX) == 8589934591LL << 30);
	size_bad("17179869184G", 0, LLONG_MAX);
	size_bad("9007199254740992K", 0, LLONG_MAX);
	size_bad("99999999999999999999", 0, LLONG_MAX);
}

static void test_size_signs_spaces_empty(void **state)
{
	(void)state;
	size_bad("", 1, LLONG_MAX);
	size_bad("-5", 1, LLONG_MAX);
	size_bad(" -5", 1, LLONG_MAX);
	size_bad("+5", 1, LLONG_MAX);
	size_bad(" 5", 1, LLONG_MAX);
	size_bad("5 ", 1, LLONG_MAX);
	size_bad("5 K", 1, LLONG_MAX);
	size_bad("5K ", 1, LLONG_MAX);
}

static void test_size_message(void **state)
{
	long long v;
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(num_parse_size("--max-size", " -5", 1, 8LL << 30, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --max-size ' -5': use a size from 1 to 8G (K, M, G)");
	assert_int_equal(num_parse_size("--max-line", "0", 1, 64LL << 20, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --max-line '0': use a size from 1 to 64M (K, M, G)");
	assert_int_equal(num_parse_size("--s", "1", 16, 1536, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --s '1': use a size from 16 to 1536 (K, M, G)");
	assert_int_equal(num_parse_size("--s", "1", 4096, 65536, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --s '1': use a size from 4K to 64K (K, M, G)");
}

static void test_seconds_decimals(void **state)
{
	(void)state;
	assert_int_equal(ms_ok("30", 1, 86400000), 30000);
	assert_int_equal(ms_ok("2.5", 1, 86400000), 2500);
	assert_int_equal(ms_ok("0.25", 1, 86400000), 250);
	assert_int_equal(ms_ok(".25", 1, 86400000), 250);
	assert_int_equal(ms_ok("5.", 1, 86400000), 5000);
	assert_int_equal(ms_ok("0.001", 1, 86400000), 1);
	assert_int_equal(ms_ok("1.000000000000000000000000001", 1, 86400000), 1001);
	assert_int_equal(ms_ok("1.2340000000", 1, 86400000), 1234);
	/* Rounded up, so that a positive time never becomes 0 ms. */
	assert_int_equal(ms_ok("0.0001", 0, 86400000), 1);
	assert_int_equal(ms_ok("0.0015", 1, 86400000), 2);
	assert_int_equal(ms_ok("0", 0, 1000), 0);
	assert_int_equal(ms_ok("0.000", 0, 1000), 0);
}

static void test_seconds_boundaries_and_overflow(void **state)
{
	(void)state;
	assert_int_equal(ms_ok("86400", 1, 86400000), 86400000);
	assert_int_equal(ms_ok("86400.000", 1, 86400000), 86400000);
	ms_bad("86400.0001", 1, 86400000);
	ms_bad("86401", 1, 86400000);
	ms_bad("0", 1, 86400000);
	ms_bad("0.0000", 1, 86400000);
	/* The range holds the value as written, not as rounded up to a whole ms. */
	ms_bad("0.0001", 1, 86400000);
	ms_bad("0.0009999", 1, 86400000);
	ms_bad("0.9999", 1000, 86400000);
	assert_int_equal(ms_ok("1.0000", 1000, 86400000), 1000);
	assert_int_equal(ms_ok("0.0010001", 1, 86400000), 2);
	ms_bad("86399.9991", 1, 86399999);
	assert_int_equal(ms_ok("86399.9981", 1, 86399999), 86399999);
	ms_bad("9223372036854775807", 0, LLONG_MAX);
	ms_bad("9223372036854775808", 0, LLONG_MAX);
	ms_bad("99999999999999999999999", 0, LLONG_MAX);
	assert_true(ms_ok("9223372036854774", 0, LLONG_MAX) == 9223372036854774000LL);
}

static void test_seconds_refused_forms(void **state)
{
	(void)state;
	ms_bad("", 1, 86400000);
	ms_bad(".", 1, 86400000);
	ms_bad(" 5", 1, 86400000);
	ms_bad("5 ", 1, 86400000);
	ms_bad("-3", 1, 86400000);
	ms_bad("+3", 1, 86400000);
	ms_bad("-0", 0, 86400000);
	ms_bad("1e999", 1, 86400000);
	ms_bad("1e3", 1, 86400000);
	ms_bad("0x10", 1, 86400000);
	ms_bad("inf", 1, 86400000);
	ms_bad("nan", 1, 86400000);
	ms_bad("3s", 1, 86400000);
	ms_bad("1.2.3", 1, 86400000);
	ms_bad("1,5", 1, 86400000);
}

static void test_seconds_message(void **state)
{
	long long v;
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(num_parse_seconds("--timeout", "1e999", 1, 86400000, &v, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "invalid --timeout '1e999': use seconds from 0.001 to 86400");
	assert_int_equal(num_parse_seconds("--wait", "x", 1500, 2250, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --wait 'x': use seconds from 1.5 to 2.25");
	assert_int_equal(num_parse_seconds("--wait", "x", 0, 100000, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid --wait 'x': use seconds from 0 to 100");
}

struct hp {
	char host[16];
	unsigned short port;
	int rc;
	char err[ERR_LEN];
};

static struct hp hostport(const char *text, unsigned min_port)
{
	struct hp r = { .host = "default", .port = 4242 };

	r.rc = num_parse_hostport("--bind", text, min_port, r.host, sizeof(r.host), &r.port,
				  r.err, sizeof(r.err));
	return r;
}

static void hp_ok(const char *text, const char *host, unsigned port)
{
	struct hp r = hostport(text, 0);

	if (r.rc != 0)
		fail_msg("'%s' refused: %s", text, r.err);
	assert_string_equal(r.host, host);
	assert_int_equal(r.port, port);
}

static void hp_bad(const char *text, unsigned min_port)
{
	struct hp r = hostport(text, min_port);

	if (r.rc != -1)
		fail_msg("'%s' accepted as %s port %u", text, r.host, r.port);
	assert_string_equal(r.host, "default");
	assert_int_equal(r.port, 4242);
	assert_non_null(strstr(r.err, "invalid --bind '"));
}

static void test_hostport_forms(void **state)
{
	(void)state;
	hp_ok("127.0.0.1:8080", "127.0.0.1", 8080);
	hp_ok("localhost:0", "localhost", 0);
	hp_ok("my-host.ex_1:65535", "my-host.ex_1", 65535);
	hp_ok("[::1]:7070", "::1", 7070);
	hp_ok("[fe80::1%eth0]:1", "fe80::1%eth0", 1);
	hp_ok("[::ffff:1.2.3.4]:9", "::ffff:1.2.3.4", 9);
	/* No host: the caller's default stands. */
	hp_ok(":9000", "default", 9000);
	hp_ok("9000", "default", 9000);
}

static void test_hostport_ports(void **state)
{
	struct hp r;

	(void)state;
	hp_ok("h:00080", "h", 80);
	hp_bad("h:65536", 0);
	hp_bad("h:99999999999999999999", 0);
	hp_bad("h:-1", 0);
	hp_bad("h:+1", 0);
	hp_bad("h: 1", 0);
	hp_bad("h:1 ", 0);
	hp_bad("h:", 0);
	hp_bad("h", 0);
	hp_bad("h:0", 1);
	r = hostport("h:1", 1);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.port, 1);
	r = hostport("h:0", 1);
	assert_string_equal(r.err, "invalid --bind 'h:0': use HOST:PORT with a port from 1 to "
			    "65535, IPv6 as [ADDR]:PORT");
}

static void test_hostport_hosts(void **state)
{
	struct hp r;

	(void)state;
	hp_bad("", 0);
	hp_bad(":", 0);
	hp_bad("::1:80", 0);
	hp_bad("[::1]", 0);
	hp_bad("[]:80", 0);
	hp_bad("[::1:80", 0);
	hp_bad("::1]:80", 0);
	hp_bad("[nothex::1]:80", 0);
	hp_bad("[1.2.3.4]:80", 0);
	hp_bad("[::1%]:80", 0);
	hp_bad("[::1%a b]:80", 0);
	hp_bad(" host:80", 0);
	hp_bad("ho st:80", 0);
	hp_bad("host/x:80", 0);
	/* host holds 16 bytes: 15 characters and the NUL */
	hp_ok("a23456789012345:1", "a23456789012345", 1);
	r = hostport("a234567890123456:1", 0);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.host, "default");
	assert_string_equal(r.err, "invalid --bind 'a234567890123456:1': host longer than 15 bytes");
}

static void test_errno_kept(void **state)
{
	long long v;
	char err[ERR_LEN];

	(void)state;
	errno = EBADF;
	assert_int_equal(num_parse_int("--n", "99999999999999999999", 0, 1, &v, err, sizeof(err)),
			 -1);
	assert_int_equal(errno, EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_boundaries),
		cmocka_unit_test(test_int_overflow),
		cmocka_unit_test(test_int_signs),
		cmocka_unit_test(test_int_spaces_and_junk),
		cmocka_unit_test(test_int_message),
		cmocka_unit_test(test_size_suffixes),
		cmocka_unit_test(test_size_boundaries_and_overflow),
		cmocka_unit_test(test_size_signs_spaces_empty),
		cmocka_unit_test(test_size_message),
		cmocka_unit_test(test_seconds_decimals),
		cmocka_unit_test(test_seconds_boundaries_and_overflow),
		cmocka_unit_test(test_seconds_refused_forms),
		cmocka_unit_test(test_seconds_message),
		cmocka_unit_test(test_hostport_forms),
		cmocka_unit_test(test_hostport_ports),
		cmocka_unit_test(test_hostport_hosts),
		cmocka_unit_test(test_errno_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
