/* test_crawl_signals.c -- a killed worker loses nothing, Ctrl-C, SIGTERM and SIGHUP drain, cut retry waits or abandon, no zombies or orphans */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

enum { PAGES = 100, NSLOW = 4, NPAGES = 60, NURLS = NSLOW + NPAGES };

static struct itest_site site;
static char urls[NURLS][128];

static int setup(void **state)
{
	(void)state;
	/* orphaned workers would be re-parented to us: we can see any left behind */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return -1;
	return itest_site_start(&site, PAGES, 40);
}

static int teardown(void **state)
{
	(void)state;
	itest_site_stop(&site);
	itest_cleanup();
	return 0;
}

static void nap_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

/* A list of NSLOW slow pages (slow_ms each) first, then NPAGES generated pages. */
static const char *write_list(long slow_ms)
{
	char text[NURLS * 130];
	size_t n = 0;

	for (int i = 0; i < NURLS; i++) {
		if (i < NSLOW)
			snprintf(urls[i], sizeof(urls[i]), "%s/fault/slow?ms=%ld", site.base, slow_ms + i);
		else
			snprintf(urls[i], sizeof(urls[i]), "%s/page/%d.html", site.base, i);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", urls[i]);
	}
	itest_write_file(itest_path("list.txt"), text);
	return itest_path("list.txt");
}

static bool is_slow(const char *url)
{
	return strstr(url, "/fault/slow") != NULL;
}

static bool forked(const char *mode)
{
	return strcmp(mode, "process") == 0 || strcmp(mode, "hybrid") == 0;
}

/* The pool workers that carry `transfers`: event and hybrid modes run a loop per CPU at most. */
static unsigned workers_for(const char *mode, unsigned transfers)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	bool loops = strcmp(mode, "event") == 0 || strcmp(mode, "hybrid") == 0;

	return loops && cpus >= 1 && (unsigned long)cpus < transfers ? (unsigned)cpus : transfers;
}

/* Waits until the crawl runs the workers that carry `transfers` (processes, threads or loops). */
static void wait_for_workers(pid_t pid, const char *mode, unsigned transfers)
{
	double deadline = itest_now() + 30;
	unsigned workers = workers_for(mode, transfers);
	pid_t kids[64];

	for (;;) {
		bool ready = forked(mode) ? itest_children(pid, kids, 64) >= workers
					  : itest_threads(pid) >= (int)workers + 1;

		if (ready)
			break;
		if (itest_now() > deadline)
			fail_msg("%s mode: %u workers never showed up", mode, workers);
		nap_ms(10);
	}
	/* the pool hands each new worker its first job straight away */
	nap_ms(500);
}

