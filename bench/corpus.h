/* corpus.h -- the pages of a demo-site --export directory for the parse benchmarks: listed once, read one at a time */
#ifndef CRAWLPOOL_BENCH_CORPUS_H
#define CRAWLPOOL_BENCH_CORPUS_H

#include <stddef.h>

struct corpus {
	char **paths;	/* n file names, each as DIR/page/NAME.html or DIR/NAME.html */
	size_t n;
	char *buf;	/* the page corpus_read() read last, cap bytes of room */
	size_t cap;
};

/* Where corpus_list() looks: demo-site --export writes its pages to DIR/page. */
enum corpus_where {
	CORPUS_PAGE_DIR,	/* DIR/page only */
	CORPUS_PAGE_DIR_OR_DIR,	/* DIR/page, or DIR itself when DIR/page cannot be opened */
};

/*
 * Lists the *.html files (any case) of the directory where says, up to limit
 * of them (0: all). -1 with errno when no directory could be opened (errno is
 * the last one tried's); 0 otherwise, also when there are no pages (c->n is
 * 0): each program refuses that in its own words.
 */
int corpus_list(struct corpus *c, const char *dir, enum corpus_where where, size_t limit);

/*
 * Reads page i into c->buf, whole, and its length into *len. Each page is
 * read just before it is parsed, untimed, so the parse finds it warm in cache
 * as a crawler finds a body it has just received. -1 with errno.
 */
int corpus_read(struct corpus *c, size_t i, size_t *len);

void corpus_free(struct corpus *c);

#endif
