/* sources.h -- where a crawl's URLs come from: URLs given as arguments and list files, in order */
#ifndef CRAWLPOOL_SOURCES_H
#define CRAWLPOOL_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* An argument that begins with http:// or https:// (any case) is a URL; any other, a list file. */
bool sources_is_url(const char *arg);

struct sources;

/*
 * Opens every list file among the n arguments ("-" is stdin) before
 * anything else happens, so that a list that cannot be read is refused
 * while nothing has been written. NULL with err filled on failure.
 */
struct sources *sources_open(const char *const *args, size_t n, char *err, size_t errlen);
void sources_close(struct sources *s);

/*
 * The next URL or list entry, as urllist_next() gives it (URLs given as
 * arguments come whole): 1, 0 once every source is read, URLLIST_AGAIN in
 * no-wait mode when a pipe has no line yet, or -1 on a read error (errno
 * set; sources_name() says which list, sources_error() why).
 */
int sources_next(struct sources *s, const char **line, size_t *len, bool *truncated);

/* No-wait mode for every list (see urllist_nowait()). */
void sources_nowait(struct sources *s, bool on);
/* The descriptor to poll after URLLIST_AGAIN, or -1. */
int sources_fd(const struct sources *s);
/* The list being read, for messages: "'urls.txt'" or "standard input". */
const char *sources_name(const struct sources *s);
/* Why its last read failed (urllist_error()). */
const char *sources_error(const struct sources *s);

/* The list files' identities (for "the output is a list"); *n of them. */
const struct stat *sources_stats(const struct sources *s, size_t *n);

/* How many entries all sources hold, for a progress total; -1 when unknown (a pipe). */
long sources_count(const char *const *args, size_t n);

#endif
