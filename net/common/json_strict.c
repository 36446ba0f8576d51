/* json_strict.c -- one JSON value from untrusted bytes, nothing accepted loosely */
#include "json_strict.h"
#include "utf8.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The grammar first. json-c's strict mode still takes raw control bytes in
 * strings, "1.", "00", "-01", NaN, Infinity, single-quoted strings and UTF-8
 * that only has the shape of UTF-8 (overlongs, surrogates, past U+10FFFF). So
 * the text is checked here against RFC 8259 before json-c sees it, and json-c
 * only builds the document. The check is one pass over the bytes with an
 * explicit stack of open containers, no recursion.
 */

#define JSON_STRICT_WHY_LEN 128

struct jcheck {
	const unsigned char *s;
	size_t len;
	size_t pos;
	bool check_utf8;
	char *why;		/* JSON_STRICT_WHY_LEN bytes */
};

__attribute__((format(printf, 2, 3)))
static int jcheck_fail(struct jcheck *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(j->why, JSON_STRICT_WHY_LEN, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < JSON_STRICT_WHY_LEN)
		snprintf(j->why + n, JSON_STRICT_WHY_LEN - (size_t)n, " at byte %zu", j->pos);
	return -1;
}

static void jcheck_space(struct jcheck *j)
{
	while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
				   j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
		j->pos++;
}

/* Describes the byte at pos for a message: 'x', or 0xNN when it does not print. */
static const char *jcheck_shown(const struct jcheck *j, char out[8])
{
	unsigned char c;

	if (j->pos >= j->len)
		return "the end of the input";
	c = j->s[j->pos];
	if (c >= 0x20 && c < 0x7f)
		snprintf(out, 8, "'%c'", c);
	else
		snprintf(out, 8, "0x%02x", c);
	return out;
}

/* Four hex digits at pos into *v; moves past them. */
static int jcheck_hex4(struct jcheck *j, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, j->pos++) {
		unsigned char c = j->pos < j->len ? j->s[j->pos] : 0;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return jcheck_fail(j, "\\u needs four hex digits");
	}
	return 0;
}

/* pos is just past a backslash: one escape, a surrogate pair as one. */
static int jcheck_escape(struct jcheck *j)
{
	uint32_t cp, lo;
	size_t at = j->pos - 1;
	char shown[8];

	if (j->pos >= j->len)
		return jcheck_fail(j, "the input ends inside a string");
	switch (j->s[j->pos]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		j->pos++;
		return 0;
	case 'u':
		break;
	default:
		return jcheck_fail(j, "invalid escape \\%s", jcheck_shown(j, shown));
	}
	j->pos++;
	if (jcheck_hex4(j, &cp) < 0)
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		j->pos = at;
		return jcheck_fail(j, "low surrogate \\u%04x without a high one before it",
				   (unsigned)cp);
	}
	if (cp < 0xd800 || cp > 0xdbff)
		return 0;
	if (j->len - j->pos < 2 || j->s[j->pos] != '\\' || j->s[j->pos + 1] != 'u') {
		j->pos = at;
		return jcheck_fail(j, "high surrogate \\u%04x without a low one after it",
				   (unsigned)cp);
	}
	j->pos += 2;
	if (jcheck_hex4(j, &lo) < 0)
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff) {
		j->pos = at;
		return jcheck_fail(j, "high surrogate \\u%04x without a low one after it",
				   (unsigned)cp);
	}
	return 0;
}

/* pos is at an opening '"': a string, key or value; moves past its closing quote. */
static int jcheck_string(struct jcheck *j)
{
	for (j->pos++; j->pos < j->len;) {
		unsigned char c = j->s[j->pos];
		size_t n;

		if (c == '"') {
			j->pos++;
			return 0;
		}
		if (c < 0x20)
			return jcheck_fail(j, "raw control byte 0x%02x in a string (escape it)", c);
		if (c == '\\') {
			j->pos++;
			if (jcheck_escape(j) < 0)
				return -1;
			continue;
		}
		if (c < 0x80 || !j->check_utf8) {
			j->pos++;
			continue;
		}
		n = utf8_seq_len(j->s + j->pos, j->len - j->pos);
		if (n == 0)
			return jcheck_fail(j, "invalid UTF-8 (byte 0x%02x) in a string", c);
		j->pos += n;
	}
	return jcheck_fail(j, "the input ends inside a string");
}

