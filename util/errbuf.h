/* errbuf.h -- formatting a message into a caller's error buffer */
#ifndef CRAWLPOOL_ERRBUF_H
#define CRAWLPOOL_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Formats into err (size bytes, cut to fit, always terminated). Does nothing
 * when err is NULL or size is 0, so helpers can take an optional buffer.
 * errno is left as it was: callers report a failed call's errno after this.
 */
__attribute__((format(printf, 3, 4)))
void errbuf_set(char *err, size_t size, const char *fmt, ...);
__attribute__((format(printf, 3, 0)))
void errbuf_vset(char *err, size_t size, const char *fmt, va_list ap);

#endif
