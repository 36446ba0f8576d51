/* redis_drop.c -- dropping a shared crawl from Redis: every key it made, and no key of another crawl */
#include <stdio.h>
#include <string.h>

#include "redis_frontier_impl.h"

/* Keys unlinked per command, about as many as a SCAN step gives. */
enum { DROP_BATCH = 500 };

/* The keys a crawl has whatever it holds (key space: redis_frontier.h). */
static const char *const fixed_keys[] = {
	"stats", "url", "scope", "ready", "leased", "owner", "leases", "robots", "rows", "lines",
	"instances", "instance:next", "alive",
};

/* "scheme://host:port" as urlnorm_origin() makes it, the port always there. */
static bool is_origin(const char *s)
{
	const char *host, *port;

	if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return false;
	if (*host == '[') {
		port = strchr(host, ']');
		if (!port || port[1] != ':')
			return false;
		port++;
	} else {
		port = host + strcspn(host, ":/[]");
		if (port == host || *port != ':')
			return false;
	}
	port++;
	return *port && strspn(port, "0123456789") == strlen(port);
}

/*
 * Whether KEY (the crawl's prefix cut off) is one of the crawl's. A crawl
 * named "site:q" has keys under "site:q:", which "site:" also begins: only
 * the exact names, and a host's keys followed by a whole origin, are ours.
 */
static bool is_crawl_key(const char *rest)
{
	if (strncmp(rest, "host:", 5) == 0)
		return is_origin(rest + 5);
	if (strncmp(rest, "q:", 2) == 0)
		return is_origin(rest + 2);
	for (size_t i = 0; i < sizeof(fixed_keys) / sizeof(fixed_keys[0]); i++)
		if (strcmp(rest, fixed_keys[i]) == 0)
			return true;
	return false;
}

/* UNLINK of the n keys in argv[1..n]; adds how many were there to *dropped. */
static int drop_keys(struct redis_frontier *rf, const char **argv, size_t *lens, size_t n,
		     long long *dropped)
{
	struct redis_reply *r;
	int rc;

	if (n == 0)
		return 0;
	argv[0] = "UNLINK";
	lens[0] = 6;
	rc = rf_command(rf, (int)n + 1, argv, lens, &r);
	if (rc < 0)
		return rc;
	*dropped += redis_reply_int(r);
	redis_reply_free(r);
	return 0;
}

/* The keys of one SCAN reply that are the crawl's, unlinked. */
static int drop_scanned(struct redis_frontier *rf, const struct redis_reply *keys, long long *dropped)
{
	const char *argv[DROP_BATCH + 1];
	size_t lens[DROP_BATCH + 1], n = 0, plen = strlen(rf->prefix);
	size_t count = redis_reply_count(keys);

	for (size_t i = 0; i < count; i++) {
		size_t len;
		const char *key = redis_reply_str(redis_reply_at(keys, i), &len);

		/* a key with a NUL byte in it is no key this crawl made */
		if (!key || len <= plen || strlen(key) != len || !is_crawl_key(key + plen))
			continue;
		argv[++n] = key;
		lens[n] = len;
		if (n == DROP_BATCH) {
			int rc = drop_keys(rf, argv, lens, n, dropped);

			if (rc < 0)
				return rc;
			n = 0;
		}
	}
	return drop_keys(rf, argv, lens, n, dropped);
}

/* What drop_scanned() needs beside a reply. */
struct drop_walk {
	struct redis_frontier *rf;
	long long *dropped;
};

static int drop_step(void *ctx, const struct redis_reply *keys)
{
	struct drop_walk *w = ctx;

	return drop_scanned(w->rf, keys, w->dropped);
}

int redis_frontier_drop(struct redis_frontier *rf, long long *dropped)
{
	struct drop_walk walk = { rf, dropped };
	char crawl_key[300], pattern[600];
	const char *first[2];
	size_t first_lens[2];
	int rc;

	*dropped = 0;
	/* first what defines the crawl: an instance still at work finds it gone and stops */
	first[1] = crawl_key;
	first_lens[1] = (size_t)snprintf(crawl_key, sizeof(crawl_key), "%scrawl", rf->prefix);
	rc = drop_keys(rf, first, first_lens, 1, dropped);
	if (rc < 0)
		return rc;
	rf_glob_escape(rf->prefix, "*", pattern, sizeof(pattern));
	return rf_scan(rf, pattern, drop_step, &walk);
}
