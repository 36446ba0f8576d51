/* fuzz_urllist.c -- the URL list reader, from a file or a pipe in no-wait mode, against a model */
#include "fuzz_support.h"
#include "urllist.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/*
 * Input: one byte of choices (file or pipe, chunk sizes), then the list,
 * run-length expanded (fuzz_expand) so short inputs reach 8 KiB lines.
 *
 * The model is urllist.h read literally: split at '\n'; a line longer than
 * URLLIST_LINE_MAX is cut to its first URLLIST_LINE_MAX bytes (truncated set)
 * and the rest dropped; a UTF-8 BOM at the very start is skipped; space, tab,
 * CR, LF, FF and VT are trimmed from both ends; blank lines and lines starting
 * with '#' are skipped. Every entry returned must be the model's next one, in
 * order, NUL-terminated, without '\n' and at most URLLIST_LINE_MAX bytes; and
 * urllist_count() of the file must agree. A list that starts with a UTF-16
 * byte-order mark is refused: a file at open, a pipe at its first line.
 */

#define LIST_CAP (4 * URLLIST_LINE_MAX + 1024)

struct entry {
	const uint8_t *s;
	size_t len;
	bool cut;
};

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Whether the list starts with a UTF-16 byte-order mark, either way round. */
static bool utf16(const uint8_t *list, size_t len)
{
	return len >= 2 && ((list[0] == 0xff && list[1] == 0xfe) ||
			    (list[0] == 0xfe && list[1] == 0xff));
}

/* The entries the header promises, in order; pointers into list. */
static size_t model(const uint8_t *list, size_t len, struct entry *out, size_t max)
{
	size_t n = 0, pos = 0;

	while (pos < len && n < max) {
		const uint8_t *nl = memchr(list + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - list) : len;
		const uint8_t *s = list + pos;
		size_t l = end - pos;
		bool cut = l > URLLIST_LINE_MAX;

		if (cut)
			l = URLLIST_LINE_MAX;
		if (pos == 0 && l >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			l -= 3;
		}
		while (l > 0 && is_space(s[l - 1]))
			l--;
		while (l > 0 && is_space(*s)) {
			s++;
			l--;
		}
		if (l > 0 && *s != '#')
			out[n++] = (struct entry){ s, l, cut };
		pos = nl ? end + 1 : len;
	}
	return n;
}

static void check_entry(const struct entry *want, size_t k, size_t nwant, const char *line,
			size_t len, bool cut)
{
	FUZZ_CHECK(k < nwant, "entry %zu returned, the model has %zu", k + 1, nwant);
	FUZZ_CHECK(len <= URLLIST_LINE_MAX, "entry %zu is %zu bytes", k, len);
	FUZZ_CHECK(line[len] == '\0', "entry %zu is not NUL-terminated", k);
	FUZZ_CHECK(memchr(line, '\n', len) == NULL, "entry %zu holds a newline", k);
	FUZZ_CHECK(len > 0 && line[0] != '#', "entry %zu is blank or a comment", k);
	FUZZ_CHECK(!is_space((uint8_t)line[0]) && !is_space((uint8_t)line[len - 1]),
		   "entry %zu is not trimmed", k);
	FUZZ_CHECK(len == want[k].len && memcmp(line, want[k].s, len) == 0,
		   "entry %zu: %zu bytes, the model says %zu", k, len, want[k].len);
	FUZZ_CHECK(cut == want[k].cut, "entry %zu: truncated=%d, the model says %d", k, cut,
		   want[k].cut);
}

static void read_file(const uint8_t *list, size_t len, const struct entry *want, size_t nwant)
{
	const char *path = fuzz_scratch_path("urllist");
	char err[256];
	struct urllist *ul;
	const char *line;
	size_t l, k = 0;
	bool cut;
	int rc;

	fuzz_write_file(path, list, len);
	ul = urllist_open(path, err, sizeof(err));
	if (utf16(list, len)) {
		FUZZ_CHECK(ul == NULL && strstr(err, "it is UTF-16"), "a UTF-16 file was opened");
		return;
	}
	FUZZ_CHECK(ul != NULL, "urllist_open: %s", err);
	while ((rc = urllist_next(ul, &line, &l, &cut)) == 1)
		check_entry(want, k++, nwant, line, l, cut);
	FUZZ_CHECK(rc == 0, "urllist_next ended with %d", rc);
	FUZZ_CHECK(k == nwant, "%zu entries, the model has %zu", k, nwant);
	urllist_close(ul);
	FUZZ_CHECK(urllist_count(path) == (long)nwant, "urllist_count says %ld, the model %zu",
		   urllist_count(path), nwant);
}

/*
 * Writes the list into a pipe a chunk at a time, reading in no-wait mode
 * between chunks, so lines arrive cut at every place.
 */
static void read_pipe(const uint8_t *list, size_t len, uint8_t how, const struct entry *want,
		      size_t nwant)
{
	static const size_t max_chunk[4] = { 1, 13, 700, 20000 };
	/* byte by byte only for short lists: a write(2) per byte is slow */
	size_t most = len > 2000 && (how & 3) == 0 ? 13 : max_chunk[how & 3], pos = 0, k = 0, l;
	uint32_t state = how * 2654435761u + 7;
	char err[256], path[64];
	struct urllist *ul;
	const char *line;
	int fds[2], rc;
	bool cut, closed = false;

	if (pipe2(fds, O_CLOEXEC) < 0)
		abort();
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	/* urllist_open takes a path: the pipe's read end under /proc opens the same pipe */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	ul = urllist_open(path, err, sizeof(err));
	FUZZ_CHECK(ul != NULL, "urllist_open: %s", err);
	close(fds[0]);
	urllist_nowait(ul, true);
	for (;;) {
		if (pos < len) {
			size_t n;
			ssize_t w;

			state = state * 1103515245u + 12345u;
			n = 1 + (state >> 8) % most;
			if (n > len - pos)
				n = len - pos;
			w = write(fds[1], list + pos, n);
			if (w < 0 && errno != EAGAIN)
				abort();
			if (w > 0)
				pos += (size_t)w;
		} else if (!closed) {
			close(fds[1]);
			closed = true;
		}
		while ((rc = urllist_next(ul, &line, &l, &cut)) == 1)
			check_entry(want, k++, nwant, line, l, cut);
		if (rc == 0 || (rc == -1 && utf16(list, len)))
			break;
		FUZZ_CHECK(rc == URLLIST_AGAIN, "urllist_next gave %d", rc);
		FUZZ_CHECK(!closed, "no-wait read says 'again' after the writer closed");
	}
	if (utf16(list, len)) {
		FUZZ_CHECK(rc == -1 && k == 0, "a UTF-16 pipe gave %zu entries", k);
		if (!closed)
			close(fds[1]);
		urllist_close(ul);
		return;
	}
	FUZZ_CHECK(closed, "the list ended before the writer closed (%zu of %zu bytes written)",
		   pos, len);
	FUZZ_CHECK(k == nwant, "%zu entries, the model has %zu", k, nwant);
	urllist_close(ul);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct entry want[LIST_CAP];
	struct fuzz_in in = { data, size };
	uint8_t how = fuzz_u8(&in);
	size_t len, nwant;
	uint8_t *list = fuzz_expand(in.p, in.n, LIST_CAP, &len);

	nwant = model(list, len, want, LIST_CAP);
	if (how & 0x80)
		read_pipe(list, len, how, want, nwant);
	else
		read_file(list, len, want, nwant);
	free(list);
	return 0;
}