static bool still_running(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

/* Nothing of the crawl may outlive it: no worker, no zombie. */
static void expect_no_leftovers(void)
{
	pid_t kids[64];
	double deadline = itest_now() + 10;
	size_t n;

	for (;;) {
		int status;

		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		n = itest_children(getpid(), kids, 64);
		if (n == 1 && kids[0] == site.pid)
			return;
		if (itest_now() > deadline)
			fail_msg("%zu processes left behind by the crawl", n - 1);
		nap_ms(20);
	}
}

/* The file is whole: header, complete rows, each url once and from the list. */
static void load_checked(const char *path, struct itest_table *t)
{
	assert_int_equal(itest_csv_load(path, t), 0);
	for (size_t i = 0; i < t->n; i++) {
		const char *url = t->rows[i].f[COL_URL];
		size_t k;

		for (k = 0; k < NURLS && strcmp(urls[k], url) != 0; k++)
			;
		if (k == NURLS)
			fail_msg("row for '%s', which is not in the list", url);
		itest_find(t, url);
	}
}

/*
 * One of two worker processes killed while it fetches slow pages: the pages
 * it held get an error row each (in hybrid mode a loop may hold two, when
 * the machine has one CPU), every other URL its page, nothing is lost.
 */
static void killed_worker(const char *mode)
{
	const char *out = itest_path("kill.csv");
	const char *args[] = { "crawl", "-m", mode, "-w", "2", "-t", "20", "-q", "-o", out,
			       write_list(4000), NULL };
	unsigned workers = workers_for(mode, 2), failed = 0;
	const char *list[NURLS];
	char want[64];
	pid_t pid = itest_spawn(args, NULL), kids[8], victim;
	struct itest_table t;
	double deadline;
	char proc[64];
	struct stat st;

	wait_for_workers(pid, mode, 2);
	assert_true(itest_children(pid, kids, 8) == workers);
	victim = kids[0];
	assert_int_equal(kill(victim, SIGKILL), 0);
	/* reaped by the crawl while it runs, and replaced */
	snprintf(proc, sizeof(proc), "/proc/%d", (int)victim);
	deadline = itest_now() + 10;
	while (stat(proc, &st) == 0 || itest_children(pid, kids, 8) < workers) {
		if (itest_now() > deadline)
			fail_msg("killed worker %d not reaped and replaced", (int)victim);
		nap_ms(10);
	}
	assert_true(still_running(pid));

	assert_int_equal(itest_wait(pid, 60), 0);
	load_checked(out, &t);
	for (int i = 0; i < NURLS; i++)
		list[i] = urls[i];
	itest_expect_urls(&t, list, NURLS);
	snprintf(want, sizeof(want), "%d", (int)victim);
	for (size_t i = 0; i < t.n; i++) {
		const struct itest_row *r = &t.rows[i];

		if (!*r->f[COL_ERROR])
			continue;
		assert_string_equal(r->f[COL_ERROR], "worker killed by signal 9 (Killed)");
		assert_string_equal(r->f[COL_WORKER], want);
		assert_true(is_slow(r->f[COL_URL]));
		failed++;
	}
	assert_true(failed >= 1 && failed <= 2 / workers);
	itest_table_free(&t);
	expect_no_leftovers();
}

static void test_killed_worker_loses_nothing(void **state)
{
	(void)state;
	killed_worker("process");
}

static void test_killed_loop_worker_loses_nothing(void **state)
{
	(void)state;
	killed_worker("hybrid");
}

/* A new directory for TMPDIR, where forked workers spool their cookies; one per mode and signal. */
static const char *empty_tmpdir(const char *mode, int sig)
{
	char name[64];
	const char *dir;

	snprintf(name, sizeof(name), "tmp-%s-%d", mode, sig);
	dir = itest_path(name);

	mkdir(dir, 0700);
	return dir;
}

/* Fails unless dir is empty: no spool of the workers' cookies was left behind. */
static void expect_empty_dir(const char *dir, const char *mode, int sig)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			fail_msg("%s mode, signal %d: '%s' left in TMPDIR", mode, sig, e->d_name);
	closedir(d);
}

/*
 * One signal: no new URLs, the slow ones in flight finish, exit 130, and -c
 * writes the cookie jar (with the cookie of -b) as at the end of any run.
 * whole_group sends the signal to the workers too, as a closed terminal
 * does to its foreground job and bash to its jobs: they must leave the
 * decision to the crawl.
 */
