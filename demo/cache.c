/* cache.c -- lock-free page cache: each slot is filled once, by whichever thread stores first */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

int demo_cache_init(struct demo_cache *c, unsigned pages, size_t budget)
{
	c->pages = pages;
	c->budget = budget;
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

const struct demo_page *demo_cache_find(struct demo_cache *c, unsigned n)
{
	return atomic_load_explicit(&c->slot[n], memory_order_acquire);
}

void demo_cache_put(struct demo_cache *c, unsigned n, const char *body, size_t len)
{
	struct demo_page *page, *expect = NULL;

	if (atomic_fetch_add(&c->used, len) + len > c->budget)
		goto out_unbudget;
	page = malloc(sizeof(*page) + len);
	if (!page)
		goto out_unbudget;
	page->len = len;
	memcpy(page->body, body, len);
	if (atomic_compare_exchange_strong_explicit(&c->slot[n], &expect, page, memory_order_acq_rel,
						    memory_order_acquire))
		return;
	/* another thread filled the slot first: keep its copy */
	free(page);
out_unbudget:
	atomic_fetch_sub(&c->used, len);
}
