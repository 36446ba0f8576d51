/* chat_cli.c -- command-line front of udp-chat and udp-chat-relay: options, usage, stop signals */
#include "chat_cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "chat_members.h"
#include "numbers.h"

/* Room for a message of util's option parsers, which quote the user's value. */
#define CHAT_OPT_ERR_LEN 256
/* The longest --keepalive and --idle-timeout: a day. */
#define CHAT_MAX_SECONDS 86400

static volatile sig_atomic_t *stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	*stop_flag = 1;
}

int chat_catch_signals(volatile sig_atomic_t *flag, sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	stop_flag = flag;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &block, waitmask) != 0)
		return -1;
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	return 0;
}

static void client_usage(FILE *f)
{
	fprintf(f,
		"usage: udp-chat --name NAME [--bind HOST:PORT] --peer HOST:PORT...\n"
		"       udp-chat --name NAME [--bind HOST:PORT] --relay HOST:PORT\n"
		"\n"
		"Chat over UDP with JSON datagrams {\"username\",\"msg\"}: lines read from\n"
		"stdin are sent to every peer (peer mode) or to a udp-chat-relay room;\n"
		"what arrives is printed as [username@host:port] msg.\n"
		"\n"
		"  --name NAME          your name, 1 to %d bytes of UTF-8\n"
		"  --bind HOST:PORT     local address (default 127.0.0.1:0, ::1 for IPv6\n"
		"                       targets; port 0 picks one, printed on stderr)\n"
		"  --peer HOST:PORT     send to this peer; repeat for up to %d peers\n"
		"  --relay HOST:PORT    join the room kept by a udp-chat-relay\n"
		"  --max-payload BYTES  largest datagram sent or accepted (default %d,\n"
		"                       %d..%d); longer messages are refused, not cut\n"
		"  --keepalive SECONDS  re-join the relay this often, 1..%d (default %d)\n"
		"  --help               show this help\n"
		"\n"
		"Input lines: /quit leaves (so does end of input or Ctrl-C);\n"
		"/peer HOST:PORT adds a peer while running (peer mode).\n"
		"Peers are sent {\"username\",\"msg\"} datagrams only; join and leave\n"
		"notices go to a relay. When nothing listens on the relay's port, that is\n"
		"said once, and joins go out every second until it no longer refuses.\n"
		"\n"
		"Exit status: 0 left; 1 cannot resolve or bind, or failed; 2 usage;\n"
		"141, quietly, when the reader of the output went away ('udp-chat | head'):\n"
		"the chat ends then, a relay told, without waiting for input.\n",
		CHAT_NAME_MAX, CHAT_MAX_PEERS, CHAT_DEFAULT_PAYLOAD, CHAT_MIN_PAYLOAD,
		CHAT_MAX_PAYLOAD, CHAT_MAX_SECONDS, CHAT_DEFAULT_KEEPALIVE);
}

static void relay_usage(FILE *f)
{
	fprintf(f,
		"usage: udp-chat-relay [--bind HOST:PORT] [--max-members N]\n"
		"                      [--idle-timeout SECONDS] [--max-payload BYTES]\n"
		"\n"
		"Keeps a chat room: whoever sends a datagram joins; each message is\n"
		"forwarded to every other member, never back to its sender. Members\n"
		"leave with {\"type\":\"leave\"} or after an idle timeout. Joins and\n"
		"leaves are logged on stderr.\n"
		"\n"
		"  --bind HOST:PORT        address to listen on (default 127.0.0.1:%d;\n"
		"                          port 0 picks one, printed on stderr)\n"
		"  --max-members N         room size, 1..%d (default %d)\n"
		"  --idle-timeout SECONDS  drop a silent member after this, 1..%d\n"
		"                          (default %d)\n"
		"  --max-payload BYTES     largest datagram accepted or forwarded\n"
		"                          (default %d, %d..%d)\n"
		"  --help                  show this help\n",
		CHAT_DEFAULT_RELAY_PORT, CHAT_MAX_MEMBERS_LIMIT, CHAT_DEFAULT_MAX_MEMBERS,
		CHAT_MAX_SECONDS, CHAT_DEFAULT_IDLE, CHAT_DEFAULT_PAYLOAD, CHAT_MIN_PAYLOAD,
		CHAT_MAX_PAYLOAD);
}

__attribute__((format(printf, 2, 3)))
static int usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry '%s --help'\n", prog);
	return -1;
}

/* Parses a whole decimal number in [min, max] for option opt. */
static int parse_number(const char *prog, const char *opt, const char *text,
			unsigned long min, unsigned long max, unsigned long *out)
{
	char err[CHAT_OPT_ERR_LEN];
	long long v;

	if (num_parse_int(opt, text, (long long)min, (long long)max, &v, err, sizeof(err)) < 0)
		return usage_error(prog, "%s", err);
	*out = (unsigned long)v;
	return 0;
}

/*
 * Parses HOST:PORT for option opt into host (CHAT_HOST_LEN bytes) and port;
 * without a HOST, host keeps its default.
 */
static int parse_hostport(const char *prog, const char *opt, const char *spec,
			  unsigned min_port, char *host, unsigned short *port)
{
	char err[CHAT_OPT_ERR_LEN];

	if (num_parse_hostport(opt, spec, min_port, host, CHAT_HOST_LEN, port, err,
			       sizeof(err)) < 0)
		return usage_error(prog, "%s", err);
	return 0;
}

