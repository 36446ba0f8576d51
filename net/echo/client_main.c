/* client_main.c -- echo-client: parse options, connect, authenticate, pump stdin and replies */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "auth.h"
#include "echo_client.h"
#include "echo_opts.h"

int main(int argc, char **argv)
{
	struct echo_client_opts opts;
	struct net_secret secret = { 0 };
	char err[NET_ERR_LEN > ECHO_OPTS_ERR_LEN ? NET_ERR_LEN : ECHO_OPTS_ERR_LEN];
	int fd, rc, closed = net_stdio_fill();

	switch (echo_client_opts_parse(&opts, argc, argv, err)) {
	case ECHO_OPTS_HELP:
		echo_client_usage(stdout);
		return 0;
	case ECHO_OPTS_USAGE:
		fprintf(stderr, "echo-client: %s\n", err);
		return 2;
	case ECHO_OPTS_RUN:
		break;
	}
	if (closed & (NET_STDIN_CLOSED | NET_STDOUT_CLOSED)) {
		fprintf(stderr, "echo-client: standard %s is closed (use %s for none)\n",
			closed & NET_STDIN_CLOSED ? "input" : "output",
			closed & NET_STDIN_CLOSED ? "</dev/null" : ">/dev/null");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* A key file that cannot be used is a usage error, found before any connection. */
	if (opts.secret_file && net_auth_secret_load(&secret, opts.secret_file, err) < 0) {
		fprintf(stderr, "echo-client: %s\n", err);
		return 2;
	}
	fd = net_tcp_connect_timeout(opts.host, opts.port, opts.timeout_ms, err);
	if (fd < 0) {
		fprintf(stderr, "echo-client: %s\n", err);
		net_auth_secret_release(&secret);
		return 1;
	}
	rc = opts.secret_file ? echo_client_handshake(fd, &secret, opts.timeout_ms, err)
			      : ECHO_CLIENT_OK;
	net_auth_secret_release(&secret);
	if (rc == ECHO_CLIENT_OK)
		rc = echo_client_pump(fd, STDIN_FILENO, STDOUT_FILENO, opts.secret_file != NULL,
				      opts.timeout_ms, err);
	close(fd);
	/* As a shell shows a filter killed by SIGPIPE: 'echo-client | head' is no error. */
	if (rc == ECHO_CLIENT_OUTPUT_GONE)
		return 128 + SIGPIPE;
	if (rc != ECHO_CLIENT_OK) {
		fprintf(stderr, "echo-client: %s\n", err);
		return 1;
	}
	return 0;
}
