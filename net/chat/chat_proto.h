/* chat_proto.h -- the chat datagram: JSON encoding, strict decoding, safe printing */
#ifndef CRAWLPOOL_CHAT_PROTO_H
#define CRAWLPOOL_CHAT_PROTO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One datagram carries one JSON object:
 *   {"username":"alice","msg":"hi"}              a message (or "type":"msg")
 *   {"type":"join","username":"alice"}           a member arrives or keeps alive
 *   {"type":"leave","username":"alice"}          a member goes ("username" optional)
 *   {"type":"error","msg":"room is full"}        the relay refuses a request
 * The relay adds "from":"HOST:PORT" (the original sender) to what it forwards.
 * Peers talk only in messages: the classic peer reads every datagram as
 * {"username","msg"}, so join, leave and error are for a room and its relay.
 * An object that repeats a key is refused, not read as its last value.
 */

/* 1500-byte Ethernet MTU minus IPv4 and UDP headers. */
#define CHAT_DEFAULT_PAYLOAD 1472
#define CHAT_MIN_PAYLOAD 256
/* Largest UDP payload over IPv4. */
#define CHAT_MAX_PAYLOAD 65507
#define CHAT_NAME_MAX 64
/*
 * Bytes the relay may add when it forwards a message: ,"from":"..." with the
 * longest address string. A sender reserves them so what it sends still fits
 * the payload once forwarded.
 */
#define CHAT_FROM_RESERVE 80

enum chat_kind {
	CHAT_MSG,
	CHAT_JOIN,
	CHAT_LEAVE,
	CHAT_ERROR,
};

/* Error codes: 0 is success, failures are negative. */
enum chat_error {
	CHAT_OK = 0,
	CHAT_EINVAL = -1,	/* a field is missing, mistyped or malformed */
	CHAT_ETOOBIG = -2,	/* the encoded datagram exceeds the payload limit */
	CHAT_ENOMEM = -3,
};

/*
 * A decoded datagram. Strings point into the parsed document and stay valid
 * until chat_msg_release(); they may hold NUL bytes, so use the lengths.
 */
struct chat_msg {
	enum chat_kind kind;
	const char *username;	/* NULL for CHAT_ERROR, and for a CHAT_LEAVE without one */
	size_t username_len;
	const char *text;	/* "msg": NULL for CHAT_JOIN and CHAT_LEAVE */
	size_t text_len;
	const char *from;	/* NULL unless present */
	size_t from_len;
	void *doc;		/* owns the strings */
};

/*
 * Parses one datagram strictly: a JSON object, valid UTF-8, nothing after it,
 * the fields its kind needs, each a string ("username" in an error must be a
 * string too, and is then ignored). On failure fills err (errlen
 * bytes) with why, e.g. "field 'msg' is not a string", and returns CHAT_EINVAL.
 */
int chat_msg_decode(struct chat_msg *m, const void *buf, size_t len,
		    char *err, size_t errlen);
void chat_msg_release(struct chat_msg *m);

/*
 * Encodes a datagram into out (cap bytes, not NUL-terminated); *len gets its
 * size, even when it does not fit, so the caller can say by how much.
 * username/text/from may be NULL when the kind does not use them; text is
 * text_len bytes. CHAT_ETOOBIG when the result exceeds cap.
 */
int chat_msg_encode(enum chat_kind kind, const char *username, const char *text,
		    size_t text_len, const char *from, char *out, size_t cap,
		    size_t *len);

/* True when s (len bytes) is well-formed UTF-8 (no overlongs, no surrogates). */
bool chat_utf8_valid(const char *s, size_t len);

/*
 * Copies s (len bytes) into out (cap bytes, always NUL-terminated) with
 * control characters (C0, DEL and C1) and backslashes escaped, so nothing a
 * peer sends can move the cursor or recolour the terminal. Cuts the copy short
 * with "..." when out is too small. Returns out.
 */
char *chat_escape(const char *s, size_t len, char *out, size_t cap);

#endif
