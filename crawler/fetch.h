/* fetch.h -- fetch one URL at a time over http(s) with every limit set, streaming the body to a sink */
#ifndef CRAWLPOOL_FETCH_H
#define CRAWLPOOL_FETCH_H

#include <stdbool.h>
#include <stddef.h>

/* Longest final URL reported; a longer one is cut (the row says so). */
#define FETCH_URL_MAX 8192
#define FETCH_TYPE_MAX 256

struct fetch_options {
	long timeout_ms;		/* whole transfer, redirects included */
	long connect_timeout_ms;	/* also: no byte for this long = stalled */
	unsigned long long max_size;	/* body bytes after decoding */
	long max_redirects;
	const char *user_agent;		/* NULL: crawlpool/VERSION */
	/* Polled during a transfer; true abandons it (error "interrupted"). */
	bool (*abandoned)(void *ctx);
	void *abandoned_ctx;
};

/*
 * The body as it arrives, decoded. begin() is called once before the first
 * byte with the response's Content-Type (NULL if none); data() returns 0, or
 * -1 to abort the transfer.
 */
struct fetch_sink {
	void (*begin)(void *ctx, const char *content_type);
	int (*data)(void *ctx, const char *buf, size_t len);
	void *ctx;
};

/* Strings stay valid until the next fetch_url() on the same handle. */
struct fetch_result {
	bool ok;			/* the transfer completed (any HTTP status) */
	long status;			/* 0 if no response */
	unsigned long long bytes;
	long long ttfb_us;		/* -1 if no byte came */
	long long time_us;
	long redirects;
	const char *final_url;		/* NULL if unknown */
	const char *content_type;	/* NULL if none */
	const char *error;		/* short cause, NULL when ok */
};

struct fetch;

/* curl_global_init: once, before any thread or fork. 0 or -1. */
int fetch_global_init(void);
void fetch_global_cleanup(void);

/* One handle per worker, kept across URLs so connections are reused. */
struct fetch *fetch_new(const struct fetch_options *opts);
void fetch_free(struct fetch *f);

/* Fetches url; fills *res. Returns 0, or -1 if the handle itself failed. */
int fetch_url(struct fetch *f, const char *url, const struct fetch_sink *sink,
	      struct fetch_result *res);

/*
 * Checks that url is something fetch_url() may try: an absolute http or
 * https URL with a host. Returns NULL, or the error a row should carry.
 */
const char *fetch_check_url(const char *url);

#endif
