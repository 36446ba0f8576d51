/* crawl.c -- wires the URL list, the pool, the workers and the output together for one crawl */
#include "crawl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawl_mode.h"
#include "crawl_state.h"
#include "feed.h"
#include "fetch.h"
#include "job.h"
#include "options.h"
#include "output.h"
#include "parse.h"
#include "pool.h"
#include "progress.h"
#include "record.h"
#include "resume.h"
#include "same_file.h"
#include "sources.h"
#include "state.h"

/* heap freed at the top that glibc keeps rather than give back (M_TRIM_THRESHOLD) */
enum { CRAWL_HEAP_KEPT = 4 * 1024 * 1024 };

struct crawl {
	const struct crawl_options *opts;
	const struct crawl_mode *mode;
	struct crawl_plan plan;
	struct feed *feed;
	struct resume *resume;		/* --resume: the rows the output already has */
	struct state *state;		/* --state: the frontier's journal, or NULL */
	bool state_created;		/* made by this run: removed if the run is refused */
	size_t state_queued;		/* URLs the state queued again */
	struct output *out;
	struct fetch_jar *jar;		/* -b, -c: the cookies pages set, or NULL */
	struct pool *pool;
	struct progress progress;
	int list_errno;		/* why the feed failed when it has no message (out of memory) */
	bool write_failed;
	bool state_failed;	/* the state could not be written: the buffered rows stay out */
	unsigned long long round_trips;	/* --frontier: to Redis, for the summary */
	unsigned long unfinished;	/* handed out, interrupted by a stop: no row */
	size_t left_queued;	/* found links a stopped followed crawl never handed out */
	bool stopped;		/* failed before its end (Redis gone for good, a list unread, a cookie file) */
};

/*
 * Ctrl-C, SIGTERM and SIGHUP so far: the first drains the run, the second
 * abandons it. The parent's own count; a worker learns of a stop from the pool.
 */
static volatile sig_atomic_t crawl_interrupted;
/* The handler's way to the running pool; pool_stop() and pool_abandon() are async-signal-safe. */
static struct pool *volatile crawl_signal_pool;

static void crawl_on_signal(int sig)
{
	int saved = errno;
	struct pool *pool = crawl_signal_pool;

	(void)sig;
	/* atomic: the handler may run on a thread other than the one that reads it */
	if (crawl_interrupted < 2)
		__atomic_store_n(&crawl_interrupted, crawl_interrupted + 1, __ATOMIC_RELAXED);
	if (pool && crawl_interrupted == 1)
		pool_stop(pool);
	else if (pool)
		pool_abandon(pool);
	errno = saved;
}

/*
 * A write to an output nobody reads (a pipe to a stopped reader) blocks;
 * the second signal, which abandons the crawl, ends it too.
 */
static bool crawl_output_abandoned(void *ctx)
{
	(void)ctx;
	return __atomic_load_n(&crawl_interrupted, __ATOMIC_RELAXED) >= 2;
}

/*
 * The handler stops the pool; its poll() wakes on the self-pipe. A closed
 * terminal (SIGHUP) is a stop like any other: the rows so far, the cookie
 * jar and the summary are as after Ctrl-C, not lost to the default action.
 * Under nohup, which ignores SIGHUP, a hang-up stays ignored.
 */
