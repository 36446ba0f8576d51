/* itest.h -- integration test helpers: a demo-site on loopback, crawlpool runs, a strict CSV reader */
#ifndef CRAWLPOOL_ITEST_H
#define CRAWLPOOL_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum { ITEST_COLUMNS = 12 };
/* Column indexes, in the order of the header. */
enum itest_col {
	COL_URL, COL_FINAL_URL, COL_STATUS, COL_BYTES, COL_CONTENT_TYPE, COL_TTFB,
	COL_TIME, COL_REDIRECTS, COL_TITLE, COL_LINKS, COL_WORKER, COL_ERROR,
};

struct itest_site {
	pid_t pid;
	char base[64];		/* "http://127.0.0.1:PORT" */
	unsigned port;
};

/*
 * Starts demo-site on 127.0.0.1 port 0 with `pages` pages and fault routes
 * that give up after fault_seconds; waits for its port file. 0 or -1.
 */
int itest_site_start(struct itest_site *site, unsigned pages, unsigned fault_seconds);
/* The same with more demo-site arguments (NULL-terminated; --host adds an address). */
int itest_site_start_with(struct itest_site *site, unsigned pages, unsigned fault_seconds,
			  const char *const *extra);
void itest_site_stop(struct itest_site *site);

/* What demo-site measured for its own host (127.0.0.1:PORT), from its first request or its last reset. */
struct itest_site_stats {
	unsigned long requests;		/* started */
	unsigned max_concurrent;	/* the most in progress at once */
	long min_gap_ms;		/* the least time between two starts; -1 before a second */
};
/* Reads the stats (demo-site's /_stats) and resets them; zeros when no request came. */
void itest_site_stats(const struct itest_site *site, struct itest_site_stats *st);

/* A scratch directory for one test binary, removed by itest_cleanup(). */
const char *itest_dir(void);
void itest_cleanup(void);
/* itest_dir()/name; the same pointer for the same name until itest_cleanup(). */
const char *itest_path(const char *name);
/* Writes text to a file. */
void itest_write_file(const char *path, const char *text);

/*
 * Starts crawlpool with the NULL-terminated args (after the program name),
 * stdin from in_path (NULL: /dev/null), stdout and stderr to files in the
 * scratch dir. Returns the pid.
 */
pid_t itest_spawn(const char *const *args, const char *in_path);
/* The next itest_spawn() runs crawlpool with at most n open files (soft and hard). */
void itest_limit_files(unsigned long n);
/* The next itest_spawn_fds() runs crawlpool with files limited to bytes (ulimit -f). */
void itest_limit_fsize(unsigned long bytes);
/*
 * The next itest_spawn() runs crawlpool with tests/crawler/tear_write.c
 * preloaded: the write that would take path past byte `at` stops half way
 * through the row holding that byte, and crawlpool is killed (SIGKILL).
 */
void itest_tear_at(const char *path, unsigned long long at);
/* Fails unless path ends inside a row (no newline last), as itest_tear_at() leaves it; its size. */
size_t itest_expect_torn(const char *path);
/*
 * Runs first, killed half way through a row of out past byte `at`, then
 * again (a resume), killed `step` bytes past that tear: out is left torn, and
 * again has said that it cut a torn row. The caller runs again to the end.
 */
void itest_tear_twice(const char *out, const char *const *first, const char *const *again,
		      unsigned long long at, unsigned long long step);

/* For itest_spawn_fds(): the stream is closed, or what itest_spawn() gives it. */
enum { ITEST_FD_CLOSED = -1, ITEST_FD_USUAL = -2 };
/*
 * itest_spawn() with stdin, stdout and stderr of the caller's choosing: a
 * descriptor of the caller (dup'ed; pass it close-on-exec), ITEST_FD_CLOSED
 * or ITEST_FD_USUAL. Returns the pid.
 */
pid_t itest_spawn_fds(const char *const *args, int in_fd, int out_fd, int err_fd);
/* The whole file, NUL-terminated, in a malloc'd buffer (NULL if unreadable); *len its size. */
char *itest_slurp(const char *path, size_t *len);

/* Waits for pid up to timeout_s; returns its exit code, 128+signal, or -1 on timeout. */
int itest_wait(pid_t pid, double timeout_s);
/* itest_spawn + itest_wait with a generous bound; *secs gets the wall time. */
int itest_run(const char *const *args, const char *in_path, double *secs);
/* What the last spawned crawlpool wrote to stderr / stdout (static buffers). */
const char *itest_stderr(void);
/* Fails unless rc (an exit status) is want and, with needle, the last stderr holds needle. */
void itest_expect_exit(int rc, int want, const char *needle);
const char *itest_stdout_path(void);

double itest_now(void);

/* The pids whose parent is ppid. Returns how many were stored. */
size_t itest_children(pid_t ppid, pid_t *out, size_t max);
/* Number of threads of pid, or -1. */
int itest_threads(pid_t pid);

/* Lines (LF bytes) in the file at path now; 0 when it is missing. */
size_t itest_file_lines(const char *path);
/*
 * Waits up to timeout_s until the file at path has at least n lines while
 * pid still runs. 0 when it has, -1 when pid ended first or time ran out.
 */
int itest_wait_lines(const char *path, size_t n, pid_t pid, double timeout_s);
/* kill -9 of pid and then of every child it had (its workers), pid reaped: a crash of the whole crawl. */
void itest_kill_all(pid_t pid);

struct itest_row {
	char *f[ITEST_COLUMNS];
};

struct itest_table {
	struct itest_row *rows;
	size_t n;
	bool bom;
	char *data;	/* the file, unescaped in place */
};

/*
 * Reads an RFC 4180 CSV results file strictly: the exact header, CRLF line
 * ends, 12 fields per row, quotes only around whole fields. 0 or -1 with a
 * message on stderr.
 */
int itest_csv_load(const char *path, struct itest_table *t);
void itest_table_free(struct itest_table *t);
/* The row whose url is url, or NULL; fails the test if it appears twice. */
const struct itest_row *itest_find(const struct itest_table *t, const char *url);
/* Fails the test unless every url is in the table exactly once and nothing else is. */
void itest_expect_urls(const struct itest_table *t, const char *const *urls, size_t n);

#endif
