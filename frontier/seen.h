/* seen.h -- the URLs a crawl has taken, as 64-bit fingerprints in one open-addressed table */
#ifndef CRAWLPOOL_SEEN_H
#define CRAWLPOOL_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"

/*
 * Eight bytes a URL whatever its length (a keyed fingerprint, see
 * fingerprint.h): a million URLs cost 16 MiB at most.
 */
struct seen;

/* An empty set whose fingerprints are keyed with key. NULL when out of memory. */
struct seen *seen_new(const struct fp_key *key);
void seen_free(struct seen *s);

/* Adds a URL: 1 if it is new, 0 if it was there, -1 when out of memory. */
int seen_add(struct seen *s, const char *url, size_t len);
bool seen_has(const struct seen *s, const char *url, size_t len);
size_t seen_count(const struct seen *s);

#endif
