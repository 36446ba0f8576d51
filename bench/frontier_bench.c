/* frontier_bench.c -- what the frontier costs for N discovered URLs: memory, and time per add and per hand-out */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clocks.h"
#include "frontier.h"

/* Resident memory in KiB, from /proc/self/status. */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, hosts = argc > 2 ? atol(argv[2]) : 100;
	struct frontier_options o = {
		.follow = true,
		.max_depth = 100,
		.scope = FRONTIER_SCOPE_ANY,
		.per_host = 2,
	};
	struct frontier *f = frontier_new(&o);
	char url[160], ref[160];
	long base = rss_kib(), taken = 0;
	double t0 = monotonic_seconds(), t1;

	if (!f || n < 1 || hosts < 1) {
		fprintf(stderr, "usage: frontier_bench [URLS [HOSTS]]\n");
		return 2;
	}
	/* URLs of a realistic length, 40 links a page, spread over the hosts */
	for (long i = 0; i < n; i++) {
		if (i % 40 == 0)
			snprintf(ref, sizeof(ref), "http://host%ld.example/section/%ld/page.html",
				 i % hosts, i / 40);
		snprintf(url, sizeof(url), "http://host%ld.example/section/%ld/item-%ld.html",
			 i % hosts, i / 97, i);
		if (frontier_add(f, url, 1, ref) != FRONTIER_ADDED) {
			fprintf(stderr, "frontier_bench: URL %ld not taken\n", i);
			return 1;
		}
	}
	t1 = monotonic_seconds();
	printf("frontier_bench: %ld URLs over %ld hosts queued: RSS +%.1f MiB (%.0f bytes a URL), "
	       "%.2f µs an add\n", n, hosts, (rss_kib() - base) / 1024.0,
	       (rss_kib() - base) * 1024.0 / (double)n, (t1 - t0) * 1e6 / (double)n);
	for (;;) {
		const struct frontier_url *u;
		long long wait;

		if (frontier_next(f, 0, &u, &wait) != FRONTIER_URL)
			break;
		frontier_done(f, u, 0);
		taken++;
	}
	printf("frontier_bench: %ld handed out and done: %.2f µs each\n", taken,
	       (monotonic_seconds() - t1) * 1e6 / (double)(taken ? taken : 1));
	frontier_free(f);
	return 0;
}
