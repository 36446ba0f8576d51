/* redis_address.h -- where a shared frontier lives: redis://[:PASSWORD@]HOST[:PORT][/DB] or redis+unix:///PATH */
#ifndef CRAWLPOOL_REDIS_ADDRESS_H
#define CRAWLPOOL_REDIS_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

/*
 *   redis://HOST                     port 6379, database 0
 *   redis://:PASSWORD@HOST:PORT/DB   AUTH PASSWORD, then SELECT DB
 *   redis://USER:PASSWORD@HOST       AUTH USER PASSWORD (a Redis 6+ ACL user)
 *   redis://[::1]:6380               an IPv6 address in brackets
 *   redis+unix:///run/redis.sock     a unix socket; [:PASSWORD@] and /DB
 *                                    are not taken here (the path is all)
 *
 * User and password may carry %XX escapes (for '@', ':' or '/' in them).
 */
struct redis_address {
	bool is_unix;
	char host[256];		/* without brackets */
	unsigned port;
	char path[108];		/* a unix socket's, as sun_path holds it */
	char user[128];		/* "" when none */
	char password[512];
	bool has_password;
	unsigned db;
};

/* 0, or -1 with err saying what is wrong (the caller's usage error). */
int redis_address_parse(const char *url, struct redis_address *a, char *err, size_t errlen);

/* The address for messages, never with its password: "redis://127.0.0.1:6379/0". */
void redis_address_show(const struct redis_address *a, char *buf, size_t size);

#endif
