/* echo_client.h -- echo-client: handshake, then stdin lines to the server and replies to stdout */
#ifndef CRAWLPOOL_ECHO_CLIENT_H
#define CRAWLPOOL_ECHO_CLIENT_H

#include "auth.h"
#include "netutil.h"

/* How long the client waits for each step of the handshake. */
#define ECHO_CLIENT_HANDSHAKE_MS 10000

enum echo_client_result {
	ECHO_CLIENT_OK = 0,
	ECHO_CLIENT_FAILED = -1,	/* I/O error or the server closed early */
	ECHO_CLIENT_REFUSED = -2,	/* the server sent an error (busy, line too long) */
	ECHO_CLIENT_DENIED = -3,	/* the server rejected the key */
};

/*
 * Answers the server's challenge on a connected socket. 0, or a negative
 * echo_client_result with err (NET_ERR_LEN) filled.
 */
int echo_client_handshake(int fd, const struct net_secret *secret, char *err);

/*
 * Copies in_fd to the socket and the server's replies to out_fd until the
 * server closes; half-closes the socket at the end of the input. Server
 * messages go to err instead of out_fd. The socket is made non-blocking,
 * so a server that stops reading never deadlocks the client.
 */
int echo_client_pump(int fd, int in_fd, int out_fd, char *err);

#endif
