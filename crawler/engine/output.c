/* output.c -- CSV (RFC 4180), TSV and JSON Lines writers behind one bounded, fork-safe row buffer */
#include "output.h"

#include "numbers.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Rows collect in buf and go out with write(2) once OUTPUT_FLUSH_AT bytes,
 * OUTPUT_ROWS_MAX rows or OUTPUT_FLUSH_MS have gathered, always at a row
 * boundary: a reader (or a crash) sees whole rows. A row longer than the
 * room left after OUTPUT_FLUSH_AT would be split; the callers' field caps
 * keep rows far below that. Where each buffered row ends is kept, so that a
 * write that fails part way (disk full, ulimit -f) can be cut back to the
 * last whole row and the rows really written can be counted.
 */
#define OUTPUT_BUF (256 * 1024)
#define OUTPUT_FLUSH_AT (64 * 1024)
#define OUTPUT_FLUSH_MS 250
#define OUTPUT_ROWS_MAX 4096

#define OUTPUT_BOM "\xef\xbb\xbf"

const char *const output_columns[OUTPUT_NCOLUMNS_ALL] = {
	"url", "final_url", "status", "bytes", "content_type", "ttfb_ms",
	"time_ms", "redirects", "title", "links", "worker", "error", "depth", "referrer",
	"retries", "location", "remote_ip", "http_version", "time_connect", "time_tls",
};

static const char *const output_format_names[] = { "csv", "tsv", "jsonl" };

struct output {
	int fd;
	bool owns_fd;
	bool live;		/* a terminal: every row goes out at once */
	bool failed;
	bool can_cut;		/* a regular file: a torn row can be cut off again */
	bool torn;		/* part of a row stayed behind the whole ones */
	int errnum;		/* why the write failed */
	struct output_options opts;
	struct timespec flushed;
	char *name;		/* "'path'" or "standard output", for messages */
	char error[256];
	unsigned long rows_out;	/* rows wholly written */
	size_t head;		/* bytes in buf before its first row: line end, BOM, header */
	size_t row_start;	/* where the row being built starts in buf */
	unsigned long long spilled;	/* bytes of that row an earlier flush wrote */
	unsigned nrows;		/* rows in buf */
	unsigned row_end[OUTPUT_ROWS_MAX];	/* where each of them ends */
	size_t used;
	char buf[OUTPUT_BUF];
};

int output_format_parse(const char *name, enum output_format *format)
{
	if (strcmp(name, "csv") == 0)
		*format = OUTPUT_CSV;
	else if (strcmp(name, "tsv") == 0)
		*format = OUTPUT_TSV;
	else if (strcmp(name, "jsonl") == 0)
		*format = OUTPUT_JSONL;
	else
		return -1;
	return 0;
}

int output_options_check(const struct output_options *opts, char *err, size_t errlen)
{
	/* RFC 8259: JSON text is never preceded by one; a reader may fail on it */
	if (opts->bom && opts->format == OUTPUT_JSONL) {
		snprintf(err, errlen, "--bom is for CSV and TSV: JSON Lines takes no byte-order mark");
		return -1;
	}
	/* a spreadsheet reads formulas from CSV and TSV, and JSON Lines text is never guarded */
	if (!opts->formula_guard && opts->format == OUTPUT_JSONL) {
		snprintf(err, errlen, "--no-formula-guard is for CSV and TSV: JSON Lines text is "
			 "written as it is");
		return -1;
	}
	return 0;
}

static const char *output_eol(enum output_format format)
{
	return format == OUTPUT_CSV ? "\r\n" : "\n";
}

static long output_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Whether a write a signal interrupted (or cut short) is to fail with EINTR. */
static bool output_gives_up(const struct output *out)
{
	if (!out->opts.give_up || !out->opts.give_up(out->opts.give_up_ctx))
		return false;
	errno = EINTR;
	return true;
}

/* Writes len bytes; *done says how many went out, also when it fails (errno set). */
static int output_write_all(const struct output *out, const char *p, size_t len, size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = write(out->fd, p + *done, len - *done);

		if (n < 0) {
			struct pollfd pfd = { .fd = out->fd, .events = POLLOUT };

			if (errno == EINTR && !output_gives_up(out))
				continue;
			if (errno == EAGAIN && poll(&pfd, 1, -1) >= 0)
				continue;
			return -1;
		}
		*done += (size_t)n;
		/* a blocking write cut short: a signal came after some bytes went */
		if (*done < len && output_gives_up(out))
			return -1;
	}
	return 0;
}

/*
 * A flush wrote only done bytes of buf: counts the rows that went out whole
 * and cuts the file back to the end of the last of them (or to the end of
 * the header, or to where this flush began). An output that cannot be cut
 * (a pipe, a terminal) keeps the torn part, and torn says so.
 */
static void output_fail(struct output *out, int err, size_t done)
{
	unsigned whole = 0;
	long long keep;		/* bytes of this flush to keep; negative drops a spilled row */

	while (whole < out->nrows && out->row_end[whole] <= done)
		whole++;
	if (whole > 0)
		keep = out->row_end[whole - 1];
	else if (out->spilled > 0)
		keep = -(long long)out->spilled;
	else
		keep = done >= out->head ? (long long)out->head : 0;
	out->rows_out += whole;
	if (keep != (long long)done) {
		off_t end = out->can_cut ? lseek(out->fd, 0, SEEK_CUR) : -1;
		off_t cut = end - (off_t)done + (off_t)keep;

		if (end < 0 || cut < 0 || ftruncate(out->fd, cut) < 0 || lseek(out->fd, cut, SEEK_SET) < 0)
			out->torn = true;
	}
	out->failed = true;
	out->errnum = err;
	if (err == EINTR)
		snprintf(out->error, sizeof(out->error), "cannot write to %s: nothing read it, "
			 "and the crawl was abandoned", out->name);
	else
		snprintf(out->error, sizeof(out->error), "cannot write to %s: %s", out->name,
			 strerror(err));
}

int output_flush(struct output *out)
{
	size_t done;

	if (out->failed)
		return -1;
	if (output_write_all(out, out->buf, out->used, &done) < 0) {
		output_fail(out, errno, done);
		return -1;
	}
	out->rows_out += out->nrows;
	/* the row being built, if any, is now partly in the file */
	out->spilled = (out->nrows > 0 ? 0 : out->spilled) + (out->used - out->row_start);
	out->used = out->head = out->row_start = 0;
	out->nrows = 0;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &out->flushed);
	return 0;
}

