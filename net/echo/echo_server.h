/* echo_server.h -- the listening server the modes share: setup, signals, accept, refusals, log */
#ifndef CRAWLPOOL_ECHO_SERVER_H
#define CRAWLPOOL_ECHO_SERVER_H

#include <signal.h>
#include <stdbool.h>

#include "auth.h"
#include "echo_conn.h"
#include "echo_opts.h"
#include "netutil.h"

struct echo_server {
	const struct echo_server_opts *opts;
	struct echo_config cfg;
	struct net_secret secret;
	int listen_fd;		/* non-blocking */
	int reserve_fd;		/* spare descriptor, given up to shed a connection at EMFILE */
	sigset_t wait_mask;	/* mask to wait with: the control signals unblocked */
};

/* echo_server_open()'s result when --secret-file cannot be used: a usage error, not a failure. */
#define ECHO_SERVER_EUSAGE (-2)

/*
 * Loads the secret, raises the descriptor limit, listens, installs the
 * signal handlers (SIGINT, SIGTERM and SIGCHLD stay blocked except while
 * waiting with wait_mask; SIGPIPE ignored), writes the port file and
 * prints "listening on ADDR" on stdout. 0, or -1 (ECHO_SERVER_EUSAGE for a
 * secret file missing, unreadable, empty or too large) with err (NET_ERR_LEN).
 */
int echo_server_open(struct echo_server *s, const struct echo_server_opts *o, char *err);
void echo_server_close(struct echo_server *s);

/* Whether SIGINT or SIGTERM arrived. */
bool echo_server_stopping(void);
/* Whether SIGCHLD arrived since the last call. */
bool echo_server_child_exited(void);

/*
 * Accepts one pending connection as a non-blocking close-on-exec socket and
 * names its peer. -1 when none is pending or it could not be taken.
 */
int echo_server_accept(struct echo_server *s, char peer[NET_ADDRSTR_LEN]);
/*
 * Starts serving an accepted socket (handshake or echo) and logs the
 * connection. On failure logs the refusal, closes fd and returns -1.
 */
int echo_server_conn_init(const struct echo_server *s, struct echo_conn *c, int fd,
			  const char *peer);
/* Tells a connection over the limit that the server is busy, and closes it. */
void echo_server_refuse_busy(struct echo_server *s, int fd, const char *peer, unsigned clients);

/* One line on stderr, "echo-server: ...", unless --quiet. */
void echo_log(const struct echo_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Logs a connection's end if it was a refusal or timeout. */
void echo_server_log_end(const struct echo_server *s, const struct echo_conn *c);

#endif
