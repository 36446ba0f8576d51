/* echo_proto.h -- the echo protocol as pure functions: the line limit, upper-casing, messages */
#ifndef CRAWLPOOL_ECHO_PROTO_H
#define CRAWLPOOL_ECHO_PROTO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * What arrives is answered at once, upper-cased, newline or not: a client
 * that sends "hello" and waits gets "HELLO". Lines matter only for the limit
 * and at the end: a line longer than max_line is answered up to the limit,
 * then refused; an unfinished line at the client's EOF gets a newline.
 *
 * Replies that are not echoes. OK and DENIED come only in the handshake;
 * the errors hold lower-case letters, which no echo can, and start a line
 * of their own (after a newline if an echo stopped mid-line).
 */
#define ECHO_MSG_OK "OK\n"
#define ECHO_MSG_DENIED "DENIED\n"
#define ECHO_MSG_BUSY "ERROR busy\n"
#define ECHO_MSG_TOO_LONG "ERROR line too long\n"

/* Defaults and bounds of the server's limits. */
#define ECHO_DEFAULT_MAX_LINE ((size_t)64 << 10)
#define ECHO_MAX_MAX_LINE ((size_t)64 << 20)
#define ECHO_DEFAULT_MAX_CLIENTS 1024
#define ECHO_DEFAULT_IDLE_SECONDS 300
/* Time a client has to answer the challenge. */
#define ECHO_AUTH_TIMEOUT_MS 5000
/* Time to deliver a final error and let the peer finish sending before the close. */
#define ECHO_LINGER_MS 2000

/*
 * Checks newly arrived bytes buf[0, len) against the line limit. *line_len is
 * the length of the line they continue (bytes since the last newline, 0 at
 * the start of one) and is updated past them. Returns how many of the bytes
 * may be answered: len, or fewer when a line would grow past max_line bytes
 * (its newline not counted), the first byte too many being at the result.
 */
size_t echo_scan(const char *buf, size_t len, size_t *line_len, size_t max_line);

/* Upper-cases ASCII letters in place; every other byte (UTF-8 too) is kept. */
void echo_upcase(char *buf, size_t len);

/* Whether a received line is a server message rather than an echo. */
bool echo_is_server_message(const char *line, size_t len);

#endif
