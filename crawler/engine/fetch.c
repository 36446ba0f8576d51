/* fetch.c -- a libcurl easy handle with every limit set: body streaming, timings, short error causes */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fetch_internal.h"
#include "utf8.h"

/* libcurl's receive buffer, a handle's: most pages fit whole */
enum { FETCH_RECV_BUFFER = 64 * 1024 };

#ifndef CURL_WRITEFUNC_ERROR
#define CURL_WRITEFUNC_ERROR 0xFFFFFFFF
#endif

/*
 * libcurl 7.88 turns an international host name into its ASCII form with
 * libidn2's idn2_lookup_ul(), which reads the name in the charset of the
 * locale: under the C locale of a program that never calls setlocale(),
 * every such name fails as a malformed URL. So each call that may look a
 * host up (a transfer, a redirect, the check of a URL) runs with a UTF-8
 * LC_CTYPE on its own thread only (uselocale), the URL's bytes being UTF-8.
 * Nothing of ours in that scope depends on LC_CTYPE; without the locale,
 * such names stay "invalid URL".
 */
static locale_t fetch_utf8;

int fetch_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	fetch_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	return 0;
}

void fetch_global_cleanup(void)
{
	if (fetch_utf8) {
		freelocale(fetch_utf8);
		fetch_utf8 = (locale_t)0;
	}
	curl_global_cleanup();
}

locale_t fetch_utf8_enter(void)
{
	return fetch_utf8 ? uselocale(fetch_utf8) : (locale_t)0;
}

void fetch_utf8_leave(locale_t old)
{
	if (old)
		uselocale(old);
}

long long fetch_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

bool fetch_stopping(const struct fetch *f)
{
	return (f->opts.stopping && f->opts.stopping(f->opts.stopping_ctx)) ||
	       (f->opts.abandoned && f->opts.abandoned(f->opts.abandoned_ctx));
}

/* The statuses that say "try again later", as curl's --retry reads them. */
static bool fetch_retry_status(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
	       status == 504;
}

/* Whether another attempt may follow this one, the outcome aside. */
static bool fetch_may_retry(const struct fetch *f)
{
	return f->attempts <= f->opts.retries &&
	       fetch_now_ms() < f->first_ms + f->opts.retry_max_ms && !fetch_stopping(f);
}

/*
 * The body of a response that will be retried is not the page: the sink
 * never sees it, so a 503's page is neither parsed nor followed.
 */
static bool fetch_body_discarded(struct fetch *f)
{
	long status = 0;

	if (f->opts.retries == 0)
		return false;
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
	return fetch_retry_status(status) && fetch_may_retry(f);
}

static size_t fetch_write(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct fetch *f = userdata;
	size_t len = size * nmemb, take;

	if (!f->begun) {
		char *type = NULL;

		f->begun = true;
		f->discard = fetch_body_discarded(f);
		curl_easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &type);
		if (!f->discard && f->sink && f->sink->begin)
			f->sink->begin(f->sink->ctx, type);
	}
	/*
	 * MAXFILESIZE misses bodies of unknown length and decoded bombs: count
	 * here. The sink still gets what fits (a robots.txt is read that far,
	 * even when it all came in one piece).
	 */
	take = len < f->opts.max_size - f->bytes ? len : (size_t)(f->opts.max_size - f->bytes);
	f->bytes += take;
	if (!f->discard && take > 0 && f->sink && f->sink->data &&
	    f->sink->data(f->sink->ctx, buf, take) < 0) {
		f->sink_failed = true;
		return CURL_WRITEFUNC_ERROR;
	}
	if (take < len) {
		f->too_large = true;
		return CURL_WRITEFUNC_ERROR;
	}
	return len;
}

/*
 * Counts each response's head, so that one that never ends is cut at
 * FETCH_HEAD_MAX and reported the same whatever libcurl's own limits.
 */
