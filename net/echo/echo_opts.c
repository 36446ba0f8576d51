/* echo_opts.c -- command-line options of echo-server and echo-client */
#include "echo_opts.h"
#include "auth.h"
#include "echo_proto.h"
#include "errbuf.h"
#include "numbers.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

enum {
	OPT_HOST = 256,
	OPT_PORT,
	OPT_MODE,
	OPT_SECRET,
	OPT_MAX_CLIENTS,
	OPT_IDLE,
	OPT_MAX_LINE,
	OPT_PORT_FILE,
	OPT_QUIET,
	OPT_TIMEOUT,
	OPT_HELP,
};

__attribute__((format(printf, 2, 3)))
static enum echo_opts_result opts_usage(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, ECHO_OPTS_ERR_LEN, fmt, ap);
	va_end(ap);
	return ECHO_OPTS_USAGE;
}

/* "[::1]", as 'listening on [::1]:PORT' shows it, is taken as "::1". */
static int opts_host(char *host, const char *text, char *err)
{
	size_t len = strlen(text);

	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len == 0 || len >= ECHO_HOST_MAX) {
		opts_usage(err, "invalid host '%.*s'", (int)len, text);
		return -1;
	}
	snprintf(host, ECHO_HOST_MAX, "%.*s", (int)len, text);
	return 0;
}

/* The server may listen on port 0 (any free one); the client must name one. */
static int opts_port(unsigned short *port, const char *text, long long min, char *err)
{
	long long v;

	if (num_parse_int("--port", text, min, 65535, &v, err, ECHO_OPTS_ERR_LEN) < 0)
		return -1;
	*port = (unsigned short)v;
	return 0;
}

static int opts_mode(enum echo_mode *mode, const char *text, char *err)
{
	static const enum echo_mode modes[] = { ECHO_MODE_PROCESS, ECHO_MODE_THREAD, ECHO_MODE_EVENT };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(text, echo_mode_name(modes[i])) == 0) {
			*mode = modes[i];
			return 0;
		}
	}
	opts_usage(err, "invalid mode '%s': expected process, thread or event", text);
	return -1;
}

const char *echo_mode_name(enum echo_mode mode)
{
	switch (mode) {
	case ECHO_MODE_PROCESS:
		return "process";
	case ECHO_MODE_THREAD:
		return "thread";
	case ECHO_MODE_EVENT:
		return "event";
	}
	return "unknown";
}

static int opts_server_one(void *arg, int opt, char *err)
{
	struct echo_server_opts *o = arg;
	long long v;

	switch (opt) {
	case OPT_HOST:
		return opts_host(o->host, optarg, err);
	case OPT_PORT:
		return opts_port(&o->port, optarg, 0, err);
	case OPT_MODE:
		return opts_mode(&o->mode, optarg, err);
	case OPT_SECRET:
		o->secret_file = optarg;
		return 0;
	case OPT_PORT_FILE:
		o->port_file = optarg;
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_MAX_CLIENTS:
		if (num_parse_int("--max-clients", optarg, 1, ECHO_MAX_MAX_CLIENTS, &v, err,
				  ECHO_OPTS_ERR_LEN) < 0)
			return -1;
		o->max_clients = (unsigned)v;
		return 0;
	case OPT_IDLE:
		if (num_parse_int("--idle-timeout", optarg, 1, ECHO_MAX_IDLE_SECONDS, &v, err,
				  ECHO_OPTS_ERR_LEN) < 0)
			return -1;
		o->idle_seconds = (unsigned)v;
		return 0;
	case OPT_MAX_LINE:
		if (num_parse_size("--max-line", optarg, 1, ECHO_MAX_MAX_LINE, &v, err,
				   ECHO_OPTS_ERR_LEN) < 0)
			return -1;
		o->max_line = (size_t)v;
		return 0;
	}
	opts_usage(err, "unknown option; see --help");
	return -1;
}

/* Handles one option for its program; 0 or -1 with err. */
typedef int echo_opts_one_fn(void *o, int opt, char *err);

/* getopt_long with its own messages off, so that every error goes through err. */
static enum echo_opts_result opts_run(int argc, char **argv, const struct option *longopts,
				      echo_opts_one_fn *one, void *o, char *err)
{
	int opt;

	optind = 0;
	opterr = 0;
	/* A leading colon makes a missing value ":" rather than "?". */
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

			return opts_usage(err, "%s option '%s'; see --help",
					  opt == ':' ? "missing value for" : "unknown", arg);
		}
		if (opt == OPT_HELP)
			return ECHO_OPTS_HELP;
		if (one(o, opt, err) < 0)
			return ECHO_OPTS_USAGE;
	}
	if (optind < argc)
		return opts_usage(err, "unexpected argument '%s'; see --help", argv[optind]);
	return ECHO_OPTS_RUN;
}

enum echo_opts_result echo_server_opts_parse(struct echo_server_opts *o, int argc, char **argv,
					     char *err)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "secret-file", required_argument, NULL, OPT_SECRET },
		{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "max-line", required_argument, NULL, OPT_MAX_LINE },
		{ "port-file", required_argument, NULL, OPT_PORT_FILE },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};

	memset(o, 0, sizeof(*o));
	snprintf(o->host, sizeof(o->host), "%s", ECHO_DEFAULT_HOST);
	o->port = ECHO_DEFAULT_PORT;
	o->mode = ECHO_MODE_EVENT;
	o->max_clients = ECHO_DEFAULT_MAX_CLIENTS;
	o->idle_seconds = ECHO_DEFAULT_IDLE_SECONDS;
	o->max_line = ECHO_DEFAULT_MAX_LINE;
	return opts_run(argc, argv, longopts, opts_server_one, o, err);
}