static void drain(const char *mode, int sig, bool whole_group)
{
	const char *out = itest_path("drain.csv"), *jar = itest_path("drain-jar.txt");
	const char *cookies = itest_path("drain-cookies.txt"), *tmp = empty_tmpdir(mode, sig);
	const char *args[] = { "crawl", "-m", mode, "-w", "4", "-t", "20", "-q", "-b", cookies,
			       "-c", jar, "-o", out, write_list(2000), NULL };
	struct itest_table t;
	unsigned slow_ok = 0;
	char *saved;
	pid_t pid, kids[64];
	size_t n_kids = 0;

	itest_write_file(cookies, "# Netscape HTTP Cookie File\n"
			 "127.0.0.1\tFALSE\t/\tFALSE\t0\tkept\tyes\n");
	unlink(jar);
	setenv("TMPDIR", tmp, 1);
	pid = itest_spawn(args, NULL);
	unsetenv("TMPDIR");
	wait_for_workers(pid, mode, 4);
	if (whole_group)
		n_kids = itest_children(pid, kids, 64);
	assert_int_equal(kill(pid, sig), 0);
	for (size_t i = 0; i < n_kids; i++)
		kill(kids[i], sig);
	assert_int_equal(itest_wait(pid, 30), 130);
	load_checked(out, &t);
	assert_true(t.n < NURLS);
	for (size_t i = 0; i < t.n; i++) {
		const struct itest_row *r = &t.rows[i];

		if (is_slow(r->f[COL_URL])) {
			if (strcmp(r->f[COL_ERROR], "") != 0)
				fail_msg("%s mode, signal %d: %s failed: '%s'", mode, sig,
					 r->f[COL_URL], r->f[COL_ERROR]);
			assert_string_equal(r->f[COL_TITLE], "Slow page");
			slow_ok++;
		} else if (strstr(r->f[COL_ERROR], "interrupted")) {
			/* queued but never started: no row, for --resume to fetch */
			fail_msg("%s mode: %s has a row '%s'", mode, r->f[COL_URL], r->f[COL_ERROR]);
		}
	}
	assert_int_equal(slow_ok, NSLOW);
	itest_table_free(&t);
	saved = itest_slurp(jar, NULL);
	if (!saved || !strstr(saved, "\tkept\tyes"))
		fail_msg("%s mode, signal %d: the cookie jar was not written: %s", mode, sig,
			 saved ? saved : "no file");
	free(saved);
	expect_empty_dir(tmp, mode, sig);
	expect_no_leftovers();
}

/* A second signal: the URLs in flight are abandoned at once, without rows. */
static void abandon(const char *mode)
{
	const char *out = itest_path("abandon.csv");
	const char *args[] = { "crawl", "-m", mode, "-w", "4", "-t", "30", "-q", "-o", out,
			       write_list(20000), NULL };
	pid_t pid = itest_spawn(args, NULL);
	struct itest_table t;
	unsigned slow = 0;
	double t0;

	wait_for_workers(pid, mode, 4);
	assert_int_equal(kill(pid, SIGINT), 0);
	nap_ms(300);
	assert_true(still_running(pid));
	t0 = itest_now();
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(itest_wait(pid, 30), 130);
	if (itest_now() - t0 > 10)
		fail_msg("%s mode took %.1f s to abandon", mode, itest_now() - t0);
	load_checked(out, &t);
	for (size_t i = 0; i < t.n; i++) {
		const struct itest_row *r = &t.rows[i];

		if (strstr(r->f[COL_ERROR], "interrupted"))
			fail_msg("%s: a row '%s'", r->f[COL_URL], r->f[COL_ERROR]);
		slow += is_slow(r->f[COL_URL]);
	}
	/* the slow pages were in flight: abandoned, they are --resume's to fetch */
	assert_int_equal(slow, 0);
	if (!strstr(itest_stderr(), "handed out and not finished: no row (--resume fetches"))
		fail_msg("%s mode: stderr '%s' does not count the abandoned URLs for --resume", mode,
			 itest_stderr());
	itest_table_free(&t);
	expect_no_leftovers();
}

/*
 * A list of NDOWN URLs that answer 503 every time, in urls[] (the rest of it
 * emptied, so no row can match there).
 */
enum { NDOWN = 8 };

static const char *write_down_list(void)
{
	char text[NDOWN * 130];
	size_t n = 0;

	for (int i = 0; i < NURLS; i++) {
		urls[i][0] = '\0';
		if (i >= NDOWN)
			continue;
		snprintf(urls[i], sizeof(urls[i]), "%s/fault/status/503?down=%d", site.base, i);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", urls[i]);
	}
	itest_write_file(itest_path("down.txt"), text);
	return itest_path("down.txt");
}

/* Requests the site has seen since the last call (each call resets its count). */
static unsigned long site_requests(void)
{
	struct itest_site_stats st;

	itest_site_stats(&site, &st);
	return st.requests;
}

