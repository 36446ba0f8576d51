/* redis_frontier.c -- the frontier shared in Redis: local rules, buffered adds and acks, leased URLs in hand */
#include "redis_frontier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "hosts.h"
#include "redis_frontier_impl.h"
#include "redis_link.h"
#include "redis_scripts.h"
#include "robots.h"
#include "urlnorm.h"

/* Longest origin, as in frontier.c. */
enum { ORIGIN_MAX = 288 };
/* Buffered adds and acks go out within this even while leased URLs wait to be handed out. */
enum { ACK_DELAY_MS = 100 };

static const char *const scope_names[] = { "host", "domain", "any" };

/* The pairs that define the crawl: the rules this module enforces, then the caller's others. */
static int rf_identity(const struct redis_frontier_options *o, const char **argv, size_t *lens,
		       char nums[][32], int at)
{
	const struct frontier_options *r = o->rules;
	static const char *const keys[] = { "follow", "depth", "scope", "per_host", "delay_ms",
					    "robots", "max_pages" };
	const char *values[7];

	snprintf(nums[0], sizeof(nums[0]), "%u", r->max_depth);
	snprintf(nums[1], sizeof(nums[1]), "%u", r->per_host);
	snprintf(nums[2], sizeof(nums[2]), "%ld", r->delay_ms);
	snprintf(nums[3], sizeof(nums[3]), "%lu", r->max_pages);
	values[0] = r->follow ? "yes" : "no";
	values[1] = nums[0];
	values[2] = scope_names[r->scope];
	values[3] = nums[1];
	values[4] = nums[2];
	values[5] = r->robots ? "on" : "off";
	values[6] = nums[3];
	for (size_t i = 0; i < 7; i++) {
		argv[at] = keys[i];
		argv[at + 1] = values[i];
		at += 2;
	}
	for (size_t i = 0; i < o->n_identity; i++) {
		bool ours = false;

		for (size_t k = 0; k < 7; k++)
			ours = ours || strcmp(keys[k], o->identity[i].key) == 0;
		if (ours)
			continue;	/* the caller's copy of a rule set above */
		argv[at] = o->identity[i].key;
		argv[at + 1] = o->identity[i].value;
		at += 2;
	}
	for (int i = 0; i < at; i++)
		lens[i] = argv[i] ? strlen(argv[i]) : 0;
	return at;
}

/* Registers the instance and checks (or stores) what defines the crawl. */
static int rf_join(struct redis_frontier *rf, const struct redis_frontier_options *o, char *err,
		   size_t errlen)
{
	size_t max = 3 + 2 * (7 + o->n_identity);
	const char **argv = calloc(max, sizeof(*argv));
	size_t *lens = calloc(max, sizeof(*lens));
	char nums[4][32], version[16], desc[300], host[128] = "";
	struct redis_reply *r = NULL;
	const char *what;
	int argc, rc = FRONTIER_ENOMEM;

	if (!argv || !lens) {
		errbuf_set(err, errlen, "out of memory");
		goto out;
	}
	gethostname(host, sizeof(host) - 1);
	snprintf(version, sizeof(version), "%d", REDIS_FRONTIER_VERSION);
	snprintf(desc, sizeof(desc), "%ld %s:%ld", rf->lease_ms, host, (long)getpid());
	argv[1] = version;
	argv[2] = desc;
	argc = rf_identity(o, argv, lens, nums, 3);
	rc = rf_eval(rf, &rf->open, argc, argv, lens, &r);
	if (rc < 0) {
		errbuf_set(err, errlen, "%s", rf->error);
		goto out;
	}
	what = redis_reply_str(redis_reply_at(r, 0), NULL);
	if (what && strcmp(what, "ok") == 0) {
		snprintf(rf->inst, sizeof(rf->inst), "%lld", redis_reply_int(redis_reply_at(r, 1)));
		rc = 0;
		goto out;
	}
	errbuf_set(err, errlen, "crawl '%.*s' in %s is another crawl: its %s is '%s', this "
		   "instance's '%s' (give this crawl another --crawl NAME, run it as that one was "
		   "made, or remove that one with 'crawlpool drop')", (int)strlen(rf->prefix) - 1, rf->prefix,
		   redis_link_name(rf->link), redis_reply_str(redis_reply_at(r, 1), NULL),
		   redis_reply_str(redis_reply_at(r, 2), NULL),
		   redis_reply_str(redis_reply_at(r, 3), NULL));
	rc = REDIS_FRONTIER_ECRAWL;
out:
	redis_reply_free(r);
	free(argv);
	free(lens);
	return rc;
}

