/* test_parse.c -- title and link extraction: the demo site's pages, charsets, depth, binary, chunking */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sitegen.h"

static struct parse *parser;

static int setup(void **state)
{
	(void)state;
	parse_global_init();
	parser = parse_new();
	return parser ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	parse_free(parser);
	parse_global_cleanup();
	return 0;
}

static struct parse_facts facts_of(const char *type, const char *body, size_t len)
{
	struct parse_facts f;

	assert_int_equal(parse_html(parser, type, body, len, &f), 0);
	assert_int_equal(strlen(f.title), f.title_len);
	return f;
}

#define FACTS(type, lit) facts_of(type, lit, sizeof(lit) - 1)

static void test_demo_site_pages(void **state)
{
	enum { PAGES = 400 };
	struct sitegen_page want;
	struct parse_facts got;
	char *body;
	size_t len;

	(void)state;
	for (unsigned n = 0; n < PAGES; n++) {
		len = sitegen_render(n, PAGES, &body);
		assert_non_null(body);
		sitegen_page_info(n, PAGES, &want);
		assert_int_equal(len, want.bytes);
		got = facts_of("text/html; charset=utf-8", body, len);
		if (strcmp(got.title, want.title) != 0)
			fail_msg("page %u: title '%s', expected '%s'", n, got.title, want.title);
		assert_int_equal(got.links, want.links);
		free(body);
	}
}

/* The same page fed in pieces of every awkward size gives the same facts. */
static void test_chunking_does_not_matter(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 64, 1000, 16384 };
	struct sitegen_page want;
	struct parse_facts got;
	char *body;
	size_t len = sitegen_render(13, 100, &body);

	(void)state;
	sitegen_page_info(13, 100, &want);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(parse_begin(parser, "text/html"), 0);
		for (size_t off = 0; off < len; off += sizes[i])
			parse_feed(parser, body + off, len - off < sizes[i] ? len - off : sizes[i]);
		parse_end(parser, &got);
		assert_string_equal(got.title, want.title);
		assert_int_equal(got.links, want.links);
	}
	free(body);
}

static void test_title_rules(void **state)
{
	struct parse_facts f;

	(void)state;
	f = FACTS("text/html", "<html><head><title>\n  A \t &amp; B\r\n  &lt;c&gt; </title></head>"
			       "<body><title>second</title></body></html>");
	assert_string_equal(f.title, "A & B <c>");
	f = FACTS("text/html", "<p>no title <a href=x>x</a> <a name=y>y</a> <A HREF=z>z</A> "
			       "<a href=''>e</a></p>");
	assert_string_equal(f.title, "");
	assert_int_equal(f.links, 3);
	f = FACTS("text/html", "<title>a\x01\x02 b</title>");
	assert_string_equal(f.title, "a b");
	f = FACTS("text/html", "<title>unclosed <a href=1>x</a>");
	assert_true(strncmp(f.title, "unclosed", 8) == 0);
}

static void test_empty_and_binary(void **state)
{
	struct parse_facts f;
	unsigned seed = 12345;
	char *junk = malloc(1 << 20);

	(void)state;
	f = facts_of("text/html", "", 0);
	assert_string_equal(f.title, "");
	assert_int_equal(f.links, 0);
	assert_non_null(junk);
	for (size_t i = 0; i < 1 << 20; i++) {
		seed = seed * 1103515245u + 12345u;
		junk[i] = (char)(seed >> 16);
	}
	f = facts_of("text/html", junk, 1 << 20);
	assert_true(f.title_len <= PARSE_TITLE_MAX);
	f = FACTS("text/html", "<title>A\0B</title><a href=a>1</a><a href=b>2</a>");
	assert_int_equal(f.links, 2);
	free(junk);
}

static void test_deep_nesting(void **state)
{
	enum { DEPTH = 200000 };
	static const char head[] = "<html><head><title>Deep page</title></head><body>";
	static const char tail[] = "<a href=\"/x\">x</a></body></html>";
	size_t len = sizeof(head) - 1 + DEPTH * 5 + sizeof(tail) - 1;
	char *body = malloc(len + 1), *p = body;
	struct parse_facts f;

	(void)state;
	assert_non_null(body);
	p += sprintf(p, "%s", head);
	for (int i = 0; i < DEPTH; i++)
		p += sprintf(p, "<div>");
	p += sprintf(p, "%s", tail);
	f = facts_of("text/html", body, len);
	assert_string_equal(f.title, "Deep page");
	/* no tree, so no depth cap of 256: the link at the bottom still counts */
	assert_int_equal(f.links, 1);
	free(body);
}

