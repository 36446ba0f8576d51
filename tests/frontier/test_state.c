/* test_state.c -- the state file alone: made, checked against the crawl, journaled in batches, read back; refusals change nothing */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "frontier.h"
#include "state.h"

static char dir[] = "/tmp/crawlpool-state-XXXXXX";
static char path[128];

static const struct state_pair crawl_id[] = {
	{ "start", "http://a.test/" },
	{ "depth", "5" },
};

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/crawl.state", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct state *open_ok(const struct state_pair *id, size_t n, bool want_created)
{
	char err[512] = "";
	bool created = !want_created;
	struct state *s = state_open(path, id, n, &created, err, sizeof(err));

	if (!s)
		fail_msg("state_open: %s", err);
	assert_int_equal(created, want_created);
	return s;
}

static void open_refused(const struct state_pair *id, size_t n, const char *needle)
{
	char err[512] = "";
	bool created;
	struct state *s = state_open(path, id, n, &created, err, sizeof(err));

	if (s) {
		state_close(s);
		fail_msg("state_open took what it should refuse (%s)", needle);
	}
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
}

struct loaded {
	char url[8][64];
	unsigned depth[8], redirects[8];
	bool has_referrer[8], done[8];
	size_t n;
};

static int collect(void *ctx, const char *url, unsigned depth, unsigned redirects,
		   const char *referrer, bool done)
{
	struct loaded *l = ctx;

	assert_true(l->n < 8);
	snprintf(l->url[l->n], sizeof(l->url[0]), "%s", url);
	l->depth[l->n] = depth;
	l->redirects[l->n] = redirects;
	l->has_referrer[l->n] = referrer != NULL;
	l->done[l->n] = done;
	l->n++;
	return 0;
}

/* Done marks join a batch only after state_flushed(); what is not committed is lost, never half. */
static void test_journal_and_load(void **state)
{
	struct state *s;
	struct loaded l = { .n = 0 };

	(void)state;
	unlink(path);
	s = open_ok(crawl_id, 2, true);
	assert_int_equal(state_add(s, "http://a.test/", 0, 0, NULL), 0);
	assert_int_equal(state_add(s, "http://a.test/b", 1, 0, "http://a.test/"), 0);
	assert_int_equal(state_add(s, "http://a.test/c", 1, 3, "http://a.test/"), 0);
	/* taken twice: kept once */
	assert_int_equal(state_add(s, "http://a.test/b", 1, 0, "http://a.test/"), 0);
	assert_int_equal(state_written(s, "http://a.test/"), 0);
	assert_int_equal(state_commit(s), 0);	/* the links, before the row goes out */
	assert_int_equal(state_flushed(s), 0);	/* the row is out: its mark joins the batch */
	assert_int_equal(state_written(s, "http://a.test/b"), 0);
	assert_int_equal(state_commit(s), 0);
	/* b's row never went out (no state_flushed), and d is not committed */
	assert_int_equal(state_add(s, "http://a.test/d", 2, 0, "http://a.test/b"), 0);
	state_close(s);

	s = open_ok(crawl_id, 2, false);
	assert_int_equal(state_load(s, collect, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.url[0], "http://a.test/");
	assert_false(l.has_referrer[0]);
	assert_true(l.done[0]);
	assert_string_equal(l.url[1], "http://a.test/b");
	assert_int_equal(l.depth[1], 1);
	assert_true(l.has_referrer[1]);
	assert_false(l.done[1]);
	assert_int_equal(l.redirects[1], 0);
	assert_string_equal(l.url[2], "http://a.test/c");
	assert_int_equal(l.redirects[2], 3);
	assert_false(l.done[2]);
	state_close(s);
}

/* Another crawl, another file, a newer version, a second opener: refused, the file unchanged. */
static void test_refusals(void **state)
{
	static const struct state_pair other[] = {
		{ "start", "http://b.test/" },
		{ "depth", "5" },
	};
	struct state *s;
	sqlite3 *db;
	FILE *f;

	(void)state;
	unlink(path);
	state_close(open_ok(crawl_id, 2, true));
	open_refused(other, 2, "is another crawl's: its start is 'http://a.test/', this crawl's "
		     "'http://b.test/'");
	/* one crawl at a time */
	s = open_ok(crawl_id, 2, false);
	open_refused(crawl_id, 2, "is in use by another crawl");
	state_close(s);
	/* from a newer crawlpool */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE crawl SET value = '99' WHERE key = 'version'",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	open_refused(crawl_id, 2, "is from a newer crawlpool (version 99");
	/* an SQLite file that is not ours */
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	open_refused(crawl_id, 2, "is not a crawlpool state file");
	/* left in its own journal mode */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0), "delete");
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	/* not a database at all, and kept as it was */
	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 100; i++)
		fputs("not a database at all\n", f);
	assert_int_equal(fclose(f), 0);
	open_refused(crawl_id, 2, "(not an SQLite database)");
	{
		FILE *g = fopen(path, "r");
		char line[64];
		int lines = 0;

		assert_non_null(g);
		while (fgets(line, sizeof(line), g)) {
			assert_string_equal(line, "not a database at all\n");
			lines++;
		}
		fclose(g);
		assert_int_equal(lines, 100);
	}
	unlink(path);
}

