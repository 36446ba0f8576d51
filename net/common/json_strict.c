/* json_strict.c -- one JSON value from untrusted bytes, nothing accepted loosely */
#include "json_strict.h"

#include <limits.h>

struct json_object *json_strict_parse(const char *buf, size_t len, bool check_utf8,
				      const char **why)
{
	struct json_tokener *tok;
	struct json_object *doc;
	enum json_tokener_error jerr;
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
	return doc;
}
