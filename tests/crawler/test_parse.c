/* test_parse.c -- title and link extraction: the demo site's pages, charsets, bad bytes, depth, binary, chunking, memory */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "sitegen.h"
#include "skim.h"

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

/* A whole body in memory, as the engine feeds a page: begin, one piece, end. */
static int parse_whole(struct parse *p, const char *type, const char *body, size_t len,
		       struct parse_facts *facts)
{
	if (parse_begin(p, type) < 0)
		return -1;
	parse_feed(p, body, len);
	parse_end(p, facts);
	return 0;
}

static struct parse_facts facts_of(const char *type, const char *body, size_t len)
{
	struct parse_facts f;

	assert_int_equal(parse_whole(parser, type, body, len, &f), 0);
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
	/* the title's text is all text (RCDATA): unclosed, it runs to the end of the page */
	f = FACTS("text/html", "<title>unclosed <a href=1>x</a>");
	assert_string_equal(f.title, "unclosed <a href=1>x</a>");
	assert_int_equal(f.links, 0);
}

/*
 * The first <base href> without the spaces around it; one too long to keep
 * is marked cut and never kept cut short, and a later one does not stand in.
 */
static void test_base_href(void **state)
{
	enum { SPACES = 9000 };
	static const char tail[] = "/sub/'><base href='/other/'>";
	char page[SPACES + 64];
	struct parse_facts f;
	size_t n;

	(void)state;
	f = FACTS("text/html", "<base href=' \n /sub/\t '><base href='/other/'>");
	assert_string_equal(f.base, "/sub/");
	assert_false(f.base_cut);
	/* the spaces do not count against the limit */
	n = (size_t)snprintf(page, sizeof(page), "<base href='");
	memset(page + n, ' ', SPACES);
	n += SPACES;
	memcpy(page + n, tail, sizeof(tail));
	f = facts_of("text/html", page, n + sizeof(tail) - 1);
	assert_string_equal(f.base, "/sub/");
	assert_false(f.base_cut);
	/* a base of 9,000 bytes */
	memset(page + 12, 'b', SPACES);
	f = facts_of("text/html", page, n + sizeof(tail) - 1);
	assert_string_equal(f.base, "");
	assert_true(f.base_cut);
	/* the next page starts afresh */
	f = FACTS("text/html", "<a href=x>x</a>");
	assert_string_equal(f.base, "");
	assert_false(f.base_cut);
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
	/* a ';' in a quoted value starts no parameter: the charset is the real one */
	f = FACTS("text/html; a=\"x;charset=koi8-r\"; charset=windows-1251", "<title>\xcf\xf0</title>");
	assert_string_equal(f.title, "\xd0\x9f\xd1\x80");
	f = FACTS("text/html; a=\"\\\";charset=koi8-r\"; charset=windows-1251", "<title>\xcf</title>");
	assert_string_equal(f.title, "\xd0\x9f");
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

/*
 * The five bytes windows-1252 leaves unassigned are valid ISO-8859-1 (C1
 * controls). Before the title and between links they must stop nothing,
 * whichever way the page names its charset.
 */
static void test_latin1_c1_bytes(void **state)
{
	static const char body[] = "\x81\x8d<html><head>\x8f<title>Caf\xe9 \x90Z\xfcrich\x9d</title>"
				   "</head><body><a href=1>\x81</a>\x8d\x8f<a href=2>\x90\x9d</a>"
				   "<p>\x80\x9f\xff</p><a href=3>3</a></body></html>";
	static const char *const types[] = {
		"text/html; charset=iso-8859-1", "text/html; charset=ISO_8859-1",
		"text/html; charset=latin1", "text/html; charset=windows-1252",
		"text/html; charset=us-ascii",
	};
	char meta[512];
	struct parse_facts f;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		f = facts_of(types[i], body, sizeof(body) - 1);
		if (strcmp(f.title, "Caf\xc3\xa9 Z\xc3\xbcrich") != 0 || f.links != 3)
			fail_msg("%s: title '%s', %lu links", types[i], f.title, f.links);
	}
	/* the same page, its charset named only by a <meta> */
	snprintf(meta, sizeof(meta), "<meta http-equiv=Content-Type content='text/html; "
				     "charset=ISO-8859-1'>%s", body);
	f = facts_of("text/html", meta, strlen(meta));
	assert_string_equal(f.title, "Caf\xc3\xa9 Z\xc3\xbcrich");
	assert_int_equal(f.links, 3);
	/* unlabelled: not UTF-8, so windows-1252 from the first bad byte */
	f = facts_of(NULL, body, sizeof(body) - 1);
	assert_string_equal(f.title, "Caf\xc3\xa9 Z\xc3\xbcrich");
	assert_int_equal(f.links, 3);
}

