/* test_http.c -- the demo site's request parser and response heads */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static int parse(const char *text, struct http_request *req)
{
	return http_parse(text, strlen(text), req);
}

static void assert_span(const char *p, size_t len, const char *want)
{
	assert_int_equal(len, strlen(want));
	assert_memory_equal(p, want, len);
}

static void test_simple_get(void **state)
{
	const char *text = "GET /page/7.html HTTP/1.1\r\nHost: 127.0.0.1:8931\r\nAccept: */*\r\n\r\n";
	struct http_request req;
	(void)state;

	assert_int_equal(parse(text, &req), 1);
	assert_int_equal(req.method, HTTP_GET);
	assert_int_equal(req.minor, 1);
	assert_true(req.keep_alive);
	assert_span(req.path, req.path_len, "/page/7.html");
	assert_null(req.query);
	assert_span(req.host, req.host_len, "127.0.0.1:8931");
	assert_int_equal(req.head_len, strlen(text));
	assert_int_equal(req.body_len, 0);
}

static void test_incomplete(void **state)
{
	const char *text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_request req;
	(void)state;

	for (size_t len = 0; len < strlen(text); len++)
		assert_int_equal(http_parse(text, len, &req), 0);
	assert_int_equal(http_parse(text, strlen(text), &req), 1);
}

static void test_keep_alive_rules(void **state)
{
	struct http_request req;
	(void)state;

	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &req), 1);
	assert_int_equal(req.minor, 0);
	assert_false(req.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req), 1);
	assert_true(req.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &req), 1);
	assert_false(req.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.1\r\nConnection: Upgrade,  CLOSE \r\n\r\n", &req), 1);
	assert_false(req.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n", &req), 1);
	assert_true(req.keep_alive);
	/* HTTP/1.1 without Host is tolerated */
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &req), 1);
	assert_null(req.host);
}

static void test_methods_and_targets(void **state)
{
	struct http_request req;
	(void)state;

	assert_int_equal(parse("HEAD /x HTTP/1.1\r\n\r\n", &req), 1);
	assert_int_equal(req.method, HTTP_HEAD);
	assert_int_equal(parse("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\n", &req), 1);
	assert_int_equal(req.method, HTTP_OTHER);
	assert_span(req.method_name, req.method_len, "POST");
	assert_int_equal(req.body_len, 3);
	assert_int_equal(parse("GET /fault/deep?depth=5&x=1 HTTP/1.1\r\n\r\n", &req), 1);
	assert_span(req.path, req.path_len, "/fault/deep");
	assert_span(req.query, req.query_len, "depth=5&x=1");
	assert_int_equal(parse("GET http://127.0.0.1:8931/page/1.html?q HTTP/1.1\r\n\r\n", &req), 1);
	assert_span(req.path, req.path_len, "/page/1.html");
	assert_span(req.query, req.query_len, "q");
	assert_int_equal(parse("GET http://127.0.0.1:8931 HTTP/1.1\r\n\r\n", &req), 1);
	assert_span(req.path, req.path_len, "/");
}

static void test_pipelined(void **state)
{
	const char *text = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
			   "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
			   "GET /c HTTP/1.1\r\nHo";
	struct http_request req;
	size_t off = 0;
	(void)state;

	assert_int_equal(http_parse(text, strlen(text), &req), 1);
	assert_span(req.path, req.path_len, "/a");
	off += req.head_len;
	assert_int_equal(http_parse(text + off, strlen(text) - off, &req), 1);
	assert_span(req.path, req.path_len, "/b");
	off += req.head_len;
	assert_int_equal(http_parse(text + off, strlen(text) - off, &req), 0);
}

