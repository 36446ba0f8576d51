/* frame.c -- the messages on a worker process's socket: a header, then its bytes */
#include "frame.h"

#include <string.h>

int frame_next(const char *buf, size_t len, size_t max, struct frame_header *hdr,
	       const char **payload)
{
	if (len < sizeof(*hdr))
		return FRAME_PARTIAL;
	memcpy(hdr, buf, sizeof(*hdr));
	if (hdr->len > max)
		return FRAME_BAD;
	if (len - sizeof(*hdr) < hdr->len)
		return FRAME_PARTIAL;
	*payload = buf + sizeof(*hdr);
	return FRAME_WHOLE;
}
