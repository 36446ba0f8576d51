/* json_strict.c -- one JSON value from untrusted bytes, nothing accepted loosely */
#include "json_strict.h"

#include <limits.h>

/*
 * Duplicate keys. json-c keeps the last of two equal keys, so {"count":50,
 * "count":7} would read as 7. Rather than decode keys here, and risk calling
 * two keys different that json-c calls equal, the text is walked beside the
 * parsed document: an object that came through with fewer members than its
 * text lists had a repeated key. The text has already passed the strict
 * tokener, so the walk only has to find its way, not check it.
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

static bool value_has_duplicate(const char **pp, const char *end, struct json_object *v);

/* p is just past '{'; v is the object json-c made of it. */
static bool object_has_duplicate(const char **pp, const char *end, struct json_object *v)
{
	struct json_object_iterator it = json_object_iter_begin(v);
	struct json_object_iterator stop = json_object_iter_end(v);
	const char *p = skip_space(*pp, end);

	if (count_members(p, end) != (size_t)json_object_object_length(v))
		return true;
	/* No key repeats here, so json-c kept the members in the order of the text. */
	while (p < end && *p == '"' && !json_object_iter_equal(&it, &stop)) {
		p = skip_space(skip_string(p, end), end) + 1;
		if (value_has_duplicate(&p, end, json_object_iter_peek_value(&it)))
			return true;
		json_object_iter_next(&it);
		p = next_member(p, end);
	}
	*pp = p + 1;
	return false;
}

static bool array_has_duplicate(const char **pp, const char *end, struct json_object *v)
{
	const char *p = skip_space(*pp, end);
	size_t n = json_object_array_length(v);

	for (size_t i = 0; i < n && p < end && *p != ']'; i++) {
		if (value_has_duplicate(&p, end, json_object_array_get_idx(v, i)))
			return true;
		p = next_member(p, end);
	}
	*pp = p + 1;
	return false;
}

/* Whether the value at *pp, which json-c parsed as v, repeats a key anywhere; moves past it. */
static bool value_has_duplicate(const char **pp, const char *end, struct json_object *v)
{
	const char *p = skip_space(*pp, end);

	if (p < end && *p == '{' && json_object_is_type(v, json_type_object)) {
		*pp = p + 1;
		return object_has_duplicate(pp, end, v);
	}
	if (p < end && *p == '[' && json_object_is_type(v, json_type_array)) {
		*pp = p + 1;
		return array_has_duplicate(pp, end, v);
	}
	*pp = skip_value(p, end);
	return false;
}

struct json_object *json_strict_parse(const char *buf, size_t len, bool check_utf8,
				      const char **why)
{
	struct json_tokener *tok;
	struct json_object *doc;
	enum json_tokener_error jerr;
	const char *walk = buf;
	size_t end;

	if (len == 0) {
		*why = "the input is empty";
		return NULL;
	}
	if (len > INT_MAX) {
		*why = "the input is too large";
		return NULL;
	}
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
		*why = json_tokener_error_desc(jerr);
		return NULL;
	}
	if (end < len) {
		json_object_put(doc);
		*why = "data after the value";
		return NULL;
	}
	if (value_has_duplicate(&walk, buf + len, doc)) {
		json_object_put(doc);
		*why = "an object repeats a key";
		return NULL;
	}
	return doc;
}
