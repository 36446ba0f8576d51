/* test_urlnorm.c -- link resolution (RFC 3986 5.4), each normalisation rule, origins, paths, a speed print */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "urlnorm.h"

#define RFC_BASE "http://a/b/c/d;p?q"

/*
 * urlnorm_resolve (fast path where it can) and urlnorm_resolve_slow (libcurl
 * always) must agree on every input: the same result, the same URL.
 */
static void expect_same_paths(const char *base, const char *ref)
{
	char *fast = NULL, *slow = NULL;
	int frc = urlnorm_resolve(base, ref, &fast), src = urlnorm_resolve_slow(base, ref, &slow);

	if (frc != src || (fast == NULL) != (slow == NULL) || (fast && strcmp(fast, slow) != 0))
		fail_msg("'%s' against '%s': fast %d '%s', slow %d '%s'", ref, base ? base : "(none)",
			 frc, fast ? fast : "-", src, slow ? slow : "-");
	free(fast);
	free(slow);
}

/* ref against base must give want. */
static void expect_url(const char *base, const char *ref, const char *want)
{
	char *out = (char *)1;
	int rc = urlnorm_resolve(base, ref, &out);

	expect_same_paths(base, ref);

	if (rc != URLNORM_OK)
		fail_msg("'%s' against '%s': %s, not '%s'", ref, base ? base : "(none)",
			 urlnorm_strerror(rc), want);
	assert_non_null(out);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' against '%s' gave '%s', not '%s'", ref, base ? base : "(none)", out, want);
	/* a normalised URL is its own normal form */
	{
		char *again = NULL;

		assert_int_equal(urlnorm_resolve(NULL, out, &again), URLNORM_OK);
		assert_string_equal(again, out);
		free(again);
		/* and a page's URL the fast path may take as a base */
		expect_same_paths(out, "");
		expect_same_paths(out, "x/../y.html?a=1#f");
	}
	free(out);
}

static void expect_rc(const char *base, const char *ref, int want)
{
	char *out = (char *)1;
	int rc = urlnorm_resolve(base, ref, &out);

	expect_same_paths(base, ref);
	if (rc != want)
		fail_msg("'%.60s' against '%s': %s (%s), not %s", ref, base ? base : "(none)",
			 urlnorm_strerror(rc), rc == URLNORM_OK ? out : "-", urlnorm_strerror(want));
	assert_null(out);
}

/* Normalises an absolute URL, failing the test if it is refused. */
static char *norm(const char *url)
{
	char *out = NULL;
	int rc = urlnorm_resolve(NULL, url, &out);

	expect_same_paths(NULL, url);
	if (rc != URLNORM_OK)
		fail_msg("'%s': %s", url, urlnorm_strerror(rc));
	return out;
}

static void same(const char *a, const char *b)
{
	char *na = norm(a), *nb = norm(b);

	if (strcmp(na, nb) != 0)
		fail_msg("'%s' -> '%s' and '%s' -> '%s' should be one URL", a, na, b, nb);
	free(na);
	free(nb);
}

static void differ(const char *a, const char *b)
{
	char *na = norm(a), *nb = norm(b);

	if (strcmp(na, nb) == 0)
		fail_msg("'%s' and '%s' both gave '%s'", a, b, na);
	free(na);
	free(nb);
}

