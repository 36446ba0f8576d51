/* server_main.c -- echo-server: parse options, open, run the chosen mode, map the result */
#include <stdio.h>

#include "echo_opts.h"
#include "echo_run.h"
#include "echo_server.h"

int main(int argc, char **argv)
{
	struct echo_server_opts opts;
	struct echo_server server;
	char err[NET_ERR_LEN > ECHO_OPTS_ERR_LEN ? NET_ERR_LEN : ECHO_OPTS_ERR_LEN];
	int rc;

	/* Else the listening socket could be fd 1, and 'listening on' written to it. */
	(void)net_stdio_fill();
	switch (echo_server_opts_parse(&opts, argc, argv, err)) {
	case ECHO_OPTS_HELP:
		echo_server_usage(stdout);
		return 0;
	case ECHO_OPTS_USAGE:
		fprintf(stderr, "echo-server: %s\n", err);
		return 2;
	case ECHO_OPTS_RUN:
		break;
	}
	rc = echo_server_open(&server, &opts, err);
	if (rc < 0) {
		fprintf(stderr, "echo-server: %s\n", err);
		return rc == ECHO_SERVER_EUSAGE ? 2 : 1;
	}
	rc = echo_run(&server);
	echo_log(&server, "stopped");
	echo_server_close(&server);
	return rc < 0 ? 1 : 0;
}
