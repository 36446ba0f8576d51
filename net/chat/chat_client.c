/* chat_client.c -- udp-chat: a receive thread printing what arrives, the caller's thread sending stdin */
#include "chat_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat_net.h"

static const char prog[] = "udp-chat";

/* While the relay refuses, joins go out this often: to rejoin as soon as it is back. */
#define CHAT_PROBE_SECONDS 1.0

struct chat_client {
	const struct chat_client_opts *o;
	int fd;
	int wake[2];		/* a byte on wake[1] stops the receive thread */
	bool via_relay;
	struct chat_addr relay;	/* read by the receive thread: set before it starts */
	struct chat_addr local;	/* the bound socket's address, once open */
	struct chat_addr targets[CHAT_MAX_PEERS];	/* main thread only */
	size_t ntargets;
	char *out;		/* max_payload bytes: the datagram being sent */
	char *line;		/* max_payload + 1 bytes of stdin */
	size_t line_len;
	bool discarding;	/* skipping the rest of an over-long line */
	/*
	 * Through a relay the socket is connected, so the kernel says when a
	 * datagram was refused (ICMP port unreachable) to whichever thread
	 * calls next: both count it here.
	 */
	atomic_bool relay_refused;	/* said once, until the relay no longer refuses */
	atomic_uint refusals;
	unsigned refusals_at_probe;	/* main thread: refusals when the last join went */
	pthread_t main_thread;		/* sent SIGTERM when the output is gone */
	atomic_int output_errno;	/* why printing failed, 0 while it works */
};

/* A datagram to the relay was refused: say so once for the whole outage. */
static void client_refused(struct chat_client *c)
{
	atomic_fetch_add(&c->refusals, 1);
	if (!atomic_exchange(&c->relay_refused, true))
		fprintf(stderr, "%s: relay %s not answering: messages are not delivered until "
			"it is back\n", prog, c->relay.text);
}

/* No refusal since the last join went out, a probe interval ago: the relay is back. */
static void client_probe(struct chat_client *c)
{
	unsigned now = atomic_load(&c->refusals);

	if (atomic_load(&c->relay_refused) && now == c->refusals_at_probe &&
	    atomic_exchange(&c->relay_refused, false))
		fprintf(stderr, "%s: relay %s no longer refuses: messages go out again\n",
			prog, c->relay.text);
	c->refusals_at_probe = now;
}

/* Who sent it: the relay vouches for "from"; anyone else is their own address. */
static const char *sender_of(const struct chat_client *c, const struct chat_msg *m,
			     const struct chat_addr *src, char *buf, size_t cap)
{
	if (c->via_relay && m->from && chat_addr_equal(src, &c->relay))
		return chat_escape(m->from, m->from_len, buf, cap);
	return src->text;
}

/* Prints one arrival; -1 when stdout cannot be written (errno set). */
static int client_show(const struct chat_client *c, const struct chat_msg *m,
		       const struct chat_addr *src, char *text, size_t text_cap)
{
	char name[4 * CHAT_NAME_MAX + 8] = "", who[4 * NET_ADDRSTR_LEN + 8];
	const char *from = sender_of(c, m, src, who, sizeof(who));

	if (m->username)
		chat_escape(m->username, m->username_len, name, sizeof(name));
	switch (m->kind) {
	case CHAT_MSG:
		chat_escape(m->text, m->text_len, text, text_cap);
		printf("[%s@%s] %s\n", name, from, text);
		break;
	case CHAT_JOIN:
		printf("* %s@%s joined\n", name, from);
		break;
	case CHAT_LEAVE:
		if (m->username)
			printf("* %s@%s left\n", name, from);
		else
			printf("* %s left\n", from);
		break;
	case CHAT_ERROR:
		chat_escape(m->text, m->text_len, text, text_cap);
		fprintf(stderr, "%s: %s says: %s\n", prog, src->text, text);
		break;
	}
	return fflush(stdout) == EOF ? -1 : 0;
}

/*
 * No one reads what arrives any more ('udp-chat | head'): the chat ends as on
 * Ctrl-C, rather than go on sending while it shows nothing.
 */
