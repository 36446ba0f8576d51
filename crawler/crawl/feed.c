/* feed.c -- what a crawl hands out next: its sources' URLs, through the frontier, and the links its pages give */
#include "feed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "feed_shared.h"
#include "fetch.h"
#include "frontier.h"
#include "job.h"
#include "resume.h"
#include "robots.h"
#include "sources.h"
#include "state.h"
#include "urllist.h"

/*
 * A list crawled politely is read ahead, so that a host that must wait does
 * not hold back the others; this many queued URLs at most keeps memory
 * bounded on a list of any length.
 */
enum { FEED_READ_AHEAD = 10000 };
/* A shared crawl sends list lines to Redis this many at a time, in one round trip. */
enum { FEED_SHARED_BATCH = 500 };

struct feed {
	struct sources *sources;
	bool sources_done;
	struct frontier *frontier;	/* NULL: a plain list, straight through (or shared) */
	struct feed_shared *shared;	/* --frontier: the crawl's frontier in Redis, or NULL */
	bool following;			/* rows say depth and referrer */
	long max_redirects;		/* a chain of redirects is followed this far */
	char too_many[48];		/* the error of a chain followed that far */
	bool hinted;			/* said that a start URL redirects out of scope */
	size_t unsent;			/* list lines added to the shared frontier since it was asked */
	regex_t include[OPTIONS_MAX_REPEATS], exclude[OPTIONS_MAX_REPEATS];
	size_t n_include, n_exclude;
	char product_token[64];
	int epoll_fd;			/* the timer and the list being read */
	int timer_fd;			/* due when the next host may be asked */
	bool timer_armed;		/* set and not yet read as expired */
	int watched_fd;			/* the list descriptor in epoll_fd, or -1 */
	char *shown;			/* a rejected line as its row shows it */
	struct resume *resume;		/* --resume: the rows the output already has, or NULL */
	struct state *state;		/* --state: the frontier's journal, or NULL */
	size_t restored;		/* URLs the state queued again */
	char failure[640];
};

static long long feed_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool feed_needs_frontier(const struct crawl_options *o)
{
	return o->follow || o->per_host > 0 || o->delay_ms > 0 || o->robots || o->max_pages > 0 ||
	       o->frontier;
}

/* The regular expressions the options checked, compiled for the frontier. */
static int feed_compile(regex_t *out, size_t *n, const char *const *patterns, size_t count)
{
	for (*n = 0; *n < count; (*n)++)
		if (regcomp(&out[*n], patterns[*n], REG_EXTENDED | REG_NOSUB) != 0)
			return -1;
	return 0;
}

/* The rules of the crawl, as the memory frontier and the shared one both take them. */
static int feed_rules(struct feed *f, const struct crawl_options *o, struct frontier_options *out)
{
	struct frontier_options fo = {
		.follow = o->follow,
		.max_depth = o->depth,
		.scope = o->scope,
		.include = f->include,
		.exclude = f->exclude,
		.max_pages = o->max_pages,
		.per_host = o->per_host,
		.delay_ms = o->delay_ms,
		.robots = o->robots,
		.product_token = f->product_token,
	};

	if (feed_compile(f->include, &f->n_include, o->include, o->n_include) < 0 ||
	    feed_compile(f->exclude, &f->n_exclude, o->exclude, o->n_exclude) < 0)
		return -1;
	fo.n_include = f->n_include;
	fo.n_exclude = f->n_exclude;
	robots_product_token(o->user_agent ? o->user_agent : "crawlpool", f->product_token,
			     sizeof(f->product_token));
	if (!f->product_token[0])
		snprintf(f->product_token, sizeof(f->product_token), "crawlpool");
	*out = fo;
	return 0;
}

static int feed_make_frontier(struct feed *f, const struct crawl_options *o, bool *runtime,
			      char *err, size_t errlen)
{
	struct frontier_options fo;

	f->following = o->follow;
	f->max_redirects = o->max_redirects;
	snprintf(f->too_many, sizeof(f->too_many), "too many redirects (over %ld)", o->max_redirects);
	if (feed_rules(f, o, &fo) < 0) {
		snprintf(err, errlen, "out of memory");
		*runtime = true;
		return -1;
	}
	if (o->frontier) {
		f->shared = feed_shared_join(o, &fo, runtime, err, errlen);
		return f->shared ? 0 : -1;
	}
	f->frontier = frontier_new(&fo);
	if (!f->frontier) {
		snprintf(err, errlen, "out of memory");
		*runtime = true;
		return -1;
	}
	return 0;
}

