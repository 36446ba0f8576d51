/* test_sitegen.c -- generated pages: deterministic, sized as promised, parsed as sitegen_page_info says */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sitegen.h"

#define PAGES SITEGEN_DEFAULT_PAGES
#define ORIGIN "http://127.0.0.1:8931"

/* What a crawler extracts from a page. */
struct extract {
	char title[512];
	unsigned links;
	unsigned bad_targets;	/* hrefs that do not name another /page/M.html, M < pages */
	unsigned forms[4];	/* "../page/", "N.html", "/page/", "http://" */
	unsigned errors;	/* parser errors besides HTML5 tags libxml2 2.9 does not know */
};

static void count_error(void *ctx, xmlErrorPtr err)
{
	struct extract *ex = ctx;

	if (err->code != XML_HTML_UNKNOWN_TAG)
		ex->errors++;
}

/* Collapses whitespace runs to one space and trims, as the crawler reports titles. */
static void collapse(const char *in, char *out, size_t cap)
{
	size_t len = 0;
	bool space = false;

	for (; *in; in++) {
		if (strchr(" \t\n\r\f", *in)) {
			space = len > 0;
			continue;
		}
		if (space && len + 1 < cap)
			out[len++] = ' ';
		space = false;
		if (len + 1 < cap)
			out[len++] = *in;
	}
	out[len] = '\0';
}

static void check_href(const char *href, unsigned n, unsigned pages, struct extract *ex)
{
	static const char *const prefixes[] = { "../page/", "", "/page/", ORIGIN "/page/" };
	int form = 1;
	unsigned target;
	char tail[16];

	for (int i = 3; i >= 0; i--) {
		if (i != 1 && strncmp(href, prefixes[i], strlen(prefixes[i])) == 0) {
			form = i;
			break;
		}
	}
	ex->forms[form]++;
	href += strlen(prefixes[form]);
	if (sscanf(href, "%u%15s", &target, tail) != 2 || strcmp(tail, ".html") != 0 ||
	    target >= pages || (target == n && pages > 1))
		ex->bad_targets++;
}

static void walk(xmlNode *node, unsigned n, unsigned pages, struct extract *ex)
{
	for (; node; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcasecmp(node->name, BAD_CAST "title") == 0 && !ex->title[0]) {
			xmlChar *text = xmlNodeGetContent(node);

			collapse((const char *)text, ex->title, sizeof(ex->title));
			xmlFree(text);
		} else if (xmlStrcasecmp(node->name, BAD_CAST "a") == 0) {
			xmlChar *href = xmlGetProp(node, BAD_CAST "href");

			if (href) {
				ex->links++;
				check_href((const char *)href, n, pages, ex);
				xmlFree(href);
			}
		}
		walk(node->children, n, pages, ex);
	}
}

