/* process_worker.h -- a worker process's side of its channel: jobs one at a time, or a loop's feed */
#ifndef CRAWLPOOL_PROCESS_WORKER_H
#define CRAWLPOOL_PROCESS_WORKER_H

#include <sys/types.h>

struct pool;

/*
 * A worker that could not go on (its worker_init failed, or its serve()
 * broke the contract) exits with this code, and is not replaced.
 */
enum { PROCESS_WORKER_BROKEN = 3 };

/* One whose set-up failed exits with this code: it took no job, and is not replaced either. */
enum { PROCESS_WORKER_UNSTARTED = 4 };

/*
 * The life of worker `self` in the child that fork() made, from its end of
 * the socketpair to its exit: it lets go of everything of the parent's,
 * runs worker_init, then work() on each job that comes (process mode) or
 * serve() over a feed read from the channel (hybrid mode), until the parent
 * closes the channel.
 */
_Noreturn void process_worker_main(struct pool *pool, pid_t parent, unsigned self, int channel);

#endif
