/* errbuf.h -- formatting a message into a caller's error buffer */
#ifndef CRAWLPOOL_ERRBUF_H
#define CRAWLPOOL_ERRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/*
 * A value a user gave, quoted in a message: cut at 64 bytes, or a long one
 * would fill the buffer and cut off the reason that follows it.
 * errbuf_set(err, size, "invalid --x '" ERRBUF_CUT "': ...", ERRBUF_CUT_ARGS(arg))
 */
#define ERRBUF_CUT "%.64s%s"
#define ERRBUF_CUT_ARGS(s) (s), (strlen(s) > 64 ? "..." : "")

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
