/* fetch.c -- a libcurl easy handle with every limit set: body streaming, timings, short error causes */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_internal.h"

#ifndef CURL_WRITEFUNC_ERROR
#define CURL_WRITEFUNC_ERROR 0xFFFFFFFF
#endif

int fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t fetch_write(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct fetch *f = userdata;
	size_t len = size * nmemb;

	if (!f->begun) {
		char *type = NULL;

		f->begun = true;
		curl_easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &type);
		if (f->sink && f->sink->begin)
			f->sink->begin(f->sink->ctx, type);
	}
	/* MAXFILESIZE misses bodies of unknown length and decoded bombs: count here */
	if (len > f->opts.max_size - f->bytes) {
		f->too_large = true;
		return CURL_WRITEFUNC_ERROR;
	}
	f->bytes += len;
	if (f->sink && f->sink->data && f->sink->data(f->sink->ctx, buf, len) < 0) {
		f->sink_failed = true;
		return CURL_WRITEFUNC_ERROR;
	}
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
	/* 7.88 follows ftp:// redirects and redirects forever unless told */
	rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, o->max_redirects > 0 ? 1L : 0L);
	rc |= curl_easy_setopt(c, CURLOPT_MAXREDIRS, o->max_redirects);
	rc |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	rc |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	rc |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall_s);
	rc |= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_size);
	rc |= curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	rc |= curl_easy_setopt(c, CURLOPT_USERAGENT,
			       o->user_agent ? o->user_agent : "crawlpool/" CRAWLPOOL_VERSION);
	if (o->abandoned) {
		rc |= curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, fetch_xferinfo);
		rc |= curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
		rc |= curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	return rc == 0 ? 0 : -1;
}

struct fetch *fetch_new(const struct fetch_options *opts)
{
	struct fetch *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->opts = *opts;
	f->curl = curl_easy_init();
	if (!f->curl)
		goto out_free;
	if (fetch_setup(f) < 0)
		goto out_cleanup;
	return f;

out_cleanup:
	curl_easy_cleanup(f->curl);
out_free:
	free(f);
	return NULL;
}

void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	curl_easy_cleanup(f->curl);
	free(f);
}

static long fetch_os_errno(struct fetch *f)
{
	long err = 0;

	curl_easy_getinfo(f->curl, CURLINFO_OS_ERRNO, &err);
	return err;
}

static const char *fetch_redirect_error(struct fetch *f)
{
	char *next = NULL, *here = NULL;

	curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_URL, &next);
	curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &here);
	if (next && here && strcmp(next, here) == 0)
		return "redirect loop";
	snprintf(f->error, sizeof(f->error), "too many redirects (over %ld)", f->opts.max_redirects);
	return f->error;
}

/* libcurl says "Failure when receiving data from the peer"; a row says "connection reset". */
static const char *fetch_error(struct fetch *f, CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_WRITE_ERROR:
		if (f->too_large)
			return "too large";
		return f->sink_failed ? "body rejected" : "write error";
	case CURLE_FILESIZE_EXCEEDED:
		return "too large";
	case CURLE_TOO_MANY_REDIRECTS:
		return fetch_redirect_error(f);
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* 7.88 also reports a garbage status line (HTTP/0.9) this way */
		if (strstr(f->errbuf, "HTTP/0.9"))
			return "bad response";
		return "protocol not allowed";
	case CURLE_URL_MALFORMAT:
		return "invalid URL";
	case CURLE_COULDNT_RESOLVE_HOST:
		return "host not found";
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "proxy not found";
	case CURLE_COULDNT_CONNECT:
		switch (fetch_os_errno(f)) {
		case ECONNREFUSED:
			return "connection refused";
		case ENETUNREACH:
		case EHOSTUNREACH:
			return "host unreachable";
		default:
			return "could not connect";
		}
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		if (fetch_os_errno(f) == ECONNRESET || strstr(f->errbuf, "reset"))
			return "connection reset";
		return rc == CURLE_RECV_ERROR ? "receive failed" : "send failed";
	case CURLE_PARTIAL_FILE:
		return "truncated body";
	case CURLE_GOT_NOTHING:
		return "empty reply";
	case CURLE_WEIRD_SERVER_REPLY:
		return "bad response";
	case CURLE_BAD_CONTENT_ENCODING:
		return "bad content encoding";
	case CURLE_ABORTED_BY_CALLBACK:
		return "interrupted";
	case CURLE_PEER_FAILED_VERIFICATION:
		return "tls certificate not trusted";
	case CURLE_SSL_CONNECT_ERROR:
		return "tls handshake failed";
	case CURLE_OUT_OF_MEMORY:
		/* 7.88 uses this code for an endless header too */
		return strstr(f->errbuf, "header") ? "headers too large" : "out of memory";
	default:
		snprintf(f->error, sizeof(f->error), "%s", curl_easy_strerror(rc));
		f->error[0] = (char)tolower((unsigned char)f->error[0]);
		return f->error;
	}
}

/* Copies a header-derived string, dropping control bytes a row must not carry. */
static const char *fetch_keep(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	if (!src)
		return NULL;
	for (; *src && n + 1 < size; src++)
		if ((unsigned char)*src >= 0x20 && *src != 0x7f)
			dst[n++] = *src;
	dst[n] = '\0';
	return dst;
}

static long long fetch_time(struct fetch *f, CURLINFO what)
{
	curl_off_t t = 0;

	if (curl_easy_getinfo(f->curl, what, &t) != CURLE_OK)
		return -1;
	return (long long)t;
}

int fetch_start(struct fetch *f, const char *url, const struct fetch_sink *sink)
{
	f->sink = sink;
	f->bytes = 0;
	f->begun = f->too_large = f->sink_failed = f->abandoned = false;
	f->errbuf[0] = '\0';
	f->started = curl_easy_setopt(f->curl, CURLOPT_URL, url) == CURLE_OK;
	return f->started ? 0 : -1;
}

void fetch_finish(struct fetch *f, CURLcode rc, struct fetch_result *res)
{
	char *final_url = NULL, *type = NULL;

	memset(res, 0, sizeof(*res));
	res->ok = rc == CURLE_OK;
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(f->curl, CURLINFO_REDIRECT_COUNT, &res->redirects);
	curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &final_url);
	curl_easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &type);
	res->final_url = fetch_keep(f->final_url, sizeof(f->final_url), final_url);
	res->content_type = fetch_keep(f->content_type, sizeof(f->content_type), type);
	res->bytes = f->bytes;
	res->ttfb_us = fetch_time(f, CURLINFO_STARTTRANSFER_TIME_T);
	if (res->ttfb_us <= 0)
		res->ttfb_us = -1;
	res->time_us = fetch_time(f, CURLINFO_TOTAL_TIME_T);
	res->error = res->ok ? NULL : fetch_error(f, rc);
	f->sink = NULL;
	f->started = false;
}

void fetch_perform(struct fetch *f, struct fetch_result *res)
{
	fetch_finish(f, curl_easy_perform(f->curl), res);
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
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host)
		verdict = "invalid URL";
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return verdict;
}
