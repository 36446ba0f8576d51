/* chat_main.c -- udp-chat: parse options, run a chat member, map the result to an exit status */
#include <stdio.h>

#include "chat_cli.h"
#include "chat_client.h"
#include "netutil.h"

static volatile sig_atomic_t stop;

int main(int argc, char **argv)
{
	struct chat_client_opts o;
	sigset_t waitmask;
	int closed = net_stdio_fill();
	int rc = chat_client_parse(argc, argv, &o);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	/* Else the socket would be fd 0, its datagrams read as typed lines. */
	if (closed & (NET_STDIN_CLOSED | NET_STDOUT_CLOSED)) {
		fprintf(stderr, "udp-chat: standard %s is closed (use %s for none)\n",
			closed & NET_STDIN_CLOSED ? "input" : "output",
			closed & NET_STDIN_CLOSED ? "</dev/null" : ">/dev/null");
		return 2;
	}
	if (chat_catch_signals(&stop, &waitmask) < 0) {
		perror("udp-chat: cannot install signal handlers");
		return 1;
	}
	rc = chat_client_run(&o, &stop, &waitmask);
	if (rc == CHAT_CLIENT_OUTPUT_GONE)
		return 128 + SIGPIPE;
	return rc == 0 ? 0 : rc == CHAT_CLIENT_EUSAGE ? 2 : 1;
}
