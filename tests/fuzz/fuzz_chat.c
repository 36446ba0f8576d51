/* fuzz_chat.c -- chat datagrams: strict decoding against a model, encode -> decode, safe printing */
#include "fuzz_support.h"
#include "chat_proto.h"

#include <stdio.h>
#include <string.h>

/*
 * Three halves, picked by the first byte:
 *
 * decode: the rest is a datagram. chat_msg_decode's verdict and fields must
 * be what chat_proto.h says, computed from fuzz_support's strict JSON reader
 * (valid UTF-8, no repeated key, json-c's depth limit of 32): an object; a
 * "type" of msg, join, leave or error (none: msg); "username", "msg" and
 * "from" strings when present; a name (1 to CHAT_NAME_MAX bytes) for msg and
 * join and, if given, leave; a "msg" for msg and error; no name for error.
 *
 * round trip: a message built from the input goes through chat_msg_encode
 * (whose size report and CHAT_ETOOBIG must agree with the cap) and back
 * through chat_msg_decode, field for field; one with text that is not UTF-8
 * must be refused.
 *
 * print: chat_escape over the bytes, with a cap from the input: the result
 * fits the cap, holds no control character (C0, DEL, C1) and is UTF-8; when
 * it fits it decodes back to the input, else it is a prefix of the full
 * escape plus "...". chat_utf8_valid must agree with fuzz_utf8_valid.
 */

#define JSONC_DEPTH 32

static const char *const kind_names[] = { "msg", "join", "leave", "error" };

static const struct fj_member *member(const struct fj_doc *doc, const char *key)
{
	for (size_t i = 0; i < doc->n; i++)
		if (strcmp(doc->members[i].key, key) == 0)
			return &doc->members[i];
	return NULL;
}

struct verdict {
	bool ok;
	enum chat_kind kind;
	const struct fj_member *username, *text, *from;
};

/* What chat_proto.h says of a datagram the strict reader parsed into doc. */
static struct verdict model(const struct fj_doc *doc)
{
	struct verdict v = { .ok = false };
	const struct fj_member *type = member(doc, "type");
	bool need_name, need_text;

	if (doc->type != FJ_OBJECT)
		return v;
	v.kind = CHAT_MSG;
	if (type) {
		size_t i;

		if (type->type != FJ_STRING)
			return v;
		for (i = 0; i < 4; i++)
			if (type->str_len == strlen(kind_names[i]) &&
			    memcmp(type->str, kind_names[i], type->str_len) == 0)
				break;
		if (i == 4)
			return v;
		v.kind = (enum chat_kind)i;
	}
	v.username = member(doc, "username");
	v.text = member(doc, "msg");
	v.from = member(doc, "from");
	if ((v.username && v.username->type != FJ_STRING) || (v.text && v.text->type != FJ_STRING) ||
	    (v.from && v.from->type != FJ_STRING))
		return v;
	need_name = v.kind == CHAT_MSG || v.kind == CHAT_JOIN;
	need_text = v.kind == CHAT_MSG || v.kind == CHAT_ERROR;
	if ((need_name && !v.username) || (need_text && !v.text))
		return v;
	if (v.username && v.kind != CHAT_ERROR &&
	    (v.username->str_len == 0 || v.username->str_len > CHAT_NAME_MAX))
		return v;
	if (!need_text)
		v.text = NULL;
	/* chat_proto.h: username is "NULL for CHAT_ERROR". */
	if (v.kind == CHAT_ERROR)
		v.username = NULL;
	v.ok = true;
	return v;
}

static void same_field(const char *what, const char *got, size_t got_len,
		       const struct fj_member *want)
{
	if (!want) {
		FUZZ_CHECK(got == NULL, "%s: present, the model says absent", what);
		return;
	}
	FUZZ_CHECK(got != NULL, "%s: absent, the model says %zu bytes", what, want->str_len);
	FUZZ_CHECK(got_len == want->str_len && memcmp(got, want->str, got_len) == 0,
		   "%s: %zu bytes, the model says %zu", what, got_len, want->str_len);
}