static void crawl_signals(void (*handler)(int))
{
	struct sigaction sa, hup;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (sigaction(SIGHUP, NULL, &hup) == 0 && hup.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
}

/* The results cannot be written: fetching more is pointless, so the URLs in flight are abandoned. */
static void crawl_give_up(struct crawl *c)
{
	c->write_failed = true;
	if (c->pool)
		pool_abandon(c->pool);
}

/*
 * Rows reach the output only after the URLs their pages gave are committed
 * to the state, and are marked done there only after they reach it: a stop
 * at any moment loses no URL and marks none done without its row.
 */
static int crawl_sync(struct crawl *c)
{
	if (c->write_failed)
		return -1;
	if (c->state && state_commit(c->state) < 0) {
		fprintf(stderr, "crawlpool: %s\n", state_error(c->state));
		c->state_failed = true;
		crawl_give_up(c);
		return -1;
	}
	if (output_flush(c->out) < 0) {
		crawl_give_up(c);
		return -1;
	}
	if (c->state && state_flushed(c->state) < 0) {
		fprintf(stderr, "crawlpool: %s\n", state_error(c->state));
		c->state_failed = true;
		crawl_give_up(c);
		return -1;
	}
	return 0;
}

/* A held output (--state) goes out here, when it is due, once the row's links are taken. */
static void crawl_maybe_sync(struct crawl *c)
{
	if (c->state && output_due(c->out))
		crawl_sync(c);
}

static void crawl_row(struct crawl *c, const char *url, const struct crawl_record *rec, long worker)
{
	if (c->opts->follow)
		progress_queued(&c->progress, feed_queued(c->feed));
	progress_row(&c->progress, rec->error != NULL);
	if (!c->write_failed && output_row(c->out, url, rec, worker) < 0)
		crawl_give_up(c);
}

static int crawl_next(void *ctx, void **job, size_t *job_len)
{
	struct crawl *c = ctx;
	struct feed_item item;

	while (!crawl_interrupted && !c->write_failed) {
		switch (feed_next(c->feed, &item)) {
		case FEED_JOB:
			*job = item.job;
			*job_len = item.job_len;
			return 1;
		case FEED_ROW:
			/* not worth a worker: the row is written here, in the order it came */
			crawl_row(c, item.url, &item.rec, -1);
			feed_row_written(c->feed, item.token, item.url, &item.rec);
			crawl_maybe_sync(c);
			continue;
		case FEED_WAIT:
			/* idle until more input or a host comes due: the rows so far belong in the file now */
			if (crawl_sync(c) < 0)
				return 0;
			return POOL_NEXT_WAIT;
		case FEED_END:
			return 0;
		default:
			c->list_errno = errno;
			return -1;
		}
	}
	return 0;
}

/*
 * The parent's clock, which runs while every worker is busy: rows already
 * fetched go to the file once due even when no other row comes to push them
 * out (a kill -9 would lose them), and the feed keeps up a shared crawl's
 * leases. As often as the output's own flush interval.
 */
enum { CRAWL_TICK_MS = 250 };

static void crawl_tick(void *ctx)
{
	struct crawl *c = ctx;

	feed_tick(c->feed);
	if (!c->write_failed && output_due(c->out))
		crawl_sync(c);
}

static bool crawl_abandoned(void *ctx)
{
	const struct crawl *c = ctx;

	return pool_abandoned(c->pool);
}

/*
 * Once the run stops (the first Ctrl-C, or a failed write that abandons
 * it), a URL waiting to be retried takes its last attempt's row at once, in
 * every mode. Asked of the pool, whose stop a worker process sees too: its
 * copy of crawl_interrupted stays as it was at the fork.
 */
static bool crawl_stopping(void *ctx)
{
	const struct crawl *c = ctx;

	return pool_stopping(c->pool);
}

static int crawl_worker_init(void *ctx, unsigned index, void **state)
{
	const struct crawl *c = ctx;

	*state = c->mode->worker_new(&c->plan, index);
	return *state ? 0 : -1;
}

static void crawl_worker_fini(void *ctx, void *state)
{
	const struct crawl *c = ctx;

	c->mode->worker_free(state);
}

static void crawl_done(void *ctx, const struct pool_result *res)
{
	struct crawl *c = ctx;
	struct crawl_record rec;
	enum job_kind kind;
	uint64_t token;
	const char *url;

	/* the parent made every job itself */
	if (job_decode(res->job, res->job_len, &kind, &token, &url) < 0)
		return;
	switch (res->status) {
	case POOL_JOB_DONE:
		if (record_decode(res->data, res->len, &rec) != RECORD_OK)
			record_init_error(&rec, "bad record from worker");
		break;
	case POOL_JOB_INTERRUPTED:
		/*
		 * Never fetched, or abandoned half way: no row, as for the URLs
		 * not handed out yet, so that --resume and --state fetch it again
		 * and the file ends with one row for it, not an "interrupted" one.
		 * A robots.txt never has a row: it is not counted.
		 */
		if (kind == JOB_PAGE)
			c->unfinished++;
		feed_job_dropped(c->feed, token);
		return;
	default:
		record_init_error(&rec, res->error ? res->error : "worker failed");
		break;
	}
	if (!feed_job_result(c->feed, token, url, &rec)) {
		feed_job_done(c->feed, token, url, NULL, res->worker_id);
		return;
	}
	crawl_row(c, url, &rec, res->worker_id);
	feed_job_done(c->feed, token, url, &rec, res->worker_id);
	crawl_maybe_sync(c);
}

/* "8 workers", or in event mode "32 transfers on 2 loops". */
static void crawl_describe_workers(const struct crawl *c, char *buf, size_t size)
{
	const struct crawl_plan *p = &c->plan;

	if (p->worker_jobs == 1 && p->workers == p->transfers)
		snprintf(buf, size, "%u %s%s", p->workers, c->mode->unit, p->workers == 1 ? "" : "s");
	else
		snprintf(buf, size, "%u transfer%s on %u %s%s", p->transfers,
			 p->transfers == 1 ? "" : "s", p->workers, c->mode->unit,
			 p->workers == 1 ? "" : "s");
}

/* How the run ended, as the summary's first words: only a run that reached its end "crawled". */
static const char *crawl_ending(const struct crawl *c)
{
	if (c->stopped)
		return "stopped after";
	return crawl_interrupted ? "interrupted after" : "crawled";
}

static void crawl_summary(struct crawl *c)
{
	double secs = progress_elapsed(&c->progress);
	double rate = secs > 0 ? (double)c->progress.done / secs : 0.0;
	char workers[64];

	crawl_describe_workers(c, workers, sizeof(workers));
	/* a rate under 10 keeps a decimal: a slow crawl's is neither 0 nor "1 URLs/s" */
	fprintf(stderr, "crawlpool: %s %lu URL%s in %.2f s (%.*f URLs/s), %lu error%s, %s mode, %s -> %s\n",
		crawl_ending(c), c->progress.done,
		c->progress.done == 1 ? "" : "s", secs, rate < 9.95 ? 1 : 0, rate,
		c->progress.errors, c->progress.errors == 1 ? "" : "s",
		pool_mode_name(c->opts->mode), workers,
		strcmp(c->opts->output, "-") == 0 ? "stdout" : c->opts->output);
	/* what a shared crawl cost in round trips: the figure its batching is judged by */
	if (c->opts->frontier)
		fprintf(stderr, "crawlpool: %llu round trip%s to redis (%.2f a URL)\n", c->round_trips,
			c->round_trips == 1 ? "" : "s",
			c->progress.done ? (double)c->round_trips / (double)c->progress.done : 0.0);
}

/*
 * What fetches the URLs a stop left without a row: --resume for a list; a
 * followed crawl's links are lost with it unless --state or Redis kept them.
 */
static const char *crawl_refetch_hint(const struct crawl_options *o, bool one)
{
	if (o->frontier)
		return one ? "the shared crawl hands it out again" :
			   "the shared crawl hands them out again";
	if (o->state)
		return one ? "the same command again fetches it" :
			   "the same command again fetches them";
	if (o->follow)
		return "a followed crawl goes on only with --state";
	return one ? "--resume fetches it" : "--resume fetches them";
}

/* Runs the pool over the list; returns an exit status. */
static int crawl_run(struct crawl *c)
{
	const struct pool_callbacks cb = {
		.next_job = crawl_next,
		.done = crawl_done,
		.work = c->mode->work,
		.serve = c->mode->serve,
		.worker_init = crawl_worker_init,
		.worker_fini = crawl_worker_fini,
	};
	char failure[160];
	int err = 0, rc;

	c->pool = pool_new(c->mode->pool_mode, c->plan.workers, &cb, c, &err);
	if (c->pool && c->mode->set_up)
		err = c->mode->set_up(c->pool, &c->plan);
	if (c->pool && !err) {
		unsigned feed_ms = feed_tick_ms(c->feed);

		err = pool_set_tick(c->pool, feed_ms && feed_ms < CRAWL_TICK_MS ? feed_ms :
				    CRAWL_TICK_MS, crawl_tick);
	}
	if (!c->pool || err) {
		fprintf(stderr, "crawlpool: cannot make the worker pool: %s\n", pool_strerror(err));
		pool_free(c->pool);
		c->pool = NULL;
		return CRAWL_EXIT_FAILED;
	}
	crawl_signal_pool = c->pool;
	/* A slow list on a pipe, or a host that must wait, must not hold back the rows already fetched. */
	pool_watch_fd(c->pool, feed_fd(c->feed));
	/* process mode forks: nothing buffered may be copied into the workers */
	fflush(NULL);
	if (crawl_sync(c) < 0) {
		rc = POOL_OK;
		c->write_failed = true;
	} else {
		rc = pool_run(c->pool);
	}
	crawl_signal_pool = NULL;
	snprintf(failure, sizeof(failure), "%s", pool_failure(c->pool) ? pool_failure(c->pool) : "");
	pool_free(c->pool);
	c->pool = NULL;
	progress_clear(&c->progress);

	if (rc == POOL_ENEXT) {
		/* a list that cannot be read, the shared frontier: the feed's message says all */
		if (feed_failure(c->feed))
			fprintf(stderr, "crawlpool: %s\n", feed_failure(c->feed));
		else
			fprintf(stderr, "crawlpool: cannot go on: %s\n", strerror(c->list_errno));
		return CRAWL_EXIT_FAILED;
	}
	if (rc != POOL_OK && rc != POOL_ESTOPPED) {
		fprintf(stderr, "crawlpool: crawl failed: %s\n",
			rc == POOL_ESYS && failure[0] ? failure : pool_strerror(rc));
		return CRAWL_EXIT_FAILED;
	}
	return crawl_interrupted ? CRAWL_EXIT_INTERRUPTED : CRAWL_EXIT_OK;
}

/* What every mode is given: the limits of each URL and the way to learn of an abandon. */
static void crawl_plan(struct crawl *c)
{
	const struct crawl_options *o = c->opts;

	c->plan = (struct crawl_plan){
		.visit = {
			.fetch = {
				.timeout_ms = o->timeout_ms,
				.connect_timeout_ms = o->connect_timeout_ms,
				.max_size = o->max_size,
				.max_redirects = o->max_redirects,
				.user_agent = o->user_agent,
				.resolve = o->resolve,
				.n_resolve = o->n_resolve,
				.retries = o->retries,
				.retry_delay_ms = o->retry_delay_ms,
				.retry_max_ms = o->retry_max_ms,
				.stopping = crawl_stopping,
				.stopping_ctx = c,
				.headers = o->headers,
				.n_headers = o->n_headers,
				.cookies = o->cookies,
				.n_cookies = o->n_cookies,
				.insecure = o->insecure,
				.cacert = o->cacert,
				.proxy = o->proxy,
				.http = o->http,
			},
			.parse = o->parse,
			.follow = o->follow,
			.ignore_nofollow = o->ignore_nofollow,
		},
		.transfers = o->workers,
		.take_ahead = o->delay_ms == 0 && !o->robots && !o->frontier,
		.abandoned = crawl_abandoned,
		.abandoned_ctx = c,
	};
}

/*
 * Each URL in flight holds a few descriptors (the mode says how many); the
 * rest of the program needs a few dozen. The soft limit is raised toward the
 * hard one; when that is not enough, fewer URLs go at once, so every row is a
 * fetch rather than a "could not connect" for want of a descriptor.
 */
enum { FDS_RESERVED = 64 };

static void crawl_fit_fd_limit(struct crawl *c)
{
	unsigned per_transfer = c->mode->fds_per_transfer;
	rlim_t want = (rlim_t)c->plan.transfers * per_transfer + FDS_RESERVED;
	struct rlimit lim;
	unsigned fit;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= want)
		return;
	lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > want ? want : lim.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur >= want)
		return;
	if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
		return;
	fit = lim.rlim_cur > FDS_RESERVED + per_transfer ?
	      (unsigned)((lim.rlim_cur - FDS_RESERVED) / per_transfer) : 1;
	fprintf(stderr, "crawlpool: the open-file limit (ulimit -n) is %llu: fetching %u URL%s at once "
		"instead of %u\n", (unsigned long long)lim.rlim_cur, fit, fit == 1 ? "" : "s",
		c->plan.transfers);
	c->plan.transfers = fit;
}