/* Widens ASCII to UTF-16LE; "\xff" in src stands for a lone surrogate. */
static size_t utf16le(const char *src, char *dst)
{
	size_t n = 0;

	for (; *src; src++) {
		if (*src == '\xff') {
			dst[n++] = '\x00';
			dst[n++] = '\xd8';
		} else {
			dst[n++] = *src;
			dst[n++] = '\0';
		}
	}
	return n;
}

/* In every charset, bytes that are no character become U+FFFD and the parse goes on. */
static void test_bad_bytes_never_stop(void **state)
{
	static const struct {
		const char *type;
		const char *body;
		const char *title;
	} pages[] = {
		{ "text/html; charset=utf-8", "<title>a\xff" "b\xc3</title><a href=1>\xe6\xbc</a>"
					      "\xed\xa0\x80\xf4\x90\x80\x80<a href=2>2</a><a href=3>\xc0",
		  "a\xef\xbf\xbd" "b\xef\xbf\xbd" },
		{ "text/html; charset=shift_jis", "<title>\x82\xa0\xff\x82\xa2</title><a href=1>1</a>"
						  "\x85\x40\xff\xfe<a href=2>2</a><a href=3>\x82",
		  "\xe3\x81\x82\xef\xbf\xbd\xe3\x81\x84" },
		{ "text/html; charset=euc-jp", "<title>\xa4\xa2\xff</title><a href=1>1</a>\xff\xa4"
					       "<a href=2>2</a><a href=3>3</a>",
		  "\xe3\x81\x82\xef\xbf\xbd" },
		{ "text/html; charset=gb2312", "<title>\xc4\xe3\xff</title><a href=1>1</a>\x81\xff"
					       "<a href=2>2</a><a href=3>3</a>",
		  "\xe4\xbd\xa0\xef\xbf\xbd" },
		{ "text/html; charset=big5", "<title>\xa4\xa4\xff</title><a href=1>1</a>\xff\xff"
					     "<a href=2>2</a><a href=3>3</a>",
		  "\xe4\xb8\xad\xef\xbf\xbd" },
		{ "text/html; charset=euc-kr", "<title>\xb0\xa1\xff</title><a href=1>1</a>\xff\xff"
					       "<a href=2>2</a><a href=3>3</a>",
		  "\xea\xb0\x80\xef\xbf\xbd" },
		{ "text/html; charset=iso-2022-jp", "<title>\x1b$B$\"\x1b(B\x80</title><a href=1>1</a>"
						    "\xff<a href=2>2</a><a href=3>3</a>",
		  "\xe3\x81\x82\xef\xbf\xbd" },
	};
	static const char wide[] = "<title>w\xffw</title><a href=1>1</a>\xff<a href=2>2</a>"
				   "<a href=3>3</a>";
	char body[256];
	struct parse_facts f;

	(void)state;
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		for (size_t step = 1; step <= 16; step += 15) {
			size_t len = strlen(pages[i].body);

			assert_int_equal(parse_begin(parser, pages[i].type), 0);
			for (size_t off = 0; off < len; off += step)
				parse_feed(parser, pages[i].body + off, len - off < step ? len - off : step);
			parse_end(parser, &f);
			if (strcmp(f.title, pages[i].title) != 0 || f.links != 3)
				fail_msg("%s in pieces of %zu: title '%s', %lu links", pages[i].type, step,
					 f.title, f.links);
		}
	}
	f = facts_of("text/html; charset=utf-16le", body, utf16le(wide, body));
	assert_string_equal(f.title, "w\xef\xbf\xbdw");
	assert_int_equal(f.links, 3);
	/* a byte-order mark wins over the label, as in browsers */
	memcpy(body, "\xff\xfe", 2);
	f = facts_of("text/html; charset=iso-8859-1", body, 2 + utf16le(wide, body + 2));
	assert_string_equal(f.title, "w\xef\xbf\xbdw");
	f = FACTS("text/html; charset=iso-8859-1", "\xef\xbb\xbf<title>Caf\xc3\xa9</title>");
	assert_string_equal(f.title, "Caf\xc3\xa9");
}

static const char *const noisy[] = {
	"<title>x</title>\x81<a href=1>1</a>",
	"<meta charset=windows-1252><title>\x8d</title><a href=1>1</a>",
	"<title>x</title>\x85\x40\xff<a href=1>1</a>",
	"<title>\xff\xfe</title><a href=1>1</a>",
	"<a href=1 href=2><b><i></b></i><!DOCTYPE x><?pi><title>&bogus;&#0;&#xffffff;</title>",
};
static const char *const noisy_types[] = {
	"text/html; charset=iso-8859-1", NULL, "text/html; charset=shift_jis",
	"text/html; charset=utf-8", "text/html",
};

static void *parse_noisy(void *arg)
{
	struct parse *p = parse_new();
	struct parse_facts f;

	(void)arg;
	if (!p)
		return "no parser";
	for (size_t i = 0; i < sizeof(noisy) / sizeof(noisy[0]); i++)
		if (parse_whole(p, noisy_types[i], noisy[i], strlen(noisy[i]), &f) < 0 ||
		    f.links != 1) {
			parse_free(p);
			return "a noisy page lost its link";
		}
	parse_free(p);
	return NULL;
}

