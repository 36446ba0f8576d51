/* test_frontier.c -- the frontier alone: dedupe, depth, scope, filters, per-host slots and delays, robots.txt */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontier.h"
#include "seen.h"

static struct frontier_options follow_opts(void)
{
	return (struct frontier_options){
		.follow = true,
		.max_depth = 5,
		.scope = FRONTIER_SCOPE_HOST,
		.product_token = "crawlpool",
	};
}

/* Takes what is due at now_ms; fails unless it is a URL. */
static const struct frontier_url *take(struct frontier *f, long long now_ms)
{
	const struct frontier_url *u = NULL;
	long long wait = 0;
	int v = frontier_next(f, now_ms, &u, &wait);

	if (v != FRONTIER_URL)
		fail_msg("frontier_next: %d (wait %lld), expected a URL", v, wait);
	return u;
}

static int next_verdict(struct frontier *f, long long now_ms, long long *wait)
{
	const struct frontier_url *u;

	*wait = -1;
	return frontier_next(f, now_ms, &u, wait);
}

static void test_seen_set(void **state)
{
	struct fp_key key = { { 42, 43 } };
	struct seen *s = seen_new(&key);
	char url[64];

	(void)state;
	assert_non_null(s);
	for (int i = 0; i < 100000; i++) {
		snprintf(url, sizeof(url), "http://h/%d", i);
		assert_int_equal(seen_add(s, url, strlen(url)), 1);
	}
	for (int i = 0; i < 100000; i += 7) {
		snprintf(url, sizeof(url), "http://h/%d", i);
		assert_int_equal(seen_add(s, url, strlen(url)), 0);
		assert_true(seen_has(s, url, strlen(url)));
	}
	assert_false(seen_has(s, "http://h/x", 10));
	assert_int_equal(seen_count(s), 100000);
	seen_free(s);
}

/* Each URL once; found links deeper than --depth, out of scope or filtered are dropped. */
static void test_dedupe_depth_scope(void **state)
{
	struct frontier_options o = follow_opts();
	struct frontier *f;
	regex_t ex;
	const struct frontier_url *u;

	(void)state;
	assert_int_equal(regcomp(&ex, "\\.pdf$", REG_EXTENDED | REG_NOSUB), 0);
	o.max_depth = 1;
	o.exclude = &ex;
	o.n_exclude = 1;
	f = frontier_new(&o);
	assert_non_null(f);
	assert_int_equal(frontier_add(f, "http://a.test/", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "HTTP://A.test:80/", 0, NULL), FRONTIER_SEEN);
	assert_int_equal(frontier_add(f, "http://a.test/x", 1, "http://a.test/"), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://a.test/x", 1, "http://a.test/"), FRONTIER_SEEN);
	assert_int_equal(frontier_add(f, "http://a.test/y", 2, "http://a.test/x"), FRONTIER_OUT);
	assert_int_equal(frontier_add(f, "http://b.test/", 1, "http://a.test/"), FRONTIER_OUT);
	assert_int_equal(frontier_add(f, "https://a.test/", 1, "http://a.test/"), FRONTIER_OUT);
	assert_int_equal(frontier_add(f, "http://a.test/doc.pdf", 1, "http://a.test/"), FRONTIER_OUT);
	assert_int_equal(frontier_queued(f), 2);

	u = take(f, 0);
	assert_string_equal(u->url, "http://a.test/");
	assert_int_equal(u->depth, 0);
	assert_null(u->referrer);
	frontier_done(f, u, 0);
	u = take(f, 0);
	assert_string_equal(u->url, "http://a.test/x");
	assert_int_equal(u->depth, 1);
	assert_string_equal(u->referrer, "http://a.test/");
	frontier_done(f, u, 0);
	{
		long long wait;

		assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_DONE);
	}
	frontier_free(f);
	regfree(&ex);
}

static void test_domain_and_any_scope(void **state)
{
	struct frontier_options o = follow_opts();
	struct frontier *f;

	(void)state;
	o.scope = FRONTIER_SCOPE_DOMAIN;
	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://www.example.co.uk/", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "https://shop.example.co.uk/", 1, "http://www.example.co.uk/"),
			 FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://other.co.uk/", 1, "http://www.example.co.uk/"),
			 FRONTIER_OUT);
	/* an address is its own domain: libpsl would make 127.0.0.1 the "domain" 0.1 */
	assert_int_equal(frontier_add(f, "http://127.0.0.1:8080/", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "https://127.0.0.1/", 1, "http://127.0.0.1:8080/"),
			 FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://10.0.0.1/", 1, "http://127.0.0.1:8080/"),
			 FRONTIER_OUT);
	assert_int_equal(frontier_add(f, "http://a.0.1/", 1, "http://127.0.0.1:8080/"),
			 FRONTIER_OUT);
	frontier_free(f);

	o.scope = FRONTIER_SCOPE_ANY;
	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://a.test/", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://b.test/", 1, "http://a.test/"), FRONTIER_ADDED);
	frontier_free(f);
}

