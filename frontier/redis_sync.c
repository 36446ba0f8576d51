/* redis_sync.c -- the Redis frontier's round trip: buffered adds and acks out, renewals, leased URLs in */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "redis_frontier_impl.h"

/* Groups of adds, or of acks, per script call: Redis runs nothing else while a script runs. */
enum { SYNC_CHUNK = 1000 };
/* Header of a sync reply, before the add results. */
enum { SYNC_HEAD = 8 };

int rf_args_push(struct rf_args *a, const char *s, size_t len)
{
	char *copy;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **v = realloc(a->v, cap * sizeof(*v));
		size_t *lens;

		if (!v)
			return -1;
		a->v = v;
		lens = realloc(a->len, cap * sizeof(*lens));
		if (!lens)
			return -1;
		a->len = lens;
		a->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	a->v[a->n] = copy;
	a->len[a->n++] = len;
	return 0;
}

int rf_args_pushs(struct rf_args *a, const char *s)
{
	return rf_args_push(a, s, strlen(s));
}

/* Drops the first n arguments (they were sent). */
static void rf_args_drop(struct rf_args *a, size_t n)
{
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		free(a->v[i]);
	memmove(a->v, a->v + n, (a->n - n) * sizeof(*a->v));
	memmove(a->len, a->len + n, (a->n - n) * sizeof(*a->len));
	a->n -= n;
}

void rf_args_cut(struct rf_args *a, size_t n)
{
	while (a->n > n)
		free(a->v[--a->n]);
}

void rf_args_free(struct rf_args *a)
{
	rf_args_cut(a, 0);
	free(a->v);
	free(a->len);
}

void rf_list_push(struct rf_list *l, struct rf_item *it)
{
	it->next = NULL;
	it->prev = l->tail;
	if (l->tail)
		l->tail->next = it;
	else
		l->head = it;
	l->tail = it;
	l->n++;
}

void rf_list_remove(struct rf_list *l, struct rf_item *it)
{
	if (it->prev)
		it->prev->next = it->next;
	else
		l->head = it->next;
	if (it->next)
		it->next->prev = it->prev;
	else
		l->tail = it->prev;
	l->n--;
}

void rf_list_free(struct rf_list *l)
{
	while (l->head) {
		struct rf_item *it = l->head;

		rf_list_remove(l, it);
		free(it);
	}
}

static int rf_fail(struct redis_frontier *rf, int rc)
{
	if (rc == REDIS_LINK_EAUTH)
		rc = REDIS_FRONTIER_EUSAGE;
	else if (rc == REDIS_LINK_ENOMEM)
		rc = FRONTIER_ENOMEM;
	else
		rc = REDIS_FRONTIER_EDOWN;
	errbuf_set(rf->error, sizeof(rf->error), "%s", redis_link_error(rf->link));
	return rc;
}

/* A script call with the crawl's prefix as its first argument. */
int rf_eval(struct redis_frontier *rf, struct redis_script *s, int argc, const char **argv,
	    size_t *lens, struct redis_reply **reply)
{
	int rc;

	argv[0] = rf->prefix;
	lens[0] = strlen(rf->prefix);
	rc = redis_link_eval(rf->link, s, argc, argv, lens, reply);
	return rc == REDIS_LINK_OK ? 0 : rf_fail(rf, rc);
}

int rf_command(struct redis_frontier *rf, int argc, const char *const *argv, const size_t *lens,
	       struct redis_reply **reply)
{
	int rc;

	rc = redis_link_command(rf->link, argc, argv, lens, reply);
	return rc == REDIS_LINK_OK ? 0 : rf_fail(rf, rc);
}

/* A leased URL from a sync reply, into the ready list. */
static int rf_take_lease(struct redis_frontier *rf, const char *kind, const char *member,
			 size_t member_len, const char *rec, size_t rec_len)
{
	bool robots = kind && kind[0] == 'r';
	size_t size = sizeof(struct rf_item) + 2 * member_len + rec_len + sizeof("/robots.txt") + 4;
	struct rf_item *it = calloc(1, size);
	char *p;

	if (!it)
		return -1;
	p = it->buf;
	memcpy(p, member, member_len);
	it->member = p;
	p += member_len + 1;
	it->robots = robots;
	if (robots) {
		/* "robots ORIGIN": fetch ORIGIN/robots.txt */
		it->origin = it->member + strlen("robots ");
		memcpy(p, it->origin, member_len - strlen("robots "));
		memcpy(p + member_len - strlen("robots "), "/robots.txt", sizeof("/robots.txt"));
		it->view = (struct frontier_url){ .kind = FRONTIER_ROBOTS, .url = p };
	} else {
		/* the record: "origin\ndepth\nreferrer\ngiven", depth "D" or "D+REDIRECTS" */
		char *fields[4] = { p, NULL, NULL, NULL };
		unsigned long redirects = 0;
		char *end;

		memcpy(p, rec, rec_len);
		for (size_t i = 1; i < 4; i++) {
			char *nl = strchr(fields[i - 1], '\n');

			if (!nl) {
				free(it);
				return 0;	/* not ours: dropped, and its lease runs out */
			}
			*nl = '\0';
			fields[i] = nl + 1;
		}
		it->origin = fields[0];
		it->view = (struct frontier_url){
			.kind = FRONTIER_PAGE,
			.url = fields[3][0] ? fields[3] : it->member,
			.depth = (unsigned)strtoul(fields[1], &end, 10),
			.referrer = fields[2][0] ? fields[2] : NULL,
		};
		if (*end == '+')
			redirects = strtoul(end + 1, NULL, 10);
		it->view.redirects = (unsigned)(redirects < FRONTIER_REDIRECTS_MAX ? redirects :
						FRONTIER_REDIRECTS_MAX);
	}
	rf_list_push(&rf->ready, it);
	return 0;
}

