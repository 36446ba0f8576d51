/* chat_client.h -- udp-chat: a receive thread printing what arrives, the caller's thread sending stdin */
#ifndef CRAWLPOOL_CHAT_CLIENT_H
#define CRAWLPOOL_CHAT_CLIENT_H

#include <signal.h>

#include "chat_cli.h"

/*
 * Runs a chat member until /quit, end of stdin or *stop (set by a signal
 * that waitmask lets through during ppoll; see chat_catch_signals()). Prints
 * arrivals on stdout, one flushed line each, and reports on stderr.
 * 0 on a clean exit, -1 when setting up or writing stdout failed,
 * CHAT_CLIENT_EUSAGE when a peer or the relay is of another address family
 * than --bind, CHAT_CLIENT_OUTPUT_GONE when the reader of stdout went away
 * (the chat ends then, without waiting for stdin).
 */
#define CHAT_CLIENT_EUSAGE (-2)
#define CHAT_CLIENT_OUTPUT_GONE (-3)
int chat_client_run(const struct chat_client_opts *o, volatile sig_atomic_t *stop,
		    const sigset_t *waitmask);

#endif