struct feed *feed_open(const struct crawl_options *o, bool *runtime, char *err, size_t errlen)
{
	struct feed *f = calloc(1, sizeof(*f));
	struct epoll_event ev = { .events = EPOLLIN };

	*runtime = false;
	if (!f) {
		snprintf(err, errlen, "out of memory");
		*runtime = true;
		return NULL;
	}
	f->epoll_fd = f->timer_fd = f->watched_fd = -1;
	f->sources = sources_open(o->inputs, o->n_inputs, err, errlen);
	if (!f->sources)
		goto fail;
	f->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	f->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (f->epoll_fd < 0 || f->timer_fd < 0 ||
	    epoll_ctl(f->epoll_fd, EPOLL_CTL_ADD, f->timer_fd, &ev) < 0) {
		snprintf(err, errlen, "cannot make the crawl's timer: %s", strerror(errno));
		goto fail;
	}
	if (feed_needs_frontier(o) && feed_make_frontier(f, o, runtime, err, errlen) < 0)
		goto fail;
	sources_nowait(f->sources, true);
	return f;

fail:
	feed_close(f);
	return NULL;
}

unsigned long long feed_leave(struct feed *f)
{
	return f && f->shared ? feed_shared_leave(f->shared) : 0;
}

void feed_close(struct feed *f)
{
	if (!f)
		return;
	frontier_free(f->frontier);
	feed_shared_close(f->shared);
	for (size_t i = 0; i < f->n_include; i++)
		regfree(&f->include[i]);
	for (size_t i = 0; i < f->n_exclude; i++)
		regfree(&f->exclude[i]);
	sources_close(f->sources);
	if (f->epoll_fd >= 0)
		close(f->epoll_fd);
	if (f->timer_fd >= 0)
		close(f->timer_fd);
	free(f->shown);
	free(f);
}

void feed_resume(struct feed *f, struct resume *r)
{
	f->resume = r;
}

/* A URL from a stopped crawl's state: queued again unless the output has its row. */
static int feed_restore(void *ctx, const char *url, unsigned depth, unsigned redirects,
			const char *referrer, bool done)
{
	struct feed *f = ctx;
	bool has_row = f->resume && resume_take(f->resume, url, strlen(url));
	int rc = frontier_restore(f->frontier, url, depth, redirects, referrer, has_row);

	if (rc == FRONTIER_ENOMEM)
		return -1;
	/* the done mark a kill -9 lost: the row is there, so it may be set now */
	if (has_row && !done && state_written(f->state, url) < 0)
		return -1;
	if (!has_row && rc == FRONTIER_ADDED)
		f->restored++;
	return 0;
}

int feed_keep_state(struct feed *f, struct state *st, size_t *queued, char *err, size_t errlen)
{
	f->state = st;
	if (!f->frontier || state_load(st, feed_restore, f) < 0 || state_flushed(st) < 0 ||
	    state_commit(st) < 0) {
		snprintf(err, errlen, "%s", f->frontier && state_error(st) ? state_error(st) :
			 "out of memory");
		f->state = NULL;
		return -1;
	}
	*queued = f->restored;
	return 0;
}

/*
 * frontier_add() (or the shared frontier's), and into the state when the URL
 * is taken; redirects > 0 for a redirect's target.
 */
static int feed_add(struct feed *f, const char *url, unsigned depth, unsigned redirects,
		    const char *referrer)
{
	int rc;

	if (f->shared)
		return feed_shared_add(f->shared, url, depth, referrer);
	rc = redirects ? frontier_add_redirect(f->frontier, url, depth, redirects, referrer) :
	     frontier_add(f->frontier, url, depth, referrer);

	/* a failure is kept in the state: the next commit refuses, and no row goes out */
	if (rc == FRONTIER_ADDED && f->state)
		state_add(f->state, url, depth, redirects, referrer);
	return rc;
}

/* A row of a URL the frontier handed out is in the output's buffer. */
static void feed_mark_written(struct feed *f, const struct frontier_url *u)
{
	if (f->state)
		state_written(f->state, u->url);
}

const struct stat *feed_lists(const struct feed *f, size_t *n)
{
	return sources_stats(f->sources, n);
}

int feed_fd(const struct feed *f)
{
	return f->epoll_fd;
}

const char *feed_failure(const struct feed *f)
{
	return f->failure[0] ? f->failure : NULL;
}

size_t feed_queued(const struct feed *f)
{
	/* a shared crawl's queue is every instance's: not this one's to count */
	return f->frontier ? frontier_queued(f->frontier) + frontier_out(f->frontier) : 0;
}

size_t feed_waiting(const struct feed *f)
{
	return f && f->frontier ? frontier_queued(f->frontier) : 0;
}