/* A version 1 file (no redirects column) gains it, its URLs counting none, and is version 2 after. */
static void test_upgrade_from_1(void **state)
{
	struct loaded l = { .n = 0 };
	struct state *s;
	sqlite3 *db;

	(void)state;
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE crawl(key TEXT PRIMARY KEY, value TEXT);"
		"CREATE TABLE url(url TEXT PRIMARY KEY, depth INTEGER, referrer TEXT, done INTEGER);"
		"INSERT INTO crawl VALUES ('version', '1'), ('start', 'http://a.test/'), "
		"('depth', '5');"
		"INSERT INTO url VALUES ('http://a.test/', 0, NULL, 1), "
		"('http://a.test/b', 1, 'http://a.test/', 0);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = open_ok(crawl_id, 2, false);
	assert_int_equal(state_add(s, "http://a.test/c", 1, 4, "http://a.test/b"), 0);
	assert_int_equal(state_commit(s), 0);
	assert_int_equal(state_load(s, collect, &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.redirects[1], 0);
	assert_int_equal(l.redirects[2], 4);
	state_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM crawl WHERE key = "
						    "'version'", -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0), "2");
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	unlink(path);
}

/* A file that cannot be made says why, as the system said it, not as SQLite words it. */
static void test_cannot_create(void **state)
{
	static const struct {
		const char *under, *why;
	} cases[] = {
		{ "missing", "No such file or directory" },	/* a directory that is not there */
		{ "plain", "Not a directory" },			/* a regular file for a directory */
	};
	char bad[192], want[320], err[512];
	bool created;
	FILE *f;

	(void)state;
	snprintf(bad, sizeof(bad), "%s/plain", dir);
	f = fopen(bad, "w");
	assert_non_null(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(bad, sizeof(bad), "%s/%s/crawl.state", dir, cases[i].under);
		snprintf(want, sizeof(want), "cannot create state file '%s': %s", bad, cases[i].why);
		err[0] = '\0';
		assert_null(state_open(bad, crawl_id, 2, &created, err, sizeof(err)));
		assert_string_equal(err, want);
	}
	snprintf(bad, sizeof(bad), "%s/plain", dir);
	unlink(bad);
}

/* A file whose making cannot be written (here: past a file size limit of one page) says why, and is not left. */
static void test_first_commit_fails(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	unlink(path);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit one = { .rlim_cur = 4096, .rlim_max = 4096 };
		char err[512] = "";
		bool created;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &one) < 0 ||
		    state_open(path, crawl_id, 2, &created, err, sizeof(err)))
			_exit(3);
		fprintf(stderr, "refused: %s\n", err);
		_exit(strstr(err, "cannot write state file") ? 0 : 4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(access(path, F_OK), -1);
}

