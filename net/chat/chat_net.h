/* chat_net.h -- datagram I/O shared by the chat client and relay: bounded receive, strict decode, reports */
#ifndef CRAWLPOOL_CHAT_NET_H
#define CRAWLPOOL_CHAT_NET_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "chat_proto.h"
#include "netutil.h"

/* Where a datagram came from, kept with its printable form. */
struct chat_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[NET_ADDRSTR_LEN];
};

/* chat_recv_msg()'s result when an earlier datagram was refused (connected sockets only). */
#define CHAT_RECV_REFUSED 2

/*
 * Receives one datagram into buf, which must hold max_payload + 1 bytes, and
 * decodes it into *m. A datagram over max_payload (the kernel reports its full
 * size, so truncation is never silent) or one that fails to decode is
 * reported on stderr under prog's name and skipped.
 * Returns 1 with *m to release, 0 when skipped or interrupted,
 * CHAT_RECV_REFUSED when the kernel reports that a datagram sent earlier was
 * refused (an ICMP port unreachable, which only a connected socket is told),
 * -1 on a socket error (errno set).
 */
int chat_recv_msg(int fd, char *buf, size_t max_payload, struct chat_msg *m,
		  struct chat_addr *from, const char *prog);

/* Same family, address and port. */
bool chat_addr_equal(const struct chat_addr *a, const struct chat_addr *b);

/*
 * Sends one datagram; reports a failure on stderr. 0 or -1. ECONNREFUSED (an
 * earlier datagram of a connected socket was refused; this one was not sent)
 * is left to the caller, unreported.
 */
int chat_send(int fd, const void *buf, size_t len, const struct chat_addr *to,
	      const char *prog);

/*
 * Binds a UDP socket and announces "PROG: listening on HOST:PORT" on stderr,
 * the line scripts wait for when they ask for port 0. fd, or -1 (reported).
 */
int chat_bind(const char *host, unsigned short port, const char *prog);

/* Seconds on the monotonic clock. */
double chat_now(void);

/* Resolves "HOST:PORT" (port 1 to 65535) into *addr. 0, or -1 with err filled. */
int chat_addr_resolve(const char *spec, struct chat_addr *addr, char *err);

#endif
