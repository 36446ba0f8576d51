/* redis_scan.c -- walking Redis's key space with SCAN: the keys of one crawl, the crawls of one database */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "redis_frontier_impl.h"
#include "strlist.h"

/* Keys SCAN is asked for a step. */
enum { SCAN_COUNT = 500 };

void rf_glob_escape(const char *s, const char *tail, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 3 < size; s++) {
		if (strchr("*?[]\\", *s))
			buf[n++] = '\\';
		buf[n++] = *s;
	}
	buf[n] = '\0';
	snprintf(buf + n, size - n, "%s", tail);
}

int rf_scan(struct redis_frontier *rf, const char *pattern, rf_scan_cb *cb, void *ctx)
{
	char cursor[32] = "0", count[16];
	const char *argv[] = { "SCAN", cursor, "MATCH", pattern, "COUNT", count };
	size_t lens[6] = { 4, 0, 5, strlen(pattern), 5, 0 };
	int rc;

	lens[5] = (size_t)snprintf(count, sizeof(count), "%d", SCAN_COUNT);
	do {
		struct redis_reply *r;
		const char *next;

		lens[1] = strlen(cursor);
		rc = rf_command(rf, 6, argv, lens, &r);
		if (rc < 0)
			return rc;
		next = redis_reply_str(redis_reply_at(r, 0), NULL);
		if (redis_reply_count(r) != 2 || !next || strlen(next) >= sizeof(cursor)) {
			redis_reply_free(r);
			errbuf_set(rf->error, sizeof(rf->error), "redis at '%s' gave a reply of "
				   "another shape", redis_link_name(rf->link));
			return REDIS_FRONTIER_EDOWN;
		}
		snprintf(cursor, sizeof(cursor), "%s", next);
		rc = cb(ctx, redis_reply_at(r, 1));
		redis_reply_free(r);
		if (rc < 0)
			return rc;
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

/* The crawls found so far but the handle's own, a crawl being one "NAME:crawl" key. */
struct crawl_names {
	const char *own;	/* "NAME:" */
	struct strlist names;
};

static int crawl_names_add(void *ctx, const struct redis_reply *keys)
{
	struct crawl_names *c = ctx;
	size_t count = redis_reply_count(keys), own = strlen(c->own);

	for (size_t i = 0; i < count; i++) {
		size_t len;
		const char *key = redis_reply_str(redis_reply_at(keys, i), &len);

		if (!key || len <= 6 || strlen(key) != len ||
		    (own == len - 5 && strncmp(key, c->own, own) == 0))
			continue;
		if (strlist_add(&c->names, key, len - 6) < 0)
			return FRONTIER_ENOMEM;
	}
	return 0;
}

static int crawl_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, each once (SCAN may give a key twice), joined by ", " into list; past its size "...". */
static void crawl_names_join(struct strlist *names, char *list, size_t size)
{
	size_t used = 0;

	qsort(names->v, names->n, sizeof(*names->v), crawl_name_cmp);
	list[0] = '\0';
	for (size_t i = 0; i < names->n; i++) {
		const char *sep = used ? ", " : "";
		int n;

		if (i > 0 && strcmp(names->v[i], names->v[i - 1]) == 0)
			continue;
		n = snprintf(list + used, size - used, "%s%s", sep, names->v[i]);
		if (n < 0 || (size_t)n >= size - used) {
			snprintf(list + used, size - used, "%s...", sep);
			return;
		}
		used += (size_t)n;
	}
}

int redis_frontier_crawls(struct redis_frontier *rf, char *list, size_t size)
{
	struct crawl_names c = { .own = rf->prefix };
	int rc = rf_scan(rf, "*:crawl", crawl_names_add, &c);

	if (rc == 0)
		crawl_names_join(&c.names, list, size);
	strlist_free(&c.names);
	return rc;
}
