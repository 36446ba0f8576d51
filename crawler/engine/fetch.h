/* fetch.h -- fetch URLs over http(s) with every limit set, streaming each body to a sink: one at a time or many at once */
#ifndef CRAWLPOOL_FETCH_H
#define CRAWLPOOL_FETCH_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes kept of a Location, its NUL included; fetch_result.location_cut says when it is cut. */
#define FETCH_URL_MAX 8192
/*
 * Longest final URL carried whole: past any one Location libcurl 7.88 reads
 * (a head line, 100 KiB), so only a chain of relative redirects can go
 * further. A longer one is its first FETCH_FINAL_URL_MAX bytes, then
 * FETCH_CUT_MARK, which no URL libcurl requests holds (it has a space).
 */
#define FETCH_FINAL_URL_MAX (128u * 1024u)
#define FETCH_CUT_MARK " [cut]"
#define FETCH_TYPE_MAX 256
/* Longest response head (status line and headers) read; past it, "headers too large". */
#define FETCH_HEAD_MAX (256u * 1024u)

/* Which HTTP version a transfer asks for. */
enum fetch_http {
	FETCH_HTTP_DEFAULT,	/* libcurl's: HTTP/2 over TLS where the server offers it, else 1.1 */
	FETCH_HTTP_1_1,
	FETCH_HTTP_2,		/* also over plain http (an Upgrade: h2c offer) */
};

struct fetch_jar;

struct fetch_options {
	long timeout_ms;		/* whole transfer, redirects included */
	long connect_timeout_ms;	/* also: no byte for this long = stalled */
	unsigned long long max_size;	/* body bytes after decoding */
	long max_redirects;
	const char *user_agent;		/* NULL: crawlpool/VERSION */
	const char *const *resolve;	/* HOST:PORT:ADDR entries, as curl's --resolve */
	size_t n_resolve;
	/* Polled during a transfer; true abandons it (error "interrupted"). */
	bool (*abandoned)(void *ctx);
	void *abandoned_ctx;
	/*
	 * --retry: a transient failure (timeout, connection refused or reset,
	 * HTTP 408, 429, 500, 502, 503, 504) is tried again up to `retries`
	 * times, after retry_delay_ms doubled at each retry plus up to a quarter
	 * more at random, or after the response's Retry-After; no attempt
	 * starts later than retry_max_ms after the first one did.
	 */
	unsigned retries;
	long retry_delay_ms;
	long retry_max_ms;
	/*
	 * Polled while waiting to retry; true ends the wait, the last attempt's
	 * result kept. A handle in a forked worker polls it too: it must read a
	 * stop the parent makes after the fork (the pool's), not this process's
	 * own copy of a flag.
	 */
	bool (*stopping)(void *ctx);
	void *stopping_ctx;
	const char *const *headers;	/* "Name: value", as curl's -H ("Name:" drops a default) */
	size_t n_headers;
	const char *const *cookies;	/* "a=1; b=2" of each -b, joined into one Cookie header */
	size_t n_cookies;
	struct fetch_jar *jar;		/* cookies kept from page to page, or NULL */
	bool insecure;			/* no TLS certificate check */
	const char *cacert;		/* a CA bundle to trust instead of the system's, or NULL */
	const char *proxy;		/* NULL: the http_proxy, https_proxy, no_proxy variables */
	enum fetch_http http;
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
	/* --retry: the body begun is dropped, another attempt follows (may be NULL) */
	void (*restart)(void *ctx);
};

/* Strings stay valid until the next fetch_start() on the same handle. */
struct fetch_result {
	bool ok;			/* the transfer completed (any HTTP status) */
	long status;			/* 0 if no response */
	unsigned long long bytes;
	long long ttfb_us;		/* -1 if no byte came */
	long long time_us;
	long redirects;
	const char *final_url;		/* NULL if unknown; FETCH_CUT_MARK ends one cut */
	const char *location;		/* where a redirect not followed points; NULL if none */
	bool location_cut;		/* location is cut, at a whole character, to fit FETCH_URL_MAX */
	bool body_cut;			/* the body went past --max-size: the sink had its start */
	const char *content_type;	/* NULL if none */
	const char *error;		/* short cause, NULL when ok; see below */
	long retries;			/* attempts after the first; the rest is the last one's */
	long http_version;		/* 10, 11, 20, 30; 0 if no response */
	long long connect_us;		/* to the connection made; 0: none made */
	long long tls_us;		/* to the TLS handshake done; 0: none */
	const char *remote_ip;		/* NULL if no connection */
};

