/* clocks.h -- the clocks the bench programs time with, in seconds: the thread's CPU time and the monotonic wall clock */
#ifndef CRAWLPOOL_BENCH_CLOCKS_H
#define CRAWLPOOL_BENCH_CLOCKS_H

/* CPU time of the calling thread: what a parse costs, whatever else the machine runs. */
double thread_cpu_seconds(void);

/* Wall time that no clock adjustment moves: for rates and elapsed times. */
double monotonic_seconds(void);

#endif
