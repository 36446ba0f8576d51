/* echo_conn.h -- one echo connection as a non-blocking state machine, shared by all modes */
#ifndef CRAWLPOOL_ECHO_CONN_H
#define CRAWLPOOL_ECHO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "netutil.h"

/* The limits every connection of a server shares. */
struct echo_config {
	size_t max_line;		/* longest line, newline excluded; also sizes the buffer */
	int64_t idle_ms;		/* close after this long without progress */
	const struct net_secret *secret;	/* NULL: no handshake */
};

enum echo_conn_state {
	ECHO_CONN_AUTH,		/* challenge sent, waiting for the tag */
	ECHO_CONN_ECHO,		/* answering what arrives */
	ECHO_CONN_CLOSING,	/* flushing replies and a final message */
	ECHO_CONN_LINGER,	/* write side shut; discarding input until EOF */
	ECHO_CONN_DONE,		/* to be released */
};

/* Why a connection ended. */
enum echo_conn_end {
	ECHO_END_NONE,
	ECHO_END_EOF,		/* the peer closed; every reply was delivered */
	ECHO_END_ERROR,		/* reset, or another socket error */
	ECHO_END_IDLE,		/* no progress within the idle timeout */
	ECHO_END_AUTH_TIMEOUT,	/* no tag within the handshake deadline */
	ECHO_END_AUTH_EOF,	/* the peer left before answering the challenge */
	ECHO_END_DENIED,	/* wrong tag */
	ECHO_END_TOO_LONG,	/* a line over the limit */
	ECHO_END_SHUTDOWN,	/* the server is stopping */
	ECHO_END_NOMEM,		/* no memory for the line buffer */
};

/* Largest message written after the replies: a challenge or one of ECHO_MSG_*. */
#define ECHO_NOTE_MAX 32

struct echo_conn {
	int fd;				/* non-blocking, owned */
	enum echo_conn_state state;
	enum echo_conn_end end;
	const struct echo_config *cfg;
	int64_t deadline;		/* monotonic ms: auth, idle or linger deadline */
	bool peer_eof;			/* the peer shut its write side */
	/*
	 * Replies to write, [sent, len): what arrived, upper-cased in place and
	 * answered without waiting for a newline. Bounded by the buffer's cap,
	 * so a peer that does not read its replies stops being read from.
	 */
	char *buf;
	size_t alloc, sent, len;
	size_t line_len;		/* bytes of the current line so far, for max_line */
	/* Written once the replies are out. */
	unsigned char note[ECHO_NOTE_MAX];
	size_t note_len, note_sent;
	unsigned char challenge[NET_AUTH_CHALLENGE_LEN];
	unsigned char answer[NET_AUTH_TAG_LEN];
	size_t answer_len;
	char peer[NET_ADDRSTR_LEN];	/* for the log */
};

/* Monotonic clock in milliseconds. */
int64_t echo_now_ms(void);

/*
 * Takes a connected non-blocking socket and starts the handshake or, with no
 * secret, the echo. 0, or -1 if no challenge could be made (fd kept open).
 */
int echo_conn_init(struct echo_conn *c, int fd, const char *peer,
		   const struct echo_config *cfg, int64_t now);
/* Closes the socket and frees the buffer. */
void echo_conn_release(struct echo_conn *c);

/* poll() events the connection waits for (POLLIN, POLLOUT). */
short echo_conn_events(const struct echo_conn *c);
/* Does the I/O that revents allows, then any write that became possible. */
void echo_conn_handle(struct echo_conn *c, short revents, int64_t now);
/* Ends the connection if its deadline has passed. */
void echo_conn_expire(struct echo_conn *c, int64_t now);
/* Ends the connection now, e.g. on shutdown. */
void echo_conn_end(struct echo_conn *c, enum echo_conn_end why);
static inline bool echo_conn_done(const struct echo_conn *c)
{
	return c->state == ECHO_CONN_DONE;
}

/*
 * Serves one connection to its end with poll(), for the modes with a thread
 * or process per connection. Returns early, ending it with
 * ECHO_END_SHUTDOWN, once stop_fd becomes readable or hangs up.
 */
void echo_conn_serve(struct echo_conn *c, int stop_fd);

/* Words for the log: "denied", "idle timeout", ... */
const char *echo_conn_end_string(enum echo_conn_end why);
/* Whether an end is a refusal the server logs. */
bool echo_conn_end_is_refusal(enum echo_conn_end why);

#endif
