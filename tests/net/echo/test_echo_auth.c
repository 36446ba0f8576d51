/* test_echo_auth.c -- unit tests of the HMAC challenge-response helpers in net/common/auth.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "netutil.h"

static void from_hex(const char *hex, unsigned char *out)
{
	for (size_t i = 0; hex[2 * i]; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

static void expect_hmac(const void *key, size_t key_len, const char *data, const char *hex)
{
	unsigned char want[NET_AUTH_TAG_LEN];
	unsigned char got[NET_AUTH_TAG_LEN];

	from_hex(hex, want);
	assert_int_equal(net_auth_hmac(key, key_len, data, strlen(data), got), 0);
	assert_memory_equal(got, want, sizeof(want));
}

/* RFC 4231 section 4: test cases 1, 2 and 6 (a key longer than the block). */
static void test_rfc4231_vectors(void **state)
{
	unsigned char key[131];

	(void)state;
	memset(key, 0x0b, 20);
	expect_hmac(key, 20, "Hi There",
		    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	expect_hmac("Jefe", 4, "what do ya want for nothing?",
		    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, sizeof(key));
	expect_hmac(key, sizeof(key), "Test Using Larger Than Block-Size Key - Hash Key First",
		    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_secret_parse(void **state)
{
	struct net_secret s;
	char err[NET_ERR_LEN];

	(void)state;
	assert_int_equal(net_auth_secret_parse(&s, "key\n", 4, err), 0);
	assert_int_equal(s.len, 3);
	assert_memory_equal(s.bytes, "key", 3);
	net_auth_secret_release(&s);
	assert_null(s.bytes);
	/* Only one newline goes; inner and other trailing bytes are part of the key. */
	assert_int_equal(net_auth_secret_parse(&s, "k y\n\n", 5, err), 0);
	assert_int_equal(s.len, 4);
	assert_memory_equal(s.bytes, "k y\n", 4);
	net_auth_secret_release(&s);
	assert_int_equal(net_auth_secret_parse(&s, "key\r\n", 5, err), 0);
	assert_int_equal(s.len, 4);
	net_auth_secret_release(&s);
	assert_int_equal(net_auth_secret_parse(&s, "\0\1", 2, err), 0);
	assert_int_equal(s.len, 2);
	net_auth_secret_release(&s);
}

static void test_secret_empty_refused(void **state)
{
	struct net_secret s;
	char err[NET_ERR_LEN];

	(void)state;
	assert_int_equal(net_auth_secret_parse(&s, "", 0, err), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(net_auth_secret_parse(&s, "\n", 1, err), -1);
	assert_null(s.bytes);
	net_auth_secret_release(&s);
}

static char *write_temp(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/echo-auth-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(net_write_all(fd, data, len), 0);
	close(fd);
	return path;
}

static void test_secret_load(void **state)
{
	char big[NET_AUTH_SECRET_MAX + 2];
	struct net_secret s;
	char err[NET_ERR_LEN];
	char *path;

	(void)state;
	path = write_temp("hunter2\n", 8);
	assert_int_equal(net_auth_secret_load(&s, path, err), 0);
	assert_int_equal(s.len, 7);
	net_auth_secret_release(&s);
	unlink(path);

	path = write_temp("\n", 1);
	assert_int_equal(net_auth_secret_load(&s, path, err), -1);
	assert_non_null(strstr(err, "empty"));
	unlink(path);

	/* The largest key plus its newline is accepted; one byte more is not. */
	memset(big, 'k', sizeof(big));
	big[NET_AUTH_SECRET_MAX] = '\n';
	path = write_temp(big, NET_AUTH_SECRET_MAX + 1);
	assert_int_equal(net_auth_secret_load(&s, path, err), 0);
	assert_int_equal(s.len, NET_AUTH_SECRET_MAX);
	net_auth_secret_release(&s);
	unlink(path);
	path = write_temp(big, sizeof(big));
	assert_int_equal(net_auth_secret_load(&s, path, err), -1);
	assert_non_null(strstr(err, "larger"));
	unlink(path);

	assert_int_equal(net_auth_secret_load(&s, "/nonexistent/echo-secret", err), -1);
	assert_non_null(strstr(err, "/nonexistent/echo-secret"));
}

static void test_challenge_is_random(void **state)
{
	unsigned char a[NET_AUTH_CHALLENGE_LEN], b[NET_AUTH_CHALLENGE_LEN];

	(void)state;
	assert_int_equal(net_auth_challenge(a), 0);
	assert_int_equal(net_auth_challenge(b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_verify(void **state)
{
	struct net_secret s, other;
	unsigned char challenge[NET_AUTH_CHALLENGE_LEN];
	unsigned char tag[NET_AUTH_TAG_LEN];
	unsigned char wrong[NET_AUTH_TAG_LEN];

	(void)state;
	assert_int_equal(net_auth_secret_parse(&s, "right", 5, NULL), 0);
	assert_int_equal(net_auth_secret_parse(&other, "wrong", 5, NULL), 0);
	assert_int_equal(net_auth_challenge(challenge), 0);
	assert_int_equal(net_auth_tag(&s, challenge, tag), 0);
	assert_true(net_auth_verify(&s, challenge, tag));

	/* Another key, a flipped bit, or the tag of another challenge: all refused. */
	assert_false(net_auth_verify(&other, challenge, tag));
	for (size_t i = 0; i < sizeof(tag); i += 7) {
		memcpy(wrong, tag, sizeof(tag));
		wrong[i] ^= 0x01;
		assert_false(net_auth_verify(&s, challenge, wrong));
	}
	challenge[0] ^= 0x80;
	assert_false(net_auth_verify(&s, challenge, tag));
	net_auth_secret_release(&s);
	net_auth_secret_release(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231_vectors),
		cmocka_unit_test(test_secret_parse),
		cmocka_unit_test(test_secret_empty_refused),
		cmocka_unit_test(test_secret_load),
		cmocka_unit_test(test_challenge_is_random),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
