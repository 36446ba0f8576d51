/* rng.h -- the demo site's tiny deterministic generator (splitmix64), seeded by a page number */
#ifndef CRAWLPOOL_DEMO_RNG_H
#define CRAWLPOOL_DEMO_RNG_H

#include <stdint.h>

struct demo_rng {
	uint64_t state;
};

static inline uint64_t demo_rng_next(struct demo_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in 0..n-1 for n far below 2^32 (n > 0). */
static inline unsigned demo_rng_below(struct demo_rng *r, unsigned n)
{
	return (unsigned)(demo_rng_next(r) % n);
}

#endif
