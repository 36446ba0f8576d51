/* fuzz_urlnorm.c -- link resolution and URL normalisation: the promised form, and a fixed point */
#include "fuzz_support.h"
#include "urlnorm.h"

#include <string.h>

/*
 * Input: one byte of choices, a base URL (length-prefixed, or none), then the
 * link. Whatever urlnorm_resolve gives back must be in the form urlnorm.h
 * promises:
 *
 *   http:// or https://, at most URLNORM_MAX bytes, printable ASCII only,
 *   none of space " < > \ ^ ` { | } and no '#'; every %XX upper-case hex and
 *   not an unreserved character; scheme and host lower case; no :80 on http
 *   or :443 on https; a path that starts with '/' and holds no . or ..
 *   segment; no empty query;
 *
 * and a fixed point: normalising it again (alone, or against any base) gives
 * it back unchanged. urlnorm_origin and urlnorm_path must accept it: the
 * origin is its scheme://host:port with the port written, the path is its
 * tail from the first '/' after the authority.
 *
 * And urlnorm_resolve (with its fast path) and urlnorm_resolve_slow (libcurl
 * always) give the same answer, against the base as given and against the
 * base normalised first (the page URL the engine passes, which the fast path
 * takes).
 */

static bool hex_upper(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static int hex_val(char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

static bool unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void check_form(const char *url, const char *base, const char *ref)
{
	size_t len = strlen(url);
	bool https = strncmp(url, "https://", 8) == 0;
	const char *auth, *auth_end, *host, *path, *q;

	FUZZ_CHECK(len <= URLNORM_MAX, "%zu bytes", len);
	FUZZ_CHECK(https || strncmp(url, "http://", 7) == 0, "'%s' is not http(s)", url);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];

		FUZZ_CHECK(c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}#", c),
			   "byte 0x%02x at %zu of '%s' (base '%s', link '%s')", c, i, url,
			   base ? base : "(none)", ref);
		if (c == '%') {
			FUZZ_CHECK(i + 2 < len && hex_upper(url[i + 1]) && hex_upper(url[i + 2]),
				   "a %% not followed by upper-case hex in '%s'", url);
			FUZZ_CHECK(!unreserved(hex_val(url[i + 1]) * 16 + hex_val(url[i + 2])),
				   "an unreserved character left encoded in '%s'", url);
		}
	}
	auth = url + (https ? 8 : 7);
	auth_end = auth + strcspn(auth, "/?");
	host = auth;
	for (const char *p = auth; p < auth_end; p++)
		if (*p == '@')
			host = p + 1;
	for (const char *p = host; p < auth_end; p++)
		FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'), "upper case in the host of '%s'", url);
	FUZZ_CHECK(host < auth_end, "no host in '%s'", url);
	{
		const char *close = *host == '[' ? memchr(host, ']', (size_t)(auth_end - host)) : NULL;
		const char *from = close ? close : host;
		const char *colon = memchr(from, ':', (size_t)(auth_end - from));
		size_t plen = colon ? (size_t)(auth_end - colon - 1) : 0;

		FUZZ_CHECK(!colon || !((!https && plen == 2 && memcmp(colon + 1, "80", 2) == 0) ||
				       (https && plen == 3 && memcmp(colon + 1, "443", 3) == 0)),
			   "the default port kept in '%s'", url);
	}
	path = auth_end;
	FUZZ_CHECK(*path == '/', "the path of '%s' does not start with '/'", url);
	q = path + strcspn(path, "?");
	for (const char *p = path; p < q; p++) {
		if (*p != '/')
			continue;
		FUZZ_CHECK(!(p[1] == '.' && (p + 2 == q || p[2] == '/')), "a . segment in '%s'", url);
		FUZZ_CHECK(!(p[1] == '.' && p[2] == '.' && (p + 3 == q || p[3] == '/')),
			   "a .. segment in '%s'", url);
	}
	FUZZ_CHECK(!(*q == '?' && q[1] == '\0'), "an empty query kept in '%s'", url);

	{
		char origin[URLNORM_MAX + 16];
		const char *port, *tail = urlnorm_path(url);
		size_t olen;

		FUZZ_CHECK(urlnorm_origin(url, origin, sizeof(origin)) == 0,
			   "urlnorm_origin refuses '%s'", url);
		olen = strlen(origin);
		port = strrchr(origin, ':');
		FUZZ_CHECK(port && port[1] && strspn(port + 1, "0123456789") == strlen(port + 1),
			   "origin '%s' has no port", origin);
		FUZZ_CHECK(strncmp(origin, url, (size_t)(auth - url)) == 0 && olen < sizeof(origin),
			   "origin '%s' of '%s'", origin, url);
		FUZZ_CHECK(strncmp(origin + (auth - url), host, (size_t)(auth_end - host)) == 0,
			   "origin '%s' does not hold the host of '%s'", origin, url);
		FUZZ_CHECK(tail == path, "urlnorm_path of '%s' is '%s'", url, tail ? tail : "(null)");
	}
}

