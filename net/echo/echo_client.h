/* echo_client.h -- echo-client: handshake, then stdin to the server and replies to stdout */
#ifndef CRAWLPOOL_ECHO_CLIENT_H
#define CRAWLPOOL_ECHO_CLIENT_H

#include <stdbool.h>

#include "auth.h"
#include "netutil.h"

enum echo_client_result {
	ECHO_CLIENT_OK = 0,
	ECHO_CLIENT_FAILED = -1,	/* I/O error, a timeout, or the server closed early */
	ECHO_CLIENT_REFUSED = -2,	/* the server sent an error (busy, line too long) */
	ECHO_CLIENT_DENIED = -3,	/* the server rejected the key */
	ECHO_CLIENT_MISMATCH = -4,	/* one side authenticates and the other does not */
	ECHO_CLIENT_OUTPUT_GONE = -5,	/* the reader of the output went away (EPIPE) */
};

/*
 * Answers the server's challenge on a connected socket, waiting at most
 * timeout_ms for each of challenge and verdict. A server that sends no
 * challenge in that time does not authenticate: ECHO_CLIENT_MISMATCH.
 * 0, or a negative echo_client_result with err (NET_ERR_LEN) filled.
 */
int echo_client_handshake(int fd, const struct net_secret *secret, int timeout_ms, char *err);

/*
 * Copies in_fd to the socket and the server's replies to out_fd until the
 * server closes; half-closes the socket at the end of the input. Server
 * messages go to err instead of out_fd. The socket is made non-blocking,
 * so a server that stops reading never deadlocks the client, and no wait for
 * the server (a reply owed, a send, the close) lasts over timeout_ms without
 * progress. Without a handshake (handshaken false), the server's first bytes
 * must be the echo of ours: anything else, say a challenge, is
 * ECHO_CLIENT_MISMATCH, reported before it reaches out_fd.
 */
int echo_client_pump(int fd, int in_fd, int out_fd, bool handshaken, int timeout_ms, char *err);

#endif
