/* utf8.h -- well-formed UTF-8 (RFC 3629), one sequence at a time */
#ifndef CRAWLPOOL_UTF8_H
#define CRAWLPOOL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the well-formed UTF-8 sequence at s (at most len bytes), or 0
 * for an overlong form, a surrogate, a code point past U+10FFFF, a stray or
 * cut sequence. Reads no byte past the first one that fails, so a
 * NUL-terminated string may be passed with len 4.
 */
size_t utf8_seq_len(const unsigned char *s, size_t len);

/* Writes code point cp (at most U+10FFFF, no surrogate) as UTF-8 to out: its length, 1 to 4. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