static int opts_client_one(void *arg, int opt, char *err)
{
	struct echo_client_opts *o = arg;
	long long ms;

	switch (opt) {
	case OPT_HOST:
		return opts_host(o->host, optarg, err);
	case OPT_PORT:
		return opts_port(&o->port, optarg, 1, err);
	case OPT_SECRET:
		o->secret_file = optarg;
		return 0;
	case OPT_TIMEOUT:
		if (num_parse_seconds("--timeout", optarg, 1, ECHO_CLIENT_MAX_TIMEOUT_MS, &ms, err,
				      ECHO_OPTS_ERR_LEN) < 0)
			return -1;
		o->timeout_ms = (int)ms;
		return 0;
	}
	opts_usage(err, "unknown option; see --help");
	return -1;
}

enum echo_opts_result echo_client_opts_parse(struct echo_client_opts *o, int argc, char **argv,
					     char *err)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "secret-file", required_argument, NULL, OPT_SECRET },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};

	memset(o, 0, sizeof(*o));
	snprintf(o->host, sizeof(o->host), "%s", ECHO_DEFAULT_HOST);
	o->port = ECHO_DEFAULT_PORT;
	o->timeout_ms = ECHO_CLIENT_DEFAULT_TIMEOUT_MS;
	return opts_run(argc, argv, longopts, opts_client_one, o, err);
}

void echo_server_usage(FILE *out)
{
	fprintf(out,
		"usage: echo-server [--host 127.0.0.1] [--port 8080] [--mode process|thread|event]\n"
		"                   [--secret-file FILE] [--max-clients N] [--idle-timeout SECONDS]\n"
		"                   [--max-line BYTES] [--port-file FILE] [--quiet]\n"
		"\n"
		"Answers whatever arrives at once, ASCII letters upper-cased, without\n"
		"waiting for a newline; an unfinished line gets one when the client\n"
		"half-closes.\n"
		"\n"
		"  --host HOST           address to listen on (default 127.0.0.1); IPv6 as ::1\n"
		"                        or [::1]\n"
		"  --port PORT           port to listen on; 0 picks a free one (default 8080)\n"
		"  --mode MODE           process: a process per connection; thread: a thread per\n"
		"                        connection; event: one thread with epoll (default event)\n"
		"  --secret-file FILE    require HMAC-SHA256 challenge-response with this key\n"
		"                        (the file's bytes, one trailing newline removed)\n"
		"  --max-clients N       connections served at once, 1 to %d; more get\n"
		"                        'ERROR busy' (default %d)\n"
		"  --idle-timeout S      close connections idle this many seconds, 1 to %d\n"
		"                        (default %d)\n"
		"  --max-line BYTES      longest line, 1 to %zuM, K/M/G; one longer is answered\n"
		"                        up to the limit, then 'ERROR line too long' on a\n"
		"                        line of its own, and closed (default %zu)\n"
		"  --port-file FILE      write the bound port to FILE once listening\n"
		"  --quiet               do not log connections to stderr\n"
		"  --help                show this help\n"
		"\n"
		"Prints 'listening on HOST:PORT' on stdout once ready. SIGINT/SIGTERM stop it.\n"
		"\n"
		"Exit status: 0 stopped by SIGINT/SIGTERM; 1 cannot listen (unknown host,\n"
		"address in use) or write --port-file, or failed; 2 usage, or a --secret-file\n"
		"that cannot be read, is empty or is over %d KiB.\n",
		ECHO_MAX_MAX_CLIENTS, ECHO_DEFAULT_MAX_CLIENTS, ECHO_MAX_IDLE_SECONDS,
		ECHO_DEFAULT_IDLE_SECONDS, ECHO_MAX_MAX_LINE >> 20, ECHO_DEFAULT_MAX_LINE,
		NET_AUTH_SECRET_MAX / 1024);
}

void echo_client_usage(FILE *out)
{
	fprintf(out,
		"usage: echo-client [--host 127.0.0.1] [--port 8080] [--secret-file FILE]\n"
		"                   [--timeout SECONDS]\n"
		"\n"
		"Sends standard input to an echo-server and prints its replies.\n"
		"\n"
		"  --host HOST           server address (default 127.0.0.1); IPv6 as ::1\n"
		"                        or [::1]\n"
		"  --port PORT           server port, 1 to 65535 (default 8080)\n"
		"  --secret-file FILE    answer the server's challenge with this key\n"
		"  --timeout SECONDS     longest wait for the server: to connect, for the\n"
		"                        challenge and the verdict, for a reply owed, a send\n"
		"                        or the close; up to %d, decimals allowed (default %d).\n"
		"                        Waiting for input is not bounded: the server's idle\n"
		"                        timeout is.\n"
		"  --help                show this help\n"
		"\n"
		"The server's first bytes tell whether it authenticates: a server that does\n"
		"sends a challenge at once, one that does not sends nothing. Either mismatch\n"
		"(--secret-file or not) is an error, as is a server silent past --timeout.\n"
		"\n"
		"Exit status: 0 ok; 1 connection failed, timed out, refused or denied, or\n"
		"authentication mismatched; 2 usage, or a --secret-file that cannot be read,\n"
		"is empty or is over %d KiB; 141, quietly, when the reader of the output\n"
		"went away ('echo-client | head').\n",
		ECHO_CLIENT_MAX_TIMEOUT_MS / 1000, ECHO_CLIENT_DEFAULT_TIMEOUT_MS / 1000,
		NET_AUTH_SECRET_MAX / 1024);
}
