/* test_robots.c -- robots.txt: RFC 9309's examples, groups, precedence, wildcards, limits, hostile files, Crawl-delay */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "robots.h"

/*
 * Allocation failures on demand: the test is linked with --wrap for malloc,
 * calloc and realloc; when armed, the countdown-th call from then on fails.
 */
static int alloc_countdown;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static bool alloc_fails(void)
{
	return alloc_countdown > 0 && --alloc_countdown == 0;
}

void *__wrap_malloc(size_t size)
{
	return alloc_fails() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return alloc_fails() ? NULL : __real_realloc(p, size);
}

/* Hostile inputs must finish in far less; the bound only catches a blow-up (sanitizers run slow). */
#define FAST_ENOUGH_S 10.0

#define assert_allowed(r, path)                                                \
	do {                                                                   \
		if (!robots_allowed((r), (path)))                              \
			fail_msg("'%s' denied, expected allowed", (path));     \
	} while (0)

#define assert_denied(r, path)                                                 \
	do {                                                                   \
		if (robots_allowed((r), (path)))                               \
			fail_msg("'%s' allowed, expected denied", (path));     \
	} while (0)

static struct robots *parse(const char *body, const char *agent)
{
	struct robots *r = robots_parse(body, strlen(body), agent);

	assert_non_null(r);
	return r;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: the same "random" inputs on every run. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* A buffer of n copies of c, terminated. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static const char rfc_simple[] =
	"User-Agent: *\n"
	"Disallow: *.gif$\n"
	"Disallow: /example/\n"
	"Allow: /publications/\n"
	"\n"
	"User-Agent: foobot\n"
	"Disallow:/\n"
	"Allow:/example/page.html\n"
	"Allow:/example/allowed.gif\n"
	"\n"
	"User-Agent: barbot\n"
	"User-Agent: bazbot\n"
	"Disallow: /example/page.html\n"
	"\n"
	"User-Agent: quxbot\n"
	"\n"
	"EOF\n";

/* RFC 9309 5.1, each agent as the RFC explains it. */
static void test_rfc_simple_example(void **state)
{
	struct robots *r;

	(void)state;
	r = parse(rfc_simple, "otherbot");
	assert_denied(r, "/image.gif");
	assert_denied(r, "/a/b/image.gif");
	assert_allowed(r, "/image.gif?size=2");	/* '$': the path must end there */
	assert_denied(r, "/example/");
	assert_denied(r, "/example/page.html");
	assert_allowed(r, "/publications/");
	assert_allowed(r, "/publications/a.gif");	/* longer than "*.gif$" */
	assert_allowed(r, "/");
	robots_free(r);

	r = parse(rfc_simple, "foobot");
	assert_allowed(r, "/example/page.html");
	assert_allowed(r, "/example/allowed.gif");
	assert_denied(r, "/");
	assert_denied(r, "/example/other.html");
	assert_denied(r, "/publications/");	/* the "*" group does not add to foobot's */
	robots_free(r);

	r = parse(rfc_simple, "FooBot");
	assert_allowed(r, "/example/page.html");
	assert_denied(r, "/");
	robots_free(r);

	for (int i = 0; i < 2; i++) {
		r = parse(rfc_simple, i ? "bazbot" : "barbot");
		assert_denied(r, "/example/page.html");
		assert_allowed(r, "/example/other.html");
		assert_allowed(r, "/image.gif");
		robots_free(r);
	}

	r = parse(rfc_simple, "quxbot");
	assert_allowed(r, "/example/page.html");
	assert_allowed(r, "/image.gif");
	assert_allowed(r, "/");
	robots_free(r);
}

/* RFC 9309 5.2: the longest match wins. */
static void test_rfc_longest_match(void **state)
{
	static const char body[] =
		"User-Agent: foobot\n"
		"Allow: /example/page/\n"
		"Disallow: /example/page/disallowed.gif\n";
	struct robots *r = parse(body, "foobot");

	(void)state;
	assert_allowed(r, "/example/page/");
	assert_allowed(r, "/example/page/index.html");
	assert_denied(r, "/example/page/disallowed.gif");
	assert_allowed(r, "/example/");
	robots_free(r);
}

/* RFC 9309 2.2.1: two groups for one agent are one group. */
static void test_rfc_groups_merged(void **state)
{
	static const char body[] =
		"user-agent: ExampleBot\n"
		"disallow: /foo\n"
		"disallow: /bar\n"
		"\n"
		"user-agent: ExampleBot\n"
		"disallow: /baz\n";
	char token[32];
	struct robots *r;

	(void)state;
	assert_int_equal(robots_product_token("ExampleBot/1.1 (+https://example.com)", token,
					      sizeof(token)), 10);
	r = parse(body, token);
	assert_denied(r, "/foo");
	assert_denied(r, "/bar");
	assert_denied(r, "/baz/x");
	assert_allowed(r, "/qux");
	robots_free(r);
}

/* RFC 9309 2.2.2's table: both sides compared once percent-encoding is normalised. */
static void test_rfc_percent_encoding(void **state)
{
	static const char body[] =
		"User-agent: *\n"
		"Disallow: /foo/bar?baz=quz\n"
		"Disallow: /foo/bar/\xE3\x83\x84\n"		/* U+30C4, raw UTF-8 */
		"Disallow: /foo/bar/%62%61%7A\n"		/* "baz", escaped */
		"Disallow: /enc?baz=https%3A%2F%2Ffoo.bar\n"
		"Disallow: /a%2Fb\n";
	struct robots *r = parse(body, "foobot");

	(void)state;
	assert_denied(r, "/foo/bar?baz=quz");
	assert_denied(r, "/foo/bar/%E3%83%84");
	assert_denied(r, "/foo/bar/%e3%83%84");
	assert_denied(r, "/foo/bar/\xE3\x83\x84");
	assert_denied(r, "/foo/bar/baz");
	assert_denied(r, "/foo/bar/%62az");
	assert_allowed(r, "/foo/bar/qux");
	/* Reserved characters are neither decoded nor encoded: only the escaped form matches. */
	assert_denied(r, "/enc?baz=https%3a%2f%2ffoo.bar");
	assert_allowed(r, "/enc?baz=https://foo.bar");
	assert_denied(r, "/a%2fb");
	assert_allowed(r, "/a/b");
	robots_free(r);
}

/* RFC 9309 2.2.3: '*', '$', '#', and the escapes that name '*' and '$' themselves. */
static void test_rfc_special_characters(void **state)
{
	static const char body[] =
		"User-agent: *\n"
		"Allow: / # comment in line\n"
		"# comment on its own line\n"
		"Disallow: /path/file-with-a-%2A.html\n"
		"Disallow: /path/foo-%24\n"
		"Disallow: /this/path/exactly$\n"
		"Disallow: /that/*/exactly\n";
	struct robots *r = parse(body, "foobot");

	(void)state;
	assert_denied(r, "/path/file-with-a-*.html");
	assert_denied(r, "/path/file-with-a-%2A.html");
	assert_allowed(r, "/path/file-with-a-x.html");	/* an escaped '*' is no wildcard */
	assert_denied(r, "/path/foo-$");
	assert_allowed(r, "/path/foo-");
	assert_denied(r, "/this/path/exactly");
	assert_allowed(r, "/this/path/exactly/");
	assert_allowed(r, "/this/path/exactly?q");
	assert_denied(r, "/that/x/exactly");
	assert_denied(r, "/that/x/y/exactly/z");
	assert_allowed(r, "/that/exactly");
	robots_free(r);
}

static void test_group_selection(void **state)
{
	static const char star_and_foo[] =
		"User-agent: *\n"
		"Disallow: /x/\n"
		"\n"
		"User-agent: FooBot\n"
		"Disallow: /y/\n";
	struct robots *r;

	(void)state;
	/* A named group replaces "*", it does not add to it. */
	r = parse(star_and_foo, "foobot");
	assert_allowed(r, "/x/page");
	assert_denied(r, "/y/page");
	robots_free(r);
	r = parse(star_and_foo, "otherbot");
	assert_denied(r, "/x/page");
	assert_allowed(r, "/y/page");
	robots_free(r);
	/* No token, or a token RFC 9309 does not allow: only "*" applies. */
	r = parse(star_and_foo, NULL);
	assert_denied(r, "/x/page");
	robots_free(r);
	r = parse(star_and_foo, "foobot/1.0");
	assert_denied(r, "/x/page");
	assert_allowed(r, "/y/page");
	robots_free(r);

	/* Keys and agents are case-insensitive; a version after '/' is not part of the name. */
	r = parse("USER-AGENT: FOOBOT/2.1\nDISALLOW: /z\n", "foobot");
	assert_denied(r, "/z");
	robots_free(r);
	r = parse("User-agent: foobot9\nDisallow: /z\n", "foobot");
	assert_allowed(r, "/z");
	robots_free(r);
	r = parse("User-agent: foo\nDisallow: /z\n", "foobot");	/* not a prefix match */
	assert_allowed(r, "/z");
	robots_free(r);

	/* Consecutive agents share a group, across blank lines, comments and unknown records. */
	r = parse("User-agent: a\n\n# c\nSitemap: http://x/s.xml\nUser-agent: foobot\nDisallow: /z\n"
		  "User-agent: b\nDisallow: /w\n", "foobot");
	assert_denied(r, "/z");
	assert_allowed(r, "/w");
	robots_free(r);
	r = parse("User-agent: a\nUser-agent: foobot\nDisallow: /z\n", "A");
	assert_denied(r, "/z");
	robots_free(r);

	/* A group naming both "*" and us applies to both. */
	r = parse("User-agent: *\nUser-agent: foobot\nDisallow: /z\n", "foobot");
	assert_denied(r, "/z");
	robots_free(r);
	r = parse("User-agent: *\nUser-agent: foobot\nDisallow: /z\n", "other");
	assert_denied(r, "/z");
	robots_free(r);

	/* Rules before any user-agent line belong to nobody. */
	r = parse("Disallow: /\nUser-agent: *\nDisallow: /z\n", "foobot");
	assert_allowed(r, "/a");
	assert_denied(r, "/z");
	robots_free(r);

	/* Our group, even empty, still replaces "*". */
	r = parse("User-agent: *\nDisallow: /\nUser-agent: foobot\n", "foobot");
	assert_allowed(r, "/a");
	robots_free(r);

	/* No group at all, or an empty file: nothing is forbidden. */
	r = parse("Disallow: /\n", "foobot");
	assert_allowed(r, "/a");
	robots_free(r);
	r = robots_parse(NULL, 0, "foobot");
	assert_non_null(r);
	assert_allowed(r, "/a");
	robots_free(r);
}

static void test_precedence(void **state)
{
	struct robots *r;

	(void)state;
	r = parse("User-agent: *\nAllow: /x/\nDisallow: /x/page.html\n", "a");
	assert_denied(r, "/x/page.html");
	assert_allowed(r, "/x/other.html");
	robots_free(r);
	r = parse("User-agent: *\nDisallow: /x/\nAllow: /x/page.html\n", "a");
	assert_allowed(r, "/x/page.html");
	assert_denied(r, "/x/other.html");
	robots_free(r);
	/* A tie goes to Allow, whatever the order. */
	r = parse("User-agent: *\nDisallow: /\nAllow: /\n", "a");
	assert_allowed(r, "/x");
	robots_free(r);
	r = parse("User-agent: *\nAllow: /p\nDisallow: /p\n", "a");
	assert_allowed(r, "/p");
	robots_free(r);
	r = parse("User-agent: *\nDisallow: /x\nAllow: /x/\n", "a");
	assert_denied(r, "/x");
	assert_denied(r, "/xy");
	assert_allowed(r, "/x/");
	robots_free(r);
	/* Wildcards count in a pattern's length: the 7 octets of the ".html" rule beat the 5 of "/page". */
	r = parse("User-agent: *\nAllow: /page\nDisallow: /*.html\n", "a");
	assert_denied(r, "/page.html");
	assert_allowed(r, "/page");
	robots_free(r);
	/* So does '$': "/page$" (6) beats "/page" (5). */
	r = parse("User-agent: *\nDisallow: /page\nAllow: /page$\n", "a");
	assert_allowed(r, "/page");
	assert_denied(r, "/pages");
	robots_free(r);
}

static void test_wildcards_and_anchor(void **state)
{
	struct robots *r;

	(void)state;
	r = parse("User-agent: *\nDisallow: /foo/bar$\n", "a");
	assert_denied(r, "/foo/bar");
	assert_allowed(r, "/foo/bar/");
	assert_allowed(r, "/foo/bar?x");
	robots_free(r);
	r = parse("User-agent: *\nDisallow: /*?\nDisallow: /a*b*c$\nDisallow: /m$n\n", "a");
	assert_denied(r, "/search?q=1");
	assert_allowed(r, "/search");
	assert_denied(r, "/abc");
	assert_denied(r, "/a-b-c");
	assert_denied(r, "/aXbYbZc");
	assert_allowed(r, "/abcd");
	assert_allowed(r, "/acb");
	assert_denied(r, "/m$n");	/* a '$' inside a pattern is a plain '$' */
	assert_allowed(r, "/mn");
	robots_free(r);
	/* Runs of '*', and patterns that start with one. */
	r = parse("User-agent: *\nDisallow: ***.pdf$\nDisallow: /*/*/deep\n", "a");
	assert_denied(r, "/docs/a.pdf");
	assert_allowed(r, "/docs/a.pdf.html");
	assert_denied(r, "/a/b/deep");
	assert_allowed(r, "/a/deep");
	robots_free(r);
	/* Paths are case-sensitive. */
	r = parse("User-agent: *\nDisallow: /x/\n", "a");
	assert_denied(r, "/x/a");
	assert_allowed(r, "/X/a");
	robots_free(r);
}

static void test_empty_values(void **state)
{
	struct robots *r;

	(void)state;
	r = parse("User-agent: *\nDisallow:\n", "a");
	assert_allowed(r, "/");
	assert_allowed(r, "/anything");
	robots_free(r);
	r = parse("User-agent: *\nDisallow:   # nothing\nAllow:\n", "a");
	assert_allowed(r, "/anything");
	robots_free(r);
	/* Values that cannot match a path ('/' first) are dropped, not read as "/". */
	r = parse("User-agent: *\nDisallow: private/\nDisallow: http://h/x\nDisallow: $\n", "a");
	assert_allowed(r, "/private/");
	assert_allowed(r, "/x");
	robots_free(r);
}

static void test_robots_txt_always_allowed(void **state)
{
	struct robots *r;

	(void)state;
	r = parse("User-agent: *\nDisallow: /\n", "a");
	assert_allowed(r, "/robots.txt");
	assert_allowed(r, "/robots%2etxt");
	assert_denied(r, "/robots.txt?x=1");
	assert_denied(r, "/robots.txt/");
	assert_denied(r, "/");
	robots_free(r);
	r = robots_deny_all();
	assert_non_null(r);
	assert_allowed(r, "/robots.txt");
	assert_denied(r, "/");
	assert_denied(r, "/index.html");
	assert_int_equal(robots_crawl_delay_ms(r), -1);
	robots_free(r);
	r = robots_allow_all();
	assert_non_null(r);
	assert_allowed(r, "/robots.txt");
	assert_allowed(r, "/");
	assert_allowed(r, "/private/x?y");
	assert_int_equal(robots_crawl_delay_ms(r), -1);
	robots_free(r);
	robots_free(NULL);
}

/* A missing '/', a fragment, an empty path. */
static void test_path_forms(void **state)
{
	struct robots *r = parse("User-agent: *\nDisallow: /$\nDisallow: /?\nDisallow: /p$\n", "a");

	(void)state;
	assert_denied(r, "");
	assert_denied(r, "#top");
	assert_denied(r, "/#top");
	assert_denied(r, "?q");
	assert_denied(r, "/p#x");	/* the fragment is not part of the path */
	assert_allowed(r, "/p/");
	assert_allowed(r, "/index");
	robots_free(r);
}

static void test_line_syntax(void **state)
{
	/* BOM, CR, CRLF, LF, tabs, spaces around the colon, no final newline. */
	static const char body[] =
		"\xEF\xBB\xBF  User-Agent :\tfoobot  \r\n"
		" DISALLOW:/a # comment\r"
		"allow: /a/b\r\n\r\n"
		"Sitemap: http://example.com/sitemap.xml\n"
		"unknown-key: /x\n"
		"no colon on this line\n"
		"Disallow /ignored-without-colon\n"
		"\tdisallow\t:\t/c\t";
	struct robots *r = parse(body, "foobot");

	(void)state;
	assert_denied(r, "/a");
	assert_denied(r, "/a/c");
	assert_allowed(r, "/a/b");
	assert_denied(r, "/c");
	assert_allowed(r, "/x");
	assert_allowed(r, "/ignored-without-colon");
	robots_free(r);

	/* NUL octets are ordinary octets of a line. */
	{
		static const char nul[] = "User-agent: *\nDisallow: /x\0y\n\0\nDisallow: /z";
		struct robots *n = robots_parse(nul, sizeof(nul) - 1, "a");

		assert_non_null(n);
		assert_allowed(n, "/x");
		assert_denied(n, "/x%00y");
		assert_denied(n, "/z");
		robots_free(n);
	}
}

/* Fills body (at least size octets) with comment lines to exactly size octets. */
static void pad(char *body, size_t size)
{
	size_t at = 0;

	while (at < size) {
		size_t line = size - at < 80 ? size - at : 80;

		memset(body + at, 'x', line);
		body[at] = '#';
		body[at + line - 1] = '\n';
		at += line;
	}
}

static void test_body_limit(void **state)
{
	static const char head[] = "User-agent: *\n";
	static const char in[] = "Disallow: /in\n";
	static const char cut[] = "Disallow: /private\n";
	size_t total = ROBOTS_MAX_BODY + 4096;
	char *body = malloc(total);
	struct robots *r;
	size_t at;

	(void)state;
	assert_non_null(body);
	/* A rule that ends right at the limit is read; the one after it is not. */
	memcpy(body, head, sizeof(head) - 1);
	at = ROBOTS_MAX_BODY - (sizeof(in) - 1);
	pad(body + sizeof(head) - 1, at - (sizeof(head) - 1));
	memcpy(body + at, in, sizeof(in) - 1);
	memcpy(body + ROBOTS_MAX_BODY, "Disallow: /out\n", 15);
	r = robots_parse(body, ROBOTS_MAX_BODY + 15, "a");
	assert_non_null(r);
	assert_denied(r, "/in");
	assert_allowed(r, "/out");
	robots_free(r);

	/* A line the limit cuts is dropped: "Disallow: /" would forbid everything. */
	at = ROBOTS_MAX_BODY - strlen("Disallow: /");
	pad(body + sizeof(head) - 1, at - (sizeof(head) - 1));
	memcpy(body + at, cut, sizeof(cut) - 1);
	r = robots_parse(body, at + sizeof(cut) - 1, "a");
	assert_non_null(r);
	assert_allowed(r, "/public");
	assert_allowed(r, "/private");
	robots_free(r);

	/* The same line whole, and the limit just past its end of line: read. */
	at = ROBOTS_MAX_BODY - (sizeof(cut) - 2);
	pad(body + sizeof(head) - 1, at - (sizeof(head) - 1));
	memcpy(body + at, cut, sizeof(cut) - 1);
	r = robots_parse(body, at + sizeof(cut) - 1 + 1, "a");
	assert_non_null(r);
	assert_denied(r, "/private");
	assert_allowed(r, "/public");
	robots_free(r);
	free(body);
}

static void test_rule_limits(void **state)
{
	size_t n = ROBOTS_MAX_RULES + 1, at;
	char *body = malloc(32 + n * 20);
	char *pattern;
	char path[32];
	struct robots *r;

	(void)state;
	assert_non_null(body);
	at = (size_t)sprintf(body, "User-agent: *\n");
	for (size_t i = 0; i < n; i++)
		at += (size_t)sprintf(body + at, "Disallow: /r%05zu/\n", i);
	r = robots_parse(body, at, "a");
	assert_non_null(r);
	snprintf(path, sizeof(path), "/r%05zu/", (size_t)ROBOTS_MAX_RULES - 1);
	assert_denied(r, path);
	snprintf(path, sizeof(path), "/r%05zu/", (size_t)ROBOTS_MAX_RULES);
	assert_allowed(r, path);
	robots_free(r);
	free(body);

	/* A pattern of ROBOTS_MAX_PATTERN octets is kept, one octet more is not. */
	pattern = repeat('p', ROBOTS_MAX_PATTERN + 64);
	body = malloc(ROBOTS_MAX_PATTERN + 256);
	assert_non_null(body);
	pattern[0] = '/';
	at = (size_t)sprintf(body, "User-agent: *\nDisallow: %.*s\n", (int)ROBOTS_MAX_PATTERN, pattern);
	r = robots_parse(body, at, "a");
	assert_non_null(r);
	pattern[ROBOTS_MAX_PATTERN] = '\0';
	assert_denied(r, pattern);
	robots_free(r);
	pattern[ROBOTS_MAX_PATTERN] = 'p';
	pattern[ROBOTS_MAX_PATTERN + 1] = '\0';
	at = (size_t)sprintf(body, "User-agent: *\nDisallow: %.*s\n", (int)ROBOTS_MAX_PATTERN + 1, pattern);
	r = robots_parse(body, at, "a");
	assert_non_null(r);
	assert_allowed(r, pattern);
	robots_free(r);
	free(body);
	free(pattern);
}

/* Paths longer than the matcher's stack buffer. */
static void test_long_path(void **state)
{
	size_t n = 100000;
	char *path = repeat('a', n);
	struct robots *r = parse("User-agent: *\nDisallow: /*end$\nDisallow: /b\n", "a");

	(void)state;
	path[0] = '/';
	assert_allowed(r, path);
	memcpy(path + n - 3, "end", 3);
	assert_denied(r, path);
	path[1] = 'b';
	assert_denied(r, path);
	path[1] = '\xE9';	/* grows three times when escaped */
	assert_denied(r, path);
	memcpy(path + n - 3, "ene", 3);
	assert_allowed(r, path);
	robots_free(r);
	free(path);
}

static void test_hostile_stars(void **state)
{
	size_t stars = 1000000;
	char *body = malloc(stars + 256);
	char *path = repeat('a', 200000);
	struct robots *r;
	double t0 = now_s();
	size_t at;

	(void)state;
	assert_non_null(body);
	path[0] = '/';
	/* A million '*' in one line: past the limit, the cut line is dropped. */
	at = (size_t)sprintf(body, "User-agent: *\nDisallow: /a");
	memset(body + at, '*', stars);
	at += stars;
	at += (size_t)sprintf(body + at, "b\n");
	r = robots_parse(body, at, "a");
	assert_non_null(r);
	assert_allowed(r, "/ab");
	assert_allowed(r, path);
	robots_free(r);

	/* 400,000 of them inside the limit: one wildcard, of the weight of all. */
	stars = 400000;
	at = (size_t)sprintf(body, "User-agent: *\nAllow: /a/\nDisallow: /a");
	memset(body + at, '*', stars);
	at += stars;
	at += (size_t)sprintf(body + at, "z$\n");
	r = robots_parse(body, at, "a");
	assert_non_null(r);
	assert_denied(r, "/az");
	assert_denied(r, "/a/bz");	/* the longer pattern wins over "/a/" */
	assert_allowed(r, "/a/b");
	assert_allowed(r, path);
	path[199999] = 'z';
	assert_denied(r, path);
	robots_free(r);

	/*
	 * Rules that make a backtracking matcher take exponential time: linear
	 * here, against a path of 2,000 'a's; against 200,000 the step budget
	 * runs out and the path is denied, still fast.
	 */
	at = (size_t)sprintf(body, "User-agent: *\n");
	while (at < ROBOTS_MAX_BODY - 256) {
		at += (size_t)sprintf(body + at, "Disallow: /");
		for (int i = 0; i < 40; i++)
			at += (size_t)sprintf(body + at, "*a");
		at += (size_t)sprintf(body + at, "*b\n");
	}
	r = robots_parse(body, at, "a");
	assert_non_null(r);
	path[199999] = 'a';
	path[2000] = '\0';
	assert_allowed(r, path);
	path[1999] = 'b';
	assert_denied(r, path);
	path[1999] = 'a';
	path[2000] = 'a';
	for (int i = 0; i < 3; i++)
		assert_denied(r, path);
	robots_free(r);
	if (now_s() - t0 > FAST_ENOUGH_S)
		fail_msg("hostile wildcards took %.1f s", now_s() - t0);
	free(body);
	free(path);
}

static void test_hostile_junk(void **state)
{
	size_t n = 10 * 1024 * 1024;
	char *body = malloc(n);
	uint64_t seed = 0x9309;
	struct robots *r;
	double t0 = now_s();

	(void)state;
	assert_non_null(body);
	/* 10 MB of random octets, NUL included. */
	for (size_t i = 0; i < n; i++)
		body[i] = (char)(next_rand(&seed) >> 56);
	r = robots_parse(body, n, "foobot");
	assert_non_null(r);
	assert_allowed(r, "/robots.txt");
	for (int i = 0; i < 1000; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/%d/x?y=%d", i, i);
		(void)robots_allowed(r, path);
	}
	robots_free(r);

	/* 10 MB of NUL octets, then of rule lines with no end of line between them. */
	memset(body, 0, n);
	r = robots_parse(body, n, "foobot");
	assert_non_null(r);
	assert_allowed(r, "/");
	robots_free(r);
	for (size_t i = 0; i + 16 <= n; i += 16)
		memcpy(body + i, "Disallow: /*a*b*", 16);
	r = robots_parse(body, n, "foobot");
	assert_non_null(r);
	assert_allowed(r, "/ab");
	robots_free(r);
	if (now_s() - t0 > FAST_ENOUGH_S)
		fail_msg("10 MB of junk took %.1f s", now_s() - t0);
	free(body);
}

static long delay_of(const char *body, const char *agent)
{
	struct robots *r = parse(body, agent);
	long ms = robots_crawl_delay_ms(r);

	robots_free(r);
	return ms;
}

static void test_crawl_delay(void **state)
{
	static const char *const bad[] = { "abc", "-1", "+2", "1,5", "1.5s", "", "1 2", "0x10", "." };
	char body[128];

	(void)state;
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 10\n", "a"), 10000);
	assert_int_equal(delay_of("User-agent: *\ncrawl-DELAY:2.5 # polite\n", "a"), 2500);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: .5\n", "a"), 500);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 0.0001\n", "a"), 1);	/* rounded up */
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 0\n", "a"), 0);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 60\n", "a"), ROBOTS_MAX_DELAY_MS);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 600\n", "a"), ROBOTS_MAX_DELAY_MS);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 99999999999999999999999999999999999999999999999999999999999999999999\n",
				  "a"), ROBOTS_MAX_DELAY_MS);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "User-agent: *\nCrawl-delay: %s\n", bad[i]);
		if (delay_of(body, "a") != -1)
			fail_msg("Crawl-delay '%s' read as a number", bad[i]);
	}
	/* None, or only outside any group. */
	assert_int_equal(delay_of("User-agent: *\nDisallow: /x\n", "a"), -1);
	assert_int_equal(delay_of("Crawl-delay: 5\nUser-agent: *\nDisallow: /x\n", "a"), -1);
	/* The group that applies, merged: the largest value. */
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 5\nUser-agent: foobot\nDisallow: /x\n",
				  "foobot"), -1);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 5\nUser-agent: foobot\nCrawl-delay: 1\n",
				  "foobot"), 1000);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 5\nUser-agent: foobot\nCrawl-delay: 1\n",
				  "other"), 5000);
	assert_int_equal(delay_of("User-agent: foobot\nCrawl-delay: 1\nUser-agent: x\nCrawl-delay: 9\n"
				  "User-agent: foobot\nCrawl-delay: 3\n", "foobot"), 3000);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 4\nCrawl-delay: 2\n", "a"), 4000);
	/* A Crawl-delay line ends a run of user-agent lines, as a rule does. */
	assert_int_equal(delay_of("User-agent: foobot\nCrawl-delay: 2\nUser-agent: x\nCrawl-delay: 7\n",
				  "foobot"), 2000);
}