/*
 * Waits (30 s at most) until the site has seen at least n requests since
 * site_requests() was last called, and fails if pid ends first. How many.
 */
static unsigned long wait_requests(pid_t pid, unsigned long n, const char *mode)
{
	double deadline = itest_now() + 30;
	unsigned long seen = 0;

	while ((seen += site_requests()) < n) {
		if (itest_now() > deadline || !still_running(pid))
			fail_msg("%s: %lu of %lu requests seen", mode, seen, n);
		nap_ms(20);
	}
	return seen;
}

/*
 * Two transfers, each on a URL that answered 503 and now waits 10 s or more
 * to try again (--retry-delay 10): the first Ctrl-C ends both waits at once,
 * in every mode, worker processes included. Each URL's row is its one
 * answer (no attempt follows), the URLs not started have none, and
 * --resume fetches those, so the file ends with every URL exactly once.
 */
static void retry_wait_cut(const char *mode)
{
	const char *out = itest_path("down.csv"), *list = write_down_list();
	const char *args[] = { "crawl", "-m", mode, "-w", "2", "-q", "--retry", "3",
			       "--retry-delay", "10", "-o", out, list, NULL };
	const char *again[] = { "crawl", "-m", mode, "-w", "2", "-q", "--resume", "-o", out,
				list, NULL };
	const char *all[NDOWN];
	unsigned long seen;
	struct itest_table t;
	double t0;
	pid_t pid;
	int rc;

	unlink(out);
	site_requests();	/* reset */
	pid = itest_spawn(args, NULL);
	/* both transfers have had their 503: each waits to retry, none can ask again within 10 s */
	seen = wait_requests(pid, 2, mode);
	nap_ms(300);
	assert_int_equal(kill(pid, SIGINT), 0);
	t0 = itest_now();
	rc = itest_wait(pid, 20);
	if (rc < 0) {
		itest_kill_all(pid);
		fail_msg("%s mode: still waiting to retry 20 s after the first Ctrl-C", mode);
	}
	assert_int_equal(rc, 130);
	if (itest_now() - t0 > 5)
		fail_msg("%s mode: ended %.1f s after the first Ctrl-C, within a retry wait of 10 s",
			 mode, itest_now() - t0);
	load_checked(out, &t);
	assert_int_equal(t.n, 2);
	for (size_t i = 0; i < t.n; i++) {
		assert_string_equal(t.rows[i].f[COL_STATUS], "503");
		assert_string_equal(t.rows[i].f[COL_ERROR], "");
	}
	itest_table_free(&t);
	/* the waits ended without another attempt */
	assert_int_equal(seen + site_requests(), 2);
	expect_no_leftovers();

	itest_expect_exit(itest_run(again, NULL, NULL), 0, NULL);
	assert_int_equal(site_requests(), NDOWN - 2);
	load_checked(out, &t);
	for (int i = 0; i < NDOWN; i++)
		all[i] = urls[i];
	itest_expect_urls(&t, all, NDOWN);
	for (size_t i = 0; i < t.n; i++)
		assert_string_equal(t.rows[i].f[COL_STATUS], "503");
	itest_table_free(&t);
	expect_no_leftovers();
}

/*
 * A followed crawl without --state abandoned with a page in flight: stderr
 * counts the page, and does not send the user to --resume, which refuses a
 * followed crawl without the state that kept its links.
 */
static void test_abandoned_follow_names_state(void **state)
{
	char start[160];
	const char *args[] = { "crawl", "-r", "-w", "2", "-t", "30", "-q", "-o",
			       itest_path("abandon-follow.csv"), start, NULL };
	pid_t pid;

	(void)state;
	snprintf(start, sizeof(start), "%s/fault/slow?ms=20000", site.base);
	site_requests();	/* reset */
	pid = itest_spawn(args, NULL);
	/* its robots.txt, then the slow page itself */
	wait_requests(pid, 2, "thread");
	assert_int_equal(kill(pid, SIGINT), 0);
	nap_ms(300);
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(itest_wait(pid, 30), 130);
	if (!strstr(itest_stderr(), "1 URL handed out and not finished: no row (a followed crawl "
				    "goes on only with --state)"))
		fail_msg("stderr '%s'", itest_stderr());
	expect_no_leftovers();
}

