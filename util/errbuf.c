/* errbuf.c -- formatting a message into a caller's error buffer */
#include "errbuf.h"

#include <errno.h>
#include <stdio.h>

void errbuf_vset(char *err, size_t size, const char *fmt, va_list ap)
{
	int saved = errno;

	if (err && size > 0)
		vsnprintf(err, size, fmt, ap);
	errno = saved;
}

void errbuf_set(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, size, fmt, ap);
	va_end(ap);
}
