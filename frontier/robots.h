/* robots.h -- one host's robots.txt (RFC 9309): parsed once, then asked whether a path may be fetched */
#ifndef CRAWLPOOL_ROBOTS_H
#define CRAWLPOOL_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

/* Octets of a body that are parsed; the rest is ignored (RFC 9309 2.5 asks for at least 500 KiB). */
#define ROBOTS_MAX_BODY (500u * 1024u)
/* Rules kept for one agent; later ones are ignored. */
#define ROBOTS_MAX_RULES 10000u
/* Longest pattern kept, in octets after normalisation with runs of '*' made one; longer rules are ignored. */
#define ROBOTS_MAX_PATTERN 4096u
/* Crawl-delay is cut to this: a host cannot stall its queue for longer per request. */
#define ROBOTS_MAX_DELAY_MS 60000L

struct robots;

/*
 * Parses a robots.txt body (len octets, NUL bytes allowed, no terminator
 * needed) for the crawler whose product token is product_token (see
 * robots_product_token; NULL or not a valid token: only the "*" groups
 * apply). NULL only when out of memory; anything else, junk included,
 * gives rules (maybe none, which allows everything).
 */
struct robots *robots_parse(const char *body, size_t len, const char *product_token);

/* For a 4xx answer (404 included): everything is allowed. NULL when out of memory. */
struct robots *robots_allow_all(void);

/* For a 5xx answer or an unreachable host: nothing but /robots.txt is allowed. NULL when out of memory. */
struct robots *robots_deny_all(void);

/*
 * Whether path (path and query of a URL, from its '/'; a missing '/' is
 * assumed and a '#fragment' ignored) may be fetched. /robots.txt always may.
 * Paths are compared after the percent-encoding normalisation described in
 * robots.c. Bounded time: a path that would take more than a fixed number
 * of octet comparisons (only a file built to be slow gets there) is denied;
 * so is a very long path that cannot be copied (out of memory). r is only
 * read: threads may share one.
 */
bool robots_allowed(const struct robots *r, const char *path);

/* Crawl-delay of the group that applies, in ms, at most ROBOTS_MAX_DELAY_MS; -1 when there is none. */
long robots_crawl_delay_ms(const struct robots *r);

/*
 * What a host's answer to its robots.txt request means (RFC 9309 2.3.1):
 * 2xx, its rules; 4xx ("unavailable"), and a 3xx left after the redirects
 * were followed (a loop, too many: 2.3.1.2 lets that count as unavailable),
 * everything allowed; 5xx, and status 0 (no answer: body is then the
 * transfer's error, or NULL), nothing allowed. NULL when out of memory.
 */
struct robots *robots_from_answer(long status, const char *body, size_t len,
				  const char *product_token);

/*
 * Why a path r forbids is not fetched, as its row says: "blocked by
 * robots.txt", followed for a host that is denied whole by what its answer
 * was (": it answered 503", ": unreachable (connection refused)").
 */
const char *robots_why(const struct robots *r);

/* Accepts NULL. */
void robots_free(struct robots *r);

/*
 * The product token of a User-Agent header, the name robots.txt groups are
 * matched on: its leading letters, '-' and '_' (RFC 9309 2.2.1), which must
 * end the string or be followed by '/' or white space:
 * "crawlpool/0.1.0 (+https://x)" gives "crawlpool"; "bot9/1" gives none.
 * Returns the token's length, 0 when there is none; the token is written to
 * buf only when it fits (length < size), otherwise buf gets "" (size > 0).
 */
size_t robots_product_token(const char *user_agent, char *buf, size_t size);

#endif
