/* ticket_store.h -- the ticket store: a JSON file {"count":K}, parsed strictly, replaced atomically */
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
 * Functions that can fail fill err (TICKET_ERR_LEN bytes) with a lower-case
 * message naming the store, and return -1.
 */

/* Fills err (TICKET_ERR_LEN bytes, may be NULL) and returns -1; errno is kept. */
__attribute__((format(printf, 2, 3)))
int ticket_fail(char *err, const char *fmt, ...);

/*
 * Reads the count. Strict: the file must hold one JSON object whose "count"
 * is an integer in 0..TICKET_MAX_STOCK. A missing, mistyped or garbled count
 * is an error, never 0.
 */
int ticket_store_read(const char *path, long *count, char *err);

/*
 * Writes {"count":count} to a new temporary file beside path (mkstemp in the
 * same directory, so the rename stays within one file system) and fsyncs it.
 * tmp (TICKET_PATH_MAX bytes) gets its name, PATH.tmp.PID.XXXXXX. The store
 * itself is untouched.
 */
int ticket_store_prepare(const char *path, long count, char *tmp, char *err);

/*
 * Renames tmp over path, then fsyncs the directory so the new name survives
 * a power cut. Readers see the old store or the new one, never a mix, and a
 * crash at any point leaves one of the two. Removes tmp on failure.
 */
int ticket_store_commit(const char *tmp, const char *path, char *err);

/* prepare + commit. */
int ticket_store_write(const char *path, long count, char *err);

/*
 * Removes the temporary files a dead process pid left beside path (it was
 * killed between prepare and commit). Call it before reaping pid, so the pid
 * cannot have been reused. Returns how many were removed.
 */
int ticket_store_remove_temps(const char *path, long pid);

/*
 * The lock file beside the store: path + ".lock" into out (TICKET_PATH_MAX
 * bytes). Locks go on this stable file because a rename replaces the store's
 * inode: a lock held on the store would exclude no one.
 */
int ticket_store_lock_path(const char *path, char *out, char *err);

#endif
