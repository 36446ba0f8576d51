/* fetch_multi.c -- many fetch handles at once on one thread, over one curl multi handle and its connection pool */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "fetch_internal.h"

/* Events taken from the kernel per wake-up; more wait for the next one. */
enum { FETCH_MULTI_EVENTS = 64 };

/* What the epoll set holds for one descriptor, and what curl wants of it. */
struct fetch_multi_fd {
	uint8_t held;		/* EPOLLIN and EPOLLOUT as in the set; 0: not in it */
	bool wanted;		/* curl watches it */
	bool conn;		/* a connection's socket: its closing is heard of */
};

struct fetch_multi {
	CURLM *multi;
	/*
	 * curl is driven by socket_action over our own epoll set: a wake-up
	 * moves on only the transfers whose sockets are ready, where
	 * curl_multi_poll + curl_multi_perform looked at (and polled) every
	 * transfer each time.
	 */
	int epoll;
	int watched;		/* the caller's descriptor in the set; -1: none */
	long long timer_us;	/* when curl wants its timeout action; -1: never */
	bool skipped;		/* the last run did not ask the kernel */
	struct fetch_multi_fd *fds;	/* by descriptor */
	size_t n_fds;
	/*
	 * A transfer that will be retried leaves curl's multi for the wait, so
	 * it holds no connection; the next sleep is cut to the soonest retry,
	 * and the other transfers go on meanwhile. One that stops waiting (the
	 * run is stopping) is kept as ended, its last attempt the result.
	 */
	struct fetch *waiting;	/* to retry, in no order */
	struct fetch *ended;	/* stopped while waiting: results to hand out */
};

static long long fetch_multi_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* s's record, grown into when `grow`; NULL when there is none (or no memory). */
static struct fetch_multi_fd *fetch_multi_fd(struct fetch_multi *m, curl_socket_t s, bool grow)
{
	if (s < 0)
		return NULL;
	if ((size_t)s >= m->n_fds) {
		size_t n = m->n_fds ? m->n_fds : 64;
		struct fetch_multi_fd *fds;

		if (!grow)
			return NULL;
		while (n <= (size_t)s)
			n *= 2;
		fds = realloc(m->fds, n * sizeof(*fds));
		if (!fds)
			return NULL;
		memset(fds + m->n_fds, 0, (n - m->n_fds) * sizeof(*fds));
		m->fds = fds;
		m->n_fds = n;
	}
	return &m->fds[s];
}

/* Makes the set watch s for `events` (0: not at all). 0 or -1. */
static int fetch_multi_hold(struct fetch_multi *m, curl_socket_t s, struct fetch_multi_fd *d,
			    uint8_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = s };
	int op = !events ? EPOLL_CTL_DEL : d->held ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (d->held == events)
		return 0;
	d->held = events;
	if (epoll_ctl(m->epoll, op, s, &ev) == 0 || op == EPOLL_CTL_DEL)
		return 0;
	/*
	 * The set did not hold what the record said: the other way, then. A
	 * record left by a socket closed behind our back (curl 7.88 closes a
	 * connection still connecting, a happy-eyeballs loser or one timed
	 * out, without the close callback): s is not that connection, and
	 * must leave the set when curl is done with it, or its record would
	 * claim its number is watched for whatever uses it next.
	 */
	if (op == EPOLL_CTL_MOD && errno == ENOENT) {
		d->conn = false;
		return epoll_ctl(m->epoll, EPOLL_CTL_ADD, s, &ev) == 0 ? 0 : -1;
	}
	if (op == EPOLL_CTL_ADD && errno == EEXIST)
		return epoll_ctl(m->epoll, EPOLL_CTL_MOD, s, &ev) == 0 ? 0 : -1;
	return -1;
}

/* curl's wish for socket s: watch it for `what`, or no longer. */
static int fetch_multi_socket(CURL *easy, curl_socket_t s, int what, void *ctx, void *socketp)
{
	struct fetch_multi *m = ctx;
	struct fetch_multi_fd *d = fetch_multi_fd(m, s, true);

	(void)easy;
	(void)socketp;
	if (!d)
		return -1;
	d->wanted = what != CURL_POLL_REMOVE;
	/*
	 * A connection between two transfers stays in the set: the next one
	 * most likely reads it again, and its closing is heard of
	 * (fetch_multi_close()). A wake-up for it meanwhile takes it out.
	 */
	if (!d->wanted)
		return d->conn ? 0 : fetch_multi_hold(m, s, d, 0);
	return fetch_multi_hold(m, s, d, ((what & CURL_POLL_IN) ? EPOLLIN : 0) |
					 ((what & CURL_POLL_OUT) ? EPOLLOUT : 0));
}

/* curl opened s for a connection. */
static int fetch_multi_opened(void *ctx, curl_socket_t s, curlsocktype purpose)
{
	struct fetch_multi_fd *d = fetch_multi_fd(ctx, s, true);

	(void)purpose;
	if (!d)
		return CURL_SOCKOPT_ERROR;
	/* what the set held under this number left it when its last holder closed */
	*d = (struct fetch_multi_fd){ .conn = true };
	return CURL_SOCKOPT_OK;
}

