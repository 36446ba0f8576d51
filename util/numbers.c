/* numbers.c -- strict parsing of option values: integers in a range, sizes, seconds, HOST:PORT */
#include "numbers.h"
#include "errbuf.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Room for a long long written out, with a unit or a decimal part. */
#define NUM_TEXT_LEN 32

/* Not isdigit(): the locale must not widen what an option accepts. */
static bool num_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool num_is_name_char(char c)
{
	return num_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '.' || c == '_';
}

/*
 * Reads the decimal digits at *p into *v and moves *p past them. -1 when
 * there are none, or when they pass LLONG_MAX (checked before each step, so
 * nothing overflows on the way).
 */
static int num_digits(const char **p, long long *v)
{
	const char *s = *p;
	long long n = 0;

	if (!num_is_digit(*s))
		return -1;
	for (; num_is_digit(*s); s++) {
		int d = *s - '0';

		if (n > (LLONG_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*p = s;
	*v = n;
	return 0;
}

/* What sets one kind of value apart: its grammar, and how its range is written. */
struct num_kind {
	/*
	 * The value of text, before its range is checked; signed only if
	 * signed_ok. *part says text is a little more than *v (a fraction of
	 * the unit the value is counted in). 0 or -1.
	 */
	int (*value)(const char *text, bool signed_ok, long long *v, bool *part);
	/* v as the help text writes it, into buf (NUM_TEXT_LEN bytes). */
	const char *(*show)(long long v, char *buf);
	const char *noun;	/* "use a number from 1 to 8" */
	const char *hint;	/* after the range */
};

static int num_parse(const struct num_kind *kind, const char *opt, const char *text,
		     long long min, long long max, long long *out, char *err, size_t errlen)
{
	char lo[NUM_TEXT_LEN], hi[NUM_TEXT_LEN];
	bool part = false;
	long long v;

	/*
	 * The range holds the value as written: "0.0001" s is under a minimum
	 * of 1 ms, though it would be stored rounded up to 1 ms.
	 */
	if (kind->value(text, min < 0, &v, &part) == 0 && v >= min && v <= max &&
	    !(part && v == max)) {
		*out = v + part;
		return 0;
	}
	errbuf_set(err, errlen, "invalid %s '" ERRBUF_CUT "': use %s from %s to %s%s", opt,
		   ERRBUF_CUT_ARGS(text), kind->noun,
		   kind->show(min, lo), kind->show(max, hi), kind->hint);
	return -1;
}

static int num_int_value(const char *text, bool signed_ok, long long *v, bool *part)
{
	const char *p = text;
	bool negative = false;

	(void)part;
	if (signed_ok && (*p == '-' || *p == '+'))
		negative = *p++ == '-';
	if (num_digits(&p, v) < 0 || *p != '\0')
		return -1;
	if (negative)
		*v = -*v;
	return 0;
}

static const char *num_int_text(long long v, char *buf)
{
	snprintf(buf, NUM_TEXT_LEN, "%lld", v);
	return buf;
}

int num_parse_int(const char *opt, const char *text, long long min, long long max,
		  long long *out, char *err, size_t errlen)
{
	static const struct num_kind kind = { num_int_value, num_int_text, "a number", "" };

	return num_parse(&kind, opt, text, min, max, out, err, errlen);
}

/* The shift of the K, M or G at *p (any case), moved past; 0 when there is none. */
static unsigned num_unit(const char **p)
{
	unsigned shift;

	switch (**p) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		return 0;
	}
	++*p;
	return shift;
}

/* A size's value in bytes; never signed. */
static int num_size_value(const char *text, bool signed_ok, long long *bytes, bool *part)
{
	const char *p = text;
	unsigned shift;
	long long v;

	(void)signed_ok;
	(void)part;
	if (num_digits(&p, &v) < 0)
		return -1;
	shift = num_unit(&p);
	if (shift && (p[0] == 'i' || p[0] == 'I') && (p[1] == 'b' || p[1] == 'B'))
		p += 2;
	else if (*p == 'b' || *p == 'B')
		p++;
	if (*p != '\0' || v > LLONG_MAX >> shift)
		return -1;
	*bytes = v << shift;
	return 0;
}

/* "8G", "64K" or "1000": the largest unit that divides the size exactly. */
static const char *num_size_text(long long v, char *buf)
{
	static const struct { unsigned shift; char unit; } units[] = {
		{ 30, 'G' }, { 20, 'M' }, { 10, 'K' },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		long long scale = 1LL << units[i].shift;

		if (v != 0 && v % scale == 0) {
			snprintf(buf, NUM_TEXT_LEN, "%lld%c", v / scale, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, NUM_TEXT_LEN, "%lld", v);
	return buf;
}

int num_parse_size(const char *opt, const char *text, long long min, long long max,
		   long long *out, char *err, size_t errlen)
{
	static const struct num_kind kind = {
		num_size_value, num_size_text, "a size", " (K, M, G)",
	};

	return num_parse(&kind, opt, text, min, max, out, err, errlen);
}

/*
 * Seconds in whole milliseconds, *part when digits past them are not all
 * zero; never signed. Exact decimal arithmetic, so that "0.001" is 1 ms and
 * not 1.0000000000000002.
 */
static int num_seconds_value(const char *text, bool signed_ok, long long *ms, bool *part)
{
	const char *p = text;
	long long whole = 0, frac = 0;
	bool seen_digit = false, round_up = false;
	int places = 0;

	(void)signed_ok;
	if (num_is_digit(*p)) {
		if (num_digits(&p, &whole) < 0)
			return -1;
		seen_digit = true;
	}
	if (*p == '.') {
		for (p++; num_is_digit(*p); p++) {
			seen_digit = true;
			if (places < 3) {
				frac = frac * 10 + (*p - '0');
				places++;
			} else if (*p != '0') {
				round_up = true;
			}
		}
	}
	for (; places < 3; places++)
		frac *= 10;
	if (!seen_digit || *p != '\0' || whole > LLONG_MAX / 1000 ||
	    whole * 1000 > LLONG_MAX - frac - round_up)
		return -1;
	*ms = whole * 1000 + frac;
	*part = round_up;
	return 0;
}

/* "0.001", "2.5" or "86400": milliseconds as seconds, without trailing zeros. */
static const char *num_seconds_text(long long ms, char *buf)
{
	int len = snprintf(buf, NUM_TEXT_LEN, "%lld.%03lld", ms / 1000, ms % 1000);

	while (buf[len - 1] == '0')
		buf[--len] = '\0';
	if (buf[len - 1] == '.')
		buf[--len] = '\0';
	return buf;
}

int num_parse_seconds(const char *opt, const char *text, long long min_ms, long long max_ms,
		      long long *ms, char *err, size_t errlen)
{
	static const struct num_kind kind = { num_seconds_value, num_seconds_text, "seconds", "" };

	return num_parse(&kind, opt, text, min_ms, max_ms, ms, err, errlen);
}

/* An IPv6 address as written between brackets, with an optional %zone. */
static bool num_ipv6_ok(const char *s, size_t len)
{
	const char *zone = memchr(s, '%', len);
	size_t addr_len = zone ? (size_t)(zone - s) : len;
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[16];

	if (addr_len >= sizeof(addr))
		return false;
	memcpy(addr, s, addr_len);
	addr[addr_len] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return false;
	if (!zone)
		return true;
	if (zone + 1 == s + len)
		return false;
	for (const char *c = zone + 1; c < s + len; c++)
		if (!num_is_name_char(*c))
			return false;
	return true;
}

static bool num_name_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!num_is_name_char(s[i]))
			return false;
	return true;
}

int num_parse_hostport(const char *opt, const char *text, unsigned min_port,
		       char *host, size_t hostlen, unsigned short *port,
		       char *err, size_t errlen)
{
	const char *colon = strrchr(text, ':');
	const char *h = text, *p = colon ? colon + 1 : text;
	size_t hlen = colon ? (size_t)(colon - text) : 0;
	bool host_ok;
	long long v;

	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
		host_ok = num_ipv6_ok(h, hlen);
	} else {
		host_ok = num_name_ok(h, hlen);
	}
	if (host_ok && hlen > 0 && hlen >= hostlen) {
		errbuf_set(err, errlen, "invalid %s '" ERRBUF_CUT "': host longer than %zu bytes", opt,
			   ERRBUF_CUT_ARGS(text),
			   hostlen - 1);
		return -1;
	}
	if (!host_ok || num_digits(&p, &v) < 0 || *p != '\0' || v < min_port || v > 65535) {
		errbuf_set(err, errlen, "invalid %s '%s': use HOST:PORT with a port from %u to "
			   "65535, IPv6 as [ADDR]:PORT", opt, text, min_port);
		return -1;
	}
	if (hlen > 0) {
		memcpy(host, h, hlen);
		host[hlen] = '\0';
	}
	*port = (unsigned short)v;
	return 0;
}

int num_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
