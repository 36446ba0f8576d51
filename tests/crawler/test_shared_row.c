/* test_shared_row.c -- a shared crawl's row as bytes: round trips, what is left out, corrupt blobs refused */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shared_row.h"

static void test_round_trip(void **state)
{
	struct crawl_record rec;
	struct shared_row row;
	void *blob;
	size_t len;

	(void)state;
	record_init_error(&rec, NULL);
	rec.status = 200;
	rec.bytes = 1234;
	rec.ttfb_us = 500;
	rec.time_us = 900;
	rec.links = 7;
	rec.title = "a \"title\", with\nnewline";
	rec.content_type = "text/html";
	rec.found = "http://h/a\nhttp://h/b";
	rec.body = "body";
	rec.body_len = 4;
	rec.depth = 3;
	rec.referrer = "http://h/";
	assert_int_equal(shared_row_encode("http://h/x", &rec, 4242, &blob, &len), RECORD_OK);
	assert_int_equal(shared_row_decode(blob, len, &row), RECORD_OK);
	assert_string_equal(row.url, "http://h/x");
	assert_int_equal(row.worker, 4242);
	assert_int_equal(row.rec.status, 200);
	assert_int_equal(row.rec.bytes, 1234);
	assert_int_equal(row.rec.links, 7);
	assert_string_equal(row.rec.title, rec.title);
	assert_string_equal(row.rec.content_type, "text/html");
	assert_int_equal(row.rec.depth, 3);
	assert_string_equal(row.rec.referrer, "http://h/");
	/* the links are in the frontier already, and a body is no column */
	assert_null(row.rec.found);
	assert_null(row.rec.body);
	assert_null(row.rec.error);
	free(blob);
}

/* A list crawl's row: no depth, no referrer, an error, no worker. */
static void test_list_row(void **state)
{
	struct crawl_record rec;
	struct shared_row row;
	void *blob;
	size_t len;

	(void)state;
	record_init_error(&rec, "blocked by robots.txt");
	assert_int_equal(shared_row_encode("http://h/p", &rec, -1, &blob, &len), RECORD_OK);
	assert_int_equal(shared_row_decode(blob, len, &row), RECORD_OK);
	assert_int_equal(row.worker, -1);
	assert_int_equal(row.rec.depth, -1);
	assert_null(row.rec.referrer);
	assert_string_equal(row.rec.error, "blocked by robots.txt");
	free(blob);
}

/* Every shorter prefix, and a blob with a byte changed in its head, are refused. */
static void test_corrupt(void **state)
{
	struct crawl_record rec;
	struct shared_row row;
	unsigned char *blob;
	void *p;
	size_t len;

	(void)state;
	record_init_error(&rec, NULL);
	rec.title = "t";
	rec.depth = 1;
	rec.referrer = "http://h/";
	assert_int_equal(shared_row_encode("http://h/x", &rec, 1, &p, &len), RECORD_OK);
	blob = p;
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(shared_row_decode(blob, cut, &row), RECORD_EBADBLOB);
	blob[0] ^= 0xff;
	assert_int_equal(shared_row_decode(blob, len, &row), RECORD_EBADBLOB);
	blob[0] ^= 0xff;
	/* the url's length made to run past the end */
	blob[24] = 0xfe;
	assert_int_equal(shared_row_decode(blob, len, &row), RECORD_EBADBLOB);
	assert_int_equal(shared_row_decode("not a row", 9, &row), RECORD_EBADBLOB);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_list_row),
		cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