static bool jcheck_digit(const struct jcheck *j)
{
	return j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at pos. */
static int jcheck_number(struct jcheck *j)
{
	char shown[8];

	if (j->s[j->pos] == '-')
		j->pos++;
	if (!jcheck_digit(j))
		return jcheck_fail(j, "a number needs a digit, not %s", jcheck_shown(j, shown));
	if (j->s[j->pos] == '0') {
		j->pos++;
		if (jcheck_digit(j))
			return jcheck_fail(j, "a number has a leading zero");
	} else {
		while (jcheck_digit(j))
			j->pos++;
	}
	if (j->pos < j->len && j->s[j->pos] == '.') {
		j->pos++;
		if (!jcheck_digit(j))
			return jcheck_fail(j, "a number needs a digit after '.', not %s",
					   jcheck_shown(j, shown));
		while (jcheck_digit(j))
			j->pos++;
	}
	if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
		j->pos++;
		if (j->pos < j->len && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		if (!jcheck_digit(j))
			return jcheck_fail(j, "a number needs a digit in its exponent, not %s",
					   jcheck_shown(j, shown));
		while (jcheck_digit(j))
			j->pos++;
	}
	return 0;
}

static int jcheck_word(struct jcheck *j, const char *w, size_t n)
{
	if (j->len - j->pos < n || memcmp(j->s + j->pos, w, n) != 0)
		return jcheck_fail(j, "expected '%s'", w);
	j->pos += n;
	return 0;
}

/* A scalar at pos, or a complaint that no value starts there. */
static int jcheck_scalar(struct jcheck *j)
{
	char shown[8];
	unsigned char c = j->pos < j->len ? j->s[j->pos] : 0;

	if (j->pos >= j->len)
		return jcheck_fail(j, "the input ends where a value should be");
	if (c == '"')
		return jcheck_string(j);
	if (c == '-' || (c >= '0' && c <= '9'))
		return jcheck_number(j);
	if (c == 't')
		return jcheck_word(j, "true", 4);
	if (c == 'f')
		return jcheck_word(j, "false", 5);
	if (c == 'n')
		return jcheck_word(j, "null", 4);
	return jcheck_fail(j, "expected a value, not %s", jcheck_shown(j, shown));
}

/* pos is inside an object, where a key goes: "key" : and the space up to the value. */
static int jcheck_key(struct jcheck *j)
{
	char shown[8];

	if (j->pos >= j->len || j->s[j->pos] != '"')
		return jcheck_fail(j, "expected a key in double quotes, not %s",
				   jcheck_shown(j, shown));
	if (jcheck_string(j) < 0)
		return -1;
	jcheck_space(j);
	if (j->pos >= j->len || j->s[j->pos] != ':')
		return jcheck_fail(j, "expected ':' after a key, not %s", jcheck_shown(j, shown));
	j->pos++;
	jcheck_space(j);
	return 0;
}

/*
 * The whole text: one value with only whitespace around it. open[] holds the
 * containers entered and not yet closed, '{' or '['.
 */
static int jcheck_text(struct jcheck *j)
{
	char open[JSON_STRICT_DEPTH];
	size_t depth = 0;
	char shown[8];

	jcheck_space(j);
	for (;;) {
		unsigned char c = j->pos < j->len ? j->s[j->pos] : 0;

		/* a value */
		if (j->pos < j->len && (c == '{' || c == '[')) {
			if (depth == JSON_STRICT_DEPTH)
				return jcheck_fail(j, "nested deeper than %d", JSON_STRICT_DEPTH);
			open[depth++] = (char)c;
			j->pos++;
			jcheck_space(j);
			if (j->pos < j->len && j->s[j->pos] == (c == '{' ? '}' : ']')) {
				j->pos++;
				depth--;
			} else {
				if (c == '{' && jcheck_key(j) < 0)
					return -1;
				continue;
			}
		} else if (jcheck_scalar(j) < 0) {
			return -1;
		}
		/* after a value: close what it ends, then a ',' and the next one, or the end */
		for (;;) {
			char close;

			jcheck_space(j);
			if (depth == 0) {
				if (j->pos < j->len)
					return jcheck_fail(j, "data after the value (%s)",
							   jcheck_shown(j, shown));
				return 0;
			}
			close = open[depth - 1] == '{' ? '}' : ']';
			if (j->pos < j->len && j->s[j->pos] == close) {
				j->pos++;
				depth--;
				continue;
			}
			if (j->pos < j->len && j->s[j->pos] == ',') {
				j->pos++;
				jcheck_space(j);
				if (open[depth - 1] == '{' && jcheck_key(j) < 0)
					return -1;
				break;
			}
			return jcheck_fail(j, "expected ',' or '%c', not %s", close,
					   jcheck_shown(j, shown));
		}
	}
}

/*
 * Duplicate keys. json-c keeps the last of two equal keys, so {"count":50,
 * "count":7} would read as 7. Rather than decode keys here, and risk calling
 * two keys different that json-c calls equal, the text is walked beside the
 * parsed document: an object that came through with fewer members than its
 * text lists had a repeated key. The text has already passed jcheck_text and
 * json-c, so the walk only has to find its way, not check it.
 */

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p is at an opening quote; returns the byte after the closing one. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

/* Skips one value, whatever it holds; stops at the ',' ']' or '}' after a scalar. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	p = skip_space(p, end);
	while (p < end) {
		char ch = *p;

		if (ch == '"') {
			p = skip_string(p, end);
		} else if (ch == '{' || ch == '[') {
			depth++;
			p++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0)
				break;
			depth--;
			p++;
		} else if (ch == ',' && depth == 0) {
			break;
		} else {
			p++;
		}
		if (depth == 0 && (ch == '"' || ch == '}' || ch == ']'))
			break;
	}
	return p;
}

/* p is just after a member or element: moves past the ',' that follows, if any. */
static const char *next_member(const char *p, const char *end)
{
	p = skip_space(p, end);
	return p < end && *p == ',' ? skip_space(p + 1, end) : p;
}

/* p is just past an object's '{' and at its first key, or its '}'. */
static size_t count_members(const char *p, const char *end)
{
	size_t n = 0;

	while (p < end && *p == '"') {
		p = skip_space(skip_string(p, end), end);
		p = skip_value(p + 1, end);
		n++;
		p = next_member(p, end);
	}
	return n;
}

static bool value_has_duplicate(const char **pp, const char *end, struct json_object *v,
				const char **at);

/* p is just past '{'; v is the object json-c made of it. *at gets the '{' of one that repeats. */
static bool object_has_duplicate(const char **pp, const char *end, struct json_object *v,
				 const char **at)
{
	struct json_object_iterator it = json_object_iter_begin(v);
	struct json_object_iterator stop = json_object_iter_end(v);
	const char *p = skip_space(*pp, end);

	if (count_members(p, end) != (size_t)json_object_object_length(v)) {
		*at = *pp - 1;
		return true;
	}
	/* No key repeats here, so json-c kept the members in the order of the text. */
	while (p < end && *p == '"' && !json_object_iter_equal(&it, &stop)) {
		p = skip_space(skip_string(p, end), end) + 1;
		if (value_has_duplicate(&p, end, json_object_iter_peek_value(&it), at))
			return true;
		json_object_iter_next(&it);
		p = next_member(p, end);
	}
	*pp = p + 1;
	return false;
}

static bool array_has_duplicate(const char **pp, const char *end, struct json_object *v,
				const char **at)
{
	const char *p = skip_space(*pp, end);
	size_t n = json_object_array_length(v);

	for (size_t i = 0; i < n && p < end && *p != ']'; i++) {
		if (value_has_duplicate(&p, end, json_object_array_get_idx(v, i), at))
			return true;
		p = next_member(p, end);
	}
	*pp = p + 1;
	return false;
}

/* Whether the value at *pp, which json-c parsed as v, repeats a key anywhere; moves past it. */
static bool value_has_duplicate(const char **pp, const char *end, struct json_object *v,
				const char **at)
{
	const char *p = skip_space(*pp, end);

	if (p < end && *p == '{' && json_object_is_type(v, json_type_object)) {
		*pp = p + 1;
		return object_has_duplicate(pp, end, v, at);
	}
	if (p < end && *p == '[' && json_object_is_type(v, json_type_array)) {
		*pp = p + 1;
		return array_has_duplicate(pp, end, v, at);
	}
	*pp = skip_value(p, end);
	return false;
}

struct json_object *json_strict_parse(const char *buf, size_t len, bool check_utf8,
				      const char **why)
{
	static _Thread_local char why_buf[JSON_STRICT_WHY_LEN];
	struct jcheck check = { (const unsigned char *)buf, len, 0, check_utf8, why_buf };
	struct json_tokener *tok;
	struct json_object *doc;
	enum json_tokener_error jerr;
	const char *walk = buf, *dup = buf;
	size_t end;

	if (len == 0) {
		*why = "the input is empty";
		return NULL;
	}
	if (len > INT_MAX) {
		*why = "the input is too large";
		return NULL;
	}
	if (jcheck_text(&check) < 0) {
		*why = why_buf;
		return NULL;
	}
	/* From here on json-c only builds the document of a text already checked. */
	tok = json_tokener_new();
	if (!tok) {
		*why = "out of memory";
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       (check_utf8 ? JSON_TOKENER_VALIDATE_UTF8 : 0));
	doc = json_tokener_parse_ex(tok, buf, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* A NUL tells the tokener the input ends, so "42" is a number, not a prefix. */
	if (!doc && json_tokener_get_error(tok) == json_tokener_continue)
		doc = json_tokener_parse_ex(tok, "", 1);
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!doc) {
		*why = jerr == json_tokener_success ? "the value is null" : json_tokener_error_desc(jerr);
		return NULL;
	}
	if (end < len) {
		json_object_put(doc);
		*why = "data after the value";
		return NULL;
	}
	if (value_has_duplicate(&walk, buf + len, doc, &dup)) {
		json_object_put(doc);
		snprintf(why_buf, sizeof(why_buf), "an object repeats a key: the one opening at byte %zu",
			 (size_t)(dup - buf));
		*why = why_buf;
		return NULL;
	}
	return doc;
}
