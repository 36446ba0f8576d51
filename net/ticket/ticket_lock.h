/* ticket_lock.h -- the buyers' critical section: no lock, flock on the lock file, or a (robust) mutex */
#ifndef CRAWLPOOL_TICKET_LOCK_H
#define CRAWLPOOL_TICKET_LOCK_H

#include <stdbool.h>

enum ticket_lock_kind {
	TICKET_LOCK_NONE,
	TICKET_LOCK_FLOCK,
	TICKET_LOCK_MUTEX,
};

struct ticket_lock;

/* What one buyer holds between acquire and release. */
struct ticket_hold {
	int fd;			/* flock: this buyer's own open of the lock file */
	bool recovered;		/* mutex: the previous holder died holding it */
};

/*
 * A lock for one rush. shared: the buyers are forked processes, so a mutex
 * lives in MAP_SHARED memory, process-shared and robust (a holder that dies
 * hands EOWNERDEAD to the next). Create it before forking. lock_path is the
 * file flock() uses. NULL on failure, with err (TICKET_ERR_LEN bytes) filled.
 */
struct ticket_lock *ticket_lock_new(enum ticket_lock_kind kind, bool shared,
				    const char *lock_path, char *err);
void ticket_lock_free(struct ticket_lock *l);

/*
 * Waits for the lock. flock opens the lock file anew for each hold: flock
 * excludes open file descriptions, so threads sharing one descriptor, or
 * processes sharing one inherited across fork, would not exclude each other.
 * The kernel drops the lock when the holder dies. 0 or -1 (err filled).
 */
int ticket_lock_acquire(struct ticket_lock *l, struct ticket_hold *h, char *err);
void ticket_lock_release(struct ticket_lock *l, struct ticket_hold *h);

const char *ticket_lock_name(enum ticket_lock_kind kind);
/* "none", "flock" or "mutex" into *kind. 0 or -1. */
int ticket_lock_parse(const char *name, enum ticket_lock_kind *kind);

#endif
