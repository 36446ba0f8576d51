/* chat_cli.h -- command-line front of udp-chat and udp-chat-relay: options, usage, stop signals */
#ifndef CRAWLPOOL_CHAT_CLI_H
#define CRAWLPOOL_CHAT_CLI_H

#include <signal.h>
#include <stdio.h>

#include "chat_proto.h"

#define CHAT_MAX_PEERS 64
#define CHAT_HOST_LEN 256
#define CHAT_DEFAULT_RELAY_PORT 7070
#define CHAT_DEFAULT_KEEPALIVE 60
#define CHAT_DEFAULT_IDLE 300

struct chat_client_opts {
	const char *name;
	char bind_host[CHAT_HOST_LEN];	/* empty: 127.0.0.1, or ::1 for IPv6 targets */
	unsigned short bind_port;
	const char *peers[CHAT_MAX_PEERS];	/* HOST:PORT specs */
	size_t npeers;
	const char *relay;	/* HOST:PORT, or NULL in peer mode */
	size_t max_payload;
	unsigned keepalive;	/* seconds between keep-alive joins to the relay */
};

struct chat_relay_opts {
	char bind_host[CHAT_HOST_LEN];
	unsigned short bind_port;
	size_t max_members;
	unsigned idle_timeout;	/* seconds of silence before a member is dropped */
	size_t max_payload;
};

/*
 * Parse argv. 0 to run, 1 when --help was asked (usage printed to stdout),
 * -1 on a usage error (message printed to stderr).
 */
int chat_client_parse(int argc, char **argv, struct chat_client_opts *o);
int chat_relay_parse(int argc, char **argv, struct chat_relay_opts *o);

/*
 * Routes SIGINT and SIGTERM to *flag, blocks them, and stores in *waitmask the
 * mask to hand ppoll() so they are only delivered while the caller waits
 * (no lost wake-up between testing the flag and sleeping). Threads created
 * afterwards inherit the blocked mask and never see them. Ignores SIGPIPE.
 */
int chat_catch_signals(volatile sig_atomic_t *flag, sigset_t *waitmask);

#endif