/* libxml2 says nothing on stderr, on this thread or a worker's: a server cannot flood the terminal. */
static void test_libxml2_stays_off_stderr(void **state)
{
	char path[] = "/tmp/crawler-parse-stderr-XXXXXX", buf[256];
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	const char *failed;
	pthread_t t;
	void *ret;
	ssize_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	unlink(path);
	fflush(stderr);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	failed = parse_noisy(NULL);
	if (pthread_create(&t, NULL, parse_noisy, NULL) == 0) {
		pthread_join(t, &ret);
		failed = failed ? failed : ret;
	} else {
		failed = "no thread";
	}
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (n != 0)
		fail_msg("libxml2 wrote to stderr: %s", buf);
	if (failed)
		fail_msg("%s", failed);
}

/* Heap bytes in use; 0 under a sanitizer's allocator, which mallinfo2 does not see. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Feeds `total` bytes of unit repeated, in 16 KiB pieces as curl hands
 * them, cut wherever they fall; the heap's growth at its peak.
 */
static size_t feed_endless(const char *type, const char *head, const char *unit, size_t total,
			   struct parse_facts *f)
{
	enum { PIECE = 16384 };
	size_t ulen = unit[0] ? strlen(unit) : 1, base, peak = 0;	/* "" is one NUL */
	char *units = malloc(PIECE + ulen);

	assert_non_null(units);
	for (size_t i = 0; i < PIECE + ulen; i++)
		units[i] = unit[i % ulen];
	base = heap_in_use();
	assert_int_equal(parse_begin(parser, type), 0);
	parse_feed(parser, head, strlen(head));
	for (size_t fed = 0, n = 0; fed < total; fed += PIECE, n++) {
		parse_feed(parser, units + fed % ulen, PIECE);
		if (n % 32 == 0) {
			size_t now = heap_in_use();

			peak = now > peak ? now : peak;
		}
	}
	parse_end(parser, f);
	free(units);
	return peak > base ? peak - base : 0;
}

/*
 * What one page holds does not grow with its size. The limit leaves room for
 * what parse.h allows: one 1 MiB construct, 262,144 open elements, 1 MiB of names.
 */
static void test_memory_does_not_grow_with_the_page(void **state)
{
	enum { TOTAL = 16 << 20, LIMIT = 6 << 20 };
	static const char head[] = "<html><head><title>Endless</title></head><body>";
	struct parse_facts f;
	size_t grew;

	(void)state;
	/*
	 * Tags alone: nothing made libxml2 drop what it had parsed. Pieces cut
	 * inside quoted values too, where libxml2 2.9 lost the tag's end.
	 * Every link counts, the one cut at the end too.
	 */
	grew = feed_endless("text/html", head, "<a href=\"/page/0.html\"></a>", TOTAL, &f);
	if (grew > LIMIT)
		fail_msg("tags: the heap grew by %zu KiB", grew >> 10);
	assert_string_equal(f.title, "Endless");
	assert_int_equal(f.links, TOTAL / 27 + 1);
	/* the same through a converter */
	grew = feed_endless("text/html; charset=shift_jis", head, "<a href='x'></a>", TOTAL, &f);
	if (grew > LIMIT)
		fail_msg("shift_jis tags: the heap grew by %zu KiB", grew >> 10);
	assert_int_equal(f.links, TOTAL / 16);
	/* NUL bytes (a gzip bomb) or text with no '<' leave libxml2 waiting: capped */
	grew = feed_endless("text/html", head, "", TOTAL, &f);
	if (grew > LIMIT)
		fail_msg("NUL bytes: the heap grew by %zu KiB", grew >> 10);
	assert_string_equal(f.title, "Endless");
	grew = feed_endless("text/html", head, "words and words ", TOTAL, &f);
	if (grew > LIMIT)
		fail_msg("text: the heap grew by %zu KiB", grew >> 10);
	grew = feed_endless("text/html", "<title>Open</title><!-- ", "never closed ", TOTAL, &f);
	if (grew > LIMIT)
		fail_msg("comment: the heap grew by %zu KiB", grew >> 10);
	assert_string_equal(f.title, "Open");
	/* depth: past the cap the parse stops, and the link at the bottom is not reached */
	grew = feed_endless("text/html", head, "<div>", 4 << 20, &f);
	if (grew > LIMIT)
		fail_msg("depth: the heap grew by %zu KiB", grew >> 10);
	assert_string_equal(f.title, "Endless");
}

