/* fetch_multi.c -- many fetch handles at once on one thread, over one curl multi handle and its connection pool */
#include <poll.h>
#include <stdlib.h>

#include "fetch_internal.h"

/*
 * A transfer that will be retried leaves curl's multi for the wait, so it
 * holds no connection; the loop's next sleep is cut to the soonest retry,
 * and the other transfers go on meanwhile. One that stops waiting (the run
 * is stopping) is kept as ended, its last attempt the result.
 */
struct fetch_multi {
	CURLM *multi;
	struct fetch *waiting;	/* to retry, in no order */
	struct fetch *ended;	/* stopped while waiting: results to hand out */
};

struct fetch_multi *fetch_multi_new(unsigned transfers)
{
	struct fetch_multi *m = calloc(1, sizeof(*m));
	unsigned rc = 0;	/* any non-zero CURLMcode sticks */

	if (!m)
		return NULL;
	m->multi = curl_multi_init();
	if (!m->multi)
		goto out_free;
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
out_free:
	free(m);
	return NULL;
}

void fetch_multi_free(struct fetch_multi *m)
{
	if (!m)
		return;
	curl_multi_cleanup(m->multi);
	free(m);
}

int fetch_multi_add(struct fetch_multi *m, struct fetch *f, void *owner)
{
	if (!f->started)
		return -1;
	f->owner = owner;
	if (curl_easy_setopt(f->curl, CURLOPT_PRIVATE, (char *)f) != CURLE_OK ||
	    curl_multi_add_handle(m->multi, f->curl) != CURLM_OK)
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

/* The sleep, cut to the soonest retry; none at all when a result waits. */
static int fetch_multi_sleep(const struct fetch_multi *m, int max_ms)
{
	long long now = fetch_now_ms();

	if (m->ended)
		return 0;
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
		bool stop = f->opts.stopping && f->opts.stopping(f->opts.stopping_ctx);

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

int fetch_multi_run(struct fetch_multi *m, int fd, int max_ms)
{
	struct curl_waitfd extra = { .fd = fd, .events = POLLIN };
	CURLMcode rc;
	locale_t old;
	int running;

	/* curl sleeps less than max_ms when one of its own timers is due sooner */
	if (curl_multi_poll(m->multi, &extra, fd >= 0 ? 1 : 0, fetch_multi_sleep(m, max_ms),
			    NULL) != CURLM_OK)
		return -1;
	if (m->waiting && fetch_multi_wake(m) < 0)
		return -1;
	/* host names are looked up in here: international ones need UTF-8 (fetch.c) */
	old = fetch_utf8_enter();
	rc = curl_multi_perform(m->multi, &running);
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
