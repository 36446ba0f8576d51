/* urlnorm.c -- links resolved by libcurl's URL API, then held to the escape and case rules it leaves to us */
#include "urlnorm.h"

#include <curl/curl.h>
#include <locale.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "numbers.h"

#ifndef CURLU_PUNYCODE
/* before libcurl 7.88 an international host stays UTF-8, which urlnorm_host_ok() refuses */
#define CURLU_PUNYCODE 0
#endif

/*
 * libcurl 7.88 turns an international host name into punycode with
 * libidn2's idn2_lookup_ul(), which reads the name in the locale's charset:
 * under the C locale every such name fails (and is reported as out of
 * memory). So the conversion runs with a UTF-8 LC_CTYPE on the calling
 * thread only (uselocale), as the engine's fetch does. Made once, kept for
 * the life of the process.
 */
static pthread_once_t urlnorm_once = PTHREAD_ONCE_INIT;
static locale_t urlnorm_utf8;

static void urlnorm_init(void)
{
	urlnorm_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static bool urlnorm_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Bytes RFC 3986 allows nowhere in a URL, so escaping them changes no meaning. */
static bool urlnorm_must_escape(unsigned char c)
{
	switch (c) {
	case '"': case '<': case '>': case '\\': case '^': case '`': case '{': case '|': case '}':
		return true;
	default:
		return c <= 0x20 || c >= 0x7f;
	}
}

static const char urlnorm_hex[] = "0123456789ABCDEF";

const char *urlnorm_trim(const char *s, size_t *len)
{
	size_t n;

	while (*s && (unsigned char)*s <= 0x20)
		s++;
	n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	*len = n;
	return s;
}

/* Index of the first byte at or after i that is not a tab or newline (browsers drop those). */
static size_t urlnorm_skip(const char *in, size_t i, size_t n)
{
	while (i < n && (in[i] == '\t' || in[i] == '\n' || in[i] == '\r'))
		i++;
	return i;
}

/*
 * Copies the n bytes of in to out (room for 3 * n + 1) with the escape rules
 * applied before libcurl sees them: tabs and newlines dropped, %XX of an
 * unreserved character decoded, other %XX upper-cased, bytes that must be
 * escaped escaped, and a '%' without two hex digits too ("%25"), so that no
 * decoded byte can make a new escape with it. Done before parsing so that
 * "%2E%2E" is a dot segment libcurl removes, and so that libcurl, which
 * refuses spaces and controls, sees none. Returns where in out the first
 * decoded byte went (3 * n + 1 if none).
 */
static size_t urlnorm_clean(const char *in, size_t n, char *out)
{
	size_t i, j, k, decoded = 3 * n + 1;
	char *start = out;
	int hi, lo;

	for (i = urlnorm_skip(in, 0, n); i < n; i = urlnorm_skip(in, i + 1, n)) {
		unsigned char c = (unsigned char)in[i];

		if (c == '%') {
			j = urlnorm_skip(in, i + 1, n);
			k = j < n ? urlnorm_skip(in, j + 1, n) : n;
			hi = j < n ? num_hex_digit((unsigned char)in[j]) : -1;
			lo = k < n ? num_hex_digit((unsigned char)in[k]) : -1;
			if (hi >= 0 && lo >= 0) {
				c = (unsigned char)(hi << 4 | lo);
				i = k;
				if (urlnorm_unreserved(c)) {
					if (decoded > (size_t)(out - start))
						decoded = (size_t)(out - start);
					*out++ = (char)c;
					continue;
				}
			}
		} else if (!urlnorm_must_escape(c)) {
			*out++ = (char)c;
			continue;
		}
		*out++ = '%';
		*out++ = urlnorm_hex[c >> 4];
		*out++ = urlnorm_hex[c & 15];
	}
	*out = '\0';
	return decoded;
}

/*
 * Length of the scheme of s, cleaned (RFC 3986: ALPHA *(ALPHA / DIGIT / "+"
 * / "-" / ".") ":"), 0 if none. A scheme spelt with escapes ("%68ttp:") is
 * none: it was a path, and is one to browsers.
 */
static size_t urlnorm_scheme_len(const char *s, size_t decoded)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i] != ':'; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return 0;
	}
	return decoded < i ? 0 : i;
}

