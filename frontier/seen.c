/* seen.c -- the URLs a crawl has taken, as 64-bit fingerprints in one open-addressed table */
#include "seen.h"

#include <stdlib.h>
#include <string.h>

/* The table grows to keep at most this share of its slots full. */
#define SEEN_LOAD_NUM 3
#define SEEN_LOAD_DEN 4
enum { SEEN_FIRST_SLOTS = 1024 };

struct seen {
	struct fp_key key;
	uint64_t *slots;	/* 0 marks a free slot; a fingerprint is never 0 */
	size_t cap;		/* a power of two */
	size_t count;
};

struct seen *seen_new(const struct fp_key *key)
{
	struct seen *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->key = *key;
	s->cap = SEEN_FIRST_SLOTS;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return NULL;
	}
	return s;
}

void seen_free(struct seen *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s);
}

/* The slot that holds fp, or the free slot where it belongs. */
static uint64_t *seen_slot(uint64_t *slots, size_t cap, uint64_t fp)
{
	size_t i = (size_t)fp & (cap - 1);

	while (slots[i] && slots[i] != fp)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int seen_grow(struct seen *s)
{
	size_t cap = s->cap * 2;
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i])
			*seen_slot(slots, cap, s->slots[i]) = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int seen_add(struct seen *s, const char *url, size_t len)
{
	uint64_t fp = fp_hash(&s->key, url, len), *slot;

	if ((s->count + 1) * SEEN_LOAD_DEN > s->cap * SEEN_LOAD_NUM && seen_grow(s) < 0)
		return -1;
	slot = seen_slot(s->slots, s->cap, fp);
	if (*slot)
		return 0;
	*slot = fp;
	s->count++;
	return 1;
}

bool seen_has(const struct seen *s, const char *url, size_t len)
{
	return *seen_slot(s->slots, s->cap, fp_hash(&s->key, url, len)) != 0;
}

size_t seen_count(const struct seen *s)
{
	return s->count;
}
