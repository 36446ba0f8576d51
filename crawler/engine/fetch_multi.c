/* fetch_multi.c -- many fetch handles at once on one thread, over one curl multi handle and its connection pool */
#include <poll.h>
#include <stdlib.h>

#include "fetch_internal.h"

struct fetch_multi {
	CURLM *multi;
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

void fetch_multi_drop(struct fetch_multi *m, struct fetch *f)
{
	curl_multi_remove_handle(m->multi, f->curl);
	f->sink = NULL;
	f->owner = NULL;
	f->started = false;
}

int fetch_multi_run(struct fetch_multi *m, int fd, int max_ms)
{
	struct curl_waitfd extra = { .fd = fd, .events = POLLIN };
	CURLMcode rc;
	locale_t old;
	int running;

	/* curl sleeps less than max_ms when one of its own timers is due sooner */
	if (curl_multi_poll(m->multi, &extra, fd >= 0 ? 1 : 0, max_ms, NULL) != CURLM_OK)
		return -1;
	/* host names are looked up in here: international ones need UTF-8 (fetch.c) */
	old = fetch_utf8_enter();
	rc = curl_multi_perform(m->multi, &running);
	fetch_utf8_leave(old);
	return rc == CURLM_OK ? 0 : -1;
}

void *fetch_multi_done(struct fetch_multi *m, struct fetch_result *res)
{
	struct fetch *f = NULL;
	CURLMsg *msg;
	CURLcode rc;
	void *owner;
	int left;

	do {
		msg = curl_multi_info_read(m->multi, &left);
		if (!msg)
			return NULL;
	} while (msg->msg != CURLMSG_DONE);
	/* msg dies with the removal: keep what it says first */
	rc = msg->data.result;
	curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&f);
	owner = f->owner;
	curl_multi_remove_handle(m->multi, f->curl);
	fetch_finish(f, rc, res);
	f->owner = NULL;
	return owner;
}