static void client_output_gone(struct chat_client *c, int err)
{
	atomic_store(&c->output_errno, err);
	pthread_kill(c->main_thread, SIGTERM);
}

static void *client_receive(void *arg)
{
	struct chat_client *c = arg;
	size_t max = c->o->max_payload;
	/* An escape is at most 4 bytes per input byte. */
	size_t text_cap = 4 * max + 8;
	char *buf = malloc(max + 1);
	char *text = malloc(text_cap);

	if (!buf || !text) {
		fprintf(stderr, "%s: out of memory for the receive buffer\n", prog);
		goto out;
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = c->fd, .events = POLLIN },
				       { .fd = c->wake[0], .events = POLLIN } };
		struct chat_addr src;
		struct chat_msg m;
		int rc;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll failed: %s\n", prog, strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		rc = chat_recv_msg(c->fd, buf, max, &m, &src, prog);
		if (rc < 0) {
			fprintf(stderr, "%s: receive failed: %s\n", prog, strerror(errno));
			break;
		}
		if (rc == CHAT_RECV_REFUSED && c->via_relay)
			client_refused(c);
		if (rc != 1)
			continue;
		rc = client_show(c, &m, &src, text, text_cap);
		if (rc < 0)
			client_output_gone(c, errno);
		chat_msg_release(&m);
		if (rc < 0)
			break;
	}
out:
	free(text);
	free(buf);
	return NULL;
}

static void client_send_all(struct chat_client *c, size_t len)
{
	size_t i;

	for (i = 0; i < c->ntargets; i++) {
		if (chat_send(c->fd, c->out, len, &c->targets[i], prog) == 0 ||
		    errno != ECONNREFUSED)
			continue;
		/* The refusal was of an earlier datagram, and this one was not sent: again. */
		client_refused(c);
		chat_send(c->fd, c->out, len, &c->targets[i], prog);
	}
}

/*
 * Tells the relay that we join (or are still here) or leave. Peers get no
 * notices: the classic peer reads every datagram as {"username","msg"} and
 * fails on anything else, so peers are sent messages only.
 */
static void client_notice(struct chat_client *c, enum chat_kind kind)
{
	size_t len;

	if (!c->via_relay)
		return;
	if (chat_msg_encode(kind, c->o->name, NULL, 0, NULL, c->out,
			    c->o->max_payload, &len) < 0) {
		fprintf(stderr, "%s: cannot encode a notice with this name\n", prog);
		return;
	}
	client_send_all(c, len);
}

/* A socket of one family cannot send to the other: say so rather than fail each send. */
static int client_check_family(const struct chat_client *c, const struct chat_addr *to)
{
	sa_family_t mine = c->local.ss.ss_family, theirs = to->ss.ss_family;

	if (c->fd < 0 || mine == theirs)
		return 0;
	fprintf(stderr, "%s: %s is %s but this chat listens on %s (%s); use --bind with an %s "
		"address\n", prog, to->text, theirs == AF_INET6 ? "IPv6" : "IPv4",
		mine == AF_INET6 ? "IPv6" : "IPv4", c->local.text,
		theirs == AF_INET6 ? "IPv6" : "IPv4");
	return -1;
}

