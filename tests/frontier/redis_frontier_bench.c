/* redis_frontier_bench.c -- round trips and client CPU per URL through the Redis frontier, beside the memory frontier on the same crawl */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "frontier.h"
#include "redis_frontier.h"
#include "redis_server.h"

/*
 * A crawl with no network: HOSTS start pages, every page "finds" LINKS new
 * links until URLS are taken, and each done page gives a 200-byte row. What
 * is measured is the frontier alone: its round trips, the CPU this
 * process spends, and the CPU the redis-server spends (from /proc).
 *
 *   redis_frontier_bench [URLS [INSTANCES [LEASE_BATCH]]]
 */
enum { HOSTS = 50, LINKS = 10 };

static const struct frontier_options rules = {
	.follow = true,
	.max_depth = 100,
	.scope = FRONTIER_SCOPE_ANY,
	.product_token = "crawlpool",
};

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The CPU seconds process pid has used (user + system), from /proc. */
static double proc_cpu_s(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long utime = 0, stime = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2)
		return 0;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long now_ms(void)
{
	return (long long)(wall_s() * 1000);
}

struct crawl {
	long urls, taken, done;
	char row[200];
};

/* The links a page "finds": new URLs while the crawl takes more. */
static void page_links(struct crawl *c, const struct frontier_url *u, void *f, bool redis)
{
	char link[128];

	for (int i = 0; i < LINKS && c->taken < c->urls; i++, c->taken++) {
		snprintf(link, sizeof(link), "http://h%ld.test/p%ld", c->taken % HOSTS, c->taken);
		if (redis)
			redis_frontier_add(f, link, u->depth + 1, u->url);
		else
			frontier_add(f, link, u->depth + 1, u->url);
	}
}

static void run_memory(long urls)
{
	struct frontier *f = frontier_new(&rules);
	struct crawl c = { .urls = urls };
	double cpu = cpu_s(), wall = wall_s();
	const struct frontier_url *u;
	long long wait;
	char start[64];

	memset(c.row, 'x', sizeof(c.row));
	for (c.taken = 0; c.taken < HOSTS; c.taken++) {
		snprintf(start, sizeof(start), "http://h%ld.test/", c.taken);
		frontier_add(f, start, 0, NULL);
	}
	while (frontier_next(f, now_ms(), &u, &wait) == FRONTIER_URL) {
		page_links(&c, u, f, false);
		frontier_done(f, u, now_ms());
		c.done++;
	}
	printf("memory frontier  %8ld URLs  %9.0f URLs/s  %6.2f µs CPU/URL\n", c.done,
	       c.done / (wall_s() - wall), (cpu_s() - cpu) / c.done * 1e6);
	frontier_free(f);
}

static int run_redis(const struct redis_server *server, long urls, int instances, unsigned batch)
{
	const char *url = redis_server_url(server);
	double server_cpu = proc_cpu_s(redis_server_pid(server));
	struct redis_frontier_options o = { .rules = &rules, .lease_batch = batch, .poll_ms = 1 };
	struct redis_frontier *rf[8];
	struct crawl c = { .urls = urls };
	unsigned long long trips = 0;
	double cpu, wall;
	char start[64], err[512], crawl[32];
	bool finished = false;

	snprintf(crawl, sizeof(crawl), "bench-%d-%u", instances, batch);
	for (int i = 0; i < instances; i++)
		if (redis_frontier_open(url, crawl, &o, &rf[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "redis_frontier_bench: %s\n", err);
			return -1;
		}
	memset(c.row, 'x', sizeof(c.row));
	cpu = cpu_s();
	wall = wall_s();
	for (c.taken = 0; c.taken < HOSTS; c.taken++) {
		snprintf(start, sizeof(start), "http://h%ld.test/", c.taken);
		redis_frontier_add(rf[0], start, 0, NULL);
	}
	/* the instances take turns, each handing out what it has before the next one asks */
	while (!finished) {
		finished = true;
		for (int i = 0; i < instances; i++) {
			const struct frontier_url *u;
			long long wait;
			int rc;

			while ((rc = redis_frontier_next(rf[i], now_ms(), &u, &wait)) == FRONTIER_URL) {
				page_links(&c, u, rf[i], true);
				redis_frontier_done(rf[i], u, c.row, sizeof(c.row), false, now_ms());
				c.done++;
			}
			if (rc < 0) {
				fprintf(stderr, "redis_frontier_bench: %s\n", redis_frontier_error(rf[i]));
				return -1;
			}
			finished = finished && rc == FRONTIER_DONE;
		}
	}
	cpu = cpu_s() - cpu;
	wall = wall_s() - wall;
	for (int i = 0; i < instances; i++) {
		trips += redis_frontier_round_trips(rf[i]);
		redis_frontier_close(rf[i]);
	}
	server_cpu = proc_cpu_s(redis_server_pid(server)) - server_cpu;
	printf("redis frontier   %8ld URLs  %9.0f URLs/s  %6.2f µs CPU/URL  %d instance%s, "
	       "lease batch %2u: %.3f round trips/URL, Redis %.0f µs CPU/URL\n", c.done,
	       c.done / wall, cpu / c.done * 1e6, instances, instances > 1 ? "s" : " ", batch,
	       (double)trips / c.done, server_cpu / c.done * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	long urls = argc > 1 ? atol(argv[1]) : 20000;
	int instances = argc > 2 ? atoi(argv[2]) : 0;
	unsigned batch = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	struct redis_server *server;
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	if (urls < HOSTS || instances < 0 || instances > 8) {
		fprintf(stderr, "usage: redis_frontier_bench [URLS >= %d [INSTANCES 1-8 [LEASE_BATCH]]]\n",
			HOSTS);
		return 2;
	}
	server = redis_server_start(NULL);
	if (!server)
		return 1;
	run_memory(urls);
	if (instances) {
		rc = run_redis(server, urls, instances, batch);
	} else {
		static const unsigned batches[] = { 1, 16, 64 };

		for (int n = 1; n <= 2 && rc == 0; n++)
			for (size_t b = 0; b < 3 && rc == 0; b++)
				rc = run_redis(server, urls, n, batches[b]);
	}
	redis_server_free(server);
	return rc ? 1 : 0;
}
