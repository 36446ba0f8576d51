/* json_strict.h -- one JSON value from untrusted bytes, nothing accepted loosely */
#ifndef CRAWLPOOL_JSON_STRICT_H
#define CRAWLPOOL_JSON_STRICT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Parses buf[0..len) as exactly one JSON value in strict syntax (and, with
 * check_utf8, valid UTF-8): a prefix such as "42" of "421", a truncated
 * value, data after the value or an object that repeats a key (json-c would
 * keep the last one) is an error. Returns the value (release it
 * with json_object_put) or NULL with *why set to a static description.
 */
struct json_object *json_strict_parse(const char *buf, size_t len, bool check_utf8,
				      const char **why);

#endif
