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

struct output_options {
	enum output_format format;
	bool append;		/* keep what FILE holds; header only if it is empty */
	bool bom;		/* UTF-8 byte-order mark before a new header (CSV, TSV) */
	bool formula_guard;	/* CSV, TSV: ' before text starting with = + - @ tab or CR */
	bool follow_columns;	/* depth and referrer after the others (a crawl that follows links) */
};

/* The columns, in order: the 12 of every crawl, then depth and referrer. */
extern const char *const output_columns[];
enum { OUTPUT_NCOLUMNS = 12, OUTPUT_NCOLUMNS_FOLLOW = 14 };

struct output;

/*
 * Opens path for writing ("-" is stdout) and queues the BOM and header when
 * they are due. Nothing is changed before every check has passed: the
 * output must not be one of the n_lists regular files being read as URL
 * lists, and with opts->append a file that has something in it must start
 * with this format's header (CSV, TSV) or one of its rows (JSON Lines). Such
 * a file keeps its BOM or its lack of one, and gets the line end its last
 * line lacks. Returns NULL with a message in err on failure.
 */
struct output *output_open(const char *path, const struct output_options *opts,
			   const struct stat *lists, size_t n_lists, char *err, size_t errlen);

/*
 * Adds one row. worker < 0 leaves the worker column empty. Rows are
 * buffered and written whole with write(2), so a row is never split between
 * two writes and nothing is duplicated if the process forks. 0, or -1 once
 * a write has failed (see output_error()).
 */
int output_row(struct output *out, const char *url, const struct crawl_record *rec, long worker);

/* Writes buffered rows out. 0 or -1. */
int output_flush(struct output *out);

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

/* "csv", "tsv" or "jsonl" -> format; 0 or -1. */
int output_format_parse(const char *name, enum output_format *format);

#endif
