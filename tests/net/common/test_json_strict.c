/* test_json_strict.c -- json_strict_parse: RFC 8259 and nothing looser, repeated keys, messages */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"

struct refusal {
	const char *in;
	const char *why;	/* the start of the message */
	size_t at;		/* the byte offset it names */
};

/* Parses in (its strlen) and, on success, hands back the document. */
static struct json_object *parse(const char *in, bool utf8, const char **why)
{
	return json_strict_parse(in, strlen(in), utf8, why);
}

static void expect_refused(const struct refusal *cases, size_t n, bool utf8)
{
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		struct json_object *doc = parse(cases[i].in, utf8, &why);
		char at[48];

		if (doc) {
			json_object_put(doc);
			fail_msg("'%s' was accepted", cases[i].in);
		}
		assert_non_null(why);
		if (strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
			fail_msg("'%s': got '%s', want '%s...'", cases[i].in, why, cases[i].why);
		snprintf(at, sizeof(at), " at byte %zu", cases[i].at);
		if (strlen(why) < strlen(at) || strcmp(why + strlen(why) - strlen(at), at) != 0)
			fail_msg("'%s': got '%s', want it to end '%s'", cases[i].in, why, at);
	}
}

static void test_accepts_rfc8259(void **state)
{
	static const char *const good[] = {
		"0", "-0", "1", "-1", "10", "0.5", "-0.5", "1.25e10", "1E+2", "1e-2", "0e0",
		"true", "false", "[null]", "\"\"", "[]", "{}", " \t\r\n[ 1 , 2 ]\r\n\t ",
		"{\"a\":[true,false,null,{\"b\":\"c\"}],\"d\":-12.5e-3}",
		"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u00e9 \\uD83D\\uDE00 \\uffff\"",
		"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf\"",
		"{\"\xc3\xa9\":\"\xe2\x82\xac\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const char *why = NULL;
		struct json_object *doc = parse(good[i], true, &why);

		if (!doc)
			fail_msg("'%s' refused: %s", good[i], why);
		json_object_put(doc);
	}
}

static void test_refuses_raw_controls(void **state)
{
	static const struct refusal cases[] = {
		{ "{\"username\":\"a\",\"msg\":\"b\x01\x1b[2J\"}", "raw control byte 0x01", 24 },
		{ "\"a\tb\"", "raw control byte 0x09", 2 },
		{ "\"a\nb\"", "raw control byte 0x0a", 2 },
		{ "{\"k\x7f\x1f\":1}", "raw control byte 0x1f", 4 },
	};

	(void)state;
	expect_refused(cases, sizeof(cases) / sizeof(cases[0]), true);
	/* Not a question of UTF-8: the store, which skips that check, refuses them too. */
	expect_refused(cases, sizeof(cases) / sizeof(cases[0]), false);
}

static void test_refuses_loose_numbers(void **state)
{
	static const struct refusal cases[] = {
		{ "{\"x\":1.}", "a number needs a digit after '.'", 7 },
		{ "1.", "a number needs a digit after '.'", 2 },
		{ "1.e5", "a number needs a digit after '.'", 2 },
		{ ".5", "expected a value, not '.'", 0 },
		{ "{\"count\":00}", "a number has a leading zero", 10 },
		{ "-01", "a number has a leading zero", 2 },
		{ "00.5", "a number has a leading zero", 1 },
		{ "[007]", "a number has a leading zero", 2 },
		{ "-", "a number needs a digit, not the end of the input", 1 },
		{ "-a", "a number needs a digit, not 'a'", 1 },
		{ "+1", "expected a value, not '+'", 0 },
		{ "1e", "a number needs a digit in its exponent", 2 },
		{ "1e+", "a number needs a digit in its exponent", 3 },
		{ "0x10", "data after the value ('x')", 1 },
		{ "NaN", "expected a value, not 'N'", 0 },
		{ "{\"x\":NaN}", "expected a value, not 'N'", 5 },
		{ "Infinity", "expected a value, not 'I'", 0 },
		{ "-Infinity", "a number needs a digit, not 'I'", 1 },
		{ "[1,-Infinity]", "a number needs a digit, not 'I'", 4 },
	};

	(void)state;
	expect_refused(cases, sizeof(cases) / sizeof(cases[0]), true);
}