static size_t fetch_header(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct fetch *f = userdata;
	size_t len = size * nmemb;

	/* a status line starts the head of the next response (a redirect's, a 1xx's) */
	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		f->head_bytes = 0;
		f->head_ended = false;
	}
	/* libcurl takes a connection closed mid-head for a whole answer: the blank line tells */
	if ((len == 2 && memcmp(buf, "\r\n", 2) == 0) || (len == 1 && buf[0] == '\n'))
		f->head_ended = true;
	f->head_bytes += len;
	if (f->head_bytes > FETCH_HEAD_MAX) {
		f->head_too_large = true;
		return 0;
	}
	/* a loop stops at its first repeat: libcurl alone would go round to --max-redirects */
	if (fetch_chain_header(f, buf, len))
		return 0;
	return len;
}

static int fetch_xferinfo(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
			  curl_off_t ultotal, curl_off_t ulnow)
{
	struct fetch *f = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (f->opts.abandoned(f->opts.abandoned_ctx)) {
		f->abandoned = true;
		return 1;
	}
	return 0;
}

/* The NAME=VALUE pairs of every -b, one Cookie header as curl joins them; libcurl copies it. */
static int fetch_setup_cookies(struct fetch *f)
{
	const struct fetch_options *o = &f->opts;
	size_t len = 1, at = 0;
	char *all;
	int rc;

	if (o->n_cookies == 0)
		return 0;
	for (size_t i = 0; i < o->n_cookies; i++)
		len += strlen(o->cookies[i]) + 2;
	all = malloc(len);
	if (!all)
		return -1;
	for (size_t i = 0; i < o->n_cookies; i++)
		at += (size_t)snprintf(all + at, len - at, "%s%s", i ? "; " : "", o->cookies[i]);
	rc = curl_easy_setopt(f->curl, CURLOPT_COOKIE, all) == CURLE_OK ? 0 : -1;
	free(all);
	return rc;
}

/* What the user asked of every request, as curl's options of the same names. */
static int fetch_setup_user(struct fetch *f)
{
	static const long versions[] = {
		[FETCH_HTTP_DEFAULT] = CURL_HTTP_VERSION_NONE,
		[FETCH_HTTP_1_1] = CURL_HTTP_VERSION_1_1,
		[FETCH_HTTP_2] = CURL_HTTP_VERSION_2_0,
	};
	const struct fetch_options *o = &f->opts;
	CURL *c = f->curl;
	unsigned rc = 0;

	/* -H: libcurl drops a default header given as "Name:" and sends the others as they are */
	for (size_t i = 0; i < o->n_headers; i++) {
		struct curl_slist *more = curl_slist_append(f->headers, o->headers[i]);

		if (!more)
			return -1;
		f->headers = more;
	}
	if (f->headers)
		rc |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, f->headers);
	if (fetch_setup_cookies(f) < 0)
		return -1;
	if (o->jar) {
		if (fetch_jar_attach(o->jar, c) < 0)
			return -1;
		f->on_jar = true;
	}
	if (o->insecure) {
		rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->cacert)
		rc |= curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	if (o->proxy)
		rc |= curl_easy_setopt(c, CURLOPT_PROXY, o->proxy);
	rc |= curl_easy_setopt(c, CURLOPT_HTTP_VERSION, versions[o->http]);
	return rc == 0 ? 0 : -1;
}

