/* http.h -- the demo site's HTTP/1.x request parser, readers of what it parsed, response heads */
#ifndef CRAWLPOOL_DEMO_HTTP_H
#define CRAWLPOOL_DEMO_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* Largest request head (request line and headers); larger ones get 431. */
#define HTTP_MAX_HEAD 16384u
/* Largest request body a GET or HEAD may carry; it is read and dropped. */
#define HTTP_MAX_BODY 65536u

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

/* A parsed request head; the pointers point into the caller's buffer. */
struct http_request {
	enum http_method method;
	const char *method_name;
	size_t method_len;
	int minor;		/* HTTP/1.minor */
	bool keep_alive;	/* what the client asked for, with the version's default */
	const char *path;	/* origin-form path, without the query */
	size_t path_len;
	const char *query;	/* after '?', or NULL */
	size_t query_len;
	const char *host;	/* Host header value, or NULL */
	size_t host_len;
	size_t body_len;	/* Content-Length of the request body */
	size_t head_len;	/* bytes of the head, blank line included */
};

/*
 * Parses the request head at the start of buf[0..len). Returns 1 when a
 * complete head was parsed into req, 0 when more bytes are needed, or the
 * negated HTTP status to answer with before closing: -400 malformed, -413
 * body too large, -431 head too large, -501 transfer coding, -505 version.
 */
int http_parse(const char *buf, size_t len, struct http_request *req);

/* Parses a decimal number of at most 9 digits, no sign, no leading zero. 0 or -1. */
int http_parse_uint(const char *s, size_t len, unsigned *out);

/*
 * The first query parameter `name`, written "name" or "name=value": its
 * value (maybe empty) and true, or false when absent.
 */
bool http_query_param(const struct http_request *req, const char *name, const char **value,
		      size_t *vlen);

/* The first value of `name` that http_parse_uint() takes, or dflt when there is none. */
unsigned http_query_uint(const struct http_request *req, const char *name, unsigned dflt);

/*
 * Whether a Host value (len bytes) is fit to write into a link: not empty,
 * only a host name or [v6] address and an optional port. The caller bounds its length.
 */
bool http_host_plain(const char *host, size_t len);

/* Reason phrase of a status code ("Not Found"), "Unknown" if it has none. */
const char *http_reason(int status);

/* Everything a response head says. */
struct http_response {
	int status;
	const char *content_type;	/* NULL: no Content-Type */
	long long content_length;	/* < 0: no Content-Length */
	const char *extra;		/* more header lines, each ending "\r\n", or NULL */
	bool keep_alive;
	int minor;			/* the request's HTTP/1.minor */
};

/* Room for an HTTP date "Sun, 06 Nov 1994 08:49:37 GMT" and its NUL. */
#define HTTP_DATE_LEN 32

/*
 * Formats the response head into buf (cap bytes) with the given Date value.
 * Returns its length, or 0 if it does not fit.
 */
size_t http_format_head(char *buf, size_t cap, const struct http_response *r, const char *date);

/* Formats the current time for the Date header. */
void http_date(char out[HTTP_DATE_LEN]);

#endif
