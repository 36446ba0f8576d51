/* test_faultgen.c -- fault bodies: the gzip bomb inflates to 1 GiB, binary noise, deep and small pages */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "faultgen.h"

static void test_gzip_bomb(void **state)
{
	unsigned char *bomb = NULL, *out = malloc(1 << 20);
	unsigned long long total = 0;
	unsigned char seen = 0;
	size_t len = faultgen_gzip_bomb(&bomb);
	z_stream z;
	int rc;
	(void)state;

	assert_non_null(bomb);
	assert_non_null(out);
	assert_in_range(len, 900 * 1000, 1200 * 1000);
	assert_memory_equal(bomb, "\x1f\x8b\x08", 3);
	memset(&z, 0, sizeof(z));
	/* 16 + 15: a gzip member, whose CRC-32 and length zlib checks at the end */
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	z.next_in = bomb;
	z.avail_in = (uInt)len;
	do {
		z.next_out = out;
		z.avail_out = 1 << 20;
		rc = inflate(&z, Z_NO_FLUSH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END);
		for (size_t i = 0; i < (1u << 20) - z.avail_out; i += 4096)
			seen |= out[i];
		total += (1u << 20) - z.avail_out;
	} while (rc != Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);
	assert_true(total == FAULTGEN_BOMB_INFLATED);
	assert_int_equal(seen, 0);
	inflateEnd(&z);
	free(out);
	free(bomb);
}

static void test_binary(void **state)
{
	unsigned char *a = malloc(FAULTGEN_BINARY_BYTES), *b = malloc(FAULTGEN_BINARY_BYTES);
	size_t nuls = 0, high = 0;
	(void)state;

	assert_non_null(a);
	assert_non_null(b);
	faultgen_binary(a);
	faultgen_binary(b);
	assert_memory_equal(a, b, FAULTGEN_BINARY_BYTES);
	for (size_t i = 0; i < FAULTGEN_BINARY_BYTES; i++) {
		nuls += a[i] == 0;
		high += a[i] >= 0x80;
	}
	/* noise: about 1/256 NULs and half the bytes not ASCII */
	assert_in_range(nuls, 2000, 6000);
	assert_in_range(high, FAULTGEN_BINARY_BYTES * 45 / 100, FAULTGEN_BINARY_BYTES * 55 / 100);
	free(a);
	free(b);
}

static void test_deep_length(void **state)
{
	size_t fixed = strlen(FAULTGEN_DEEP_HEAD FAULTGEN_DEEP_LINK FAULTGEN_DEEP_TAIL);
	(void)state;

	assert_true(faultgen_deep_length(0) == fixed);
	assert_true(faultgen_deep_length(1) == fixed + strlen("<div></div>"));
	assert_true(faultgen_deep_length(FAULTGEN_DEEP_DEFAULT) == fixed + 11ULL * 100000);
	assert_non_null(strstr(FAULTGEN_DEEP_HEAD, "<title>Deep page</title>"));
}

static void test_small_page(void **state)
{
	char buf[1024];
	size_t len = faultgen_small_page(buf, sizeof(buf), "Slow page", 3);
	const char *p = buf;
	unsigned links = 0;
	(void)state;

	assert_int_equal(len, strlen(buf));
	assert_non_null(strstr(buf, "<title>Slow page</title>"));
	while ((p = strstr(p, "<a href=\"/page/")) != NULL) {
		links++;
		p++;
	}
	assert_int_equal(links, 3);
	assert_non_null(strstr(buf, "/page/2.html"));
	assert_int_equal(faultgen_small_page(buf, 100, "Slow page", 3), 0);
	assert_int_equal(faultgen_small_page(buf, len, "Slow page", 3), 0);
	assert_int_equal(faultgen_small_page(buf, len + 1, "Slow page", 3), len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_deep_length),
		cmocka_unit_test(test_small_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