/*
 * A closed stdin, stdout or stderr would be handed out by the next open():
 * the output could become descriptor 2 and receive the summary, or the list
 * descriptor 0. Puts /dev/null in the place of each closed one and returns
 * which were closed (bit n for descriptor n), so that a list or an output
 * that names a closed stream is refused rather than read as empty.
 */
static unsigned crawl_hold_std_fds(void)
{
	unsigned closed = 0;

	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			closed |= 1u << fd;
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (!(closed & 1u << fd))
			continue;
		got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (got >= 0 && got != fd) {
			dup2(got, fd);
			close(got);
		}
	}
	return closed;
}

static int crawl_count_row(void *ctx, const char *url, size_t len)
{
	(void)ctx;
	(void)url;
	(void)len;
	return 0;
}

/*
 * --append and --resume: the whole rows the file holds once a failed write
 * has cut it back, those from before this run included. -1 when they
 * cannot be counted (standard output, a row that is not ours).
 */
static long crawl_rows_in_file(const struct crawl *c)
{
	struct output_found found;
	const struct stat *lists;
	size_t n_lists;
	char err[512];

	if (strcmp(c->opts->output, "-") == 0)
		return -1;
	lists = feed_lists(c->feed, &n_lists);
	if (output_read_rows(c->opts->output, &c->opts->out, lists, n_lists, crawl_count_row, NULL,
			     &found, err, sizeof(err)) < 0)
		return -1;
	return found.rows > LONG_MAX ? -1 : (long)found.rows;
}