/* curl closes a connection's socket s: it leaves the set first. */
static int fetch_multi_close(void *ctx, curl_socket_t s)
{
	struct fetch_multi *m = ctx;
	struct fetch_multi_fd *d = fetch_multi_fd(m, s, false);

	if (d) {
		fetch_multi_hold(m, s, d, 0);
		*d = (struct fetch_multi_fd){ 0 };
	}
	return close(s);
}

/* curl's wish for a timeout action in timeout_ms (-1: none). */
static int fetch_multi_timer(CURLM *multi, long timeout_ms, void *ctx)
{
	struct fetch_multi *m = ctx;

	(void)multi;
	m->timer_us = timeout_ms < 0 ? -1 : fetch_multi_now_us() + timeout_ms * 1000LL;
	return 0;
}

struct fetch_multi *fetch_multi_new(unsigned transfers)
{
	struct fetch_multi *m = calloc(1, sizeof(*m));
	unsigned rc = 0;	/* any non-zero CURLMcode sticks */

	if (!m)
		return NULL;
	m->watched = -1;
	m->timer_us = -1;
	m->epoll = epoll_create1(EPOLL_CLOEXEC);
	if (m->epoll < 0)
		goto out_free;
	m->multi = curl_multi_init();
	if (!m->multi)
		goto out_close;
	rc |= curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, fetch_multi_socket);
	rc |= curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	rc |= curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, fetch_multi_timer);
	rc |= curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	/* a connection for every transfer stays open between pages, or they churn */
	rc |= curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, (long)(transfers ? transfers : 1));
	/*
	 * One transfer per connection, as a worker thread has: multiplexing would
	 * queue a page behind another's body on one socket.
	 */
	rc |= curl_multi_setopt(m->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
	if (rc != 0)
		goto out_cleanup;
	return m;

out_cleanup:
	curl_multi_cleanup(m->multi);
out_close:
	close(m->epoll);
out_free:
	free(m);
	return NULL;
}

void fetch_multi_free(struct fetch_multi *m)
{
	if (!m)
		return;
	curl_multi_cleanup(m->multi);
	close(m->epoll);
	free(m->fds);
	free(m);
}

int fetch_multi_add(struct fetch_multi *m, struct fetch *f, void *owner)
{
	unsigned rc = 0;	/* any non-zero CURLcode sticks */

	if (!f->started)
		return -1;
	f->owner = owner;
	/* the connection it makes keeps these, in whichever transfer reuses it */
	rc |= curl_easy_setopt(f->curl, CURLOPT_PRIVATE, (char *)f);
	rc |= curl_easy_setopt(f->curl, CURLOPT_SOCKOPTFUNCTION, fetch_multi_opened);
	rc |= curl_easy_setopt(f->curl, CURLOPT_SOCKOPTDATA, m);
	rc |= curl_easy_setopt(f->curl, CURLOPT_CLOSESOCKETFUNCTION, fetch_multi_close);
	rc |= curl_easy_setopt(f->curl, CURLOPT_CLOSESOCKETDATA, m);
	if (rc != 0 || curl_multi_add_handle(m->multi, f->curl) != CURLM_OK)
		return -1;
	return 0;
}

/* Takes f out of the list *head; false if it is not there. */
static bool fetch_multi_unlink(struct fetch **head, struct fetch *f)
{
	for (struct fetch **p = head; *p; p = &(*p)->next) {
		if (*p == f) {
			*p = f->next;
			f->next = NULL;
			return true;
		}
	}
	return false;
}

void fetch_multi_drop(struct fetch_multi *m, struct fetch *f)
{
	if (!fetch_multi_unlink(&m->waiting, f) && !fetch_multi_unlink(&m->ended, f))
		curl_multi_remove_handle(m->multi, f->curl);
	f->sink = NULL;
	f->owner = NULL;
	f->started = false;
}

bool fetch_multi_waiting(const struct fetch_multi *m)
{
	return m->waiting != NULL;
}

/*
 * The sleep, cut to curl's timer (rounded up: woken early, curl would find
 * nothing due and not set its timer again) and to the soonest retry; none
 * at all when a result waits.
 */
static int fetch_multi_sleep(const struct fetch_multi *m, int max_ms)
{
	long long now = fetch_now_ms();

	if (m->ended)
		return 0;
	if (m->timer_us >= 0) {
		long long left = m->timer_us - fetch_multi_now_us();

		if (left <= 0)
			return 0;
		if ((left + 999) / 1000 < max_ms)
			max_ms = (int)((left + 999) / 1000);
	}
	for (const struct fetch *f = m->waiting; f; f = f->next) {
		if (f->due_ms <= now)
			return 0;
		if (f->due_ms - now < max_ms)
			max_ms = (int)(f->due_ms - now);
	}
	return max_ms;
}

