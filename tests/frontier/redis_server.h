/* redis_server.h -- a redis-server of a test's own, on a unix socket in a temporary directory: started, restarted, stopped */
#ifndef CRAWLPOOL_TEST_REDIS_SERVER_H
#define CRAWLPOOL_TEST_REDIS_SERVER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The server never listens on TCP (--port 0), saves no snapshot (--save ''),
 * and dies with the test (the parent-death signal). With appendonly its
 * data is kept in the directory across redis_server_restart().
 */
struct redis_server_options {
	bool appendonly;
	const char *password;	/* --requirepass, or NULL */
};

struct redis_server;

/* Starts and waits until it answers PING (10 s at most). NULL, with the reason on stderr. */
struct redis_server *redis_server_start(const struct redis_server_options *o);
/* "redis+unix:///tmp/crawlpool-redis-XXXXXX/redis.sock" */
const char *redis_server_url(const struct redis_server *s);
/* The socket's path, and the directory its data and log are in. */
const char *redis_server_socket(const struct redis_server *s);
const char *redis_server_dir(const struct redis_server *s);
/* The server's process id (0 when stopped), to read its CPU time. */
int redis_server_pid(const struct redis_server *s);
/* SIGTERM (Redis writes its append-only file and exits) and reaps it. 0 or -1. */
int redis_server_stop(struct redis_server *s);
/* Stops it if running, starts it again on the same directory and socket. 0 or -1. */
int redis_server_restart(struct redis_server *s);
/* The same, the server wanting password from now on (NULL: none). */
int redis_server_restart_password(struct redis_server *s, const char *password);
/* Stops it and removes its directory. Accepts NULL. */
void redis_server_free(struct redis_server *s);

/*
 * No Redis at all: a listener on 127.0.0.1 that never accepts (the kernel's
 * backlog takes the connections) and so never answers. Its socket, to
 * close, or -1; url its redis:// address.
 */
int redis_silent_listener(char *url, size_t size);

#endif
