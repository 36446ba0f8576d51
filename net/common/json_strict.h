/* json_strict.h -- one JSON value from untrusted bytes, nothing accepted loosely */
#ifndef CRAWLPOOL_JSON_STRICT_H
#define CRAWLPOOL_JSON_STRICT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* As deep as json-c nests by default, so neither refuses what the other takes. */
#define JSON_STRICT_DEPTH 32

/*
 * Parses buf[0..len) as exactly one JSON value in the syntax of RFC 8259 and
 * nothing more: whitespace only space, tab, CR and LF, and only around
 * tokens; no raw byte below 0x20 in a string; only the escapes \" \\ \/ \b
 * \f \n \r \t and \uXXXX, a surrogate only as a high-low pair; numbers
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (no "1.", "01", NaN or
 * Infinity); true, false and null; keys in double quotes; at most
 * JSON_STRICT_DEPTH (32) arrays and objects nested. With check_utf8 the bytes
 * of every string, keys included, must be UTF-8 per RFC 3629 (no overlong
 * form, surrogate or code point past U+10FFFF); without it they pass as they
 * are. A prefix such as "42" of "421", a truncated value, data after the
 * value or an object that repeats a key (json-c would keep the last one) is an
 * error too. Returns the value (release it with json_object_put) or NULL with
 * *why set to a description, such as "a number has a leading zero at byte 9",
 * valid until the next call from the same thread. json-c stands for null
 * with NULL, so a text that is only null is refused ("the value is null").
 */
struct json_object *json_strict_parse(const char *buf, size_t len, bool check_utf8,
				      const char **why);

#endif