/* RFC 3986 5.4.1, fragments dropped. */
static void test_rfc_normal(void **state)
{
	static const char *const cases[][2] = {
		{"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"},
		{"//g", "http://g/"},
		{"?y", "http://a/b/c/d;p?y"},
		{"g?y", "http://a/b/c/g?y"},
		{"#s", "http://a/b/c/d;p?q"},
		{"g#s", "http://a/b/c/g"},
		{"g?y#s", "http://a/b/c/g?y"},
		{";x", "http://a/b/c/;x"},
		{"g;x", "http://a/b/c/g;x"},
		{"g;x?y#s", "http://a/b/c/g;x?y"},
		{"", "http://a/b/c/d;p?q"},
		{".", "http://a/b/c/"},
		{"./", "http://a/b/c/"},
		{"..", "http://a/b/"},
		{"../", "http://a/b/"},
		{"../g", "http://a/b/g"},
		{"../..", "http://a/"},
		{"../../", "http://a/"},
		{"../../g", "http://a/g"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_url(RFC_BASE, cases[i][0], cases[i][1]);
	/* "g:h" is absolute in another scheme */
	expect_rc(RFC_BASE, "g:h", URLNORM_SKIP);
}

/* RFC 3986 5.4.2, fragments dropped; "http:g" read the backward-compatible way, as browsers do. */
static void test_rfc_abnormal(void **state)
{
	static const char *const cases[][2] = {
		{"../../../g", "http://a/g"},
		{"../../../../g", "http://a/g"},
		{"/./g", "http://a/g"},
		{"/../g", "http://a/g"},
		{"g.", "http://a/b/c/g."},
		{".g", "http://a/b/c/.g"},
		{"g..", "http://a/b/c/g.."},
		{"..g", "http://a/b/c/..g"},
		{"./../g", "http://a/b/g"},
		{"./g/.", "http://a/b/c/g/"},
		{"g/./h", "http://a/b/c/g/h"},
		{"g/../h", "http://a/b/c/h"},
		{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
		{"g;x=1/../y", "http://a/b/c/y"},
		{"g?y/./x", "http://a/b/c/g?y/./x"},
		{"g?y/../x", "http://a/b/c/g?y/../x"},
		{"g#s/./x", "http://a/b/c/g"},
		{"g#s/../x", "http://a/b/c/g"},
		{"http:g", "http://a/b/c/g"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_url(RFC_BASE, cases[i][0], cases[i][1]);
	/* absolute refs ignore the base */
	expect_url(RFC_BASE, "https://x/y", "https://x/y");
	expect_url("https://a/b/c", "//g/h", "https://g/h");
	expect_url("http://a/b/c/", "HTTP:d", "http://a/b/c/d");
}

static void test_case(void **state)
{
	(void)state;
	expect_url(NULL, "HTTP://ExAmple.COM/Path", "http://example.com/Path");
	expect_url(NULL, "HtTpS://WWW.A.ORG", "https://www.a.org/");
	same("HTTP://Example.COM/x", "http://example.com/x");
	same("http://%41.com/", "http://a.com/");
	differ("http://a/X", "http://a/x");	/* the path keeps its case */
	differ("http://a/?Q=1", "http://a/?q=1");
}

static void test_ports(void **state)
{
	(void)state;
	same("http://a:80/", "http://a/");
	same("https://a:443/", "https://a/");
	same("http://a:080/x", "http://a/x");
	same("http://a:/", "http://a/");
	expect_url(NULL, "http://a:8080", "http://a:8080/");
	expect_url(NULL, "http://a:443/", "http://a:443/");
	differ("http://a:443/", "http://a/");
	differ("https://a:80/", "https://a/");
	differ("http://a:8080/", "http://a/");
	differ("http://a/", "https://a/");
	expect_rc(NULL, "http://a:65536/", URLNORM_INVALID);
	expect_rc(NULL, "http://a:x/", URLNORM_INVALID);
}

static void test_fragment(void **state)
{
	(void)state;
	same("http://a/b#x", "http://a/b");
	same("http://a/b?q#x", "http://a/b?q");
	same("http://a/b#", "http://a/b");
	differ("http://a/b#c", "http://a/b%23c");	/* an escaped '#' belongs to the path */
	expect_url("http://a/b?q#f", "#g", "http://a/b?q");
	expect_url("http://a/b?q#f", "#", "http://a/b?q");
}

static void test_dot_segments(void **state)
{
	(void)state;
	same("http://a/b/../c/./d", "http://a/c/d");
	same("http://a/b/%2e%2E/c", "http://a/c");	/* an escaped dot is a dot */
	same("http://a/./", "http://a/");
	same("http://a/../../x", "http://a/x");
	differ("http://a/b/..c", "http://a/c");
	differ("http://a/?x=../y", "http://a/?y");	/* dots in the query are data */
	differ("http://a/b/", "http://a/b");
}

static void test_escapes(void **state)
{
	(void)state;
	expect_url(NULL, "http://a/%7Euser/%41%2d%5f%2E", "http://a/~user/A-_.");
	same("http://a/%7euser", "http://a/~user");
	same("http://a/%c3%a9", "http://a/%C3%A9");
	same("http://a/?q=%2f", "http://a/?q=%2F");
	same("http://a/?q=%7e", "http://a/?q=~");
	differ("http://a/a%2Fb", "http://a/a/b");	/* reserved characters stay escaped */
	differ("http://a/x%3Fy", "http://a/x?y");
	differ("http://a/%26", "http://a/&");
	/* a '%' without two hex digits is escaped, so that it starts no escape later */
	expect_url(NULL, "http://a/%zz%2", "http://a/%25zz%252");
	expect_url(NULL, "http://a/%%41a?%a%41", "http://a/%25Aa?%25aA");
	same("http://a/%zz", "http://a/%25zz");
	same("http://a/%", "http://a/%25");
	differ("http://a/%2541", "http://a/A");
	/* browsers drop tabs and newlines, even inside an escape */
	expect_url(NULL, "http://a/%\t7\ne", "http://a/~");
}

static void test_must_escape(void **state)
{
	(void)state;
	expect_url(NULL, "http://a/a b?c d", "http://a/a%20b?c%20d");
	expect_url(NULL, "http://a/{|}^`\"<>\\", "http://a/%7B%7C%7D%5E%60%22%3C%3E%5C");
	expect_url(NULL, "http://a/\x01\x7f", "http://a/%01%7F");
	expect_url(NULL, "http://a/b\xc3\xbc" "cher?\xc3\xbc=1", "http://a/b%C3%BCcher?%C3%BC=1");
	expect_url(NULL, "http://a/\xff", "http://a/%FF");	/* bytes, whatever their charset */
	same("http://a/a b", "http://a/a%20b");
	same("http://a/\xc3\xa9", "http://a/%c3%a9");
	differ("http://a/a+b", "http://a/a%20b");	/* '+' is not a space in a path */
	differ("http://a/a%20b", "http://a/ab");
	/* the reserved characters RFC 3986 allows stay as they are */
	expect_url(NULL, "http://a/!$&'()*+,;=:@[]?/?", "http://a/!$&'()*+,;=:@[]?/?");
}

static void test_empty_path_query(void **state)
{
	(void)state;
	same("http://a", "http://a/");
	same("http://a?q", "http://a/?q");
	same("http://a/?", "http://a/");	/* an empty query is no query */
	differ("http://a/", "http://a//");
	differ("http://a/?b=1&a=2", "http://a/?a=2&b=1");	/* never reordered */
	differ("http://a/?a", "http://a/?a=");
	expect_url(NULL, "http://a/?b=1&a=2&b=3", "http://a/?b=1&a=2&b=3");
}

static void test_hosts(void **state)
{
	(void)state;
	/* IPv6: brackets kept, shortest lower-case form */
	expect_url(NULL, "http://[::1]:8080/x", "http://[::1]:8080/x");
	same("http://[0:0::1]/", "http://[::1]/");
	same("http://[::A]/", "http://[::a]/");
	same("http://[::1]:80/", "http://[::1]/");
	differ("http://[::1]/", "http://[::2]/");
	expect_rc(NULL, "http://[fe80::1%25eth0]/", URLNORM_INVALID);
	/* IPv4 in dotted decimal, as libcurl writes it */
	same("http://127.1/", "http://127.0.0.1/");
	same("http://0x7f.0.0.1/", "http://127.0.0.1/");
	differ("http://127.0.0.1/", "http://localhost/");
	/* international names in punycode */
	expect_url(NULL, "http://b\xc3\xbc" "cher.de/", "http://xn--bcher-kva.de/");
	same("http://B\xc3\x9c" "CHER.de/", "http://xn--bcher-kva.de/");
	same("http://b%C3%BCcher.de/", "http://XN--BCHER-KVA.DE/");
	differ("http://b\xc3\xbc" "cher.de/", "http://bucher.de/");
	expect_rc(NULL, "http://a\xff" "b/", URLNORM_INVALID);	/* not UTF-8 */
	expect_rc(NULL, "http://%E2%80%8B/", URLNORM_INVALID);	/* a name IDNA maps to nothing */
	expect_url(NULL, "http://0x7f%E2%80%8B/", "http://0.0.0.127/");	/* ... or to a number */
	/* trailing dot kept: a different name to the resolver's search list */
	differ("http://a.com./", "http://a.com/");
}

static void test_credentials(void **state)
{
	char origin[64];

	(void)state;
	expect_url(NULL, "http://u:p@A/x", "http://u:p@a/x");
	same("http://%75:p%7e@a/", "http://u:p~@a/");
	same("http://@a/", "http://a/");	/* empty user info: no credentials */
	same("http://:@a/", "http://a/");
	differ("http://u@a/", "http://a/");
	differ("http://u:@a/", "http://u@a/");
	differ("http://u:p@a/", "http://u:q@a/");
	assert_int_equal(urlnorm_origin("http://u:p@a/x", origin, sizeof(origin)), 0);
	assert_string_equal(origin, "http://a:80");
}

static void test_skipped(void **state)
{
	static const char *const refs[] = {
		"mailto:someone@example.com",
		"javascript:void(0)",
		" JavaScript:alert(1)",
		"data:text/plain,hi",
		"ftp://a/file",
		"file:///etc/passwd",
		"tel:+123",
		"urn:isbn:0451450523",
		"ws://a/",
		"httpx://a/",
		" java\tscript:alert(1)",	/* browsers drop the tab too */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		expect_rc(RFC_BASE, refs[i], URLNORM_SKIP);
		expect_rc(NULL, refs[i], URLNORM_SKIP);
	}
	/* not schemes: a relative path */
	expect_url(RFC_BASE, "a_b:c", "http://a/b/c/a_b:c");
	expect_url(RFC_BASE, "1a:b", "http://a/b/c/1a:b");
	expect_url(RFC_BASE, "%6Dailto:x", "http://a/b/c/mailto:x");	/* escaped, it is a path */
	expect_url(RFC_BASE, "%68ttp://evil/", "http://a/b/c/http://evil/");
	expect_rc(NULL, "%68ttp://evil/", URLNORM_INVALID);
}

static void test_whitespace(void **state)
{
	(void)state;
	expect_url(RFC_BASE, "  g \n", "http://a/b/c/g");
	expect_url(RFC_BASE, "\t\r\n ../g\f", "http://a/b/g");
	expect_url(RFC_BASE, "g\n/h\ti", "http://a/b/c/g/hi");	/* inner tabs and newlines dropped */
	expect_url(RFC_BASE, "   ", "http://a/b/c/d;p?q");
	expect_url(RFC_BASE, " # top ", "http://a/b/c/d;p?q");
	expect_url(NULL, " http://a/x y ", "http://a/x%20y");
	expect_url(" http://a/b/c ", "d", "http://a/b/d");
}

static void test_too_long(void **state)
{
	char *url = malloc(URLNORM_MAX + 16);
	char *out = NULL;
	size_t n;

	(void)state;
	assert_non_null(url);
	/* exactly URLNORM_MAX bytes is taken */
	n = (size_t)sprintf(url, "http://a/");
	memset(url + n, 'x', URLNORM_MAX - n);
	url[URLNORM_MAX] = '\0';
	assert_int_equal(urlnorm_resolve(NULL, url, &out), URLNORM_OK);
	assert_int_equal(strlen(out), URLNORM_MAX);
	free(out);
	/* one more is not, nor is a relative ref that long */
	url[URLNORM_MAX] = 'x';
	url[URLNORM_MAX + 1] = '\0';
	expect_rc(NULL, url, URLNORM_TOO_LONG);
	expect_rc(RFC_BASE, url + 9, URLNORM_TOO_LONG);
	/* a short enough ref whose result is too long */
	url[URLNORM_MAX - 10] = '\0';
	expect_rc("http://a/b/c/d/e/f/g/h/", url + 9, URLNORM_TOO_LONG);
	/* or that grows past the cap when escaped */
	memset(url + 9, ' ', 3000);
	url[9] = 'a';
	url[3009] = 'z';
	url[3010] = '\0';
	expect_rc(NULL, url, URLNORM_TOO_LONG);
	/* a base over the cap */
	memset(url, 'x', URLNORM_MAX + 1);
	memcpy(url, "http://a/", 9);
	url[URLNORM_MAX + 1] = '\0';
	expect_rc(url, "g", URLNORM_TOO_LONG);
	free(url);
}

static void test_invalid(void **state)
{
	(void)state;
	expect_rc(NULL, "http://", URLNORM_INVALID);
	expect_rc(NULL, "http://[::1", URLNORM_INVALID);
	expect_rc(NULL, "http://[::1/", URLNORM_INVALID);
	expect_rc(NULL, "http://a b/", URLNORM_INVALID);
	expect_rc(NULL, "http://a%20b/", URLNORM_INVALID);
	expect_rc(NULL, "http://a\\b/", URLNORM_INVALID);
	expect_rc(NULL, "http://a%zz/", URLNORM_INVALID);
	expect_rc(NULL, "http://a@b@c/", URLNORM_INVALID);
	expect_rc(NULL, "http:g", URLNORM_INVALID);	/* no base to be relative to */
	/* relative without a base, or with a base that is no http(s) URL */
	expect_rc(NULL, "g", URLNORM_INVALID);
	expect_rc(NULL, "//a/b", URLNORM_INVALID);
	expect_rc(NULL, "", URLNORM_INVALID);
	expect_rc("/b/c", "g", URLNORM_INVALID);
	expect_rc("ftp://a/b", "g", URLNORM_INVALID);
	expect_rc("mailto:x@y", "g", URLNORM_INVALID);
	expect_rc("http://", "g", URLNORM_INVALID);
	/* another scheme is a skip, whatever the base */
	expect_rc("http://", "mailto:x@y", URLNORM_SKIP);
}

static void test_origin(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(urlnorm_origin("http://a/x?y", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "http://a:80");
	assert_int_equal(urlnorm_origin("https://a.b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "https://a.b:443");
	assert_int_equal(urlnorm_origin("http://a:8080/", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "http://a:8080");
	assert_int_equal(urlnorm_origin("https://u:p@[::1]:8443/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "https://[::1]:8443");
	assert_int_equal(urlnorm_origin("http://[::1]/", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "http://[::1]:80");
	/* exactly big enough, one byte short */
	assert_int_equal(urlnorm_origin("http://abc/", buf, sizeof("http://abc:80")), 0);
	assert_int_equal(urlnorm_origin("http://abc/", buf, sizeof("http://abc:80") - 1), URLNORM_TOO_LONG);
	assert_int_equal(urlnorm_origin("ftp://a/", buf, sizeof(buf)), URLNORM_INVALID);
	assert_int_equal(urlnorm_origin("a/b", buf, sizeof(buf)), URLNORM_INVALID);
	assert_int_equal(urlnorm_origin("http:///", buf, sizeof(buf)), URLNORM_INVALID);
	assert_int_equal(urlnorm_origin("http://a:/", buf, sizeof(buf)), URLNORM_INVALID);
	assert_int_equal(urlnorm_origin("http://a:8x/", buf, sizeof(buf)), URLNORM_INVALID);
	assert_int_equal(urlnorm_origin("http://[::1/", buf, sizeof(buf)), URLNORM_INVALID);
}

/* Origins of normalised URLs: one key per host whatever the link looked like. */
static void test_origin_of_links(void **state)
{
	static const char *const links[] = {
		"HTTP://Example.COM:80/a", "http://example.com/b?c", "//example.com/d", "/e", "f#g",
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		char *out = NULL;

		assert_int_equal(urlnorm_resolve("http://example.com/x/y", links[i], &out), URLNORM_OK);
		assert_int_equal(urlnorm_origin(out, buf, sizeof(buf)), 0);
		assert_string_equal(buf, "http://example.com:80");
		free(out);
	}
}

static void test_path(void **state)
{
	(void)state;
	assert_string_equal(urlnorm_path("http://a/b?c"), "/b?c");
	assert_string_equal(urlnorm_path("https://u:p@[::1]:8443/x/y"), "/x/y");
	assert_string_equal(urlnorm_path("http://a/"), "/");
	assert_string_equal(urlnorm_path("http://a/?q"), "/?q");
	assert_null(urlnorm_path("a/b"));
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(urlnorm_strerror(URLNORM_OK), "success");
	assert_string_equal(urlnorm_strerror(URLNORM_SKIP), "not an http or https url");
	assert_string_equal(urlnorm_strerror(URLNORM_TOO_LONG), "url too long");
	assert_string_equal(urlnorm_strerror(42), "unknown error");
}

/* Resolves links on its own thread; counts wrong answers (cmocka asserts on the main thread only). */
static void *resolve_loop(void *arg)
{
	size_t *wrong = arg;
	int i;

	for (i = 0; i < 2000; i++) {
		char *a = NULL, *b = NULL;

		if (urlnorm_resolve("http://b\xc3\xbc" "cher.de/x/y", "../z?\xc3\xa9#f", &a) != URLNORM_OK ||
		    strcmp(a, "http://xn--bcher-kva.de/z?%C3%A9") != 0)
			(*wrong)++;
		if (urlnorm_resolve(NULL, "HTTPS://[0:0::1]:443/%7e", &b) != URLNORM_OK ||
		    strcmp(b, "https://[::1]/~") != 0)
			(*wrong)++;
		free(a);
		free(b);
	}
	return NULL;
}

/* Nothing shared between calls: threads resolve at once (the UTF-8 locale is per thread). */
static void test_threads(void **state)
{
	pthread_t t[3];
	size_t wrong[3] = {0};
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, resolve_loop, &wrong[i]), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(wrong[i], 0);
	}
}

static uint64_t rand_state = 0x9e3779b97f4a7c15u;

/* xorshift64: the same links on every run */
static unsigned rand_below(unsigned n)
{
	rand_state ^= rand_state << 13;
	rand_state ^= rand_state >> 7;
	rand_state ^= rand_state << 17;
	return (unsigned)(rand_state % n);
}

static void rand_append(char *buf, size_t size, const char *const *pieces, size_t n_pieces,
			unsigned count)
{
	size_t len = strlen(buf);

	while (count-- > 0) {
		const char *p = pieces[rand_below((unsigned)n_pieces)];
		size_t n = strlen(p);

		if (len + n >= size)
			break;
		memcpy(buf + len, p, n + 1);
		len += n;
	}
}

/*
 * Links made of the pieces the fast path reads and of those it must leave to
 * libcurl, against page URLs of both kinds (normal, as the engine passes, and
 * raw): both paths must give the same answer to every one.
 */
static void test_fast_matches_slow(void **state)
{
	static const char *const bases[] = {
		RFC_BASE, "http://127.0.0.1:8931/page/0.html", "https://www.example.com/blog/post/41",
		"http://h/", "http://h//x//", "https://h:8443/a/b/?x=1&y=/z", "http://a_b.c-d/%C3%A9/x?%2F",
		"http://1.2.3.4/a", "http://1a.2/", "http://h/a@b:c/d", "http://h/a/?", "http://h:80/a",
		"https://h:443/a", "http://h:08/", "http://0x7f.1/", "http://01.2.3.4/", "http://1.2.3/",
		"http://256.1.1.1/", "http://H/a", "http://h./a", "http://h/./a", "http://h/a/..",
		"http://u@h/a", "http://h/%7e/", "http://h/%c3/", "http://[::1]/a/", "http://h/a#f",
		" http://h/a", "http://h:65535/", "http://h:65536/", "http://h/a?b#", "http://x.1/",
	};
	static const char *const host_pieces[] = {
		"a", "b", "1", "0", "255", "256", "09", "0x", "-", "_", ".", "A", "xn--", ":", "8",
		"80", "443", "@", "%41",
	};
	static const char *const path_pieces[] = {
		"a", "b", "/", "/", "/", ".", "..", "x.html", "%41", "%2f", "%2E", ";", "=", "&", "@",
		":", "?", "#", "~", "%", "A", " ",
	};
	static const char *const ref_pieces[] = {
		"a", "b", "/", "/", "/", ".", "..", "./", "../", "//", "?", "#", "=", "&", "x.html",
		"12", "%41", "%2f", "%zz", ":", "@", ";", "!", "'", "(", ")", "*", "+", ",", "$",
		"~", "-", "_", "A", " ", "\t", "\n", "[", "\\", "http:", "HTTP://H/", "https://h/",
		"\xc3\xa9", "\x7f", "`", "{", "^", "|", "\"", "<",
	};
	char base[256], raw[256], ref[256], *normal;
	unsigned i;

	(void)state;
	for (i = 0; i < 60000; i++) {
		if (i % 3 == 0) {
			snprintf(base, sizeof(base), "%s", bases[rand_below(sizeof(bases) / sizeof(bases[0]))]);
		} else {
			snprintf(raw, sizeof(raw), "%s", rand_below(4) ? "http://" : "https://");
			rand_append(raw, sizeof(raw), host_pieces, sizeof(host_pieces) / sizeof(host_pieces[0]),
				    1 + rand_below(4));
			rand_append(raw, sizeof(raw), path_pieces, sizeof(path_pieces) / sizeof(path_pieces[0]),
				    rand_below(10));
			/* mostly the page's URL normalised, as the engine gives it; sometimes raw */
			normal = NULL;
			if (rand_below(4) && urlnorm_resolve_slow(NULL, raw, &normal) == URLNORM_OK)
				snprintf(base, sizeof(base), "%s", normal);
			else
				snprintf(base, sizeof(base), "%s", raw);
			free(normal);
		}
		ref[0] = '\0';
		rand_append(ref, sizeof(ref), ref_pieces, sizeof(ref_pieces) / sizeof(ref_pieces[0]),
			    rand_below(9));
		expect_same_paths(base, ref);
	}
}

/* One base read once, then many links against it: as urlnorm_resolve() gives each. */
static void test_one_base_many_links(void **state)
{
	static const char *const bases[] = {
		"http://127.0.0.1:8931/page/0.html", "https://www.example.com/blog/post/41?x=1",
		"http://h/a/..", "http://H/a", "mailto:x@y", "http://h//x//",
	};
	static const char *const pieces[] = {
		"a", "/", "..", "./", "?", "#", "x.html", "%41", ":", "//", "http:", "https://h/",
		" ", "\xc3\xa9",
	};
	char ref[256], *one, *each;

	(void)state;
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		struct urlnorm_base from;

		urlnorm_base_set(&from, bases[b]);
		for (unsigned i = 0; i < 2000; i++) {
			int orc, erc;

			ref[0] = '\0';
			rand_append(ref, sizeof(ref), pieces, sizeof(pieces) / sizeof(pieces[0]),
				    rand_below(7));
			one = each = NULL;
			orc = urlnorm_resolve_from(&from, ref, &one);
			/* the URL API's answer, which shares no code with the base read once */
			erc = urlnorm_resolve_slow(bases[b], ref, &each);
			if (orc != erc || (one == NULL) != (each == NULL) || (one && strcmp(one, each) != 0))
				fail_msg("'%s' against '%s': once %d '%s', each %d '%s'", ref, bases[b],
					 orc, one ? one : "-", erc, each ? each : "-");
			free(one);
			free(each);
		}
	}
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The links of a typical page, resolved over and over by resolve: printed,
 * not judged. The rate per CPU second is the one to compare; the machine may
 * be busy.
 */
static void speed_print(const char *name, int (*resolve)(const char *, const char *, char **))
{
	static const char *const refs[] = {
		"/", "/about/", "../index.html", "page-2.html", "?page=3", "#top",
		"https://cdn.example.org/static/app.css?v=12", "//fonts.example.net/css?family=A|B",
		"/search?q=caf%c3%a9&lang=fr", "mailto:info@example.com", "/articles/2024/05/a-long-title-here",
		"https://www.example.com/blog/post/42#comments",
	};
	const char *base = "https://www.example.com/blog/post/41";
	double wall = clock_s(CLOCK_MONOTONIC), cpu = clock_s(CLOCK_THREAD_CPUTIME_ID);
	size_t i, n = 0;

	do {
		for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++, n++) {
			char *out = NULL;
			int rc = resolve(base, refs[i], &out);

			assert_true(rc == URLNORM_OK || rc == URLNORM_SKIP);
			free(out);
		}
	} while (clock_s(CLOCK_MONOTONIC) - wall < 0.5);
	wall = clock_s(CLOCK_MONOTONIC) - wall;
	cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu;
	printf("# %s: %zu links, %.0f links/s (wall), %.0f links per cpu second\n", name, n,
	       (double)n / wall, (double)n / cpu);
}

static void test_speed(void **state)
{
	(void)state;
	speed_print("urlnorm_resolve", urlnorm_resolve);
	speed_print("urlnorm_resolve_slow", urlnorm_resolve_slow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_normal),
		cmocka_unit_test(test_rfc_abnormal),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_dot_segments),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_must_escape),
		cmocka_unit_test(test_empty_path_query),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_origin_of_links),
		cmocka_unit_test(test_one_base_many_links),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_fast_matches_slow),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