static void test_charsets(void **state)
{
	struct parse_facts f;

	(void)state;
	/* the transport's charset */
	f = FACTS("text/html; charset=iso-8859-1", "<title>Caf\xe9 Z\xfcrich</title>");
	assert_string_equal(f.title, "Caf\xc3\xa9 Z\xc3\xbcrich");
	/* windows-1252 bytes under an ISO-8859-1 label, as browsers read them */
	f = FACTS("text/html; charset=\"ISO-8859-1\"", "<title>\x93quoted\x94</title>");
	assert_string_equal(f.title, "\xe2\x80\x9cquoted\xe2\x80\x9d");
	/* <meta> when the transport says nothing */
	f = FACTS("text/html", "<head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head>");
	assert_string_equal(f.title, "Caf\xc3\xa9");
	f = FACTS(NULL, "<head><meta http-equiv=\"Content-Type\" content=\"text/html; "
			"charset=windows-1252\"><title>Caf\xe9</title></head>");
	assert_string_equal(f.title, "Caf\xc3\xa9");
	/* the transport wins over a contradicting <meta> */
	f = FACTS("text/html;charset=UTF-8", "<head><meta charset=\"iso-8859-1\"><title>"
					     "Caf\xc3\xa9 \xe6\xbc\xa2</title></head>");
	assert_string_equal(f.title, "Caf\xc3\xa9 \xe6\xbc\xa2");
	/* unlabelled: UTF-8 ... */
	f = FACTS("text/html", "<title>Caf\xc3\xa9 \xe6\xbc\xa2</title>");
	assert_string_equal(f.title, "Caf\xc3\xa9 \xe6\xbc\xa2");
	/* ... until a byte is not UTF-8 */
	f = FACTS("text/html", "<title>Caf\xe9</title>");
	assert_string_equal(f.title, "Caf\xc3\xa9");
	/* an unknown label falls back to the same guess */
	f = FACTS("text/html; charset=x-no-such-charset", "<title>ok \xc3\xa9</title>");
	assert_string_equal(f.title, "ok \xc3\xa9");
}

static void test_title_cap_keeps_whole_characters(void **state)
{
	char body[8192], *p = body;
	struct parse_facts f;

	(void)state;
	p += sprintf(p, "<title>");
	for (int i = 0; i < 1500; i++)
		p += sprintf(p, "\xe6\xbc\xa2");	/* 3 bytes each: 1024 is not a multiple */
	p += sprintf(p, "</title>");
	f = facts_of("text/html; charset=utf-8", body, (size_t)(p - body));
	assert_true(f.title_len <= PARSE_TITLE_MAX);
	assert_int_equal(f.title_len % 3, 0);
	assert_true(f.title_len > PARSE_TITLE_MAX - 3);

	p = body + sprintf(body, "<title>");
	for (int i = 0; i < 600; i++)
		p += sprintf(p, "a ");
	p += sprintf(p, "</title>");
	f = facts_of("text/html", body, (size_t)(p - body));
	assert_true(f.title_len <= PARSE_TITLE_MAX);
	assert_int_equal(f.title[f.title_len - 1], 'a');
}

static void test_is_html(void **state)
{
	(void)state;
	assert_true(parse_is_html("text/html"));
	assert_true(parse_is_html("text/html; charset=utf-8"));
	assert_true(parse_is_html(" TEXT/HTML;charset=x"));
	assert_true(parse_is_html("application/xhtml+xml"));
	assert_false(parse_is_html("text/plain"));
	assert_false(parse_is_html("text/htmlx"));
	assert_false(parse_is_html("application/json"));
	assert_false(parse_is_html(""));
	assert_false(parse_is_html(NULL));
}

/* A page dropped halfway leaves nothing behind for the next one. */
static void test_abort_then_reuse(void **state)
{
	struct parse_facts f;

	(void)state;
	assert_int_equal(parse_begin(parser, "text/html"), 0);
	parse_feed(parser, "<title>half", 11);
	parse_abort(parser);
	f = FACTS("text/html", "<title>whole</title><a href=1></a>");
	assert_string_equal(f.title, "whole");
	assert_int_equal(f.links, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_site_pages),
		cmocka_unit_test(test_chunking_does_not_matter),
		cmocka_unit_test(test_title_rules),
		cmocka_unit_test(test_empty_and_binary),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_title_cap_keeps_whole_characters),
		cmocka_unit_test(test_is_html),
		cmocka_unit_test(test_abort_then_reuse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