/*
 * The verdict and host kept for the last origin a link had: forgotten when
 * the scope grows, and links of two hosts in turn each join their own.
 */
static void test_last_origin_kept(void **state)
{
	struct frontier_options o = follow_opts();
	struct frontier *f;
	const struct frontier_url *u[4];
	long long wait;

	(void)state;
	o.per_host = 1;
	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://a.test/", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://b.test/x", 1, "http://a.test/"), FRONTIER_OUT);
	assert_int_equal(frontier_add(f, "http://b.test/", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://b.test/x", 1, "http://a.test/"), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://a.test/y", 1, "http://a.test/"), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://b.test/y", 1, "http://a.test/"), FRONTIER_ADDED);
	assert_int_equal(frontier_queued(f), 5);
	/* one slot a host: a URL of each, then nothing until one is done */
	u[0] = take(f, 0);
	u[1] = take(f, 0);
	assert_string_equal(u[0]->url, "http://a.test/");
	assert_string_equal(u[1]->url, "http://b.test/");
	assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_IDLE);
	frontier_done(f, u[0], 0);
	u[2] = take(f, 0);
	assert_string_equal(u[2]->url, "http://a.test/y");
	assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_IDLE);
	frontier_done(f, u[1], 0);
	u[3] = take(f, 0);
	assert_string_equal(u[3]->url, "http://b.test/x");
	frontier_done(f, u[2], 0);
	frontier_done(f, u[3], 0);
	frontier_done(f, take(f, 0), 0);
	assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_DONE);
	frontier_free(f);
}

/* A plain list keeps every line, duplicates too, in order per host. */
static void test_plain_list_keeps_duplicates(void **state)
{
	struct frontier_options o = { .per_host = 1 };
	struct frontier *f = frontier_new(&o);
	const struct frontier_url *u;

	(void)state;
	assert_int_equal(frontier_add(f, "http://a.test/1", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://a.test/1", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "not a url", 0, NULL), FRONTIER_INVALID);
	u = take(f, 0);
	frontier_done(f, u, 0);
	u = take(f, 0);
	assert_string_equal(u->url, "http://a.test/1");
	frontier_done(f, u, 0);
	frontier_free(f);
}

/* One host's slots full: another host's URL goes out rather than nothing. */
static void test_per_host_slots(void **state)
{
	struct frontier_options o = { .per_host = 2 };
	struct frontier *f = frontier_new(&o);
	const struct frontier_url *a1, *a2, *b1, *a3;
	long long wait;

	(void)state;
	for (int i = 0; i < 4; i++) {
		char url[32];

		snprintf(url, sizeof(url), "http://a.test/%d", i);
		assert_int_equal(frontier_add(f, url, 0, NULL), FRONTIER_ADDED);
	}
	assert_int_equal(frontier_add(f, "http://b.test/", 0, NULL), FRONTIER_ADDED);
	a1 = take(f, 0);
	a2 = take(f, 0);
	b1 = take(f, 0);
	assert_string_equal(a1->url, "http://a.test/0");
	assert_string_equal(a2->url, "http://a.test/1");
	assert_string_equal(b1->url, "http://b.test/");
	assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_IDLE);
	frontier_done(f, a1, 0);
	a3 = take(f, 0);
	assert_string_equal(a3->url, "http://a.test/2");
	assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_IDLE);
	frontier_done(f, a2, 0);
	frontier_done(f, b1, 0);
	frontier_done(f, a3, 0);
	frontier_done(f, take(f, 0), 0);
	assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_DONE);
	frontier_free(f);
}

