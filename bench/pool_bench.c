/* pool_bench.c -- empty jobs through each pool mode: jobs/s and per-job overhead */
#include "clocks.h"
#include "pool.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench {
	unsigned long remaining;
	unsigned long done;
};

static int next_job(void *ctx, void **job, size_t *len)
{
	struct bench *b = ctx;

	if (b->remaining == 0)
		return 0;
	b->remaining--;
	*job = malloc(1);
	*len = *job ? 1 : 0;
	return *job ? 1 : -1;
}

static void done(void *ctx, const struct pool_result *r)
{
	struct bench *b = ctx;

	b->done += r->status == POOL_JOB_DONE;
}

static int work(void *ctx, void *state, const void *job, size_t len, void **out, size_t *out_len)
{
	(void)ctx, (void)state, (void)job, (void)len;
	*out = NULL;
	*out_len = 0;
	return 0;
}

/* A loop worker that answers each job as soon as it takes it. */
static int serve(void *ctx, void *state, struct pool_feed *feed)
{
	(void)ctx, (void)state;
	for (;;) {
		struct pool_task *task;
		const void *job;
		size_t len;
		struct pollfd pfd = { .fd = pool_feed_fd(feed), .events = POLLIN };

		switch (pool_feed_take(feed, &task, &job, &len)) {
		case POOL_FEED_JOB:
			pool_feed_give(feed, task, 0, NULL, 0);
			break;
		case POOL_FEED_CLOSED:
			return 0;
		default:
			poll(&pfd, 1, -1);
		}
	}
}

static int run(enum pool_mode mode, unsigned workers, unsigned long jobs, double *rate)
{
	const struct pool_callbacks cb = {
		.next_job = next_job, .done = done, .work = work, .serve = serve,
	};
	struct bench b = { .remaining = jobs };
	struct pool *pool;
	double start;
	int err = 0;

	pool = pool_new(mode, workers, &cb, &b, &err);
	/* as many jobs in an event worker's hands as the crawler's loops hold at -w 32 */
	if (pool)
		pool_set_worker_jobs(pool, 16);
	if (!pool) {
		fprintf(stderr, "pool_bench: %s\n", pool_strerror(err));
		return -1;
	}
	start = monotonic_seconds();
	err = pool_run(pool);
	*rate = (double)b.done / (monotonic_seconds() - start);
	pool_free(pool);
	if (err || b.done != jobs) {
		fprintf(stderr, "pool_bench: run failed: %s (%lu of %lu jobs)\n",
			pool_strerror(err), b.done, jobs);
		return -1;
	}
	return 0;
}

static double median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	unsigned long jobs = argc > 1 ? strtoul(argv[1], NULL, 10) : 500000;
	int repeats = argc > 2 ? atoi(argv[2]) : 3;
	const unsigned counts[] = { 1, 2, 4, 8 };
	const enum pool_mode modes[] = { POOL_THREADS, POOL_PROCESSES, POOL_EVENTS, POOL_HYBRID };

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: pool_bench [JOBS [REPEATS]]\n"
		       "Runs JOBS empty jobs (default 500000) through each pool mode and worker count,\n"
		       "REPEATS times (default 3), and prints the median jobs/s and per-job overhead.\n");
		return 0;
	}
	if (jobs == 0 || repeats < 1 || repeats > 100) {
		fprintf(stderr, "pool_bench: JOBS must be > 0 and REPEATS 1..100\n");
		return 2;
	}
	printf("%-8s %7s %12s %14s\n", "mode", "workers", "jobs/s", "overhead_us");
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
			double rates[100];

			for (int r = 0; r < repeats; r++)
				if (run(modes[m], counts[c], jobs, &rates[r]) < 0)
					return 1;
			double rate = median(rates, repeats);

			printf("%-8s %7u %12.0f %14.2f\n", pool_mode_name(modes[m]), counts[c],
			       rate, 1e6 / rate);
			fflush(stdout);
		}
	}
	return 0;
}
