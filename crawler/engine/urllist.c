/* urllist.c -- a streaming line reader over read(2): memory stays flat however long the list */
#include "urllist.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The buffer holds a whole maximal line plus room to read ahead. */
#define URLLIST_BUF (8 * URLLIST_LINE_MAX)
/* In no-wait mode, the most of a line's dropped tail read in one call. */
#define URLLIST_SKIP_SLICE (16 * URLLIST_BUF)

struct urllist {
	int fd;
	bool owns_fd;
	bool eof;
	bool nowait;		/* answer URLLIST_AGAIN rather than block */
	bool first;		/* nothing returned yet: a BOM may lead */
	bool skipping;		/* dropping the tail of an over-long line */
	size_t start, end;	/* unread bytes are buf[start..end) */
	char error[128];	/* why urllist_next() last failed */
	char buf[URLLIST_BUF + 1];
};

/* Why a list that is UTF-16 is refused, said at its first line (a pipe) or before (a file). */
#define URLLIST_UTF16 "it is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"

/* Whether a byte-order mark says the two bytes at s begin UTF-16, little- or big-endian. */
static bool urllist_utf16_mark(const char *s, size_t n)
{
	return n >= 2 && (memcmp(s, "\xff\xfe", 2) == 0 || memcmp(s, "\xfe\xff", 2) == 0);
}

/*
 * Whether a regular file is UTF-16 (what Windows editors and PowerShell's
 * '>' write): every line would be NULs and letters, none a URL.
 */
static bool urllist_utf16(int fd)
{
	char head[2];

	return pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	       urllist_utf16_mark(head, sizeof(head));
}

/*
 * Whether fd can be read as a list: a directory opens but never reads, a
 * closed stdin or one open for writing only fails at the first read. Such a
 * list is refused before anything else of the run happens. 0, or -1 with a
 * message in err.
 */
static int urllist_check(int fd, const char *path, char *err, size_t errlen)
{
	const char *why = NULL;
	char where[300];
	struct stat st;
	int flags;

	if (strcmp(path, "-") == 0)
		snprintf(where, sizeof(where), "from standard input");
	else
		snprintf(where, sizeof(where), "'%s'", path);
	if (fstat(fd, &st) < 0)
		why = errno == EBADF ? "it is closed" : strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = strerror(EISDIR);
	else if ((flags = fcntl(fd, F_GETFL)) < 0)
		why = strerror(errno);
	else if ((flags & O_ACCMODE) == O_WRONLY)
		why = "it is open for writing only";
	else if (S_ISREG(st.st_mode) && urllist_utf16(fd))
		why = URLLIST_UTF16;
	if (!why)
		return 0;
	snprintf(err, errlen, "cannot read url list %s: %s", where, why);
	return -1;
}

struct urllist *urllist_open(const char *path, char *err, size_t errlen)
{
	bool from_stdin = strcmp(path, "-") == 0;
	struct urllist *list;
	int fd;

	if (from_stdin) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open url list '%s': %s", path, strerror(errno));
			return NULL;
		}
	}
	if (urllist_check(fd, path, err, errlen) < 0) {
		if (!from_stdin)
			close(fd);
		return NULL;
	}
	list = calloc(1, sizeof(*list));
	if (!list) {
		snprintf(err, errlen, "out of memory reading '%s'", path);
		if (!from_stdin)
			close(fd);
		return NULL;
	}
	list->fd = fd;
	/* a file opened while stdin was closed may be descriptor 0: it is still ours */
	list->owns_fd = !from_stdin;
	list->first = true;
	return list;
}

void urllist_nowait(struct urllist *list, bool on)
{
	list->nowait = on;
}

int urllist_fd(const struct urllist *list)
{
	return list->fd;
}

void urllist_close(struct urllist *list)
{
	if (!list)
		return;
	if (list->owns_fd)
		close(list->fd);
	free(list);
}