static void decode_any(const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so ASan sees any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	struct chat_msg m;
	struct fj_doc doc;
	struct verdict v = { .ok = false };
	char err[256];
	int rc, parsed;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	rc = chat_msg_decode(&m, buf, size, err, sizeof(err));
	FUZZ_CHECK(rc == CHAT_OK || rc == CHAT_EINVAL, "chat_msg_decode gave %d", rc);
	parsed = size > 0 ? fj_parse((const char *)data, size, JSONC_DEPTH,
				     FJ_UTF8 | FJ_NO_DUP_KEYS, &doc) : -1;
	if (parsed == 0)
		v = model(&doc);
	FUZZ_CHECK((rc == CHAT_OK) == v.ok, "chat_msg_decode %s it, the model %s it (%s)",
		   rc == CHAT_OK ? "took" : "refused", v.ok ? "takes" : "refuses",
		   rc == CHAT_OK ? "-" : err);
	if (rc == CHAT_OK) {
		FUZZ_CHECK(m.kind == v.kind, "kind %d, the model says %d", m.kind, v.kind);
		same_field("username", m.username, m.username_len, v.username);
		same_field("msg", m.text, m.text_len, v.text);
		same_field("from", m.from, m.from_len, v.from);
		FUZZ_CHECK(!m.username || chat_utf8_valid(m.username, m.username_len),
			   "username is not UTF-8");
		chat_msg_release(&m);
	} else {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)), "no error message");
	}
	if (parsed == 0)
		fj_free(&doc);
	free(buf);
}

/* A C string of valid UTF-8 from the input: bad bytes become '?', NUL becomes 'x'. */
static char *utf8_string(struct fuzz_in *in, size_t max)
{
	size_t len;
	const uint8_t *p = fuzz_bytes(in, fuzz_u8(in) % (max + 1), &len);
	char *s = malloc(len + 1);
	size_t o = 0;

	if (!s)
		abort();
	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_seq(p + i, len - i);

		if (n == 0 || p[i] == 0) {
			s[o++] = p[i] == 0 ? 'x' : '?';
			i++;
		} else {
			memcpy(s + o, p + i, n);
			o += n;
			i += n;
		}
	}
	s[o] = '\0';
	return s;
}

static void round_trip(struct fuzz_in *in)
{
	static char out[CHAT_MAX_PAYLOAD + 1], small[CHAT_MAX_PAYLOAD + 1];
	uint8_t bits = fuzz_u8(in);
	enum chat_kind kind = (enum chat_kind)(bits & 3);
	char *username = utf8_string(in, CHAT_NAME_MAX);
	char *from = (bits & 4) ? utf8_string(in, 80) : NULL;
	size_t text_len, len, small_len, cap;
	const uint8_t *text = fuzz_bytes(in, fuzz_u16(in), &text_len);
	bool has_name = kind == CHAT_MSG || kind == CHAT_JOIN || (kind == CHAT_LEAVE && (bits & 8));
	bool has_text = kind == CHAT_MSG || kind == CHAT_ERROR;
	bool want_ok;
	struct chat_msg m;
	char err[256];
	int rc;

	if (has_name && username[0] == '\0' && kind != CHAT_LEAVE) {
		free(username);
		username = strdup("u");
		if (!username)
			abort();
	}
	rc = chat_msg_encode(kind, has_name ? username : NULL, (const char *)text, text_len, from,
			     out, sizeof(out) - 1, &len);
	FUZZ_CHECK(rc == CHAT_OK, "chat_msg_encode gave %d for %zu bytes", rc, len);
	FUZZ_CHECK(len > 0 && len <= sizeof(out) - 1, "encoded %zu bytes", len);
	cap = fuzz_u16(in);
	if (cap > sizeof(small) - 1)
		cap = sizeof(small) - 1;
	rc = chat_msg_encode(kind, has_name ? username : NULL, (const char *)text, text_len, from,
			     small, cap, &small_len);
	FUZZ_CHECK(small_len == len, "size %zu with a cap of %zu, %zu without", small_len, cap,
		   len);
	FUZZ_CHECK(rc == (len > cap ? CHAT_ETOOBIG : CHAT_OK), "cap %zu, size %zu: %d", cap, len,
		   rc);
	if (rc == CHAT_OK)
		FUZZ_CHECK(memcmp(small, out, len) == 0, "encodings differ with the cap");

	want_ok = (!has_text || fuzz_utf8_valid(text, text_len)) &&
		  (!has_name || username[0] != '\0');
	rc = chat_msg_decode(&m, out, len, err, sizeof(err));
	FUZZ_CHECK((rc == CHAT_OK) == want_ok, "decode of an encoding: %d (%s), expected %s", rc,
		   rc ? err : "-", want_ok ? "success" : "refusal");
	if (rc == CHAT_OK) {
		FUZZ_CHECK(m.kind == kind, "kind %d came back as %d", kind, m.kind);
		if (has_name)
			FUZZ_CHECK(m.username && m.username_len == strlen(username) &&
				   memcmp(m.username, username, m.username_len) == 0,
				   "username differs");
		else
			FUZZ_CHECK(m.username == NULL, "a username appeared");
		if (has_text)
			FUZZ_CHECK(m.text && m.text_len == text_len &&
				   memcmp(m.text, text, text_len) == 0, "text differs");
		else
			FUZZ_CHECK(m.text == NULL, "a text appeared");
		if (from)
			FUZZ_CHECK(m.from && m.from_len == strlen(from) &&
				   memcmp(m.from, from, m.from_len) == 0, "from differs");
		else
			FUZZ_CHECK(m.from == NULL, "a from appeared");
		chat_msg_release(&m);
	}
	free(username);
	free(from);
}

