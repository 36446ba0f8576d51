/* state.c -- the only SQLite user: a followed crawl's frontier journaled in a state file, read back on resume */
#include "state.h"
#include "strlist.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontier.h"

struct state {
	sqlite3 *db;
	sqlite3_stmt *add, *done;
	bool in_batch;			/* a transaction is open */
	bool failed;			/* a write failed: no later batch may commit */
	bool in_use;			/* another crawl holds the file */
	struct strlist written;		/* rows in the output's buffer: done once it is flushed */
	char name[256];			/* "'path'", for messages */
	char error[512];
};

static const char state_schema[] =
	"CREATE TABLE crawl(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE url(url TEXT PRIMARY KEY, depth INTEGER, referrer TEXT, done INTEGER, "
	"redirects INTEGER NOT NULL DEFAULT 0);";

/* Version 1 had no redirects column: its URLs were all links or start URLs, or counted none. */
static const char state_upgrade_1[] =
	"ALTER TABLE url ADD COLUMN redirects INTEGER NOT NULL DEFAULT 0;"
	"UPDATE crawl SET value = '2' WHERE key = 'version';";

static int state_fail(struct state *s, const char *what)
{
	s->failed = true;
	snprintf(s->error, sizeof(s->error), "cannot %s state file %s: %s", what, s->name,
		 sqlite3_errmsg(s->db));
	return -1;
}

/* The first statement on a file says what it is: not a database, or held by another crawl. */
static int state_exec_first(struct state *s, const char *sql, char *err, size_t errlen)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	if (rc == SQLITE_NOTADB)
		snprintf(err, errlen, "%s is not a crawlpool state file (not an SQLite database)",
			 s->name);
	else if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		s->in_use = true;
		snprintf(err, errlen, "state file %s is in use by another crawl", s->name);
	} else {
		snprintf(err, errlen, "cannot open state file %s: %s", s->name,
			 sqlite3_errmsg(s->db));
	}
	return -1;
}

/* The value of key in the crawl table, malloc'd; NULL with *missing when it has none. */
static char *state_get(struct state *s, const char *key, bool *missing)
{
	sqlite3_stmt *q;
	char *value = NULL;
	int rc;

	*missing = false;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM crawl WHERE key = ?", -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 0);

		value = strdup(v ? v : "");
	} else if (rc == SQLITE_DONE) {
		*missing = true;
	}
	sqlite3_finalize(q);
	return value;
}

static int state_put(struct state *s, const char *key, const char *value)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO crawl(key, value) VALUES (?, ?)", -1, &q, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int state_create(struct state *s, const struct state_pair *id, size_t n, char *err,
			size_t errlen)
{
	char version[16];

	snprintf(version, sizeof(version), "%d", STATE_VERSION);
	if (sqlite3_exec(s->db, state_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    state_put(s, "version", version) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (state_put(s, id[i].key, id[i].value) < 0)
			goto fail;
	return 0;

fail:
	snprintf(err, errlen, "cannot make state file %s: %s", s->name, sqlite3_errmsg(s->db));
	return -1;
}

/* An existing file: ours, of this version, and the same crawl. */
static int state_check(struct state *s, const struct state_pair *id, size_t n, char *err,
		       size_t errlen)
{
	bool missing;
	char *v = state_get(s, "version", &missing);
	int rc = -1;

	if (!v) {
		snprintf(err, errlen, "%s is not a crawlpool state file%s", s->name,
			 sqlite3_errcode(s->db) == SQLITE_NOTADB ? " (not an SQLite database)" : "");
		return -1;
	}
	if (atoi(v) > STATE_VERSION) {
		snprintf(err, errlen, "state file %s is from a newer crawlpool (version %s; this one "
			 "reads %d)", s->name, v, STATE_VERSION);
		goto out;
	}
	if (atoi(v) == 1 && sqlite3_exec(s->db, state_upgrade_1, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot upgrade state file %s: %s", s->name,
			 sqlite3_errmsg(s->db));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		free(v);
		v = state_get(s, id[i].key, &missing);
		if (!v && !missing) {
			snprintf(err, errlen, "cannot read state file %s: %s", s->name,
				 sqlite3_errmsg(s->db));
			goto out;
		}
		if (!v || strcmp(v, id[i].value) != 0) {
			snprintf(err, errlen, "state file %s is another crawl's: its %s is '%.100s', "
				 "this crawl's '%.100s'", s->name, id[i].key, v ? v : "(none)",
				 id[i].value);
			goto out;
		}
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/*
 * The file, made here when absent (*made), and the journal SQLite keeps
 * beside it, tried before SQLite is: it would say "unable to open database
 * file" or "disk I/O error" for what the system says plainly. An existing
 * file is only checked (access): closing a descriptor of it would drop the
 * process's locks on it. 0, or -1 with err filled.
 */
static int state_try_file(struct state *s, const char *path, bool absent, bool *made, char *err,
			  size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	if (absent) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		/* made a moment ago by a crawl started at the same time: opened as it is */
		if (fd < 0 && errno == EEXIST)
			return state_try_file(s, path, false, made, err, errlen);
		if (fd < 0) {
			snprintf(err, errlen, "cannot create state file %s: %s", s->name,
				 strerror(errno));
			return -1;
		}
		close(fd);
		*made = true;
		/* made there: its directory takes the journal too */
		return 0;
	}
	if (access(path, R_OK | W_OK) < 0) {
		snprintf(err, errlen, "cannot open state file %s: %s", s->name, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
		 slash ? path : ".");
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "cannot open state file %s: its journal cannot be made in '%s': "
			 "%s", s->name, dir, strerror(errno));
		return -1;
	}
	return 0;
}

struct state *state_open(const char *path, const struct state_pair *id, size_t n, bool *created,
			 char *err, size_t errlen)
{
	struct state *s = calloc(1, sizeof(*s));
	struct stat st;
	bool absent = false, made = false;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "'%s'", path);
	if (stat(path, &st) < 0) {
		/* ENOTDIR: a file stands where a directory of the path should; making it says so */
		if (errno != ENOENT && errno != ENOTDIR) {
			snprintf(err, errlen, "cannot open state file %s: %s", s->name, strerror(errno));
			goto fail;
		}
		absent = true;
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "state file %s is not a regular file", s->name);
		goto fail;
	}
	if (state_try_file(s, path, absent, &made, err, errlen) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open state file %s: %s", s->name,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	/*
	 * Exclusive: the lock is held until close, so one crawl a file. The
	 * file is checked before anything is changed (even its journal mode).
	 */
	if (state_exec_first(s, "PRAGMA locking_mode=EXCLUSIVE; BEGIN IMMEDIATE", err, errlen) < 0)
		goto fail;
	s->in_batch = true;
	/* empty once locked: made by this crawl or by one started with it, and refused */
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "cannot open state file %s: %s", s->name, strerror(errno));
		goto fail;
	}
	*created = st.st_size == 0;
	/* a crawl refused the file a moment ago may still hold a read lock until it closes */
	sqlite3_busy_timeout(s->db, 5000);
	if (*created ? state_create(s, id, n, err, errlen) < 0 : state_check(s, id, n, err, errlen) < 0)
		goto fail;
	if (state_commit(s) < 0) {
		snprintf(err, errlen, "%s", s->error);
		goto fail;
	}
	if (state_exec_first(s, "PRAGMA journal_mode=WAL; BEGIN IMMEDIATE; COMMIT", err, errlen) < 0)
		goto fail;
	if (sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO url(url, depth, referrer, done, "
			       "redirects) VALUES (?, ?, ?, 0, ?)", -1, &s->add, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE url SET done = 1 WHERE url = ?", -1, &s->done,
			       NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open state file %s: %s", s->name,
			 sqlite3_errmsg(s->db));
		goto fail;
	}
	return s;