/* One opener of a new file, forked: 0 when it held the file, 1 refused as in use, 2 anything else. */
static int open_racer(int go)
{
	char err[512] = "", c;
	bool created;
	struct state *s;

	if (read(go, &c, 1) < 0)
		return 2;
	s = state_open(path, crawl_id, 2, &created, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "racer: %s\n", err);
		return strstr(err, "is in use by another crawl") ? 1 : 2;
	}
	nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000 * 1000 }, NULL);
	state_close(s);
	return 0;
}

/*
 * Two crawls started at once on a file not there yet: one makes it and
 * crawls, the other is refused as in use, whichever of them made the file
 * (the maker refused used to unlink it under the other).
 */
static void test_two_openers_of_a_new_file(void **state)
{
	(void)state;
	for (int round = 0; round < 10; round++) {
		int go[2], status, held = 0;
		pid_t pid[2];

		unlink(path);
		assert_int_equal(pipe(go), 0);
		for (int i = 0; i < 2; i++) {
			pid[i] = fork();
			assert_true(pid[i] >= 0);
			if (pid[i] == 0) {
				close(go[1]);
				_exit(open_racer(go[0]));
			}
		}
		close(go[0]);
		close(go[1]);	/* both start at once */
		for (int i = 0; i < 2; i++) {
			assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
			assert_true(WIFEXITED(status));
			assert_int_not_equal(WEXITSTATUS(status), 2);
			held += WEXITSTATUS(status) == 0;
		}
		assert_true(held >= 1);
		state_close(open_ok(crawl_id, 2, false));
	}
	unlink(path);
}

/* A URL read back: seen again, queued only when it has no row yet. */
static void test_frontier_restore(void **state)
{
	struct frontier_options o = {
		.follow = true, .max_depth = 5, .scope = FRONTIER_SCOPE_HOST,
		.product_token = "crawlpool",
	};
	struct frontier *f = frontier_new(&o);
	const struct frontier_url *u;
	long long wait;

	(void)state;
	assert_non_null(f);
	assert_int_equal(frontier_restore(f, "http://a.test/", 0, 0, NULL, true), FRONTIER_ADDED);
	assert_int_equal(frontier_restore(f, "http://a.test/b", 1, 2, "http://a.test/", false),
			 FRONTIER_ADDED);
	assert_int_equal(frontier_restore(f, "http://a.test/b", 1, 0, "http://a.test/", false),
			 FRONTIER_SEEN);
	assert_int_equal(frontier_queued(f), 1);
	/* the start URL's scope holds, and what is seen is not taken again */
	assert_int_equal(frontier_add(f, "http://a.test/", 0, NULL), FRONTIER_SEEN);
	assert_int_equal(frontier_add(f, "http://a.test/b", 1, "http://a.test/"), FRONTIER_SEEN);
	assert_int_equal(frontier_add(f, "http://a.test/c", 2, "http://a.test/b"), FRONTIER_ADDED);
	assert_int_equal(frontier_add(f, "http://other.test/", 1, "http://a.test/b"), FRONTIER_OUT);
	assert_int_equal(frontier_next(f, 0, &u, &wait), FRONTIER_URL);
	assert_string_equal(u->url, "http://a.test/b");
	assert_int_equal(u->depth, 1);
	assert_int_equal(u->redirects, 2);
	assert_string_equal(u->referrer, "http://a.test/");
	frontier_done(f, u, 0);
	frontier_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_and_load),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_upgrade_from_1),
		cmocka_unit_test(test_cannot_create),
		cmocka_unit_test(test_two_openers_of_a_new_file),
		cmocka_unit_test(test_first_commit_fails),
		cmocka_unit_test(test_frontier_restore),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
