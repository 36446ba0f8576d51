/* ticket_store.h -- the ticket store: a JSON file {"count":K,"sold":S,"stock":N}, parsed strictly, replaced atomically */
#ifndef CRAWLPOOL_TICKET_STORE_H
#define CRAWLPOOL_TICKET_STORE_H

#include <stddef.h>

#define TICKET_MAX_STOCK 1000000000L
/* A store is one small object; anything larger is not ours. */
#define TICKET_STORE_MAX_BYTES 4096
/* Room for a store path and the suffixes added to it (".lock", ".tmp.XXXXXX"). */
#define TICKET_PATH_MAX 4096
#define TICKET_ERR_LEN 512

/*
 * What a store holds. Tickets left and tickets sold are written together in
 * one atomic replace, so whenever a process dies, count + sold == stock: no
 * ticket can leave the store without its sale being counted in the same write.
 */
struct ticket_state {
	long count;	/* tickets left */
	long sold;	/* tickets sold since init */
	long stock;	/* what init put in: count + sold */
};

/*
 * Functions that can fail fill err (TICKET_ERR_LEN bytes) with a lower-case
 * message naming the store, and return -1.
 */

/* Fills err (TICKET_ERR_LEN bytes, may be NULL) and returns -1; errno is kept. */
__attribute__((format(printf, 2, 3)))
int ticket_fail(char *err, const char *fmt, ...);

/*
 * Reads the store. Strict: the file must hold one JSON object, no key twice,
 * whose "count", "sold" and "stock" are integers in 0..TICKET_MAX_STOCK with
 * count + sold == stock. A store written before sales were kept, {"count":K},
 * reads as K left, none sold. A missing, mistyped or garbled field is an
 * error, never 0; *st is untouched then.
 */
int ticket_store_read(const char *path, struct ticket_state *st, char *err);

/*
 * Writes the state to a new temporary file beside path (mkstemp in the same
 * directory, so the rename stays within one file system) and fsyncs it.
 * tmp (TICKET_PATH_MAX bytes) gets its name, PATH.tmp.PID.XXXXXX. The store
 * itself is untouched.
 */
int ticket_store_prepare(const char *path, const struct ticket_state *st, char *tmp,
			 char *err);

/*
 * Renames tmp over path, then fsyncs the directory so the new name survives
 * a power cut. Readers see the old store or the new one, never a mix, and a
 * crash at any point leaves one of the two. Removes tmp on failure.
 */
int ticket_store_commit(const char *tmp, const char *path, char *err);

/* prepare + commit. */
int ticket_store_write(const char *path, const struct ticket_state *st, char *err);

/*
 * Removes the temporary files a dead process pid left beside path (it was
 * killed between prepare and commit). Call it before reaping pid, so the pid
 * cannot have been reused. Returns how many were removed.
 */
int ticket_store_remove_temps(const char *path, long pid);

/*
 * Removes the temporary files beside path of every writer that no longer
 * runs: those a killed rush left (its buyers died with it between prepare and
 * commit). Files of running processes are kept. Returns how many were removed.
 */
int ticket_store_remove_stale_temps(const char *path);

/*
 * Whether a store can be created at path: its directory exists and may be
 * written. The error names the store, as the user gave it, not the lock
 * file or temporary file that would have failed first.
 */
int ticket_store_check_dir(const char *path, char *err);
/* The same for a store that exists: whether its writes can replace it. */
int ticket_store_check_writable(const char *path, char *err);

/*
 * Whether init may replace what is at path: nothing, a regular file or a
 * symlink. A device, FIFO, socket or directory is refused: the rename would
 * put a store in place of /dev/null for root.
 */
int ticket_store_check_replace(const char *path, char *err);

/*
 * The lock file beside the store: path + ".lock" into out (TICKET_PATH_MAX
 * bytes). Locks go on this stable file because a rename replaces the store's
 * inode: a lock held on the store would exclude no one.
 */
int ticket_store_lock_path(const char *path, char *out, char *err);

#endif