fail:
	/* a file made here and refused is not left behind, unless another crawl holds it */
	made = made && !s->in_use;
	state_close(s);
	if (made)
		unlink(path);
	return NULL;
}

void state_close(struct state *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->add);
	sqlite3_finalize(s->done);
	/* an open batch is rolled back by the close */
	sqlite3_close(s->db);
	strlist_free(&s->written);
	free(s);
}

static int state_begin(struct state *s)
{
	if (s->in_batch)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return state_fail(s, "write");
	s->in_batch = true;
	return 0;
}

int state_add(struct state *s, const char *url, unsigned depth, unsigned redirects,
	      const char *referrer)
{
	int rc;

	if (state_begin(s) < 0)
		return -1;
	sqlite3_bind_text(s->add, 1, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->add, 2, depth);
	if (referrer)
		sqlite3_bind_text(s->add, 3, referrer, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s->add, 3);
	sqlite3_bind_int64(s->add, 4, redirects);
	rc = sqlite3_step(s->add);
	sqlite3_reset(s->add);
	sqlite3_clear_bindings(s->add);
	return rc == SQLITE_DONE ? 0 : state_fail(s, "write");
}

int state_written(struct state *s, const char *url)
{
	if (strlist_add(&s->written, url, strlen(url)) == 0)
		return 0;
	s->failed = true;
	snprintf(s->error, sizeof(s->error), "out of memory");
	return -1;
}

int state_flushed(struct state *s)
{
	int rc = 0;

	if (s->written.n == 0)
		return 0;
	if (state_begin(s) < 0)
		return -1;
	for (size_t i = 0; i < s->written.n; i++) {
		sqlite3_bind_text(s->done, 1, s->written.v[i], -1, SQLITE_STATIC);
		if (rc == 0 && sqlite3_step(s->done) != SQLITE_DONE)
			rc = state_fail(s, "write");
		sqlite3_reset(s->done);
	}
	sqlite3_clear_bindings(s->done);
	strlist_clear(&s->written);
	return rc;
}

int state_commit(struct state *s)
{
	/* a batch missing a URL would let its referrer's row out without it */
	if (s->failed)
		return -1;
	if (!s->in_batch)
		return 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return state_fail(s, "write");
	s->in_batch = false;
	return 0;
}

int state_load(struct state *s, state_url_cb cb, void *ctx)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT url, depth, referrer, done, redirects FROM url "
			       "ORDER BY rowid",
			       -1, &q, NULL) != SQLITE_OK)
		return state_fail(s, "read");
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *url = (const char *)sqlite3_column_text(q, 0);
		const char *referrer = (const char *)sqlite3_column_text(q, 2);
		sqlite3_int64 depth = sqlite3_column_int64(q, 1);
		sqlite3_int64 redirects = sqlite3_column_int64(q, 4);

		if (!url || depth < 0 || depth > 1000000 || redirects < 0 ||
		    redirects > FRONTIER_REDIRECTS_MAX)
			continue;	/* not a row this crawlpool wrote */
		if (cb(ctx, url, (unsigned)depth, (unsigned)redirects, referrer,
		       sqlite3_column_int(q, 3) != 0) < 0) {
			sqlite3_finalize(q);
			snprintf(s->error, sizeof(s->error), "out of memory reading state file %s",
				 s->name);
			return -1;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : state_fail(s, "read");
}

const char *state_error(const struct state *s)
{
	return s->error[0] ? s->error : NULL;
}
