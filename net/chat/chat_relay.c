/* chat_relay.c -- udp-chat-relay: one room, every message forwarded to every other member */
#include "chat_relay.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat_members.h"
#include "chat_net.h"

static const char prog[] = "udp-chat-relay";

/* How often idle members are looked for: well under a second of slack. */
#define RELAY_TICK_NS 250000000L

struct chat_relay {
	const struct chat_relay_opts *o;
	int fd;
	struct chat_members *members;
	char *in;	/* max_payload + 1 bytes */
	char *out;	/* max_payload bytes */
};

/* Sends out[0..len) to every member but the one at skip. */
static void relay_fan_out(struct chat_relay *r, const struct chat_addr *skip, size_t len)
{
	size_t i, n = chat_members_count(r->members);

	for (i = 0; i < n; i++) {
		const struct chat_member *m = chat_members_at(r->members, i);

		if (!chat_addr_equal(&m->addr, skip))
			chat_send(r->fd, r->out, len, &m->addr, prog);
	}
}

/* Tells the others that member m joined or left. */
static void relay_notice(struct chat_relay *r, enum chat_kind kind,
			 const struct chat_member *m)
{
	size_t len;

	if (chat_msg_encode(kind, m->name, NULL, 0, m->addr.text, r->out,
			    r->o->max_payload, &len) == 0)
		relay_fan_out(r, &m->addr, len);
}

static void relay_log_member(const struct chat_relay *r, const char *what,
			     const struct chat_member *m)
{
	char name[4 * CHAT_NAME_MAX + 8];

	chat_escape(m->name, strlen(m->name), name, sizeof(name));
	fprintf(stderr, "%s: %s %s@%s (%zu in the room)\n", prog, what, name, m->addr.text,
		chat_members_count(r->members));
}

static void relay_expire(struct chat_relay *r)
{
	struct chat_member gone;

	while (chat_members_expire(r->members, chat_now(), r->o->idle_timeout, &gone)) {
		relay_log_member(r, "idle, dropped", &gone);
		relay_notice(r, CHAT_LEAVE, &gone);
	}
}

static void relay_refuse(struct chat_relay *r, const struct chat_msg *m,
			 const struct chat_addr *from)
{
	char name[4 * CHAT_NAME_MAX + 8], text[64];
	size_t len;

	chat_escape(m->username, m->username_len, name, sizeof(name));
	fprintf(stderr, "%s: room full (limit %zu); refused %s@%s\n", prog,
		chat_members_count(r->members), name, from->text);
	snprintf(text, sizeof(text), "room is full (limit %zu)",
		 chat_members_count(r->members));
	if (chat_msg_encode(CHAT_ERROR, NULL, text, strlen(text), NULL, r->out,
			    r->o->max_payload, &len) == 0)
		chat_send(r->fd, r->out, len, from, prog);
}

static void relay_message(struct chat_relay *r, const struct chat_msg *m,
			  const struct chat_addr *from)
{
	char name[CHAT_NAME_MAX + 1];
	size_t len;
	int rc;

	/* username_len <= CHAT_NAME_MAX was checked by the decoder. */
	memcpy(name, m->username, m->username_len);
	name[m->username_len] = '\0';
	rc = chat_msg_encode(CHAT_MSG, name, m->text, m->text_len, from->text, r->out,
			     r->o->max_payload, &len);
	if (rc == CHAT_ETOOBIG) {
		fprintf(stderr, "%s: message from %s is %zu bytes once its sender is added, "
			"over the %zu-byte limit; dropped\n", prog, from->text, len,
			r->o->max_payload);
		return;
	}
	if (rc == 0)
		relay_fan_out(r, from, len);
}

static void relay_handle(struct chat_relay *r, const struct chat_msg *m,
			 const struct chat_addr *from)
{
	struct chat_member gone;
	long i;
	int rc;

	if (m->kind == CHAT_ERROR) {
		fprintf(stderr, "%s: unexpected error datagram from %s; skipped\n", prog,
			from->text);
		return;
	}
	if (m->kind == CHAT_LEAVE) {
		if (chat_members_remove(r->members, from, &gone)) {
			relay_log_member(r, "leave", &gone);
			relay_notice(r, CHAT_LEAVE, &gone);
		}
		return;
	}
	/* The name may not hold a NUL: it is stored as a C string. */
	if (memchr(m->username, '\0', m->username_len)) {
		fprintf(stderr, "%s: bad datagram from %s: NUL in username; skipped\n", prog,
			from->text);
		return;
	}
	rc = chat_members_touch(r->members, from, m->username, m->username_len, chat_now());
	if (rc < 0) {
		relay_refuse(r, m, from);
		return;
	}
	if (rc == 1) {
		i = chat_members_find(r->members, from);
		relay_log_member(r, "join", chat_members_at(r->members, (size_t)i));
		relay_notice(r, CHAT_JOIN, chat_members_at(r->members, (size_t)i));
	}
	if (m->kind == CHAT_MSG)
		relay_message(r, m, from);
}

static int relay_loop(struct chat_relay *r, volatile sig_atomic_t *stop,
		      const sigset_t *waitmask)
{
	while (!*stop) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		struct timespec tick = { .tv_sec = 0, .tv_nsec = RELAY_TICK_NS };
		struct chat_addr from;
		struct chat_msg m;
		int rc = ppoll(&p, 1, &tick, waitmask);

		if (rc < 0 && errno != EINTR) {
			fprintf(stderr, "%s: poll failed: %s\n", prog, strerror(errno));
			return -1;
		}
		relay_expire(r);
		if (rc <= 0)
			continue;
		rc = chat_recv_msg(r->fd, r->in, r->o->max_payload, &m, &from, prog);
		if (rc < 0) {
			fprintf(stderr, "%s: receive failed: %s\n", prog, strerror(errno));
			return -1;
		}
		if (rc == 1) {
			relay_handle(r, &m, &from);
			chat_msg_release(&m);
		}
	}
	return 0;
}

int chat_relay_run(const struct chat_relay_opts *o, volatile sig_atomic_t *stop,
		   const sigset_t *waitmask)
{
	struct chat_relay r = { .o = o, .fd = -1 };
	int rc = -1;

	r.members = chat_members_new(o->max_members);
	r.in = malloc(o->max_payload + 1);
	r.out = malloc(o->max_payload);
	if (!r.members || !r.in || !r.out) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	r.fd = chat_bind(o->bind_host, o->bind_port, prog);
	if (r.fd < 0)
		goto out;
	rc = relay_loop(&r, stop, waitmask);
	if (rc == 0)
		fprintf(stderr, "%s: stopped with %zu members\n", prog,
			chat_members_count(r.members));
out:
	if (r.fd >= 0)
		close(r.fd);
	free(r.out);
	free(r.in);
	chat_members_free(r.members);
	return rc;
}
