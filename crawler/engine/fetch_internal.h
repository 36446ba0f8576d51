/* fetch_internal.h -- struct fetch and its start/finish steps, shared by the blocking and the multi path */
#ifndef CRAWLPOOL_FETCH_INTERNAL_H
#define CRAWLPOOL_FETCH_INTERNAL_H

#include <curl/curl.h>
#include <locale.h>
#include <stdint.h>

#include "fetch.h"
#include "fingerprint.h"

/*
 * The URLs one transfer's redirects went through (fetch_chain.c), so that
 * a loop is named as soon as a Location repeats one of them, not after
 * --max-redirects requests. Kept as fingerprints: 8 bytes a URL, at most
 * max_redirects + 1 of them, whatever the URLs' lengths.
 */
struct fetch_chain {
	CURLU *parser;		/* resolves a Location; NULL when redirects are never followed */
	struct fp_key key;
	uint64_t *seen;		/* the URLs that answered with a redirect, in order */
	size_t n, cap;
	bool following;		/* libcurl follows this transfer's redirects */
	bool redirect;		/* the response being read is a 3xx whose Location is to come */
	long loop;		/* the loop found, in redirects; 0: none */
	char *next;		/* the URL that repeated (curl_free) */
};

struct fetch {
	CURL *curl;
	struct fetch_options opts;
	long max_redirects;		/* followed by the transfer under way (fetch_follow_redirects()) */
	const struct fetch_sink *sink;
	void *owner;			/* the multi path's caller, see fetch_multi_add() */
	unsigned long long bytes;
	size_t head_bytes;		/* of the current response's head */
	bool head_ended;		/* the current response's head reached its blank line */
	bool begun;
	bool too_large;
	bool head_too_large;
	bool sink_failed;
	bool abandoned;
	bool started;			/* fetch_start() ran and no result was taken yet */
	char errbuf[CURL_ERROR_SIZE];
	char *final_url;		/* grown as needed, up to FETCH_FINAL_URL_MAX and the mark */
	size_t final_url_cap;
	char location[FETCH_URL_MAX];
	struct fetch_chain chain;
	struct curl_slist *resolve;	/* the --resolve entries, set on the handle */
	struct curl_slist *headers;	/* the -H headers, set on the handle */
	bool on_jar;			/* counted among the jar's handles */
	char content_type[FETCH_TYPE_MAX];
	char remote_ip[64];
	char error[128];
	/* --retry: the current URL's attempts */
	unsigned attempts;		/* started, the first included */
	long long first_ms;		/* when the first started (monotonic) */
	bool discard;			/* this attempt's body is not the sink's: it will be retried */
	unsigned long long seed;	/* for the jitter of the waits */
	/* the multi path: a transfer waiting to retry is out of curl's multi */
	CURLcode last_rc;		/* how its last attempt ended */
	long long due_ms;		/* when it tries again */
	struct fetch *next;		/* in the multi's list of waiting or ended transfers */
	struct fetch_multi *solo;	/* fetch_perform()'s, made at its first call */
};

/* Whether a transfer of m waits to be retried (out of curl's multi). */
bool fetch_multi_waiting(const struct fetch_multi *m);

/* The run is stopping or abandoned: no retry starts. */
bool fetch_stopping(const struct fetch *f);

/* Milliseconds of CLOCK_MONOTONIC. */
long long fetch_now_ms(void);

/*
 * After an attempt that ended with rc: how long to wait before the next
 * one, or -1 when there is none (done, not transient, out of retries or of
 * time, or the run is stopping).
 */
long long fetch_retry_wait(struct fetch *f, CURLcode rc);

/* Makes the handle ready for its next attempt of the same URL. */
void fetch_retry_again(struct fetch *f);

/* Puts curl on the jar's cookies (fetch_jar.c). 0 or -1. */
int fetch_jar_attach(struct fetch_jar *jar, CURL *curl);
/*
 * After curl_easy_cleanup() of a handle the jar had: the last one of a
 * forked worker leaves the worker's cookies in the spool.
 */
void fetch_jar_detach(struct fetch_jar *jar);

/* Room for a chain of max_redirects redirects (none when 0). 0, or -1 out of memory. */
int fetch_chain_init(struct fetch_chain *c, long max_redirects);
void fetch_chain_release(struct fetch_chain *c);
/* Forgets the URLs of the last attempt: the next one starts from the first URL again. */
void fetch_chain_restart(struct fetch_chain *c);
/*
 * Reads one line of a response head: true when it shows a redirect loop
 * (f->chain.loop, f->chain.next), and the transfer is to stop there.
 */
bool fetch_chain_header(struct fetch *f, const char *buf, size_t len);

/* Fills *res from the handle once curl has ended the transfer with rc. */
void fetch_finish(struct fetch *f, CURLcode rc, struct fetch_result *res);

/*
 * Around every curl call that may resolve a host name: a UTF-8 LC_CTYPE
 * for this thread, so international names convert (see fetch.c). Returns
 * what fetch_utf8_leave() restores.
 */
locale_t fetch_utf8_enter(void);
void fetch_utf8_leave(locale_t old);

#endif