static int fetch_setup(struct fetch *f)
{
	const struct fetch_options *o = &f->opts;
	CURL *c = f->curl;
	long stall_s = (o->connect_timeout_ms + 999) / 1000;
	unsigned rc = 0;	/* any non-zero CURLcode sticks */

	if (stall_s < 1)
		stall_s = 1;
	/* threads: no SIGALRM for resolver timeouts (libcurl-thread(3)) */
	rc |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
	rc |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	rc |= curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	rc |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
	rc |= curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
	/* 7.88 follows ftp:// redirects and redirects forever unless told */
	rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, o->max_redirects > 0 ? 1L : 0L);
	rc |= curl_easy_setopt(c, CURLOPT_MAXREDIRS, o->max_redirects);
	f->chain.following = o->max_redirects > 0;
	rc |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	rc |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	rc |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall_s);
	rc |= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_size);
	rc |= curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	/*
	 * A page whole in one recv: at libcurl's 16 KiB, a median page takes
	 * two, each with a poll to ask whether more is waiting.
	 */
	rc |= curl_easy_setopt(c, CURLOPT_BUFFERSIZE, (long)FETCH_RECV_BUFFER);
	rc |= curl_easy_setopt(c, CURLOPT_USERAGENT,
			       o->user_agent ? o->user_agent : "crawlpool/" CRAWLPOOL_VERSION);
	if (o->abandoned) {
		rc |= curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_xferinfo);
		rc |= curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
		rc |= curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	/* --resolve: names pointed at addresses, checked for form by the options */
	for (size_t i = 0; i < o->n_resolve; i++) {
		struct curl_slist *more = curl_slist_append(f->resolve, o->resolve[i]);

		if (!more)
			return -1;
		f->resolve = more;
	}
	if (f->resolve)
		rc |= curl_easy_setopt(c, CURLOPT_RESOLVE, f->resolve);
	return rc == 0 && fetch_setup_user(f) == 0 ? 0 : -1;
}

struct fetch *fetch_new(const struct fetch_options *opts)
{
	struct fetch *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->opts = *opts;
	f->max_redirects = opts->max_redirects;
	/* the jitter of one handle's waits differs from its neighbours' */
	f->seed = (unsigned long long)fetch_now_ms() ^ (unsigned long long)(uintptr_t)f ^
		  ((unsigned long long)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
	/* room for the redirects a robots.txt follows too, whatever --max-redirects says */
	if (fetch_chain_init(&f->chain, opts->max_redirects > 8 ? opts->max_redirects : 8) < 0)
		goto out_free;
	f->curl = curl_easy_init();
	if (!f->curl)
		goto out_chain;
	if (fetch_setup(f) < 0)
		goto out_cleanup;
	return f;

out_cleanup:
	curl_easy_cleanup(f->curl);
	if (f->on_jar)
		fetch_jar_detach(f->opts.jar);
	curl_slist_free_all(f->resolve);
	curl_slist_free_all(f->headers);
out_chain:
	fetch_chain_release(&f->chain);
out_free:
	free(f);
	return NULL;
}

void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	/* its connections first: they are the multi's, and their sockets curl's */
	fetch_multi_free(f->solo);
	curl_easy_cleanup(f->curl);
	if (f->on_jar)
		fetch_jar_detach(f->opts.jar);
	curl_slist_free_all(f->resolve);
	curl_slist_free_all(f->headers);
	fetch_chain_release(&f->chain);
	free(f->final_url);
	free(f);
}

static long fetch_os_errno(struct fetch *f)
{
	long err = 0;

	curl_easy_getinfo(f->curl, CURLINFO_OS_ERRNO, &err);
	return err;
}

static const char *fetch_loop_error(struct fetch *f, long hops)
{
	snprintf(f->error, sizeof(f->error), "redirect loop (%ld hop%s)", hops, hops == 1 ? "" : "s");
	return f->error;
}

/*
 * fetch_chain_header() stops a loop before libcurl counts this far, unless
 * its parser refused a URL libcurl took: then libcurl's own next URL still
 * tells a redirect to itself.
 */
static const char *fetch_redirect_error(struct fetch *f)
{
	char *next = NULL, *here = NULL;

	curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_URL, &next);
	curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &here);
	if (next && here && strcmp(next, here) == 0)
		return fetch_loop_error(f, 1);
	snprintf(f->error, sizeof(f->error), "too many redirects (over %ld)", f->max_redirects);
	return f->error;
}