/* Every element name is a new one: the names libxml2 keeps are capped too. */
static void test_memory_of_names_is_capped(void **state)
{
	enum { NAMES = 200000, LIMIT = 6 << 20 };
	char *body = malloc((size_t)NAMES * 48 + 64), *p = body;
	struct parse_facts f;
	size_t base, now, grew;

	(void)state;
	assert_non_null(body);
	p += sprintf(p, "<title>Names</title><a href=0>0</a>");
	for (unsigned i = 0; i < NAMES; i++)
		p += sprintf(p, "<x%u y%u=1></x%u>", i, i, i);
	base = heap_in_use();
	assert_int_equal(parse_begin(parser, "text/html"), 0);
	for (char *q = body; q < p; q += 16384)
		parse_feed(parser, q, (size_t)(p - q) < 16384 ? (size_t)(p - q) : 16384);
	/* the heap may also shrink while the names are read (a parser's buffers given back) */
	now = heap_in_use();
	grew = now > base ? now - base : 0;
	parse_end(parser, &f);
	if (base > 0 && grew > LIMIT)
		fail_msg("names: the heap grew by %zu KiB", grew >> 10);
	assert_string_equal(f.title, "Names");
	assert_int_equal(f.links, 1);
	free(body);
}


/* ---- skimming: text kept from libxml2 changes nothing ------------------------ */

/* Everything a page gives a crawl, as text: each link as the callback saw it, then the facts. */
struct seen_page {
	char *buf;
	size_t len, cap;
};

static void seen_add(struct seen_page *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->buf = realloc(s->buf, s->cap);
		assert_non_null(s->buf);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

static void seen_link(void *ctx, const char *href, bool nofollow)
{
	struct seen_page *s = ctx;

	seen_add(s, nofollow ? "link nofollow " : "link ", nofollow ? 14 : 5);
	seen_add(s, href, strlen(href));
	seen_add(s, "\n", 1);
}

/*
 * Parses body with skimming on or off, cut into pieces by `cut` (0: whole;
 * 1-16384: that size; else sizes drawn from the seed cut), and tells all it gave.
 */
static void seen_parse(struct parse *p, bool skim, const char *type, const char *body, size_t len,
		       unsigned cut, struct seen_page *out)
{
	struct parse_facts f;
	char line[64];
	unsigned seed = cut;

	out->len = 0;
	seen_add(out, "", 0);
	parse_skim(p, skim);
	parse_collect_links(p, seen_link, out);
	assert_int_equal(parse_begin(p, type), 0);
	for (size_t off = 0, n; off < len; off += n) {
		if (cut == 0) {
			n = len;
		} else if (cut <= 16384) {
			n = cut;
		} else {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 8) % 700;
		}
		if (n > len - off)
			n = len - off;
		parse_feed(p, body + off, n);
	}
	parse_end(p, &f);
	snprintf(line, sizeof(line), "links %lu nofollow %d\n", f.links, f.nofollow);
	seen_add(out, line, strlen(line));
	seen_add(out, "title ", 6);
	seen_add(out, f.title, f.title_len);
	seen_add(out, "\nbase ", 6);
	seen_add(out, f.base, strlen(f.base));
	seen_add(out, "\n", 1);
}

