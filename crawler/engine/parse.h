/* parse.h -- a page's title and link count, pulled out of HTML as the body streams in */
#ifndef CRAWLPOOL_PARSE_H
#define CRAWLPOOL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest title kept, in bytes of UTF-8; longer ones are cut at a character. */
#define PARSE_TITLE_MAX 1024

struct parse_facts {
	const char *title;	/* UTF-8, whitespace collapsed, "" if none */
	size_t title_len;
	unsigned long links;	/* <a> elements with an href */
};

struct parse;

/* xmlInitParser: once, before any thread or fork. */
void parse_global_init(void);
void parse_global_cleanup(void);

/* One parser per visit, reused page after page. NULL when out of memory. */
struct parse *parse_new(void);
void parse_free(struct parse *p);

/* True for text/html and application/xhtml+xml, whatever the parameters. */
bool parse_is_html(const char *content_type);

/*
 * Starts a page. The charset of content_type (may be NULL) wins over a
 * <meta> in the page, as in browsers; without one, UTF-8 is assumed until a
 * <meta> says otherwise or a byte is not UTF-8 (then ISO-8859-1). 0 or -1.
 */
int parse_begin(struct parse *p, const char *content_type);
/* Feeds the next piece of the body; never fails on bad HTML. 0 or -1. */
int parse_feed(struct parse *p, const char *buf, size_t len);
/* Ends the page; facts->title points into p until the next parse_begin(). */
void parse_end(struct parse *p, struct parse_facts *facts);
/* Drops a page without finishing it (the transfer failed). */
void parse_abort(struct parse *p);

/* parse_begin + parse_feed + parse_end over a whole body in memory. */
int parse_html(struct parse *p, const char *content_type, const char *body, size_t len,
	       struct parse_facts *facts);

#endif
