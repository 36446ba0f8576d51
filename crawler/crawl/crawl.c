/* crawl.c -- wires the URL list, the pool, the workers and the output together for one crawl */
#include "crawl.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fetch.h"
#include "loop.h"
#include "options.h"
#include "output.h"
#include "parse.h"
#include "pool.h"
#include "progress.h"
#include "record.h"
#include "urllist.h"
#include "visit.h"

struct crawl {
	const struct crawl_options *opts;
	struct visit_options worker;
	unsigned pool_workers;	/* threads or processes; in event mode, loops */
	unsigned loop_transfers;	/* event mode: URLs at once in the busiest loop */
	struct urllist *list;
	struct output *out;
	struct pool *pool;
	struct progress progress;
	int list_errno;		/* why reading the list failed */
	bool write_failed;
};

static volatile sig_atomic_t crawl_interrupted;
/* The handler's way to the running pool; pool_stop() is async-signal-safe. */
static struct pool *volatile crawl_signal_pool;

static void crawl_on_signal(int sig)
{
	int saved = errno;
	struct pool *pool = crawl_signal_pool;

	(void)sig;
	crawl_interrupted = 1;
	if (pool)
		pool_stop(pool);
	errno = saved;
}

/* The handler stops the pool; its poll() wakes on the self-pipe. */
static void crawl_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The results cannot be written: fetching more is pointless. */
static void crawl_give_up(struct crawl *c)
{
	c->write_failed = true;
	pool_stop(c->pool);
	pool_stop(c->pool);
}

static void crawl_row(struct crawl *c, const char *url, const struct crawl_record *rec, long worker)
{
	progress_row(&c->progress, rec->error != NULL);
	if (!c->write_failed && output_row(c->out, url, rec, worker) < 0)
		crawl_give_up(c);
}

static int crawl_next(void *ctx, void **job, size_t *job_len)
{
	struct crawl *c = ctx;
	const char *line, *why;
	struct crawl_record rec;
	size_t len;
	bool cut;
	int rc;

	while (!crawl_interrupted && !c->write_failed) {
		rc = urllist_next(c->list, &line, &len, &cut);
		if (rc == 0)
			return 0;
		if (rc == URLLIST_AGAIN) {
			/* Idle until more input: the rows so far belong in the file now. */
			if (output_flush(c->out) < 0)
				c->write_failed = true;
			return POOL_NEXT_WAIT;
		}
		if (rc < 0) {
			c->list_errno = errno;
			return -1;
		}
		why = cut ? "URL too long" : fetch_check_url(line);
		if (why) {
			/* not worth a worker: the row is written here, in list order */
			record_init_error(&rec, why);
			crawl_row(c, line, &rec, -1);
			continue;
		}
		*job = malloc(len + 1);
		if (!*job)
			return -1;
		memcpy(*job, line, len + 1);
		*job_len = len + 1;
		return 1;
	}
	return 0;
}

static bool crawl_abandoned(void *ctx)
{
	const struct crawl *c = ctx;

	return pool_abandoned(c->pool);
}

static int crawl_worker_init(void *ctx, unsigned index, void **state)
{
	struct crawl *c = ctx;

	if (c->opts->mode != POOL_PROCESSES) {
		sigset_t stop;

		/* Ctrl-C goes to the parent thread, whose read of the list it must interrupt */
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &stop, NULL);
	}
	if (c->opts->mode == POOL_EVENTS) {
		const struct loop_options lo = {
			.visit = c->worker,
			/* --workers split as evenly as it goes: 3 over 2 loops is 2 + 1 */
			.transfers = c->opts->workers / c->pool_workers +
				     (index < c->opts->workers % c->pool_workers),
			.abandoned = crawl_abandoned,
			.abandoned_ctx = c,
		};

		*state = loop_new(&lo);
	} else {
		*state = visit_new(&c->worker);
	}
	return *state ? 0 : -1;
}

static void crawl_worker_fini(void *ctx, void *state)
{
	const struct crawl *c = ctx;

	if (c->opts->mode == POOL_EVENTS)
		loop_free(state);
	else
		visit_free(state);
}

