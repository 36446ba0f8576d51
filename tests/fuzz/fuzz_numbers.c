/* fuzz_numbers.c -- util/numbers.h against a model written from its comments, plus print-back */
#include "fuzz_support.h"
#include "numbers.h"

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

/*
 * Input: which parser, then its range (from a table of edges or raw), then
 * the text (up to the first NUL). The verdict and value must be the model's,
 * which reads numbers.h literally:
 *
 *   int      decimal digits, a sign only when min < 0, |value| <= 2^63 - 1;
 *   size     digits, then K, M or G in any case (powers of 1024), then B, or
 *            iB after a unit; value <= 2^63 - 1;
 *   seconds  digits with an optional decimal part ("2.5", ".25", "5."),
 *            into milliseconds rounded up;
 *   hostport "PORT", ":PORT", "HOST:PORT" (letters, digits, - . _) or
 *            "[IPv6]:PORT" (inet_pton, optional %zone of the same letters);
 *            the host must fit hostlen with its NUL; min_port..65535;
 *
 * each within [min, max], nothing else accepted, the output untouched on a
 * refusal and a message naming the option. Whatever is accepted, printed
 * back ("%lld", "%lldK", "%lld.%03lld", "[h]:p") parses to the same value.
 */

#define OPT "--fuzz"

static const long long edges[16] = {
	0, 1, 2, 9, 10, 1000, 65535, 86400000, 1LL << 30, (1LL << 31) - 1, 8LL << 30,
	LLONG_MAX / 1000, LLONG_MAX - 1, LLONG_MAX, -1, LLONG_MIN,
};

static long long range_value(struct fuzz_in *in)
{
	uint8_t pick = fuzz_u8(in);

	return pick < 0xf0 ? edges[pick & 15] : (long long)fuzz_u64(in);
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool name_char(char c)
{
	return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
	       c == '.' || c == '_';
}

/* Digits at *p into *v, moving past them: false when none or past LLONG_MAX. */
static bool digits(const char **p, long long *v)
{
	const char *s = *p;
	__int128 n = 0;

	if (!digit(*s))
		return false;
	for (; digit(*s); s++) {
		n = n * 10 + (*s - '0');
		if (n > LLONG_MAX)
			return false;
	}
	*p = s;
	*v = (long long)n;
	return true;
}

static bool model_int(const char *t, long long min, long long max, long long *v)
{
	bool neg = false;

	if (min < 0 && (*t == '-' || *t == '+'))
		neg = *t++ == '-';
	if (!digits(&t, v) || *t)
		return false;
	if (neg)
		*v = -*v;
	return *v >= min && *v <= max;
}

static bool model_size(const char *t, long long min, long long max, long long *v)
{
	unsigned shift = 0;

	if (!digits(&t, v))
		return false;
	switch (*t) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	}
	if (shift)
		t++;
	if (shift && (t[0] == 'i' || t[0] == 'I') && (t[1] == 'b' || t[1] == 'B'))
		t += 2;
	else if (*t == 'b' || *t == 'B')
		t++;
	if (*t || *v > (LLONG_MAX >> shift))
		return false;
	*v <<= shift;
	return *v >= min && *v <= max;
}

static bool model_seconds(const char *t, long long min, long long max, long long *v, bool *edge)
{
	__int128 whole = 0, ms;
	int places = 0, frac = 0;
	bool any = false, up = false;

	*edge = false;
	for (; digit(*t); t++, any = true) {
		whole = whole * 10 + (*t - '0');
		if (whole > LLONG_MAX)
			return false;
	}
	if (*t == '.')
		for (t++; digit(*t); t++, any = true) {
			if (places < 3) {
				frac = frac * 10 + (*t - '0');
				places++;
			} else if (*t != '0') {
				up = true;
			}
		}
	if (!any || *t)
		return false;
	for (; places < 3; places++)
		frac *= 10;
	ms = whole * 1000 + frac + up;
	if (ms > LLONG_MAX)
		return false;
	*edge = false;
	*v = (long long)ms;
	/* the value as written is in range, not only its rounded-up ms */
	return ms - up >= min && *v <= max;
}

