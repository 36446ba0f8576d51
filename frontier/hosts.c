/* hosts.c -- the frontier's hosts: one queue each, found by origin, and a heap of those ready to be asked */
#include "hosts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "robots.h"

enum { HOSTS_FIRST_BUCKETS = 64 };

struct hosts {
	struct host **buckets;	/* chained by hash_next */
	size_t n_buckets;	/* a power of two */
	size_t count;
	struct host **heap;	/* ready hosts, the earliest due first */
	size_t n_heap, heap_cap;
};

static uint64_t hosts_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a: origins are short and few */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}

struct hosts *hosts_new(void)
{
	struct hosts *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->n_buckets = HOSTS_FIRST_BUCKETS;
	t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

void hosts_free(struct hosts *t, void (*entry_free)(struct entry *e))
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct host *h = t->buckets[i];

		while (h) {
			struct host *next = h->hash_next;
			struct entry *e;

			while ((e = host_dequeue(h)))
				entry_free(e);
			robots_free(h->robots);
			free(h);
			h = next;
		}
	}
	free(t->buckets);
	free(t->heap);
	free(t);
}

static int hosts_grow(struct hosts *t)
{
	size_t n = t->n_buckets * 2;
	struct host **buckets = calloc(n, sizeof(*buckets));

	if (!buckets)
		return -1;
	for (size_t i = 0; i < t->n_buckets; i++) {
		struct host *h = t->buckets[i];

		while (h) {
			struct host *next = h->hash_next;
			size_t b = hosts_hash(h->origin) & (n - 1);

			h->hash_next = buckets[b];
			buckets[b] = h;
			h = next;
		}
	}
	free(t->buckets);
	t->buckets = buckets;
	t->n_buckets = n;
	return 0;
}

struct host *hosts_get(struct hosts *t, const char *origin, enum robots_state robots, long delay_ms)
{
	size_t b = hosts_hash(origin) & (t->n_buckets - 1), len;
	struct host *h;

	for (h = t->buckets[b]; h; h = h->hash_next)
		if (strcmp(h->origin, origin) == 0)
			return h;
	if (t->count >= t->n_buckets && hosts_grow(t) == 0)
		b = hosts_hash(origin) & (t->n_buckets - 1);
	len = strlen(origin);
	h = calloc(1, sizeof(*h) + len + 1);
	if (!h)
		return NULL;
	memcpy(h->origin, origin, len + 1);
	h->robots_state = robots;
	h->delay_ms = delay_ms;
	h->heap_at = HOSTS_NOT_READY;
	h->hash_next = t->buckets[b];
	t->buckets[b] = h;
	t->count++;
	return h;
}

void host_enqueue(struct host *h, struct entry *e)
{
	e->next = NULL;
	e->host = h;
	if (h->tail)
		h->tail->next = e;
	else
		h->head = e;
	h->tail = e;
	h->queued++;
}

struct entry *host_dequeue(struct host *h)
{
	struct entry *e = h->head;

	if (!e)
		return NULL;
	h->head = e->next;
	if (!h->head)
		h->tail = NULL;
	h->queued--;
	e->next = NULL;
	return e;
}

static void heap_set(struct hosts *t, size_t i, struct host *h)
{
	t->heap[i] = h;
	h->heap_at = i;
}

static void heap_up(struct hosts *t, size_t i)
{
	struct host *h = t->heap[i];

	while (i > 0 && t->heap[(i - 1) / 2]->due_ms > h->due_ms) {
		heap_set(t, i, t->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(t, i, h);
}

static void heap_down(struct hosts *t, size_t i)
{
	struct host *h = t->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= t->n_heap)
			break;
		if (c + 1 < t->n_heap && t->heap[c + 1]->due_ms < t->heap[c]->due_ms)
			c++;
		if (t->heap[c]->due_ms >= h->due_ms)
			break;
		heap_set(t, i, t->heap[c]);
		i = c;
	}
	heap_set(t, i, h);
}

int hosts_ready(struct hosts *t, struct host *h)
{
	if (h->heap_at != HOSTS_NOT_READY) {
		heap_up(t, h->heap_at);
		heap_down(t, h->heap_at);
		return 0;
	}
	if (t->n_heap == t->heap_cap) {
		size_t cap = t->heap_cap ? t->heap_cap * 2 : 64;
		struct host **heap = realloc(t->heap, cap * sizeof(*heap));

		if (!heap)
			return -1;
		t->heap = heap;
		t->heap_cap = cap;
	}
	heap_set(t, t->n_heap++, h);
	heap_up(t, h->heap_at);
	return 0;
}

void hosts_unready(struct hosts *t, struct host *h)
{
	size_t i = h->heap_at;
	struct host *moved;

	if (i == HOSTS_NOT_READY)
		return;
	h->heap_at = HOSTS_NOT_READY;
	if (i == --t->n_heap)
		return;
	moved = t->heap[t->n_heap];
	heap_set(t, i, moved);
	heap_up(t, i);
	heap_down(t, moved->heap_at);
}

struct host *hosts_first(const struct hosts *t)
{
	return t->n_heap ? t->heap[0] : NULL;
}
