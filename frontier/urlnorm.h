/* urlnorm.h -- resolve a link against its page and put it in the one form URLs are compared in */
#ifndef CRAWLPOOL_URLNORM_H
#define CRAWLPOOL_URLNORM_H

#include <stddef.h>

/*
 * Longest link taken, and longest normalised URL given, in bytes: the same
 * bound as the list reader's line (URLLIST_LINE_MAX).
 */
#define URLNORM_MAX 8192

enum urlnorm_result {
	URLNORM_OK = 0,
	URLNORM_SKIP = 1,	/* a link, but not to http or https: mailto:, javascript:, ... */
	URLNORM_INVALID = -1,
	URLNORM_TOO_LONG = -2,
	URLNORM_ENOMEM = -3,
};

/*
 * Resolves ref (an href as found in a page; surrounding whitespace and
 * inner tabs and newlines are dropped, as browsers do) against base (the
 * page's final URL, or its <base href> already resolved; NULL when ref must
 * be absolute) and normalises the result:
 *
 *   - scheme and host lower case; an international host name in punycode
 *     (xn--...); an IPv4 address in dotted decimal, an IPv6 one in brackets
 *     in its shortest form; the default port (80 http, 443 https) dropped;
 *   - dot segments removed, an empty path made "/", the fragment dropped,
 *     an empty query ("?" alone) dropped, the query otherwise kept in order;
 *   - in user info, path and query: %XX of an unreserved character
 *     (A-Z a-z 0-9 - . _ ~) decoded, every other %XX in upper case; space,
 *     controls, bytes above 0x7f, " < > \ ^ ` { | } and a '%' not followed
 *     by two hex digits percent-encoded; reserved characters left as they are;
 *   - user:password@ kept, normalised like the path; an empty "@" dropped.
 *
 * A host must be a DNS name (letters, digits, '-', '_', '.'), an IPv4 or a
 * bracketed IPv6 address without a zone; a backslash is a byte to escape,
 * not a '/' (RFC 3986, not the WHATWG URL standard).
 *
 * Returns URLNORM_OK with *out a malloc'd string (free() it), or URLNORM_SKIP
 * for another scheme, URLNORM_INVALID (including a base that is not an
 * absolute http(s) URL), URLNORM_TOO_LONG (ref, base or result over
 * URLNORM_MAX) or URLNORM_ENOMEM, with *out NULL. Thread-safe.
 */
int urlnorm_resolve(const char *base, const char *ref, char **out);

/*
 * The part of s a browser keeps: leading and trailing controls and spaces
 * go (HTML strips an href's surrounding whitespace). Sets *len.
 */
const char *urlnorm_trim(const char *s, size_t *len);

/*
 * A page's base read once for all its links: urlnorm_resolve_from(&b, ref,
 * out) is urlnorm_resolve(base, ref, out) without reading base again for
 * each. base must outlive b.
 */
struct urlnorm_base {
	const char *url;	/* the base as given, or NULL */
	const char *path;	/* where its path starts if the fast path can read it, else NULL */
	const char *query;	/* its '?', or its end */
};

void urlnorm_base_set(struct urlnorm_base *b, const char *base);
int urlnorm_resolve_from(const struct urlnorm_base *b, const char *ref, char **out);

/*
 * urlnorm_resolve() without its fast path: every link through libcurl. The
 * two give the same answer to every input; this one is here so the tests
 * and the fuzzer can show it.
 */
int urlnorm_resolve_slow(const char *base, const char *ref, char **out);

/*
 * The origin of a normalised URL, "scheme://host:port" with the port always
 * written (user info left out): the key a host's politeness and robots.txt
 * are kept under. 0, URLNORM_INVALID if url is not an http(s) URL in the
 * form urlnorm_resolve() gives, or URLNORM_TOO_LONG if buf (size bytes,
 * NUL included) is too small.
 */
int urlnorm_origin(const char *url, char *buf, size_t size);

/*
 * The path and query of a normalised URL, "/..." (what robots.txt rules are
 * matched against): a pointer into url, or NULL if url has no "scheme://".
 */
const char *urlnorm_path(const char *url);

/* A short lower-case description of a urlnorm_result. */
const char *urlnorm_strerror(int code);

#endif