/* What a failed write left: the rows that are in the output, whole; after --append, the file's. */
static void crawl_report_rows(const struct crawl *c)
{
	unsigned long rows = output_rows(c->out);
	bool added = c->opts->out.append;
	long held = added && !output_torn(c->out) ? crawl_rows_in_file(c) : -1;

	if (output_torn(c->out))
		fprintf(stderr, "crawlpool: crawl abandoned: %lu row%s written whole%s, then part of "
			"one more\n", rows, rows == 1 ? "" : "s", added ? " by this run" : "");
	else if (held >= 0)
		fprintf(stderr, "crawlpool: crawl abandoned: '%s' holds %ld row%s, each one whole "
			"(%lu written by this run)\n", c->opts->output, held, held == 1 ? "" : "s",
			rows);
	else
		fprintf(stderr, "crawlpool: crawl abandoned: %lu row%s written%s, each one whole\n",
			rows, rows == 1 ? "" : "s", added ? " by this run" : "");
}

/*
 * Writes out the last rows and closes the output. A failed write makes the
 * run fail (exit 1) and says how many rows the output really holds; a
 * reader that went away (crawl | head) ends the run quietly.
 */
static int crawl_close_output(struct crawl *c, int status)
{
	char err[512] = "";
	bool gone;

	if (c->state_failed) {
		/* their links are not in the state: out now, a resume would never fetch them */
		output_discard(c->out);
	} else if (!c->write_failed && (c->state ? crawl_sync(c) : output_flush(c->out)) < 0) {
		c->write_failed = true;
	}
	gone = output_reader_gone(c->out);
	if (c->write_failed && !gone) {
		/* a state that failed has said so itself */
		if (!c->state_failed)
			fprintf(stderr, "crawlpool: %s\n", output_error(c->out) ?
				output_error(c->out) : "cannot write the results");
		crawl_report_rows(c);
	}
	if (output_close(c->out, err, sizeof(err)) < 0 && !c->write_failed) {
		fprintf(stderr, "crawlpool: %s\n", err);
		c->write_failed = true;
	}
	c->out = NULL;
	if (gone && status != CRAWL_EXIT_INTERRUPTED)
		return CRAWL_EXIT_PIPE;
	/* the second signal gave up a write blocked at the end: an interrupted run */
	if (c->write_failed && status == CRAWL_EXIT_OK)
		return crawl_interrupted >= 2 ? CRAWL_EXIT_INTERRUPTED : CRAWL_EXIT_FAILED;
	return status;
}