/* A delay with more digits than a number holds: its value, however many there are. */
static long delay_of_value(const char *head, unsigned zeros, const char *tail)
{
	char body[512];
	int n = snprintf(body, sizeof(body), "User-agent: *\nCrawl-delay: %s", head);

	for (unsigned i = 0; i < zeros; i++)
		body[n++] = '0';
	snprintf(body + n, sizeof(body) - (size_t)n, "%s\n", tail);
	return delay_of(body, "a");
}

/*
 * A Crawl-delay is a number as --delay writes one, decimal digits and a
 * fraction: any such number over the cap is the cap, whatever its length
 * or fraction, and one with leading or trailing zeros has its value. An
 * exponent ("1e9") makes it no number, like a unit or a sign: ignored.
 */
static void test_crawl_delay_any_length(void **state)
{
	static const char *const not_numbers[] = { "1e9", "1E2", "1e-3", "2.5e1", "inf", "1.2.3" };
	char body[128];

	(void)state;
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 99999999999999999999\n", "a"),
			 ROBOTS_MAX_DELAY_MS);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 99999999999999999999.5\n", "a"),
			 ROBOTS_MAX_DELAY_MS);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 5.\n", "a"), 5000);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 60.001\n", "a"), ROBOTS_MAX_DELAY_MS);
	assert_int_equal(delay_of("User-agent: *\nCrawl-delay: 59.9999\n", "a"), 60000);
	/* leading zeros: 1 s, not a number too long to hold */
	assert_int_equal(delay_of_value("", 80, "1"), 1000);
	assert_int_equal(delay_of_value("", 80, "61"), ROBOTS_MAX_DELAY_MS);
	assert_int_equal(delay_of_value("", 80, ""), 0);
	/* trailing zeros of a fraction: still 1 s; a last digit past them rounds up */
	assert_int_equal(delay_of_value("1.", 80, ""), 1000);
	assert_int_equal(delay_of_value("0.", 80, "1"), 1);
	assert_int_equal(delay_of_value("1", 80, ".5"), ROBOTS_MAX_DELAY_MS);
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]); i++) {
		snprintf(body, sizeof(body), "User-agent: *\nCrawl-delay: %s\n", not_numbers[i]);
		if (delay_of(body, "a") != -1)
			fail_msg("Crawl-delay '%s' read as a number", not_numbers[i]);
	}
}

