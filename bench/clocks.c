/* clocks.c -- the clocks the bench programs time with, in seconds: the thread's CPU time and the monotonic wall clock */
#include "clocks.h"

#include <time.h>

static double clocks_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double thread_cpu_seconds(void)
{
	return clocks_seconds(CLOCK_THREAD_CPUTIME_ID);
}

double monotonic_seconds(void)
{
	return clocks_seconds(CLOCK_MONOTONIC);
}