static bool model_ipv6(const char *s, size_t len)
{
	const char *zone = memchr(s, '%', len);
	size_t alen = zone ? (size_t)(zone - s) : len;
	char addr[64];
	unsigned char bin[16];

	if (alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return false;
	if (!zone)
		return true;
	if (zone + 1 == s + len)
		return false;
	for (const char *c = zone + 1; c < s + len; c++)
		if (!name_char(*c))
			return false;
	return true;
}

/* The four forms of numbers.h; the host is *host_len bytes at *host_at (none when 0). */
static bool model_hostport(const char *t, unsigned min_port, size_t hostlen, const char **host_at,
			   size_t *host_len, long long *port, bool *too_long)
{
	const char *p;

	*host_at = NULL;
	*host_len = 0;
	*too_long = false;
	if (t[0] == '[') {
		const char *close = strchr(t, ']');

		if (!close || close[1] != ':' || !model_ipv6(t + 1, (size_t)(close - t - 1)))
			return false;
		*host_at = t + 1;
		*host_len = (size_t)(close - t - 1);
		p = close + 2;
	} else {
		const char *colon = strchr(t, ':');

		if (colon) {
			for (const char *c = t; c < colon; c++)
				if (!name_char(*c))
					return false;
			*host_at = t;
			*host_len = (size_t)(colon - t);
			p = colon + 1;
		} else {
			p = t;
		}
	}
	if (*host_len > 0 && *host_len >= hostlen) {
		*too_long = true;
		return false;
	}
	return digits(&p, port) && !*p && *port >= min_port && *port <= 65535;
}

static void check_refusal(int rc, const char *err)
{
	FUZZ_CHECK(rc == -1, "a refusal returned %d", rc);
	FUZZ_CHECK(strstr(err, OPT) != NULL, "the message does not name the option: '%s'", err);
}

static void fuzz_int(struct fuzz_in *in, const char *text)
{
	long long min = range_value(in), max = range_value(in), v = 7, want = 0, again = 0;
	char err[256] = "", back[32];
	int rc;

	if (min > max) {
		long long t = min;

		min = max;
		max = t;
	}
	rc = num_parse_int(OPT, text, min, max, &v, err, sizeof(err));
	FUZZ_CHECK((rc == 0) == model_int(text, min, max, &want),
		   "num_parse_int('%s', %lld, %lld) gave %d", text, min, max, rc);
	if (rc != 0) {
		check_refusal(rc, err);
		FUZZ_CHECK(v == 7, "a refusal changed the output");
		return;
	}
	FUZZ_CHECK(v == want, "'%s' read as %lld, the model says %lld", text, v, want);
	snprintf(back, sizeof(back), "%lld", v);
	FUZZ_CHECK(num_parse_int(OPT, back, min, max, &again, NULL, 0) == 0 && again == v,
		   "'%s' printed back does not parse to %lld", back, v);
}

static void fuzz_size(struct fuzz_in *in, const char *text)
{
	long long min = range_value(in), max = range_value(in), v = 7, want = 0, again = 0;
	char err[256] = "", back[40];
	int rc;

	if (min < 0)
		min = -(min + 1);
	if (max < 0)
		max = -(max + 1);
	if (min > max) {
		long long t = min;

		min = max;
		max = t;
	}
	rc = num_parse_size(OPT, text, min, max, &v, err, sizeof(err));
	FUZZ_CHECK((rc == 0) == model_size(text, min, max, &want),
		   "num_parse_size('%s', %lld, %lld) gave %d", text, min, max, rc);
	if (rc != 0) {
		check_refusal(rc, err);
		FUZZ_CHECK(v == 7, "a refusal changed the output");
		return;
	}
	FUZZ_CHECK(v == want, "'%s' read as %lld, the model says %lld", text, v, want);
	snprintf(back, sizeof(back), "%lld", v);
	FUZZ_CHECK(num_parse_size(OPT, back, min, max, &again, NULL, 0) == 0 && again == v,
		   "'%s' printed back does not parse to %lld", back, v);
	if (v % 1024 == 0) {
		snprintf(back, sizeof(back), "%lldKiB", v / 1024);
		FUZZ_CHECK(num_parse_size(OPT, back, min, max, &again, NULL, 0) == 0 && again == v,
			   "'%s' printed back does not parse to %lld", back, v);
	}
}

static void fuzz_seconds(struct fuzz_in *in, const char *text)
{
	long long min = range_value(in), max = range_value(in), v = 7, want = 0, again = 0;
	char err[256] = "", back[40];
	bool edge, model;
	int rc;

	if (min < 0)
		min = -(min + 1);
	if (max < 0)
		max = -(max + 1);
	if (min > max) {
		long long t = min;

		min = max;
		max = t;
	}
	rc = num_parse_seconds(OPT, text, min, max, &v, err, sizeof(err));
	model = model_seconds(text, min, max, &want, &edge);
	if (edge)
		return;
	FUZZ_CHECK((rc == 0) == model, "num_parse_seconds('%s', %lld, %lld) gave %d", text, min,
		   max, rc);
	if (rc != 0) {
		check_refusal(rc, err);
		FUZZ_CHECK(v == 7, "a refusal changed the output");
		return;
	}
	FUZZ_CHECK(v == want, "'%s' read as %lld ms, the model says %lld", text, v, want);
	snprintf(back, sizeof(back), "%lld.%03lld", v / 1000, v % 1000);
	FUZZ_CHECK(num_parse_seconds(OPT, back, min, max, &again, NULL, 0) == 0 && again == v,
		   "'%s' printed back does not parse to %lld ms", back, v);
}

static void fuzz_hostport(struct fuzz_in *in, const char *text)
{
	static const size_t hostlens[4] = { 1, 8, 64, 256 };
	uint8_t bits = fuzz_u8(in);
	unsigned min_port = bits & 1;
	size_t hostlen = hostlens[(bits >> 1) & 3], host_len;
	char host[256], err[256] = "", back[300];
	unsigned short port = 7, again = 0;
	const char *host_at;
	long long want;
	bool too_long, model;
	int rc;

	memset(host, 'S', sizeof(host));
	host[hostlen - 1] = '\0';
	rc = num_parse_hostport(OPT, text, min_port, host, hostlen, &port, err, sizeof(err));
	model = model_hostport(text, min_port, hostlen, &host_at, &host_len, &want, &too_long);
	FUZZ_CHECK((rc == 0) == model, "num_parse_hostport('%s', min %u, hostlen %zu) gave %d",
		   text, min_port, hostlen, rc);
	if (rc != 0) {
		check_refusal(rc, err);
		FUZZ_CHECK(port == 7, "a refusal changed the port");
		FUZZ_CHECK(strspn(host, "S") == hostlen - 1, "a refusal changed the host");
		return;
	}
	FUZZ_CHECK(port == want, "port %u, the model says %lld", port, want);
	if (host_len == 0) {
		FUZZ_CHECK(strspn(host, "S") == hostlen - 1, "no host given, yet it changed");
		return;
	}
	FUZZ_CHECK(strlen(host) == host_len && memcmp(host, host_at, host_len) == 0,
		   "host '%s', the model says '%.*s'", host, (int)host_len, host_at);
	snprintf(back, sizeof(back), text[0] == '[' ? "[%s]:%u" : "%s:%u", host, port);
	FUZZ_CHECK(num_parse_hostport(OPT, back, min_port, host, hostlen, &again, NULL, 0) == 0 &&
		   again == port, "'%s' printed back does not parse", back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t which = fuzz_u8(&in);
	/* the range choices come after the text's length, so the text stays at a fixed place */
	size_t len;
	const uint8_t *p = fuzz_piece(&in, &len);
	char *text = malloc(len + 1);

	if (!text)
		abort();
	memcpy(text, p, len);
	text[len] = '\0';
	switch (which & 3) {
	case 0:
		fuzz_int(&in, text);
		break;
	case 1:
		fuzz_size(&in, text);
		break;
	case 2:
		fuzz_seconds(&in, text);
		break;
	default:
		fuzz_hostport(&in, text);
		break;
	}
	free(text);
	return 0;
}