int redis_frontier_open(const char *url, const char *crawl, const struct redis_frontier_options *o,
			struct redis_frontier **out, char *err, size_t errlen)
{
	struct redis_address addr;
	struct redis_frontier *rf;
	int rc = FRONTIER_ENOMEM;

	*out = NULL;
	crawl = crawl ? crawl : "crawlpool";
	if (redis_address_parse(url, &addr, err, errlen) < 0)
		return REDIS_FRONTIER_EUSAGE;
	if (!crawl[0] || strlen(crawl) + 2 > sizeof(rf->prefix) || strpbrk(crawl, " \t\r\n")) {
		/* cut: a long name would push the reason out of the message */
		errbuf_set(err, errlen, "invalid --crawl '" ERRBUF_CUT "': a name of 1 to %zu bytes "
			   "without spaces", ERRBUF_CUT_ARGS(crawl), sizeof(rf->prefix) - 2);
		return REDIS_FRONTIER_EUSAGE;
	}
	rf = calloc(1, sizeof(*rf));
	if (!rf) {
		errbuf_set(err, errlen, "out of memory");
		return FRONTIER_ENOMEM;
	}
	rf->open.text = redis_script_open;
	rf->sync.text = redis_script_sync;
	rf->status.text = redis_script_status;
	snprintf(rf->prefix, sizeof(rf->prefix), "%s:", crawl);
	rf->last_add = FRONTIER_ADDED;
	rf->link = redis_link_new(&addr, o && o->timeout_ms > 0 ? o->timeout_ms : 5000);
	memset(addr.password, 0, sizeof(addr.password));
	if (!rf->link)
		goto fail_nomem;
	if (!o) {
		/* looking only: the connection is made, and its failure told, now */
		const char *ping[] = { "PING" };
		const size_t ping_len[] = { 4 };
		struct redis_reply *r;

		rc = rf_command(rf, 1, ping, ping_len, &r);
		if (rc < 0)
			goto fail;
		redis_reply_free(r);
		*out = rf;
		return 0;
	}
	rf->opts = *o->rules;
	rf->max_pages = rf->opts.max_pages;
	rf->opts.max_pages = 0;		/* counted in Redis, for all instances */
	rf->lease_ms = o->lease_ms > 0 ? o->lease_ms : 60000;
	rf->lease_batch = o->lease_batch > 0 ? o->lease_batch : 16;
	rf->poll_ms = o->poll_ms > 0 ? o->poll_ms : 100;
	rf->rules = frontier_new(&rf->opts);
	rf->verdicts = hosts_new();
	if (!rf->rules || !rf->verdicts)
		goto fail_nomem;
	rc = rf_join(rf, o, err, errlen);
	if (rc < 0) {
		redis_frontier_close(rf);
		return rc;
	}
	rf->joined = true;
	*out = rf;
	return 0;

fail_nomem:
	errbuf_set(rf->error, sizeof(rf->error), "out of memory");
fail:
	errbuf_set(err, errlen, "%s", rf->error);
	redis_frontier_close(rf);
	return rc;
}

/*
 * A URL the rules take is buffered as its add group. Its record's depth is
 * "DEPTH", or "DEPTH+REDIRECTS" for a redirect's target (which an instance
 * reading only the depth takes as DEPTH).
 */