/*
 * A followed crawl without --state stopped by one Ctrl-C, its queue not
 * empty: stderr counts the found URLs it drops, not only those in flight.
 */
static void test_stopped_follow_counts_queue(void **state)
{
	char start[160];
	const char *args[] = { "crawl", "-r", "-d", "50", "-w", "1", "-q", "-o",
			       itest_path("stop-follow.csv"), start, NULL };
	pid_t pid;

	(void)state;
	snprintf(start, sizeof(start), "%s/slow-page/0.html?ms=200", site.base);
	site_requests();	/* reset */
	pid = itest_spawn(args, NULL);
	/* robots.txt and two pages: each page queues two more */
	wait_requests(pid, 3, "thread");
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(itest_wait(pid, 30), 130);
	if (!strstr(itest_stderr(), " found and never handed out: no row (a followed crawl goes "
				    "on only with --state)"))
		fail_msg("stderr '%s'", itest_stderr());
	expect_no_leftovers();
}

/*
 * Abandoned while its robots.txt is being fetched, a followed crawl has no
 * page in flight: a robots.txt never has a row, so none is counted missing.
 */
static void test_abandoned_robots_not_counted(void **state)
{
	const char *extra[] = { "--robots-delay-ms", "20000", "--robots-status", "200", NULL };
	const char *args[] = { "crawl", "-r", "-t", "30", "-q", "-o",
			       itest_path("abandon-robots.csv"), NULL, NULL };
	struct itest_site slow_robots;
	struct itest_site_stats st;
	unsigned long seen = 0;
	double deadline;
	pid_t pid;

	(void)state;
	assert_int_equal(itest_site_start_with(&slow_robots, 10, 40, extra), 0);
	args[7] = slow_robots.base;
	pid = itest_spawn(args, NULL);
	deadline = itest_now() + 30;
	while (seen < 1) {
		itest_site_stats(&slow_robots, &st);
		seen += st.requests;
		if (itest_now() > deadline || !still_running(pid))
			fail_msg("its robots.txt was never asked for");
		nap_ms(20);
	}
	assert_int_equal(kill(pid, SIGINT), 0);
	nap_ms(300);
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(itest_wait(pid, 30), 130);
	itest_site_stop(&slow_robots);
	if (strstr(itest_stderr(), "not finished"))
		fail_msg("stderr '%s'", itest_stderr());
	expect_no_leftovers();
}

static void test_sigint_cuts_retry_wait_thread_mode(void **state)
{
	(void)state;
	retry_wait_cut("thread");
}

static void test_sigint_cuts_retry_wait_process_mode(void **state)
{
	(void)state;
	retry_wait_cut("process");
}

static void test_sigint_cuts_retry_wait_event_mode(void **state)
{
	(void)state;
	retry_wait_cut("event");
}

static void test_sigint_cuts_retry_wait_hybrid_mode(void **state)
{
	(void)state;
	retry_wait_cut("hybrid");
}

/* Lines in a file so far (rows end in CRLF; titles hold no newline). */
static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/*
 * A list on a pipe that stays open: the rows of what was read reach the file
 * while the crawl waits for more, and Ctrl-C ends that wait.
 */
static void stdin_pipe(const char *mode)
{
	const char *out = itest_path("pipe.csv"), *fifo = itest_path("list.fifo");
	const char *args[] = { "crawl", "-m", mode, "-w", "2", "-q", "-o", out, "-", NULL };
	struct itest_table t;
	double deadline;
	pid_t pid;
	FILE *w;

	write_list(10);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = itest_spawn(args, fifo);
	w = fopen(fifo, "w");
	assert_non_null(w);
	for (int i = NSLOW; i < NSLOW + 5; i++)
		fprintf(w, "%s\n", urls[i]);
	fflush(w);
	deadline = itest_now() + 30;
	while (count_lines(out) < 6) {
		if (itest_now() > deadline)
			fail_msg("%s mode: the rows read so far never reached the file", mode);
		nap_ms(10);
	}
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(itest_wait(pid, 20), 130);
	fclose(w);
	load_checked(out, &t);
	assert_int_equal(t.n, 5);
	for (size_t i = 0; i < t.n; i++)
		if (*t.rows[i].f[COL_ERROR] && !strstr(t.rows[i].f[COL_ERROR], "interrupted"))
			fail_msg("%s: %s", t.rows[i].f[COL_URL], t.rows[i].f[COL_ERROR]);
	itest_table_free(&t);
	expect_no_leftovers();
}

