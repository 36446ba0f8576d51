/* chat_members.h -- the relay's bounded member list, keyed by address, with idle expiry */
#ifndef CRAWLPOOL_CHAT_MEMBERS_H
#define CRAWLPOOL_CHAT_MEMBERS_H

#include <stddef.h>

#include "chat_net.h"
#include "chat_proto.h"

#define CHAT_DEFAULT_MAX_MEMBERS 256
#define CHAT_MAX_MEMBERS_LIMIT 65536

struct chat_member {
	struct chat_addr addr;
	char name[CHAT_NAME_MAX + 1];
	double last_seen;	/* seconds on a monotonic clock */
};

struct chat_members;

/* NULL on allocation failure or max outside 1..CHAT_MAX_MEMBERS_LIMIT. */
struct chat_members *chat_members_new(size_t max);
void chat_members_free(struct chat_members *ms);

size_t chat_members_count(const struct chat_members *ms);
/* The i-th member, 0 <= i < count; indexes shift when a member is removed. */
const struct chat_member *chat_members_at(const struct chat_members *ms, size_t i);

/* Index of the member at addr, or -1. */
long chat_members_find(const struct chat_members *ms, const struct chat_addr *addr);

/*
 * Records a datagram from addr at time now: refreshes a member, or adds one.
 * name (name_len bytes) replaces the stored name. Returns 1 when added,
 * 0 when refreshed, -1 when the list is full.
 */
int chat_members_touch(struct chat_members *ms, const struct chat_addr *addr,
		       const char *name, size_t name_len, double now);

/* Removes the member at addr; copies it to *gone if not NULL. 1 if removed, 0 if absent. */
int chat_members_remove(struct chat_members *ms, const struct chat_addr *addr,
			struct chat_member *gone);

/*
 * Removes the first member silent for longer than idle seconds and copies it
 * to *gone. 1 if one was removed (call again for the next), 0 if none.
 */
int chat_members_expire(struct chat_members *ms, double now, double idle,
			struct chat_member *gone);

#endif