static int rf_add(struct redis_frontier *rf, const char *url, unsigned depth, unsigned redirects,
		  const char *referrer)
{
	char origin[ORIGIN_MAX], key_buf[ORIGIN_MAX], num[32];
	const char *norm = url, *scope = "";
	char *resolved = NULL;
	size_t mark = rf->adds.n;
	int rc;

	if (!referrer) {
		rc = urlnorm_resolve(NULL, url, &resolved);
		if (rc == URLNORM_ENOMEM)
			return FRONTIER_ENOMEM;
		if (rc != URLNORM_OK)
			return FRONTIER_INVALID;
		norm = resolved;
		depth = 0;
	} else {
		rc = frontier_admits(rf->rules, url, depth);
		if (rc != FRONTIER_ADDED)
			return rc;
	}
	rc = FRONTIER_INVALID;
	if (urlnorm_origin(norm, origin, sizeof(origin)) < 0)
		goto out;
	rc = FRONTIER_ENOMEM;
	if (!referrer && rf->opts.follow) {
		/* a start URL widens the scope, here now and for every instance through Redis */
		scope = frontier_scope_of(rf->rules, origin, key_buf, sizeof(key_buf));
		if (frontier_scope_add(rf->rules, scope) < 0)
			goto out;
	}
	if (redirects)
		snprintf(num, sizeof(num), "%u+%u", depth, redirects);
	else
		snprintf(num, sizeof(num), "%u", depth);
	if (rf_args_pushs(&rf->adds, norm) < 0 || rf_args_pushs(&rf->adds, origin) < 0 ||
	    rf_args_pushs(&rf->adds, num) < 0 ||
	    rf_args_pushs(&rf->adds, referrer ? referrer : "") < 0 ||
	    rf_args_pushs(&rf->adds, strcmp(norm, url) == 0 ? "" : url) < 0 ||
	    rf_args_pushs(&rf->adds, scope) < 0) {
		rf_args_cut(&rf->adds, mark);
		goto out;
	}
	rc = FRONTIER_ADDED;
out:
	free(resolved);
	return rc;
}

int redis_frontier_add(struct redis_frontier *rf, const char *url, unsigned depth,
		       const char *referrer)
{
	return rf_add(rf, url, depth, 0, referrer);
}

int redis_frontier_add_wait(struct redis_frontier *rf, const char *url, unsigned depth,
			    unsigned redirects, const char *referrer)
{
	int rc = rf_add(rf, url, depth, redirects, referrer);

	if (rc != FRONTIER_ADDED)
		return rc;
	/* now 0: neither renewals nor leases, only what is buffered */
	rc = rf_sync(rf, 0, 0);
	return rc < 0 ? rc : rf->last_add;
}

/* A host's robots.txt answer, as frontier.c reads it (robots_from_answer()). */
static void rf_set_verdict(struct redis_frontier *rf, struct host *h, long status, const char *body,
			   size_t len)
{
	robots_free(h->robots);
	h->robots = robots_from_answer(status, body, len, rf->opts.product_token);
	h->robots_state = ROBOTS_KNOWN;
}

/* The robots.txt answers (shared in Redis) of the hosts of the URLs leased, read once per host. */
static int rf_read_verdicts(struct redis_frontier *rf)
{
	enum { MAX_HOSTS = 64 };
	const char *argv[2 + MAX_HOSTS];
	size_t lens[2 + MAX_HOSTS];
	struct host *hosts[MAX_HOSTS];
	char key[300];
	struct redis_reply *r;
	size_t n = 0;
	int rc;

	for (struct rf_item *it = rf->ready.head; it && n < MAX_HOSTS; it = it->next) {
		struct host *h;
		bool listed = false;

		if (it->robots)
			continue;
		h = hosts_get(rf->verdicts, it->origin, ROBOTS_UNKNOWN, 0);
		if (!h)
			return FRONTIER_ENOMEM;
		for (size_t i = 0; i < n; i++)
			listed = listed || hosts[i] == h;
		if (h->robots_state == ROBOTS_KNOWN || listed)
			continue;
		hosts[n] = h;
		argv[2 + n] = h->origin;
		lens[2 + n++] = strlen(h->origin);
	}
	if (n == 0)
		return 0;
	argv[0] = "HMGET";
	lens[0] = 5;
	argv[1] = key;
	lens[1] = (size_t)snprintf(key, sizeof(key), "%srobots", rf->prefix);
	rc = rf_command(rf, (int)(2 + n), argv, lens, &r);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *answer = redis_reply_str(redis_reply_at(r, i), &len);
		const char *nl = answer ? memchr(answer, '\n', len) : NULL;

		if (!nl) {
			/* robots.txt not obeyed on this host: nothing to check */
			hosts[i]->robots_state = ROBOTS_KNOWN;
			continue;
		}
		rf_set_verdict(rf, hosts[i], strtol(answer, NULL, 10), nl + 1,
			       len - (size_t)(nl + 1 - answer));
	}
	redis_reply_free(r);
	return 0;
}

