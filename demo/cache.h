/* cache.h -- rendered pages kept for the server's own origin, within a byte budget */
#ifndef CRAWLPOOL_DEMO_CACHE_H
#define CRAWLPOOL_DEMO_CACHE_H

#include <stdatomic.h>
#include <stddef.h>

struct demo_page {
	size_t len;
	char body[];
};

struct demo_cache {
	unsigned pages;
	size_t budget;
	atomic_size_t used;
	_Atomic(struct demo_page *) *slot;
};

/* 0, or -1 out of memory. */
int demo_cache_init(struct demo_cache *c, unsigned pages, size_t budget);
void demo_cache_release(struct demo_cache *c);

/* The cached copy of page n (< pages), or NULL. Safe from any thread. */
const struct demo_page *demo_cache_find(struct demo_cache *c, unsigned n);

/*
 * Keeps a copy of page n, rendered under the cache's origin, if the budget
 * allows; otherwise, or when memory is short, does nothing. Safe from any thread.
 */
void demo_cache_put(struct demo_cache *c, unsigned n, const char *body, size_t len);

#endif