/*
 * --resume: reads the rows the output already has, before anything is
 * changed; output_open() then cuts a torn last row. 0, or -1 with err
 * filled (a usage error: another format, not our rows, a list).
 */
static int crawl_resume(struct crawl *c, struct crawl_options *o, const struct stat *lists,
			size_t n_lists, char *err, size_t errlen)
{
	c->resume = resume_open(o->output, &o->out, lists, n_lists, err, errlen);
	if (!c->resume)
		return -1;
	o->out.resume = resume_found(c->resume);
	feed_resume(c->feed, c->resume);
	return 0;
}

static void crawl_say_resuming(const struct crawl *c)
{
	const struct output_found *found = resume_found(c->resume);
	long long torn = found->size - found->whole;

	fprintf(stderr, "crawlpool: resuming: %lu row%s already in '%s'", found->rows,
		found->rows == 1 ? "" : "s", c->opts->output);
	if (torn > 0)
		fprintf(stderr, "; a torn last row of %lld byte%s cut", torn, torn == 1 ? "" : "s");
	fputc('\n', stderr);
}

/* The progress total: the list's entries, less the rows a resumed output has already. */
static long crawl_total(const struct crawl *c)
{
	long total = sources_count(c->opts->inputs, c->opts->n_inputs);
	unsigned long done = c->resume ? resume_found(c->resume)->rows : 0;

	if (total < 0)
		return -1;
	return (unsigned long)total > done ? total - (long)done : 0;
}