static int crawl_work(void *ctx, void *state, const void *job, size_t job_len,
		      void **result, size_t *result_len)
{
	const char *url = job;

	(void)ctx;
	if (job_len == 0 || url[job_len - 1] != '\0')
		return -1;
	return visit_run(state, url, result, result_len);
}

static int crawl_serve(void *ctx, void *state, struct pool_feed *feed)
{
	(void)ctx;
	return loop_serve(state, feed);
}

static void crawl_done(void *ctx, const struct pool_result *res)
{
	struct crawl *c = ctx;
	const char *url = res->job;
	struct crawl_record rec;

	switch (res->status) {
	case POOL_JOB_DONE:
		if (record_decode(res->data, res->len, &rec) != RECORD_OK)
			record_init_error(&rec, "bad record from worker");
		break;
	case POOL_JOB_INTERRUPTED:
		record_init_error(&rec, res->error ? res->error : "interrupted");
		break;
	default:
		record_init_error(&rec, res->error ? res->error : "worker failed");
		break;
	}
	crawl_row(c, url, &rec, res->worker_id);
}

/* "8 workers", or in event mode "32 transfers on 2 loops". */
static void crawl_describe_workers(const struct crawl *c, char *buf, size_t size)
{
	if (c->opts->mode == POOL_EVENTS)
		snprintf(buf, size, "%u transfer%s on %u loop%s", c->opts->workers,
			 c->opts->workers == 1 ? "" : "s", c->pool_workers,
			 c->pool_workers == 1 ? "" : "s");
	else
		snprintf(buf, size, "%u worker%s", c->pool_workers, c->pool_workers == 1 ? "" : "s");
}

static void crawl_summary(struct crawl *c)
{
	double secs = progress_elapsed(&c->progress);
	char workers[64];

	crawl_describe_workers(c, workers, sizeof(workers));
	fprintf(stderr, "crawlpool: %s %lu URL%s in %.2f s (%.0f URLs/s), %lu error%s, %s mode, %s -> %s\n",
		crawl_interrupted ? "interrupted after" : "crawled", c->progress.done,
		c->progress.done == 1 ? "" : "s", secs,
		secs > 0 ? (double)c->progress.done / secs : 0.0, c->progress.errors,
		c->progress.errors == 1 ? "" : "s",
		pool_mode_name(c->opts->mode), workers,
		strcmp(c->opts->output, "-") == 0 ? "stdout" : c->opts->output);
}

/* Runs the pool over the list; returns an exit status. */
static int crawl_run(struct crawl *c)
{
	const struct pool_callbacks cb = {
		.next_job = crawl_next,
		.done = crawl_done,
		.work = crawl_work,
		.serve = crawl_serve,
		.worker_init = crawl_worker_init,
		.worker_fini = crawl_worker_fini,
	};
	char failure[160];
	int err = 0, rc;

	c->pool = pool_new(c->opts->mode, c->pool_workers, &cb, c, &err);
	if (c->pool && c->opts->mode == POOL_EVENTS)
		err = pool_set_worker_jobs(c->pool, c->loop_transfers);
	if (!c->pool || err) {
		fprintf(stderr, "crawlpool: cannot make the worker pool: %s\n", pool_strerror(err));
		pool_free(c->pool);
		c->pool = NULL;
		return CRAWL_EXIT_FAILED;
	}
	crawl_signal_pool = c->pool;
	/* A slow list on a pipe must not hold back the rows already fetched. */
	urllist_nowait(c->list, true);
	pool_watch_fd(c->pool, urllist_fd(c->list));
	/* process mode forks: nothing buffered may be copied into the workers */
	fflush(NULL);
	if (output_flush(c->out) < 0) {
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

	if (rc == POOL_ENEXT && c->list_errno) {
		fprintf(stderr, "crawlpool: cannot read url list '%s': %s\n", c->opts->input,
			strerror(c->list_errno));
		return CRAWL_EXIT_FAILED;
	}
	if (rc != POOL_OK && rc != POOL_ESTOPPED) {
		fprintf(stderr, "crawlpool: crawl failed: %s\n",
			rc == POOL_ESYS && failure[0] ? failure : pool_strerror(rc));
		return CRAWL_EXIT_FAILED;
	}
	return crawl_interrupted ? CRAWL_EXIT_INTERRUPTED : CRAWL_EXIT_OK;
}

static void crawl_worker_options(struct crawl *c)
{
	const struct crawl_options *o = c->opts;

	c->worker = (struct visit_options){
		.fetch = {
			.timeout_ms = o->timeout_ms,
			.connect_timeout_ms = o->connect_timeout_ms,
			.max_size = o->max_size,
			.max_redirects = o->max_redirects,
			.user_agent = o->user_agent,
		},
		.parse = o->parse,
	};
	/*
	 * A worker thread gives up mid-transfer; a worker process is killed; an
	 * event loop drops its transfers itself, between waits.
	 */
	if (o->mode == POOL_THREADS) {
		c->worker.fetch.abandoned = crawl_abandoned;
		c->worker.fetch.abandoned_ctx = c;
	}
}

/*
 * Event mode spreads --workers transfers over one loop thread per online
 * CPU: more threads than cores would only take turns.
 */
static void crawl_size_pool(struct crawl *c)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned loops;

	c->pool_workers = c->opts->workers;
	c->loop_transfers = 1;
	if (c->opts->mode != POOL_EVENTS)
		return;
	loops = cpus < 1 ? 1 : (unsigned)cpus;
	if (loops > c->opts->workers)
		loops = c->opts->workers;
	c->pool_workers = loops;
	c->loop_transfers = (c->opts->workers + loops - 1) / loops;
}