static void test_product_token(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(robots_product_token("crawlpool/0.1.0 (+https://x)", buf, sizeof(buf)), 9);
	assert_string_equal(buf, "crawlpool");
	assert_int_equal(robots_product_token("Foo-Bar_baz", buf, sizeof(buf)), 11);
	assert_string_equal(buf, "Foo-Bar_baz");
	assert_int_equal(robots_product_token("  spaced (x)", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "spaced");
	/* Digits and other characters are not in a token: no token rather than a wrong one. */
	assert_int_equal(robots_product_token("bot9/1.0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(robots_product_token("/1.0", buf, sizeof(buf)), 0);
	assert_int_equal(robots_product_token("", buf, sizeof(buf)), 0);
	assert_int_equal(robots_product_token(NULL, buf, sizeof(buf)), 0);
	/* Too small a buffer: the length, and "" rather than a cut token. */
	assert_int_equal(robots_product_token("averyveryverylongbot/2", buf, sizeof(buf)), 20);
	assert_string_equal(buf, "");
	assert_int_equal(robots_product_token("crawlpool", buf, 9), 9);
	assert_string_equal(buf, "");
	assert_int_equal(robots_product_token("crawlpool", buf, 10), 9);
	assert_string_equal(buf, "crawlpool");
	assert_int_equal(robots_product_token("crawlpool", NULL, 0), 9);
}

/* Every allocation failing in turn: NULL and nothing leaked (ASan checks), never a half-built answer. */
static void test_out_of_memory(void **state)
{
	char *body = malloc(64 * 1024), *path = repeat('a', 10000);
	size_t at = 0;
	int k;

	(void)state;
	assert_non_null(body);
	at += (size_t)sprintf(body + at, "User-agent: *\nDisallow: /x\nUser-agent: foobot\nCrawl-delay: 3\n");
	for (int i = 0; i < 2000; i++)
		at += (size_t)sprintf(body + at, "Disallow: /r%d/*.php$\n", i);
	path[0] = '/';
	for (k = 1; k < 1000; k++) {
		struct robots *r;

		alloc_countdown = k;
		r = robots_parse(body, at, "foobot");
		alloc_countdown = 0;
		if (!r)
			continue;
		assert_denied(r, "/r1999/a.php");
		assert_allowed(r, "/x");
		assert_int_equal(robots_crawl_delay_ms(r), 3000);
		robots_free(r);
		break;
	}
	assert_true(k > 2);	/* some allocations did fail */
	assert_true(k < 1000);	/* and then it succeeded */

	for (k = 1; k <= 2; k++) {
		struct robots *r;

		alloc_countdown = 1;
		r = k == 1 ? robots_allow_all() : robots_deny_all();
		alloc_countdown = 0;
		assert_null(r);
	}

	/* A path too long for the stack buffer that cannot be copied is denied. */
	{
		struct robots *r = parse("User-agent: *\nDisallow: /private\n", "a");

		alloc_countdown = 1;
		assert_denied(r, path);
		alloc_countdown = 0;
		assert_allowed(r, path);
		robots_free(r);
	}
	free(path);
	free(body);
}

/* The plain definition, exponential but fine on short strings: a prefix match, '$' anchors. */
static bool ref_match(const char *p, const char *s)
{
	if (*p == '\0')
		return true;
	if (p[0] == '$' && p[1] == '\0')
		return *s == '\0';
	if (*p == '*')
		return ref_match(p + 1, s) || (*s != '\0' && ref_match(p, s + 1));
	return *s == *p && ref_match(p + 1, s + 1);
}

/*
 * Random rule sets on a small alphabet, where normalisation changes
 * nothing, against the definition: the longest matching pattern decides,
 * Allow on a tie, allowed when none matches.
 */
static void test_against_reference(void **state)
{
	static const char pat_chars[] = "/ab*";
	static const char path_chars[] = "/ab";
	uint64_t seed = 42;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		char pats[4][16], path[16], body[256];
		bool allow[4];
		int nrules = 1 + (int)(next_rand(&seed) % 4), at, best = -1;
		size_t best_len = 0;
		bool expect = true;
		struct robots *r;

		at = sprintf(body, "User-agent: *\n");
		for (int i = 0; i < nrules; i++) {
			size_t len = 1 + next_rand(&seed) % 9, j;

			pats[i][0] = next_rand(&seed) % 4 ? '/' : '*';
			for (j = 1; j < len; j++)
				pats[i][j] = pat_chars[next_rand(&seed) % 4];
			if (next_rand(&seed) % 3 == 0)
				pats[i][j++] = '$';
			pats[i][j] = '\0';
			allow[i] = next_rand(&seed) % 2;
			at += sprintf(body + at, "%s: %s\n", allow[i] ? "Allow" : "Disallow", pats[i]);
		}
		{
			size_t len = next_rand(&seed) % 12, j;

			path[0] = '/';
			for (j = 1; j <= len; j++)
				path[j] = path_chars[next_rand(&seed) % 3];
			path[j] = '\0';
		}
		for (int i = 0; i < nrules; i++) {
			size_t len = strlen(pats[i]);

			if (!ref_match(pats[i], path))
				continue;
			if (best < 0 || len > best_len || (len == best_len && allow[i])) {
				best = i;
				best_len = len;
				expect = allow[i];
			}
		}
		r = parse(body, "a");
		if (robots_allowed(r, path) != expect)
			fail_msg("iteration %d: '%s' %s, expected %s, rules:\n%s", iter, path,
				 expect ? "denied" : "allowed", expect ? "allowed" : "denied", body);
		robots_free(r);
	}
}

/* Random files and paths built from robots.txt's own pieces: never a crash, /robots.txt always allowed. */
static void test_fuzz_loop(void **state)
{
	static const char *const pieces[] = {
		"User-agent:", "user-agent: *", "User-agent: foobot", "Allow:", "Disallow:",
		"Crawl-delay:", "Sitemap:", " ", "\t", "\n", "\r", "\r\n", "#", ":", "*", "$",
		"/", "%", "%2", "%41", "%2f", "%e3%83%84", "\xE3\x83\x84", "a", "b", "?", "=",
		"\xEF\xBB\xBF", "9.5", "-", "robots.txt", "\xFF", "",
	};
	static const char *const path_pieces[] = {
		"/", "a", "b", "*", "$", "%", "%4", "%41", "%2A", "?", "#", "robots.txt", "\xE3\x83\x84",
		"\x01", " ",
	};
	size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	size_t npath = sizeof(path_pieces) / sizeof(path_pieces[0]);
	uint64_t seed = 0xC0FFEE;
	char body[4096], path[256];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0, plen = 0, want = next_rand(&seed) % 1024;
		struct robots *r;
		long ms;

		while (len < want) {
			uint64_t x = next_rand(&seed);

			if (x % 8 == 0) {
				body[len++] = (char)(x >> 56);	/* any octet, NUL too */
			} else {
				const char *p = pieces[(x >> 8) % npieces];
				size_t k = strlen(p);

				memcpy(body + len, p, k);
				len += k;
			}
		}
		want = next_rand(&seed) % 24;
		for (size_t i = 0; i < want; i++) {
			const char *p = path_pieces[next_rand(&seed) % npath];
			size_t k = strlen(p);

			memcpy(path + plen, p, k);
			plen += k;
		}
		path[plen] = '\0';
		r = robots_parse(body, len, iter % 2 ? "foobot" : NULL);
		assert_non_null(r);
		assert_allowed(r, "/robots.txt");
		(void)robots_allowed(r, path);
		ms = robots_crawl_delay_ms(r);
		assert_true(ms >= -1 && ms <= ROBOTS_MAX_DELAY_MS);
		robots_free(r);
	}
}

/* An answer's status decides (RFC 9309 2.3.1), and a row says which answer shut a host off. */
static void test_from_answer(void **state)
{
	static const char rules[] = "User-agent: *\nDisallow: /p\n";
	static const char refused[] = "connection refused";
	static const long allowing[] = { 301, 302, 308, 400, 401, 403, 404, 429 };
	struct robots *r;

	(void)state;
	r = robots_from_answer(200, rules, strlen(rules), "crawlpool");
	assert_non_null(r);
	assert_denied(r, "/p");
	assert_allowed(r, "/q");
	assert_string_equal(robots_why(r), "blocked by robots.txt");
	robots_free(r);
	for (size_t i = 0; i < sizeof(allowing) / sizeof(allowing[0]); i++) {
		r = robots_from_answer(allowing[i], rules, strlen(rules), "crawlpool");
		assert_non_null(r);
		assert_allowed(r, "/p");
		robots_free(r);
	}
	r = robots_from_answer(503, rules, strlen(rules), "crawlpool");
	assert_non_null(r);
	assert_denied(r, "/q");
	assert_string_equal(robots_why(r), "blocked by robots.txt: it answered 503");
	robots_free(r);
	r = robots_from_answer(0, refused, strlen(refused), "crawlpool");
	assert_non_null(r);
	assert_denied(r, "/q");
	assert_string_equal(robots_why(r), "blocked by robots.txt: unreachable (connection refused)");
	robots_free(r);
	r = robots_from_answer(0, NULL, 0, "crawlpool");
	assert_non_null(r);
	assert_string_equal(robots_why(r), "blocked by robots.txt: unreachable");
	robots_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_simple_example),
		cmocka_unit_test(test_from_answer),
		cmocka_unit_test(test_rfc_longest_match),
		cmocka_unit_test(test_rfc_groups_merged),
		cmocka_unit_test(test_rfc_percent_encoding),
		cmocka_unit_test(test_rfc_special_characters),
		cmocka_unit_test(test_group_selection),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_wildcards_and_anchor),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_robots_txt_always_allowed),
		cmocka_unit_test(test_path_forms),
		cmocka_unit_test(test_line_syntax),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_rule_limits),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_hostile_stars),
		cmocka_unit_test(test_hostile_junk),
		cmocka_unit_test(test_crawl_delay),
		cmocka_unit_test(test_crawl_delay_any_length),
		cmocka_unit_test(test_product_token),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_fuzz_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