static void test_lenient_framing(void **state)
{
	struct http_request req;
	const char *lf = "GET /lf HTTP/1.1\nHost: x\n\n";
	const char *lead = "\r\n\r\nGET /lead HTTP/1.1\r\n\r\n";
	(void)state;

	assert_int_equal(parse(lf, &req), 1);
	assert_span(req.path, req.path_len, "/lf");
	assert_int_equal(req.head_len, strlen(lf));
	assert_int_equal(parse(lead, &req), 1);
	assert_span(req.path, req.path_len, "/lead");
	assert_int_equal(req.head_len, strlen(lead));
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
		{ "BLAH\r\n\r\n", -400 },
		{ "GET /\r\n\r\n", -400 },
		{ "GET / HTTP/1.1 extra\r\n\r\n", -400 },
		{ "GET  / HTTP/1.1\r\n\r\n", -400 },
		{ "G(T / HTTP/1.1\r\n\r\n", -400 },
		{ "GET page HTTP/1.1\r\n\r\n", -400 },
		{ "GET * HTTP/1.1\r\n\r\n", -400 },
		{ "GET / HTTP/2.0\r\n\r\n", -505 },
		{ "GET / HTTP/0.9\r\n\r\n", -505 },
		{ "GET / HTTX/1.1\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nNo colon here\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\n: empty name\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nContent-Length: \r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -400 },
		{ "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", -413 },
		{ "GET / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n", -413 },
		{ "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", -501 },
	};
	struct http_request req;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].text, &req);

		if (rc != cases[i].rc)
			fail_msg("case %zu '%s': %d, expected %d", i, cases[i].text, rc, cases[i].rc);
	}
	/* equal repeated lengths are fine */
	assert_int_equal(parse("GET / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n",
			       &req), 1);
	assert_int_equal(req.body_len, 2);
}

static void test_head_size_limit(void **state)
{
	size_t cap = HTTP_MAX_HEAD + 64;
	char *buf = malloc(cap);
	struct http_request req;
	size_t len;
	(void)state;

	assert_non_null(buf);
	/* no end of head within the limit */
	len = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\nX-Junk: ");
	memset(buf + len, 'a', HTTP_MAX_HEAD - len);
	assert_int_equal(http_parse(buf, HTTP_MAX_HEAD - 1, &req), 0);
	assert_int_equal(http_parse(buf, HTTP_MAX_HEAD, &req), -431);
	/* a complete head just over the limit */
	memcpy(buf + HTTP_MAX_HEAD - 2, "\r\n\r\n", 4);
	assert_int_equal(http_parse(buf, HTTP_MAX_HEAD + 2, &req), -431);
	/* and one exactly at it */
	memcpy(buf + HTTP_MAX_HEAD - 4, "\r\n\r\n", 4);
	assert_int_equal(http_parse(buf, HTTP_MAX_HEAD, &req), 1);
	assert_int_equal(req.head_len, HTTP_MAX_HEAD);
	free(buf);
}

static void test_format_head(void **state)
{
	struct http_response r = {
		.status = 404,
		.content_type = "text/html; charset=utf-8",
		.content_length = 123,
		.keep_alive = true,
		.minor = 1,
	};
	char buf[512];
	size_t len;
	(void)state;

	len = http_format_head(buf, sizeof(buf), &r, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(len, strlen(buf));
	assert_string_equal(buf, "HTTP/1.1 404 Not Found\r\nServer: crawlpool-demo\r\n"
				 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
				 "Content-Type: text/html; charset=utf-8\r\n"
				 "Content-Length: 123\r\n\r\n");
	r.keep_alive = false;
	r.content_length = -1;
	r.content_type = NULL;
	r.extra = "Location: /x\r\n";
	r.status = 302;
	http_format_head(buf, sizeof(buf), &r, "D");
	assert_string_equal(buf, "HTTP/1.1 302 Found\r\nServer: crawlpool-demo\r\nDate: D\r\n"
				 "Connection: close\r\nLocation: /x\r\n\r\n");
	r.keep_alive = true;
	r.minor = 0;
	http_format_head(buf, sizeof(buf), &r, "D");
	assert_non_null(strstr(buf, "Connection: keep-alive\r\n"));
	assert_int_equal(http_format_head(buf, 20, &r, "D"), 0);
	assert_string_equal(http_reason(599), "Unknown");
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
}

static void test_date(void **state)
{
	char date[HTTP_DATE_LEN];
	int day, year, h, m, s;
	char wday[4], mon[4];
	(void)state;

	http_date(date);
	assert_int_equal(strlen(date), 29);
	assert_int_equal(sscanf(date, "%3s, %2d %3s %4d %2d:%2d:%2d GMT", wday, &day, mon, &year,
				&h, &m, &s), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_keep_alive_rules),
		cmocka_unit_test(test_methods_and_targets),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_lenient_framing),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_head_size_limit),
		cmocka_unit_test(test_format_head),
		cmocka_unit_test(test_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
