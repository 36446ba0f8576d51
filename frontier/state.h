/* state.h -- a followed crawl's frontier kept in an SQLite file (--state), so that the same command goes on after any stop */
#ifndef CRAWLPOOL_STATE_H
#define CRAWLPOOL_STATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The frontier in memory decides; the state file is its journal, written
 * behind it in batches and read back to rebuild it. Two tables:
 *
 *   crawl(key TEXT PRIMARY KEY, value TEXT)   what defines the crawl, and
 *                                              the file's version
 *   url(url TEXT PRIMARY KEY, depth INTEGER, referrer TEXT, done INTEGER,
 *       redirects INTEGER)                     every URL taken into the crawl,
 *                                              in the order taken; done = 1
 *                                              once its row is in the output;
 *                                              redirects since its link (a
 *                                              version 1 file gains the column)
 *
 * The caller keeps the order that loses nothing: a page's links are added
 * and committed (state_commit()) before its row reaches the output, and the
 * row's done mark (state_written()) joins a batch only after the output is
 * flushed (state_flushed()). A kill -9 may lose the last done marks, never
 * a URL, and never marks done a URL without a row.
 *
 * The file stays locked (SQLite's exclusive locking mode) while it is open:
 * a second crawl on it is refused.
 */
struct state;

/* One thing that defines a crawl: a state file from another crawl is refused. */
struct state_pair {
	const char *key;
	const char *value;
};

/* The version of the tables this crawlpool writes. */
enum { STATE_VERSION = 2 };

/*
 * Opens path, or makes it (*created true) with the crawl's n pairs. An
 * existing file must be a crawlpool state of this version whose pairs are
 * the same, and not in use by another crawl. NULL with err filled (a usage
 * error): the file is as it was.
 */
struct state *state_open(const char *path, const struct state_pair *id, size_t n, bool *created,
			 char *err, size_t errlen);
/* Closes; what is not committed is dropped. Accepts NULL. */
void state_close(struct state *s);

/* A URL taken into the crawl (referrer NULL for a start URL), in the batch. 0 or -1. */
int state_add(struct state *s, const char *url, unsigned depth, unsigned redirects,
	      const char *referrer);
/* The URL's row is written to the output's buffer: marked done once state_flushed() says it is out. 0 or -1. */
int state_written(struct state *s, const char *url);
/* The output is flushed: the rows written so far are in it, their done marks join the batch. 0 or -1. */
int state_flushed(struct state *s);
/* Commits the batch. 0, or -1 (also once any call before has failed: see state_error()). */
int state_commit(struct state *s);

/* One URL of the state, in the order taken: 0, or -1 to stop. */
typedef int (*state_url_cb)(void *ctx, const char *url, unsigned depth, unsigned redirects,
			    const char *referrer, bool done);
/* Calls cb for every URL of the state. 0, or -1 (cb stopped it, or the file could not be read). */
int state_load(struct state *s, state_url_cb cb, void *ctx);

/* Why the last call failed: "cannot write state file 'x': database or disk is full". */
const char *state_error(const struct state *s);

#endif
