/* sitegen.h -- the demo site's pages, generated deterministically from the page number */
#ifndef CRAWLPOOL_SITEGEN_H
#define CRAWLPOOL_SITEGEN_H

#include <stddef.h>

#define SITEGEN_DEFAULT_PAGES 5000u
/* Every page body is between these sizes (bytes). */
#define SITEGEN_MIN_BYTES 1024u
#define SITEGEN_MAX_BYTES (200u * 1024u)
/* Every page carries between these many <a href> links. */
#define SITEGEN_MIN_LINKS 10u
#define SITEGEN_MAX_LINKS 60u
/*
 * Longest origin ("http://host:port", no trailing slash) that absolute links
 * may carry. A page's size does not depend on its origin: a padding comment
 * before </body> absorbs the difference, so sitegen_page_info() holds for
 * every origin and for the exported (all-relative) form alike.
 */
#define SITEGEN_ORIGIN_MAX 64u
/* The index page links to the first pages, at most this many. */
#define SITEGEN_INDEX_LINKS 100u

struct sitegen_page {
	char title[256];
	unsigned links;
	size_t bytes;
};

/*
 * Expected facts for page n of a site of `pages` pages: title as a crawler
 * should report it (entities decoded, whitespace runs collapsed to one space,
 * trimmed), number of <a href> elements, body size in bytes.
 */
void sitegen_page_info(unsigned n, unsigned pages, struct sitegen_page *info);

/*
 * Renders page n into a malloc'd buffer; returns its length (0 and *body NULL
 * when out of memory). This is the exported form: every link is relative,
 * links the server sends as absolute are root-relative ("/page/7.html").
 */
size_t sitegen_render(unsigned n, unsigned pages, char **body);

/*
 * Renders page n as served under `origin` (e.g. "http://127.0.0.1:8931"; NULL
 * or "" gives the exported form) into buf, which holds at least
 * SITEGEN_MAX_BYTES bytes. Returns the length, or 0 if the origin is longer
 * than SITEGEN_ORIGIN_MAX.
 */
size_t sitegen_render_to(unsigned n, unsigned pages, const char *origin, char *buf);

/* The index page ("/"): links to the first SITEGEN_INDEX_LINKS pages. */
size_t sitegen_index_render(unsigned pages, char **body);

/*
 * Title hard cases: page n carries one when n % 10 == 3 (one page in ten),
 * kind (n / 10) % SITEGEN_TITLE_KINDS; so pages 3, 13, ... 103 show each kind.
 */
enum sitegen_title_kind {
	SITEGEN_TITLE_PLAIN = -1,
	SITEGEN_TITLE_COMMAS,
	SITEGEN_TITLE_QUOTES,
	SITEGEN_TITLE_NEWLINE,
	SITEGEN_TITLE_SPACES,
	SITEGEN_TITLE_UTF8,
	SITEGEN_TITLE_ENTITIES,
	SITEGEN_TITLE_EQUALS,
	SITEGEN_TITLE_PLUS,
	SITEGEN_TITLE_MINUS,
	SITEGEN_TITLE_AT,
	SITEGEN_TITLE_MIXED,
	SITEGEN_TITLE_KINDS
};

enum sitegen_title_kind sitegen_title_kind(unsigned n);
const char *sitegen_title_kind_name(enum sitegen_title_kind kind);

#endif