/*
 * Starts the retries that are due; a transfer whose run is stopping ends
 * instead. -1 if curl refused one back.
 */
static int fetch_multi_wake(struct fetch_multi *m)
{
	long long now = fetch_now_ms();
	struct fetch **p = &m->waiting;

	while (*p) {
		struct fetch *f = *p;
		bool stop = fetch_stopping(f);

		if (!stop && f->due_ms > now) {
			p = &f->next;
			continue;
		}
		*p = f->next;
		f->next = NULL;
		if (stop) {
			f->next = m->ended;
			m->ended = f;
			continue;
		}
		fetch_retry_again(f);
		if (curl_multi_add_handle(m->multi, f->curl) != CURLM_OK) {
			f->next = m->ended;
			m->ended = f;
			return -1;
		}
	}
	return 0;
}

/* Puts the caller's descriptor fd in the set in place of the last one (-1: none). */
static int fetch_multi_watch(struct fetch_multi *m, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (fd == m->watched)
		return 0;
	if (m->watched >= 0)
		epoll_ctl(m->epoll, EPOLL_CTL_DEL, m->watched, NULL);
	m->watched = -1;
	if (fd >= 0 && epoll_ctl(m->epoll, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -1;
	m->watched = fd;
	return 0;
}

static int fetch_multi_mask(uint32_t events)
{
	return ((events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
	       ((events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
	       ((events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
}

int fetch_multi_run(struct fetch_multi *m, int fd, int max_ms)
{
	struct epoll_event ev[FETCH_MULTI_EVENTS];
	CURLMcode rc = CURLM_OK;
	locale_t old;
	int running, n, sleep_ms;

	if (fetch_multi_watch(m, fd) < 0)
		return -1;
	sleep_ms = fetch_multi_sleep(m, max_ms);
	/*
	 * With curl due at once (a transfer just added), the sockets can wait
	 * for the next run: a transfer's start costs no empty epoll_wait then.
	 * Never twice in a row, so they are always heard.
	 */
	m->skipped = sleep_ms == 0 && !m->skipped;
	n = m->skipped ? 0 : epoll_wait(m->epoll, ev, FETCH_MULTI_EVENTS, sleep_ms);
	if (n < 0 && errno != EINTR)
		return -1;
	if (m->waiting && fetch_multi_wake(m) < 0)
		return -1;
	/* host names are looked up in here: international ones need UTF-8 (fetch.c) */
	old = fetch_utf8_enter();
	for (int i = 0; i < n && rc == CURLM_OK; i++) {
		int s = ev[i].data.fd;
		struct fetch_multi_fd *d = fetch_multi_fd(m, s, false);

		if (s == m->watched)
			continue;
		/* an idle connection: closed by its server, most likely; curl checks it before reuse */
		if (d && !d->wanted)
			fetch_multi_hold(m, s, d, 0);
		else
			rc = curl_multi_socket_action(m->multi, s, fetch_multi_mask(ev[i].events),
						      &running);
	}
	/*
	 * A transfer just added (or retried) is due at once. The action uses
	 * the timer up: curl 7.88 tells of its next one, but not that there is
	 * none (it forgets its last call first), and a timer left in the past
	 * would make every sleep 0 until the next transfer starts.
	 */
	if (rc == CURLM_OK && m->timer_us >= 0 && m->timer_us <= fetch_multi_now_us()) {
		m->timer_us = -1;
		rc = curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	fetch_utf8_leave(old);
	return rc == CURLM_OK ? 0 : -1;
}

/* Hands out f's result: its owner. */
static void *fetch_multi_give(struct fetch *f, CURLcode rc, struct fetch_result *res)
{
	void *owner = f->owner;

	fetch_finish(f, rc, res);
	f->owner = NULL;
	return owner;
}

void *fetch_multi_done(struct fetch_multi *m, struct fetch_result *res)
{
	struct fetch *f = NULL;
	long long wait;
	CURLMsg *msg;
	CURLcode rc;
	int left;

	if (m->ended) {
		f = m->ended;
		m->ended = f->next;
		f->next = NULL;
		return fetch_multi_give(f, f->last_rc, res);
	}
	for (;;) {
		do {
			msg = curl_multi_info_read(m->multi, &left);
			if (!msg)
				return NULL;
		} while (msg->msg != CURLMSG_DONE);
		/* msg dies with the removal: keep what it says first */
		rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&f);
		curl_multi_remove_handle(m->multi, f->curl);
		wait = fetch_retry_wait(f, rc);
		if (wait < 0)
			return fetch_multi_give(f, rc, res);
		/* its owner hears of it only once it has ended for good */
		f->last_rc = rc;
		/* the clock counts whole milliseconds: one more keeps the wait as long as asked */
		f->due_ms = fetch_now_ms() + wait + 1;
		f->next = m->waiting;
		m->waiting = f;
	}
}