static bool fetch_web_url(const char *url)
{
	return url && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
}

/*
 * A failed read or write on the connection. A socket error names its
 * cause; with none, on plain http the bytes themselves were at fault (a
 * chunked body that does not parse). CURLINFO_OS_ERRNO keeps the last
 * socket error the handle ever had (7.88 never clears it, and handles are
 * reused): it is this transfer's only when curl says a socket failed now.
 */
static const char *fetch_io_error(struct fetch *f, CURLcode rc)
{
	bool socket_failed = strncmp(f->errbuf, "Recv failure", 12) == 0 ||
			     strncmp(f->errbuf, "Send failure", 12) == 0;
	long err = socket_failed ? fetch_os_errno(f) : 0, head = 0;
	char *scheme = NULL;

	/* TLS says it its own way: "OpenSSL SSL_read: Connection reset by peer, errno 104" */
	if (err == ECONNRESET || err == EPIPE || strstr(f->errbuf, "reset by peer"))
		return "connection reset";
	if (rc == CURLE_SEND_ERROR)
		return "send failed";
	/* Debian's 7.88 caps a head at 300 KiB on its own, counting redirects' heads too */
	curl_easy_getinfo(f->curl, CURLINFO_HEADER_SIZE, &head);
	if (!f->begun && head > (long)FETCH_HEAD_MAX)
		return "headers too large";
	curl_easy_getinfo(f->curl, CURLINFO_SCHEME, &scheme);
	if (!socket_failed && scheme && strcasecmp(scheme, "http") == 0)
		return "bad response";
	return "receive failed";
}

/*
 * A proxy that answered CONNECT with other than 2xx (a 407 for want of
 * credentials, a 403): 7.88 says CURLE_RECV_ERROR, as of a failed read.
 * NULL when no tunnel was refused (libcurl zeroes the code each transfer).
 */
static const char *fetch_tunnel_error(struct fetch *f)
{
	long code = 0;

	curl_easy_getinfo(f->curl, CURLINFO_HTTP_CONNECTCODE, &code);
	if (code < 300)
		return NULL;
	snprintf(f->error, sizeof(f->error), "proxy refused the tunnel (%ld)", code);
	return f->error;
}

/* A failed connect sets CURLINFO_OS_ERRNO afresh. */
static const char *fetch_connect_error(struct fetch *f)
{
	switch (fetch_os_errno(f)) {
	case ECONNREFUSED:
		return "connection refused";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "host unreachable";
	default:
		return "could not connect";
	}
}

/*
 * 7.88 also says "out of memory" of a head line (status line included)
 * over its 100 KiB, before fetch_header() ever sees the line: so it is
 * that while a response head was coming, the request being sent and no
 * body byte come yet.
 */
static const char *fetch_memory_error(struct fetch *f)
{
	long sent = 0;

	curl_easy_getinfo(f->curl, CURLINFO_REQUEST_SIZE, &sent);
	return sent > 0 && !f->begun ? "headers too large" : "out of memory";
}

/*
 * A certificate that failed verification: "not trusted" would send the
 * user to --cacert, which cures neither one for another name (libcurl's
 * own check, whatever the TLS library) nor an expired one (OpenSSL's words).
 */
static const char *fetch_certificate_error(struct fetch *f)
{
	if (strstr(f->errbuf, "target host name"))
		return "tls certificate for another host";
	if (strstr(f->errbuf, "certificate has expired"))
		return "tls certificate expired";
	return "tls certificate not trusted";
}

