/* redis_link.h -- the only hiredis user: one connection to Redis that comes back after a fault, commands and Lua scripts over it */
#ifndef CRAWLPOOL_REDIS_LINK_H
#define CRAWLPOOL_REDIS_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "redis_address.h"

/*
 * A call that fails on the connection drops it; the next call connects
 * again (AUTH, SELECT). After any failure (an error reply too: LOADING,
 * BUSY, OOM) the next attempt waits a backoff that doubles from 100 ms to
 * 2 s and is cleared by a success. A call made inside the backoff fails at
 * once with the last error, so a caller may ask as often as it likes.
 */
enum redis_link_result {
	REDIS_LINK_OK = 0,
	REDIS_LINK_EDOWN = -1,	/* unreachable, timed out, or an error reply: try again later */
	REDIS_LINK_EAUTH = -2,	/* the password or the database was refused, or no Redis answered */
	REDIS_LINK_ENOMEM = -3,
};

/* A Lua script, run by its SHA1 (EVALSHA); loaded when Redis does not know it (NOSCRIPT). */
struct redis_script {
	const char *text;
	char sha[41];		/* "" until loaded once */
};

struct redis_link;
struct redis_reply;

/* No connection is made yet. timeout_ms bounds connecting and every reply. NULL when out of memory. */
struct redis_link *redis_link_new(const struct redis_address *a, long timeout_ms);
void redis_link_free(struct redis_link *l);

/* A command, argv[0] its name; *reply is set on REDIS_LINK_OK (free it with redis_reply_free()). */
int redis_link_command(struct redis_link *l, int argc, const char *const *argv, const size_t *lens,
		       struct redis_reply **reply);
/* EVALSHA s with no KEYS (the scripts name their keys from their first argument) and argv. */
int redis_link_eval(struct redis_link *l, struct redis_script *s, int argc, const char *const *argv,
		    const size_t *lens, struct redis_reply **reply);

/* Why the last call failed: "redis at 'redis://127.0.0.1:6379/0' unreachable: Connection refused". */
const char *redis_link_error(const struct redis_link *l);
/* Milliseconds before the next call may try again; 0 when it may now. */
long long redis_link_retry_in_ms(const struct redis_link *l);
/* Commands sent so far (login, SCRIPT LOAD and EVALSHA included): each is one round trip. */
unsigned long long redis_link_requests(const struct redis_link *l);
/* The address, without its password, for messages. */
const char *redis_link_name(const struct redis_link *l);

/* Replies: arrays are read by index; a missing element reads as nil. */
void redis_reply_free(struct redis_reply *r);
size_t redis_reply_count(const struct redis_reply *r);
const struct redis_reply *redis_reply_at(const struct redis_reply *r, size_t i);
/* An integer reply, or a string of digits; 0 otherwise. */
long long redis_reply_int(const struct redis_reply *r);
/* A string or status reply (*len its length), NULL otherwise (nil). */
const char *redis_reply_str(const struct redis_reply *r, size_t *len);

#endif
