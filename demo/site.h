/* site.h -- the demo site's configuration and the state its connections share */
#ifndef CRAWLPOOL_DEMO_SITE_H
#define CRAWLPOOL_DEMO_SITE_H

#include "cache.h"

struct crawlsite;
struct demo_conn;
struct hoststats;

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define DEMO_DEFAULT_PORT 8931
#define DEMO_DEFAULT_MAX_CONNS 2048u
#define DEMO_DEFAULT_IDLE_S 15u
/* Fault routes that stall, drip or stream give up after this long. */
#define DEMO_FAULT_MAX_S 120u
#define DEMO_DEFAULT_CACHE_MB 256u
/* Addresses served at once (--host, repeated), all on one port. */
#define DEMO_MAX_HOSTS 8u
/* Largest --robots file, and the longest --robots-delay-ms. */
#define DEMO_ROBOTS_MAX_BYTES (4u << 20)
#define DEMO_ROBOTS_MAX_DELAY_MS 120000u

struct demo_config {
	const char *hosts[DEMO_MAX_HOSTS];	/* loopback addresses; the first names the site */
	unsigned n_hosts;
	unsigned short port;
	unsigned pages;
	const char *port_file;
	bool quiet;
	bool verbose;
	unsigned max_conns;
	unsigned idle_timeout_s;	/* keep-alive idle time, and the bound on reading a head */
	unsigned fault_s;		/* how long slow fault routes last */
	size_t cache_bytes;
	const char *robots_file;	/* served as /robots.txt; NULL: none */
	int robots_status;		/* status of /robots.txt; 0: 200 with a file, else 404 */
	unsigned robots_delay_ms;	/* /robots.txt answers this late */
};

/* State shared by every connection. */
struct demo_site {
	const struct demo_config *cfg;
	int stop_fd;			/* eventfd, readable once the server stops */
	char authority[64];		/* "127.0.0.1:8931": a Host header naming us */
	char origin[80];		/* "http://127.0.0.1:8931" */
	struct demo_cache cache;	/* thread-safe */
	char *index;			/* the "/" page */
	size_t index_len;
	unsigned char *bomb;		/* /fault/gzip-bomb */
	size_t bomb_len;
	unsigned char *binary;		/* /fault/binary */
	struct crawlsite *crawl;	/* robots.txt and the crawl-test routes */
	struct hoststats *stats;	/* per-host request measurements, served as /_stats */

	/* connection bookkeeping, under lock */
	pthread_mutex_t lock;
	struct demo_conn *done;		/* finished threads, waiting to be joined */
	unsigned active;		/* connections with a thread, done ones included */
	int reap_fd;			/* eventfd: a connection finished */
};

/*
 * Listens, prints the listening line, writes the port file and serves until
 * SIGINT or SIGTERM. Returns 0 after a clean stop, -1 if it could not start
 * (the cause printed on stderr).
 */
int demo_server_run(const struct demo_config *cfg);

#endif
