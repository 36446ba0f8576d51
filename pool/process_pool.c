/* process_pool.c -- in progress */