/* Codes that tell their cause alone, whatever the transfer's state. */
static const struct {
	CURLcode rc;
	const char *error;
} fetch_causes[] = {
	{ CURLE_FAILED_INIT, "could not start the transfer" },
	{ CURLE_COULDNT_RESOLVE_PROXY, "proxy not found" },
	{ CURLE_COULDNT_RESOLVE_HOST, "host not found" },
	{ CURLE_WEIRD_SERVER_REPLY, "bad response" },
	{ CURLE_HTTP2, "http/2 error" },
	{ CURLE_PARTIAL_FILE, "truncated body" },
	{ CURLE_OPERATION_TIMEDOUT, "timeout" },
	{ CURLE_SSL_CONNECT_ERROR, "tls handshake failed" },
	{ CURLE_ABORTED_BY_CALLBACK, "interrupted" },
	{ CURLE_GOT_NOTHING, "empty reply" },
	{ CURLE_SSL_CIPHER, "tls handshake failed" },
	{ CURLE_BAD_CONTENT_ENCODING, "bad content encoding" },
	{ CURLE_FILESIZE_EXCEEDED, "too large" },
	{ CURLE_SSL_CACERT_BADFILE, "tls certificates unreadable" },
	{ CURLE_HTTP2_STREAM, "http/2 stream error" },
	{ CURLE_PROXY, "proxy error" },
};

/* Any other code: libcurl's own words for it, lower-cased, with its number. */
static const char *fetch_other_error(struct fetch *f, CURLcode rc)
{
	for (size_t i = 0; i < sizeof(fetch_causes) / sizeof(fetch_causes[0]); i++)
		if (fetch_causes[i].rc == rc)
			return fetch_causes[i].error;
	snprintf(f->error, sizeof(f->error), "curl error %d: %s", (int)rc, curl_easy_strerror(rc));
	for (char *p = f->error; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return f->error;
}

/*
 * The short cause a row carries (fetch.h lists them all); libcurl's own
 * words mislead (a garbage status line is an "unsupported protocol").
 */
static const char *fetch_error(struct fetch *f, CURLcode rc, long status)
{
	char *url = NULL;

	switch (rc) {
	case CURLE_WRITE_ERROR:
		if (f->chain.loop)
			return fetch_loop_error(f, f->chain.loop);
		if (f->head_too_large)
			return "headers too large";
		if (f->too_large)
			return "too large";
		if (f->sink_failed)
			return "body rejected";
		/* none of our callbacks refused: libcurl's decoder did (bytes after a gzip end) */
		return "bad content encoding";
	case CURLE_TOO_MANY_REDIRECTS:
		return fetch_redirect_error(f);
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* a redirect elsewhere than http(s); or 7.88's word for a status line it cannot read */
		curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &url);
		return fetch_web_url(url) ? "bad response" : "protocol not allowed";
	case CURLE_URL_MALFORMAT:
		return status >= 300 && status < 400 ? "invalid redirect URL" : "invalid URL";
	case CURLE_COULDNT_CONNECT:
		return fetch_connect_error(f);
	case CURLE_RECV_ERROR:
		if (fetch_tunnel_error(f))
			return f->error;
		return fetch_io_error(f, rc);
	case CURLE_SEND_ERROR:
		return fetch_io_error(f, rc);
	case CURLE_OUT_OF_MEMORY:
		return fetch_memory_error(f);
	case CURLE_PEER_FAILED_VERIFICATION:
		return fetch_certificate_error(f);
	default:
		return fetch_other_error(f, rc);
	}
}

/*
 * Copies a header-derived string, dropping control bytes a row must not
 * carry. A header may hold any byte: one that is not UTF-8 becomes U+FFFD,
 * as JSON Lines shows it, so that CSV and TSV rows stay UTF-8 too; the copy
 * is cut at a whole character.
 */
static const char *fetch_keep(char *dst, size_t size, const char *src, bool *cut)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t n = 0;

	if (cut)
		*cut = false;
	if (!src)
		return NULL;
	while (*p) {
		size_t len = utf8_seq_len(p, 4);
		const char *c = len ? (const char *)p : "\xef\xbf\xbd";
		size_t clen = len ? len : 3;

		if (n + clen >= size) {
			if (cut)
				*cut = true;
			break;
		}
		if (*p >= 0x20 && *p != 0x7f) {
			memcpy(dst + n, c, clen);
			n += clen;
		}
		p += len ? len : 1;
	}
	dst[n] = '\0';
	return dst;
}

