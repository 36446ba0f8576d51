/* output.c -- CSV (RFC 4180), TSV and JSON Lines writers behind one bounded, fork-safe row buffer */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Rows collect in buf and go out with write(2) once OUTPUT_FLUSH_AT bytes
 * or OUTPUT_FLUSH_MS have gathered, always at a row boundary: a reader (or a
 * crash) sees whole rows. A row longer than the room left after
 * OUTPUT_FLUSH_AT would be split; the callers' field caps keep rows far
 * below that.
 */
#define OUTPUT_BUF (256 * 1024)
#define OUTPUT_FLUSH_AT (64 * 1024)
#define OUTPUT_FLUSH_MS 250

const char *const output_columns[OUTPUT_NCOLUMNS] = {
	"url", "final_url", "status", "bytes", "content_type", "ttfb_ms",
	"time_ms", "redirects", "title", "links", "worker", "error",
};

struct output {
	int fd;
	bool owns_fd;
	bool live;		/* a terminal: every row goes out at once */
	bool failed;
	struct output_options opts;
	struct timespec flushed;
	char *path;
	char error[256];
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

static long output_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static int output_write_all(struct output *out, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(out->fd, p, len);

		if (n < 0) {
			struct pollfd pfd = { .fd = out->fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && poll(&pfd, 1, -1) >= 0)
				continue;
			snprintf(out->error, sizeof(out->error), "cannot write to '%s': %s",
				 out->path, strerror(errno));
			out->failed = true;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int output_flush(struct output *out)
{
	int rc;

	if (out->failed)
		return -1;
	rc = output_write_all(out, out->buf, out->used);
	out->used = 0;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &out->flushed);
	return rc;
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

/* Text a page controls must not reach a spreadsheet as a formula. */
static bool output_needs_guard(const struct output *out, const char *s, bool from_page)
{
	return from_page && out->opts.formula_guard && s &&
	       (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
}

static void csv_field(struct output *out, const char *s, bool from_page)
{
	bool quote;

	if (!s)
		return;
	quote = s[strcspn(s, ",\"\r\n")] != '\0';
	if (quote)
		output_putc(out, '"');
	if (output_needs_guard(out, s, from_page))
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
static void tsv_field(struct output *out, const char *s, bool from_page)
{
	if (!s)
		return;
	if (output_needs_guard(out, s, from_page))
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

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
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
		n = utf8_len(p);
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

static const char *output_ms(char *buf, size_t size, long long us)
{
	if (us < 0)
		return NULL;
	snprintf(buf, size, "%lld.%03lld", us / 1000, us % 1000);
	return buf;
}

struct output_fields {
	const char *v[OUTPUT_NCOLUMNS];
	bool text[OUTPUT_NCOLUMNS];	/* a JSON string rather than a number */
	bool from_page[OUTPUT_NCOLUMNS];
	char num[7][32];
};

static void output_collect(struct output_fields *f, const char *url,
			   const struct crawl_record *r, long worker)
{
	bool fetched = r->time_us >= 0;

	memset(f->text, 0, sizeof(f->text));
	memset(f->from_page, 0, sizeof(f->from_page));
	f->v[0] = url;
	f->v[1] = r->final_url;
	f->v[2] = output_number(f->num[0], sizeof(f->num[0]), r->status, r->status > 0);
	f->v[3] = output_number(f->num[1], sizeof(f->num[1]), (long long)r->bytes, fetched);
	f->v[4] = r->content_type;
	f->v[5] = output_ms(f->num[2], sizeof(f->num[2]), r->ttfb_us);
	f->v[6] = output_ms(f->num[3], sizeof(f->num[3]), r->time_us);
	f->v[7] = output_number(f->num[4], sizeof(f->num[4]), r->redirects, fetched);
	f->v[8] = r->title;
	f->v[9] = output_number(f->num[5], sizeof(f->num[5]), r->links, r->links >= 0);
	f->v[10] = output_number(f->num[6], sizeof(f->num[6]), worker, worker >= 0);
	f->v[11] = r->error;
	f->text[0] = f->text[1] = f->text[4] = f->text[8] = f->text[11] = true;
	f->from_page[4] = f->from_page[8] = true;
}

int output_row(struct output *out, const char *url, const struct crawl_record *rec, long worker)
{
	struct output_fields f;

	if (out->failed)
		return -1;
	output_collect(&f, url, rec, worker);
	if (out->opts.format == OUTPUT_JSONL)
		output_putc(out, '{');
	for (size_t i = 0; i < OUTPUT_NCOLUMNS; i++) {
		switch (out->opts.format) {
		case OUTPUT_CSV:
			if (i > 0)
				output_putc(out, ',');
			csv_field(out, f.v[i], f.from_page[i]);
			break;
		case OUTPUT_TSV:
			if (i > 0)
				output_putc(out, '\t');
			tsv_field(out, f.v[i], f.from_page[i]);
			break;
		case OUTPUT_JSONL:
			if (i > 0)
				output_putc(out, ',');
			json_string(out, output_columns[i]);
			output_putc(out, ':');
			if (f.text[i] || !f.v[i])
				json_string(out, f.v[i]);
			else
				output_puts(out, f.v[i]);
			break;
		}
	}
	if (out->opts.format == OUTPUT_JSONL)
		output_putc(out, '}');
	output_puts(out, out->opts.format == OUTPUT_CSV ? "\r\n" : "\n");
	if (out->live || out->used >= OUTPUT_FLUSH_AT ||
	    output_ms_since(&out->flushed) >= OUTPUT_FLUSH_MS)
		return output_flush(out);
	return out->failed ? -1 : 0;
}

static void output_header(struct output *out)
{
	const char *sep = out->opts.format == OUTPUT_CSV ? "," : "\t";

	if (out->opts.format == OUTPUT_JSONL)
		return;
	if (out->opts.bom)
		output_put(out, "\xef\xbb\xbf", 3);
	for (size_t i = 0; i < OUTPUT_NCOLUMNS; i++) {
		if (i > 0)
			output_puts(out, sep);
		output_puts(out, output_columns[i]);
	}
	output_puts(out, out->opts.format == OUTPUT_CSV ? "\r\n" : "\n");
}

struct output *output_open(const char *path, const struct output_options *opts,
			   char *err, size_t errlen)
{
	struct output *out = calloc(1, sizeof(*out));
	struct stat st;
	bool stdout_ = strcmp(path, "-") == 0;

	if (!out || !(out->path = strdup(stdout_ ? "standard output" : path))) {
		snprintf(err, errlen, "out of memory opening '%s'", path);
		free(out);
		return NULL;
	}
	out->opts = *opts;
	if (stdout_) {
		out->fd = STDOUT_FILENO;
	} else {
		int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (opts->append ? O_APPEND : O_TRUNC);

		out->fd = open(path, flags, 0666);
		if (out->fd < 0) {
			snprintf(err, errlen, "cannot open output '%s': %s", path, strerror(errno));
			free(out->path);
			free(out);
			return NULL;
		}
		out->owns_fd = true;
	}
	out->live = isatty(out->fd);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &out->flushed);
	/* --append never writes a second header into a file that has rows */
	if (!(opts->append && fstat(out->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0))
		output_header(out);
	return out;
}

const char *output_error(const struct output *out)
{
	return out->failed ? out->error : NULL;
}

int output_close(struct output *out, char *err, size_t errlen)
{
	int rc;

	if (!out)
		return 0;
	rc = output_flush(out);
	if (out->owns_fd && close(out->fd) < 0 && rc == 0 && errno != EINTR) {
		snprintf(out->error, sizeof(out->error), "cannot write to '%s': %s",
			 out->path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", out->error);
	free(out->path);
	free(out);
	return rc;
}
