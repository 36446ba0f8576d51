/* pool_backend.h -- the back ends' entry points, called by pool.c alone */
#ifndef CRAWLPOOL_POOL_BACKEND_H
#define CRAWLPOOL_POOL_BACKEND_H

struct pool;

/* Run the whole pool, thread and event modes: thread_pool.c. */
int thread_pool_run(struct pool *pool);
/* Run the whole pool, process mode: process_pool.c. */
int process_pool_run(struct pool *pool);

#endif
