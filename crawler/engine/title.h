/* title.h -- a page's title as HTML5 reads its text: references decoded, whitespace collapsed, capped */
#ifndef CRAWLPOOL_TITLE_H
#define CRAWLPOOL_TITLE_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

enum { TITLE_REF_NAME_MAX = 32 };	/* longer is no name libxml2 knows */

/* Where a character reference in the title's text stands. */
enum title_ref {
	TITLE_REF_NONE,
	TITLE_REF_AMP,		/* "&" */
	TITLE_REF_NAME,		/* "&name" */
	TITLE_REF_HASH,		/* "&#" */
	TITLE_REF_X,		/* "&#x" */
	TITLE_REF_DEC,		/* "&#123" */
	TITLE_REF_HEX,		/* "&#x7b" */
};

struct title {
	size_t len;
	bool space;		/* whitespace is pending */
	enum title_ref ref;	/* a reference the text ends in, continued by the next piece */
	uint32_t ref_value;
	size_t ref_len;
	char ref_name[TITLE_REF_NAME_MAX + 1];
	char text[PARSE_TITLE_MAX + 8];
};

void title_clear(struct title *t);

/*
 * Adds text whose references are decoded (libxml2 read it): whitespace runs
 * become one space, other controls, C1 ones included, are dropped. The text
 * is whole UTF-8 characters.
 */
void title_add(struct title *t, const char *text, size_t len);

/*
 * Adds the title element's own text as HTML5 reads it (RCDATA: markup is
 * text; numeric references as HTML5 decodes them, named ones from the
 * HTML 4 names libxml2 knows, with their ';'). A reference may go on in the
 * next piece.
 */
void title_rcdata(struct title *t, const char *s, size_t n);

/* Ends a reference the text stopped in: as written, or its character. */
void title_flush(struct title *t);

/* The title, cut at a whole character within PARSE_TITLE_MAX, NUL-terminated. */
const char *title_end(struct title *t, size_t *len);

#endif