static void check_paths_agree(const char *base, const char *ref)
{
	char *fast = NULL, *slow = NULL;
	int frc = urlnorm_resolve(base, ref, &fast), src = urlnorm_resolve_slow(base, ref, &slow);

	FUZZ_CHECK(frc == src && (fast == NULL) == (slow == NULL) && (!fast || strcmp(fast, slow) == 0),
		   "'%s' against '%s': fast %d '%s', slow %d '%s'", ref, base ? base : "(none)", frc,
		   fast ? fast : "-", src, slow ? slow : "-");
	free(fast);
	free(slow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bases[4] = {
		"http://Example.COM:80/a/b/c?q#f", "https://h/", "http://[::1]:8080/x/", NULL,
	};
	struct fuzz_in in = { data, size };
	uint8_t bits = fuzz_u8(&in);
	char *own = (bits & 4) ? fuzz_string(&in, false) : NULL;
	const char *base = own ? own : bases[bits & 3];
	char *ref = malloc(in.n + 1), *out = NULL, *again = NULL;
	int rc;

	if (!ref)
		abort();
	memcpy(ref, in.p, in.n);
	ref[in.n] = '\0';
	check_paths_agree(base, ref);
	if (base && urlnorm_resolve_slow(NULL, base, &again) == URLNORM_OK)
		check_paths_agree(again, ref);
	free(again);
	again = NULL;
	rc = urlnorm_resolve(base, ref, &out);
	FUZZ_CHECK(rc == URLNORM_OK || rc == URLNORM_SKIP || rc == URLNORM_INVALID ||
		   rc == URLNORM_TOO_LONG || rc == URLNORM_ENOMEM, "urlnorm_resolve gave %d", rc);
	FUZZ_CHECK((rc == URLNORM_OK) == (out != NULL), "result %d with out %p", rc, (void *)out);
	FUZZ_CHECK(urlnorm_strerror(rc) && *urlnorm_strerror(rc), "no words for %d", rc);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "%d '%s' -> '%s'\n", rc, ref, out ? out : "");
	if (rc == URLNORM_OK) {
		check_form(out, base, ref);
		rc = urlnorm_resolve(NULL, out, &again);
		FUZZ_CHECK(rc == URLNORM_OK && strcmp(again, out) == 0,
			   "not a fixed point: '%s' gives '%s' (%d)", out, again ? again : "", rc);
		free(again);
		again = NULL;
		rc = urlnorm_resolve(bases[(bits >> 3) % 3], out, &again);
		FUZZ_CHECK(rc == URLNORM_OK && strcmp(again, out) == 0,
			   "an absolute URL depends on its base: '%s' gives '%s'", out,
			   again ? again : "");
		free(again);
	}
	free(out);
	free(ref);
	free(own);
	return 0;
}