/*
 * Rows to a pipe nobody reads (a reader stopped, a pager that waits): the
 * write blocks. The first Ctrl-C drains and waits on it; the second abandons
 * the crawl, and the blocked write with it: exit 130, saying why. (Both were
 * lost on a write that went on waiting.)
 */
static void unread_pipe(const char *mode)
{
	const char *list = write_list(10);
	const char *args[] = { "crawl", "-m", mode, "-w", "2", "-o", "-", list, NULL };
	double deadline = itest_now() + 30;
	char wchan[64] = "", path[64], fill[4096] = { 0 };
	int p[2];
	pid_t pid;

	/* a pipe already full: the crawl's first write blocks */
	assert_int_equal(pipe(p), 0);
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 4096) > 0);
	assert_int_equal(write(p[1], fill, sizeof(fill)), (ssize_t)sizeof(fill));
	pid = itest_spawn_fds(args, ITEST_FD_USUAL, p[1], ITEST_FD_USUAL);
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	while (!strstr(wchan, "pipe_write")) {
		FILE *f = fopen(path, "r");

		if (itest_now() > deadline)
			fail_msg("%s mode: the crawl never blocked writing (%s)", mode, wchan);
		if (f) {
			if (!fgets(wchan, sizeof(wchan), f))
				wchan[0] = '\0';
			fclose(f);
		}
		nap_ms(10);
	}
	nap_ms(300);
	assert_int_equal(kill(pid, SIGINT), 0);
	nap_ms(300);
	assert_true(still_running(pid));
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(itest_wait(pid, 20), 130);
	close(p[0]);
	if (!strstr(itest_stderr(), "cannot write to standard output: nothing read it"))
		fail_msg("%s mode: stderr '%s'", mode, itest_stderr());
	expect_no_leftovers();
}

static void test_unread_pipe_thread_mode(void **state)
{
	(void)state;
	unread_pipe("thread");
}

static void test_unread_pipe_process_mode(void **state)
{
	(void)state;
	unread_pipe("process");
}

static void test_unread_pipe_event_mode(void **state)
{
	(void)state;
	unread_pipe("event");
}

static void test_unread_pipe_hybrid_mode(void **state)
{
	(void)state;
	unread_pipe("hybrid");
}

static void test_stdin_pipe_thread_mode(void **state)
{
	(void)state;
	stdin_pipe("thread");
}

static void test_stdin_pipe_process_mode(void **state)
{
	(void)state;
	stdin_pipe("process");
}

static void test_stdin_pipe_event_mode(void **state)
{
	(void)state;
	stdin_pipe("event");
}

static void test_sigint_drains_event_mode(void **state)
{
	(void)state;
	drain("event", SIGINT, false);
}

static void test_second_sigint_abandons_event_mode(void **state)
{
	(void)state;
	abandon("event");
}

static void test_sigint_drains_thread_mode(void **state)
{
	(void)state;
	drain("thread", SIGINT, false);
}

static void test_sigterm_drains_process_mode(void **state)
{
	(void)state;
	drain("process", SIGTERM, false);
}

/* A closed terminal: SIGHUP to the crawl and its workers ends it as SIGTERM does. */
static void test_sighup_drains_process_mode(void **state)
{
	(void)state;
	drain("process", SIGHUP, true);
}

static void test_sighup_drains_hybrid_mode(void **state)
{
	(void)state;
	drain("hybrid", SIGHUP, true);
}

