/* hoststats.h -- per-host request measurements for politeness tests: count, most at once, least gap */
#ifndef CRAWLPOOL_DEMO_HOSTSTATS_H
#define CRAWLPOOL_DEMO_HOSTSTATS_H

#include <stdbool.h>
#include <stddef.h>

/* Hosts told apart; requests for any host past these are counted under HOSTSTATS_OTHER. */
#define HOSTSTATS_MAX_HOSTS 64u
/* Longest key kept, in bytes; a longer one, or one with a byte JSON would need escaped, is HOSTSTATS_OTHER. */
#define HOSTSTATS_KEY_MAX 63u
#define HOSTSTATS_OTHER "(other)"

struct hoststats;
struct hoststats_entry;

/* An empty table; NULL when out of memory. */
struct hoststats *hoststats_new(void);
/* Accepts NULL. */
void hoststats_free(struct hoststats *s);

/*
 * A request for host `key` (len bytes, compared exactly) started at now_us
 * (monotonic microseconds). Returns the entry to give hoststats_end() once the
 * request is answered; never NULL. Thread-safe.
 */
struct hoststats_entry *hoststats_begin(struct hoststats *s, const char *key, size_t len,
					long long now_us);

/* The request begun on e is answered. Thread-safe. */
void hoststats_end(struct hoststats *s, struct hoststats_entry *e);

/*
 * Writes the table as one JSON object, hosts in the order first seen, each
 * with a request since the last reset:
 *
 *   {"127.0.0.1:8931":{"requests":3,"max_concurrent":1,"min_gap_ms":250,
 *    "min_gap_us":250113,"in_flight":0}}
 *
 * min_gap_* is -1 before a host's second request. With reset, the table is
 * then cleared, all but the requests still in progress (they end later and
 * count towards the concurrency of the requests that start after the reset).
 * Returns the length written to buf (cap bytes, NUL included), or 0 if it
 * does not fit (nothing is reset then). Thread-safe.
 */
size_t hoststats_json(struct hoststats *s, char *buf, size_t cap, bool reset);

/* Room hoststats_json() needs at most. */
#define HOSTSTATS_JSON_MAX ((HOSTSTATS_MAX_HOSTS + 1u) * (HOSTSTATS_KEY_MAX + 160u) + 8u)

#endif