/*
 * --state FILE: an existing file makes the run a resume, and must be this
 * crawl's; a missing one is made. 0, or -1 with err filled (a usage error).
 */
static int crawl_open_state(struct crawl *c, struct crawl_options *o, char *err, size_t errlen)
{
	c->state = crawl_state_open(o, &c->state_created, err, errlen);
	return c->state ? 0 : -1;
}

/* A character device (/dev/null) loses nothing written to it twice: -o /dev/null -c /dev/null. */
static bool crawl_device(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

/*
 * The files a crawl writes (-o, --state, -c) are three files, and neither
 * the state nor the jar is a list it reads: one written over another would
 * be lost. (-o against the lists is output_open()'s to check.)
 */
static int crawl_files_apart(const struct crawl_options *o, const struct stat *lists,
			     size_t n_lists, char *err, size_t errlen)
{
	const struct {
		const char *opt, *path;
	} w[] = {
		{ "-o", strcmp(o->output, "-") != 0 ? o->output : NULL },
		{ "--state", o->state },
		{ "--cookie-jar", o->cookie_jar },
	};
	enum { N_WRITTEN = sizeof(w) / sizeof(w[0]) };
	struct stat st;

	for (size_t i = 0; i < N_WRITTEN; i++) {
		if (!w[i].path)
			continue;
		for (size_t j = i + 1; j < N_WRITTEN; j++) {
			if (w[j].path && same_file(w[i].path, w[j].path) &&
			    !crawl_device(w[i].path)) {
				snprintf(err, errlen, "%s '%s' and %s '%s' are one file: each needs "
					 "its own", w[i].opt, w[i].path, w[j].opt, w[j].path);
				return -1;
			}
		}
		if (i > 0 && stat(w[i].path, &st) == 0 && output_is_a_list(&st, lists, n_lists)) {
			snprintf(err, errlen, "%s '%s' is a URL list this crawl reads: it would be "
				 "written over", w[i].opt, w[i].path);
			return -1;
		}
	}
	return 0;
}

/* A refused run leaves no state file it made. */
static void crawl_drop_state(struct crawl *c)
{
	state_close(c->state);
	c->state = NULL;
	if (c->state_created)
		unlink(c->opts->state);
}

/*
 * -b, -c: one jar for every worker of the process, made before any of them
 * (and before the forks of process mode, whose workers leave theirs to be
 * merged). 0, or -1 said on stderr.
 */
static int crawl_open_jar(struct crawl *c)
{
	const struct crawl_options *o = c->opts;
	char err[512];

	if (!o->n_cookies && !o->n_cookie_files && !o->cookie_jar)
		return 0;
	c->jar = fetch_jar_new(o->cookie_files, o->n_cookie_files, o->cookie_jar != NULL, err,
			       sizeof(err));
	if (!c->jar) {
		fprintf(stderr, "crawlpool: %s\n", err);
		return -1;
	}
	c->plan.visit.fetch.jar = c->jar;
	return 0;
}

/* After the run, interrupted or not: -c gets every cookie. The exit status, made 1 if it failed. */
static int crawl_close_jar(struct crawl *c, int status)
{
	char err[512];

	if (c->jar && c->opts->cookie_jar &&
	    fetch_jar_save(c->jar, c->opts->cookie_jar, err, sizeof(err)) < 0) {
		fprintf(stderr, "crawlpool: %s\n", err);
		if (status == CRAWL_EXIT_OK)
			status = CRAWL_EXIT_FAILED;
	}
	fetch_jar_free(c->jar);
	c->jar = NULL;
	return status;
}

static bool crawl_reads_stdin(const struct crawl_options *o)
{
	for (size_t i = 0; i < o->n_inputs; i++)
		if (strcmp(o->inputs[i], "-") == 0)
			return true;
	return false;
}

/*
 * Each page frees its buffers (libcurl's receive buffer, libxml2's parser,
 * the record) and the next takes as much again: glibc would hand the freed
 * top of the heap back to the kernel at 128 KiB and fault it in anew, with
 * many transfers at once on every turn of a loop. Set before any thread or
 * worker process starts, so every arena keeps it.
 */
static void crawl_keep_heap(void)
{
	const char *tunables = getenv("GLIBC_TUNABLES");

	/* a user's own malloc tunables win */
	if (tunables && strstr(tunables, "glibc.malloc."))
		return;
	/*
	 * This also freezes the mmap threshold at 128 KiB: a larger block is
	 * mapped and unmapped each time, which here is rare (bodies stream).
	 */
	mallopt(M_TRIM_THRESHOLD, CRAWL_HEAP_KEPT);
}

int crawl_main(int argc, char **argv)
{
	struct crawl_options opts;
	struct crawl c = { .opts = &opts };
	const struct stat *lists;
	size_t n_lists;
	char err[512];
	unsigned closed;
	bool runtime, state_existed;
	int status;

	switch (options_parse(argc, argv, &opts, err, sizeof(err))) {
	case OPTIONS_HELP:
		options_usage(stdout);
		return CRAWL_EXIT_OK;
	case OPTIONS_VERSION:
		printf("crawlpool %s\n", CRAWLPOOL_VERSION);
		return CRAWL_EXIT_OK;
	case OPTIONS_USAGE:
		fprintf(stderr, "crawlpool crawl: %s\n(try 'crawlpool crawl --help')\n", err);
		return CRAWL_EXIT_USAGE;
	default:
		break;
	}
	/*
	 * Every input is opened and checked before the output is created or
	 * emptied: a run that is refused leaves the user's files as they were.
	 */
	closed = crawl_hold_std_fds();
	if ((closed & 1u << STDIN_FILENO) && crawl_reads_stdin(&opts)) {
		fprintf(stderr, "crawlpool: cannot read url list from standard input: it is closed\n");
		return CRAWL_EXIT_USAGE;
	}
	if ((closed & 1u << STDOUT_FILENO) && strcmp(opts.output, "-") == 0) {
		fprintf(stderr, "crawlpool: cannot write to standard output: it is closed\n");
		return CRAWL_EXIT_USAGE;
	}
	crawl_keep_heap();
	c.mode = crawl_mode_of(opts.mode);
	crawl_plan(&c);
	crawl_fit_fd_limit(&c);
	c.mode->size(&c.plan);
	crawl_signals(crawl_on_signal);
	opts.interrupted = &crawl_interrupted;
	/* ulimit -f is a write error, cut back and reported like a full disk, not a crash */
	signal(SIGXFSZ, SIG_IGN);
	c.feed = feed_open(&opts, &runtime, err, sizeof(err));
	if (!c.feed) {
		fprintf(stderr, "crawlpool: %s\n", err);
		if (crawl_interrupted)
			return CRAWL_EXIT_INTERRUPTED;
		return runtime ? CRAWL_EXIT_FAILED : CRAWL_EXIT_USAGE;
	}
	lists = feed_lists(c.feed, &n_lists);
	opts.out.follow_columns = opts.follow;
	opts.out.held = opts.state != NULL;
	opts.out.give_up = crawl_output_abandoned;
	if (crawl_files_apart(&opts, lists, n_lists, err, sizeof(err)) < 0)
		goto out_refused;
	state_existed = opts.state && access(opts.state, F_OK) == 0;
	if (opts.state && crawl_open_state(&c, &opts, err, sizeof(err)) < 0)
		goto out_refused;
	if (opts.resume && crawl_resume(&c, &opts, lists, n_lists, err, sizeof(err)) < 0)
		goto out_refused;
	if (c.state_created && c.resume && resume_found(c.resume)->rows > 0) {
		snprintf(err, sizeof(err), "state file '%s' is %s: the rows in '%s' cannot be "
			 "resumed without the links their pages gave", opts.state,
			 state_existed ? "empty" : "not there", opts.output);
		goto out_refused;
	}
	c.out = output_open(opts.output, &opts.out, lists, n_lists, err, sizeof(err));
	if (!c.out)
		goto out_refused;
	if (c.state && feed_keep_state(c.feed, c.state, &c.state_queued, err, sizeof(err)) < 0) {
		fprintf(stderr, "crawlpool: %s\n", err);
		/* said once: the state is not committed again, and no row was written */
		c.state_failed = true;
		status = CRAWL_EXIT_FAILED;
		c.stopped = true;
		goto out_close;
	}
	if (c.resume && !opts.quiet)
		crawl_say_resuming(&c);
	if (c.state && !c.state_created && !opts.quiet)
		fprintf(stderr, "crawlpool: resuming: %zu URL%s of state file '%s' still to fetch\n",
			c.state_queued, c.state_queued == 1 ? "" : "s", opts.state);
	if (fetch_global_init() < 0) {
		fprintf(stderr, "crawlpool: cannot initialise libcurl\n");
		status = CRAWL_EXIT_FAILED;
		c.stopped = true;
		goto out_close;
	}
	parse_global_init();
	if (crawl_open_jar(&c) < 0) {
		status = CRAWL_EXIT_FAILED;
		c.stopped = true;
		goto out_cleanup;
	}
	/* a progress line would garble rows going to the same terminal */
	progress_init(&c.progress, !opts.quiet && strcmp(opts.output, "-") != 0,
		      opts.quiet || opts.follow || opts.frontier || opts.max_pages ? -1 :
		      crawl_total(&c));
	status = crawl_run(&c);
	c.stopped = status == CRAWL_EXIT_FAILED;
	status = crawl_close_jar(&c, status);
out_cleanup:
	parse_global_cleanup();
	fetch_global_cleanup();
out_close:
	status = crawl_close_output(&c, status);
	/* the done marks of the last rows, now that they are out */
	if (c.state && !c.state_failed && !c.write_failed && state_commit(c.state) < 0) {
		fprintf(stderr, "crawlpool: %s\n", state_error(c.state));
		if (status == CRAWL_EXIT_OK)
			status = CRAWL_EXIT_FAILED;
	}
	state_close(c.state);
	/* a list's unread lines are --resume's to find; a followed crawl's queue is counted */
	if (opts.follow)
		c.left_queued = feed_waiting(c.feed);
	c.round_trips = feed_leave(c.feed);
	feed_close(c.feed);
	resume_free(c.resume);
	/*
	 * After a failed write the rows written were counted above, and the URLs
	 * done mean nothing; a run that failed before it began has no summary.
	 */
	if (!opts.quiet && !c.write_failed && c.progress.started > 0)
		crawl_summary(&c);
	/* said even with -q: the file lacks these rows (a reader that went away hears nothing) */
	if (c.unfinished && !c.write_failed)
		fprintf(stderr, "crawlpool: %lu URL%s handed out and not finished: no row (%s)\n",
			c.unfinished, c.unfinished == 1 ? "" : "s",
			crawl_refetch_hint(&opts, c.unfinished == 1));
	if (c.left_queued && !c.write_failed)
		fprintf(stderr, "crawlpool: %zu URL%s found and never handed out: no row (%s)\n",
			c.left_queued, c.left_queued == 1 ? "" : "s",
			crawl_refetch_hint(&opts, c.left_queued == 1));
	return status;

out_refused:
	fprintf(stderr, "crawlpool: %s\n", err);
	crawl_drop_state(&c);
	feed_close(c.feed);
	resume_free(c.resume);
	return CRAWL_EXIT_USAGE;
}
