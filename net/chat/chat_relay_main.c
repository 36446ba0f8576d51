/* chat_relay_main.c -- udp-chat-relay: parse options, run the room, map the result to an exit status */
#include <stdio.h>

#include "chat_cli.h"
#include "chat_relay.h"
#include "netutil.h"

static volatile sig_atomic_t stop;

int main(int argc, char **argv)
{
	struct chat_relay_opts o;
	sigset_t waitmask;
	int rc;

	(void)net_stdio_fill();
	rc = chat_relay_parse(argc, argv, &o);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (chat_catch_signals(&stop, &waitmask) < 0) {
		perror("udp-chat-relay: cannot install signal handlers");
		return 1;
	}
	return chat_relay_run(&o, &stop, &waitmask) == 0 ? 0 : 1;
}