static bool urlnorm_is_http(const char *s, size_t n)
{
	return (n == 4 && strncasecmp(s, "http", 4) == 0) || (n == 5 && strncasecmp(s, "https", 5) == 0);
}

static bool urlnorm_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/*
 * Replaces *host, an international name, by its punycode form. libcurl
 * 7.88 reports a name libidn2 refuses as out of memory: taken as a refused
 * name, which it almost always is.
 */
static int urlnorm_punycode(CURLU *h, char **host)
{
	locale_t old = (locale_t)0;
	CURLUcode uc;

	curl_free(*host);
	*host = NULL;
	if (urlnorm_utf8)
		old = uselocale(urlnorm_utf8);
	uc = curl_url_get(h, CURLUPART_HOST, host, CURLU_PUNYCODE);
	if (old)
		uselocale(old);
	return uc == CURLUE_OK ? URLNORM_OK : URLNORM_INVALID;
}

/*
 * A host a crawler can look up: a DNS name (letters, digits, '-', '_', '.')
 * or a bracketed IPv6 address without a zone (a zone names an interface of
 * the machine that wrote the page). n bytes, already lower case.
 */
static bool urlnorm_host_ok(const char *host, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']')
			return false;
		for (i = 1; i < n - 1; i++)
			if (num_hex_digit((unsigned char)host[i]) < 0 && host[i] != ':' && host[i] != '.')
				return false;
		return true;
	}
	for (i = 0; i < n; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/*
 * The parts of a URL kept, in the order they are written; the zone is read
 * only to refuse it. Assembled here rather than by curl_url_get(URL), which
 * formats with its own printf: getting the parts costs several times less.
 */
enum {
	PART_SCHEME, PART_USER, PART_PASSWORD, PART_HOST, PART_PORT, PART_PATH, PART_QUERY, PART_ZONE,
	PART_COUNT
};

static const CURLUPart urlnorm_part[PART_COUNT] = {
	CURLUPART_SCHEME, CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_HOST,
	CURLUPART_PORT, CURLUPART_PATH, CURLUPART_QUERY, CURLUPART_ZONEID,
};

/* Part i of h into *p, NULL when the URL has none. */
static int urlnorm_get(CURLU *h, int i, char **p)
{
	CURLUcode uc = curl_url_get(h, urlnorm_part[i], p, i == PART_PORT ? CURLU_NO_DEFAULT_PORT : 0);

	switch (uc) {
	case CURLUE_OK:
		return URLNORM_OK;
	case CURLUE_NO_USER:
	case CURLUE_NO_PASSWORD:
	case CURLUE_NO_PORT:
	case CURLUE_NO_QUERY:
	case CURLUE_NO_ZONEID:
		*p = NULL;
		return URLNORM_OK;
	case CURLUE_OUT_OF_MEMORY:
		return URLNORM_ENOMEM;
	default:
		return URLNORM_INVALID;
	}
}

static char *urlnorm_put(char *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o, s, n);
	return o + n;
}

static bool urlnorm_empty(const char *part)
{
	return !part || !part[0];
}

static void urlnorm_drop(char **part)
{
	curl_free(*part);
	*part = NULL;
}

