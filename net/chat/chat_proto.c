/* chat_proto.c -- the chat datagram: JSON encoding, strict decoding, safe printing */
#include "chat_proto.h"
#include "errbuf.h"
#include "json_strict.h"
#include "utf8.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, errlen, fmt, ap);
	va_end(ap);
	return CHAT_EINVAL;
}

bool chat_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq_len(p + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* Renders the character at p into piece; *used gets the bytes it took. */
static size_t escape_one(const unsigned char *p, size_t len, char piece[8], size_t *used)
{
	size_t n = utf8_seq_len(p, len);

	*used = n ? n : 1;
	if (p[0] == '\\')
		return (size_t)snprintf(piece, 8, "\\\\");
	if (p[0] == '\n')
		return (size_t)snprintf(piece, 8, "\\n");
	if (p[0] == '\t')
		return (size_t)snprintf(piece, 8, "\\t");
	if (p[0] < 0x20 || p[0] == 0x7f || n == 0)
		return (size_t)snprintf(piece, 8, "\\x%02x", p[0]);
	/* C1 controls (U+0080..U+009F) include CSI. */
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return (size_t)snprintf(piece, 8, "\\u%04x", p[1]);
	memcpy(piece, p, n);
	return n;
}

char *chat_escape(const char *s, size_t len, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0;
	size_t cut = 0;		/* where "..." goes if the rest does not fit */

	if (cap == 0)
		return out;
	while (i < len) {
		char piece[8];
		size_t used, plen = escape_one(p + i, len - i, piece, &used);

		if (o + plen + 1 > cap) {
			snprintf(out + cut, cap - cut, "...");
			return out;
		}
		memcpy(out + o, piece, plen);
		o += plen;
		i += used;
		if (o + 4 <= cap)
			cut = o;
	}
	out[o] = '\0';
	return out;
}

/* Looks up key; *s stays NULL when it is absent. CHAT_EINVAL if not a string. */
static int get_string(struct json_object *doc, const char *key, const char **s,
		      size_t *len, char *err, size_t errlen)
{
	struct json_object *v;

	*s = NULL;
	*len = 0;
	if (!json_object_object_get_ex(doc, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, "field '%s' is not a string", key);
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	/* json_strict_parse has checked bytes and escapes; this keeps the promise local. */
	if (!chat_utf8_valid(*s, *len))
		return fail(err, errlen, "field '%s' is not valid UTF-8", key);
	return 0;
}

static int decode_kind(struct chat_msg *m, struct json_object *doc, char *err,
		       size_t errlen)
{
	static const struct {
		const char *name;
		enum chat_kind kind;
	} kinds[] = {
		{ "msg", CHAT_MSG }, { "join", CHAT_JOIN },
		{ "leave", CHAT_LEAVE }, { "error", CHAT_ERROR },
	};
	const char *type;
	size_t type_len, i;
	char shown[40];

	if (get_string(doc, "type", &type, &type_len, err, errlen) < 0)
		return CHAT_EINVAL;
	if (!type) {
		m->kind = CHAT_MSG;
		return 0;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].name) == type_len &&
		    memcmp(kinds[i].name, type, type_len) == 0) {
			m->kind = kinds[i].kind;
			return 0;
		}
	}
	return fail(err, errlen, "unknown type '%s'",
		    chat_escape(type, type_len, shown, sizeof(shown)));
}

static int decode_fields(struct chat_msg *m, struct json_object *doc, char *err,
			 size_t errlen)
{
	/* A leave needs no name: the relay knows its members by address. */
	bool need_name = m->kind == CHAT_MSG || m->kind == CHAT_JOIN;
	bool need_text = m->kind == CHAT_MSG || m->kind == CHAT_ERROR;

	if (get_string(doc, "username", &m->username, &m->username_len, err, errlen) < 0 ||
	    get_string(doc, "msg", &m->text, &m->text_len, err, errlen) < 0 ||
	    get_string(doc, "from", &m->from, &m->from_len, err, errlen) < 0)
		return CHAT_EINVAL;
	if (need_name && !m->username)
		return fail(err, errlen, "field 'username' is missing");
	if (need_text && !m->text)
		return fail(err, errlen, "field 'msg' is missing");
	/* chat_proto.h: no username for an error; one that came along is ignored. */
	if (m->kind == CHAT_ERROR) {
		m->username = NULL;
		m->username_len = 0;
	}
	if (m->username && (m->username_len == 0 || m->username_len > CHAT_NAME_MAX))
		return fail(err, errlen, "username must be 1 to %d bytes, not %zu",
			    CHAT_NAME_MAX, m->username_len);
	if (!need_text) {
		m->text = NULL;
		m->text_len = 0;
	}
	return 0;
}

int chat_msg_decode(struct chat_msg *m, const void *buf, size_t len, char *err,
		    size_t errlen)
{
	struct json_object *doc;
	const char *why;

	memset(m, 0, sizeof(*m));
	if (len == 0)
		return fail(err, errlen, "empty datagram");
	doc = json_strict_parse(buf, len, true, &why);
	if (!doc)
		return fail(err, errlen, "not valid JSON: %s", why);
	m->doc = doc;
	if (!json_object_is_type(doc, json_type_object)) {
		chat_msg_release(m);
		return fail(err, errlen, "not a JSON object");
	}
	if (decode_kind(m, doc, err, errlen) < 0 || decode_fields(m, doc, err, errlen) < 0) {
		chat_msg_release(m);
		return CHAT_EINVAL;
	}
	return 0;
}

void chat_msg_release(struct chat_msg *m)
{
	if (m->doc)
		json_object_put(m->doc);
	memset(m, 0, sizeof(*m));
}

/* Adds a string member unless s is NULL. 0 or -1 on allocation failure. */
static int add_string(struct json_object *doc, const char *key, const char *s,
		      size_t len)
{
	struct json_object *v;

	if (!s)
		return 0;
	v = json_object_new_string_len(s, (int)len);
	if (!v)
		return -1;
	if (json_object_object_add(doc, key, v) < 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int chat_msg_encode(enum chat_kind kind, const char *username, const char *text,
		    size_t text_len, const char *from, char *out, size_t cap,
		    size_t *len)
{
	static const char *const names[] = { "msg", "join", "leave", "error" };
	struct json_object *doc = json_object_new_object();
	const char *json;
	int rc = CHAT_ENOMEM;

	*len = 0;
	if (!doc)
		return CHAT_ENOMEM;
	/* A plain message has no "type": {"username","msg"} is the wire format. */
	if (kind != CHAT_MSG && add_string(doc, "type", names[kind], strlen(names[kind])) < 0)
		goto out;
	if (kind != CHAT_ERROR && add_string(doc, "username", username,
					     username ? strlen(username) : 0) < 0)
		goto out;
	if ((kind == CHAT_MSG || kind == CHAT_ERROR) &&
	    add_string(doc, "msg", text ? text : "", text ? text_len : 0) < 0)
		goto out;
	if (add_string(doc, "from", from, from ? strlen(from) : 0) < 0)
		goto out;
	json = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE, len);
	if (!json)
		goto out;
	if (*len > cap) {
		rc = CHAT_ETOOBIG;
		goto out;
	}
	memcpy(out, json, *len);
	rc = CHAT_OK;
out:
	json_object_put(doc);
	return rc;
}