static void output_put(struct output *out, const char *p, size_t len)
{
	while (len > 0) {
		size_t room = OUTPUT_BUF - out->used;
		size_t n = len < room ? len : room;

		memcpy(out->buf + out->used, p, n);
		out->used += n;
		p += n;
		len -= n;
		if (len > 0 && output_flush(out) < 0)
			return;
	}
}

static void output_putc(struct output *out, char c)
{
	if (out->used == OUTPUT_BUF && output_flush(out) < 0)
		return;
	out->buf[out->used++] = c;
}

static void output_puts(struct output *out, const char *s)
{
	output_put(out, s, strlen(s));
}

/*
 * A spreadsheet runs a cell that starts with = + - or @ as a formula, and
 * may do the same after a leading tab or carriage return. Any text field can
 * carry one: a list line, a redirect target, a title, a content type. Numbers
 * never start with one.
 */
static bool output_needs_guard(const struct output_options *opts, const char *s)
{
	return opts->formula_guard && s && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

static void csv_field(struct output *out, const char *s, bool text)
{
	bool quote;

	if (!s)
		return;
	quote = s[strcspn(s, ",\"\r\n")] != '\0';
	if (quote)
		output_putc(out, '"');
	if (text && output_needs_guard(&out->opts, s))
		output_putc(out, '\'');
	while (*s) {
		size_t n = strcspn(s, "\"");

		output_put(out, s, n);
		s += n;
		if (*s == '"') {
			output_put(out, "\"\"", 2);
			s++;
		}
	}
	if (quote)
		output_putc(out, '"');
}

/* Tab, newline and return as \t \n \r, the escapes TSV and JSON share; false for others. */
static bool output_escape_space(struct output *out, char c)
{
	switch (c) {
	case '\t':
		output_put(out, "\\t", 2);
		return true;
	case '\n':
		output_put(out, "\\n", 2);
		return true;
	case '\r':
		output_put(out, "\\r", 2);
		return true;
	default:
		return false;
	}
}

/* TSV cannot quote: tab, newline, return and backslash become \t \n \r \\. */
static void tsv_field(struct output *out, const char *s, bool text)
{
	if (!s)
		return;
	if (text && output_needs_guard(&out->opts, s))
		output_putc(out, '\'');
	while (*s) {
		size_t n = strcspn(s, "\t\n\r\\");

		output_put(out, s, n);
		s += n;
		if (*s == '\0')
			break;
		if (!output_escape_space(out, *s))
			output_put(out, "\\\\", 2);
		s++;
	}
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD so the line stays valid JSON. */
static void json_string(struct output *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		output_put(out, "null", 4);
		return;
	}
	output_putc(out, '"');
	while (*p) {
		size_t n;
		char esc[8];

		if (*p == '"' || *p == '\\') {
			output_putc(out, '\\');
			output_putc(out, (char)*p++);
			continue;
		}
		if (*p < 0x20) {
			if (!output_escape_space(out, (char)*p)) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				output_puts(out, esc);
			}
			p++;
			continue;
		}
		n = utf8_seq_len(p, 4);
		if (n == 0) {
			output_put(out, "\xef\xbf\xbd", 3);
			p++;
			continue;
		}
		output_put(out, (const char *)p, n);
		p += n;
	}
	output_putc(out, '"');
}

/* A number column: text, or NULL for an empty field / JSON null. */
static const char *output_number(char *buf, size_t size, long long v, bool present)
{
	if (!present)
		return NULL;
	snprintf(buf, size, "%lld", v);
	return buf;
}

/* The same for an unsigned count, which may pass 2^63. */
static const char *output_count(char *buf, size_t size, unsigned long long v, bool present)
{
	if (!present)
		return NULL;
	snprintf(buf, size, "%llu", v);
	return buf;
}

static const char *output_ms(char *buf, size_t size, long long us)
{
	if (us < 0)
		return NULL;
	snprintf(buf, size, "%lld.%03lld", us / 1000, us % 1000);
	return buf;
}

struct output_fields {
	const char *v[OUTPUT_NCOLUMNS_ALL];
	bool text[OUTPUT_NCOLUMNS_ALL];	/* a string rather than a number */
	char num[12][32];
};

static size_t output_ncolumns(const struct output_options *opts)
{
	if (opts->n_fields > 0)
		return opts->n_fields;
	return opts->follow_columns ? OUTPUT_NCOLUMNS_FOLLOW : OUTPUT_NCOLUMNS;
}

/* The column (an index into output_columns) written i-th. */
static unsigned output_column(const struct output_options *opts, size_t i)
{
	return opts->n_fields > 0 ? opts->fields[i] : (unsigned)i;
}

bool output_has_column(const struct output_options *opts, unsigned column)
{
	for (size_t i = 0; i < output_ncolumns(opts); i++)
		if (output_column(opts, i) == column)
			return true;
	return false;
}