static void extract(const char *body, size_t len, unsigned n, unsigned pages, struct extract *ex)
{
	htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
	htmlDocPtr doc;

	memset(ex, 0, sizeof(*ex));
	assert_non_null(ctxt);
	xmlSetStructuredErrorFunc(ex, count_error);
	doc = htmlCtxtReadMemory(ctxt, body, (int)len, "page.html", "utf-8",
				 HTML_PARSE_NONET | HTML_PARSE_NOWARNING);
	assert_non_null(doc);
	xmlSetStructuredErrorFunc(NULL, NULL);
	walk(xmlDocGetRootElement(doc), n, pages, ex);
	xmlFreeDoc(doc);
	htmlFreeParserCtxt(ctxt);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void test_deterministic(void **state)
{
	static char a[SITEGEN_MAX_BYTES], b[SITEGEN_MAX_BYTES];
	(void)state;

	for (unsigned n = 0; n < 50; n++) {
		struct sitegen_page i1, i2;
		size_t la = sitegen_render_to(n, PAGES, ORIGIN, a);
		size_t lb = sitegen_render_to(n, PAGES, ORIGIN, b);
		char *m = NULL;
		size_t lm = sitegen_render(n, PAGES, &m);

		assert_int_not_equal(la, 0);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		sitegen_page_info(n, PAGES, &i1);
		sitegen_page_info(n, PAGES, &i2);
		assert_string_equal(i1.title, i2.title);
		assert_int_equal(i1.links, i2.links);
		assert_int_equal(i1.bytes, i2.bytes);
		assert_int_equal(i1.bytes, la);
		/* sitegen_render is the exported form */
		assert_non_null(m);
		assert_int_equal(lm, sitegen_render_to(n, PAGES, NULL, b));
		assert_memory_equal(m, b, lm);
		free(m);
	}
	/* pages differ from one another */
	assert_int_not_equal(sitegen_render_to(1, PAGES, NULL, a), 0);
	assert_int_not_equal(sitegen_render_to(2, PAGES, NULL, b), 0);
	assert_true(memcmp(a, b, 512) != 0);
}

/*
 * Other parts' tests and benchmarks are written against this site: a change
 * to what it generates must be deliberate. Update the sum then, and say so.
 */
static void test_stable(void **state)
{
	static char buf[SITEGEN_MAX_BYTES];
	uint64_t sum = 1469598103934665603ULL;	/* FNV-1a */
	(void)state;

	for (unsigned n = 0; n < 200; n++) {
		size_t len = sitegen_render_to(n, PAGES, ORIGIN, buf);

		for (size_t i = 0; i < len; i++) {
			sum ^= (unsigned char)buf[i];
			sum *= 1099511628211ULL;
		}
	}
	assert_true(sum == 0x6b550e4295b5f58cULL);
}

static void test_sizes(void **state)
{
	static size_t sizes[PAGES];
	unsigned small = 0, large = 0;
	(void)state;

	for (unsigned n = 0; n < PAGES; n++) {
		struct sitegen_page info;

		sitegen_page_info(n, PAGES, &info);
		assert_in_range(info.bytes, SITEGEN_MIN_BYTES, SITEGEN_MAX_BYTES);
		assert_in_range(info.links, SITEGEN_MIN_LINKS, SITEGEN_MAX_LINKS);
		sizes[n] = info.bytes;
		small += info.bytes < 4096;
		large += info.bytes > 100 * 1024;
	}
	qsort(sizes, PAGES, sizeof(sizes[0]), cmp_size);
	/* median ~15 KB; both tails present */
	assert_in_range(sizes[PAGES / 2], 13 * 1024, 17 * 1024);
	assert_true(small > PAGES / 50);
	assert_true(large > PAGES / 200);
}

/* Same size, title and link count whatever origin the server puts in absolute links. */
static void test_origin_independent(void **state)
{
	static char buf[SITEGEN_MAX_BYTES];
	static const char *const origins[] = {
		NULL, "", "http://a", ORIGIN, "http://[::1]:65535",
		"http://01234567890123456789012345678901234567.example.test:65535",
	};
	char too_long[SITEGEN_ORIGIN_MAX + 2];
	(void)state;

	assert_int_equal(strlen(origins[5]), SITEGEN_ORIGIN_MAX);
	for (unsigned n = 0; n < 300; n++) {
		struct sitegen_page info;

		sitegen_page_info(n, PAGES, &info);
		for (size_t o = 0; o < sizeof(origins) / sizeof(origins[0]); o++) {
			struct extract ex;
			size_t len = sitegen_render_to(n, PAGES, origins[o], buf);

			assert_int_equal(len, info.bytes);
			if (n % 30 == 0) {
				extract(buf, len, n, PAGES, &ex);
				assert_int_equal(ex.links, info.links);
				assert_string_equal(ex.title, info.title);
			}
		}
	}
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	assert_int_equal(sitegen_render_to(0, PAGES, too_long, buf), 0);
}

/* Counts the <a> tags in the HTML, those that start with an href, and the <title> tags. */
static void scan_tags(const char *buf, size_t len, unsigned *anchors, unsigned *hrefs,
		      unsigned *titles)
{
	const char *end = buf + len;

	*anchors = *hrefs = *titles = 0;
	for (const char *p = buf; (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
		size_t left = (size_t)(end - p);

		if (left > 2 && p[1] == 'a' && (p[2] == ' ' || p[2] == '>')) {
			(*anchors)++;
			*hrefs += left > 9 && memcmp(p, "<a href=\"", 9) == 0;
		} else if (left > 7 && memcmp(p, "<title>", 7) == 0) {
			(*titles)++;
		}
	}
}

/*
 * Every page's links are counted in its HTML; one page in five (the hard
 * titles among them) is parsed by libxml2 the way the crawler parses it.
 */
static void test_parsed_matches_info(void **state)
{
	static char buf[SITEGEN_MAX_BYTES];
	unsigned forms[4] = { 0 };
	(void)state;

	for (unsigned n = 0; n < PAGES; n++) {
		struct sitegen_page info;
		struct extract ex;
		size_t len = sitegen_render_to(n, PAGES, ORIGIN, buf);
		unsigned anchors, hrefs, titles;

		sitegen_page_info(n, PAGES, &info);
		assert_int_equal(len, info.bytes);
		scan_tags(buf, len, &anchors, &hrefs, &titles);
		assert_int_equal(anchors, info.links);
		assert_int_equal(hrefs, info.links);
		assert_int_equal(titles, 1);
		if (n % 5 != 3)
			continue;
		extract(buf, len, n, PAGES, &ex);
		if (strcmp(ex.title, info.title) != 0 || ex.links != info.links)
			fail_msg("page %u: parsed '%s' with %u links, expected '%s' with %u", n,
				 ex.title, ex.links, info.title, info.links);
		assert_int_equal(ex.bad_targets, 0);
		assert_int_equal(ex.errors, 0);
		for (int f = 0; f < 4; f++)
			forms[f] += ex.forms[f];
	}
	/* relative, root-relative and absolute hrefs all occur, none rare */
	for (int f = 0; f < 4; f++)
		assert_true(forms[f] > PAGES / 5);
}

static void test_small_site(void **state)
{
	static char buf[SITEGEN_MAX_BYTES];
	(void)state;

	for (unsigned pages = 1; pages <= 3; pages++) {
		for (unsigned n = 0; n < pages; n++) {
			struct sitegen_page info;
			struct extract ex;
			size_t len = sitegen_render_to(n, pages, ORIGIN, buf);

			sitegen_page_info(n, pages, &info);
			assert_int_equal(len, info.bytes);
			extract(buf, len, n, pages, &ex);
			assert_int_equal(ex.links, info.links);
			assert_int_equal(ex.bad_targets, 0);
		}
	}
}

static void test_hard_titles(void **state)
{
	static const struct {
		unsigned n;
		const char *raw;	/* as it must appear in the HTML */
		const char *title;	/* as a crawler reports it */
	} cases[] = {
		{ 3, "<title>Page 3, with commas, and more, still</title>",
		  "Page 3, with commas, and more, still" },
		{ 13, "<title>Page 13 says \"hello\" to \"you\"</title>",
		  "Page 13 says \"hello\" to \"you\"" },
		{ 23, "<title>Page 23 first line\nsecond line</title>",
		  "Page 23 first line second line" },
		{ 33, "<title>  Page 33 \t with", "Page 33 with runs of spaces" },
		{ 43, "<title>Café 43 · 漢字 naïve déjà vu</title>", "Café 43 · 漢字 naïve déjà vu" },
		{ 53, "<title>Fish &amp; chips 53 &lt;b&gt;", "Fish & chips 53 <b> \"q\" été 漢字" },
		{ 63, "<title>=SUM(A1:A63) page</title>", "=SUM(A1:A63) page" },
		{ 73, "<title>+73 plus page</title>", "+73 plus page" },
		{ 83, "<title>-83 minus page</title>", "-83 minus page" },
		{ 93, "<title>@page93 mention</title>", "@page93 mention" },
		{ 103, "<title>  Commas, \"quotes\",\n\t&amp; more 103",
		  "Commas, \"quotes\", & more 103 é" },
	};
	static char buf[SITEGEN_MAX_BYTES + 1];
	unsigned hard = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sitegen_page info;
		size_t len = sitegen_render_to(cases[i].n, PAGES, NULL, buf);

		buf[len] = '\0';
		sitegen_page_info(cases[i].n, PAGES, &info);
		assert_int_equal(sitegen_title_kind(cases[i].n), (int)i);
		assert_string_equal(info.title, cases[i].title);
		assert_non_null(strstr(buf, cases[i].raw));
	}
	for (unsigned n = 0; n < PAGES; n++)
		hard += sitegen_title_kind(n) != SITEGEN_TITLE_PLAIN;
	assert_int_equal(hard, PAGES / 10);
	assert_string_equal(sitegen_title_kind_name(SITEGEN_TITLE_ENTITIES), "entities");
	assert_string_equal(sitegen_title_kind_name(SITEGEN_TITLE_PLAIN), "plain");
}

static void test_index(void **state)
{
	char *body = NULL;
	size_t len = sitegen_index_render(PAGES, &body);
	struct extract ex;
	(void)state;

	assert_non_null(body);
	extract(body, len, PAGES, PAGES, &ex);
	assert_string_equal(ex.title, "crawlpool demo site");
	assert_int_equal(ex.links, SITEGEN_INDEX_LINKS);
	free(body);
	len = sitegen_index_render(7, &body);
	extract(body, len, 7, 7, &ex);
	assert_int_equal(ex.links, 7);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_origin_independent),
		cmocka_unit_test(test_parsed_matches_info),
		cmocka_unit_test(test_small_site),
		cmocka_unit_test(test_hard_titles),
		cmocka_unit_test(test_index),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	xmlCleanupParser();
	return rc;
}
