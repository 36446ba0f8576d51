/* faultgen.c -- builds the bodies the fault routes send: gzip bomb, binary noise, small pages */
#include "faultgen.h"
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* One deflate segment stands for this many zero bytes; it is repeated. */
#define BOMB_SEGMENT (1u << 20)

/*
 * Deflating 1 GiB would take seconds. A full flush empties the compressor's
 * history and byte-aligns its output, so the segment that 1 MiB of zeros
 * deflates to can be repeated 1024 times to the same effect.
 */
static size_t deflate_segment(unsigned char *seg, size_t cap, unsigned char *fin, size_t fcap,
			      size_t *flen)
{
	unsigned char *zeros = calloc(1, BOMB_SEGMENT);
	z_stream z;
	size_t len = 0;

	memset(&z, 0, sizeof(z));
	if (!zeros)
		return 0;
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		goto out_free;
	z.next_in = zeros;
	z.avail_in = BOMB_SEGMENT;
	z.next_out = seg;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FULL_FLUSH) != Z_OK || z.avail_in != 0)
		goto out_end;
	len = cap - z.avail_out;
	z.next_out = fin;
	z.avail_out = (uInt)fcap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		len = 0;
		goto out_end;
	}
	*flen = fcap - z.avail_out;
out_end:
	deflateEnd(&z);
out_free:
	free(zeros);
	return len;
}

static void put_le32(unsigned char *p, unsigned long v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

size_t faultgen_gzip_bomb(unsigned char **out)
{
	static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3 };
	const unsigned copies = (unsigned)(FAULTGEN_BOMB_INFLATED / BOMB_SEGMENT);
	unsigned char seg[4096], fin[64], *buf, *p;
	size_t slen, flen = 0, total;
	unsigned char *zeros;
	unsigned long crc_seg, crc;

	*out = NULL;
	slen = deflate_segment(seg, sizeof(seg), fin, sizeof(fin), &flen);
	if (slen == 0)
		return 0;
	zeros = calloc(1, BOMB_SEGMENT);
	if (!zeros)
		return 0;
	crc_seg = crc32(0, zeros, BOMB_SEGMENT);
	free(zeros);
	crc = crc_seg;
	for (unsigned i = 1; i < copies; i++)
		crc = crc32_combine(crc, crc_seg, BOMB_SEGMENT);

	total = sizeof(header) + slen * copies + flen + 8;
	buf = malloc(total);
	if (!buf)
		return 0;
	p = buf;
	memcpy(p, header, sizeof(header));
	p += sizeof(header);
	for (unsigned i = 0; i < copies; i++, p += slen)
		memcpy(p, seg, slen);
	memcpy(p, fin, flen);
	p += flen;
	put_le32(p, crc);
	put_le32(p + 4, (unsigned long)(FAULTGEN_BOMB_INFLATED & 0xffffffffu));
	*out = buf;
	return total;
}

void faultgen_binary(unsigned char *buf)
{
	struct demo_rng r = { 0x62696e617279ULL };

	for (size_t i = 0; i < FAULTGEN_BINARY_BYTES; i += 8) {
		uint64_t v = demo_rng_next(&r);

		memcpy(buf + i, &v, 8);
	}
}

unsigned long long faultgen_deep_length(unsigned depth)
{
	return sizeof(FAULTGEN_DEEP_HEAD) - 1 + sizeof(FAULTGEN_DEEP_LINK) - 1 +
	       sizeof(FAULTGEN_DEEP_TAIL) - 1 + 11ULL * depth;
}

size_t faultgen_small_page(char *buf, size_t cap, const char *title_raw, unsigned links)
{
	size_t len;
	int n;

	n = snprintf(buf, cap,
		     "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>%s</title>\n</head>\n"
		     "<body>\n<h1>crawlpool demo</h1>\n<ul>\n",
		     title_raw);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	len = (size_t)n;
	for (unsigned i = 0; i < links; i++) {
		n = snprintf(buf + len, cap - len, "<li><a href=\"/page/%u.html\">Page %u</a></li>\n",
			     i, i);
		if (n < 0 || (size_t)n >= cap - len)
			return 0;
		len += (size_t)n;
	}
	n = snprintf(buf + len, cap - len, "</ul>\n</body>\n</html>\n");
	if (n < 0 || (size_t)n >= cap - len)
		return 0;
	return len + (size_t)n;
}
