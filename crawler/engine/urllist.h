/* urllist.h -- stream a URL list one line at a time, with a bounded line length */
#ifndef CRAWLPOOL_URLLIST_H
#define CRAWLPOOL_URLLIST_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line kept; the rest of a longer line is read and dropped. */
#define URLLIST_LINE_MAX 8192

struct urllist;

/*
 * Opens path for reading ("-" is stdin, which is not closed later). A list
 * that could never be read is refused here: a directory, a closed stdin or
 * one open for writing only, a file in UTF-16 (a pipe in UTF-16 is refused
 * by urllist_next()). Returns NULL on failure with a message in err
 * (errlen bytes).
 */
struct urllist *urllist_open(const char *path, char *err, size_t errlen);

/*
 * The next entry: surrounding whitespace trimmed, blank lines, "#" comment
 * lines and a leading UTF-8 byte-order mark skipped. *line stays valid until
 * the next call and is NUL-terminated; *truncated says the line was longer
 * than URLLIST_LINE_MAX. Returns 1 for an entry, 0 at the end, or -1 on a
 * read error (errno set).
 */
int urllist_next(struct urllist *list, const char **line, size_t *len, bool *truncated);

/*
 * Why urllist_next() returned -1: the system's reason for a read error, or
 * that the list is UTF-16, refused at its first line (errno EILSEQ).
 */
const char *urllist_error(const struct urllist *list);

/* urllist_next()'s answer, in no-wait mode, when no line is ready yet. */
#define URLLIST_AGAIN 2

/*
 * In no-wait mode urllist_next() never blocks: when no complete line is
 * buffered and the descriptor has nothing to read, it returns URLLIST_AGAIN;
 * poll urllist_fd() to know when to ask again. It says URLLIST_AGAIN too
 * after dropping a slice of an over-long line's tail, which may never end
 * (/dev/zero): ask again at once when urllist_fd() cannot be polled.
 */
void urllist_nowait(struct urllist *list, bool on);
int urllist_fd(const struct urllist *list);

/* Closes the list; accepts NULL. */
void urllist_close(struct urllist *list);

/*
 * Counts the entries of a regular file without keeping them, for a progress
 * total. Returns -1 for stdin, a pipe or an unreadable file.
 */
long urllist_count(const char *path);

#endif
