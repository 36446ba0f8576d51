/* seen.h -- the URLs a crawl has taken, as 64-bit fingerprints in one open-addressed table */
#ifndef CRAWLPOOL_SEEN_H
#define CRAWLPOOL_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Eight bytes a URL whatever its length: a million URLs cost 16 MiB at
 * most. Two URLs share a fingerprint with odds of about n²/2⁶⁵ (one in
 * 37 million for a million URLs); the hash is keyed per crawl, so a server
 * cannot choose links that collide.
 */
struct seen;

/* An empty set whose hash is keyed with `key`. NULL when out of memory. */
struct seen *seen_new(uint64_t key);
void seen_free(struct seen *s);

/* Adds a URL: 1 if it is new, 0 if it was there, -1 when out of memory. */
int seen_add(struct seen *s, const char *url, size_t len);
bool seen_has(const struct seen *s, const char *url, size_t len);
size_t seen_count(const struct seen *s);

#endif