static int client_add_target(struct chat_client *c, const char *spec)
{
	char err[NET_ERR_LEN];

	if (c->ntargets == CHAT_MAX_PEERS) {
		fprintf(stderr, "%s: too many peers (at most %d); '%s' not added\n",
			prog, CHAT_MAX_PEERS, spec);
		return -1;
	}
	if (chat_addr_resolve(spec, &c->targets[c->ntargets], err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	if (client_check_family(c, &c->targets[c->ntargets]) < 0)
		return -1;
	c->ntargets++;
	return 0;
}

static void client_say(struct chat_client *c, const char *text, size_t len)
{
	/* Through a relay, leave room for the sender address it adds. */
	size_t cap = c->o->max_payload - (c->via_relay ? CHAT_FROM_RESERVE : 0);
	size_t need;
	int rc;

	if (!chat_utf8_valid(text, len)) {
		fprintf(stderr, "%s: message is not valid UTF-8; not sent\n", prog);
		return;
	}
	rc = chat_msg_encode(CHAT_MSG, c->o->name, text, len, NULL, c->out, cap, &need);
	if (rc == CHAT_ETOOBIG) {
		fprintf(stderr, "%s: message too long: %zu bytes as a datagram, the limit "
			"is %zu (--max-payload %zu%s); not sent\n", prog, need, cap,
			c->o->max_payload, c->via_relay ? " less room for the relay" : "");
		return;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: out of memory encoding a message; not sent\n", prog);
		return;
	}
	if (c->ntargets == 0) {
		fprintf(stderr, "%s: no peers yet (add one with /peer HOST:PORT); not sent\n",
			prog);
		return;
	}
	client_send_all(c, need);
}

/* Acts on one input line (no newline). 1 when the user leaves. */
static int client_line(struct chat_client *c, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	if (len == 0)
		return 0;
	if (strcmp(line, "/quit") == 0)
		return 1;
	if (strcmp(line, "/peer") == 0) {
		fprintf(stderr, "%s: /peer needs an address: /peer HOST:PORT\n", prog);
		return 0;
	}
	if (strncmp(line, "/peer ", 6) == 0) {
		if (c->via_relay)
			fprintf(stderr, "%s: /peer works in peer mode, not with --relay\n", prog);
		else
			client_add_target(c, line + 6);
		return 0;
	}
	if (line[0] == '/') {
		char shown[64];

		fprintf(stderr, "%s: unknown command '%s' (try /quit or /peer HOST:PORT)\n",
			prog, chat_escape(line, len, shown, sizeof(shown)));
		return 0;
	}
	client_say(c, line, len);
	return 0;
}

/* Consumes the complete lines buffered so far. 1 when the user leaves. */
static int client_lines(struct chat_client *c)
{
	size_t cap = c->o->max_payload + 1;
	char *nl;

	while ((nl = memchr(c->line, '\n', c->line_len))) {
		size_t len = (size_t)(nl - c->line);
		int quit = 0;

		if (!c->discarding)
			quit = client_line(c, c->line, len);
		c->discarding = false;
		c->line_len -= len + 1;
		memmove(c->line, nl + 1, c->line_len);
		if (quit)
			return 1;
	}
	if (c->line_len == cap) {
		if (!c->discarding)
			fprintf(stderr, "%s: message too long: over %zu bytes (--max-payload); "
				"not sent\n", prog, c->o->max_payload);
		c->discarding = true;
		c->line_len = 0;
	}
	return 0;
}

static int client_read_stdin(struct chat_client *c)
{
	size_t cap = c->o->max_payload + 1;
	ssize_t n = read(STDIN_FILENO, c->line + c->line_len, cap - c->line_len);

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		fprintf(stderr, "%s: reading stdin failed: %s\n", prog, strerror(errno));
		return 1;
	}
	if (n == 0) {
		/* A last line without a newline still counts. */
		if (c->line_len > 0 && !c->discarding)
			client_line(c, c->line, c->line_len);
		return 1;
	}
	c->line_len += (size_t)n;
	return client_lines(c);
}

static void client_input(struct chat_client *c, volatile sig_atomic_t *stop,
			 const sigset_t *waitmask)
{
	double next_alive = chat_now() + c->o->keepalive;

	while (!*stop) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		struct timespec ts, *timeout = NULL;
		double left = next_alive - chat_now();
		int rc;

		if (c->via_relay) {
			if (left <= 0) {
				client_probe(c);
				client_notice(c, CHAT_JOIN);
				next_alive = chat_now() + (atomic_load(&c->relay_refused)
							   ? CHAT_PROBE_SECONDS : c->o->keepalive);
				continue;
			}
			/* Refused since the last join: probe sooner than the keep-alive. */
			if (atomic_load(&c->relay_refused) && left > CHAT_PROBE_SECONDS) {
				next_alive = chat_now() + CHAT_PROBE_SECONDS;
				left = CHAT_PROBE_SECONDS;
			}
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			timeout = &ts;
		}
		rc = ppoll(&p, 1, timeout, waitmask);
		if (rc < 0 && errno != EINTR) {
			fprintf(stderr, "%s: poll on stdin failed: %s\n", prog, strerror(errno));
			return;
		}
		if (rc > 0 && client_read_stdin(c))
			return;
	}
}

