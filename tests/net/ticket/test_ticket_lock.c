/* test_ticket_lock.c -- the buyers' locks: flock excludes within one process, a dead mutex holder is survived */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ticket_lock.h"
#include "ticket_store.h"

static char lock_path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(lock_path, sizeof(lock_path), "/tmp/ticket-lock-XXXXXX");
	fd = mkstemp(lock_path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return unlink(lock_path);
}

/* Each hold opens its own description, so even one process (threads) is excluded. */
static void test_flock_excludes_other_descriptions(void **state)
{
	char err[TICKET_ERR_LEN];
	struct ticket_lock *l = ticket_lock_new(TICKET_LOCK_FLOCK, false, lock_path, err);
	struct ticket_hold h;
	int other;

	(void)state;
	assert_non_null(l);
	assert_int_equal(ticket_lock_acquire(l, &h, err), 0);
	other = open(lock_path, O_RDWR | O_CLOEXEC);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	ticket_lock_release(l, &h);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	ticket_lock_free(l);
}

/* The kernel drops a flock when its holder dies. */
static void test_flock_released_on_death(void **state)
{
	char err[TICKET_ERR_LEN];
	struct ticket_lock *l = ticket_lock_new(TICKET_LOCK_FLOCK, true, lock_path, err);
	struct ticket_hold h;
	int ready[2], status;
	pid_t pid;
	char c;

	(void)state;
	assert_non_null(l);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (ticket_lock_acquire(l, &h, err) < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		raise(SIGKILL);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(ticket_lock_acquire(l, &h, err), 0);
	ticket_lock_release(l, &h);
	ticket_lock_free(l);
}

/* A process-shared robust mutex hands EOWNERDEAD on, and the next holder goes on. */
static void test_mutex_survives_dead_holder(void **state)
{
	char err[TICKET_ERR_LEN];
	struct ticket_lock *l = ticket_lock_new(TICKET_LOCK_MUTEX, true, lock_path, err);
	struct ticket_hold h;
	int status;
	pid_t pid;

	(void)state;
	assert_non_null(l);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (ticket_lock_acquire(l, &h, err) < 0)
			_exit(1);
		raise(SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(ticket_lock_acquire(l, &h, err), 0);
	assert_true(h.recovered);
	ticket_lock_release(l, &h);
	/* Consistent again: the next holder finds nothing wrong. */
	assert_int_equal(ticket_lock_acquire(l, &h, err), 0);
	assert_false(h.recovered);
	ticket_lock_release(l, &h);
	ticket_lock_free(l);
}

static void test_names(void **state)
{
	enum ticket_lock_kind k;

	(void)state;
	assert_int_equal(ticket_lock_parse("flock", &k), 0);
	assert_int_equal(k, TICKET_LOCK_FLOCK);
	assert_string_equal(ticket_lock_name(TICKET_LOCK_MUTEX), "mutex");
	assert_int_equal(ticket_lock_parse("fcntl", &k), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flock_excludes_other_descriptions),
		cmocka_unit_test(test_flock_released_on_death),
		cmocka_unit_test(test_mutex_survives_dead_holder),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
