/* queue.c -- in progress */