/* The first leased URL, handed out: a page robots.txt forbids becomes a row without a fetch. */
static int rf_hand_out(struct redis_frontier *rf, const struct frontier_url **out)
{
	struct rf_item *it = rf->ready.head;
	struct host *h;
	int rc;

	if (rf->scope_stale && (rc = rf_read_scope(rf)) < 0)
		return rc;
	if (!it->robots && rf->opts.robots) {
		h = hosts_get(rf->verdicts, it->origin, ROBOTS_UNKNOWN, 0);
		if (!h)
			return FRONTIER_ENOMEM;
		if (h->robots_state != ROBOTS_KNOWN && (rc = rf_read_verdicts(rf)) < 0)
			return rc;
		if (h->robots && !robots_allowed(h->robots, urlnorm_path(it->member))) {
			it->view.kind = FRONTIER_BLOCKED;
			it->view.why = robots_why(h->robots);
		}
	}
	rf_list_remove(&rf->ready, it);
	rf_list_push(&rf->hand, it);
	*out = &it->view;
	return FRONTIER_URL;
}

/* A third of the lease has passed since the leases in hand were renewed. */
static bool rf_renewal_due(const struct redis_frontier *rf, long long now_ms)
{
	return now_ms - rf->renewed_ms >= rf->lease_ms / 3 && rf->hand.n + rf->ready.n > 0;
}

int redis_frontier_next(struct redis_frontier *rf, long long now_ms, const struct frontier_url **out,
			long long *wait_ms)
{
	bool ask = rf->ready.n == 0 && now_ms >= rf->ask_ms;
	bool pending = rf->adds.n > 0 || rf->acks.n > 0;
	bool renew = rf_renewal_due(rf, now_ms);
	int rc;

	if (pending && !rf->first_pending_ms)
		rf->first_pending_ms = now_ms;
	/* what is buffered waits for the next lease request, or ACK_DELAY_MS at most */
	if (ask || renew || (pending && (rf->ready.n == 0 ||
					 now_ms - rf->first_pending_ms >= ACK_DELAY_MS))) {
		/* acks free host slots: with none in hand, the same call asks for URLs */
		rc = rf_sync(rf, now_ms, ask || (pending && rf->ready.n == 0) ? rf->lease_batch : 0);
		if (rc < 0 && (rf->ready.n == 0 || rc == REDIS_FRONTIER_ECRAWL)) {
			*wait_ms = redis_link_retry_in_ms(rf->link);
			return rc;
		}
	}
	if (rf->ready.n > 0) {
		rc = rf_hand_out(rf, out);
		if (rc < 0)
			*wait_ms = redis_link_retry_in_ms(rf->link);
		return rc;
	}
	if (rf->remote_queued == 0 && rf->remote_leased == 0 && rf->hand.n == 0 &&
	    rf->adds.n == 0 && rf->acks.n == 0)
		return FRONTIER_DONE;
	*wait_ms = rf->ask_ms > now_ms ? rf->ask_ms - now_ms : rf->poll_ms;
	return FRONTIER_WAIT;
}

bool redis_frontier_begun(const struct redis_frontier *rf)
{
	return rf->begun;
}

/* One ack of the sync script's four fields (kind, member, x, y), buffered whole or not at all. */
static int rf_ack(struct redis_frontier *rf, const char *kind, const char *member, const char *x,
		  size_t xlen, const char *y)
{
	size_t mark = rf->acks.n;

	if (rf_args_pushs(&rf->acks, kind) < 0 || rf_args_pushs(&rf->acks, member) < 0 ||
	    rf_args_push(&rf->acks, x, xlen) < 0 || rf_args_pushs(&rf->acks, y) < 0) {
		rf_args_cut(&rf->acks, mark);
		return FRONTIER_ENOMEM;
	}
	return 0;
}

