/* skim.h -- the plain markup of a page: tags, comments and doctypes libxml2 reads the same wherever its input is cut */
#ifndef CRAWLPOOL_SKIM_H
#define CRAWLPOOL_SKIM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * libxml2's push parser waits at each token until the input holds its end,
 * then reads it. For most tokens the end it waits for is the end it reads
 * to, so where the input was cut does not matter. For a few it is not
 * (<!--> ends at once in one place and runs to the next --> in another;
 * <script> text; a quote inside an unquoted value), and there a cut changes
 * the parse. skim_markup() accepts only forms of the first kind, so that
 * parse.c may cut the input right after them (see parse_push()).
 */

/*
 * The length of the markup that starts at s (a '<') and ends before end,
 * if it is one of these plain forms, else 0 (also when end cuts it short):
 *
 *   <name attr attr=value attr="value" attr='value' ...>   (or />), the name
 *       not script or style, names of letters, digits and ":_.-", unquoted
 *       values without quotes, '<', '=', '`' or whitespace
 *   </name>  </name >
 *   <!-- comment -->   not starting with '>' or '-', without "--" inside
 *   <!DOCTYPE name ...>   letters, digits, whitespace and quoted strings
 *
 * Whitespace is what libxml2 calls blank: space, tab, CR, LF. s holds no NUL.
 */
size_t skim_markup(const char *s, const char *end);

/* Whether a start tag's name (as written, any case) opens a raw-text element libxml2 treats apart. */
bool skim_raw_name(const char *name, size_t len);

#endif