static void test_sighup_drains_thread_mode(void **state)
{
	(void)state;
	drain("thread", SIGHUP, true);
}

/* Under nohup (SIGHUP ignored) a hang-up changes nothing: the crawl runs to its end. */
static void test_sighup_ignored_under_nohup(void **state)
{
	const char *out = itest_path("nohup.csv");
	const char *args[] = { "crawl", "-m", "process", "-w", "4", "-t", "20", "-q", "-o", out,
			       write_list(1000), NULL };
	void (*was)(int) = signal(SIGHUP, SIG_IGN);
	const char *list[NURLS];
	struct itest_table t;
	pid_t pid, kids[64];
	size_t n_kids;

	(void)state;
	pid = itest_spawn(args, NULL);
	signal(SIGHUP, was);
	wait_for_workers(pid, "process", 4);
	n_kids = itest_children(pid, kids, 64);
	assert_int_equal(kill(pid, SIGHUP), 0);
	for (size_t i = 0; i < n_kids; i++)
		kill(kids[i], SIGHUP);
	assert_int_equal(itest_wait(pid, 60), 0);
	load_checked(out, &t);
	for (int i = 0; i < NURLS; i++)
		list[i] = urls[i];
	itest_expect_urls(&t, list, NURLS);
	itest_table_free(&t);
	expect_no_leftovers();
}

static void test_second_sigint_abandons_thread_mode(void **state)
{
	(void)state;
	abandon("thread");
}

static void test_second_sigint_abandons_process_mode(void **state)
{
	(void)state;
	abandon("process");
}

static void test_sigint_drains_hybrid_mode(void **state)
{
	(void)state;
	drain("hybrid", SIGINT, false);
}

static void test_second_sigint_abandons_hybrid_mode(void **state)
{
	(void)state;
	abandon("hybrid");
}

static void test_stdin_pipe_hybrid_mode(void **state)
{
	(void)state;
	stdin_pipe("hybrid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_killed_worker_loses_nothing),
		cmocka_unit_test(test_sigint_drains_thread_mode),
		cmocka_unit_test(test_sigterm_drains_process_mode),
		cmocka_unit_test(test_sighup_drains_process_mode),
		cmocka_unit_test(test_sighup_drains_thread_mode),
		cmocka_unit_test(test_sighup_drains_hybrid_mode),
		cmocka_unit_test(test_sighup_ignored_under_nohup),
		cmocka_unit_test(test_second_sigint_abandons_thread_mode),
		cmocka_unit_test(test_second_sigint_abandons_process_mode),
		cmocka_unit_test(test_stdin_pipe_thread_mode),
		cmocka_unit_test(test_stdin_pipe_process_mode),
		cmocka_unit_test(test_sigint_drains_event_mode),
		cmocka_unit_test(test_second_sigint_abandons_event_mode),
		cmocka_unit_test(test_stdin_pipe_event_mode),
		cmocka_unit_test(test_killed_loop_worker_loses_nothing),
		cmocka_unit_test(test_sigint_drains_hybrid_mode),
		cmocka_unit_test(test_second_sigint_abandons_hybrid_mode),
		cmocka_unit_test(test_stdin_pipe_hybrid_mode),
		cmocka_unit_test(test_unread_pipe_thread_mode),
		cmocka_unit_test(test_unread_pipe_process_mode),
		cmocka_unit_test(test_unread_pipe_event_mode),
		cmocka_unit_test(test_unread_pipe_hybrid_mode),
		cmocka_unit_test(test_sigint_cuts_retry_wait_thread_mode),
		cmocka_unit_test(test_sigint_cuts_retry_wait_process_mode),
		cmocka_unit_test(test_sigint_cuts_retry_wait_event_mode),
		cmocka_unit_test(test_sigint_cuts_retry_wait_hybrid_mode),
		cmocka_unit_test(test_abandoned_follow_names_state),
		cmocka_unit_test(test_stopped_follow_counts_queue),
		cmocka_unit_test(test_abandoned_robots_not_counted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
