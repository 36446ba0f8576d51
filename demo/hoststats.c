/* hoststats.c -- a bounded table of per-host request measurements under one lock */
#include "hoststats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hoststats_entry {
	char key[HOSTSTATS_KEY_MAX + 1];
	unsigned long long requests;	/* since the last reset */
	unsigned in_flight;		/* begun and not ended, whatever the resets */
	unsigned max_in_flight;
	long long last_start_us;	/* -1: none since the last reset */
	long long min_gap_us;		/* -1: fewer than two starts */
};

struct hoststats {
	pthread_mutex_t lock;
	unsigned used;
	/* the last slot is HOSTSTATS_OTHER, for keys past the others or unfit to print */
	struct hoststats_entry entry[HOSTSTATS_MAX_HOSTS + 1];
};

static void entry_clear(struct hoststats_entry *e)
{
	e->requests = 0;
	e->max_in_flight = 0;
	e->last_start_us = -1;
	e->min_gap_us = -1;
}

struct hoststats *hoststats_new(void)
{
	struct hoststats *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	for (unsigned i = 0; i <= HOSTSTATS_MAX_HOSTS; i++)
		entry_clear(&s->entry[i]);
	strcpy(s->entry[HOSTSTATS_MAX_HOSTS].key, HOSTSTATS_OTHER);
	return s;
}

void hoststats_free(struct hoststats *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Keys go into JSON as they are: no quote, backslash, control or non-ASCII byte. */
static bool key_fits(const char *key, size_t len)
{
	if (len == 0 || len > HOSTSTATS_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)key[i];

		if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\')
			return false;
	}
	return true;
}

/* The entry of key, made if new and there is room; under the lock. */
static struct hoststats_entry *find(struct hoststats *s, const char *key, size_t len)
{
	struct hoststats_entry *e;

	if (!key_fits(key, len))
		return &s->entry[HOSTSTATS_MAX_HOSTS];
	for (unsigned i = 0; i < s->used; i++) {
		e = &s->entry[i];
		if (strlen(e->key) == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	if (s->used == HOSTSTATS_MAX_HOSTS)
		return &s->entry[HOSTSTATS_MAX_HOSTS];
	e = &s->entry[s->used++];
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	return e;
}

struct hoststats_entry *hoststats_begin(struct hoststats *s, const char *key, size_t len,
					long long now_us)
{
	struct hoststats_entry *e;

	pthread_mutex_lock(&s->lock);
	e = find(s, key, len);
	e->requests++;
	e->in_flight++;
	if (e->in_flight > e->max_in_flight)
		e->max_in_flight = e->in_flight;
	if (e->last_start_us >= 0) {
		/* two threads may take the lock in the other order than their clocks were read */
		long long gap = now_us > e->last_start_us ? now_us - e->last_start_us : 0;

		if (e->min_gap_us < 0 || gap < e->min_gap_us)
			e->min_gap_us = gap;
	}
	if (now_us > e->last_start_us)
		e->last_start_us = now_us;
	pthread_mutex_unlock(&s->lock);
	return e;
}

void hoststats_end(struct hoststats *s, struct hoststats_entry *e)
{
	pthread_mutex_lock(&s->lock);
	if (e->in_flight > 0)
		e->in_flight--;
	pthread_mutex_unlock(&s->lock);
}

/* Appends one host's object; false if it does not fit. */
static bool put_entry(char *buf, size_t cap, size_t *len, const struct hoststats_entry *e,
		      bool first)
{
	long long gap_ms = e->min_gap_us < 0 ? -1 : e->min_gap_us / 1000;
	int n = snprintf(buf + *len, cap - *len,
			 "%s\"%s\":{\"requests\":%llu,\"max_concurrent\":%u,\"min_gap_ms\":%lld,"
			 "\"min_gap_us\":%lld,\"in_flight\":%u}",
			 first ? "" : ",", e->key, e->requests, e->max_in_flight, gap_ms,
			 e->min_gap_us, e->in_flight);

	if (n < 0 || (size_t)n >= cap - *len)
		return false;
	*len += (size_t)n;
	return true;
}

size_t hoststats_json(struct hoststats *s, char *buf, size_t cap, bool reset)
{
	size_t len = 1;
	bool first = true, ok = cap > 2;

	if (!ok)
		return 0;
	buf[0] = '{';
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; ok && i <= HOSTSTATS_MAX_HOSTS; i++) {
		const struct hoststats_entry *e = &s->entry[i];

		if (i >= s->used && i < HOSTSTATS_MAX_HOSTS)
			continue;
		if (e->requests == 0)
			continue;
		ok = put_entry(buf, cap, &len, e, first);
		first = false;
	}
	ok = ok && len + 2 <= cap;
	if (ok && reset)
		for (unsigned i = 0; i <= HOSTSTATS_MAX_HOSTS; i++)
			entry_clear(&s->entry[i]);
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		return 0;
	buf[len++] = '}';
	buf[len] = '\0';
	return len;
}