static int client_targets(struct chat_client *c)
{
	size_t i;

	if (c->o->relay) {
		if (client_add_target(c, c->o->relay) < 0)
			return -1;
		c->via_relay = true;
		c->relay = c->targets[0];
		return 0;
	}
	for (i = 0; i < c->o->npeers; i++)
		if (client_add_target(c, c->o->peers[i]) < 0)
			return -1;
	return 0;
}

/* 0, -1 on failure, CHAT_CLIENT_EUSAGE for a target of the other family than --bind. */
static int client_open(struct chat_client *c)
{
	const char *host = c->o->bind_host;
	size_t i;

	if (!host[0])
		host = c->ntargets && c->targets[0].ss.ss_family == AF_INET6 ? "::1"
									  : "127.0.0.1";
	c->fd = chat_bind(host, c->o->bind_port, prog);
	if (c->fd < 0)
		return -1;
	c->local.len = sizeof(c->local.ss);
	if (getsockname(c->fd, (struct sockaddr *)&c->local.ss, &c->local.len) < 0) {
		fprintf(stderr, "%s: getsockname failed: %s\n", prog, strerror(errno));
		return -1;
	}
	net_addr_string((struct sockaddr *)&c->local.ss, c->local.len, c->local.text);
	for (i = 0; i < c->ntargets; i++)
		if (client_check_family(c, &c->targets[i]) < 0)
			return CHAT_CLIENT_EUSAGE;
	/* Connected, the socket hears of a refused datagram (and only from the relay). */
	if (c->via_relay &&
	    connect(c->fd, (const struct sockaddr *)&c->relay.ss, c->relay.len) < 0) {
		fprintf(stderr, "%s: cannot use relay %s: %s\n", prog, c->relay.text,
			strerror(errno));
		return -1;
	}
	if (pipe2(c->wake, O_CLOEXEC) < 0) {
		fprintf(stderr, "%s: pipe failed: %s\n", prog, strerror(errno));
		return -1;
	}
	c->out = malloc(c->o->max_payload);
	c->line = malloc(c->o->max_payload + 1);
	if (!c->out || !c->line) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	return 0;
}

static void client_close(struct chat_client *c)
{
	free(c->line);
	free(c->out);
	if (c->wake[0] >= 0)
		close(c->wake[0]);
	if (c->wake[1] >= 0)
		close(c->wake[1]);
	if (c->fd >= 0)
		close(c->fd);
}

/* 0, or how the end of the output ends the chat. */
static int client_output_result(const struct chat_client *c)
{
	int err = atomic_load(&c->output_errno);

	if (err == 0)
		return 0;
	/* As a shell shows a filter killed by SIGPIPE: 'udp-chat | head' is no error. */
	if (err == EPIPE)
		return CHAT_CLIENT_OUTPUT_GONE;
	fprintf(stderr, "%s: cannot write the output: %s\n", prog, strerror(err));
	return -1;
}

int chat_client_run(const struct chat_client_opts *o, volatile sig_atomic_t *stop,
		    const sigset_t *waitmask)
{
	struct chat_client c = { .o = o, .fd = -1, .wake = { -1, -1 },
				 .main_thread = pthread_self() };
	pthread_t rx;
	int rc = -1;

	if (client_targets(&c) < 0)
		goto out;
	rc = client_open(&c);
	if (rc < 0)
		goto out;
	rc = pthread_create(&rx, NULL, client_receive, &c);
	if (rc != 0) {
		fprintf(stderr, "%s: cannot start the receive thread: %s\n", prog, strerror(rc));
		rc = -1;
		goto out;
	}
	client_notice(&c, CHAT_JOIN);
	client_input(&c, stop, waitmask);
	client_notice(&c, CHAT_LEAVE);
	if (net_write_all(c.wake[1], "", 1) < 0)
		fprintf(stderr, "%s: cannot wake the receive thread: %s\n", prog, strerror(errno));
	pthread_join(rx, NULL);
	rc = client_output_result(&c);
out:
	client_close(&c);
	return rc;
}