void redis_frontier_robots(struct redis_frontier *rf, const struct frontier_url *u, long status,
			   const char *body, size_t len)
{
	struct rf_item *it = (struct rf_item *)u;
	struct host *h = hosts_get(rf->verdicts, it->origin, ROBOTS_UNKNOWN, 0);
	char *answer, delay[24];
	long crawl_delay;
	int n;

	if (!it->robots || it->answered || !h)
		return;
	if (!body)
		len = 0;
	len = len < ROBOTS_MAX_BODY ? len : ROBOTS_MAX_BODY;
	rf_set_verdict(rf, h, status, body, len);
	crawl_delay = h->robots ? robots_crawl_delay_ms(h->robots) : -1;
	snprintf(delay, sizeof(delay), "%ld", crawl_delay);
	answer = malloc(len + 24);
	if (!answer)
		return;
	n = snprintf(answer, 24, "%ld\n", status);
	if (len)
		memcpy(answer + n, body, len);
	if (rf_ack(rf, "r", it->member, answer, (size_t)n + len, delay) == 0)
		it->answered = true;
	free(answer);
}

int redis_frontier_done(struct redis_frontier *rf, const struct frontier_url *u, const char *row,
			size_t len, bool error, long long now_ms)
{
	struct rf_item *it = (struct rf_item *)u;
	int rc = 0;

	/* a robots.txt fetch that ended without an answer counts as unreachable */
	if (it->robots && !it->answered)
		redis_frontier_robots(rf, u, 0, NULL, 0);
	/* on ENOMEM the lease runs out and another instance fetches it again */
	if (!it->robots)
		rc = rf_ack(rf, u->kind == FRONTIER_BLOCKED ? "b" : "p", it->member, row ? row : "",
			    row ? len : 0, error ? "1" : "0");
	rf_list_remove(&rf->hand, it);
	free(it);
	/* results keep coming, but the pool may be too full to ask for more */
	if (rc == 0 && rf_renewal_due(rf, now_ms))
		rf_sync(rf, now_ms, 0);
	return rc;
}

int redis_frontier_line(struct redis_frontier *rf, const char *line, const char *row, size_t len,
			bool error)
{
	return rf_ack(rf, "l", line, row, len, error ? "1" : "0");
}

int redis_frontier_begin(struct redis_frontier *rf)
{
	return rf_ack(rf, "s", "", "", 0, "0");
}

int redis_frontier_flush(struct redis_frontier *rf, long long now_ms)
{
	return rf_sync(rf, now_ms, 0);
}

int redis_frontier_renew(struct redis_frontier *rf, long long now_ms)
{
	int rc;

	if (!rf_renewal_due(rf, now_ms))
		return 0;
	rc = rf_sync(rf, now_ms, 0);
	return rc < 0 ? rc : 1;
}

long redis_frontier_renew_ms(const struct redis_frontier *rf)
{
	/* due at a third, called every sixth: renewed at most half a lease apart */
	return rf->lease_ms / 6 > 0 ? rf->lease_ms / 6 : 1;
}

const char *redis_frontier_error(const struct redis_frontier *rf)
{
	return rf->error;
}

unsigned long long redis_frontier_round_trips(const struct redis_frontier *rf)
{
	return redis_link_requests(rf->link);
}

/* URLs leased and not fetched go back to the front of their queues now, not when leases run out. */
static void rf_give_back(struct redis_frontier *rf, struct rf_list *l)
{
	for (struct rf_item *it = l->head; it; it = it->next)
		if (rf_ack(rf, "g", it->member, "", 0, "") < 0)
			return;
}

void redis_frontier_leave(struct redis_frontier *rf)
{
	char key[300];
	const char *argv[] = { "ZREM", key, rf->inst };
	size_t lens[3] = { 4, 0, strlen(rf->inst) };
	struct redis_reply *r = NULL;

	if (!rf->joined)
		return;
	rf->joined = false;
	rf_give_back(rf, &rf->ready);
	rf_give_back(rf, &rf->hand);
	rf_list_free(&rf->ready);
	rf_list_free(&rf->hand);
	if (rf_sync(rf, 0, 0) == 0) {
		lens[1] = (size_t)snprintf(key, sizeof(key), "%salive", rf->prefix);
		if (rf_command(rf, 3, argv, lens, &r) == 0)
			redis_reply_free(r);
	}
}

void redis_frontier_close(struct redis_frontier *rf)
{
	if (!rf)
		return;
	redis_frontier_leave(rf);
	rf_list_free(&rf->ready);
	rf_list_free(&rf->hand);
	rf_args_free(&rf->adds);
	rf_args_free(&rf->acks);
	hosts_free(rf->verdicts, NULL);
	frontier_free(rf->rules);
	redis_link_free(rf->link);
	free(rf);
}

