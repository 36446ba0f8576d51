/* test_record.c -- crawl_record blobs survive the trip from worker to parent, and bad blobs are refused */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

static void test_round_trip(void **state)
{
	struct crawl_record in = {
		.status = 200,
		.bytes = 123456789012ull,
		.ttfb_us = 1234,
		.time_us = 98765,
		.redirects = 3,
		.links = 42,
		.final_url = "http://127.0.0.1/page/1.html",
		.content_type = "text/html; charset=utf-8",
		.title = "Commas, \"quotes\" and \xc3\xa9",
		.error = NULL,
	}, out;
	void *blob;
	size_t len;

	(void)state;
	assert_int_equal(record_encode(&in, &blob, &len), RECORD_OK);
	assert_int_equal(record_decode(blob, len, &out), RECORD_OK);
	assert_int_equal(out.status, 200);
	assert_true(out.bytes == 123456789012ull);
	assert_int_equal(out.ttfb_us, 1234);
	assert_int_equal(out.time_us, 98765);
	assert_int_equal(out.redirects, 3);
	assert_int_equal(out.links, 42);
	assert_string_equal(out.final_url, in.final_url);
	assert_string_equal(out.content_type, in.content_type);
	assert_string_equal(out.title, in.title);
	assert_null(out.error);
	free(blob);
}

static void test_empty_and_missing_strings(void **state)
{
	struct crawl_record in, out;
	void *blob;
	size_t len;

	(void)state;
	record_init_error(&in, "timeout");
	in.title = "";
	assert_int_equal(record_encode(&in, &blob, &len), RECORD_OK);
	assert_int_equal(record_decode(blob, len, &out), RECORD_OK);
	assert_null(out.final_url);
	assert_null(out.content_type);
	assert_non_null(out.title);
	assert_string_equal(out.title, "");
	assert_string_equal(out.error, "timeout");
	assert_int_equal(out.time_us, -1);
	assert_int_equal(out.ttfb_us, -1);
	assert_int_equal(out.links, -1);
	assert_int_equal(out.status, 0);
	free(blob);
}

static void test_every_truncation_refused(void **state)
{
	struct crawl_record in = { .status = 404, .final_url = "http://x/", .title = "t",
				   .error = "e", .links = 1 }, out;
	void *blob;
	size_t len;

	(void)state;
	assert_int_equal(record_encode(&in, &blob, &len), RECORD_OK);
	for (size_t n = 0; n < len; n++)
		assert_int_equal(record_decode(blob, n, &out), RECORD_EBADBLOB);
	free(blob);
}

static void test_garbage_refused(void **state)
{
	struct crawl_record in = { .status = 200, .title = "abc" }, out;
	unsigned char *blob, *longer;
	void *raw;
	size_t len;

	(void)state;
	assert_int_equal(record_encode(&in, &raw, &len), RECORD_OK);
	blob = raw;
	/* trailing bytes */
	longer = malloc(len + 1);
	assert_non_null(longer);
	memcpy(longer, blob, len);
	longer[len] = 'x';
	assert_int_equal(record_decode(longer, len + 1, &out), RECORD_EBADBLOB);
	/* a string without its terminating NUL */
	blob[len - 1] = 'x';
	assert_int_equal(record_decode(blob, len, &out), RECORD_EBADBLOB);
	blob[len - 1] = '\0';
	/* wrong magic */
	blob[0] ^= 0xff;
	assert_int_equal(record_decode(blob, len, &out), RECORD_EBADBLOB);
	free(longer);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_and_missing_strings),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_garbage_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
