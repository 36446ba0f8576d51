/* numbers.h -- strict parsing of option values: integers in a range, sizes, seconds, HOST:PORT */
#ifndef CRAWLPOOL_NUMBERS_H
#define CRAWLPOOL_NUMBERS_H

#include <stddef.h>

/*
 * Every parser takes the whole of text or nothing: no spaces, no empty
 * string, no sign unless the range has negatives, nothing past 2^63 - 1 or
 * outside [min, max]. It returns 0 and stores the value, or -1, leaves the
 * output alone and fills err (errlen bytes, may be NULL) with a message that
 * names the option and its range:
 *
 *	invalid --max-size ' -5': use a size from 1 to 8G (K, M, G)
 *
 * opt is the option as the user writes it ("--max-size"). Ranges must have
 * min <= max; sizes and seconds must have min >= 0.
 */

/* Decimal digits; a leading '-' or '+' only when min < 0. */
int num_parse_int(const char *opt, const char *text, long long min, long long max,
		  long long *out, char *err, size_t errlen);

/*
 * Bytes: digits, then K, M or G (powers of 1024, any case), then B, or iB
 * after a unit: "512", "100B", "64k", "10M", "1MiB", "2GB".
 */
int num_parse_size(const char *opt, const char *text, long long min, long long max,
		   long long *out, char *err, size_t errlen);

/*
 * Seconds with decimals, "30", "2.5", ".25", into milliseconds, rounded up
 * (so that no positive time becomes 0 ms); the range is in milliseconds and
 * holds the value as written: "0.0001" is under a minimum of 1 ms.
 */
int num_parse_seconds(const char *opt, const char *text, long long min_ms, long long max_ms,
		      long long *ms, char *err, size_t errlen);

/*
 * "HOST:PORT", "[IPv6]:PORT", ":PORT" or "PORT". HOST is a name or IPv4
 * address (letters, digits, '-', '.', '_') or, in brackets, an IPv6 address
 * with an optional %zone; it goes into host (hostlen bytes) without the
 * brackets. Without a HOST, host is left as it was: the caller's default
 * stands. The port is min_port (0 or 1) to 65535.
 */
int num_parse_hostport(const char *opt, const char *text, unsigned min_port,
		       char *host, size_t hostlen, unsigned short *port,
		       char *err, size_t errlen);

/* The value of a hexadecimal digit (0-9, a-f, A-F), or -1. */
int num_hex_digit(int c);

#endif
