/* fetch_internal.h -- struct fetch and its start/finish steps, shared by the blocking and the multi path */
#ifndef CRAWLPOOL_FETCH_INTERNAL_H
#define CRAWLPOOL_FETCH_INTERNAL_H

#include <curl/curl.h>

#include "fetch.h"

struct fetch {
	CURL *curl;
	struct fetch_options opts;
	const struct fetch_sink *sink;
	void *owner;			/* the multi path's caller, see fetch_multi_add() */
	unsigned long long bytes;
	bool begun;
	bool too_large;
	bool sink_failed;
	bool abandoned;
	bool started;			/* fetch_start() ran and no result was taken yet */
	char errbuf[CURL_ERROR_SIZE];
	char final_url[FETCH_URL_MAX];
	char content_type[FETCH_TYPE_MAX];
	char error[128];
};

/* Fills *res from the handle once curl has ended the transfer with rc. */
void fetch_finish(struct fetch *f, CURLcode rc, struct fetch_result *res);

#endif
