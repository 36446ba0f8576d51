/* fetch_internal.h -- struct fetch and its start/finish steps, shared by the blocking and the multi path */
#ifndef CRAWLPOOL_FETCH_INTERNAL_H
#define CRAWLPOOL_FETCH_INTERNAL_H

#include <curl/curl.h>
#include <locale.h>

#include "fetch.h"

struct fetch {
	CURL *curl;
	struct fetch_options opts;
	const struct fetch_sink *sink;
	void *owner;			/* the multi path's caller, see fetch_multi_add() */
	unsigned long long bytes;
	size_t head_bytes;		/* of the current response's head */
	bool begun;
	bool too_large;
	bool head_too_large;
	bool sink_failed;
	bool abandoned;
	bool started;			/* fetch_start() ran and no result was taken yet */
	char errbuf[CURL_ERROR_SIZE];
	char final_url[FETCH_URL_MAX];
	char location[FETCH_URL_MAX];
	struct curl_slist *resolve;	/* the --resolve entries, set on the handle */
	char content_type[FETCH_TYPE_MAX];
	char error[128];
};

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