/* A --peer or --relay address, checked now; it is resolved when the chat starts. */
static int check_target(const char *prog, const char *opt, const char *spec)
{
	char host[CHAT_HOST_LEN];
	unsigned short port;

	return parse_hostport(prog, opt, spec, 1, host, &port);
}

static int check_name(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len > CHAT_NAME_MAX || !chat_utf8_valid(name, len))
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return -1;
	return 0;
}

/*
 * Runs getopt_long over argv, handing each option to one(); deals with
 * --help ('h'), missing values, unknown options and stray arguments.
 * 0, 1 after --help, or -1 on a usage error.
 */
static int parse_options(int argc, char **argv, const char *prog,
			 const struct option *longopts, void (*usage)(FILE *),
			 int (*one)(int c, const char *arg, void *ctx), void *ctx)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == ':')
			return usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
		if (c == '?')
			return usage_error(prog, "unknown option '%s'", argv[optind - 1]);
		if (one(c, optarg, ctx) < 0)
			return -1;
	}
	if (optind < argc)
		return usage_error(prog, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int client_option(int c, const char *arg, void *ctx)
{
	struct chat_client_opts *o = ctx;
	const char *prog = "udp-chat";
	unsigned long v;

	switch (c) {
	case 'n':
		o->name = arg;
		return 0;
	case 'b':
		return parse_hostport(prog, "--bind", arg, 0, o->bind_host, &o->bind_port);
	case 'p':
		if (o->npeers == CHAT_MAX_PEERS)
			return usage_error(prog, "too many --peer options (at most %d)",
					   CHAT_MAX_PEERS);
		if (check_target(prog, "--peer", arg) < 0)
			return -1;
		o->peers[o->npeers++] = arg;
		return 0;
	case 'r':
		if (check_target(prog, "--relay", arg) < 0)
			return -1;
		o->relay = arg;
		return 0;
	case 'm':
		if (parse_number(prog, "--max-payload", arg, CHAT_MIN_PAYLOAD,
				 CHAT_MAX_PAYLOAD, &v) < 0)
			return -1;
		o->max_payload = v;
		return 0;
	case 'k':
		if (parse_number(prog, "--keepalive", arg, 1, CHAT_MAX_SECONDS, &v) < 0)
			return -1;
		o->keepalive = (unsigned)v;
		return 0;
	}
	return -1;
}

static int check_client(const struct chat_client_opts *o)
{
	const char *prog = "udp-chat";

	if (!o->name)
		return usage_error(prog, "%s", "--name is required");
	if (check_name(o->name) < 0) {
		char shown[4 * CHAT_NAME_MAX + 8];

		return usage_error(prog, "invalid --name '%s': expected 1 to %d bytes "
				   "of UTF-8 without control characters",
				   chat_escape(o->name, strlen(o->name), shown, sizeof(shown)),
				   CHAT_NAME_MAX);
	}
	if (o->relay && o->npeers)
		return usage_error(prog, "%s", "--peer and --relay exclude each other");
	return 0;
}

int chat_client_parse(int argc, char **argv, struct chat_client_opts *o)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "bind", required_argument, NULL, 'b' },
		{ "peer", required_argument, NULL, 'p' },
		{ "relay", required_argument, NULL, 'r' },
		{ "max-payload", required_argument, NULL, 'm' },
		{ "keepalive", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int rc;

	memset(o, 0, sizeof(*o));
	o->max_payload = CHAT_DEFAULT_PAYLOAD;
	o->keepalive = CHAT_DEFAULT_KEEPALIVE;
	rc = parse_options(argc, argv, "udp-chat", longopts, client_usage, client_option, o);
	return rc != 0 ? rc : check_client(o);
}

static int relay_option(int c, const char *arg, void *ctx)
{
	struct chat_relay_opts *o = ctx;
	const char *prog = "udp-chat-relay";
	unsigned long v;

	switch (c) {
	case 'b':
		return parse_hostport(prog, "--bind", arg, 0, o->bind_host, &o->bind_port);
	case 'n':
		if (parse_number(prog, "--max-members", arg, 1, CHAT_MAX_MEMBERS_LIMIT, &v) < 0)
			return -1;
		o->max_members = v;
		return 0;
	case 'i':
		if (parse_number(prog, "--idle-timeout", arg, 1, CHAT_MAX_SECONDS, &v) < 0)
			return -1;
		o->idle_timeout = (unsigned)v;
		return 0;
	case 'm':
		if (parse_number(prog, "--max-payload", arg, CHAT_MIN_PAYLOAD,
				 CHAT_MAX_PAYLOAD, &v) < 0)
			return -1;
		o->max_payload = v;
		return 0;
	}
	return -1;
}

int chat_relay_parse(int argc, char **argv, struct chat_relay_opts *o)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "max-members", required_argument, NULL, 'n' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "max-payload", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	memset(o, 0, sizeof(*o));
	snprintf(o->bind_host, sizeof(o->bind_host), "127.0.0.1");
	o->bind_port = CHAT_DEFAULT_RELAY_PORT;
	o->max_members = CHAT_DEFAULT_MAX_MEMBERS;
	o->idle_timeout = CHAT_DEFAULT_IDLE;
	o->max_payload = CHAT_DEFAULT_PAYLOAD;
	return parse_options(argc, argv, "udp-chat-relay", longopts, relay_usage,
			     relay_option, o);
}