static void test_refuses_other_syntax(void **state)
{
	const char *why = NULL;
	static const struct refusal cases[] = {
		{ "{'a':1}", "expected a key in double quotes, not '''", 1 },
		{ "{\"a\":'b'}", "expected a value, not '''", 5 },
		{ "{a:1}", "expected a key in double quotes, not 'a'", 1 },
		{ "{1:1}", "expected a key in double quotes, not '1'", 1 },
		{ "{\"a\" 1}", "expected ':' after a key, not '1'", 5 },
		{ "{\"a\":1,}", "expected a key in double quotes, not '}'", 7 },
		{ "[1,]", "expected a value, not ']'", 3 },
		{ "[1 2]", "expected ',' or ']', not '2'", 3 },
		{ "{\"a\":1]", "expected ',' or '}', not ']'", 6 },
		{ "[1}", "expected ',' or ']', not '}'", 2 },
		{ "{\"a\":1", "expected ',' or '}', not the end of the input", 6 },
		{ "[", "the input ends where a value should be", 1 },
		{ "\"abc", "the input ends inside a string", 4 },
		{ "\"abc\\", "the input ends inside a string", 5 },
		{ "True", "expected a value, not 'T'", 0 },
		{ "tru", "expected 'true'", 0 },
		{ "nul", "expected 'null'", 0 },
		{ "falsey", "data after the value ('y')", 5 },
		{ "nullnull", "data after the value ('n')", 4 },
		{ "1 2", "data after the value ('2')", 2 },
		{ "{}{}", "data after the value ('{')", 2 },
		{ "\"\\x41\"", "invalid escape \\'x'", 2 },
		{ "\"\\'\"", "invalid escape \\'''", 2 },
		{ "\"\\u12G4\"", "\\u needs four hex digits", 5 },
		{ "\"\\u12\"", "\\u needs four hex digits", 5 },
		/* Only space, tab, CR and LF are whitespace. */
		{ "\f1", "expected a value, not 0x0c", 0 },
		{ "1\v", "data after the value (0x0b)", 1 },
		{ "[1,\xc2\xa0 2]", "expected a value, not 0xc2", 3 },
	};

	(void)state;
	expect_refused(cases, sizeof(cases) / sizeof(cases[0]), true);
	assert_null(json_strict_parse("1\0", 2, true, &why));
	assert_string_equal(why, "data after the value (0x00) at byte 1");
}

static void test_refuses_unpaired_surrogates(void **state)
{
	static const struct refusal cases[] = {
		{ "\"\\ud800\"", "high surrogate \\ud800 without a low one after it", 1 },
		{ "\"x\\uD800y\"", "high surrogate \\ud800 without a low one after it", 2 },
		{ "\"\\ud800\\u0041\"", "high surrogate \\ud800 without a low one after it", 1 },
		{ "\"\\udbff\\ud800\"", "high surrogate \\udbff without a low one after it", 1 },
		{ "\"\\udc00\"", "low surrogate \\udc00 without a high one before it", 1 },
		{ "\"\\ud83d\\ude00\\ude00\"", "low surrogate \\ude00 without a high one", 13 },
		{ "{\"\\udfff\":1}", "low surrogate \\udfff without a high one before it", 2 },
	};

	(void)state;
	expect_refused(cases, sizeof(cases) / sizeof(cases[0]), true);
	expect_refused(cases, sizeof(cases) / sizeof(cases[0]), false);
}

static void test_refuses_bad_utf8(void **state)
{
	static const struct refusal cases[] = {
		/* keys as much as values */
		{ "{\"username\":\"a\",\"msg\":\"b\",\"\xc0\xaf\":\"\xed\xa0\x80\"}",
		  "invalid UTF-8 (byte 0xc0) in a string", 27 },
		{ "{\"k\":\"\xed\xa0\x80\"}", "invalid UTF-8 (byte 0xed) in a string", 6 },
		{ "\"\xc1\xbf\"", "invalid UTF-8 (byte 0xc1)", 1 },		/* overlong U+007F */
		{ "\"\xe0\x9f\xbf\"", "invalid UTF-8 (byte 0xe0)", 1 },		/* overlong U+07FF */
		{ "\"\xf0\x8f\xbf\xbf\"", "invalid UTF-8 (byte 0xf0)", 1 },	/* overlong U+FFFF */
		{ "\"\xed\xbf\xbf\"", "invalid UTF-8 (byte 0xed)", 1 },		/* U+DFFF */
		{ "\"\xf4\x90\x80\x80\"", "invalid UTF-8 (byte 0xf4)", 1 },	/* U+110000 */
		{ "\"\xf5\x80\x80\x80\"", "invalid UTF-8 (byte 0xf5)", 1 },
		{ "\"\xff\"", "invalid UTF-8 (byte 0xff)", 1 },
		{ "\"ab\x80\"", "invalid UTF-8 (byte 0x80)", 3 },
		{ "\"\xe2\x82\"", "invalid UTF-8 (byte 0xe2)", 1 },		/* cut short */
		{ "\"\xe2\x82", "invalid UTF-8 (byte 0xe2)", 1 },
	};

	(void)state;
	expect_refused(cases, sizeof(cases) / sizeof(cases[0]), true);
}