/* Undoes chat_escape: \\ \n \t \xHH \u00HH (a C1 control, 0xc2 0xHH). -1 if it is not one. */
static long unescape(const char *s, uint8_t *out)
{
	size_t o = 0;

	while (*s) {
		unsigned v;

		if (*s != '\\') {
			out[o++] = (uint8_t)*s++;
			continue;
		}
		s++;
		if (*s == '\\' || *s == 'n' || *s == 't') {
			out[o++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : '\\';
			s++;
		} else if (*s == 'x' && sscanf(s + 1, "%2x", &v) == 1) {
			out[o++] = (uint8_t)v;
			s += 3;
		} else if (s[0] == 'u' && s[1] == '0' && s[2] == '0' && sscanf(s + 3, "%2x", &v) == 1) {
			out[o++] = 0xc2;
			out[o++] = (uint8_t)v;
			s += 5;
		} else {
			return -1;
		}
	}
	return (long)o;
}

static void print(struct fuzz_in *in)
{
	size_t cap = fuzz_u8(in), len;
	const uint8_t *p = fuzz_bytes(in, 4096, &len);
	size_t full_cap = 6 * len + 8;
	char *full = malloc(full_cap), *out = malloc(cap ? cap : 1);
	uint8_t *back = malloc(len + 8);
	size_t n;

	if (!full || !out || !back)
		abort();
	FUZZ_CHECK(chat_utf8_valid((const char *)p, len) == fuzz_utf8_valid(p, len),
		   "chat_utf8_valid differs from the model");
	chat_escape((const char *)p, len, full, full_cap);
	FUZZ_CHECK(unescape(full, back) == (long)len && memcmp(back, p, len) == 0,
		   "the escape does not decode back to the input");
	if (cap == 0) {
		FUZZ_CHECK(chat_escape((const char *)p, len, out, 0) == out, "cap 0");
		goto out;
	}
	chat_escape((const char *)p, len, out, cap);
	n = strnlen(out, cap);
	FUZZ_CHECK(n < cap, "no NUL within the cap of %zu", cap);
	FUZZ_CHECK(fuzz_utf8_valid(out, n), "the escape is not UTF-8");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)out[i];

		FUZZ_CHECK(c >= 0x20 && c != 0x7f, "control byte 0x%02x in the escape", c);
		FUZZ_CHECK(!(c == 0xc2 && i + 1 < n && (uint8_t)out[i + 1] < 0xa0),
			   "a C1 control in the escape");
	}
	if (strlen(full) < cap) {
		FUZZ_CHECK(strcmp(out, full) == 0, "the escape differs from the full one though it fits");
	} else {
		/* a prefix of the full escape, then as much of "..." as the cap leaves room for */
		bool found = false;

		for (size_t k = n; !found && k + 3 >= n; k--) {
			found = strncmp(out, full, k) == 0 && strncmp(out + k, "...", n - k) == 0 &&
				(n - k == 3 || n + 1 == cap);
			if (k == 0)
				break;
		}
		FUZZ_CHECK(found, "a cut escape is not a prefix of the full one and '...' (cap %zu)",
			   cap);
	}
out:
	free(full);
	free(out);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	switch (fuzz_u8(&in) % 3) {
	case 0:
		decode_any(in.p, in.n);
		break;
	case 1:
		round_trip(&in);
		break;
	default:
		print(&in);
		break;
	}
	return 0;
}
