/* test_chat_proto.c -- the chat datagram: encoding, strict decoding, UTF-8 checks, escaping */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "chat_proto.h"

static int decode(struct chat_msg *m, const char *text, char *err, size_t errlen)
{
	return chat_msg_decode(m, text, strlen(text), err, errlen);
}

static void test_encode_wire_format(void **state)
{
	char out[256];
	size_t len;

	(void)state;
	assert_int_equal(chat_msg_encode(CHAT_MSG, "alice", "hi \"you\"\n", 9, NULL, out,
					 sizeof(out), &len), CHAT_OK);
	assert_int_equal(len, strlen("{\"username\":\"alice\",\"msg\":\"hi \\\"you\\\"\\n\"}"));
	assert_memory_equal(out, "{\"username\":\"alice\",\"msg\":\"hi \\\"you\\\"\\n\"}", len);

	assert_int_equal(chat_msg_encode(CHAT_LEAVE, "bob", NULL, 0, NULL, out, sizeof(out),
					 &len), CHAT_OK);
	assert_memory_equal(out, "{\"type\":\"leave\",\"username\":\"bob\"}", len);

	assert_int_equal(chat_msg_encode(CHAT_MSG, "bob", "x", 1, "127.0.0.1:9", out,
					 sizeof(out), &len), CHAT_OK);
	assert_memory_equal(out, "{\"username\":\"bob\",\"msg\":\"x\",\"from\":\"127.0.0.1:9\"}", len);
}

static void test_encode_too_big_reports_size(void **state)
{
	char out[64], text[100];
	size_t len;

	(void)state;
	memset(text, 'a', sizeof(text));
	assert_int_equal(chat_msg_encode(CHAT_MSG, "u", text, sizeof(text), NULL, out,
					 sizeof(out), &len), CHAT_ETOOBIG);
	assert_int_equal(len, strlen("{\"username\":\"u\",\"msg\":\"\"}") + sizeof(text));
}

static void test_roundtrip_keeps_nul_and_controls(void **state)
{
	const char text[] = "a\0b\x01c";
	char out[256], err[128];
	struct chat_msg m;
	size_t len;

	(void)state;
	assert_int_equal(chat_msg_encode(CHAT_MSG, "u", text, sizeof(text) - 1, NULL, out,
					 sizeof(out), &len), CHAT_OK);
	assert_int_equal(chat_msg_decode(&m, out, len, err, sizeof(err)), CHAT_OK);
	assert_int_equal(m.kind, CHAT_MSG);
	assert_int_equal(m.text_len, sizeof(text) - 1);
	assert_memory_equal(m.text, text, sizeof(text) - 1);
	chat_msg_release(&m);
}

static void test_decode_kinds(void **state)
{
	struct chat_msg m;
	char err[128];

	(void)state;
	assert_int_equal(decode(&m, "{\"username\":\"a\",\"msg\":\"hi\",\"extra\":[1]}", err,
				sizeof(err)), CHAT_OK);
	assert_int_equal(m.kind, CHAT_MSG);
	assert_string_equal(m.username, "a");
	assert_string_equal(m.text, "hi");
	assert_null(m.from);
	chat_msg_release(&m);

	assert_int_equal(decode(&m, " {\"type\":\"join\",\"username\":\"a\"}\n", err,
				sizeof(err)), CHAT_OK);
	assert_int_equal(m.kind, CHAT_JOIN);
	assert_null(m.text);
	chat_msg_release(&m);

	/* A leave needs no name: the relay knows its members by address. */
	assert_int_equal(decode(&m, "{\"type\":\"leave\"}", err, sizeof(err)), CHAT_OK);
	assert_int_equal(m.kind, CHAT_LEAVE);
	assert_null(m.username);
	chat_msg_release(&m);
	assert_int_equal(decode(&m, "{\"type\":\"leave\",\"username\":\"a\"}", err,
				sizeof(err)), CHAT_OK);
	assert_string_equal(m.username, "a");
	chat_msg_release(&m);

	/* Equal names in different objects, and keys that differ only around escapes. */
	assert_int_equal(decode(&m, "{\"username\":\"a\",\"msg\":\"x\",\"k\":{\"k\":{\"k\":1}},"
				"\"l\":[{\"k\":1},{\"k\":2}],\"q\\\"\":1,\"q\":[],\"q\\\\\":\"}\"}",
				err, sizeof(err)), CHAT_OK);
	assert_string_equal(m.text, "x");
	chat_msg_release(&m);

	assert_int_equal(decode(&m, "{\"type\":\"error\",\"msg\":\"full\"}", err, sizeof(err)),
			 CHAT_OK);
	assert_int_equal(m.kind, CHAT_ERROR);
	assert_null(m.username);
	chat_msg_release(&m);

	assert_int_equal(decode(&m, "{\"type\":\"msg\",\"username\":\"a\",\"msg\":\"\","
				"\"from\":\"[::1]:5\"}", err, sizeof(err)), CHAT_OK);
	assert_int_equal(m.text_len, 0);
	assert_string_equal(m.from, "[::1]:5");
	chat_msg_release(&m);
}

