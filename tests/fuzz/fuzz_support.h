/* fuzz_support.h -- what every harness shares: reading the input as choices, checks, models */
#ifndef CRAWLPOOL_FUZZ_SUPPORT_H
#define CRAWLPOOL_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * A failed model check is a crash to libFuzzer: it prints the line and
 * aborts, and the fuzzer saves the input that did it.
 */
#define FUZZ_CHECK(cond, ...)                                                    \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "fuzz check failed at %s:%d: %s: ", __FILE__, \
				__LINE__, #cond);                                \
			fprintf(stderr, __VA_ARGS__);                            \
			fputc('\n', stderr);                                     \
			abort();                                                 \
		}                                                                \
	} while (0)

/*
 * Bugs found, reported and not fixed yet (listed in tests/fuzz/README, a
 * reproducer for each in tests/fuzz/crashes/) are let through, narrowly, so
 * the smoke run keeps looking for new ones. FUZZ_STRICT=1 in the environment
 * turns every such allowance off: run the crashes with it once a fix is in,
 * then delete the allowance.
 */
bool fuzz_known_bug(const char *id);

/* The input read front to back as a series of choices; past its end every choice is 0. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);
uint32_t fuzz_u32(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);
bool fuzz_bool(struct fuzz_in *in);
/* Up to max bytes (fewer at the end); *len gets how many. */
const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t max, size_t *len);
/* A length-prefixed piece: one byte of length (0..255), then that many bytes. */
const uint8_t *fuzz_piece(struct fuzz_in *in, size_t *len);
/*
 * A malloc'd NUL-terminated string from a length-prefixed piece, with NUL
 * bytes turned into '0' (the string APIs cannot carry them). NULL instead when
 * allow_null and the length byte says so (255).
 */
char *fuzz_string(struct fuzz_in *in, bool allow_null);

/*
 * Run-length expansion, so short inputs reach the limits of line-oriented
 * parsers (8 KiB lines and more): byte 0xff followed by n repeats the byte
 * before it n * 64 times; 0xff 0x00 is a literal 0xff. Returns a malloc'd
 * buffer of at most cap bytes, its length in *len.
 */
uint8_t *fuzz_expand(const uint8_t *data, size_t size, size_t cap, size_t *len);

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF): length at s, 0 if none. */
size_t fuzz_utf8_seq(const uint8_t *s, size_t len);
bool fuzz_utf8_valid(const void *s, size_t len);

/* A per-process scratch file on tmpfs: its path (static storage, per name). */
const char *fuzz_scratch_path(const char *name);
/* Writes the whole of data to path, replacing it; aborts on failure (not a finding). */
void fuzz_write_file(const char *path, const void *data, size_t len);
/* The whole file as a malloc'd NUL-terminated buffer; aborts on failure. */
char *fuzz_read_file(const char *path, size_t *len);

/*
 * A small strict JSON reader (RFC 8259) written apart from json-c, as a
 * model: one value, optional whitespace (space, tab, LF, CR) around it,
 * nothing else. For an object at the top it keeps the members in order.
 */
enum fj_type {
	FJ_NULL,
	FJ_BOOL,
	FJ_NUMBER,
	FJ_STRING,
	FJ_ARRAY,
	FJ_OBJECT,
};

struct fj_member {
	char *key;		/* decoded, malloc'd */
	size_t key_len;
	enum fj_type type;
	char *str;		/* FJ_STRING: decoded bytes, malloc'd */
	size_t str_len;
	const char *num;	/* FJ_NUMBER: the raw text, pointing into the input */
	size_t num_len;
	bool integer;		/* FJ_NUMBER without fraction or exponent */
};

struct fj_doc {
	enum fj_type type;	/* of the top value */
	struct fj_member *members;	/* FJ_OBJECT at the top */
	size_t n;
};

enum {
	FJ_UTF8 = 1,		/* raw string bytes must be UTF-8 */
	FJ_NO_DUP_KEYS = 2,	/* refuse an object that repeats a key (compared as C strings) */
	/*
	 * Also accept what json-c's strict mode lets through: control bytes raw
	 * in strings, single-quoted strings, "1.", "00", "-01", NaN / Infinity,
	 * and UTF-8 checked only for its shape (lead and continuation bytes).
	 */
	FJ_JSONC_LAX = 4,
};

/*
 * Parses buf[0..len) with at most max_depth nested arrays and objects
 * (1 = a flat object) under FJ_* flags. A lone surrogate escape is refused
 * (FJ_JSONC_LAX: decoded as U+FFFD, as json-c does),
 * as RFC 8259 text for a character allows it only in a pair. 0 or -1.
 */
int fj_parse(const char *buf, size_t len, int max_depth, int flags, struct fj_doc *doc);
void fj_free(struct fj_doc *doc);

#endif
