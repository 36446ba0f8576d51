/* thread_pool.c -- in progress */
