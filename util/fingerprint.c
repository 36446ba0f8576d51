/* fingerprint.c -- keyed 64-bit fingerprints of byte strings, for sets that keep 8 bytes a string */
#include "fingerprint.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t fp_mix(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	return x ^ (x >> 32);
}

void fp_key_new(struct fp_key *key)
{
	struct timespec ts;

	if (getrandom(key->k, sizeof(key->k), GRND_NONBLOCK) == (ssize_t)sizeof(key->k))
		return;
	/* no entropy yet this early after boot: a chosen collision is still unlikely */
	clock_gettime(CLOCK_REALTIME, &ts);
	key->k[0] = fp_mix((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30);
	key->k[1] = fp_mix(key->k[0] ^ (uint64_t)getpid());
}

/* Each 8-byte word stirred into the state through a full mix. */
uint64_t fp_hash(const struct fp_key *key, const void *data, size_t len)
{
	const char *p = data;
	uint64_t h = fp_mix(key->k[0] + len);

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = fp_mix(h ^ w ^ key->k[1]) + 0x9ddfea08eb382d69ull;
	}
	if (len > 0) {
		uint64_t w = 0;

		memcpy(&w, p, len);
		h = fp_mix(h ^ w ^ key->k[1] ^ (uint64_t)len << 59);
	}
	h = fp_mix(h + key->k[0]);
	return h ? h : 1;
}
