/* pool.c -- in progress */
