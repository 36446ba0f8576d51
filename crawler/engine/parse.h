/* parse.h -- a page's title and link count, pulled out of HTML as the body streams in */
#ifndef CRAWLPOOL_PARSE_H
#define CRAWLPOOL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest title kept, in bytes of UTF-8; longer ones are cut at a character. */
#define PARSE_TITLE_MAX 1024

/*
 * A page is parsed in bounded memory whatever its size: input the parser
 * has consumed is dropped as it goes. What it must hold at once is capped;
 * past any of these caps the parse of that page stops, and the title and
 * links found until then are the page's.
 */
#define PARSE_PENDING_MAX (1u << 20)	/* one unfinished tag, comment, script or text run */
#define PARSE_DEPTH_MAX (1u << 18)	/* elements open at once */
#define PARSE_NAMES_MAX 10000u		/* distinct element, attribute and entity names */
#define PARSE_NAME_BYTES_MAX (1u << 20)	/* ... and the bytes they take */

/* Longest <base href> kept; a longer one is cut (and then resolves to nothing useful). */
#define PARSE_BASE_MAX 8192

/*
 * As HTML5 reads a page: the title is the first <title> not in svg or math,
 * its text all text (RCDATA: "a <b>c</b>" is the title "a <b>c</b>"). Links
 * in the text of elements HTML5 does not read as markup (textarea, title,
 * script, style, xmp, iframe, noembed, noframes, plaintext) are no links;
 * noscript (crawlpool runs no script) and template hold markup.
 */
struct parse_facts {
	const char *title;	/* UTF-8, references decoded, whitespace collapsed, "" if none */
	size_t title_len;
	unsigned long links;	/* <a> elements with an href */
	const char *base;	/* the first <base href>, spaces around it dropped; "" if none */
	bool base_cut;		/* ... too long to keep (over PARSE_BASE_MAX): base is "" */
	bool nofollow;		/* <meta name="robots"> says nofollow or none */
};

struct parse;

/* xmlInitParser: once, before any thread or fork. Also keeps libxml2 off stderr. */
void parse_global_init(void);
void parse_global_cleanup(void);

/* One parser per visit, reused page after page. NULL when out of memory. */
struct parse *parse_new(void);
void parse_free(struct parse *p);

/* True for text/html and application/xhtml+xml, whatever the parameters. */
bool parse_is_html(const char *content_type);

/*
 * Starts a page. Its charset is, as in browsers: a byte-order mark; else
 * the charset of content_type (may be NULL); else a <meta> charset in the
 * first 1024 bytes; else UTF-8 until a byte is not UTF-8, and from there
 * windows-1252. ISO-8859-1 and ASCII labels are read as windows-1252. Only
 * the WHATWG Encoding standard's labels name a charset (not UTF-7), and
 * those it maps to "replacement" (ISO-2022-KR, HZ-GB-2312...) make the body
 * one U+FFFD. Bytes the charset has no character for become U+FFFD: no byte
 * stops a parse. 0 or -1.
 */
int parse_begin(struct parse *p, const char *content_type);
/* Feeds the next piece of the body; never fails on bad HTML. 0, or -1 if no page was begun. */
int parse_feed(struct parse *p, const char *buf, size_t len);
/* Ends the page; facts->title points into p until the next parse_begin(). */
void parse_end(struct parse *p, struct parse_facts *facts);
/* Drops a page without finishing it (the transfer failed). */
void parse_abort(struct parse *p);

/*
 * Text that cannot change the facts (outside the title, see parse_push())
 * is kept from libxml2, which spends most of a page's parse reading text:
 * on by default. Off, every byte goes through libxml2; the facts and the
 * links are the same either way (the tests and the fuzzer compare them).
 */
void parse_skim(struct parse *p, bool on);

/*
 * For a crawl that follows links: each <a href> and <area href> target, as
 * written (entities decoded), is handed to cb as the page streams in, with
 * whether its rel says nofollow. A NULL cb stops it. Set before parse_begin().
 */
typedef void parse_link_cb(void *ctx, const char *href, bool nofollow);
void parse_collect_links(struct parse *p, parse_link_cb *cb, void *ctx);

#endif
