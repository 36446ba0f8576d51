/* fingerprint.h -- keyed 64-bit fingerprints of byte strings, for sets that keep 8 bytes a string */
#ifndef CRAWLPOOL_FINGERPRINT_H
#define CRAWLPOOL_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

/*
 * A key chosen per run, so that a server cannot choose strings whose
 * fingerprints collide. Two strings share a fingerprint with odds of about
 * n²/2⁶⁵ among n strings: one in 37 million for a million.
 */
struct fp_key {
	uint64_t k[2];
};

/* A random key (getrandom); the clock and the pid if the kernel has no entropy yet. */
void fp_key_new(struct fp_key *key);

/* The fingerprint of len bytes under key; never 0, so 0 can mark a free slot. */
uint64_t fp_hash(const struct fp_key *key, const void *data, size_t len);

#endif