/*
 * The final URL without its control bytes, whole up to FETCH_FINAL_URL_MAX
 * bytes; a longer one is cut there and FETCH_CUT_MARK follows, so a row
 * never passes a cut URL off as one. The buffer grows to the longest URL
 * the handle met; out of memory, the URL is cut to the buffer it has.
 */
static const char *fetch_keep_final(struct fetch *f, const char *src)
{
	size_t len, keep, n = 0;

	if (!src)
		return NULL;
	len = strlen(src);
	keep = len < FETCH_FINAL_URL_MAX ? len : FETCH_FINAL_URL_MAX;
	/* room for the mark and the NUL, whether the mark is needed or not */
	if (keep + sizeof(FETCH_CUT_MARK) > f->final_url_cap) {
		size_t cap = f->final_url_cap ? f->final_url_cap : 1024;
		char *p;

		while (cap < keep + sizeof(FETCH_CUT_MARK))
			cap *= 2;
		if (cap > FETCH_FINAL_URL_MAX + sizeof(FETCH_CUT_MARK))
			cap = FETCH_FINAL_URL_MAX + sizeof(FETCH_CUT_MARK);
		p = realloc(f->final_url, cap);
		if (p) {
			f->final_url = p;
			f->final_url_cap = cap;
		} else if (f->final_url_cap == 0) {
			return NULL;
		} else {
			keep = f->final_url_cap - sizeof(FETCH_CUT_MARK);
		}
	}
	for (size_t i = 0; i < keep; i++)
		if ((unsigned char)src[i] >= 0x20 && src[i] != 0x7f)
			f->final_url[n++] = src[i];
	if (keep < len)
		memcpy(f->final_url + n, FETCH_CUT_MARK, sizeof(FETCH_CUT_MARK));
	else
		f->final_url[n] = '\0';
	return f->final_url;
}

static long long fetch_time(struct fetch *f, CURLINFO what)
{
	curl_off_t t = 0;

	if (curl_easy_getinfo(f->curl, what, &t) != CURLE_OK)
		return -1;
	return (long long)t;
}

void fetch_retry_again(struct fetch *f)
{
	if (f->attempts > 0 && f->begun && !f->discard && f->sink && f->sink->restart)
		f->sink->restart(f->sink->ctx);
	f->attempts++;
	f->bytes = 0;
	f->head_bytes = 0;
	f->head_ended = false;
	f->begun = f->too_large = f->head_too_large = f->sink_failed = f->abandoned = false;
	f->discard = false;
	f->errbuf[0] = '\0';
	fetch_chain_restart(&f->chain);
}

/* Whether the attempt that ended with rc failed in a way that may pass. */
static bool fetch_transient(struct fetch *f, CURLcode rc)
{
	long status = 0;

	switch (rc) {
	case CURLE_OK:
		curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &status);
		return fetch_retry_status(status);
	case CURLE_OPERATION_TIMEDOUT:
		return true;
	case CURLE_COULDNT_CONNECT:
		return strcmp(fetch_connect_error(f), "connection refused") == 0;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		return strcmp(fetch_io_error(f, rc), "connection reset") == 0;
	default:
		return false;
	}
}

/* xorshift64*: jitter needs no more than a spread. */
static unsigned long long fetch_random(struct fetch *f)
{
	f->seed ^= f->seed >> 12;
	f->seed ^= f->seed << 25;
	f->seed ^= f->seed >> 27;
	return f->seed * 0x2545f4914f6cdd1dull;
}