/* The page's start, bytes outside printable ASCII as \xHH, for a failure message. */
static const char *shown_page(const char *body, size_t len)
{
	static char buf[1600];
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < sizeof(buf); i++) {
		unsigned char c = (unsigned char)body[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

static struct parse *skimming, *reading;
static struct seen_page skimmed, read_all;

/* The same page, skimmed and read whole, cut the same ways: the same links and facts. */
static void same_either_way(const char *type, const char *body, size_t len)
{
	static const unsigned cuts[] = { 0, 1, 7, 300, 1500, 16384, 99999, 123457 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		seen_parse(skimming, true, type, body, len, cuts[i], &skimmed);
		seen_parse(reading, false, type, body, len, cuts[i], &read_all);
		if (strcmp(skimmed.buf, read_all.buf) != 0) {
			fprintf(stderr, "skimmed:\n%s\nread whole:\n%s\n", skimmed.buf, read_all.buf);
			fail_msg("cut %u of '%s' (%zu bytes)", cuts[i], shown_page(body, len), len);
		}
	}
}

static int skim_setup(void **state)
{
	(void)state;
	skimming = parse_new();
	reading = parse_new();
	return skimming && reading ? 0 : -1;
}

static int skim_teardown(void **state)
{
	(void)state;
	parse_free(skimming);
	parse_free(reading);
	free(skimmed.buf);
	free(read_all.buf);
	skimmed = read_all = (struct seen_page){ 0 };
	return 0;
}

static void test_skim_demo_site(void **state)
{
	enum { PAGES = 120 };
	char *body;
	size_t len;

	(void)state;
	for (unsigned n = 0; n < PAGES; n++) {
		len = sitegen_render(n, PAGES, &body);
		assert_non_null(body);
		same_either_way("text/html; charset=utf-8", body, len);
		free(body);
	}
}

/*
 * Markup of every kind libxml2 reads oddly or apart (comments that end at
 * once in one place and not in another, <script>, stray quotes, '<' in
 * text, NUL, doctype, title, implied elements, entities), mixed with text
 * long enough to be skipped, into pages drawn from a fixed seed.
 */
static const char *const skim_pieces[] = {
	"<html>", "</html>", "<head>", "</head>", "<body>", "</body>", "<title>", "</title>",
	"<TITLE>", "<p>", "</p>", "<div class=\"a b\">", "</div>", "<span id=x>", "</span>",
	"<a href=\"/x/1\">", "<a href=y2 rel=nofollow>", "<A HREF='z3' REL=\"NoFollow\">",
	"<a href = \"sp\" >", "</a>", "<area href=\"ar\">", "<base href=\"/b/\">",
	"<base href='http://h/b2/'>", "<meta name=robots content=nofollow>",
	"<meta name=\"ROBOTS\" content=\"noindex, none\">", "<meta charset=utf-8>",
	"<!DOCTYPE html>", "<!doctype html PUBLIC \"-//W3C//DTD HTML 4.01//EN\">",
	"<!DOCTYPE html 'x>y'>", "<!DOCTYPE", "<!-- c -->", "<!-->", "<!--->", "<!---->",
	"<!-- a -- b -->", "<!-- x --!>", "<!-- -<a href=c1>- -->", "-->", "<!- ->", "<!x>",
	"<script>var a = 1 < 2; </b></script>", "<script>", "</script>", "<style>p > a {}</style>",
	"<style>", "<SCRIPT type=\"t\">x</ a></SCRIPT>", "<textarea>", "</textarea>", "<xmp>",
	"<plaintext>", "<noscript>", "<iframe>", "<?php x ?>", "<?x", "<![CDATA[ x ]]>", "&amp;",
	"&nbsp;", "&#60;", "&#x3c;a href=e&gt;", "&", "&unknown;", "<", "< a", "<3", "</ p>",
	"</>", "</3>", "</p x=1>", "<br/>", "<br />", "<img src=x/>", "<a href=x\"y>",
	"<a b'c href=d>", "<a title='x > y' href=q>", "<a href=\"unterminated>", "<a href=\"v\"w=1>",
	"<a href=`tick`>", "<a =x href=f>", "<a href=g/ >", "\0", "\f", "\r\n", "\t", " ",
	"<x-custom.elem a_b:c=1>", "<a href=\"&amp;x\">", "<select><option>o</select>",
	"<table><tr><td>", "</table>", "<li>", "<ul>", "</ul>", "<h1>", "</h2>", "<frameset>",
	"<a href=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">",
	"<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa href=long>",
	"\xef\xbb\xbf", "caf\xc3\xa9 ", "\xe9t\xe9 ", "\x93q\x94", "\xff\xfe",
};

static size_t skim_text(char *o, unsigned *seed)
{
	static const char *const words[] = {
		"apple ", "market ", "> ", "\n", "  ", "smo\xcc\x88rga\xcc\x8a ", "x", "& ", "\t",
	};
	size_t n = 0, want;

	*seed = *seed * 1103515245u + 12345u;
	want = (*seed >> 8) % 4 == 0 ? 0 : (*seed >> 12) % 200;
	while (n < want) {
		const char *w;

		*seed = *seed * 1103515245u + 12345u;
		w = words[(*seed >> 8) % (sizeof(words) / sizeof(words[0]))];
		memcpy(o + n, w, strlen(w));
		n += strlen(w);
	}
	return n;
}

static void test_skim_odd_markup(void **state)
{
	enum { PAGES = 1500, PIECES = 60 };
	static const char *const types[] = {
		"text/html; charset=utf-8", "text/html", "text/html; charset=windows-1252",
	};
	char *body = malloc(PIECES * 400 + 1);
	unsigned seed = 7;

	(void)state;
	assert_non_null(body);
	for (unsigned page = 0; page < PAGES; page++) {
		size_t len = 0;

		for (unsigned i = 0; i < PIECES; i++) {
			const char *piece;
			size_t n;

			seed = seed * 1103515245u + 12345u;
			piece = skim_pieces[(seed >> 8) % (sizeof(skim_pieces) / sizeof(skim_pieces[0]))];
			/* "\0" is one byte */
			n = piece[0] ? strlen(piece) : 1;
			memcpy(body + len, piece, n);
			len += n;
			len += skim_text(body + len, &seed);
		}
		same_either_way(types[page % 3], body, len);
	}
	free(body);
}

/* ---- what HTML5 does not read as markup ----------------------------------------- */

/*
 * The page gives want (the links handed over, one "link HREF" line each,
 * then the facts, as seen_parse() tells them), skimmed and read whole,
 * whole and cut into pieces of many sizes.
 */
static void page_gives(const char *type, const char *body, const char *want)
{
	static const unsigned cuts[] = { 0, 1, 2, 3, 5, 7, 13, 64, 99999, 123457 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		seen_parse(skimming, true, type, body, strlen(body), cuts[i], &skimmed);
		seen_parse(reading, false, type, body, strlen(body), cuts[i], &read_all);
		if (strcmp(skimmed.buf, want) != 0 || strcmp(read_all.buf, want) != 0)
			fail_msg("cut %u of '%s':\nwant:\n%sskimmed:\n%sread whole:\n%s", cuts[i], body,
				 want, skimmed.buf, read_all.buf);
	}
}

/* want for page_gives(): the links as "a b c" (none: ""), then the title. */
static const char *facts_text(const char *links, const char *title)
{
	static char buf[4096];
	size_t o = 0, count = 0;

	for (const char *l = links; *l;) {
		size_t n = strcspn(l, " ");

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "link %.*s\n", (int)n, l);
		count++;
		l += n;
		l += strspn(l, " ");
	}
	snprintf(buf + o, sizeof(buf) - o, "links %zu nofollow 0\ntitle %s\nbase \n", count, title);
	return buf;
}

#define GIVES(body, links, title) page_gives("text/html", body, facts_text(links, title))

/* Links inside elements whose text HTML5 does not read as markup are not links. */
static void test_raw_text_hides_links(void **state)
{
	char body[3200];

	(void)state;
	/* RCDATA and raw text: to the element's own end tag, any case, with attributes */
	GIVES("<textarea><a href=t>x</a></textarea><a href=after>", "after", "");
	GIVES("<TEXTAREA name=x rows=\"3\"><a href=t></TEXTAREA ><a href=after>", "after", "");
	GIVES("<textarea/><a href=t></textarea/><a href=after>", "after", "");
	GIVES("<textarea></textareax><a href=t></textarea\n><a href=after>", "after", "");
	GIVES("<xmp><a href=x>x</a></xmp><a href=1>", "1", "");
	GIVES("<noembed><a href=x>x</a></noembed><a href=1>", "1", "");
	GIVES("<noframes><a href=x>x</a></noframes><a href=1>", "1", "");
	GIVES("<iframe src=f><a href=x>x</a></iframe><a href=1>", "1", "");
	GIVES("<style>a > b {}</b><a href=x></style><a href=1>", "1", "");
	GIVES("<xmp><!-- </xmp> --><a href=1>", "1", "");
	/* a script ends at </script> only, whatever elements are open */
	GIVES("<div><script>s = \"</div><a href=s>\"</script></div><a href=1>", "1", "");
	GIVES("<p><script>document.write('<a href=w>w</a>')</script><a href=1>", "1", "");
	/* ... but not where "<!--" and "<script>" put it in its escaped state */
	GIVES("<script><!-- document.write(\"<script></script><a href=e>\") --></script><a href=1>",
	      "1", "");
	GIVES("<script><!-- x </script><a href=1>", "1", "");
	GIVES("<script><!--><a href=in></script><a href=1>", "1", "");
	/* plaintext runs to the end of the page */
	GIVES("<a href=1><plaintext><a href=2></plaintext><a href=3>", "1", "");
	/* noscript is markup without scripting, as crawlpool reads pages; template content is markup */
	GIVES("<noscript><a href=ns>x</a></noscript><template><a href=tp>x</a></template>", "ns tp", "");
	/* a start tag with '>' in quoted values, or long, wherever the pieces cut it */
	GIVES("<title x='a>b' y=\"c>\">T</title><a href=1>", "1", "T");
	memcpy(body, "<iframe src=\"", 13);
	memset(body + 13, 'x', 3000);
	snprintf(body + 3013, 100, "\"><a href=in></iframe><a href=out>");
	GIVES(body, "out", "");
	/* the tag names in a comment or a quoted value open nothing */
	GIVES("<!-- <textarea> --><a title=\"<xmp>\" href=1>x</a><a href=2>", "1 2", "");
	GIVES("<a href=1 title='<plaintext>'><!-- <script> --></a><a href=2>", "1 2", "");
	/* svg and math read their content as markup, but where they hold HTML */
	GIVES("<svg><textarea><a href=s>x</a></textarea></svg><a href=1>", "s 1", "");
	GIVES("<svg><foreignObject><textarea><a href=s></textarea></foreignObject></svg><a href=1>",
	      "1", "");
	GIVES("<math><mi><xmp><a href=m></xmp></mi></math><a href=1>", "1", "");
}

/* The title is RCDATA: markup in it is text, character references are decoded. */
static void test_title_is_text(void **state)
{
	(void)state;
	GIVES("<title>a <b>bold</b> c</title>", "", "a <b>bold</b> c");
	GIVES("<title>x <script>y</script> z</title><a href=1>", "1", "x <script>y</script> z");
	GIVES("<title><!-- c --></title>", "", "<!-- c -->");
	GIVES("<title>a</titlex> b</title ><a href=1>", "1", "a</titlex> b");
	GIVES("<TITLE lang=en>Up</TITLE foo=bar><a href=1>", "1", "Up");
	GIVES("<title>A &amp; B &lt;c&gt; &#x41;&#66; &eacute; &Eacute;</title>", "",
	      "A & B <c> AB \xc3\xa9 \xc3\x89");
	/* unknown names and names without ';' stay as written, as in the rest of the page */
	GIVES("<title>&ampx &bogus; &amp &#; &#x; AT&T</title>", "", "&ampx &bogus; &amp &#; &#x; AT&T");
	/* numbers as in HTML5: 0, surrogates and past U+10FFFF are U+FFFD, 128-159 windows-1252 */
	GIVES("<title>&#0;|&#xD800;|&#x110000;|&#128;|&#x1F600;|&#65</title>", "",
	      "\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd|\xe2\x82\xac|\xf0\x9f\x98\x80|A");
	/* whitespace collapsed, as document.title does */
	GIVES("<title>\n  a &#32; <br>\t b  </title>", "", "a <br> b");
	/* unclosed, it runs to the end of the page: no markup after it */
	GIVES("<title>open <a href=1>x", "", "open <a href=1>x");
	/* a second title is RCDATA too, and not the page's */
	GIVES("<title>one</title><title>two <a href=x></title><a href=y>", "y", "one");
	/* a title in a textarea is text */
	GIVES("<textarea><title>t</title></textarea><title>real</title>", "", "real");
}

/* The page's title is the first title element in HTML, not svg's or math's. */
static void test_title_not_from_svg_or_math(void **state)
{
	(void)state;
	GIVES("<svg><title>svg</title></svg><title>real</title>", "", "real");
	GIVES("<svg><g><title>g</title></g></svg><title>real</title>", "", "real");
	GIVES("<math><title>m</title></math><title>real</title>", "", "real");
	GIVES("<svg/><title>real</title>", "", "real");
	GIVES("<SVG viewBox='0 0 1 1'><title>svg</title></SVG><title>real</title>", "", "real");
	/* svg's title holds HTML: its <a> is a link */
	GIVES("<svg><title><a href=s>x</a></title></svg><title>real</title>", "s", "real");
	/* HTML in svg (foreignObject) or math (mi): a title there is the page's */
	GIVES("<svg><foreignObject><title>fo</title></foreignObject></svg><title>later</title>", "",
	      "fo");
	GIVES("<math><mi><title>mi</title></mi></math><title>later</title>", "", "mi");
	/* a <p> ends svg content in HTML5 */
	GIVES("<svg><p>x</p><title>after p</title></svg>", "", "after p");
	GIVES("<body><svg><title>only svg</title></svg>", "", "");
}

/* Only WHATWG Encoding labels name a charset; its "replacement" ones make the page one U+FFFD. */
static void test_charset_labels_as_browsers(void **state)
{
	static const char *const whatwg[] = {
		"utf-8", "ibm866", "iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-5",
		"iso-8859-6", "iso-8859-7", "iso-8859-8", "iso-8859-8-i", "iso-8859-10",
		"iso-8859-13", "iso-8859-14", "iso-8859-15", "iso-8859-16", "koi8-r", "koi8-u",
		"macintosh", "windows-874", "windows-1250", "windows-1251", "windows-1252",
		"windows-1253", "windows-1254", "windows-1255", "windows-1256", "windows-1257",
		"windows-1258", "x-mac-cyrillic", "gbk", "gb18030", "big5", "euc-jp", "iso-2022-jp",
		"shift_jis", "euc-kr", "x-user-defined", " Latin1 ", "ISO_8859-1:1987", "koi8-ru",
	};
	static const char *const refused[] = {
		"utf-7", "UTF7", "unicode-1-1-utf-7", "csunicode11utf7", "utf-32", "ucs-4", "cp037",
		"ebcdic-us", "iso-2022-jp-2",
	};
	static const char *const replacement[] = {
		"iso-2022-kr", "csiso2022kr", "hz-gb-2312", "ISO-2022-CN", "iso-2022-cn-ext",
		"replacement",
	};
	char type[128], body[256];
	struct parse_facts f;

	(void)state;
	for (size_t i = 0; i < sizeof(whatwg) / sizeof(whatwg[0]); i++) {
		snprintf(type, sizeof(type), "text/html; charset=\"%s\"", whatwg[i]);
		f = FACTS(type, "<title>ok</title><a href=1>1</a>");
		if (strcmp(f.title, "ok") != 0 || f.links != 1)
			fail_msg("%s: title '%s', %lu links", type, f.title, f.links);
	}
	/* not decoded: read as an unlabelled page, a <meta> included */
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(type, sizeof(type), "text/html; charset=%s", refused[i]);
		f = FACTS(type, "<title>+ADw-b+AD4-\xe9</title>+ADw-a href=x+AD4-");
		if (strcmp(f.title, "+ADw-b+AD4-\xc3\xa9") != 0 || f.links != 0)
			fail_msg("%s: title '%s', %lu links", type, f.title, f.links);
		snprintf(body, sizeof(body), "<meta charset=\"%s\"><title>+ADw-b+AD4-\xe9</title>"
					     "+ADw-a href=x+AD4-", refused[i]);
		f = facts_of("text/html", body, strlen(body));
		if (strcmp(f.title, "+ADw-b+AD4-\xc3\xa9") != 0 || f.links != 0)
			fail_msg("<meta> %s: title '%s', %lu links", refused[i], f.title, f.links);
	}
	/* the transport's label falls back to the <meta> */
	f = FACTS("text/html; charset=utf-7", "<meta charset=iso-8859-1><title>Caf\xe9</title>");
	assert_string_equal(f.title, "Caf\xc3\xa9");
	for (size_t i = 0; i < sizeof(replacement) / sizeof(replacement[0]); i++) {
		snprintf(type, sizeof(type), "text/html; charset=%s", replacement[i]);
		f = FACTS(type, "<title>t</title><a href=1>1</a>");
		if (f.title[0] || f.links != 0)
			fail_msg("%s: title '%s', %lu links", type, f.title, f.links);
		snprintf(body, sizeof(body), "<meta charset=%s><title>t</title><a href=1>1</a>",
			 replacement[i]);
		f = facts_of(NULL, body, strlen(body));
		if (f.title[0] || f.links != 0)
			fail_msg("<meta> %s: title '%s', %lu links", replacement[i], f.title, f.links);
	}
	/* a byte-order mark wins over any label */
	f = FACTS("text/html; charset=iso-2022-kr", "\xef\xbb\xbf<title>t</title><a href=1>1</a>");
	assert_string_equal(f.title, "t");
	assert_int_equal(f.links, 1);
	/* a plain "utf-16" is little-endian */
	memcpy(body, "<\0t\0i\0t\0l\0e\0>\0L\0E\0", 18);
	f = facts_of("text/html; charset=utf-16", body, 18);
	assert_string_equal(f.title, "LE");
}