/* Wakes the pool's wait when a pipe being read has more, or when the timer is due. */
static void feed_watch_list(struct feed *f)
{
	int fd = sources_fd(f->sources);
	struct epoll_event ev = { .events = EPOLLIN };

	if (fd == f->watched_fd)
		return;
	if (f->watched_fd >= 0)
		epoll_ctl(f->epoll_fd, EPOLL_CTL_DEL, f->watched_fd, NULL);
	/* a regular file is refused (EPERM): it never has to be waited for */
	f->watched_fd = fd >= 0 && epoll_ctl(f->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0 ? fd : -1;
}

static void feed_arm_timer(struct feed *f, long long wait_ms)
{
	struct itimerspec due = {
		.it_value = {
			.tv_sec = wait_ms / 1000,
			.tv_nsec = (wait_ms % 1000) * 1000000 + (wait_ms > 0 ? 0 : 1),
		},
	};

	if (timerfd_settime(f->timer_fd, 0, &due, NULL) == 0)
		f->timer_armed = true;
}

/*
 * Only a timer that was set can have expired: one that never was, as in a
 * crawl no host makes wait, costs no read (an EAGAIN a page otherwise).
 */
static void feed_drain_timer(struct feed *f)
{
	unsigned long long expirations;

	if (!f->timer_armed)
		return;
	if (read(f->timer_fd, &expirations, sizeof(expirations)) == sizeof(expirations))
		f->timer_armed = false;
}

/* A row instead of a fetch: rec holds why. */
static int feed_row(struct feed_item *item, const char *url, const char *error)
{
	record_init_error(&item->rec, error);
	item->url = url;
	item->token = 0;
	return FEED_ROW;
}

/* A list line with NUL bytes as its "invalid URL" row shows it, each NUL as \0, in f->shown. */
static const char *feed_show_nul(struct feed *f, const char *line, size_t len, size_t *shown_len)
{
	char *p = realloc(f->shown, 2 * len + 1);

	if (!p)
		return NULL;
	f->shown = p;
	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\0') {
			*p++ = '\\';
			*p++ = '0';
		} else {
			*p++ = line[i];
		}
	}
	*p = '\0';
	*shown_len = (size_t)(p - f->shown);
	return f->shown;
}

/* One line or argument: a job, a row, or (taken by the frontier, or done before a resume) nothing yet. */
static int feed_take_line(struct feed *f, struct feed_item *item, const char *line, size_t len,
			  bool cut)
{
	/* the bytes after a NUL would be lost: the whole line is shown, escaped */
	bool nul = memchr(line, '\0', len) != NULL;
	const char *why, *shown = line;
	size_t shown_len = len;

	if (nul && !(shown = feed_show_nul(f, line, len, &shown_len)))
		return FEED_ERROR;
	why = nul ? "invalid URL" : cut ? "URL too long" : fetch_check_url(line);
	/* a row the output already has, whatever it says, uses up one line that would give it */
	if (f->resume && resume_take(f->resume, shown, shown_len)) {
		/* a URL of a list fetched before the stop counts for --max-pages, as it did then */
		if (!why && f->frontier && !f->following)
			frontier_taken(f->frontier);
		return FEED_WAIT;
	}
	if (nul)
		return feed_row(item, shown, why);
	if (why)
		return feed_row(item, line, why);
	if (!f->frontier && !f->shared) {
		item->job = job_encode(JOB_PAGE, 0, line, len, &item->job_len);
		return item->job ? FEED_JOB : FEED_ERROR;
	}
	f->unsent++;
	switch (feed_add(f, line, 0, 0, NULL)) {
	case FRONTIER_ENOMEM:
		return FEED_ERROR;
	case FRONTIER_INVALID:
		return feed_row(item, line, "invalid URL");
	default:
		/* queued, or a start URL already taken, or past --max-pages */
		return FEED_WAIT;
	}
}

unsigned feed_tick_ms(const struct feed *f)
{
	return f->shared ? feed_shared_tick_ms(f->shared) : 0;
}

void feed_tick(struct feed *f)
{
	if (f->shared)
		feed_shared_tick(f->shared);
}

