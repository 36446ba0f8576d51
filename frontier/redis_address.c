/* redis_address.c -- parsing a --frontier URL into where to connect and how to log in */
#include "redis_address.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "numbers.h"

enum { REDIS_DEFAULT_PORT = 6379, REDIS_MAX_DB = 1000000 };

/* src[0..len), %XX decoded, into dst (size bytes). 0, or -1 when too long or badly escaped. */
static int address_decode(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			if (len - i < 3 || num_hex_digit(src[i + 1]) < 0 ||
			    num_hex_digit(src[i + 2]) < 0)
				return -1;
			c = num_hex_digit(src[i + 1]) * 16 + num_hex_digit(src[i + 2]);
			i += 2;
		}
		if (c == '\0' || n + 1 >= size)
			return -1;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return 0;
}

/* "[USER]:PASSWORD" before the '@'. */
static int address_userinfo(struct redis_address *a, const char *s, size_t len, const char *shown,
			    char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', len);

	if (!colon) {
		errbuf_set(err, errlen, "invalid --frontier '%s': write the password as "
			   "redis://:PASSWORD@HOST", shown);
		return -1;
	}
	if (address_decode(a->user, sizeof(a->user), s, (size_t)(colon - s)) < 0 ||
	    address_decode(a->password, sizeof(a->password), colon + 1,
			   len - (size_t)(colon - s) - 1) < 0) {
		errbuf_set(err, errlen, "invalid --frontier '%s': a bad %%-escape, or a user or "
			   "password too long", shown);
		return -1;
	}
	/* redis://:@HOST, a password left out of a template: none, as Redis clients read it */
	a->has_password = a->user[0] || a->password[0];
	return 0;
}

/* HOST[:PORT] or [IPv6][:PORT]. */
static int address_host(struct redis_address *a, const char *s, size_t len, const char *shown,
			char *err, size_t errlen)
{
	const char *host = s, *port = NULL;
	size_t host_len = len, port_len;
	char num[16];
	long long value;

	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);

		if (!close)
			goto bad_host;
		host = s + 1;
		host_len = (size_t)(close - host);
		if ((size_t)(close + 1 - s) < len) {
			if (close[1] != ':')
				goto bad_host;
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', len);

		if (colon) {
			host_len = (size_t)(colon - s);
			port = colon + 1;
		}
	}
	if (host_len == 0 || host_len >= sizeof(a->host) || memchr(host, '%', host_len) ||
	    memchr(host, '@', host_len))
		goto bad_host;
	memcpy(a->host, host, host_len);
	a->host[host_len] = '\0';
	a->port = REDIS_DEFAULT_PORT;
	if (!port)
		return 0;
	port_len = (size_t)(s + len - port);
	if (port_len >= sizeof(num))
		goto bad_port;
	memcpy(num, port, port_len);
	num[port_len] = '\0';
	if (num_parse_int("port", num, 1, 65535, &value, NULL, 0) < 0)
		goto bad_port;
	a->port = (unsigned)value;
	return 0;

bad_port:
	errbuf_set(err, errlen, "invalid --frontier '%s': the port must be a number from 1 to 65535",
		   shown);
	return -1;

bad_host:
	errbuf_set(err, errlen, "invalid --frontier '%s': no host, or a bad one", shown);
	return -1;
}

/* url parsed; shown is how messages show it. */
static int address_tcp(struct redis_address *a, const char *url, const char *shown, char *err,
		       size_t errlen)
{
	const char *rest = url + strlen("redis://");
	const char *slash = strchr(rest, '/');
	const char *end = slash ? slash : rest + strlen(rest);
	const char *at = NULL;
	long long db;

	for (const char *p = rest; p < end; p++)
		if (*p == '@')
			at = p;		/* the last: a raw '@' in a password is forgiven */
	if (at && address_userinfo(a, rest, (size_t)(at - rest), shown, err, errlen) < 0)
		return -1;
	if (address_host(a, at ? at + 1 : rest, (size_t)(end - (at ? at + 1 : rest)), shown, err,
			 errlen) < 0)
		return -1;
	if (!slash || !slash[1])
		return 0;
	if (num_parse_int("db", slash + 1, 0, REDIS_MAX_DB, &db, NULL, 0) < 0) {
		errbuf_set(err, errlen, "invalid --frontier '%s': the database after '/' must be a "
			   "number from 0 to %d", shown, REDIS_MAX_DB);
		return -1;
	}
	a->db = (unsigned)db;
	return 0;
}

/*
 * How messages show the URL: its password masked (stderr ends up in logs),
 * whatever the scheme and wherever the last '@' is (a '/' in a password
 * makes it no userinfo to the parser, but it is still a password), and cut
 * when too long, or the reason after it would be cut off instead.
 */
static void address_shown(const char *url, char *shown, size_t size)
{
	const char *rest = strstr(url, "://"), *at = strrchr(url, '@'), *colon;
	char masked[1024];

	if (rest && at > rest) {
		rest += 3;
		colon = memchr(rest, ':', (size_t)(at - rest));
		snprintf(masked, sizeof(masked), "%.*s***%s",
			 (int)((colon ? colon + 1 : rest) - url), url, at);
		url = masked;
	}
	snprintf(shown, size, ERRBUF_CUT, ERRBUF_CUT_ARGS(url));
}

int redis_address_parse(const char *url, struct redis_address *a, char *err, size_t errlen)
{
	static const char unix_scheme[] = "redis+unix://";
	char shown[80];

	memset(a, 0, sizeof(*a));
	address_shown(url, shown, sizeof(shown));
	if (strncmp(url, "redis://", strlen("redis://")) == 0)
		return address_tcp(a, url, shown, err, errlen);
	if (strncmp(url, unix_scheme, strlen(unix_scheme)) != 0) {
		errbuf_set(err, errlen, "invalid --frontier '%s': use redis://[:PASSWORD@]HOST[:PORT]"
			   "[/DB] or redis+unix:///PATH", shown);
		return -1;
	}
	url += strlen(unix_scheme);
	if (url[0] != '/' || strlen(url) >= sizeof(a->path)) {
		errbuf_set(err, errlen, "invalid --frontier '%s': the socket needs an absolute path "
			   "of at most %zu bytes", shown, sizeof(a->path) - 1);
		return -1;
	}
	a->is_unix = true;
	snprintf(a->path, sizeof(a->path), "%s", url);
	return 0;
}

void redis_address_show(const struct redis_address *a, char *buf, size_t size)
{
	if (a->is_unix)
		snprintf(buf, size, "redis+unix://%s", a->path);
	else if (strchr(a->host, ':'))
		snprintf(buf, size, "redis://[%s]:%u/%u", a->host, a->port, a->db);
	else
		snprintf(buf, size, "redis://%s:%u/%u", a->host, a->port, a->db);
}