/* The members whose leases this instance renews: every URL it holds. */
static size_t rf_renewals(struct redis_frontier *rf, const char **argv, size_t *lens)
{
	size_t n = 0;
	const struct rf_list *lists[] = { &rf->ready, &rf->hand };

	for (size_t i = 0; i < 2; i++)
		for (const struct rf_item *it = lists[i]->head; it; it = it->next) {
			argv[n] = it->member;
			lens[n++] = strlen(it->member);
		}
	return n;
}

/* What a sync reply says beyond its leases. */
static int rf_read_sync(struct redis_frontier *rf, const struct redis_reply *r, size_t n_add,
			unsigned n_lease, long long now_ms)
{
	size_t count = redis_reply_count(r), at = SYNC_HEAD + n_add, got = 0;
	long long wait;

	if (count == 1 && redis_reply_int(redis_reply_at(r, 0)) == -1) {
		errbuf_set(rf->error, sizeof(rf->error), "crawl '%.*s' is gone from %s (dropped, "
			   "flushed, or restarted without persistence)", (int)strlen(rf->prefix) - 1,
			   rf->prefix, redis_link_name(rf->link));
		return REDIS_FRONTIER_ECRAWL;
	}
	if (count < at || (count - at) % 3 != 0) {
		errbuf_set(rf->error, sizeof(rf->error), "redis at '%s' gave a reply of another "
			   "shape", redis_link_name(rf->link));
		return REDIS_FRONTIER_EDOWN;
	}
	wait = redis_reply_int(redis_reply_at(r, 1));
	rf->remote_leased = redis_reply_int(redis_reply_at(r, 2));
	rf->remote_queued = redis_reply_int(redis_reply_at(r, 3));
	if ((size_t)redis_reply_int(redis_reply_at(r, 4)) > rf->scope_known)
		rf->scope_stale = true;
	if (redis_reply_int(redis_reply_at(r, 6)) == 1)
		rf->begun = true;
	if (n_add > 0) {
		/* Redis counts --max-pages for every instance */
		static const int verdicts[] = { FRONTIER_SEEN, FRONTIER_ADDED, FRONTIER_FULL };
		long long v = redis_reply_int(redis_reply_at(r, SYNC_HEAD + n_add - 1));

		rf->last_add = v >= 0 && v <= 2 ? verdicts[v] : FRONTIER_INVALID;
	}
	for (; at < count; at += 3, got++) {
		size_t member_len, rec_len;
		const char *kind = redis_reply_str(redis_reply_at(r, at), NULL);
		const char *member = redis_reply_str(redis_reply_at(r, at + 1), &member_len);
		const char *rec = redis_reply_str(redis_reply_at(r, at + 2), &rec_len);

		if (member && rf_take_lease(rf, kind, member, member_len, rec ? rec : "",
					    rec_len) < 0)
			return FRONTIER_ENOMEM;	/* those not taken come back when their leases run out */
	}
	if (n_lease > 0 && got == 0) {
		/* nothing due: ask again when a host is, or after a poll for others' work */
		if (wait >= 0 && wait < rf->poll_ms)
			rf->ask_ms = now_ms + (wait > 0 ? wait : 1);
		else
			rf->ask_ms = now_ms + rf->poll_ms;
	}
	return 0;
}

