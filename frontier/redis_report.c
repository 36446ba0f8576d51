/* redis_report.c -- what a shared crawl holds, read without joining it: counts and instances (status), rows (export) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "redis_frontier_impl.h"

/* Rows read per call. */
enum { EXPORT_CHUNK = 1000 };

int redis_frontier_status(struct redis_frontier *rf, struct redis_frontier_status *st)
{
	const char *argv[1] = { NULL };
	size_t lens[1] = { 0 };
	struct redis_reply *r;
	long long now;
	size_t count;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = rf_eval(rf, &rf->status, 1, argv, lens, &r);
	if (rc < 0)
		return rc;
	count = redis_reply_count(r);
	if (count < 9 || (count - 9) % 4 != 0) {
		redis_reply_free(r);
		errbuf_set(rf->error, sizeof(rf->error), "redis at '%s' gave a reply of another "
			   "shape", redis_link_name(rf->link));
		return REDIS_FRONTIER_EDOWN;
	}
	st->exists = redis_reply_int(redis_reply_at(r, 0)) == 1;
	now = redis_reply_int(redis_reply_at(r, 1));
	st->elapsed_ms = st->exists ? now - redis_reply_int(redis_reply_at(r, 2)) : 0;
	st->taken = redis_reply_int(redis_reply_at(r, 3));
	st->queued = redis_reply_int(redis_reply_at(r, 4));
	st->leased = redis_reply_int(redis_reply_at(r, 5));
	st->done = redis_reply_int(redis_reply_at(r, 6));
	st->errors = redis_reply_int(redis_reply_at(r, 7));
	st->expired = redis_reply_int(redis_reply_at(r, 8));
	st->n_instances = (count - 9) / 4;
	st->instances = calloc(st->n_instances ? st->n_instances : 1, sizeof(*st->instances));
	if (!st->instances) {
		redis_reply_free(r);
		return FRONTIER_ENOMEM;
	}
	for (size_t i = 0; i < st->n_instances; i++) {
		struct redis_frontier_instance *in = &st->instances[i];
		size_t at = 9 + 4 * i;
		const char *desc = redis_reply_str(redis_reply_at(r, at + 1), NULL);
		const char *space = desc ? strchr(desc, ' ') : NULL;
		long long seen = redis_reply_int(redis_reply_at(r, at + 2));

		in->id = redis_reply_int(redis_reply_at(r, at));
		in->lease_ms = desc ? strtoll(desc, NULL, 10) : 0;
		snprintf(in->name, sizeof(in->name), "%s", space ? space + 1 : "");
		in->idle_ms = seen >= 0 ? now - seen : -1;
		in->leased = redis_reply_int(redis_reply_at(r, at + 3));
		in->alive = seen >= 0 && in->idle_ms <= in->lease_ms;
	}
	redis_reply_free(r);
	return 0;
}

void redis_frontier_status_free(struct redis_frontier_status *st)
{
	free(st->instances);
	st->instances = NULL;
	st->n_instances = 0;
}

int redis_frontier_follows(struct redis_frontier *rf, bool *follow)
{
	char key[300];
	const char *argv[] = { "HGET", key, "follow" };
	size_t lens[3] = { 4, 0, 6 };
	struct redis_reply *r;
	const char *value;
	int rc;

	lens[1] = (size_t)snprintf(key, sizeof(key), "%scrawl", rf->prefix);
	rc = rf_command(rf, 3, argv, lens, &r);
	if (rc < 0)
		return rc;
	value = redis_reply_str(r, NULL);
	*follow = value && strcmp(value, "yes") == 0;
	/* every crawl stores its rule: no value, no crawl */
	rc = value != NULL;
	redis_reply_free(r);
	return rc;
}

int redis_frontier_export(struct redis_frontier *rf, redis_frontier_row_cb cb, void *ctx)
{
	char key[300], from[24], to[24];
	const char *argv[] = { "LRANGE", key, from, to };
	size_t lens[4] = { 6, 0, 0, 0 };

	lens[1] = (size_t)snprintf(key, sizeof(key), "%srows", rf->prefix);
	for (long long start = 0;; start += EXPORT_CHUNK) {
		struct redis_reply *r;
		size_t n;
		int rc;

		lens[2] = (size_t)snprintf(from, sizeof(from), "%lld", start);
		lens[3] = (size_t)snprintf(to, sizeof(to), "%lld", start + EXPORT_CHUNK - 1);
		rc = rf_command(rf, 4, argv, lens, &r);
		if (rc < 0)
			return rc;
		n = redis_reply_count(r);
		for (size_t i = 0; i < n; i++) {
			size_t len;
			const char *row = redis_reply_str(redis_reply_at(r, i), &len);

			if (cb(ctx, row ? row : "", len) < 0) {
				redis_reply_free(r);
				return -1;
			}
		}
		redis_reply_free(r);
		if (n < EXPORT_CHUNK)
			return 0;
	}
}
