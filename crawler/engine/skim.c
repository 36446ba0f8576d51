/* skim.c -- the plain markup of a page: tags, comments and doctypes libxml2 reads the same wherever its input is cut */
#include "skim.h"

#include <string.h>
#include <strings.h>

/* Longer names are cut by libxml2 (at 100 bytes): not plain. */
enum { SKIM_NAME_MAX = 64 };

/* libxml2's IS_BLANK_CH: a form feed is not one. */
static bool skim_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool skim_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool skim_name_char(char c)
{
	return skim_letter(c) || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' ||
	       c == '.';
}

/* A byte of an unquoted attribute value: libxml2 reads one to a blank or '>'. */
static bool skim_bare_char(char c)
{
	return !skim_blank(c) && c != '>' && c != '"' && c != '\'' && c != '<' && c != '=' &&
	       c != '`' && c != '\f';
}

static const char *skim_blanks(const char *p, const char *end)
{
	while (p < end && skim_blank(*p))
		p++;
	return p;
}

/* The end of a name that starts with first_ok at p, or NULL if none or too long. */
static const char *skim_name(const char *p, const char *end, bool tag)
{
	const char *start = p;

	if (p >= end || !(skim_letter(*p) || (!tag && (*p == '_' || *p == ':'))))
		return NULL;
	while (p < end && skim_name_char(*p))
		p++;
	return p - start <= SKIM_NAME_MAX ? p : NULL;
}

bool skim_raw_name(const char *name, size_t len)
{
	return (len == 6 && strncasecmp(name, "script", 6) == 0) ||
	       (len == 5 && strncasecmp(name, "style", 5) == 0);
}

/* One attribute at p: name, then maybe = and a value; the end, or NULL. */
static const char *skim_attribute(const char *p, const char *end)
{
	const char *q;

	if (!(p = skim_name(p, end, false)))
		return NULL;
	q = skim_blanks(p, end);
	if (q >= end || *q != '=')
		return p;
	q = skim_blanks(q + 1, end);
	if (q >= end)
		return NULL;
	if (*q == '"' || *q == '\'') {
		const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));

		return close ? close + 1 : NULL;
	}
	p = q;
	while (p < end && skim_bare_char(*p))
		p++;
	return p > q ? p : NULL;
}

static size_t skim_start_tag(const char *s, const char *end)
{
	const char *p = skim_name(s + 1, end, true);

	if (!p || skim_raw_name(s + 1, (size_t)(p - s - 1)))
		return 0;
	for (;;) {
		const char *q = skim_blanks(p, end);

		if (q >= end)
			return 0;
		if (*q == '>')
			return (size_t)(q + 1 - s);
		if (*q == '/')
			return q + 1 < end && q[1] == '>' ? (size_t)(q + 2 - s) : 0;
		/* attributes need no blank between them, for libxml2 as for us */
		if (!(p = skim_attribute(q, end)))
			return 0;
	}
}

static size_t skim_end_tag(const char *s, const char *end)
{
	const char *p = skim_name(s + 2, end, true);

	if (!p)
		return 0;
	p = skim_blanks(p, end);
	return p < end && *p == '>' ? (size_t)(p + 1 - s) : 0;
}

/*
 * libxml2 waits for "--" followed by '>' (or "!>") from the '<' on, then
 * reads from after "<!--" to "-->": the two agree unless the text starts
 * with '>', '-' or '!', ends with '-', or holds "--".
 */
static size_t skim_comment(const char *s, const char *end)
{
	const char *body = s + 4, *close = memmem(body, (size_t)(end - body), "-->", 3);

	if (!close)
		return 0;
	if (close > body && (*body == '>' || *body == '-' || *body == '!' || close[-1] == '-' ||
			     memmem(body, (size_t)(close - body), "--", 2)))
		return 0;
	return (size_t)(close + 3 - s);
}

/* Letters, digits, blanks and quoted strings without '>' or '<'. */
static size_t skim_doctype(const char *s, const char *end)
{
	const char *p = s + 9;

	while (p < end) {
		if (*p == '>')
			return (size_t)(p + 1 - s);
		if (*p == '"' || *p == '\'') {
			const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));

			if (!close || memchr(p + 1, '>', (size_t)(close - p - 1)) ||
			    memchr(p + 1, '<', (size_t)(close - p - 1)))
				return 0;
			p = close + 1;
		} else if (skim_name_char(*p) || skim_blank(*p)) {
			p++;
		} else {
			return 0;
		}
	}
	return 0;
}

size_t skim_markup(const char *s, const char *end)
{
	size_t left = (size_t)(end - s);

	if (left < 3 || s[0] != '<')
		return 0;
	if (skim_letter(s[1]))
		return skim_start_tag(s, end);
	if (s[1] == '/')
		return skim_end_tag(s, end);
	if (left >= 4 && memcmp(s, "<!--", 4) == 0)
		return skim_comment(s, end);
	if (left >= 10 && strncasecmp(s, "<!DOCTYPE", 9) == 0)
		return skim_doctype(s, end);
	return 0;
}