/* What the frontier has due now, if anything: FEED_JOB, FEED_ROW or FEED_WAIT (*verdict says more). */
static int feed_from_frontier(struct feed *f, struct feed_item *item, int *verdict,
			      long long *wait_ms)
{
	const struct frontier_url *u;

	f->unsent = 0;
	if (f->shared)
		*verdict = feed_shared_next(f->shared, &u, wait_ms, f->failure, sizeof(f->failure));
	else
		*verdict = frontier_next(f->frontier, feed_now_ms(), &u, wait_ms);
	if (*verdict == FRONTIER_ENOMEM)
		return FEED_ERROR;
	if (*verdict != FRONTIER_URL)
		return FEED_WAIT;
	if (u->kind == FRONTIER_BLOCKED) {
		feed_row(item, u->url, u->why ? u->why : "blocked by robots.txt");
		item->token = (uint64_t)(uintptr_t)u;
		item->rec.depth = f->following ? (long)u->depth : -1;
		item->rec.referrer = u->referrer;
		return FEED_ROW;
	}
	item->job = job_encode(u->kind == FRONTIER_ROBOTS ? JOB_ROBOTS : JOB_PAGE,
			       (uint64_t)(uintptr_t)u, u->url, strlen(u->url), &item->job_len);
	return item->job ? FEED_JOB : FEED_ERROR;
}

int feed_next(struct feed *f, struct feed_item *item)
{
	int verdict = FRONTIER_DONE;
	long long wait_ms = 0;
	bool read_on = false;	/* the list has more now, on a descriptor epoll cannot watch */

	feed_drain_timer(f);
	for (;;) {
		/* a shared crawl reads lines in batches, each sent in one round trip */
		bool batching = f->shared && !f->sources_done && !feed_shared_down(f->shared) &&
				f->unsent < FEED_SHARED_BATCH;
		const char *line;
		size_t len;
		bool cut;
		int rc;

		if ((f->frontier || f->shared) && !batching) {
			rc = feed_from_frontier(f, item, &verdict, &wait_ms);
			if (rc != FEED_WAIT)
				return rc;
		}
		/* a list past --max-pages: the lines left would only be read to be dropped */
		if (!f->sources_done && f->frontier && !f->following && frontier_full(f->frontier)) {
			f->sources_done = true;
			continue;
		}
		/* with Redis away, lines read would only pile up here */
		if (f->sources_done ||
		    (f->frontier && frontier_queued(f->frontier) >= FEED_READ_AHEAD) ||
		    (f->shared && feed_shared_down(f->shared)))
			break;
		rc = sources_next(f->sources, &line, &len, &cut);
		if (rc == 0) {
			f->sources_done = true;
			if (f->shared)
				feed_shared_sources_done(f->shared);
			continue;
		}
		if (rc == URLLIST_AGAIN) {
			feed_watch_list(f);
			read_on = f->watched_fd < 0;
			/* the lines so far go out before the wait for more */
			if (f->unsent > 0) {
				f->unsent = FEED_SHARED_BATCH;
				continue;
			}
			break;
		}
		if (rc < 0) {
			snprintf(f->failure, sizeof(f->failure), "cannot read url list %s: %s",
				 sources_name(f->sources), sources_error(f->sources));
			return FEED_ERROR;
		}
		rc = feed_take_line(f, item, line, len, cut);
		if (rc != FEED_WAIT)
			return rc;
	}
	if (read_on || verdict == FRONTIER_WAIT)
		feed_arm_timer(f, read_on ? 0 : wait_ms);
	if (!f->sources_done || verdict == FRONTIER_WAIT || verdict == FRONTIER_IDLE)
		return FEED_WAIT;
	return FEED_END;
}

void feed_row_written(struct feed *f, uint64_t token, const char *url,
		      const struct crawl_record *rec)
{
	const struct frontier_url *u = (const struct frontier_url *)(uintptr_t)token;

	/* no URL of the frontier: a list line that is no URL, which a shared crawl exports too */
	if (!u && f->shared)
		feed_shared_line_row(f->shared, url, rec);
	if (!u)
		return;
	if (f->shared) {
		feed_shared_row(f->shared, u, url, rec, -1);
		return;
	}
	if (!f->frontier)
		return;
	feed_mark_written(f, u);
	frontier_done(f->frontier, u, feed_now_ms());
}

/* A 3xx with a target, in a crawl that follows links. */
static bool feed_is_redirect(const struct crawl_record *rec)
{
	return rec->status >= 300 && rec->status < 400 && rec->found && !rec->error;
}

/* http://x/ moved to https://www.x/: the whole crawl is one row, worth a word once */
static void feed_hint_start(struct feed *f, const char *url, const char *target)
{
	if (f->hinted)
		return;
	f->hinted = true;
	/* a wider --scope would not take a target the filters leave out */
	if (f->frontier && frontier_filters_out(f->frontier, target))
		fprintf(stderr, "crawlpool: start URL '%s' redirects to '%s', which --include and "
			"--exclude leave out: start from that URL\n", url, target);
	else
		fprintf(stderr, "crawlpool: start URL '%s' redirects out of scope, to '%s': "
			"start from that URL (or widen --scope)\n", url, target);
}