/*
 * Moves unread bytes to the front and reads more. 1 read, 0 at EOF, -1 error,
 * URLLIST_AGAIN when nothing is ready in no-wait mode.
 */
static int urllist_fill(struct urllist *list)
{
	struct pollfd ready = { .fd = list->fd, .events = POLLIN };
	ssize_t n;

	/* A regular file always polls readable; a pipe or terminal may not. */
	if (list->nowait && poll(&ready, 1, 0) <= 0)
		return URLLIST_AGAIN;

	if (list->start > 0) {
		memmove(list->buf, list->buf + list->start, list->end - list->start);
		list->end -= list->start;
		list->start = 0;
	}
	do
		n = read(list->fd, list->buf + list->end, URLLIST_BUF - list->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		list->eof = true;
		return 0;
	}
	list->end += (size_t)n;
	return 1;
}

static bool urllist_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/*
 * Finds the next raw line in the buffer. Returns 1 with [*s, *s + *n) and
 * *cut set when the line was longer than URLLIST_LINE_MAX, 0 at the end.
 */
static int urllist_raw(struct urllist *list, char **s, size_t *n, bool *cut)
{
	size_t dropped = 0;

	for (;;) {
		char *base = list->buf + list->start;
		size_t avail = list->end - list->start;
		size_t scan = avail < URLLIST_LINE_MAX + 1 ? avail : URLLIST_LINE_MAX + 1;
		char *nl = memchr(base, '\n', scan);

		if (nl || avail > URLLIST_LINE_MAX || (list->eof && avail > 0)) {
			size_t len = nl ? (size_t)(nl - base) : avail;

			*cut = !nl && avail > URLLIST_LINE_MAX;
			if (*cut)
				len = URLLIST_LINE_MAX;
			*s = base;
			*n = len;
			list->start += nl ? len + 1 : len;
			if (list->skipping) {
				/* the dropped tail of a line already returned */
				list->skipping = *cut;
				dropped += len;
				continue;
			}
			list->skipping = *cut;
			return 1;
		}
		if (list->eof)
			return 0;
		/* a line with no end (/dev/zero) must not hold the caller, who may have to stop */
		if (list->nowait && dropped >= URLLIST_SKIP_SLICE)
			return URLLIST_AGAIN;
		switch (urllist_fill(list)) {
		case -1:
			return -1;
		case URLLIST_AGAIN:
			return URLLIST_AGAIN;
		}
	}
}

int urllist_next(struct urllist *list, const char **line, size_t *len, bool *truncated)
{
	char *s;
	size_t n;
	bool cut;
	int rc;

	while ((rc = urllist_raw(list, &s, &n, &cut)) == 1) {
		if (list->first) {
			list->first = false;
			if (urllist_utf16_mark(s, n)) {
				snprintf(list->error, sizeof(list->error), "%s", URLLIST_UTF16);
				errno = EILSEQ;
				return -1;
			}
			if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
				s += 3;
				n -= 3;
			}
		}
		while (n > 0 && urllist_space(s[n - 1]))
			n--;
		while (n > 0 && urllist_space(*s)) {
			s++;
			n--;
		}
		if (n == 0 || *s == '#')
			continue;
		/* s[n] is the newline, trimmed space or spare room: ours to overwrite */
		s[n] = '\0';
		*line = s;
		*len = n;
		*truncated = cut;
		return 1;
	}
	if (rc < 0)
		snprintf(list->error, sizeof(list->error), "%s", strerror(errno));
	return rc;
}

const char *urllist_error(const struct urllist *list)
{
	return list->error;
}

long urllist_count(const char *path)
{
	struct urllist *list;
	struct stat st;
	char err[256];
	const char *line;
	size_t len;
	bool cut;
	long count = 0;
	int rc;

	if (strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	list = urllist_open(path, err, sizeof(err));
	if (!list)
		return -1;
	while ((rc = urllist_next(list, &line, &len, &cut)) == 1)
		count++;
	urllist_close(list);
	return rc < 0 ? -1 : count;
}
