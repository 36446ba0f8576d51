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
	const char *origin;
};

/* 0, or -1 out of memory. The origin string must outlive the cache. */
int demo_cache_init(struct demo_cache *c, unsigned pages, const char *origin, size_t budget);
void demo_cache_release(struct demo_cache *c);

/*
 * Page n (< pages) as served under the cache's origin: the cached copy, or,
 * when the budget is spent or memory is short, the page rendered into
 * scratch (SITEGEN_MAX_BYTES bytes). Sets *len; NULL if rendering failed.
 * Safe from any thread.
 */
const char *demo_cache_get(struct demo_cache *c, unsigned n, char *scratch, size_t *len);

#endif
