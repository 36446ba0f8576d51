/* test_chat_members.c -- the relay's member list: bound, lookup by address, leave, idle expiry */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "chat_members.h"

static struct chat_addr addr4(const char *ip, int port)
{
	struct chat_addr a;
	struct sockaddr_in *in = (struct sockaddr_in *)&a.ss;

	memset(&a, 0, sizeof(a));
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
	a.len = sizeof(*in);
	net_addr_string((struct sockaddr *)&a.ss, a.len, a.text);
	return a;
}

static struct chat_addr addr6(const char *ip, int port)
{
	struct chat_addr a;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a.ss;

	memset(&a, 0, sizeof(a));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
	a.len = sizeof(*in6);
	net_addr_string((struct sockaddr *)&a.ss, a.len, a.text);
	return a;
}

static void test_addr_equal(void **state)
{
	struct chat_addr a = addr4("127.0.0.1", 5000), b = addr4("127.0.0.1", 5000);
	struct chat_addr c = addr4("127.0.0.1", 5001), d = addr4("127.0.0.2", 5000);
	struct chat_addr e = addr6("::1", 5000), f = addr6("::1", 5000);

	(void)state;
	assert_true(chat_addr_equal(&a, &b));
	assert_false(chat_addr_equal(&a, &c));
	assert_false(chat_addr_equal(&a, &d));
	assert_false(chat_addr_equal(&a, &e));
	assert_true(chat_addr_equal(&e, &f));
	assert_string_equal(e.text, "[::1]:5000");
}

static void test_bounded_list(void **state)
{
	struct chat_members *ms = chat_members_new(2);
	struct chat_addr a = addr4("127.0.0.1", 1), b = addr4("127.0.0.1", 2);
	struct chat_addr c = addr4("127.0.0.1", 3);

	(void)state;
	assert_non_null(ms);
	assert_int_equal(chat_members_touch(ms, &a, "alice", 5, 1.0), 1);
	assert_int_equal(chat_members_touch(ms, &b, "bob", 3, 1.0), 1);
	assert_int_equal(chat_members_touch(ms, &c, "carol", 5, 1.0), -1);
	/* A known member still gets through a full room, and may rename. */
	assert_int_equal(chat_members_touch(ms, &a, "al", 2, 2.0), 0);
	assert_int_equal(chat_members_count(ms), 2);
	assert_string_equal(chat_members_at(ms, (size_t)chat_members_find(ms, &a))->name, "al");
	assert_int_equal(chat_members_find(ms, &c), -1);
	assert_null(chat_members_at(ms, 2));
	chat_members_free(ms);

	assert_null(chat_members_new(0));
	assert_null(chat_members_new(CHAT_MAX_MEMBERS_LIMIT + 1));
	chat_members_free(NULL);
}

static void test_remove(void **state)
{
	struct chat_members *ms = chat_members_new(4);
	struct chat_addr a = addr4("127.0.0.1", 1), b = addr4("127.0.0.1", 2);
	struct chat_member gone;

	(void)state;
	chat_members_touch(ms, &a, "alice", 5, 1.0);
	chat_members_touch(ms, &b, "bob", 3, 1.0);
	assert_int_equal(chat_members_remove(ms, &a, &gone), 1);
	assert_string_equal(gone.name, "alice");
	assert_true(chat_addr_equal(&gone.addr, &a));
	assert_int_equal(chat_members_remove(ms, &a, NULL), 0);
	assert_int_equal(chat_members_count(ms), 1);
	assert_int_equal(chat_members_find(ms, &b), 0);
	chat_members_free(ms);
}

static void test_expire_idle(void **state)
{
	struct chat_members *ms = chat_members_new(4);
	struct chat_addr a = addr4("127.0.0.1", 1), b = addr4("127.0.0.1", 2);
	struct chat_addr c = addr4("127.0.0.1", 3);
	struct chat_member gone;

	(void)state;
	chat_members_touch(ms, &a, "a", 1, 0.0);
	chat_members_touch(ms, &b, "b", 1, 5.0);
	chat_members_touch(ms, &c, "c", 1, 0.0);
	/* Exactly the timeout is not yet idle. */
	assert_int_equal(chat_members_expire(ms, 10.0, 10.0, &gone), 0);
	assert_int_equal(chat_members_expire(ms, 10.5, 10.0, &gone), 1);
	assert_int_equal(chat_members_expire(ms, 10.5, 10.0, &gone), 1);
	assert_int_equal(chat_members_expire(ms, 10.5, 10.0, &gone), 0);
	assert_int_equal(chat_members_count(ms), 1);
	assert_int_equal(chat_members_find(ms, &b), 0);
	chat_members_free(ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_equal),
		cmocka_unit_test(test_bounded_list),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_expire_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
