/* test_redis_frontier.c -- the frontier shared in Redis, against a real redis-server: two instances, leases, politeness, robots.txt, rows once, list lines once, faults */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontier.h"
#include "redis_address.h"
#include "redis_frontier.h"
#include "redis_server.h"

static struct redis_server *server;

static const struct frontier_options follow_rules = {
	.follow = true,
	.max_depth = 5,
	.scope = FRONTIER_SCOPE_HOST,
	.product_token = "crawlpool",
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int setup(void **state)
{
	(void)state;
	server = redis_server_start(NULL);
	return server ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	redis_server_free(server);
	return 0;
}

static struct redis_frontier *join_at(const char *url, const char *crawl,
				      const struct frontier_options *rules, long lease_ms)
{
	struct redis_frontier_options o = {
		.rules = rules,
		.lease_ms = lease_ms,
		.poll_ms = 20,
		.lease_batch = 4,
	};
	struct redis_frontier *rf;
	char err[512] = "";
	int rc = redis_frontier_open(url, crawl, &o, &rf, err, sizeof(err));

	if (rc != 0)
		fail_msg("redis_frontier_open: %d %s", rc, err);
	return rf;
}

static struct redis_frontier *join(const char *crawl, const struct frontier_options *rules,
				   long lease_ms)
{
	return join_at(redis_server_url(server), crawl, rules, lease_ms);
}

/* next() until it gives a URL or says done, for at most limit_ms: the verdict. */
static int next_within(struct redis_frontier *rf, const struct frontier_url **u, long limit_ms)
{
	long long end = now_ms() + limit_ms;

	for (;;) {
		long long wait = 0;
		int rc = redis_frontier_next(rf, now_ms(), u, &wait);

		if (rc != FRONTIER_WAIT && rc != REDIS_FRONTIER_EDOWN)
			return rc;
		if (now_ms() >= end)
			return rc;
		sleep_ms(wait > 0 && wait < 20 ? (long)wait : 20);
	}
}

static void add_ok(struct redis_frontier *rf, const char *url, unsigned depth, const char *ref)
{
	assert_int_equal(redis_frontier_add(rf, url, depth, ref), FRONTIER_ADDED);
}

static void done_row(struct redis_frontier *rf, const struct frontier_url *u, const char *row)
{
	assert_int_equal(redis_frontier_done(rf, u, row, strlen(row), false, now_ms()), 0);
}

struct rows {
	char text[64][128];
	size_t n;
};

static int collect_row(void *ctx, const char *row, size_t len)
{
	struct rows *r = ctx;

	assert_true(r->n < 64);
	snprintf(r->text[r->n++], sizeof(r->text[0]), "%.*s", (int)len, row);
	return 0;
}

static size_t rows_with(const struct rows *r, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += strstr(r->text[i], needle) != NULL;
	return n;
}

/* Bad frontier URLs are usage errors, before anything connects. */
static void test_url_parsing(void **state)
{
	static const char *const bad[] = {
		"http://127.0.0.1/", "redis://", "redis://:pw@", "redis://host:0",
		"redis://host:65536", "redis://host:12x", "redis://host/db", "redis://host/-1",
		"redis://user@host", "redis://:p%zz@host", "redis+unix://relative.sock",
		"redis://[::1", "redis://[::1]x",
	};
	struct redis_address a;
	struct redis_frontier *rf;
	char err[512], long_name[1001], long_url[1100];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (redis_address_parse(bad[i], &a, err, sizeof(err)) == 0)
			fail_msg("'%s' was taken", bad[i]);
		assert_non_null(strstr(err, "invalid --frontier"));
		assert_int_equal(redis_frontier_open(bad[i], NULL, NULL, &rf, err, sizeof(err)),
				 REDIS_FRONTIER_EUSAGE);
		assert_null(rf);
	}
	/* an error never shows the password: stderr ends up in logs */
	assert_int_equal(redis_address_parse("redis://bot:s3cret@h:x", &a, err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cret"));
	assert_non_null(strstr(err, "'redis://bot:***@h:x'"));
	assert_int_equal(redis_address_parse("redis://s3cret@h", &a, err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cret"));
	assert_int_equal(redis_address_parse("redis://:s3cret@:x@h:0", &a, err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cret"));
	assert_int_equal(redis_address_parse("redis://:s3/cret@h", &a, err, sizeof(err)), -1);
	assert_null(strstr(err, "cret"));
	assert_int_equal(redis_address_parse("rediss://:s3cret@h", &a, err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cret"));
	assert_int_equal(redis_address_parse("redis://:s%40cret@Cache.local:6380/3", &a, err,
					     sizeof(err)), 0);
	assert_string_equal(a.host, "Cache.local");
	assert_int_equal(a.port, 6380);
	assert_int_equal(a.db, 3);
	assert_true(a.has_password);
	assert_string_equal(a.password, "s@cret");
	assert_string_equal(a.user, "");
	assert_int_equal(redis_address_parse("redis://bot:pw@[::1]", &a, err, sizeof(err)), 0);
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 6379);
	assert_string_equal(a.user, "bot");
	assert_int_equal(redis_address_parse("redis://:@h", &a, err, sizeof(err)), 0);
	assert_false(a.has_password);
	assert_int_equal(redis_address_parse("redis+unix:///run/r.sock", &a, err, sizeof(err)), 0);
	assert_true(a.is_unix);
	assert_string_equal(a.path, "/run/r.sock");
	/* a crawl name with a space would break the "INSTANCE ORIGIN" values */
	assert_int_equal(redis_frontier_open("redis://127.0.0.1", "a b", NULL, &rf, err,
					     sizeof(err)), REDIS_FRONTIER_EUSAGE);
	/* a name far too long: the message, cut to a caller's buffer, still says why */
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(redis_frontier_open("redis://127.0.0.1", long_name, NULL, &rf, err,
					     sizeof(err)), REDIS_FRONTIER_EUSAGE);
	assert_non_null(strstr(err, "a name of 1 to 254 bytes"));
	/* so with a --frontier URL far too long: its host, and its socket path */
	snprintf(long_url, sizeof(long_url), "redis://%s", long_name);
	assert_int_equal(redis_address_parse(long_url, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no host, or a bad one"));
	snprintf(long_url, sizeof(long_url), "redis+unix:///%s", long_name);
	assert_int_equal(redis_address_parse(long_url, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the socket needs an absolute path"));
}

/* A wrong password or database is a usage error; the right ones work. */
static void test_password(void **state)
{
	struct redis_server_options so = { .password = "pw1" };
	struct redis_server *locked = redis_server_start(&so);
	char url[256], err[512];
	struct redis_frontier *rf;

	(void)state;
	assert_non_null(locked);
	snprintf(url, sizeof(url), "redis+unix://%s", redis_server_socket(locked));
	/* no password given: refused at the first command */
	assert_int_equal(redis_frontier_open(url, "pw", NULL, &rf, err, sizeof(err)),
			 REDIS_FRONTIER_EUSAGE);
	assert_non_null(strstr(err, "NOAUTH"));
	redis_server_free(locked);

	/* a TCP address nobody listens on: down, not a usage error */
	assert_int_equal(redis_frontier_open("redis://127.0.0.1:1", "x", NULL, &rf, err,
					     sizeof(err)), REDIS_FRONTIER_EDOWN);
	assert_non_null(strstr(err, "unreachable"));
}

/* A server that takes the connection and never answers: down, and the error says it did not answer. */
static void test_silent_server(void **state)
{
	struct redis_frontier_options o = { .rules = &follow_rules, .timeout_ms = 300 };
	struct redis_frontier *rf;
	char url[64], err[512];
	int fd = redis_silent_listener(url, sizeof(url));

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(redis_frontier_open(url, "silent", &o, &rf, err, sizeof(err)),
			 REDIS_FRONTIER_EDOWN);
	if (!strstr(err, "unreachable: no answer within 0.3 s"))
		fail_msg("%s", err);
	close(fd);
}

/* An HTTP server where Redis was expected: a usage error at once, named for what it is. */
static void test_not_redis(void **state)
{
	struct redis_frontier_options o = { .rules = &follow_rules, .timeout_ms = 2000 };
	struct redis_frontier *rf;
	char url[64], err[512];
	int fd = redis_silent_listener(url, sizeof(url)), status;
	pid_t pid = fork();

	(void)state;
	assert_true(fd >= 0 && pid >= 0);
	if (pid == 0) {
		static const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
		char buf[512];
		int c = accept(fd, NULL, NULL);

		if (c < 0 || read(c, buf, sizeof(buf)) <= 0 ||
		    write(c, answer, sizeof(answer) - 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd);
	assert_int_equal(redis_frontier_open(url, "http", &o, &rf, err, sizeof(err)),
			 REDIS_FRONTIER_EUSAGE);
	if (!strstr(err, "is no Redis"))
		fail_msg("%s", err);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* Two instances add overlapping URLs: each is leased once in the whole crawl. */
static void test_dedupe_two_clients(void **state)
{
	struct redis_frontier *a = join("dedupe", &follow_rules, 60000);
	struct redis_frontier *b = join("dedupe", &follow_rules, 60000);
	const struct frontier_url *u;
	const char *seen[16];
	size_t n = 0;
	int rc;

	(void)state;
	add_ok(a, "http://a.test/", 0, NULL);
	add_ok(b, "http://A.test:80/", 0, NULL);	/* the same URL, as given otherwise */
	add_ok(a, "http://a.test/x", 1, "http://a.test/");
	add_ok(b, "http://a.test/x", 1, "http://a.test/");
	add_ok(b, "http://a.test/y", 1, "http://a.test/");
	assert_int_equal(redis_frontier_flush(b, now_ms()), 0);
	assert_int_equal(redis_frontier_add_wait(a, "http://a.test/y", 1, 1, "http://a.test/"),
			 FRONTIER_SEEN);
	/* out of scope and too deep are decided here, as in memory */
	assert_int_equal(redis_frontier_add(a, "http://b.test/", 1, "http://a.test/"), FRONTIER_OUT);
	assert_int_equal(redis_frontier_add(a, "http://a.test/z", 6, "http://a.test/"),
			 FRONTIER_OUT);
	assert_int_equal(redis_frontier_add(a, "mailto:x@y", 0, NULL), FRONTIER_INVALID);
	for (int round = 0; round < 20 && n < 16; round++) {
		struct redis_frontier *who = round % 2 ? b : a;

		rc = next_within(who, &u, 0);
		if (rc == FRONTIER_DONE)
			break;
		if (rc != FRONTIER_URL)
			continue;
		seen[n++] = u->url;
		assert_int_equal(u->kind, FRONTIER_PAGE);
	}
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(seen[i], seen[j]);
	redis_frontier_close(a);
	redis_frontier_close(b);
}

/* A joiner that opened before the start URLs came still learns the scope from Redis. */
static void test_scope_shared(void **state)
{
	struct redis_frontier *joiner = join("scope", &follow_rules, 60000);
	struct redis_frontier *starter = join("scope", &follow_rules, 60000);
	const struct frontier_url *u;

	(void)state;
	add_ok(starter, "http://s.test/", 0, NULL);
	assert_int_equal(redis_frontier_flush(starter, now_ms()), 0);
	assert_int_equal(next_within(joiner, &u, 5000), FRONTIER_URL);
	assert_string_equal(u->url, "http://s.test/");
	assert_int_equal(redis_frontier_add(joiner, "http://s.test/in", 1, u->url), FRONTIER_ADDED);
	assert_int_equal(redis_frontier_add(joiner, "http://t.test/out", 1, u->url), FRONTIER_OUT);
	done_row(joiner, u, "s");
	redis_frontier_close(joiner);
	redis_frontier_close(starter);
}

/* An instance that dies holding URLs: they come back when its leases run out. */
static void test_leases_expire(void **state)
{
	struct redis_frontier *b = join("expire", &follow_rules, 300);
	struct redis_frontier_status st;
	const struct frontier_url *u;
	const char *want[] = { "http://e.test/", "http://e.test/1", "http://e.test/2" };
	bool got[3] = { false, false, false };
	pid_t pid;
	int status;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		add_ok(b, want[i], i ? 1 : 0, i ? want[0] : NULL);
	assert_int_equal(redis_frontier_flush(b, now_ms()), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* leases all three and dies as kill -9 would leave it: nothing given back */
		struct redis_frontier *a = join("expire", &follow_rules, 300);
		int n = 0;

		while (n < 3 && next_within(a, &u, 2000) == FRONTIER_URL)
			n++;
		_exit(n == 3 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(redis_frontier_status(b, &st), 0);
	assert_int_equal(st.leased, 3);
	assert_int_equal(st.queued, 0);
	redis_frontier_status_free(&st);
	/* the dead instance's URLs, back in the queue: fetched by the one alive */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(next_within(b, &u, 10000), FRONTIER_URL);
		for (size_t k = 0; k < 3; k++)
			got[k] = got[k] || strcmp(u->url, want[k]) == 0;
		done_row(b, u, u->url);
	}
	assert_true(got[0] && got[1] && got[2]);
	assert_int_equal(next_within(b, &u, 10000), FRONTIER_DONE);
	assert_int_equal(redis_frontier_status(b, &st), 0);
	assert_int_equal(st.done, 3);
	assert_int_equal(st.expired, 3);
	assert_int_equal(st.leased, 0);
	assert_int_equal(st.n_instances, 2);
	/* the dead one stopped calling more than a lease ago; b just called */
	assert_int_equal(st.instances[0].alive + st.instances[1].alive, 1);
	assert_int_equal(st.instances[0].leased + st.instances[1].leased, 0);
	assert_non_null(strchr(st.instances[0].name, ':'));
	redis_frontier_status_free(&st);
	redis_frontier_close(b);
}

/*
 * An instance whose workers are all busy calls neither next nor done: its
 * renewals alone keep its URLs, the one in a worker's hands and the one
 * leased behind it, from another instance, over several leases; once they
 * stop, the other gets both.
 */
static void test_renew_keeps_leases(void **state)
{
	/* long enough that a sanitized build on a busy machine still renews in time */
	struct redis_frontier *a = join("renew", &follow_rules, 1500);
	struct redis_frontier *b = join("renew", &follow_rules, 1500);
	const struct frontier_url *u, *got;
	long long end, wait;
	int renewed = 0;

	(void)state;
	assert_int_equal(redis_frontier_renew_ms(a), 250);
	add_ok(a, "http://n.test/", 0, NULL);
	add_ok(a, "http://n.test/2", 0, NULL);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	/* nothing is due just after the round trip that leased them */
	assert_int_equal(redis_frontier_renew(a, now_ms()), 0);
	end = now_ms() + 4000;
	while (now_ms() < end) {
		int rc = redis_frontier_renew(a, now_ms());

		assert_true(rc == 0 || rc == 1);
		renewed += rc;
		assert_int_equal(redis_frontier_next(b, now_ms(), &got, &wait), FRONTIER_WAIT);
		sleep_ms(redis_frontier_renew_ms(a));
	}
	/* a third of 1.5 s, in 4 s, past two leases' time: some 8 renewals */
	assert_true(renewed >= 3);
	assert_int_equal(next_within(b, &got, 5000), FRONTIER_URL);
	done_row(b, got, "b1");
	assert_int_equal(next_within(b, &got, 5000), FRONTIER_URL);
	done_row(b, got, "b2");
	redis_frontier_close(b);
	redis_frontier_close(a);
}

/* Closing gives back what was leased and not fetched, at once. */
static void test_close_gives_back(void **state)
{
	struct redis_frontier *a = join("giveback", &follow_rules, 60000);
	struct redis_frontier *b = join("giveback", &follow_rules, 60000);
	const struct frontier_url *u;

	(void)state;
	add_ok(a, "http://g.test/", 0, NULL);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	redis_frontier_close(a);
	/* long before the 60 s lease would run out */
	assert_int_equal(next_within(b, &u, 5000), FRONTIER_URL);
	assert_string_equal(u->url, "http://g.test/");
	done_row(b, u, "g");
	assert_int_equal(next_within(b, &u, 5000), FRONTIER_DONE);
	redis_frontier_close(b);
}

/* --per-host 1 holds for two instances together; so does --delay. */
static void test_politeness_two_clients(void **state)
{
	struct frontier_options rules = follow_rules;
	struct redis_frontier *a, *b;
	const struct frontier_url *u, *v;
	long long wait, start;

	(void)state;
	rules.per_host = 1;
	a = join("perhost", &rules, 60000);
	b = join("perhost", &rules, 60000);
	add_ok(a, "http://p.test/", 0, NULL);
	add_ok(a, "http://p.test/2", 1, "http://p.test/");
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	assert_string_equal(u->url, "http://p.test/");
	/* b gets another host, then nothing while a holds p.test's one slot */
	add_ok(b, "http://q.test/", 0, NULL);
	assert_int_equal(next_within(b, &v, 5000), FRONTIER_URL);
	assert_string_equal(v->url, "http://q.test/");
	done_row(b, v, "q");
	assert_int_equal(redis_frontier_next(b, now_ms(), &v, &wait), FRONTIER_WAIT);
	assert_int_equal(next_within(b, &v, 200), FRONTIER_WAIT);
	done_row(a, u, "p");
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	assert_int_equal(next_within(b, &v, 5000), FRONTIER_URL);
	assert_string_equal(v->url, "http://p.test/2");
	done_row(b, v, "p2");
	redis_frontier_close(a);
	redis_frontier_close(b);

	/* --delay 300 ms: the second request to the host starts no sooner, whoever asks */
	rules.per_host = 0;
	rules.delay_ms = 300;
	a = join("delay", &rules, 60000);
	b = join("delay", &rules, 60000);
	add_ok(a, "http://d.test/", 0, NULL);
	add_ok(a, "http://d.test/2", 1, "http://d.test/");
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	start = now_ms();
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	assert_int_equal(redis_frontier_next(b, now_ms(), &v, &wait), FRONTIER_WAIT);
	assert_true(wait > 0);
	assert_int_equal(next_within(b, &v, 5000), FRONTIER_URL);
	assert_string_equal(v->url, "http://d.test/2");
	/* a lower bound the frontier enforces (Redis's clock and ours may differ by a ms) */
	assert_true(now_ms() - start >= 300 - 2);
	done_row(a, u, "d");
	done_row(b, v, "d2");
	redis_frontier_close(a);
	redis_frontier_close(b);
}

/* robots.txt is fetched by one instance once per host; its verdict holds for the others. */
static void test_robots_once_per_host(void **state)
{
	static const char body[] = "User-agent: *\nDisallow: /private\n";
	struct frontier_options rules = follow_rules;
	struct redis_frontier *a, *b;
	const struct frontier_url *rob, *u;
	int pages = 0, blocked = 0, rc;

	(void)state;
	rules.robots = true;
	a = join("robots", &rules, 60000);
	b = join("robots", &rules, 60000);
	add_ok(a, "http://r.test/", 0, NULL);
	add_ok(a, "http://r.test/private/x", 1, "http://r.test/");
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	/* b learns the scope a's start URL set from Redis */
	assert_int_equal(redis_frontier_flush(b, now_ms()), 0);
	add_ok(b, "http://r.test/open", 1, "http://r.test/");
	assert_int_equal(redis_frontier_flush(b, now_ms()), 0);
	assert_int_equal(next_within(a, &rob, 5000), FRONTIER_URL);
	assert_int_equal(rob->kind, FRONTIER_ROBOTS);
	assert_string_equal(rob->url, "http://r.test:80/robots.txt");
	/* nothing of r.test for anyone while its robots.txt is being fetched */
	assert_int_equal(next_within(b, &u, 200), FRONTIER_WAIT);
	assert_int_equal(next_within(a, &u, 0), FRONTIER_WAIT);
	redis_frontier_robots(a, rob, 200, body, strlen(body));
	assert_int_equal(redis_frontier_done(a, rob, NULL, 0, false, now_ms()), 0);
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	/* b, which never saw the body, obeys it: read once from Redis */
	while ((rc = next_within(b, &u, 5000)) == FRONTIER_URL) {
		assert_int_not_equal(u->kind, FRONTIER_ROBOTS);
		if (u->kind == FRONTIER_BLOCKED) {
			assert_string_equal(u->url, "http://r.test/private/x");
			blocked++;
		} else {
			pages++;
		}
		done_row(b, u, u->url);
	}
	assert_int_equal(rc, FRONTIER_DONE);
	assert_int_equal(pages, 2);
	assert_int_equal(blocked, 1);
	redis_frontier_close(a);
	redis_frontier_close(b);
}

/* A URL robots.txt forbids is a row without a request: it spends none of its host's --delay. */
static void test_blocked_spends_no_turn(void **state)
{
	static const char body[] = "User-agent: *\nDisallow: /private\n";
	struct frontier_options rules = follow_rules;
	struct redis_frontier *a;
	const struct frontier_url *u;
	long long wait;

	(void)state;
	rules.robots = true;
	rules.delay_ms = 1500;
	a = join("blocked", &rules, 60000);
	add_ok(a, "http://k.test/private/1", 0, NULL);
	add_ok(a, "http://k.test/open", 0, NULL);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	assert_int_equal(u->kind, FRONTIER_ROBOTS);
	redis_frontier_robots(a, u, 200, body, strlen(body));
	assert_int_equal(redis_frontier_done(a, u, NULL, 0, false, now_ms()), 0);
	/* one --delay after robots.txt: the forbidden URL, then at once the next */
	assert_int_equal(next_within(a, &u, 10000), FRONTIER_URL);
	assert_int_equal(u->kind, FRONTIER_BLOCKED);
	done_row(a, u, "blocked");
	assert_int_equal(redis_frontier_next(a, now_ms(), &u, &wait), FRONTIER_URL);
	assert_int_equal(u->kind, FRONTIER_PAGE);
	assert_string_equal(u->url, "http://k.test/open");
	/* and that request did spend one */
	done_row(a, u, "open");
	add_ok(a, "http://k.test/more", 0, NULL);
	assert_int_equal(redis_frontier_next(a, now_ms(), &u, &wait), FRONTIER_WAIT);
	assert_true(wait > 0);
	redis_frontier_close(a);
}

/* Two instances fetched one URL (the first one's lease ran out): its row is recorded once. */
static void test_rows_exactly_once(void **state)
{
	struct redis_frontier *a = join("once", &follow_rules, 300);
	struct redis_frontier *b = join("once", &follow_rules, 300);
	struct redis_frontier_status st;
	const struct frontier_url *u, *v;
	struct rows rows = { .n = 0 };

	(void)state;
	add_ok(a, "http://o.test/", 0, NULL);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	/* a stalls past its lease; b is given the URL and fetches it too */
	assert_int_equal(next_within(b, &v, 10000), FRONTIER_URL);
	assert_string_equal(v->url, u->url);
	done_row(b, v, "row from b");
	assert_int_equal(redis_frontier_flush(b, now_ms()), 0);
	done_row(a, u, "row from a");
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	assert_int_equal(redis_frontier_export(a, collect_row, &rows), 0);
	assert_int_equal(rows.n, 1);
	assert_string_equal(rows.text[0], "row from b");
	assert_int_equal(redis_frontier_status(a, &st), 0);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.leased, 0);
	assert_int_equal(st.queued, 0);
	redis_frontier_status_free(&st);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_DONE);
	redis_frontier_close(a);
	redis_frontier_close(b);
}

/*
 * A list line that is no URL: its row recorded once however many instances
 * send it, counted done and failed but not taken; the crawl has begun with
 * it. Its text may be a URL another holds: that lease is left alone.
 */
static void test_lines_recorded_once(void **state)
{
	static const struct frontier_options list_rules = { .product_token = "crawlpool" };
	struct redis_frontier *a = join("lines", &list_rules, 60000);
	struct redis_frontier *b = join("lines", &list_rules, 60000);
	struct redis_frontier_status st;
	const struct frontier_url *u;
	struct rows rows = { .n = 0 };

	(void)state;
	/* nobody brought anything yet */
	assert_int_equal(next_within(b, &u, 200), FRONTIER_DONE);
	assert_false(redis_frontier_begun(b));
	add_ok(a, "http://l.test/", 0, NULL);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	assert_true(redis_frontier_begun(a));
	assert_int_equal(redis_frontier_line(a, "not a url", "row a", 5, true), 0);
	assert_int_equal(redis_frontier_line(b, "not a url", "row b", 5, true), 0);
	assert_int_equal(redis_frontier_line(b, "http://l.test/", "row c", 5, true), 0);
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	assert_int_equal(redis_frontier_flush(b, now_ms()), 0);
	assert_true(redis_frontier_begun(b));
	assert_int_equal(redis_frontier_export(a, collect_row, &rows), 0);
	assert_int_equal(rows.n, 2);
	assert_string_equal(rows.text[0], "row a");
	assert_string_equal(rows.text[1], "row c");
	assert_int_equal(redis_frontier_status(a, &st), 0);
	assert_int_equal(st.done, 2);
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.taken, 1);
	assert_int_equal(st.leased, 1);
	assert_int_equal(st.instances[0].leased, 1);
	redis_frontier_status_free(&st);
	redis_frontier_close(a);
	redis_frontier_close(b);
}

/*
 * Round trips count every command sent, the loading of each script included;
 * leaving sends the last acks and is counted too (the crawl's summary reads
 * the count after it).
 */
static void test_round_trips_counted(void **state)
{
	static const struct frontier_options list_rules = { .product_token = "crawlpool" };
	struct redis_frontier *a = join("trips", &list_rules, 60000);
	struct redis_frontier *b = join("trips", &list_rules, 60000);
	struct redis_frontier_status st;
	const struct frontier_url *u, *v;
	long long wait = 0;

	(void)state;
	/* SCRIPT LOAD and EVALSHA of the joining script */
	assert_int_equal(redis_frontier_round_trips(a), 2);
	add_ok(a, "http://t.test/1", 0, NULL);
	add_ok(a, "http://t.test/2", 0, NULL);
	/* the sync script loaded, then one call: both adds sent and both URLs leased */
	assert_int_equal(redis_frontier_next(a, now_ms(), &u, &wait), FRONTIER_URL);
	assert_int_equal(redis_frontier_round_trips(a), 4);
	assert_int_equal(redis_frontier_next(a, now_ms(), &v, &wait), FRONTIER_URL);
	done_row(a, u, "1");
	done_row(a, v, "2");
	assert_int_equal(redis_frontier_round_trips(a), 4);
	/* the acks in one call, then the instance's ZREM from the living */
	redis_frontier_leave(a);
	assert_int_equal(redis_frontier_round_trips(a), 6);
	redis_frontier_close(a);
	assert_int_equal(redis_frontier_status(b, &st), 0);
	assert_int_equal(st.done, 2);
	redis_frontier_status_free(&st);
	redis_frontier_close(b);
}

/* Looking only (status, export): an empty crawl, then a finished one; nothing is written. */
static void test_observer(void **state)
{
	struct redis_frontier *look;
	struct redis_frontier_status st;
	struct rows rows = { .n = 0 };
	char err[512];

	(void)state;
	assert_int_equal(redis_frontier_open(redis_server_url(server), "never", NULL, &look, err,
					     sizeof(err)), 0);
	assert_int_equal(redis_frontier_status(look, &st), 0);
	assert_false(st.exists);
	assert_int_equal(st.done + st.queued + st.leased + (long long)st.n_instances, 0);
	redis_frontier_status_free(&st);
	assert_int_equal(redis_frontier_export(look, collect_row, &rows), 0);
	assert_int_equal(rows.n, 0);
	redis_frontier_close(look);
	assert_int_equal(redis_frontier_open(redis_server_url(server), "once", NULL, &look, err,
					     sizeof(err)), 0);
	assert_int_equal(redis_frontier_status(look, &st), 0);
	assert_true(st.exists);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.n_instances, 2);
	assert_false(st.instances[0].alive || st.instances[1].alive);	/* both closed */
	redis_frontier_status_free(&st);
	assert_int_equal(redis_frontier_export(look, collect_row, &rows), 0);
	assert_int_equal(rows.n, 1);
	redis_frontier_close(look);
}

static int open_with(const char *crawl, const struct frontier_options *rules, const char *include,
		     char *err, size_t errlen)
{
	const struct state_pair id[] = { { "include", include }, { "nofollow", "obeyed" } };
	struct redis_frontier_options o = { .rules = rules, .identity = id, .n_identity = 2 };
	struct redis_frontier *rf;
	int rc = redis_frontier_open(redis_server_url(server), crawl, &o, &rf, err, errlen);

	redis_frontier_close(rf);
	return rc;
}

/* A joiner whose options define another crawl is refused, and told which one differs. */
static void test_identity_refused(void **state)
{
	struct frontier_options rules = follow_rules;
	char err[512] = "";

	(void)state;
	assert_int_equal(open_with("ident", &rules, "/a", err, sizeof(err)), 0);
	assert_int_equal(open_with("ident", &rules, "/a", err, sizeof(err)), 0);
	rules.max_depth = 3;
	assert_int_equal(open_with("ident", &rules, "/a", err, sizeof(err)), REDIS_FRONTIER_ECRAWL);
	assert_non_null(strstr(err, "its depth is '5', this instance's '3'"));
	rules.max_depth = 5;
	assert_int_equal(open_with("ident", &rules, "/b", err, sizeof(err)), REDIS_FRONTIER_ECRAWL);
	assert_non_null(strstr(err, "include"));
	rules.per_host = 2;
	assert_int_equal(open_with("ident", &rules, "/a", err, sizeof(err)), REDIS_FRONTIER_ECRAWL);
	assert_non_null(strstr(err, "per_host"));
	rules.per_host = 0;
	rules.delay_ms = 10;
	assert_int_equal(open_with("ident", &rules, "/a", err, sizeof(err)), REDIS_FRONTIER_ECRAWL);
	assert_non_null(strstr(err, "delay_ms"));
	rules.delay_ms = 0;
	rules.robots = true;
	assert_int_equal(open_with("ident", &rules, "/a", err, sizeof(err)), REDIS_FRONTIER_ECRAWL);
	assert_non_null(strstr(err, "robots"));
}

/*
 * Redis restarted mid-crawl wanting a password this instance lacks: a usage
 * error at its next round trip, not an outage waited out (the script it
 * sends first is refused as an "unauthenticated multibulk", not as NOAUTH).
 */
static void test_password_added_mid_crawl(void **state)
{
	struct redis_server_options so = { .appendonly = true };
	struct redis_server *aof = redis_server_start(&so);
	struct redis_frontier *a;
	const struct frontier_url *u;
	long long end;
	int rc;

	(void)state;
	assert_non_null(aof);
	a = join_at(redis_server_url(aof), "locked", &follow_rules, 60000);
	add_ok(a, "http://p.test/", 0, NULL);
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	done_row(a, u, u->url);
	assert_int_equal(redis_server_restart_password(aof, "pw2"), 0);
	/* the old connection is found closed first: an outage, until a new one is refused */
	end = now_ms() + 3000;
	while ((rc = redis_frontier_flush(a, now_ms())) == REDIS_FRONTIER_EDOWN && now_ms() < end)
		sleep_ms(20);
	assert_int_equal(rc, REDIS_FRONTIER_EUSAGE);
	if (!strstr(redis_frontier_error(a), "password") && !strstr(redis_frontier_error(a), "NOAUTH"))
		fail_msg("%s", redis_frontier_error(a));
	redis_frontier_close(a);
	redis_server_free(aof);
}

/* Redis restarted mid-crawl with its append-only file: nothing lost, nothing twice. */
static void test_restart_keeps_everything(void **state)
{
	struct redis_server_options so = { .appendonly = true };
	struct redis_server *aof = redis_server_start(&so);
	struct redis_frontier *a;
	struct redis_frontier_status st;
	const struct frontier_url *u, *held[2];
	struct rows rows = { .n = 0 };
	char url[64];
	int rc;

	(void)state;
	assert_non_null(aof);
	a = join_at(redis_server_url(aof), "restart", &follow_rules, 60000);
	add_ok(a, "http://m.test/", 0, NULL);
	for (int i = 0; i < 20; i++) {
		snprintf(url, sizeof(url), "http://m.test/%d", i);
		add_ok(a, url, 1, "http://m.test/");
	}
	for (int i = 0; i < 10; i++) {
		assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
		done_row(a, u, u->url);
	}
	assert_int_equal(next_within(a, &held[0], 5000), FRONTIER_URL);
	assert_int_equal(next_within(a, &held[1], 5000), FRONTIER_URL);
	assert_int_equal(redis_frontier_flush(a, now_ms()), 0);
	/* two URLs in hand and some rows buffered while Redis restarts */
	done_row(a, held[0], held[0]->url);
	assert_int_equal(redis_server_restart(aof), 0);
	done_row(a, held[1], held[1]->url);
	while ((rc = next_within(a, &u, 10000)) == FRONTIER_URL)
		done_row(a, u, u->url);
	assert_int_equal(rc, FRONTIER_DONE);
	assert_int_equal(redis_frontier_export(a, collect_row, &rows), 0);
	assert_int_equal(rows.n, 21);
	assert_int_equal(rows_with(&rows, "http://m.test/"), 21);
	for (int i = 0; i < 20; i++) {
		struct rows one = { .n = 0 };

		snprintf(url, sizeof(url), "http://m.test/%d", i);
		for (size_t k = 0; k < rows.n; k++)
			if (strcmp(rows.text[k], url) == 0)
				one.n++;
		assert_int_equal(one.n, 1);
	}
	assert_int_equal(redis_frontier_status(a, &st), 0);
	assert_int_equal(st.done, 21);
	redis_frontier_status_free(&st);
	redis_frontier_close(a);
	redis_server_free(aof);
}

/* Redis gone: clear errors the caller can retry on, buffered rows kept, no crash; a crawl lost with its data is told apart. */
static void test_redis_gone(void **state)
{
	struct redis_server *gone = redis_server_start(NULL);
	struct redis_frontier *a;
	const struct frontier_url *u;
	long long wait = -1;

	(void)state;
	assert_non_null(gone);
	a = join_at(redis_server_url(gone), "gone", &follow_rules, 60000);
	add_ok(a, "http://x.test/", 0, NULL);
	add_ok(a, "http://x.test/2", 1, "http://x.test/");
	assert_int_equal(next_within(a, &u, 5000), FRONTIER_URL);
	assert_int_equal(redis_server_stop(gone), 0);
	done_row(a, u, "kept");
	assert_int_equal(redis_frontier_flush(a, now_ms()), REDIS_FRONTIER_EDOWN);
	assert_non_null(strstr(redis_frontier_error(a), "unreachable"));
	/* the second URL, leased before, is still handed out; then the outage shows */
	while (redis_frontier_next(a, now_ms(), &u, &wait) == FRONTIER_URL)
		done_row(a, u, "kept too");
	assert_int_equal(redis_frontier_next(a, now_ms(), &u, &wait), REDIS_FRONTIER_EDOWN);
	assert_true(wait >= 0 && wait <= 2000);
	assert_non_null(strstr(redis_frontier_error(a), "unreachable"));
	/* back, but empty (no persistence): the crawl is gone, not merely down */
	assert_int_equal(redis_server_restart(gone), 0);
	assert_int_equal(next_within(a, &u, 10000), REDIS_FRONTIER_ECRAWL);
	assert_non_null(strstr(redis_frontier_error(a), "gone from"));
	redis_frontier_close(a);
	redis_server_free(gone);
}

int main(void)
{
	/* as crawlpool's main(): a write to a Redis that went away fails, it does not kill */
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_parsing),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_silent_server),
		cmocka_unit_test(test_not_redis),
		cmocka_unit_test(test_password_added_mid_crawl),
		cmocka_unit_test(test_dedupe_two_clients),
		cmocka_unit_test(test_scope_shared),
		cmocka_unit_test(test_leases_expire),
		cmocka_unit_test(test_renew_keeps_leases),
		cmocka_unit_test(test_close_gives_back),
		cmocka_unit_test(test_politeness_two_clients),
		cmocka_unit_test(test_robots_once_per_host),
		cmocka_unit_test(test_blocked_spends_no_turn),
		cmocka_unit_test(test_rows_exactly_once),
		cmocka_unit_test(test_lines_recorded_once),
		cmocka_unit_test(test_round_trips_counted),
		cmocka_unit_test(test_observer),
		cmocka_unit_test(test_identity_refused),
		cmocka_unit_test(test_restart_keeps_everything),
		cmocka_unit_test(test_redis_gone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
