/* chat_members.c -- the relay's bounded member list, keyed by address, with idle expiry */
#include "chat_members.h"

#include <stdlib.h>
#include <string.h>

/*
 * A flat array: rooms are small and every message is sent to every member
 * anyway, so a linear lookup costs no more than the forwarding it precedes.
 */
struct chat_members {
	struct chat_member *slots;
	size_t count;
	size_t max;
};

struct chat_members *chat_members_new(size_t max)
{
	struct chat_members *ms;

	if (max < 1 || max > CHAT_MAX_MEMBERS_LIMIT)
		return NULL;
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return NULL;
	ms->slots = calloc(max, sizeof(*ms->slots));
	if (!ms->slots) {
		free(ms);
		return NULL;
	}
	ms->max = max;
	return ms;
}

void chat_members_free(struct chat_members *ms)
{
	if (!ms)
		return;
	free(ms->slots);
	free(ms);
}

size_t chat_members_count(const struct chat_members *ms)
{
	return ms->count;
}

const struct chat_member *chat_members_at(const struct chat_members *ms, size_t i)
{
	return i < ms->count ? &ms->slots[i] : NULL;
}

long chat_members_find(const struct chat_members *ms, const struct chat_addr *addr)
{
	size_t i;

	for (i = 0; i < ms->count; i++)
		if (chat_addr_equal(&ms->slots[i].addr, addr))
			return (long)i;
	return -1;
}

static void set_name(struct chat_member *m, const char *name, size_t len)
{
	if (len > CHAT_NAME_MAX)
		len = CHAT_NAME_MAX;
	memcpy(m->name, name, len);
	m->name[len] = '\0';
}

int chat_members_touch(struct chat_members *ms, const struct chat_addr *addr,
		       const char *name, size_t name_len, double now)
{
	long i = chat_members_find(ms, addr);
	struct chat_member *m;
	int added = 0;

	if (i < 0) {
		if (ms->count == ms->max)
			return -1;
		m = &ms->slots[ms->count++];
		memset(m, 0, sizeof(*m));
		m->addr = *addr;
		added = 1;
	} else {
		m = &ms->slots[i];
	}
	if (name)
		set_name(m, name, name_len);
	m->last_seen = now;
	return added;
}

static void remove_at(struct chat_members *ms, size_t i, struct chat_member *gone)
{
	if (gone)
		*gone = ms->slots[i];
	/* Order does not matter: the last member fills the hole. */
	ms->slots[i] = ms->slots[--ms->count];
}

int chat_members_remove(struct chat_members *ms, const struct chat_addr *addr,
			struct chat_member *gone)
{
	long i = chat_members_find(ms, addr);

	if (i < 0)
		return 0;
	remove_at(ms, (size_t)i, gone);
	return 1;
}

int chat_members_expire(struct chat_members *ms, double now, double idle,
			struct chat_member *gone)
{
	size_t i;

	for (i = 0; i < ms->count; i++) {
		if (now - ms->slots[i].last_seen > idle) {
			remove_at(ms, i, gone);
			return 1;
		}
	}
	return 0;
}
