/* cache.c -- lock-free page cache: each slot is filled once, by whichever thread renders first */
#include "cache.h"
#include "sitegen.h"

#include <stdlib.h>
#include <string.h>

int demo_cache_init(struct demo_cache *c, unsigned pages, const char *origin, size_t budget)
{
	c->pages = pages;
	c->budget = budget;
	c->origin = origin;
	atomic_init(&c->used, 0);
	c->slot = calloc(pages, sizeof(*c->slot));
	if (!c->slot)
		return -1;
	for (unsigned i = 0; i < pages; i++)
		atomic_init(&c->slot[i], NULL);
	return 0;
}

void demo_cache_release(struct demo_cache *c)
{
	if (!c->slot)
		return;
	for (unsigned i = 0; i < c->pages; i++)
		free(atomic_load(&c->slot[i]));
	free(c->slot);
	c->slot = NULL;
}

const char *demo_cache_get(struct demo_cache *c, unsigned n, char *scratch, size_t *len)
{
	struct demo_page *page = atomic_load_explicit(&c->slot[n], memory_order_acquire);
	struct demo_page *expect = NULL;

	if (page) {
		*len = page->len;
		return page->body;
	}
	*len = sitegen_render_to(n, c->pages, c->origin, scratch);
	if (*len == 0)
		return NULL;
	if (atomic_fetch_add(&c->used, *len) + *len > c->budget) {
		atomic_fetch_sub(&c->used, *len);
		return scratch;
	}
	page = malloc(sizeof(*page) + *len);
	if (!page) {
		atomic_fetch_sub(&c->used, *len);
		return scratch;
	}
	page->len = *len;
	memcpy(page->body, scratch, *len);
	if (!atomic_compare_exchange_strong_explicit(&c->slot[n], &expect, page,
						     memory_order_acq_rel, memory_order_acquire)) {
		/* another thread filled the slot first; either copy will do */
		atomic_fetch_sub(&c->used, *len);
		free(page);
	}
	return scratch;
}