int output_fields_parse(const char *list, struct output_options *opts, char *err, size_t errlen)
{
	const char *p = list;

	opts->n_fields = 0;
	for (;;) {
		size_t len = strcspn(p, ","), c;

		/* as compare's lists: "url,,status" most likely lost a name */
		if (len == 0) {
			snprintf(err, errlen, "--fields: empty item in '%.200s'", list);
			return -1;
		}
		for (c = 0; c < OUTPUT_NCOLUMNS_ALL; c++)
			if (strlen(output_columns[c]) == len && memcmp(p, output_columns[c], len) == 0)
				break;
		if (c == OUTPUT_NCOLUMNS_ALL) {
			snprintf(err, errlen, "unknown field '%.*s' in --fields: use some of url, "
				 "final_url, status, bytes, content_type, ttfb_ms, time_ms, redirects, "
				 "title, links, worker, error, depth, referrer, retries, location, "
				 "remote_ip, http_version, time_connect, time_tls", (int)(len < 64 ? len : 64), p);
			return -1;
		}
		if (output_has_column(opts, (unsigned)c) && opts->n_fields > 0) {
			snprintf(err, errlen, "field '%s' is twice in --fields", output_columns[c]);
			return -1;
		}
		opts->fields[opts->n_fields++] = (unsigned char)c;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/* 11 -> "1.1", 20 -> "2"; NULL when no response came. */
static const char *output_http_version(char *buf, size_t size, long v)
{
	if (v <= 0)
		return NULL;
	if (v % 10 == 0)
		snprintf(buf, size, "%ld", v / 10);
	else
		snprintf(buf, size, "%ld.%ld", v / 10, v % 10);
	return buf;
}

static void output_collect(struct output_fields *f, const char *url,
			   const struct crawl_record *r, long worker)
{
	bool fetched = r->time_us >= 0;

	memset(f->text, 0, sizeof(f->text));
	f->v[0] = url;
	f->v[1] = r->final_url;
	f->v[2] = output_number(f->num[0], sizeof(f->num[0]), r->status, r->status > 0);
	f->v[3] = output_count(f->num[1], sizeof(f->num[1]), r->bytes, fetched);
	f->v[4] = r->content_type;
	f->v[5] = output_ms(f->num[2], sizeof(f->num[2]), r->ttfb_us);
	f->v[6] = output_ms(f->num[3], sizeof(f->num[3]), r->time_us);
	f->v[7] = output_number(f->num[4], sizeof(f->num[4]), r->redirects, fetched);
	f->v[8] = r->title;
	f->v[9] = output_number(f->num[5], sizeof(f->num[5]), r->links, r->links >= 0);
	f->v[10] = output_number(f->num[6], sizeof(f->num[6]), worker, worker >= 0);
	f->v[11] = r->error;
	f->v[12] = output_number(f->num[7], sizeof(f->num[7]), r->depth, r->depth >= 0);
	f->v[13] = r->referrer;
	f->v[14] = output_number(f->num[8], sizeof(f->num[8]), r->retries, fetched);
	f->v[15] = r->location;
	f->v[16] = r->remote_ip;
	f->v[17] = output_http_version(f->num[9], sizeof(f->num[9]), r->http_version);
	f->v[18] = output_ms(f->num[10], sizeof(f->num[10]), r->connect_us > 0 ? r->connect_us : -1);
	f->v[19] = output_ms(f->num[11], sizeof(f->num[11]), r->tls_us > 0 ? r->tls_us : -1);
	f->text[0] = f->text[1] = f->text[4] = f->text[8] = f->text[11] = f->text[13] = true;
	/* "1.1" is a version, not a number: a string in JSON too */
	f->text[15] = f->text[16] = f->text[17] = true;
}

int output_row(struct output *out, const char *url, const struct crawl_record *rec, long worker)
{
	struct output_fields f;

	if (out->failed)
		return -1;
	/* a held output whose owner let the row table fill: the table's bound wins */
	if (out->nrows == OUTPUT_ROWS_MAX && output_flush(out) < 0)
		return -1;
	output_collect(&f, url, rec, worker);
	if (out->opts.format == OUTPUT_JSONL)
		output_putc(out, '{');
	for (size_t i = 0; i < output_ncolumns(&out->opts); i++) {
		unsigned c = output_column(&out->opts, i);

		switch (out->opts.format) {
		case OUTPUT_CSV:
			if (i > 0)
				output_putc(out, ',');
			csv_field(out, f.v[c], f.text[c]);
			break;
		case OUTPUT_TSV:
			if (i > 0)
				output_putc(out, '\t');
			tsv_field(out, f.v[c], f.text[c]);
			break;
		case OUTPUT_JSONL:
			if (i > 0)
				output_putc(out, ',');
			json_string(out, output_columns[c]);
			output_putc(out, ':');
			if (f.text[c] || !f.v[c])
				json_string(out, f.v[c]);
			else
				output_puts(out, f.v[c]);
			break;
		}
	}
	if (out->opts.format == OUTPUT_JSONL)
		output_putc(out, '}');
	output_puts(out, output_eol(out->opts.format));
	if (out->failed)
		return -1;
	out->row_end[out->nrows++] = (unsigned)out->used;
	out->row_start = out->used;
	if (!out->opts.held && output_due(out))
		return output_flush(out);
	return 0;
}

void output_discard(struct output *out)
{
	out->used = out->row_start = out->head;
	out->nrows = 0;
}

bool output_due(const struct output *out)
{
	if (out->nrows == 0)
		return false;
	return out->live || out->used >= OUTPUT_FLUSH_AT || out->nrows == OUTPUT_ROWS_MAX ||
	       output_ms_since(&out->flushed) >= OUTPUT_FLUSH_MS;
}

/*
 * The header line of the columns of opts (NULL: the usual 12) in a format,
 * without its line end (empty for JSON Lines); its length.
 */
static size_t output_header_text(enum output_format format, const struct output_options *opts,
				 char *buf, size_t size)
{
	size_t n = 0, ncolumns = opts ? output_ncolumns(opts) : OUTPUT_NCOLUMNS;

	buf[0] = '\0';
	if (format == OUTPUT_JSONL)
		return 0;
	for (size_t i = 0; i < ncolumns && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : format == OUTPUT_CSV ?
				      "," : "\t",
				      output_columns[opts ? output_column(opts, i) : i]);
	return n;
}

/* How a JSON Lines row of opts starts: {"url": or the first key of --fields. */
static size_t output_jsonl_start(const struct output_options *opts, char *buf, size_t size)
{
	return (size_t)snprintf(buf, size, "{\"%s\":", output_columns[output_column(opts, 0)]);
}

/* What goes before the first row: a line end the file lacked, the BOM, the header. */
static void output_start(struct output *out, const char *line_end, bool header, bool bom)
{
	char text[256];
	size_t n = output_header_text(out->opts.format, &out->opts, text, sizeof(text));

	if (line_end)
		output_puts(out, line_end);
	if (header && n > 0) {
		if (bom)
			output_put(out, OUTPUT_BOM, 3);
		output_put(out, text, n);
		output_puts(out, output_eol(out->opts.format));
	}
	out->head = out->row_start = out->used;
}

/* The format whose header (or first key) p starts with, or NULL. */
static const char *output_seems(const char *p, size_t len)
{
	char text[256];

	if (len >= 7 && memcmp(p, "{\"url\":", 7) == 0)
		return output_format_names[OUTPUT_JSONL];
	for (int f = OUTPUT_CSV; f <= OUTPUT_TSV; f++) {
		size_t n = output_header_text((enum output_format)f, NULL, text, sizeof(text));

		if (len >= n && memcmp(p, text, n) == 0)
			return output_format_names[f];
	}
	return NULL;
}

/*
 * A header of ours whose line ends are another format's (a CSV saved with
 * LF by an editor or a converter): why it is refused, or NULL.
 */
static const char *output_other_line_end(const char *p, size_t len,
					 const struct output_options *opts)
{
	char want[256];
	size_t n;

	if (!opts || opts->format == OUTPUT_JSONL)
		return NULL;
	n = output_header_text(opts->format, opts, want, sizeof(want));
	if (len <= n || memcmp(p, want, n) != 0)
		return NULL;
	if (opts->format == OUTPUT_CSV && p[n] == '\n')
		return "its lines end in LF, not in the CRLF crawlpool's CSV has (was it converted?)";
	if (opts->format == OUTPUT_TSV && p[n] == '\r')
		return "its lines end in CRLF, not in the LF crawlpool's TSV has (was it converted?)";
	return NULL;
}

/*
 * Whether the first line of p (len bytes) is a header of ours naming other
 * columns than opts asks for (--fields, --follow): then what differs is put
 * in buf (size bytes) and true returned.
 */
static bool output_other_columns(const char *p, size_t len, const struct output_options *opts,
				 char *buf, size_t size)
{
	char sep = opts->format == OUTPUT_CSV ? ',' : '\t', want[256];
	size_t line = strcspn(p, "\r\n"), at = 0;

	if (opts->format == OUTPUT_JSONL || line >= len || line == 0)
		return false;
	while (at <= line) {
		size_t n = 0, c;

		while (at + n < line && p[at + n] != sep)
			n++;
		for (c = 0; c < OUTPUT_NCOLUMNS_ALL; c++)
			if (strlen(output_columns[c]) == n && memcmp(p + at, output_columns[c], n) == 0)
				break;
		if (c == OUTPUT_NCOLUMNS_ALL)
			return false;
		at += n + 1;
	}
	if (output_header_text(opts->format, opts, want, sizeof(want)) == line &&
	    memcmp(want, p, line) == 0)
		return false;
	snprintf(buf, size, "its first line is not crawlpool's %s header of this crawl's columns: "
		 "it names '%.*s', this crawl writes '%s' (--fields, --follow)",
		 output_format_names[opts->format], (int)(line < 200 ? line : 200), p, want);
	for (char *w = buf; *w; w++)
		*w = *w == '\t' ? ',' : *w;
	return true;
}

/*
 * JSON Lines has no header: a row's keys are its columns. Puts the keys of
 * the row p starts with (len bytes) in buf, comma-joined as --fields names
 * them; false if p holds no whole row of ours (flat: strings, numbers, null).
 */
static bool jsonl_row_keys(const char *p, size_t len, char *buf, size_t size)
{
	size_t i = 1, n = 0, k;

	if (len == 0 || p[0] != '{')
		return false;
	for (;;) {
		if (i >= len || p[i] != '"')
			return false;
		for (k = ++i; k < len && p[k] != '"'; k++)
			if (p[k] == '\\' || p[k] == '\n')
				return false;
		if (k + 1 >= len || p[k + 1] != ':' || n + (k - i) + 2 > size)
			return false;
		if (n > 0)
			buf[n++] = ',';
		memcpy(buf + n, p + i, k - i);
		n += k - i;
		i = k + 2;
		if (i < len && p[i] == '"') {
			for (i++; i < len && p[i] != '"'; i++)
				if (p[i] == '\\')
					i++;
			i++;
		} else {
			while (i < len && p[i] != ',' && p[i] != '}' && p[i] != '\n')
				i++;
		}
		if (i >= len || (p[i] != ',' && p[i] != '}'))
			return false;
		if (p[i++] == '}')
			break;
	}
	buf[n] = '\0';
	return true;
}

/*
 * The first row of the JSON Lines file rfd, when whole, must hold the keys
 * this crawl writes (--fields, --follow), or its rows and ours would not
 * be one table. 0, or -1 with err filled ("cannot VERB NAME: ...").
 */
static int jsonl_same_keys(int rfd, const struct output_options *opts, const char *verb,
			   const char *name, char *err, size_t errlen)
{
	/* no row of ours is longer than the buffer it was written from */
	char *row = malloc(OUTPUT_BUF), have[512], want[256];
	ssize_t n = row ? pread(rfd, row, OUTPUT_BUF, 0) : -1;
	bool same = true;

	if (n > 0 && jsonl_row_keys(row, (size_t)n, have, sizeof(have))) {
		output_header_text(OUTPUT_CSV, opts, want, sizeof(want));
		same = strcmp(have, want) == 0;
	}
	free(row);
	if (same)
		return 0;
	snprintf(err, errlen, "cannot %s %s: its rows hold the keys '%s', this crawl writes '%s' "
		 "(--fields, --follow)", verb, name, have, want);
	return -1;
}

/* A second descriptor on the regular file out->fd, for reading; -1 with errno. */
static int output_reader(const struct output *out, const char *path, const struct stat *st)
{
	char self[64];
	struct stat rst;
	int rfd;

	if (!out->owns_fd) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", out->fd);
		path = self;
	}
	rfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (rfd < 0)
		return -1;
	if (fstat(rfd, &rst) < 0 || rst.st_dev != st->st_dev || rst.st_ino != st->st_ino) {
		close(rfd);
		errno = ESTALE;		/* the name now leads to another file */
		return -1;
	}
	return rfd;
}

static int output_torn_tail(struct output *out, int rfd, const struct stat *st,
			    const char *line_end, char *err, size_t errlen);

/* output_examine() on the file open for reading as rfd. */
static int output_examine_fd(struct output *out, int rfd, const struct stat *st,
			     const char **line_end, bool *header, char *err, size_t errlen)
{
	enum output_format format = out->opts.format;
	const char *fname = output_format_names[format], *eol = output_eol(format), *seems;
	char first[512], last[2], want[256];
	size_t skip, len, wlen, elen = strlen(eol);
	ssize_t n, nlast;
	bool ok;

	n = pread(rfd, first, sizeof(first), 0);
	nlast = pread(rfd, last, 2, st->st_size >= 2 ? st->st_size - 2 : 0);
	ok = format != OUTPUT_JSONL || n <= 0 ||
	     jsonl_same_keys(rfd, &out->opts, "append to", out->name, err, errlen) == 0;
	if (!ok)
		return -1;
	if (n <= 0 || nlast <= 0) {
		snprintf(err, errlen, "cannot append to %s: cannot read it to check its header: %s",
			 out->name, n < 0 || nlast < 0 ? strerror(errno) : "it shrank");
		return -1;
	}
	skip = n >= 3 && memcmp(first, OUTPUT_BOM, 3) == 0 ? 3 : 0;
	len = (size_t)n - skip;
	*line_end = NULL;
	*header = false;
	if (len == 0 && format != OUTPUT_JSONL) {
		/* a BOM alone: the header follows it, without a second BOM */
		*header = true;
		return 0;
	}
	if (format == OUTPUT_JSONL) {
		wlen = output_jsonl_start(&out->opts, want, sizeof(want));
		ok = skip == 0 && len >= wlen && memcmp(first, want, wlen) == 0;
	} else {
		wlen = output_header_text(format, &out->opts, want, sizeof(want));
		/* the header's line end, or the end of a file that is only the header */
		ok = len >= wlen && memcmp(first + skip, want, wlen) == 0 &&
		     memcmp(first + skip + wlen, eol, len - wlen < elen ? len - wlen : elen) == 0;
	}
	if (!ok) {
		const char *ends = output_other_line_end(first + skip, len, &out->opts);
		char why[600];

		seems = output_seems(first + skip, len);
		if (ends)
			snprintf(err, errlen, "cannot append to %s: %s", out->name, ends);
		else if (output_other_columns(first + skip, len, &out->opts, why, sizeof(why)))
			snprintf(err, errlen, "cannot append to %s: %s", out->name, why);
		else if (seems && strcmp(seems, fname) != 0)
			snprintf(err, errlen, "cannot append %s rows to %s: it holds %s rows", fname,
				 out->name, seems);
		else
			snprintf(err, errlen, "cannot append %s rows to %s: its first line is not %s",
				 fname, out->name, format == OUTPUT_JSONL ?
				 "a crawlpool jsonl row" : format == OUTPUT_CSV ?
				 "crawlpool's csv header" : "crawlpool's tsv header");
		return -1;
	}
	if (last[nlast - 1] != '\n') {
		*line_end = format == OUTPUT_CSV && last[nlast - 1] == '\r' ? "\n" : eol;
		return output_torn_tail(out, rfd, st, *line_end, err, errlen);
	}
	return 0;
}

/*
 * --append to a file that has something in it: its first line must be this
 * format's header (after an optional BOM) or, for JSON Lines, a row of ours,
 * so rows never land in a file they do not belong to. Sets *line_end when
 * the last line lacks one, *header when the file holds only a BOM.
 */
static int output_examine(struct output *out, const char *path, const struct stat *st,
			  const char **line_end, bool *header, char *err, size_t errlen)
{
	int rfd = output_reader(out, path, st), rc;

	if (rfd < 0) {
		snprintf(err, errlen, "cannot append to %s: cannot read it to check its header: %s",
			 out->name, strerror(errno));
		return -1;
	}
	rc = output_examine_fd(out, rfd, st, line_end, header, err, errlen);
	close(rfd);
	return rc;
}

bool output_is_a_list(const struct stat *st, const struct stat *lists, size_t n_lists)
{
	if (!S_ISREG(st->st_mode))
		return false;
	for (size_t i = 0; i < n_lists; i++)
		if (S_ISREG(lists[i].st_mode) && st->st_dev == lists[i].st_dev &&
		    st->st_ino == lists[i].st_ino)
			return true;
	return false;
}

/*
 * --resume: the file must be as output_read_rows() found it. Its torn tail
 * goes, and the header comes only if the file has none whole yet.
 */
static int output_cut_torn(struct output *out, const struct stat *st, bool *header, bool *bom,
			   char *err, size_t errlen)
{
	const struct output_found *found = out->opts.resume;

	if (!S_ISREG(st->st_mode) || (long long)st->st_size != found->size) {
		snprintf(err, errlen, "cannot resume %s: it changed while it was being read",
			 out->name);
		return -1;
	}
	if (found->size == 0)
		return 0;
	if (found->whole < found->size && ftruncate(out->fd, (off_t)found->whole) < 0) {
		snprintf(err, errlen, "cannot cut the torn last row of %s: %s", out->name,
			 strerror(errno));
		return -1;
	}
	*header = !found->header;
	/* a BOM can only lead a file: one cut to nothing is new */
	*bom = *bom && found->whole == 0;
	return 0;
}

struct output *output_open(const char *path, const struct output_options *opts,
			   const struct stat *lists, size_t n_lists, char *err, size_t errlen)
{
	struct output *out = calloc(1, sizeof(*out));
	bool to_stdout = strcmp(path, "-") == 0, header = true, bom = opts->bom;
	const char *line_end = NULL;
	struct stat st;

	if (!out || (to_stdout ? !(out->name = strdup("standard output")) :
				 asprintf(&out->name, "'%s'", path) < 0)) {
		snprintf(err, errlen, "out of memory opening '%s'", path);
		free(out);
		return NULL;
	}
	out->opts = *opts;
	if (to_stdout) {
		out->fd = STDOUT_FILENO;
		if (fstat(out->fd, &st) < 0) {
			snprintf(err, errlen, "cannot write to standard output: %s",
				 errno == EBADF ? "it is closed" : strerror(errno));
			goto fail;
		}
	} else {
		/* no O_TRUNC: nothing the user has changes before the checks below */
		out->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY |
			       (opts->append || opts->resume ? O_APPEND : 0), 0666);
		if (out->fd < 0) {
			snprintf(err, errlen, "cannot open output '%s': %s", path, strerror(errno));
			goto fail;
		}
		out->owns_fd = true;
		if (fstat(out->fd, &st) < 0) {
			snprintf(err, errlen, "cannot open output '%s': %s", path, strerror(errno));
			goto fail;
		}
	}
	/* a symlink, a hard link, ./list or /dev/stdin: one device and inode */
	if (output_is_a_list(&st, lists, n_lists)) {
		snprintf(err, errlen, "cannot write to %s: it is the url list being read", out->name);
		goto fail;
	}
	/*
	 * Two crawls writing one file would interleave their rows, and a resume
	 * would count the other's as its own: the first holds it to the end. A
	 * file system without locks is written all the same.
	 */
	if (out->owns_fd && S_ISREG(st.st_mode) && flock(out->fd, LOCK_EX | LOCK_NB) < 0 &&
	    errno == EWOULDBLOCK) {
		snprintf(err, errlen, "cannot write to %s: another crawl is writing it", out->name);
		goto fail;
	}
	if (opts->resume) {
		if (output_cut_torn(out, &st, &header, &bom, err, errlen) < 0)
			goto fail;
	} else if (opts->append && S_ISREG(st.st_mode) && st.st_size > 0) {
		if (output_examine(out, path, &st, &line_end, &header, err, errlen) < 0)
			goto fail;
		bom = false;	/* a BOM can only lead a file: the file keeps what it has */
	} else if (!opts->append && !to_stdout && S_ISREG(st.st_mode) && st.st_size > 0 &&
		   ftruncate(out->fd, 0) < 0) {
		snprintf(err, errlen, "cannot open output '%s': %s", path, strerror(errno));
		goto fail;
	}
	out->can_cut = S_ISREG(st.st_mode);
	out->live = isatty(out->fd);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &out->flushed);
	output_start(out, line_end, header, bom);
	return out;

