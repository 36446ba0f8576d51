/* queue.c -- a fixed-capacity FIFO ring of pointers; callers supply the locking */
#include "queue.h"

#include <stdlib.h>

int queue_init(struct queue *q, size_t cap)
{
	q->items = calloc(cap, sizeof(*q->items));
	q->cap = cap;
	q->head = 0;
	q->count = 0;
	return q->items ? 0 : -1;
}

void queue_release(struct queue *q)
{
	free(q->items);
	q->items = NULL;
	q->cap = q->count = 0;
}

bool queue_push(struct queue *q, void *item)
{
	if (queue_full(q))
		return false;
	q->items[(q->head + q->count) % q->cap] = item;
	q->count++;
	return true;
}

void *queue_pop(struct queue *q)
{
	void *item;

	if (queue_empty(q))
		return NULL;
	item = q->items[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return item;
}