/*
 * A redirect's target is no link of the page: it keeps the page's depth.
 * Each step of a chain is a URL of its own, counted from the link or start
 * URL that began it, so --max-redirects bounds the chain as it bounds one
 * transfer's (0: the row is the redirect itself, as for a list).
 */
static const char *feed_redirect(struct feed *f, const struct frontier_url *u, const char *url,
				 const char *target)
{
	unsigned redirects = u->redirects + 1;
	int rc;

	if (f->max_redirects == 0)
		return NULL;
	if ((long)redirects > f->max_redirects)
		return f->too_many;
	/* shared: Redis says whether another instance took it */
	rc = f->shared ? feed_shared_redirect(f->shared, target, u->depth, redirects, url) :
	     feed_add(f, target, u->depth, redirects, url);
	switch (rc) {
	case FRONTIER_ADDED:
		return NULL;
	case FRONTIER_SEEN:
		return "redirect to a URL already taken";
	case FRONTIER_OUT:
		if (u->depth == 0)
			feed_hint_start(f, url, target);
		return "redirect out of scope";
	case FRONTIER_FULL:
		return "redirect past --max-pages";
	case FRONTIER_ENOMEM:
		return "out of memory";
	default:
		return "invalid redirect URL";
	}
}

/*
 * A robots.txt answer as the frontier takes it: the status and body; a 3xx
 * whose redirects led to no robots.txt (a loop, too many, a target of
 * another protocol or that does not answer), which counts as unavailable,
 * as RFC 9309 lets a crawler take it; or, when the transfer failed
 * otherwise, status 0 and the error for body.
 */
static void feed_robots(struct feed *f, const struct frontier_url *u, const struct crawl_record *rec)
{
	long status = rec->status;
	const char *body = rec->body;
	size_t len = rec->body_len;

	if (rec->error && !(status >= 300 && status < 400)) {
		status = 0;
		body = rec->error;
		len = strlen(body);
	}
	if (f->shared)
		feed_shared_robots(f->shared, u, status, body, len);
	else
		frontier_robots(f->frontier, u, status, body, len);
}

bool feed_job_result(struct feed *f, uint64_t token, const char *url, struct crawl_record *rec)
{
	const struct frontier_url *u = (const struct frontier_url *)(uintptr_t)token;

	if ((!f->frontier && !f->shared) || !u)
		return true;
	if (u->kind == FRONTIER_ROBOTS) {
		feed_robots(f, u, rec);
		return false;
	}
	if (f->following) {
		rec->depth = (long)u->depth;
		rec->referrer = u->referrer;
		if (feed_is_redirect(rec)) {
			rec->error = feed_redirect(f, u, url, rec->found);
			rec->found = NULL;	/* taken now: not a link to add again */
		}
	}
	return true;
}

/* The links a page gave, one a line: each joins the crawl one step deeper. */
static void feed_add_links(struct feed *f, const struct frontier_url *u, const char *url,
			   const char *found)
{
	while (found && *found) {
		const char *nl = strchr(found, '\n');
		size_t len = nl ? (size_t)(nl - found) : strlen(found);
		char link[URLLIST_LINE_MAX + 1];

		if (len > 0 && len <= URLLIST_LINE_MAX) {
			memcpy(link, found, len);
			link[len] = '\0';
			feed_add(f, link, u->depth + 1, 0, url);
		}
		found = nl ? nl + 1 : found + len;
	}
}

void feed_job_done(struct feed *f, uint64_t token, const char *url, const struct crawl_record *rec,
		   long worker)
{
	const struct frontier_url *u = (const struct frontier_url *)(uintptr_t)token;

	if ((!f->frontier && !f->shared) || !u)
		return;
	if (rec && u->kind == FRONTIER_PAGE && f->following)
		feed_add_links(f, u, url, rec->found);
	if (f->shared) {
		/* a robots.txt is acked by its answer */
		if (!rec)
			feed_shared_done(f->shared, u);
		else
			feed_shared_row(f->shared, u, url, rec, worker);
		return;
	}
	(void)worker;
	if (rec)
		feed_mark_written(f, u);
	frontier_done(f->frontier, u, feed_now_ms());
}

void feed_job_dropped(struct feed *f, uint64_t token)
{
	const struct frontier_url *u = (const struct frontier_url *)(uintptr_t)token;

	/* its host's slot is free again; the state has no done mark for it */
	if (u && f->frontier)
		frontier_done(f->frontier, u, feed_now_ms());
}
