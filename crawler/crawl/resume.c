/* resume.c -- --resume for a list: the rows an output already holds, counted per url, so that the crawl skips them */
#include "resume.h"
#include "fingerprint.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * While the file is read every row's fingerprint is appended; then they are
 * sorted and each distinct one kept once with its count, so a lookup is a
 * binary search and the table costs 12 bytes a distinct url.
 */
struct resume {
	struct fp_key key;
	uint64_t *fp;		/* sorted, distinct once read */
	uint32_t *count;	/* rows of fp[i] not yet taken */
	size_t n, cap;
	struct output_options opts;
	struct output_found found;
	char *scratch;		/* a url as the file shows it */
	size_t scratch_cap;
	unsigned long taken;
};

/* The url as a row of this output shows it, in r->scratch; its length, or 0 when out of memory. */
static size_t resume_as_read(struct resume *r, const char *url, size_t len)
{
	size_t need = 3 * len + 2;

	if (need > r->scratch_cap) {
		char *p = realloc(r->scratch, need);

		if (!p)
			return 0;
		r->scratch = p;
		r->scratch_cap = need;
	}
	return output_url_as_read(&r->opts, url, len, r->scratch, r->scratch_cap);
}

static int resume_add_row(void *ctx, const char *url, size_t len)
{
	struct resume *r = ctx;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		uint64_t *p = realloc(r->fp, cap * sizeof(*p));

		if (!p)
			return -1;
		r->fp = p;
		r->cap = cap;
	}
	r->fp[r->n++] = fp_hash(&r->key, url, len);
	return 0;
}

static int resume_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the fingerprints and keeps each once with its count. 0 or -1. */
static int resume_count(struct resume *r)
{
	size_t distinct = 0;
	uint64_t *fp;

	if (r->n == 0)
		return 0;
	qsort(r->fp, r->n, sizeof(*r->fp), resume_cmp);
	for (size_t i = 0; i < r->n; i++)
		distinct += i == 0 || r->fp[i] != r->fp[i - 1];
	r->count = calloc(distinct, sizeof(*r->count));
	if (!r->count)
		return -1;
	distinct = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (i > 0 && r->fp[i] == r->fp[i - 1]) {
			if (r->count[distinct - 1] < UINT32_MAX)
				r->count[distinct - 1]++;
			continue;
		}
		r->fp[distinct] = r->fp[i];
		r->count[distinct++] = 1;
	}
	r->n = r->cap = distinct;
	fp = realloc(r->fp, distinct * sizeof(*fp));
	if (fp)
		r->fp = fp;
	return 0;
}

struct resume *resume_open(const char *path, const struct output_options *opts,
			   const struct stat *lists, size_t n_lists, char *err, size_t errlen)
{
	struct resume *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->opts = *opts;
	r->opts.resume = NULL;
	fp_key_new(&r->key);
	if (output_read_rows(path, opts, lists, n_lists, resume_add_row, r, &r->found, err,
			     errlen) < 0)
		goto fail;
	if (resume_count(r) < 0) {
		snprintf(err, errlen, "out of memory reading '%s'", path);
		goto fail;
	}
	return r;

fail:
	resume_free(r);
	return NULL;
}

void resume_free(struct resume *r)
{
	if (!r)
		return;
	free(r->fp);
	free(r->count);
	free(r->scratch);
	free(r);
}

const struct output_found *resume_found(const struct resume *r)
{
	return &r->found;
}

bool resume_take(struct resume *r, const char *url, size_t len)
{
	size_t lo = 0, hi = r->n, n;
	uint64_t fp;

	if (r->n == 0 || (n = resume_as_read(r, url, len)) == 0)
		return false;
	fp = fp_hash(&r->key, r->scratch, n);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->fp[mid] < fp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->n || r->fp[lo] != fp || r->count[lo] == 0)
		return false;
	r->count[lo]--;
	r->taken++;
	return true;
}

unsigned long resume_taken(const struct resume *r)
{
	return r->taken;
}
