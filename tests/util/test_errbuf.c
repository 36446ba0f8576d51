/* test_errbuf.c -- the caller's error buffer: filled, cut to fit, optional, errno kept */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "errbuf.h"

static void test_fills(void **state)
{
	char err[64];

	(void)state;
	errbuf_set(err, sizeof(err), "connect failed to %s:%u: %s", "h", 80u, "refused");
	assert_string_equal(err, "connect failed to h:80: refused");
}

static void test_cut_to_fit(void **state)
{
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	errbuf_set(err, 4, "%s", "abcdef");
	assert_string_equal(err, "abc");
	assert_int_equal(err[4], 'x');
	errbuf_set(err, 0, "%s", "never");
	assert_string_equal(err, "abc");
}

static void test_null_buffer(void **state)
{
	(void)state;
	errbuf_set(NULL, 100, "%s", "nowhere");
}

/* The filler runs between a failing call and its caller's look at errno. */
static void test_errno_kept(void **state)
{
	char err[16];

	(void)state;
	errno = ECONNREFUSED;
	errbuf_set(err, sizeof(err), "%s", "a much longer message than fits");
	assert_int_equal(errno, ECONNREFUSED);
	errno = EINTR;
	errbuf_set(NULL, 0, "%d", 1);
	assert_int_equal(errno, EINTR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fills),
		cmocka_unit_test(test_cut_to_fit),
		cmocka_unit_test(test_null_buffer),
		cmocka_unit_test(test_errno_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