long long fetch_retry_wait(struct fetch *f, CURLcode rc)
{
	curl_off_t after = 0;
	long long left, wait;
	unsigned shift;

	if (f->opts.retries == 0 || rc == CURLE_ABORTED_BY_CALLBACK)
		return -1;
	/* a discarded body was a promise to retry, unless the run is stopping */
	if (f->discard ? fetch_stopping(f) : !fetch_may_retry(f) || !fetch_transient(f, rc))
		return -1;
	left = f->first_ms + f->opts.retry_max_ms - fetch_now_ms();
	if (left <= 0)
		return f->discard ? 0 : -1;
	if (curl_easy_getinfo(f->curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0) {
		/* the server's word, seconds or a date, cut to the time left */
		wait = after > left / 1000 ? left : (long long)after * 1000;
	} else {
		shift = f->attempts - 1 < 20 ? f->attempts - 1 : 20;
		wait = (long long)f->opts.retry_delay_ms << shift;
		wait += (long long)(fetch_random(f) % (unsigned long long)(wait / 4 + 1));
	}
	return wait < left ? wait : left;
}

int fetch_start(struct fetch *f, const char *url, const struct fetch_sink *sink)
{
	f->sink = sink;
	f->attempts = 0;
	fetch_retry_again(f);
	f->first_ms = fetch_now_ms();
	f->started = curl_easy_setopt(f->curl, CURLOPT_URL, url) == CURLE_OK;
	return f->started ? 0 : -1;
}

void fetch_follow_redirects(struct fetch *f, bool follow, long at_least)
{
	long max = f->opts.max_redirects > at_least ? f->opts.max_redirects : at_least;

	f->max_redirects = follow ? max : 0;
	curl_easy_setopt(f->curl, CURLOPT_FOLLOWLOCATION, f->max_redirects > 0 ? 1L : 0L);
	curl_easy_setopt(f->curl, CURLOPT_MAXREDIRS, f->max_redirects);
	f->chain.following = f->max_redirects > 0;
}

void fetch_refuse_by_length(struct fetch *f, bool refuse)
{
	curl_easy_setopt(f->curl, CURLOPT_MAXFILESIZE_LARGE,
			 refuse ? (curl_off_t)f->opts.max_size : (curl_off_t)0);
}

/* The facts of the --fields columns. */
static void fetch_finish_more(struct fetch *f, struct fetch_result *res)
{
	long version = 0;
	char *ip = NULL;

	res->retries = f->attempts > 0 ? (long)f->attempts - 1 : 0;
	curl_easy_getinfo(f->curl, CURLINFO_HTTP_VERSION, &version);
	switch (version) {
	case CURL_HTTP_VERSION_1_0:
		res->http_version = 10;
		break;
	case CURL_HTTP_VERSION_1_1:
		res->http_version = 11;
		break;
	case CURL_HTTP_VERSION_2_0:
		res->http_version = 20;
		break;
	case CURL_HTTP_VERSION_3:
		res->http_version = 30;
		break;
	default:
		res->http_version = 0;
	}
	res->connect_us = fetch_time(f, CURLINFO_CONNECT_TIME_T);
	res->tls_us = fetch_time(f, CURLINFO_APPCONNECT_TIME_T);
	if (curl_easy_getinfo(f->curl, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip)
		res->remote_ip = fetch_keep(f->remote_ip, sizeof(f->remote_ip), ip, NULL);
}

void fetch_finish(struct fetch *f, CURLcode rc, struct fetch_result *res)
{
	char *final_url = NULL, *type = NULL, *location = NULL;

	memset(res, 0, sizeof(*res));
	/* a head cut short by the server's close: libcurl says CURLE_OK, with no body */
	res->ok = rc == CURLE_OK && f->head_ended;
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_COUNT, &res->redirects);
	curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &final_url);
	curl_easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &type);
	res->final_url = fetch_keep_final(f, final_url);
	res->content_type = fetch_keep(f->content_type, sizeof(f->content_type), type, NULL);
	/* a loop was stopped before libcurl took its Location: the URL it repeats */
	if (f->chain.loop)
		location = f->chain.next;
	else if (res->status < 300 || res->status >= 400 ||
		 curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_URL, &location) != CURLE_OK)
		location = NULL;
	if (location) {
		res->location = fetch_keep(f->location, sizeof(f->location), location,
					   &res->location_cut);
	}
	res->bytes = f->bytes;
	res->body_cut = f->too_large;
	res->ttfb_us = fetch_time(f, CURLINFO_STARTTRANSFER_TIME_T);
	if (res->ttfb_us <= 0)
		res->ttfb_us = -1;
	res->time_us = fetch_time(f, CURLINFO_TOTAL_TIME_T);
	if (!res->ok)
		res->error = rc == CURLE_OK ? "truncated headers" : fetch_error(f, rc, res->status);
	fetch_finish_more(f, res);
	f->sink = NULL;
	f->started = false;
}