static void test_without_utf8_check_bytes_pass(void **state)
{
	const char *why = NULL;
	struct json_object *doc = parse("{\"\xc0\xaf\":\"\xed\xa0\x80\xff\"}", false, &why);

	(void)state;
	if (!doc)
		fail_msg("refused: %s", why);
	assert_int_equal(json_object_object_length(doc), 1);
	json_object_put(doc);
}

static void test_depth(void **state)
{
	char in[2 * (JSON_STRICT_DEPTH + 1) + 1];
	const char *why = NULL;
	struct json_object *doc;

	(void)state;
	for (int depth = 1; depth <= JSON_STRICT_DEPTH + 1; depth++) {
		memset(in, '[', (size_t)depth);
		memset(in + depth, ']', (size_t)depth);
		in[2 * depth] = '\0';
		doc = parse(in, true, &why);
		if (depth <= JSON_STRICT_DEPTH) {
			if (!doc)
				fail_msg("%d levels refused: %s", depth, why);
			json_object_put(doc);
		} else {
			assert_null(doc);
			assert_string_equal(why, "nested deeper than 32 at byte 32");
		}
	}
}

/* A long run of openers is refused at the cap, in time linear in the input, without recursion. */
static void test_deep_input_is_cheap(void **state)
{
	size_t n = 1 << 20;
	char *in = malloc(n);
	const char *why = NULL;

	(void)state;
	assert_non_null(in);
	memset(in, '[', n);
	assert_null(json_strict_parse(in, n, true, &why));
	assert_string_equal(why, "nested deeper than 32 at byte 32");
	free(in);
}

static void test_repeated_keys(void **state)
{
	static const struct refusal dup[] = {
		{ "{\"count\":50,\"count\":7}", "an object repeats a key: the one opening", 0 },
		{ "{\"a\":1,\"\\u0061\":2}", "an object repeats a key: the one opening", 0 },
		{ " [{\"a\":{\"b\":1,\"b\":1}}]", "an object repeats a key: the one opening", 7 },
		{ "[{\"a\":1},{\"b\":[],\"b\":{}}]", "an object repeats a key: the one opening", 9 },
	};

	(void)state;
	expect_refused(dup, sizeof(dup) / sizeof(dup[0]), true);
}

static void test_empty_and_values(void **state)
{
	const char *why = NULL;
	struct json_object *doc;

	(void)state;
	assert_null(json_strict_parse("", 0, true, &why));
	assert_string_equal(why, "the input is empty");
	/* json-c's document for null is NULL, so that one value cannot come back. */
	assert_null(parse(" null ", true, &why));
	assert_string_equal(why, "the value is null");
	assert_null(parse("  ", true, &why));
	assert_string_equal(why, "the input ends where a value should be at byte 2");

	/* What passes comes out as json-c reads it. */
	doc = parse("{\"n\":-0.5e1,\"s\":\"a\\u0000\\uD83D\\uDE00\",\"z\":0}", true, &why);
	assert_non_null(doc);
	assert_true(json_object_get_double(json_object_object_get(doc, "n")) == -5.0);
	assert_int_equal(json_object_get_string_len(json_object_object_get(doc, "s")), 6);
	assert_memory_equal(json_object_get_string(json_object_object_get(doc, "s")),
			    "a\0\xf0\x9f\x98\x80", 6);
	assert_int_equal(json_object_get_int(json_object_object_get(doc, "z")), 0);
	json_object_put(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_rfc8259),
		cmocka_unit_test(test_refuses_raw_controls),
		cmocka_unit_test(test_refuses_loose_numbers),
		cmocka_unit_test(test_refuses_other_syntax),
		cmocka_unit_test(test_refuses_unpaired_surrogates),
		cmocka_unit_test(test_refuses_bad_utf8),
		cmocka_unit_test(test_without_utf8_check_bytes_pass),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_deep_input_is_cheap),
		cmocka_unit_test(test_repeated_keys),
		cmocka_unit_test(test_empty_and_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
