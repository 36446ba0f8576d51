/* output.h -- the results file: one row per URL as CSV, TSV or JSON Lines */
#ifndef CRAWLPOOL_OUTPUT_H
#define CRAWLPOOL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "record.h"

enum output_format {
	OUTPUT_CSV,
	OUTPUT_TSV,
	OUTPUT_JSONL,
};

struct output_found;

/* The columns, in order: the 12 of every crawl, then depth and referrer, then those only --fields asks for. */
extern const char *const output_columns[];
enum { OUTPUT_NCOLUMNS = 12, OUTPUT_NCOLUMNS_FOLLOW = 14, OUTPUT_NCOLUMNS_ALL = 20 };
enum { OUTPUT_COL_URL = 0, OUTPUT_COL_DEPTH = 12, OUTPUT_COL_REFERRER = 13 };

struct output_options {
	enum output_format format;
	bool append;		/* keep what FILE holds; header only if it is empty */
	bool bom;		/* UTF-8 byte-order mark before a new header (CSV, TSV) */
	bool formula_guard;	/* CSV, TSV: ' before text starting with = + - @ tab or CR */
	bool follow_columns;	/* depth and referrer after the others (a crawl that follows links) */
	bool held;		/* rows go out only on output_flush() (--state: the caller orders its writes) */
	/* --resume: the file as output_read_rows() found it, its torn tail cut on opening; or NULL */
	const struct output_found *resume;
	/* --fields: the columns written, indexes into output_columns; none: the usual 12 or 14 */
	unsigned char fields[OUTPUT_NCOLUMNS_ALL];
	size_t n_fields;
	/*
	 * Asked when a signal interrupts a write that blocks (a pipe nobody
	 * reads): true makes the write fail, else it goes on waiting. NULL: never.
	 */
	bool (*give_up)(void *ctx);
	void *give_up_ctx;
};

/*
 * --fields: a comma-separated list of column names, each at most once,
 * into opts->fields. 0, or -1 with err filled (an unknown, repeated or empty
 * name).
 */
int output_fields_parse(const char *list, struct output_options *opts, char *err, size_t errlen);

/* Whether the output has the column (an index into output_columns). */
bool output_has_column(const struct output_options *opts, unsigned column);

struct output;

/*
 * Opens path for writing ("-" is stdout) and queues the BOM and header when
 * they are due. Nothing is changed before every check has passed: the
 * output must not be one of the n_lists regular files being read as URL
 * lists, and with opts->append a file that has something in it must start
 * with this format's header (CSV, TSV) or one of its rows (JSON Lines). Such
 * a file keeps its BOM or its lack of one, and gets the line end its last
 * line lacks. With opts->resume, the file must still be as it was read; its
 * torn tail is cut and no line end added. Returns NULL with a message in
 * err on failure.
 */
struct output *output_open(const char *path, const struct output_options *opts,
			   const struct stat *lists, size_t n_lists, char *err, size_t errlen);

/* Whether st is one of the n_lists regular files being read as URL lists. */
bool output_is_a_list(const struct stat *st, const struct stat *lists, size_t n_lists);

/*
 * Adds one row. worker < 0 leaves the worker column empty. Rows are
 * buffered and written whole with write(2), so a row is never split between
 * two writes and nothing is duplicated if the process forks. 0, or -1 once
 * a write has failed (see output_error()).
 */
int output_row(struct output *out, const char *url, const struct crawl_record *rec, long worker);

/* Writes buffered rows out. 0 or -1. */
int output_flush(struct output *out);

/*
 * Whether the buffered rows are due to go out (enough bytes or rows, or
 * time enough since the last flush). A held output never flushes by itself
 * except when one row outgrows the buffer or the rows fill its table; its
 * owner calls output_flush() when this says so.
 */
bool output_due(const struct output *out);

/* Drops the buffered rows (not the header): what they say must not reach the file. */
void output_discard(struct output *out);

/* Why the last write failed, or NULL. */
const char *output_error(const struct output *out);

/*
 * Rows wholly written out so far (buffered ones are not counted). When a
 * write fails part way, a regular file is cut back to the end of its last
 * whole row, so it holds exactly these rows.
 */
unsigned long output_rows(const struct output *out);

/* Whether part of a row stayed behind the whole ones: an output that cannot be cut back. */
bool output_torn(const struct output *out);

/* Whether the write failed because nobody reads the pipe any more (EPIPE). */
bool output_reader_gone(const struct output *out);

/* Flushes and closes; accepts NULL. 0, or -1 with err filled if any write failed. */
int output_close(struct output *out, char *err, size_t errlen);

/*
 * Reading back a file of ours, for --resume. The rows a crawl killed at any
 * moment left behind are whole rows, then perhaps part of one more (a last
 * line without its line end, or a CSV row inside an open quote): the torn
 * tail, which output_open() cuts off before appending.
 */
struct output_found {
	long long size;		/* the file's size when read; 0 when it is missing or empty */
	long long whole;	/* bytes up to the end of its last whole row (or its header) */
	unsigned long rows;	/* whole rows */
	bool header;		/* CSV, TSV: the file's header is whole (JSON Lines has none) */
};

/* One whole row's url column, unescaped (NUL-terminated, len bytes); 0, or -1 to stop. */
typedef int (*output_row_cb)(void *ctx, const char *url, size_t len);

/*
 * Reads the regular file path, written by a crawl with these opts, and
 * calls cb with the url of each whole row. Every whole row must be one of
 * ours: this format's header first (after an optional BOM), then the
 * format's number of fields, quoted and escaped as the writer does. A file
 * that is missing or empty is found empty. Changes nothing. 0, or -1 with
 * err filled (another format, a row not ours, not a regular file, one of
 * the n_lists lists, unreadable, or cb stopped it: "out of memory").
 */
int output_read_rows(const char *path, const struct output_options *opts,
		     const struct stat *lists, size_t n_lists, output_row_cb cb, void *ctx,
		     struct output_found *found, char *err, size_t errlen);

/*
 * The url column of a row for url (NUL-terminated, len bytes) as
 * output_read_rows() gives it back: CSV and TSV keep the formula guard,
 * JSON Lines has U+FFFD for each byte that is not UTF-8. At most 3 * len + 1
 * bytes, and a NUL, go to buf (size bytes); returns the length, or 0 when
 * buf is too small.
 */
size_t output_url_as_read(const struct output_options *opts, const char *url, size_t len,
			  char *buf, size_t size);

/* "csv", "tsv" or "jsonl" -> format; 0 or -1. */
int output_format_parse(const char *name, enum output_format *format);

/*
 * Once the options are read: what the format cannot honour is refused, not
 * ignored (--bom or --no-formula-guard with JSON Lines). 0, or -1 with err filled (a usage error).
 */
int output_options_check(const struct output_options *opts, char *err, size_t errlen);

#endif
