/* ticket_lock.c -- the buyers' critical section: no lock, flock on the lock file, or a (robust) mutex */
#include "ticket_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ticket_store.h"

struct ticket_lock {
	enum ticket_lock_kind kind;
	bool shared;
	pthread_mutex_t *mutex;	/* mmap'd: shared with forked buyers when shared */
	char path[TICKET_PATH_MAX];
};

static int init_mutex(struct ticket_lock *l, char *err)
{
	pthread_mutexattr_t attr;
	int rc;

	l->mutex = mmap(NULL, sizeof(*l->mutex), PROT_READ | PROT_WRITE,
			l->shared ? MAP_SHARED | MAP_ANONYMOUS : MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (l->mutex == MAP_FAILED) {
		l->mutex = NULL;
		ticket_fail(err, "cannot map memory for the mutex: %s",
			    strerror(errno));
		return -1;
	}
	rc = pthread_mutexattr_init(&attr);
	if (rc == 0 && l->shared) {
		rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
		if (rc == 0)
			rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	}
	if (rc == 0)
		rc = pthread_mutex_init(l->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0) {
		munmap(l->mutex, sizeof(*l->mutex));
		l->mutex = NULL;
		ticket_fail(err, "cannot set up the mutex: %s", strerror(rc));
		return -1;
	}
	return 0;
}

struct ticket_lock *ticket_lock_new(enum ticket_lock_kind kind, bool shared,
				    const char *lock_path, char *err)
{
	struct ticket_lock *l = calloc(1, sizeof(*l));

	if (!l) {
		ticket_fail(err, "out of memory");
		return NULL;
	}
	l->kind = kind;
	l->shared = shared;
	if (kind == TICKET_LOCK_FLOCK &&
	    (size_t)snprintf(l->path, sizeof(l->path), "%s", lock_path) >= sizeof(l->path)) {
		ticket_fail(err, "lock path is too long: '%s'", lock_path);
		free(l);
		return NULL;
	}
	if (kind == TICKET_LOCK_MUTEX && init_mutex(l, err) < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void ticket_lock_free(struct ticket_lock *l)
{
	if (!l)
		return;
	if (l->mutex) {
		pthread_mutex_destroy(l->mutex);
		munmap(l->mutex, sizeof(*l->mutex));
	}
	free(l);
}

static int acquire_flock(struct ticket_lock *l, struct ticket_hold *h, char *err)
{
	int rc;

	h->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (h->fd < 0) {
		ticket_fail(err, "cannot open lock file '%s': %s", l->path,
			    strerror(errno));
		return -1;
	}
	do
		rc = flock(h->fd, LOCK_EX);
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		ticket_fail(err, "cannot lock '%s': %s", l->path, strerror(errno));
		close(h->fd);
		h->fd = -1;
		return -1;
	}
	return 0;
}

static int acquire_mutex(struct ticket_lock *l, struct ticket_hold *h, char *err)
{
	int rc = pthread_mutex_lock(l->mutex);

	if (rc == EOWNERDEAD) {
		/*
		 * The holder died inside the critical section. What it guarded is
		 * the store, which an atomic rename keeps whole (old or new), so
		 * there is nothing to repair: mark the mutex usable again.
		 */
		h->recovered = true;
		rc = pthread_mutex_consistent(l->mutex);
	}
	if (rc != 0) {
		ticket_fail(err, "cannot lock the mutex: %s", strerror(rc));
		return -1;
	}
	return 0;
}

int ticket_lock_acquire(struct ticket_lock *l, struct ticket_hold *h, char *err)
{
	h->fd = -1;
	h->recovered = false;
	switch (l->kind) {
	case TICKET_LOCK_FLOCK:
		return acquire_flock(l, h, err);
	case TICKET_LOCK_MUTEX:
		return acquire_mutex(l, h, err);
	case TICKET_LOCK_NONE:
		break;
	}
	return 0;
}

void ticket_lock_release(struct ticket_lock *l, struct ticket_hold *h)
{
	if (l->kind == TICKET_LOCK_FLOCK && h->fd >= 0) {
		/* Closing the only descriptor of this open file drops the lock. */
		close(h->fd);
		h->fd = -1;
	} else if (l->kind == TICKET_LOCK_MUTEX) {
		pthread_mutex_unlock(l->mutex);
	}
}

static const char *const lock_names[] = { "none", "flock", "mutex" };

const char *ticket_lock_name(enum ticket_lock_kind kind)
{
	return lock_names[kind];
}

int ticket_lock_parse(const char *name, enum ticket_lock_kind *kind)
{
	size_t i;

	for (i = 0; i < sizeof(lock_names) / sizeof(lock_names[0]); i++) {
		if (strcmp(name, lock_names[i]) == 0) {
			*kind = (enum ticket_lock_kind)i;
			return 0;
		}
	}
	return -1;
}
