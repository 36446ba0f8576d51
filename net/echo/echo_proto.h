/* echo_proto.h -- the echo protocol as pure functions: line scanning, upper-casing, messages */
#ifndef CRAWLPOOL_ECHO_PROTO_H
#define CRAWLPOOL_ECHO_PROTO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Replies that are not echoes. OK and DENIED come only in the handshake;
 * the errors hold lower-case letters, which no echo can.
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

enum echo_scan_result {
	ECHO_SCAN_OK,		/* every line so far is within the limit */
	ECHO_SCAN_TOO_LONG,	/* a line is longer than the limit */
};

/*
 * Scans buf[0, len), which starts at the beginning of a line, for complete
 * lines. The first `scanned` bytes are known to hold no newline (from an
 * earlier call), so each byte is looked at once however slowly a line
 * arrives. *complete is set to the length of the leading run of complete
 * lines (each ending in '\n' and at most max_line bytes before it). Returns
 * ECHO_SCAN_TOO_LONG if the line after that run, finished or not, is longer
 * than max_line.
 */
enum echo_scan_result echo_scan(const char *buf, size_t len, size_t scanned,
				size_t max_line, size_t *complete);

/* Upper-cases ASCII letters in place; every other byte (UTF-8 too) is kept. */
void echo_upcase(char *buf, size_t len);

/* Whether a received line is a server message rather than an echo. */
bool echo_is_server_message(const char *line, size_t len);

#endif