static void test_decode_rejects(void **state)
{
	static const struct {
		const char *in;
		const char *why;
	} cases[] = {
		{ "", "empty datagram" },
		{ "hello", "not valid JSON" },
		{ "{\"username\":\"a\",\"msg\":\"x\"",
		  "not valid JSON: expected ',' or '}', not the end of the input at byte 25" },
		{ "{\"username\":\"a\",\"msg\":\"x\"}{}", "not valid JSON" },
		{ "{\"username\":\"a\",\"msg\":\"\xc3\x28\"}", "not valid JSON" },
		{ "{\"username\":\"a\",\"msg\":\"\xed\xa0\x80\"}",
		  "not valid JSON: invalid UTF-8 (byte 0xed) in a string at byte 23" },
		/* What json-c's strict mode would still take (tests/fuzz/crashes/json-strict-lenient-*). */
		{ "{\"username\":\"a\",\"msg\":\"b\x01\x1b[2J\"}",
		  "not valid JSON: raw control byte 0x01 in a string (escape it) at byte 24" },
		{ "{\"username\":\"a\",\"msg\":\"b\",\"x\":1.}",
		  "not valid JSON: a number needs a digit after '.', not '}' at byte 32" },
		{ "{\"username\":\"a\",\"msg\":\"b\",\"x\":01}",
		  "not valid JSON: a number has a leading zero at byte 31" },
		{ "{\"username\":\"a\",\"msg\":\"b\",\"x\":-01}",
		  "not valid JSON: a number has a leading zero at byte 32" },
		{ "{\"username\":\"a\",\"msg\":\"b\",\"x\":NaN}",
		  "not valid JSON: expected a value, not 'N' at byte 30" },
		{ "{\"username\":\"a\",\"msg\":\"b\",\"x\":Infinity}",
		  "not valid JSON: expected a value, not 'I' at byte 30" },
		{ "{'username':\"a\",\"msg\":\"b\"}",
		  "not valid JSON: expected a key in double quotes, not ''' at byte 1" },
		{ "{\"username\":\"a\",\"msg\":\"b\",\"\xc0\xaf\":\"\xed\xa0\x80\"}",
		  "not valid JSON: invalid UTF-8 (byte 0xc0) in a string at byte 27" },
		{ "{\"username\":\"a\",\"msg\":\"\xf4\x90\x80\x80\"}",
		  "not valid JSON: invalid UTF-8 (byte 0xf4) in a string at byte 23" },
		{ "{\"username\":\"a\",\"msg\":\"\\ud800\"}",
		  "not valid JSON: high surrogate \\ud800 without a low one after it at byte 23" },
		{ "{\"username\":\"a\",\"msg\":\"x\"}\x0c",
		  "not valid JSON: data after the value (0x0c) at byte 26" },
		{ "42", "not a JSON object" },
		{ "\"text\"", "not a JSON object" },
		{ "{\"msg\":\"x\"}", "field 'username' is missing" },
		{ "{\"username\":\"a\"}", "field 'msg' is missing" },
		{ "{\"username\":null,\"msg\":\"x\"}", "field 'username' is not a string" },
		{ "{\"username\":\"a\",\"msg\":7}", "field 'msg' is not a string" },
		{ "{\"username\":\"a\",\"msg\":\"x\",\"from\":{}}", "field 'from' is not a string" },
		{ "{\"type\":5,\"username\":\"a\"}", "field 'type' is not a string" },
		{ "{\"type\":\"hug\\u001b\",\"username\":\"a\"}", "unknown type 'hug\\x1b'" },
		{ "{\"type\":\"join\"}", "field 'username' is missing" },
		/* an error's username is ignored, but it is still a field that must be a string */
		{ "{\"type\":\"error\",\"msg\":\"x\",\"username\":1}",
		  "field 'username' is not a string" },
		{ "{\"type\":\"leave\",\"username\":\"\"}", "username must be 1 to 64 bytes" },
		/* Duplicate keys: json-c would keep the last one, so they are refused. */
		{ "{\"username\":\"a\",\"msg\":\"x\",\"msg\":\"y\"}",
		  "not valid JSON: an object repeats a key: the one opening at byte 0" },
		{ "{\"username\":\"a\",\"username\":\"b\",\"msg\":\"x\"}",
		  "not valid JSON: an object repeats a key" },
		{ "{\"username\":\"a\",\"msg\":\"x\",\"m\\u0073g\":\"y\"}",
		  "not valid JSON: an object repeats a key" },
		{ "{\"type\":\"leave\",\"type\":\"join\",\"username\":\"a\"}",
		  "not valid JSON: an object repeats a key" },
		{ "{\"username\":\"a\",\"msg\":\"x\",\"extra\":[1,{\"k\":1,\"k\":2}]}",
		  "not valid JSON: an object repeats a key" },
		{ "{\"username\":\"a\",\"msg\":\"x\",\"extra\":{\"o\":{},\"p\":{\"k\":{},\"k\":{}}}}",
		  "not valid JSON: an object repeats a key" },
		{ "{\"username\":\"\",\"msg\":\"x\"}", "username must be 1 to 64 bytes, not 0" },
		{ "{\"username\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
		  "\"msg\":\"x\"}", "username must be 1 to 64 bytes, not 65" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct chat_msg m;
		char err[128] = "";

		if (decode(&m, cases[i].in, err, sizeof(err)) != CHAT_EINVAL)
			fail_msg("input %zu was accepted", i);
		if (strncmp(err, cases[i].why, strlen(cases[i].why)) != 0)
			fail_msg("input %zu: got '%s', want '%s'", i, err, cases[i].why);
		assert_null(m.doc);
	}
}

/* chat_proto.h: username is NULL for CHAT_ERROR (tests/fuzz/crashes/chat-error-username.bin). */
static void test_decode_error_has_no_username(void **state)
{
	static const char *const in[] = {
		"{\"type\":\"error\",\"msg\":\"x\",\"username\":\"a\"}",
		"{\"username\":\"a\",\"type\":\"error\",\"msg\":\"x\"}",
		"{\"type\":\"error\",\"msg\":\"x\",\"username\":\"\"}",
		"{\"type\":\"error\",\"msg\":\"x\",\"username\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	};
	struct chat_msg m;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		if (decode(&m, in[i], err, sizeof(err)) != CHAT_OK)
			fail_msg("input %zu refused: %s", i, err);
		assert_int_equal(m.kind, CHAT_ERROR);
		assert_null(m.username);
		assert_int_equal(m.username_len, 0);
		assert_non_null(m.text);
		assert_int_equal(m.text_len, 1);
		assert_memory_equal(m.text, "x", 1);
		chat_msg_release(&m);
	}
}

/* Escapes still carry any character, and a pair of surrogate escapes is one. */
static void test_decode_escapes_still_work(void **state)
{
	struct chat_msg m;
	char err[128];

	(void)state;
	if (decode(&m, "{\"username\":\"\\u00e9\",\"msg\":\"\\u0001\\u001b[2J \\uD83D\\uDE00\"}",
		   err, sizeof(err)) != CHAT_OK)
		fail_msg("refused: %s", err);
	assert_int_equal(m.username_len, 2);
	assert_memory_equal(m.username, "\xc3\xa9", 2);
	assert_int_equal(m.text_len, 10);
	assert_memory_equal(m.text, "\x01\x1b[2J \xf0\x9f\x98\x80", 10);
	chat_msg_release(&m);
}

static void test_decode_nul_inside(void **state)
{
	const char in[] = "{\"username\":\"a\",\"msg\":\"x\"}\0";
	struct chat_msg m;
	char err[128];

	(void)state;
	/* A datagram is its full length: a NUL after the object is trailing data. */
	assert_int_equal(chat_msg_decode(&m, in, sizeof(in) - 1, err, sizeof(err)), CHAT_EINVAL);
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(chat_utf8_valid("plain", 5));
	assert_true(chat_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	assert_true(chat_utf8_valid("", 0));
	assert_true(chat_utf8_valid("a\0b", 3));
	assert_false(chat_utf8_valid("\xc0\xaf", 2));		/* overlong '/' */
	assert_false(chat_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(chat_utf8_valid("\xf4\x90\x80\x80", 4));	/* above U+10FFFF */
	assert_false(chat_utf8_valid("\xe2\x82", 2));		/* cut short */
	assert_false(chat_utf8_valid("\x80", 1));
}

static void test_escape(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(chat_escape("ok caf\xc3\xa9", 8, out, sizeof(out)), "ok caf\xc3\xa9");
	assert_string_equal(chat_escape("\x1b[2J\a\n\t\\", 8, out, sizeof(out)),
			    "\\x1b[2J\\x07\\n\\t\\\\");
	assert_string_equal(chat_escape("a\0b\x7f", 4, out, sizeof(out)), "a\\x00b\\x7f");
	/* C1 CSI as UTF-8, and a stray byte. */
	assert_string_equal(chat_escape("\xc2\x9b" "1m\xff", 5, out, sizeof(out)),
			    "\\u009b1m\\xff");
}

static void test_escape_truncates_visibly(void **state)
{
	char out[8];

	(void)state;
	assert_string_equal(chat_escape("abcdefghij", 10, out, sizeof(out)), "abcd...");
	assert_string_equal(chat_escape("abcdefg", 7, out, sizeof(out)), "abcdefg");
	assert_string_equal(chat_escape("\x01\x02\x03", 3, out, sizeof(out)), "\\x01...");
	assert_string_equal(chat_escape("abc", 3, out, 2), ".");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_wire_format),
		cmocka_unit_test(test_encode_too_big_reports_size),
		cmocka_unit_test(test_roundtrip_keeps_nul_and_controls),
		cmocka_unit_test(test_decode_kinds),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_error_has_no_username),
		cmocka_unit_test(test_decode_escapes_still_work),
		cmocka_unit_test(test_decode_nul_inside),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_truncates_visibly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