/*
 * The most a blocking transfer sleeps at once. While it runs, curl's
 * timers wake it (curl_easy_perform() slept up to a second too): a shorter
 * sleep only wakes the thread for nothing. A retry wait is cut into slices
 * short enough to feel a second Ctrl-C.
 */
enum { FETCH_RUN_MS = 1000, FETCH_WAKE_MS = 50 };

/* Ends f's transfer with rc; a multi that failed goes, and the next URL makes a new one. */
static void fetch_perform_failed(struct fetch *f, CURLcode rc, struct fetch_result *res)
{
	fetch_finish(f, rc, res);
	if (f->solo) {
		fetch_multi_drop(f->solo, f);
		fetch_multi_free(f->solo);
		f->solo = NULL;
	}
}

/*
 * A transfer of its own in a multi of its own, where curl_easy_perform()
 * would poll its socket three or four times a page: fetch_multi.c wakes on
 * epoll and tells curl which socket is ready. The multi keeps the
 * connections between URLs, as the easy handle did.
 */
void fetch_perform(struct fetch *f, struct fetch_result *res)
{
	if (!f->solo)
		f->solo = fetch_multi_new(1);
	if (!f->solo || fetch_multi_add(f->solo, f, f) < 0) {
		fetch_perform_failed(f, CURLE_OUT_OF_MEMORY, res);
		return;
	}
	while (!fetch_multi_done(f->solo, res)) {
		int max_ms = fetch_multi_waiting(f->solo) ? FETCH_WAKE_MS : FETCH_RUN_MS;

		if (fetch_multi_run(f->solo, -1, max_ms) < 0) {
			fetch_perform_failed(f, CURLE_OUT_OF_MEMORY, res);
			return;
		}
	}
}

/* An international host name must have an ASCII (punycode) form: that is what is looked up. */
static bool fetch_host_converts(CURLU *u, const char *host)
{
#ifdef CURLU_PUNYCODE
	char *ascii = NULL;
	CURLUcode rc;
	locale_t old;

	while (*host && (unsigned char)*host < 0x80)
		host++;
	if (!*host)
		return true;
	old = fetch_utf8_enter();
	rc = curl_url_get(u, CURLUPART_HOST, &ascii, CURLU_PUNYCODE);
	fetch_utf8_leave(old);
	curl_free(ascii);
	return rc == CURLUE_OK;
#else
	/* older libcurl: the transfer itself will tell */
	(void)u;
	(void)host;
	return true;
#endif
}

const char *fetch_check_url(const char *url)
{
	const char *verdict = NULL;
	char *scheme = NULL, *host = NULL;
	CURLU *u;

	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "invalid URL";
	u = curl_url();
	if (!u)
		return "out of memory";
	switch (curl_url_set(u, CURLUPART_URL, url, 0)) {
	case CURLUE_OK:
		break;
	case CURLUE_UNSUPPORTED_SCHEME:
		verdict = "protocol not allowed";
		goto out;
	default:
		verdict = "invalid URL";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		verdict = "protocol not allowed";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host ||
	    !fetch_host_converts(u, host))
		verdict = "invalid URL";
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return verdict;
}