/* --delay spaces the starts of one host's requests; other hosts are not held back. */
static void test_delay(void **state)
{
	struct frontier_options o = { .delay_ms = 500 };
	struct frontier *f = frontier_new(&o);
	const struct frontier_url *u;
	long long wait;

	(void)state;
	assert_int_equal(frontier_add(f, "http://a.test/1", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://a.test/2", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://b.test/1", 0, NULL), FRONTIER_ADDED);
	u = take(f, 1000);
	frontier_done(f, u, 1010);
	u = take(f, 1010);
	assert_string_equal(u->url, "http://b.test/1");
	frontier_done(f, u, 1020);
	assert_int_equal(next_verdict(f, 1100, &wait), FRONTIER_WAIT);
	assert_int_equal(wait, 400);
	u = take(f, 1500);
	assert_string_equal(u->url, "http://a.test/2");
	frontier_done(f, u, 1500);
	frontier_free(f);
}

/* robots.txt first; its rules block, its Crawl-delay slows, a 5xx forbids everything. */
static void test_robots(void **state)
{
	static const char rules[] = "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n";
	struct frontier_options o = follow_opts();
	struct frontier *f;
	const struct frontier_url *u, *r;
	long long wait;

	(void)state;
	o.robots = true;
	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://a.test/", 0, NULL), FRONTIER_ADDED);
	r = take(f, 0);
	assert_int_equal(r->kind, FRONTIER_ROBOTS);
	assert_string_equal(r->url, "http://a.test:80/robots.txt");
	/* nothing else of that host before its robots.txt is known */
	assert_int_equal(next_verdict(f, 0, &wait), FRONTIER_IDLE);
	frontier_robots(f, r, 200, rules, strlen(rules));
	frontier_done(f, r, 0);
	assert_int_equal(next_verdict(f, 100, &wait), FRONTIER_WAIT);
	assert_int_equal(wait, 1900);
	u = take(f, 2000);
	assert_int_equal(u->kind, FRONTIER_PAGE);
	assert_int_equal(frontier_add(f, "http://a.test/private/x", 1, "http://a.test/"),
			 FRONTIER_ADDED);
	frontier_done(f, u, 2000);
	assert_int_equal(next_verdict(f, 2000, &wait), FRONTIER_WAIT);
	u = take(f, 4000);
	/* a blocked URL is a row, not a request: the host's next one may start at once */
	assert_int_equal(u->kind, FRONTIER_BLOCKED);
	assert_string_equal(u->url, "http://a.test/private/x");
	frontier_done(f, u, 4000);
	frontier_free(f);

	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://b.test/page", 0, NULL), FRONTIER_ADDED);
	r = take(f, 0);
	frontier_robots(f, r, 503, "", 0);
	frontier_done(f, r, 0);
	u = take(f, 0);
	assert_int_equal(u->kind, FRONTIER_BLOCKED);
	frontier_done(f, u, 0);
	frontier_free(f);

	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://c.test/page", 0, NULL), FRONTIER_ADDED);
	r = take(f, 0);
	frontier_robots(f, r, 404, "", 0);
	frontier_done(f, r, 0);
	u = take(f, 0);
	assert_int_equal(u->kind, FRONTIER_PAGE);
	frontier_done(f, u, 0);
	frontier_free(f);
}

static void test_max_pages(void **state)
{
	struct frontier_options o = follow_opts();
	struct frontier *f;
	char url[32];

	(void)state;
	o.max_pages = 3;
	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://a.test/", 0, NULL), FRONTIER_ADDED);
	for (int i = 0; i < 5; i++) {
		snprintf(url, sizeof(url), "http://a.test/%d", i);
		assert_int_equal(frontier_add(f, url, 1, "http://a.test/"),
				 i < 2 ? FRONTIER_ADDED : FRONTIER_FULL);
	}
	assert_int_equal(frontier_queued(f), 3);
	frontier_free(f);
}

/* A plain list (no --follow) takes its first N URLs too, as the shared frontier does. */
static void test_max_pages_plain_list(void **state)
{
	struct frontier_options o = { .max_pages = 2 };
	struct frontier *f;

	(void)state;
	f = frontier_new(&o);
	assert_int_equal(frontier_add(f, "http://a.test/1", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://a.test/1", 0, NULL), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://b.test/2", 0, NULL), FRONTIER_FULL);
	assert_int_equal(frontier_queued(f), 2);
	frontier_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seen_set),
		cmocka_unit_test(test_dedupe_depth_scope),
		cmocka_unit_test(test_domain_and_any_scope),
		cmocka_unit_test(test_last_origin_kept),
		cmocka_unit_test(test_plain_list_keeps_duplicates),
		cmocka_unit_test(test_per_host_slots),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_robots),
		cmocka_unit_test(test_max_pages),
		cmocka_unit_test(test_max_pages_plain_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
