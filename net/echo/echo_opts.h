/* echo_opts.h -- command-line options of echo-server and echo-client */
#ifndef CRAWLPOOL_ECHO_OPTS_H
#define CRAWLPOOL_ECHO_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum echo_mode {
	ECHO_MODE_PROCESS,	/* a forked process per connection */
	ECHO_MODE_THREAD,	/* a thread per connection */
	ECHO_MODE_EVENT,	/* one thread, epoll, non-blocking sockets */
};

#define ECHO_HOST_MAX 256
#define ECHO_DEFAULT_HOST "127.0.0.1"
#define ECHO_DEFAULT_PORT 8080
/* Bounds of --max-clients: past this, file descriptors and processes run out first. */
#define ECHO_MAX_MAX_CLIENTS 100000
#define ECHO_MAX_IDLE_SECONDS 604800

struct echo_server_opts {
	char host[ECHO_HOST_MAX];
	unsigned short port;
	enum echo_mode mode;
	const char *secret_file;	/* NULL: no authentication */
	const char *port_file;		/* NULL: none */
	unsigned max_clients;
	unsigned idle_seconds;
	size_t max_line;
	bool quiet;
};

/* How long echo-client waits for the server at each step (--timeout). */
#define ECHO_CLIENT_DEFAULT_TIMEOUT_MS 10000
#define ECHO_CLIENT_MAX_TIMEOUT_MS 3600000

struct echo_client_opts {
	char host[ECHO_HOST_MAX];
	unsigned short port;
	const char *secret_file;
	int timeout_ms;
};

/* Results of the parsers. */
enum echo_opts_result {
	ECHO_OPTS_RUN,		/* options are valid */
	ECHO_OPTS_HELP,		/* --help was given */
	ECHO_OPTS_USAGE,	/* invalid; err says why */
};

/* err holds at least ECHO_OPTS_ERR_LEN bytes. */
#define ECHO_OPTS_ERR_LEN 256

enum echo_opts_result echo_server_opts_parse(struct echo_server_opts *o, int argc, char **argv,
					     char *err);
enum echo_opts_result echo_client_opts_parse(struct echo_client_opts *o, int argc, char **argv,
					     char *err);
void echo_server_usage(FILE *out);
void echo_client_usage(FILE *out);

const char *echo_mode_name(enum echo_mode mode);

#endif