fail:
	if (out->owns_fd)
		close(out->fd);
	free(out->name);
	free(out);
	return NULL;
}

const char *output_error(const struct output *out)
{
	return out->failed ? out->error : NULL;
}

unsigned long output_rows(const struct output *out)
{
	return out->rows_out;
}

bool output_reader_gone(const struct output *out)
{
	return out->failed && out->errnum == EPIPE;
}

bool output_torn(const struct output *out)
{
	return out->torn;
}

int output_close(struct output *out, char *err, size_t errlen)
{
	int rc;

	if (!out)
		return 0;
	rc = output_flush(out);
	if (out->owns_fd && close(out->fd) < 0 && rc == 0 && errno != EINTR) {
		snprintf(out->error, sizeof(out->error), "cannot write to %s: %s", out->name,
			 strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", out->error);
	free(out->name);
	free(out);
	return rc;
}

/*
 * Reading back our own rows (--resume). A byte at a time through one small
 * state machine per format, over a bounded buffer: memory stays flat
 * whatever the file holds, except the url being read, which is capped.
 */
#define OUTPUT_SCAN_BUF (64 * 1024)
/* No url a crawl writes comes near this (an argument is at most 128 KiB). */
#define OUTPUT_SCAN_URL_MAX (512 * 1024)
#define OUTPUT_JSONL_START "{\"url\":"
/*
 * A torn tail is part of one row, and no row of ours comes near this: more
 * bytes that do not end a row (a quote never closed, a line end never
 * written) are no tear but a file that is not ours, and it is not cut.
 */
#define OUTPUT_TORN_MAX (1024 * 1024)

enum scan_state {
	SCAN_HEADER,		/* CSV, TSV: inside the header line */
	SCAN_START,		/* a field's first byte */
	SCAN_PLAIN,		/* inside a field that is not quoted */
	SCAN_QUOTED,		/* CSV: inside quotes */
	SCAN_QUOTE,		/* CSV: a quote inside quotes: the end, or the first of "" */
	SCAN_CR,		/* CSV: a CR, the LF must follow */
	SCAN_ESCAPE,		/* TSV: after a backslash; JSON: after one in the url */
	SCAN_PREFIX,		/* JSON Lines: inside {"url": */
	SCAN_STRING,		/* JSON Lines: inside the url string */
	SCAN_UNICODE,		/* JSON Lines: the four digits of \uXXXX */
	SCAN_REST,		/* JSON Lines: the other keys, to the line end */
};

struct output_scan {
	enum output_format format;
	size_t ncolumns;
	size_t url_field;	/* where the url is among them */
	enum scan_state state;
	size_t field;		/* the field being read */
	size_t pos;		/* SCAN_HEADER, SCAN_PREFIX: bytes matched; SCAN_UNICODE: digits */
	unsigned cp;		/* SCAN_UNICODE: the code point so far */
	char last;		/* JSON Lines: the last byte before the line end */
	char header[256];	/* CSV, TSV: the header line with its line end */
	size_t header_len;
	char *url;
	size_t url_len;
	const char *why;	/* why a row is not ours */
	const struct output_options *opts;
};

static int scan_bad(struct output_scan *s, const char *why)
{
	s->why = why;
	return -1;
}

static int scan_url(struct output_scan *s, char c)
{
	if (s->field != s->url_field)
		return 0;
	if (s->url_len == OUTPUT_SCAN_URL_MAX)
		return scan_bad(s, "its url is too long");
	s->url[s->url_len++] = c;
	return 0;
}

static int scan_next_field(struct output_scan *s)
{
	if (++s->field == s->ncolumns)
		return scan_bad(s, "it has too many fields");
	s->state = SCAN_START;
	return 0;
}

/* 1: a whole row was read. */
static int scan_row_end(struct output_scan *s)
{
	if (s->format != OUTPUT_JSONL && s->field + 1 != s->ncolumns)
		return scan_bad(s, "it has too few fields");
	if (s->format == OUTPUT_JSONL && s->last != '}')
		return scan_bad(s, "it does not end with }");
	return 1;
}

static int scan_csv(struct output_scan *s, char c)
{
	switch (s->state) {
	case SCAN_START:
		if (c == '"') {
			s->state = SCAN_QUOTED;
			return 0;
		}
		/* fall through */
	case SCAN_PLAIN:
		s->state = SCAN_PLAIN;
		if (c == ',')
			return scan_next_field(s);
		if (c == '\r') {
			s->state = SCAN_CR;
			return 0;
		}
		if (c == '"' || c == '\n')
			return scan_bad(s, "a quote or a line end is out of place");
		return scan_url(s, c);
	case SCAN_QUOTED:
		if (c == '"') {
			s->state = SCAN_QUOTE;
			return 0;
		}
		return scan_url(s, c);
	case SCAN_QUOTE:
		if (c == '"') {
			s->state = SCAN_QUOTED;
			return scan_url(s, c);
		}
		if (c == ',')
			return scan_next_field(s);
		if (c == '\r') {
			s->state = SCAN_CR;
			return 0;
		}
		return scan_bad(s, "text follows a closing quote");
	case SCAN_CR:
		if (c != '\n')
			return scan_bad(s, "a CR without its LF");
		return scan_row_end(s);
	default:
		return scan_bad(s, "bad state");
	}
}

static int scan_tsv(struct output_scan *s, char c)
{
	static const char escapes[] = "t\tn\nr\r\\\\";
	const char *e;

	if (s->state == SCAN_ESCAPE) {
		s->state = SCAN_PLAIN;
		e = c ? strchr(escapes, c) : NULL;
		if (!e || (e - escapes) % 2 != 0)
			return scan_bad(s, "an unknown escape");
		return scan_url(s, e[1]);
	}
	s->state = SCAN_PLAIN;
	switch (c) {
	case '\t':
		return scan_next_field(s);
	case '\n':
		return scan_row_end(s);
	case '\\':
		s->state = SCAN_ESCAPE;
		return 0;
	case '\r':
		return scan_bad(s, "a CR is out of place");
	default:
		return scan_url(s, c);
	}
}

/* A code point of a \u escape, as UTF-8; a surrogate, which needs its pair, as U+FFFD. */
static int scan_code_point(struct output_scan *s, unsigned cp)
{
	char u[4];
	size_t n;

	/* a \uXXXX escape: at most U+FFFF */
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	n = utf8_encode(cp, u);
	for (size_t i = 0; i < n; i++)
		if (scan_url(s, u[i]) < 0)
			return -1;
	return 0;
}

/* JSON Lines: {"url":"...", then anything to a line end after a }. */
static int scan_jsonl(struct output_scan *s, char c)
{
	static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const char *e;
	int d;

	switch (s->state) {
	case SCAN_START:
		s->state = SCAN_PREFIX;
		s->pos = 0;
		/* fall through */
	case SCAN_PREFIX:
		if (s->pos < strlen(OUTPUT_JSONL_START)) {
			if (c != OUTPUT_JSONL_START[s->pos++])
				return scan_bad(s, "it does not start with {\"url\":");
			return 0;
		}
		if (c != '"')
			return scan_bad(s, "its url is not a string");
		s->state = SCAN_STRING;
		return 0;
	case SCAN_STRING:
		if (c == '"') {
			s->state = SCAN_REST;
			s->field = 1;
			return 0;
		}
		if (c == '\\') {
			s->state = SCAN_ESCAPE;
			return 0;
		}
		if ((unsigned char)c < 0x20)
			return scan_bad(s, "a control character in its url");
		return scan_url(s, c);
	case SCAN_ESCAPE:
		s->state = SCAN_STRING;
		if (c == 'u') {
			s->state = SCAN_UNICODE;
			s->pos = 0;
			s->cp = 0;
			return 0;
		}
		e = c ? strchr(escapes, c) : NULL;
		if (!e || (e - escapes) % 2 != 0)
			return scan_bad(s, "an unknown escape");
		return scan_url(s, e[1]);
	case SCAN_UNICODE:
		d = num_hex_digit(c);
		if (d < 0)
			return scan_bad(s, "a bad \\u escape");
		s->cp = s->cp * 16 + (unsigned)d;
		if (++s->pos < 4)
			return 0;
		s->state = SCAN_STRING;
		return scan_code_point(s, s->cp);
	case SCAN_REST:
		if (c == '\n')
			return scan_row_end(s);
		s->last = c;
		return 0;
	default:
		return scan_bad(s, "bad state");
	}
}

/* Reads one byte of the file: 0, 1 at the end of a whole row or the header, -1 when not ours. */
static int scan_byte(struct output_scan *s, char c)
{
	if (s->state == SCAN_HEADER) {
		if (c != s->header[s->pos++])
			return scan_bad(s, "header");
		if (s->pos < s->header_len)
			return 0;
		s->state = SCAN_START;
		return 1;
	}
	switch (s->format) {
	case OUTPUT_CSV:
		return scan_csv(s, c);
	case OUTPUT_TSV:
		return scan_tsv(s, c);
	default:
		return scan_jsonl(s, c);
	}
}

/*
 * --append to a file whose last line lacks its line end: a whole row gets
 * one, but a row a crawl killed mid-write left torn is refused, as rows
 * after it would be lost in it (an open CSV quote) or follow a line that is
 * no JSON. Its first line is checked already: a header alone is whole.
 */
static int output_torn_tail(struct output *out, int rfd, const struct stat *st,
			    const char *line_end, char *err, size_t errlen)
{
	struct output_scan s = { .format = out->opts.format, .ncolumns = output_ncolumns(&out->opts),
				 .state = SCAN_START, .url_field = SIZE_MAX, .opts = &out->opts };
	size_t size = st->st_size < OUTPUT_TORN_MAX ? (size_t)st->st_size : OUTPUT_TORN_MAX;
	off_t from = st->st_size - (off_t)size;
	char *buf = malloc(size + strlen(line_end)), *line;
	ssize_t got = buf ? pread(rfd, buf, size, from) : 0;
	int r = -1;
	size_t len;

	if (!buf || got != (ssize_t)size) {
		snprintf(err, errlen, "cannot append to %s: cannot read its last line: %s", out->name,
			 !buf ? "out of memory" : got < 0 ? strerror(errno) : "it changed");
		goto out;
	}
	line = memrchr(buf, '\n', size);
	line = line ? line + 1 : buf;
	len = size - (size_t)(line - buf);
	if (line == buf && from == 0 && s.format != OUTPUT_JSONL) {
		r = 0;
		goto out;
	}
	memcpy(line + len, line_end, strlen(line_end));
	s.why = line == buf && from > 0 ? "too long to be a row" : NULL;
	for (size_t i = 0; !s.why && i < len + strlen(line_end) && r != 1; i++)
		r = scan_byte(&s, line[i]);
	if (!s.why && r == 1) {
		r = 0;
		goto out;
	}
	snprintf(err, errlen, "cannot append to %s: its last line (%zu bytes, no line end) is a "
		 "torn row (%s): cut it off, or go on with --resume, which does", out->name, len,
		 s.why ? s.why : "it ends inside a quote");
	r = -1;
out:
	free(buf);
	return r;
}

/* "cannot resume 'x': it holds tsv rows", or what else is wrong with its start. */
static void scan_wrong_start(const struct output_scan *s, const char *name, const char *first,
			     size_t len, char *err, size_t errlen)
{
	const char *fname = output_format_names[s->format];
	const char *seems = output_seems(first, len);
	const char *line_end = output_other_line_end(first, len, s->opts);
	char why[600];

	if (line_end)
		snprintf(err, errlen, "cannot resume %s: %s", name, line_end);
	else if (s->opts && output_other_columns(first, len, s->opts, why, sizeof(why)))
		snprintf(err, errlen, "cannot resume %s: %s", name, why);
	else if (seems && strcmp(seems, fname) != 0)
		snprintf(err, errlen, "cannot resume %s: it holds %s rows, not %s", name, seems, fname);
	else
		snprintf(err, errlen, "cannot resume %s: its first line is not %s", name,
			 s->format == OUTPUT_JSONL ? "a crawlpool jsonl row" : s->format == OUTPUT_CSV ?
			 "crawlpool's csv header" : "crawlpool's tsv header");
}

/* The bytes of fd from its start; the whole rows go to cb. 0 or -1 with err filled. */
static int scan_file(struct output_scan *s, int fd, const char *name, output_row_cb cb, void *ctx,
		     struct output_found *found, char *err, size_t errlen)
{
	char *buf = malloc(OUTPUT_SCAN_BUF);
	long long at = 0;	/* the file offset of buf[0] */
	size_t skip = 0;
	ssize_t n;
	int rc = -1;

	if (!buf) {
		snprintf(err, errlen, "out of memory reading %s", name);
		return -1;
	}
	while ((n = read(fd, buf, OUTPUT_SCAN_BUF)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", name, strerror(errno));
			goto out;
		}
		/* a BOM, or the start of one that was torn */
		if (at == 0 && s->format != OUTPUT_JSONL &&
		    memcmp(buf, OUTPUT_BOM, n < 3 ? (size_t)n : 3) == 0) {
			skip = n < 3 ? (size_t)n : 3;
			found->whole = n < 3 ? 0 : 3;
		}
		for (size_t i = at == 0 ? skip : 0; i < (size_t)n; i++) {
			bool in_header = s->state == SCAN_HEADER;
			int r = scan_byte(s, buf[i]);

			if (r < 0 && (in_header || (found->rows == 0 && s->state == SCAN_PREFIX))) {
				scan_wrong_start(s, name, buf + skip, (size_t)n - skip, err, errlen);
				goto out;
			}
			if (r < 0) {
				snprintf(err, errlen, "cannot resume %s: row %lu is not a crawlpool %s "
					 "row: %s", name, found->rows + 1,
					 output_format_names[s->format], s->why);
				goto out;
			}
			if (r == 0)
				continue;
			found->whole = at + (long long)i + 1;
			if (in_header) {
				found->header = true;
				continue;
			}
			s->url[s->url_len] = '\0';
			if (cb(ctx, s->url, s->url_len) < 0) {
				snprintf(err, errlen, "out of memory reading %s", name);
				goto out;
			}
			found->rows++;
			s->url_len = 0;
			s->field = 0;
			s->state = SCAN_START;
		}
		at += n;
	}
	found->size = at;
	if (at - found->whole > OUTPUT_TORN_MAX) {
		snprintf(err, errlen, "cannot resume %s: its last %lld bytes are no whole row, and "
			 "too many to be part of one", name, at - found->whole);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

int output_read_rows(const char *path, const struct output_options *opts,
		     const struct stat *lists, size_t n_lists, output_row_cb cb, void *ctx,
		     struct output_found *found, char *err, size_t errlen)
{
	struct output_scan s = {
		.format = opts->format,
		.ncolumns = output_ncolumns(opts),
		.state = opts->format == OUTPUT_JSONL ? SCAN_START : SCAN_HEADER,
		.opts = opts,
	};
	struct stat st;
	int fd, rc = -1;

	memset(found, 0, sizeof(*found));
	/* rows are known by their url: JSON Lines ones by how they begin */
	while (s.url_field < s.ncolumns && output_column(opts, s.url_field) != OUTPUT_COL_URL)
		s.url_field++;
	if (s.url_field == s.ncolumns || (s.format == OUTPUT_JSONL && s.url_field != 0)) {
		snprintf(err, errlen, "cannot resume '%s': its rows are known by their url, which "
			 "--fields must name%s", path, s.format == OUTPUT_JSONL ? " first" : "");
		return -1;
	}
	/* O_NONBLOCK: a FIFO must be refused, not waited on */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot resume '%s': %s", path, strerror(errno));
		goto out;
	}
	if (output_is_a_list(&st, lists, n_lists)) {
		snprintf(err, errlen, "cannot write to '%s': it is the url list being read", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot resume '%s': it is not a regular file", path);
		goto out;
	}
	s.header_len = output_header_text(s.format, opts, s.header, sizeof(s.header) - 2);
	strcat(s.header, output_eol(s.format));
	s.header_len += strlen(output_eol(s.format));
	s.url = malloc(OUTPUT_SCAN_URL_MAX + 1);
	if (!s.url) {
		snprintf(err, errlen, "out of memory reading '%s'", path);
		goto out;
	}
	{
		char name[300];

		snprintf(name, sizeof(name), "'%s'", path);
		rc = scan_file(&s, fd, name, cb, ctx, found, err, errlen);
	}
	if (rc == 0 && s.format == OUTPUT_JSONL && found->rows > 0) {
		char name[300];

		snprintf(name, sizeof(name), "'%s'", path);
		rc = jsonl_same_keys(fd, opts, "resume", name, err, errlen);
	}
	if (rc == 0 && s.format == OUTPUT_JSONL)
		found->header = true;
out:
	free(s.url);
	if (fd >= 0)
		close(fd);
	return rc;
}

size_t output_url_as_read(const struct output_options *opts, const char *url, size_t len,
			  char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)url, *end = p + len;
	size_t n = 0;

	if (size < 3 * len + 2)
		return 0;
	if (opts->format != OUTPUT_JSONL) {
		if (len > 0 && output_needs_guard(opts, url))
			buf[n++] = '\'';
		memcpy(buf + n, url, len);
		n += len;
		buf[n] = '\0';
		return n;
	}
	/* as json_string() writes it: the url is NUL-terminated, so utf8_seq_len() stops at its end */
	while (p < end && *p) {
		size_t k = utf8_seq_len(p, 4);

		if (k == 0) {
			memcpy(buf + n, "\xef\xbf\xbd", 3);
			n += 3;
			p++;
			continue;
		}
		memcpy(buf + n, p, k);
		n += k;
		p += k;
	}
	buf[n] = '\0';
	return n;
}