static void test_skim_markup_forms(void **state)
{
	static const char *const plain[] = {
		"<a href=\"/x\">", "<a href='x' rel=nofollow>", "<br/>", "<p>", "</p>", "</div >",
		"<a href = \"y\" >", "<x-y.z a:b=1 c>", "<!-- c -->", "<!---->", "<!DOCTYPE html>",
		"<!doctype html public \"-//W3C//DTD HTML 4.01//EN\">", "<a title='x > y'>",
	};
	static const char *const odd[] = {
		"<script>", "<STYLE a=1>", "<!-->", "<!--->", "<!-- a -- b -->", "<!-- a --->",
		"<a b'c>", "<a href=x\"y>", "<a href=\"open>", "<?x?>", "<!x>", "</ p>", "</>",
		"< a>", "<a / href=x>", "<a\f>", "<!DOCTYPE 'a>b'>", "<a href=x", "<a href=`x`>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		size_t n = strlen(plain[i]);

		if (skim_markup(plain[i], plain[i] + n) != n)
			fail_msg("'%s' is plain markup", plain[i]);
		/* cut short, it is nothing yet */
		assert_int_equal(skim_markup(plain[i], plain[i] + n - 1), 0);
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		if (skim_markup(odd[i], odd[i] + strlen(odd[i])) != 0)
			fail_msg("'%s' is not plain markup", odd[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_site_pages),
		cmocka_unit_test(test_chunking_does_not_matter),
		cmocka_unit_test(test_title_rules),
		cmocka_unit_test(test_base_href),
		cmocka_unit_test(test_empty_and_binary),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_title_cap_keeps_whole_characters),
		cmocka_unit_test(test_is_html),
		cmocka_unit_test(test_abort_then_reuse),
		cmocka_unit_test(test_latin1_c1_bytes),
		cmocka_unit_test(test_bad_bytes_never_stop),
		cmocka_unit_test(test_libxml2_stays_off_stderr),
		cmocka_unit_test(test_memory_does_not_grow_with_the_page),
		cmocka_unit_test(test_memory_of_names_is_capped),
		cmocka_unit_test_setup_teardown(test_skim_demo_site, skim_setup, skim_teardown),
		cmocka_unit_test_setup_teardown(test_skim_odd_markup, skim_setup, skim_teardown),
		cmocka_unit_test(test_skim_markup_forms),
		cmocka_unit_test_setup_teardown(test_raw_text_hides_links, skim_setup, skim_teardown),
		cmocka_unit_test_setup_teardown(test_title_is_text, skim_setup, skim_teardown),
		cmocka_unit_test_setup_teardown(test_title_not_from_svg_or_math, skim_setup,
						skim_teardown),
		cmocka_unit_test(test_charset_labels_as_browsers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
