/* faultgen.h -- bodies of the demo-site fault routes: gzip bomb, noise, deep and small pages */
#ifndef CRAWLPOOL_DEMO_FAULTGEN_H
#define CRAWLPOOL_DEMO_FAULTGEN_H

#include <stddef.h>

/* What the gzip bomb inflates to: 1 GiB of zero bytes. */
#define FAULTGEN_BOMB_INFLATED (1ULL << 30)
/* Size of the binary body. */
#define FAULTGEN_BINARY_BYTES (1u << 20)
/* Depth of /fault/deep without ?depth=, and the largest one served. */
#define FAULTGEN_DEEP_DEFAULT 100000u
#define FAULTGEN_DEEP_MAX 1000000u

/*
 * Builds a gzip member (about 1 MB) that inflates to FAULTGEN_BOMB_INFLATED
 * zero bytes into a malloc'd *out. Returns its length, or 0 on failure.
 */
size_t faultgen_gzip_bomb(unsigned char **out);

/* Fills buf with FAULTGEN_BINARY_BYTES deterministic pseudo-random bytes, NULs included. */
void faultgen_binary(unsigned char *buf);

/*
 * The deep page is DEEP_HEAD, depth times "<div>", DEEP_LINK, depth times
 * "</div>", DEEP_TAIL: a title before the nesting, one link at the bottom.
 */
#define FAULTGEN_DEEP_HEAD                                                        \
	"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"             \
	"<title>Deep page</title>\n</head>\n<body>\n"
#define FAULTGEN_DEEP_LINK "<a href=\"/page/0.html\">bottom</a>"
#define FAULTGEN_DEEP_TAIL "\n</body>\n</html>\n"
unsigned long long faultgen_deep_length(unsigned depth);

/*
 * A small well-formed HTML page whose <title> holds title_raw as is (no meta
 * charset: the Content-Type header says which) and whose body links to
 * /page/0.html .. /page/(links-1).html. Returns the length written to buf
 * (cap bytes), or 0 if it does not fit.
 */
size_t faultgen_small_page(char *buf, size_t cap, const char *title_raw, unsigned links);

#endif
