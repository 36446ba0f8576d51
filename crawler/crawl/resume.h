/* resume.h -- --resume for a list: the rows an output already holds, counted per url, so that the crawl skips them */
#ifndef CRAWLPOOL_RESUME_H
#define CRAWLPOOL_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "output.h"

/*
 * A crawl killed at any moment left whole rows, perhaps then part of one;
 * the same command with --resume skips a list line for each row already
 * there, so that a URL listed k times ends with k rows. The rows are kept
 * as a keyed 64-bit fingerprint of their url column with a count: 8 bytes
 * a row while the file is read, then 12 bytes a distinct url (a million
 * rows cost at most 16 MiB at the peak, 12 MiB after). Two urls share a
 * fingerprint with odds of about n^2/2^65; the key is new each run, so a
 * list cannot be made to collide.
 */
struct resume;

/*
 * Reads the output path as a crawl with opts wrote it (output_read_rows()),
 * refusing a file that is one of the n_lists lists. A missing or empty
 * file resumes nothing. NULL with err filled: the run is a usage error and
 * nothing was changed.
 */
struct resume *resume_open(const char *path, const struct output_options *opts,
			   const struct stat *lists, size_t n_lists, char *err, size_t errlen);
void resume_free(struct resume *r);

/* What the file held: for output_open(), which cuts its torn tail. */
const struct output_found *resume_found(const struct resume *r);

/*
 * Whether the output already has a row for this url, as the row's url
 * column shows it before the writer's quoting (a list line, its NUL bytes
 * as \0, NUL-terminated): if so, that row is used up and true returned.
 * False, and nothing counted, when out of memory.
 */
bool resume_take(struct resume *r, const char *url, size_t len);

/* Rows skipped so far by resume_take(). */
unsigned long resume_taken(const struct resume *r);

#endif
