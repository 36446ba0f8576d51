/* chat_relay.h -- udp-chat-relay: one room, every message forwarded to every other member */
#ifndef CRAWLPOOL_CHAT_RELAY_H
#define CRAWLPOOL_CHAT_RELAY_H

#include <signal.h>

#include "chat_cli.h"

/*
 * Runs the room until *stop (set by a signal that waitmask lets through
 * during ppoll). Joins, leaves and refusals are logged on stderr.
 * 0 on a clean exit, -1 when setting up failed.
 */
int chat_relay_run(const struct chat_relay_opts *o, volatile sig_atomic_t *stop,
		   const sigset_t *waitmask);

#endif