/* One script call: n_add add groups, then n_ack acks, then renewals and leases when asked. */
static int rf_sync_call(struct redis_frontier *rf, size_t n_add, size_t n_ack, bool renew,
			unsigned n_lease, long long now_ms)
{
	size_t max = 12 + 6 * n_add + 4 * n_ack + (renew ? rf->ready.n + rf->hand.n : 0);
	const char **argv = malloc(max * sizeof(*argv));
	size_t *lens = malloc(max * sizeof(*lens));
	char nums[9][24];
	struct redis_reply *r = NULL;
	size_t n_renew = 0, argc = 11;
	int rc = FRONTIER_ENOMEM;

	if (!argv || !lens)
		goto out;
	if (renew)
		n_renew = rf_renewals(rf, argv + 11 + 6 * n_add + 4 * n_ack,
				      lens + 11 + 6 * n_add + 4 * n_ack);
	snprintf(nums[0], sizeof(nums[0]), "%ld", rf->lease_ms);
	snprintf(nums[1], sizeof(nums[1]), "%u", rf->opts.per_host);
	snprintf(nums[2], sizeof(nums[2]), "%ld", rf->opts.delay_ms);
	snprintf(nums[3], sizeof(nums[3]), "%d", rf->opts.robots ? 1 : 0);
	snprintf(nums[4], sizeof(nums[4]), "%lu", rf->max_pages);
	snprintf(nums[5], sizeof(nums[5]), "%u", n_lease);
	snprintf(nums[6], sizeof(nums[6]), "%zu", n_add);
	snprintf(nums[7], sizeof(nums[7]), "%zu", n_ack);
	snprintf(nums[8], sizeof(nums[8]), "%zu", n_renew);
	argv[1] = rf->inst;
	for (size_t i = 0; i < 9; i++)
		argv[2 + i] = nums[i];
	for (size_t i = 1; i < 11; i++)
		lens[i] = strlen(argv[i]);
	for (size_t i = 0; i < 6 * n_add; i++, argc++) {
		argv[argc] = rf->adds.v[i];
		lens[argc] = rf->adds.len[i];
	}
	for (size_t i = 0; i < 4 * n_ack; i++, argc++) {
		argv[argc] = rf->acks.v[i];
		lens[argc] = rf->acks.len[i];
	}
	argc += n_renew;
	rc = rf_eval(rf, &rf->sync, (int)argc, argv, lens, &r);
	if (rc < 0)
		goto out;
	rc = rf_read_sync(rf, r, n_add, n_lease, now_ms);
	if (rc == REDIS_FRONTIER_EDOWN || rc == REDIS_FRONTIER_ECRAWL)
		goto out;
	/* Redis has them: what was sent is not sent again */
	rf_args_drop(&rf->adds, 6 * n_add);
	rf_args_drop(&rf->acks, 4 * n_ack);
	if (rf->adds.n == 0 && rf->acks.n == 0)
		rf->first_pending_ms = 0;
	if (renew)
		rf->renewed_ms = now_ms;
out:
	redis_reply_free(r);
	free(argv);
	free(lens);
	return rc;
}

/* The scope keys other instances' start URLs added. */
int rf_read_scope(struct redis_frontier *rf)
{
	char key[300];
	const char *argv[] = { "SMEMBERS", key };
	size_t lens[2] = { 8, 0 };
	struct redis_reply *r;
	size_t n;
	int rc;

	lens[1] = (size_t)snprintf(key, sizeof(key), "%sscope", rf->prefix);
	rc = rf_command(rf, 2, argv, lens, &r);
	if (rc < 0)
		return rc;
	n = redis_reply_count(r);
	for (size_t i = 0; i < n; i++) {
		const char *k = redis_reply_str(redis_reply_at(r, i), NULL);

		if (k && frontier_scope_add(rf->rules, k) < 0) {
			redis_reply_free(r);
			return FRONTIER_ENOMEM;
		}
	}
	redis_reply_free(r);
	rf->scope_known = n;
	rf->scope_stale = false;
	return 0;
}

/*
 * Adds go alone while more than a chunk is left, so that no row is recorded
 * before the links of its page are queued.
 */
int rf_sync(struct redis_frontier *rf, long long now_ms, unsigned n_lease)
{
	bool renew = now_ms - rf->renewed_ms >= rf->lease_ms / 3;
	int rc;

	for (;;) {
		size_t adds = rf->adds.n / 6, acks = rf->acks.n / 4;
		size_t n_add = adds < SYNC_CHUNK ? adds : SYNC_CHUNK;
		size_t n_ack = adds > SYNC_CHUNK ? 0 : acks < SYNC_CHUNK ? acks : SYNC_CHUNK;
		bool last = adds <= SYNC_CHUNK && acks <= SYNC_CHUNK;

		rc = rf_sync_call(rf, n_add, n_ack, last && renew, last ? n_lease : 0, now_ms);
		if (rc < 0)
			return rc;
		if (last)
			break;
	}
	/* another instance's start URLs widened the scope: read before its links are judged */
	return rf->scope_stale ? rf_read_scope(rf) : 0;
}