/* The URL h holds, normalised into *out (malloc'd); *idn says its host was international. */
static int urlnorm_finish(CURLU *h, char **out, bool *idn)
{
	char *p[PART_COUNT] = {0}, *o, *c;
	const char *path;
	size_t len;
	int i, rc = URLNORM_OK;

	for (i = 0; i < PART_COUNT && rc == URLNORM_OK; i++)
		rc = urlnorm_get(h, i, &p[i]);
	if (rc != URLNORM_OK)
		goto out_parts;
	rc = URLNORM_INVALID;
	if (!p[PART_SCHEME] || (strcmp(p[PART_SCHEME], "http") != 0 &&
				   strcmp(p[PART_SCHEME], "https") != 0))
		goto out_parts;
	if (!p[PART_HOST] || p[PART_ZONE])
		goto out_parts;
	*idn = !urlnorm_ascii(p[PART_HOST]);
	if (*idn && (rc = urlnorm_punycode(h, &p[PART_HOST])) != URLNORM_OK)
		goto out_parts;
	rc = URLNORM_INVALID;
	/* libcurl keeps a host's case ("ExAmple.COM", "[::A]") */
	for (c = p[PART_HOST]; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (!urlnorm_host_ok(p[PART_HOST], strlen(p[PART_HOST])))
		goto out_parts;
	path = p[PART_PATH] && p[PART_PATH][0] ? p[PART_PATH] : "/";
	/* "?" alone: libcurl's own URL drops it too */
	if (urlnorm_empty(p[PART_QUERY]))
		urlnorm_drop(&p[PART_QUERY]);
	/* "@" or ":@" alone: no credentials, so none sent */
	if (urlnorm_empty(p[PART_USER]) && urlnorm_empty(p[PART_PASSWORD])) {
		urlnorm_drop(&p[PART_USER]);
		urlnorm_drop(&p[PART_PASSWORD]);
	}

	len = strlen(p[PART_SCHEME]) + 3 + strlen(p[PART_HOST]) + strlen(path);
	if (p[PART_USER] || p[PART_PASSWORD])
		len += (p[PART_USER] ? strlen(p[PART_USER]) : 0) + 1;
	if (p[PART_PASSWORD])
		len += 1 + strlen(p[PART_PASSWORD]);
	if (p[PART_PORT])
		len += 1 + strlen(p[PART_PORT]);
	if (p[PART_QUERY])
		len += 1 + strlen(p[PART_QUERY]);
	rc = URLNORM_TOO_LONG;
	if (len > URLNORM_MAX)
		goto out_parts;
	rc = URLNORM_ENOMEM;
	*out = malloc(len + 1);
	if (!*out)
		goto out_parts;
	o = urlnorm_put(*out, p[PART_SCHEME]);
	o = urlnorm_put(o, "://");
	if (p[PART_USER] || p[PART_PASSWORD]) {
		if (p[PART_USER])
			o = urlnorm_put(o, p[PART_USER]);
		if (p[PART_PASSWORD]) {
			*o++ = ':';
			o = urlnorm_put(o, p[PART_PASSWORD]);
		}
		*o++ = '@';
	}
	o = urlnorm_put(o, p[PART_HOST]);
	if (p[PART_PORT]) {
		*o++ = ':';
		o = urlnorm_put(o, p[PART_PORT]);
	}
	o = urlnorm_put(o, path);
	if (p[PART_QUERY]) {
		*o++ = '?';
		o = urlnorm_put(o, p[PART_QUERY]);
	}
	*o = '\0';
	rc = URLNORM_OK;
out_parts:
	for (i = 0; i < PART_COUNT; i++)
		curl_free(p[i]);
	return rc;
}

/*
 * The fast path. Most links are plain relative paths ("page/2.html",
 * "../x.html", "/a/b", "?p=3", "#top") against a page whose URL is already in
 * normal form, and for those libcurl's parse, merge and reassembly cost ten
 * times the RFC 3986 merge itself. So that merge is done here, but only on
 * strings where it cannot differ from libcurl 7.88's concat_url() and
 * dedotdotify() followed by urlnorm_finish(): a base made of a lower-case
 * name or dotted-quad host, a port that is no default, and a path and query
 * with nothing to clean; a ref of unreserved characters, '/' and sub-delims
 * (no '%', ':', "//" start, space, control or byte above 0x7f). Anything
 * else is declined and takes the libcurl path. The tests and the fuzzer
 * compare both paths.
 */
#define URLNORM_DECLINE 2

static bool urlnorm_sub_delim(unsigned char c)
{
	switch (c) {
	case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
	case ';': case '=': case '@':
		return true;
	default:
		return false;
	}
}

/* A byte a ref's path may hold on the fast path: nothing that cleaning, or libcurl, would touch. */
static bool urlnorm_fast_path_char(unsigned char c)
{
	return c == '/' || urlnorm_unreserved(c) || urlnorm_sub_delim(c);
}

static bool urlnorm_fast_query_char(unsigned char c)
{
	return urlnorm_fast_path_char(c) || c == ':' || c == '?';
}

/*
 * Length of an escape in a normalised URL at s ("%XX", upper-case hex, not an
 * unreserved character), 0 if s holds none.
 */
static size_t urlnorm_fast_escape(const char *s)
{
	int hi, lo;

	if (s[0] != '%' || !((s[1] >= '0' && s[1] <= '9') || (s[1] >= 'A' && s[1] <= 'F')) ||
	    !((s[2] >= '0' && s[2] <= '9') || (s[2] >= 'A' && s[2] <= 'F')))
		return 0;
	hi = num_hex_digit((unsigned char)s[1]);
	lo = num_hex_digit((unsigned char)s[2]);
	return urlnorm_unreserved((unsigned char)(hi << 4 | lo)) ? 0 : 3;
}

/*
 * A host urlnorm_finish() gives back as it is: lower-case labels of
 * [a-z0-9_-], none empty, at least one not starting with a digit (libcurl
 * reads a host whose labels all do as an IPv4 number), or four decimal
 * numbers 0-255 without leading zeros, as libcurl writes an address.
 */
static bool urlnorm_fast_host(const char *h, size_t n)
{
	bool name = false, quad = true;
	size_t i, start, labels = 0;

	for (start = 0; start <= n; start = i + 1, labels++) {
		unsigned value = 0;

		for (i = start; i < n && h[i] != '.'; i++) {
			char c = h[i];

			if (c >= '0' && c <= '9')
				value = value * 10 + (unsigned)(c - '0');
			else if ((c >= 'a' && c <= 'z') || c == '-' || c == '_')
				value = 1000;	/* no number */
			else
				return false;
			if (value > 1000)
				value = 1000;
		}
		if (i == start)
			return false;
		if (!(h[start] >= '0' && h[start] <= '9'))
			name = true;
		else if (value > 255 || (h[start] == '0' && i - start > 1))
			quad = false;
	}
	return name || (quad && labels == 4);
}

static int urlnorm_set(CURLU *h, const char *url)
{
	CURLUcode uc = curl_url_set(h, CURLUPART_URL, url, 0);

	if (uc == CURLUE_OK)
		return URLNORM_OK;
	return uc == CURLUE_OUT_OF_MEMORY ? URLNORM_ENOMEM : URLNORM_INVALID;
}

/* ref (absolute if base is NULL) against base, by libcurl, normalised into *out. */
static int urlnorm_parse(const char *base, const char *ref, char **out, bool *idn)
{
	CURLU *h = curl_url();
	int rc;

	if (!h)
		return URLNORM_ENOMEM;
	if (!base) {
		rc = urlnorm_set(h, ref);
	} else {
		rc = urlnorm_set(h, base);
		/* libcurl 7.88 resolves "" and "#s" to the base's directory: they are the base itself */
		if (rc == URLNORM_OK && ref[0] && ref[0] != '#')
			rc = urlnorm_set(h, ref);
	}
	if (rc == URLNORM_OK)
		rc = urlnorm_finish(h, out, idn);
	curl_url_cleanup(h);
	return rc;
}

int urlnorm_resolve_slow(const char *base, const char *ref, char **out)
{
	size_t rlen, blen = 0, rscheme, bscheme = 0;
	const char *rtrim, *btrim = NULL;
	char *buf, *cref, *cbase = NULL;
	bool idn = false;
	int rc;

	*out = NULL;
	pthread_once(&urlnorm_once, urlnorm_init);
	rtrim = urlnorm_trim(ref, &rlen);
	if (base)
		btrim = urlnorm_trim(base, &blen);
	if (rlen > URLNORM_MAX || blen > URLNORM_MAX)
		return URLNORM_TOO_LONG;
	/* room for both escaped, and for a "./" before the ref */
	buf = malloc(3 * (rlen + blen) + 4);
	if (!buf)
		return URLNORM_ENOMEM;
	cref = buf + 2;
	rscheme = urlnorm_scheme_len(cref, urlnorm_clean(rtrim, rlen, cref));
	if (rscheme && !urlnorm_is_http(cref, rscheme)) {
		rc = URLNORM_SKIP;
		goto out_buf;
	}
	rc = URLNORM_INVALID;
	if (base) {
		cbase = cref + 3 * rlen + 1;
		bscheme = urlnorm_scheme_len(cbase, urlnorm_clean(btrim, blen, cbase));
		if (!urlnorm_is_http(cbase, bscheme))
			goto out_buf;
		/* "http:g" against an http page is the relative "g" (RFC 3986 5.2.2, as browsers do) */
		if (rscheme == bscheme && strncasecmp(cref, cbase, rscheme) == 0 &&
		    strncmp(cref + rscheme + 1, "//", 2) != 0) {
			cref += rscheme + 1;
			rscheme = 0;
		}
	} else if (!rscheme) {
		goto out_buf;
	}

	/*
	 * A first segment with a ':' that is no scheme to us ("1a:b", "%68ttp:")
	 * may be one to libcurl 7.88: RFC 3986 4.2 writes it "./1a:b".
	 */
	if (!rscheme && cref[strcspn(cref, ":/?#")] == ':') {
		cref -= 2;
		memcpy(cref, "./", 2);
	}
	rc = rscheme ? urlnorm_parse(NULL, cref, out, &idn) : urlnorm_parse(cbase, cref, out, &idn);
	/*
	 * libcurl reads an IPv4 address before IDNA maps the name: one mapped
	 * to digits ("0x7f" and a zero-width space) is an address only once
	 * parsed again, as browsers read it. The second pass has an ASCII host.
	 */
	if (rc == URLNORM_OK && idn) {
		char *again = NULL;

		rc = urlnorm_resolve_slow(NULL, *out, &again);
		free(*out);
		*out = again;
	}
out_buf:
	free(buf);
	return rc;
}

/*
 * Where the path of base starts, if base is a URL urlnorm_resolve() gives
 * back as it is and the fast path can read (see above); NULL if not. Sets
 * *query to its '?' or its end.
 */
static const char *urlnorm_fast_base(const char *base, const char **query)
{
	const char *auth, *p, *host_end, *seg;
	bool https;
	unsigned port = 0;
	size_t esc;

	if (strncmp(base, "http://", 7) == 0)
		https = false;
	else if (strncmp(base, "https://", 8) == 0)
		https = true;
	else
		return NULL;
	auth = base + (https ? 8 : 7);
	host_end = auth + strcspn(auth, ":/");
	if (!urlnorm_fast_host(auth, (size_t)(host_end - auth)))
		return NULL;
	p = host_end;
	if (*p == ':') {
		/* digits without a leading zero, 1-65535, not the scheme's default */
		for (p++; *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (unsigned)(*p - '0');
		if (host_end[1] == '0' || port == 0 || port > 65535 || port == (https ? 443u : 80u))
			return NULL;
	}
	if (*p != '/')
		return NULL;
	/* a path with nothing to clean and no dot segment */
	for (seg = p; *p && *p != '?'; p++) {
		if (*p == '/') {
			/* an empty segment: libcurl's concat_url() cuts such a path its own way */
			if (p - seg == 1)
				return NULL;
			if ((p - seg == 2 && seg[1] == '.') || (p - seg == 3 && seg[1] == '.' && seg[2] == '.'))
				return NULL;
			seg = p;
		} else if ((esc = urlnorm_fast_escape(p)) != 0) {
			p += esc - 1;
		} else if (!urlnorm_fast_path_char((unsigned char)*p) && *p != ':') {
			return NULL;
		}
	}
	if ((p - seg == 2 && seg[1] == '.') || (p - seg == 3 && seg[1] == '.' && seg[2] == '.'))
		return NULL;
	*query = p;
	/* and a query, not empty, with nothing to clean */
	if (*p == '?') {
		if (!p[1])
			return NULL;
		for (p++; *p; p++) {
			if ((esc = urlnorm_fast_escape(p)) != 0)
				p += esc - 1;
			else if (!urlnorm_fast_query_char((unsigned char)*p))
				return NULL;
		}
	}
	if (p - base > URLNORM_MAX)
		return NULL;
	return host_end + strcspn(host_end, "/");
}

/* Removes the dot segments of the n-byte path s, in place (RFC 3986 5.2.4); returns its new length. */
static size_t urlnorm_dedot(char *s, size_t n)
{
	size_t i = 0, o = 0;

	/* the output never catches up with the input, so one buffer holds both */
	while (i < n) {
		const char *in = s + i;
		size_t left = n - i;

		if (left >= 3 && memcmp(in, "../", 3) == 0) {
			i += 3;
		} else if (left >= 2 && memcmp(in, "./", 2) == 0) {
			i += 2;
		} else if (left >= 3 && memcmp(in, "/./", 3) == 0) {
			i += 2;
		} else if (left == 2 && memcmp(in, "/.", 2) == 0) {
			i += 1;
			s[i] = '/';
		} else if ((left >= 4 && memcmp(in, "/../", 4) == 0) ||
			   (left == 3 && memcmp(in, "/..", 3) == 0)) {
			/* "/../" and a final "/.." both become "/", and the last segment goes */
			i += 2;
			s[i] = '/';
			if (left >= 4)
				i++;
			while (o > 0 && s[--o] != '/')
				;
		} else if ((left == 1 && in[0] == '.') || (left == 2 && memcmp(in, "..", 2) == 0)) {
			i = n;
		} else {
			do
				s[o++] = s[i++];
			while (i < n && s[i] != '/');
		}
	}
	return o;
}

void urlnorm_base_set(struct urlnorm_base *b, const char *base)
{
	b->url = base;
	b->query = NULL;
	b->path = base ? urlnorm_fast_base(base, &b->query) : NULL;
}

/* ref against b on the fast path into *out; URLNORM_DECLINE when it is not a case for it. */
static int urlnorm_fast(const struct urlnorm_base *b, const char *ref, char **out)
{
	const char *base = b->url, *path = b->path, *bquery = b->query;
	const char *r, *rpath_end, *q = NULL, *qend = NULL, *p, *end;
	size_t rlen, dir, len, plen;
	char *o;

	if (!path)
		return URLNORM_DECLINE;
	r = urlnorm_trim(ref, &rlen);
	if (rlen > URLNORM_MAX)
		return URLNORM_DECLINE;
	end = r + rlen;
	for (p = r; p < end && urlnorm_fast_path_char((unsigned char)*p); p++)
		;
	rpath_end = p;
	if (p < end && *p == '?') {
		for (q = ++p; p < end && urlnorm_fast_query_char((unsigned char)*p); p++)
			;
		qend = p;
	}
	if (p < end && *p == '#')
		for (p++; p < end && *p > 0x20 && *p < 0x7f; p++)
			;
	if (p != end || (rpath_end - r >= 2 && r[0] == '/' && r[1] == '/'))
		return URLNORM_DECLINE;
	/*
	 * libcurl 7.88 takes one "./" and every "../" off the front of a
	 * relative path, and writes no '/' before what is left if that starts
	 * with '/' or '?': "../?x" against "/a/b/c" is "/a?x" to it, "/a/?x" to
	 * RFC 3986, and ".//" is "/a/b/", not "/a/b//".
	 */
	if (rpath_end > r && r[0] != '/') {
		p = r;
		if (rpath_end - p >= 2 && memcmp(p, "./", 2) == 0)
			p += 2;
		while (rpath_end - p >= 3 && memcmp(p, "../", 3) == 0)
			p += 3;
		if ((p == rpath_end && q) || (p < rpath_end && *p == '/'))
			return URLNORM_DECLINE;
	}

	if (rpath_end == r && !q) {
		/* "" and "#..." are the page itself */
		len = strlen(base);
		if (!(*out = malloc(len + 1)))
			return URLNORM_ENOMEM;
		memcpy(*out, base, len + 1);
		return URLNORM_OK;
	}
	if (q == qend)
		q = NULL;	/* "?" alone: no query */
	plen = (size_t)(rpath_end - r);
	if (plen == 0)
		dir = (size_t)(bquery - path);	/* "?y": the page's path, another query */
	else if (r[0] == '/')
		dir = 0;
	else
		dir = (size_t)((const char *)memrchr(path, '/', (size_t)(bquery - path)) + 1 - path);
	len = (size_t)(path - base) + dir + plen + (q ? 1 + (size_t)(qend - q) : 0);
	if (len > URLNORM_MAX)
		return URLNORM_DECLINE;
	if (!(*out = malloc(len + 1)))
		return URLNORM_ENOMEM;
	o = *out;
	memcpy(o, base, (size_t)(path - base) + dir);
	o += path - base;
	memcpy(o + dir, r, plen);
	o += urlnorm_dedot(o, dir + plen);
	if (q) {
		*o++ = '?';
		memcpy(o, q, (size_t)(qend - q));
		o += qend - q;
	}
	*o = '\0';
	return URLNORM_OK;
}

int urlnorm_resolve_from(const struct urlnorm_base *b, const char *ref, char **out)
{
	int rc = urlnorm_fast(b, ref, out);

	return rc == URLNORM_DECLINE ? urlnorm_resolve_slow(b->url, ref, out) : rc;
}

int urlnorm_resolve(const char *base, const char *ref, char **out)
{
	struct urlnorm_base b;

	urlnorm_base_set(&b, base);
	return urlnorm_resolve_from(&b, ref, out);
}

int urlnorm_origin(const char *url, char *buf, size_t size)
{
	const char *auth, *end, *host, *host_end, *p, *port;
	size_t slen, plen, hlen;
	char *o;

	if (strncmp(url, "http://", 7) == 0)
		slen = 4;
	else if (strncmp(url, "https://", 8) == 0)
		slen = 5;
	else
		return URLNORM_INVALID;
	auth = url + slen + 3;
	end = auth + strcspn(auth, "/?#");
	host = auth;
	for (p = auth; p < end; p++)
		if (*p == '@')
			host = p + 1;
	p = host;
	if (*host == '[' && !(p = memchr(host, ']', (size_t)(end - host))))
		return URLNORM_INVALID;
	host_end = memchr(p, ':', (size_t)(end - p));
	if (host_end) {
		port = host_end + 1;
		plen = (size_t)(end - port);
		if (plen == 0 || plen > 5 || strspn(port, "0123456789") < plen)
			return URLNORM_INVALID;
	} else {
		host_end = end;
		port = slen == 4 ? "80" : "443";
		plen = strlen(port);
	}
	if (host_end == host)
		return URLNORM_INVALID;
	/* put together by hand: the parent asks this of every link, and printf cost 80 ns of 100 */
	hlen = (size_t)(host_end - host);
	if (slen + 3 + hlen + 1 + plen >= size)
		return URLNORM_TOO_LONG;
	o = buf;
	memcpy(o, url, slen + 3);
	o += slen + 3;
	memcpy(o, host, hlen);
	o += hlen;
	*o++ = ':';
	memcpy(o, port, plen);
	o[plen] = '\0';
	return 0;
}

const char *urlnorm_path(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return NULL;
	p += 3;
	return p + strcspn(p, "/?#");
}

const char *urlnorm_strerror(int code)
{
	switch (code) {
	case URLNORM_OK:
		return "success";
	case URLNORM_SKIP:
		return "not an http or https url";
	case URLNORM_INVALID:
		return "invalid url";
	case URLNORM_TOO_LONG:
		return "url too long";
	case URLNORM_ENOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}
