/* queue.h -- a fixed-capacity FIFO ring of pointers; callers supply the locking */
#ifndef CRAWLPOOL_QUEUE_H
#define CRAWLPOOL_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct queue {
	void **items;
	size_t cap;
	size_t head;
	size_t count;
};

int queue_init(struct queue *q, size_t cap);
void queue_release(struct queue *q);
/* false when full */
bool queue_push(struct queue *q, void *item);
/* NULL when empty */
void *queue_pop(struct queue *q);

static inline bool queue_empty(const struct queue *q)
{
	return q->count == 0;
}

static inline bool queue_full(const struct queue *q)
{
	return q->count == q->cap;
}

#endif
