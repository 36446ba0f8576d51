/* output.h -- the results file: one row per URL as CSV, TSV or JSON Lines */
#ifndef CRAWLPOOL_OUTPUT_H
#define CRAWLPOOL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

enum output_format {
	OUTPUT_CSV,
	OUTPUT_TSV,
	OUTPUT_JSONL,
};

struct output_options {
	enum output_format format;
	bool append;		/* keep what FILE holds; header only if it is empty */
	bool bom;		/* UTF-8 byte-order mark before the header (CSV, TSV) */
	bool formula_guard;	/* prefix page text starting with = + - @ with ' */
};

/* The columns, in order. */
extern const char *const output_columns[];
enum { OUTPUT_NCOLUMNS = 12 };

struct output;

/*
 * Opens path for writing ("-" is stdout) and writes the BOM and header when
 * they are due. Returns NULL with a message in err on failure.
 */
struct output *output_open(const char *path, const struct output_options *opts,
			   char *err, size_t errlen);

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

/* Flushes and closes; accepts NULL. 0, or -1 with err filled if any write failed. */
int output_close(struct output *out, char *err, size_t errlen);

/* "csv", "tsv" or "jsonl" -> format; 0 or -1. */
int output_format_parse(const char *name, enum output_format *format);

#endif