/*
 * The causes a failed transfer reports, lower-case and stable:
 *   timeout · too large · headers too large ·
 *   redirect loop (N hops) (a Location named a URL this transfer already
 *   redirected from, N redirects back) ·
 *   too many redirects (over N) · protocol not allowed · invalid URL ·
 *   invalid redirect URL · host not found · proxy not found · proxy error ·
 *   proxy refused the tunnel (N) (its answer to CONNECT) ·
 *   connection refused · host unreachable · could not connect ·
 *   connection reset · receive failed · send failed ·
 *   truncated headers (the connection closed before the head's end) ·
 *   truncated body · empty reply · bad response ·
 *   bad content encoding (libcurl could not decode it, or bytes followed its end) ·
 *   http/2 error · http/2 stream error · tls handshake failed ·
 *   tls certificate not trusted · tls certificate for another host ·
 *   tls certificate expired · tls certificates unreadable · interrupted ·
 *   out of memory ·
 *   could not start the transfer · body rejected (the sink refused it);
 *   and for any other libcurl code, "curl error N: " and
 *   libcurl's own message for it, lower-cased.
 */

struct fetch;

/* curl_global_init: once, before any thread or fork. 0 or -1. */
int fetch_global_init(void);
void fetch_global_cleanup(void);

/* One handle per visit (so per worker thread or process), kept across URLs so connections are reused. */
struct fetch *fetch_new(const struct fetch_options *opts);
/* Frees the handle; accepts NULL. It must not be in a fetch_multi. */
void fetch_free(struct fetch *f);

/*
 * Whether the next transfers follow redirects: up to max_redirects of the
 * options, or at_least if that is more (true), or none, so that a 3xx is
 * the result and its target is fetch_result.location (false: a crawl that
 * decides for itself).
 */
void fetch_follow_redirects(struct fetch *f, bool follow, long at_least);

/*
 * Whether the next transfers refuse a body whose Content-Length is over
 * max_size before it comes (true, the default), or read it up to max_size
 * and stop there, the sink holding its start (fetch_result.body_cut): for a
 * robots.txt, whose first rules count however long the rest is.
 */
void fetch_refuse_by_length(struct fetch *f, bool refuse);

/*
 * Prepares the handle's next transfer of url; sink (NULL for none) must stay
 * valid until the result is taken. Then either fetch_perform() runs it here,
 * or fetch_multi_add() runs it beside others. Returns 0, or -1 if the handle
 * itself failed.
 */
int fetch_start(struct fetch *f, const char *url, const struct fetch_sink *sink);

/* Runs the started transfer to its end, blocking; fills *res. */
void fetch_perform(struct fetch *f, struct fetch_result *res);

/*
 * Many transfers at once on one thread: a fetch_multi owns a curl multi
 * handle, so the connections of every handle added to it are kept in one
 * pool and reused by whichever handle comes next. One thread uses it.
 */
struct fetch_multi;

/* Room for up to `transfers` handles and as many idle connections. NULL on failure. */
struct fetch_multi *fetch_multi_new(unsigned transfers);
/* Frees the multi once every transfer was dropped or taken; accepts NULL. */
void fetch_multi_free(struct fetch_multi *m);

/*
 * Runs f's started transfer (fetch_start()) in m; owner comes back from
 * fetch_multi_done() with its result. Returns 0, or -1 (f is not in m).
 */
int fetch_multi_add(struct fetch_multi *m, struct fetch *f, void *owner);

/* Stops f's transfer without a result; f may then start another. */
void fetch_multi_drop(struct fetch_multi *m, struct fetch *f);

/*
 * Sleeps until a transfer has something to do, or fd (ignored if negative)
 * is readable, or max_ms pass; then moves every transfer on as far as it
 * can go without blocking. Returns 0, or -1 if curl failed.
 */
int fetch_multi_run(struct fetch_multi *m, int fd, int max_ms);

/*
 * Takes the next ended transfer out of m: fills *res and returns its owner,
 * or returns NULL when none has ended.
 */
void *fetch_multi_done(struct fetch_multi *m, struct fetch_result *res);

/*
 * Cookies shared by the handles of one process (-b, -c): one jar for every
 * thread and loop; a forked worker process works on its own copy, which it
 * leaves in the jar's spool directory when its last handle is freed, for
 * fetch_jar_save() to merge. A jar is made before any fork or thread.
 */

/*
 * A jar holding the cookies of the n files (Netscape cookie files, as curl
 * -b reads them). With spool, forked workers leave their cookies for the
 * save. NULL with err filled on failure.
 */
struct fetch_jar *fetch_jar_new(const char *const *files, size_t n, bool spool, char *err,
				size_t errlen);
/*
 * Merges what forked workers left (the one who left a cookie last wins)
 * and writes every cookie to path as a Netscape cookie file, through a
 * temporary file renamed into place. 0, or -1 with err filled.
 */
int fetch_jar_save(struct fetch_jar *jar, const char *path, char *err, size_t errlen);
/* Frees the jar and its spool; accepts NULL. After every handle using it. */
void fetch_jar_free(struct fetch_jar *jar);

/*
 * Checks that url is something fetch_start() may try: an absolute http or
 * https URL with a host, which if international (UTF-8) has an ASCII form.
 * Returns NULL, or the error a row should carry ("invalid URL", "protocol
 * not allowed" or "out of memory").
 */
const char *fetch_check_url(const char *url);

#endif