/*
 * Each URL in flight holds a socket (two while a connection is replaced),
 * and a process-mode worker its channel. A soft limit of 1024 descriptors
 * would turn a thousand workers into "could not connect" rows: raise it
 * toward the hard limit, or say why rows may fail.
 */
static void crawl_fd_limit(const struct crawl_options *o)
{
	rlim_t want = (rlim_t)o->workers * 2 + 64;
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= want)
		return;
	lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > want ? want : lim.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur >= want)
		return;
	getrlimit(RLIMIT_NOFILE, &lim);
	fprintf(stderr, "crawlpool: warning: %u workers may need %llu open files but the limit is %llu "
		"(ulimit -n); some URLs may fail with 'could not connect'\n", o->workers,
		(unsigned long long)want, (unsigned long long)lim.rlim_cur);
}

int crawl_main(int argc, char **argv)
{
	struct crawl_options opts;
	struct crawl c = { .opts = &opts };
	char err[512];
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
	crawl_size_pool(&c);
	crawl_fd_limit(&opts);
	crawl_signals(crawl_on_signal);
	c.list = urllist_open(opts.input, err, sizeof(err));
	if (!c.list) {
		fprintf(stderr, "crawlpool: %s\n", err);
		return CRAWL_EXIT_USAGE;
	}
	c.out = output_open(opts.output, &opts.out, err, sizeof(err));
	if (!c.out) {
		fprintf(stderr, "crawlpool: %s\n", err);
		urllist_close(c.list);
		return CRAWL_EXIT_USAGE;
	}
	if (fetch_global_init() < 0) {
		fprintf(stderr, "crawlpool: cannot initialise libcurl\n");
		status = CRAWL_EXIT_FAILED;
		goto out_close;
	}
	parse_global_init();
	crawl_worker_options(&c);
	/* a progress line would garble rows going to the same terminal */
	progress_init(&c.progress, !opts.quiet && strcmp(opts.output, "-") != 0,
		      opts.quiet ? -1 : urllist_count(opts.input));
	status = crawl_run(&c);
	parse_global_cleanup();
	fetch_global_cleanup();
out_close:
	if (output_close(c.out, err, sizeof(err)) < 0 || c.write_failed) {
		fprintf(stderr, "crawlpool: %s\n", c.write_failed && !*err ? "cannot write the results" : err);
		if (status == CRAWL_EXIT_OK)
			status = CRAWL_EXIT_FAILED;
	}
	urllist_close(c.list);
	if (!opts.quiet)
		crawl_summary(&c);
	return status;
}
