/* http.c -- strict HTTP/1.x request heads, the numbers and parameters in them, response heads */
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* RFC 9110 token characters. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

/* Visible ASCII: what a request target may hold. */
static bool is_vchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* Header values: visible bytes (obs-text included), spaces and tabs. */
static bool is_field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool all_of(const char *s, size_t len, bool (*ok)(unsigned char))
{
	for (size_t i = 0; i < len; i++)
		if (!ok((unsigned char)s[i]))
			return false;
	return true;
}

/* What a Host may hold to go into a link: name or [v6] address characters, and ":" for a port. */
static bool is_host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr(".-_:[]", c);
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

/* Offset just past the blank line that ends the head, or 0 if none yet. */
static size_t head_end(const char *buf, size_t len)
{
	for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + len - p))) != NULL; p++) {
		size_t at = (size_t)(p - buf) + 1;

		if (at < len && buf[at] == '\n')
			return at + 1;
		if (at + 1 < len && buf[at] == '\r' && buf[at + 1] == '\n')
			return at + 2;
	}
	return 0;
}

/* Next line of [*p, end): its start and length without CR LF; advances *p. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	const char *line = *p;
	const char *nl = memchr(line, '\n', (size_t)(end - line));

	if (!nl)
		nl = end;
	*len = (size_t)(nl - line);
	if (*len > 0 && line[*len - 1] == '\r')
		(*len)--;
	*p = nl < end ? nl + 1 : end;
	return line;
}

static int parse_target(const char *t, size_t len, struct http_request *req)
{
	const char *q;

	if (!all_of(t, len, is_vchar))
		return -400;
	/* absolute-form: drop the scheme and authority */
	if (len > 7 && strncasecmp(t, "http://", 7) == 0) {
		const char *slash = memchr(t + 7, '/', len - 7);

		if (!slash)
			slash = t + len;
		len -= (size_t)(slash - t);
		t = slash;
		if (len == 0) {
			t = "/";
			len = 1;
		}
	}
	if (len == 0 || t[0] != '/')
		return -400;
	q = memchr(t, '?', len);
	req->path = t;
	req->path_len = q ? (size_t)(q - t) : len;
	if (q) {
		req->query = q + 1;
		req->query_len = len - req->path_len - 1;
	}
	return 0;
}

static int parse_request_line(const char *line, size_t len, struct http_request *req)
{
	const char *end = line + len, *sp1, *sp2, *v;
	size_t mlen;

	sp1 = memchr(line, ' ', len);
	if (!sp1 || sp1 == line)
		return -400;
	mlen = (size_t)(sp1 - line);
	if (!all_of(line, mlen, is_tchar))
		return -400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (!sp2)
		return -400;
	v = sp2 + 1;
	if (end - v != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
	    v[7] < '0' || v[7] > '9')
		return -400;
	if (v[5] != '1')
		return -505;
	req->minor = v[7] - '0';
	req->method_name = line;
	req->method_len = mlen;
	if (mlen == 3 && memcmp(line, "GET", 3) == 0)
		req->method = HTTP_GET;
	else if (mlen == 4 && memcmp(line, "HEAD", 4) == 0)
		req->method = HTTP_HEAD;
	else
		req->method = HTTP_OTHER;
	return parse_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), req);
}

/* Applies the tokens of a Connection header. */
static void parse_connection(const char *v, size_t len, bool *close, bool *keep)
{
	while (len > 0) {
		const char *comma = memchr(v, ',', len);
		size_t tlen = comma ? (size_t)(comma - v) : len;
		const char *t = v;

		while (tlen > 0 && (*t == ' ' || *t == '\t')) {
			t++;
			tlen--;
		}
		while (tlen > 0 && (t[tlen - 1] == ' ' || t[tlen - 1] == '\t'))
			tlen--;
		if (name_is(t, tlen, "close"))
			*close = true;
		else if (name_is(t, tlen, "keep-alive"))
			*keep = true;
		if (!comma)
			break;
		len -= (size_t)(comma - v) + 1;
		v = comma + 1;
	}
}

static int parse_length(const char *v, size_t len, size_t *out)
{
	size_t n = 0;

	if (len == 0)
		return -400;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -400;
		if (n > HTTP_MAX_BODY)
			return -413;
		n = n * 10 + (size_t)(v[i] - '0');
	}
	if (n > HTTP_MAX_BODY)
		return -413;
	*out = n;
	return 0;
}

struct header_state {
	bool conn_close, conn_keep, have_length;
};

static int parse_header(const char *line, size_t len, struct http_request *req,
			struct header_state *st)
{
	const char *colon = memchr(line, ':', len);
	const char *v;
	size_t nlen, vlen;
	int rc;

	if (!colon || colon == line)
		return -400;
	nlen = (size_t)(colon - line);
	v = colon + 1;
	vlen = len - nlen - 1;
	if (!all_of(line, nlen, is_tchar) || !all_of(v, vlen, is_field_char))
		return -400;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;

	if (name_is(line, nlen, "host")) {
		if (req->host)
			return -400;
		req->host = v;
		req->host_len = vlen;
	} else if (name_is(line, nlen, "connection")) {
		parse_connection(v, vlen, &st->conn_close, &st->conn_keep);
	} else if (name_is(line, nlen, "content-length")) {
		size_t n = 0;

		rc = parse_length(v, vlen, &n);
		if (rc < 0)
			return rc;
		if (st->have_length && n != req->body_len)
			return -400;
		st->have_length = true;
		req->body_len = n;
	} else if (name_is(line, nlen, "transfer-encoding")) {
		return -501;
	}
	return 0;
}

int http_parse(const char *buf, size_t len, struct http_request *req)
{
	struct header_state st = { false, false, false };
	size_t skip = 0, end;
	const char *p, *stop, *line;
	size_t llen;
	int rc;

	/* tolerate empty lines before a request (RFC 9112 2.2) */
	while (skip < len && (buf[skip] == '\r' || buf[skip] == '\n'))
		skip++;
	end = head_end(buf + skip, len - skip);
	if (end == 0)
		return len >= HTTP_MAX_HEAD ? -431 : 0;
	if (skip + end > HTTP_MAX_HEAD)
		return -431;
	memset(req, 0, sizeof(*req));
	p = buf + skip;
	stop = p + end;
	line = next_line(&p, stop, &llen);
	rc = parse_request_line(line, llen, req);
	if (rc < 0)
		return rc;
	for (;;) {
		line = next_line(&p, stop, &llen);
		if (llen == 0)
			break;
		/* a line folded onto the previous one (obs-fold) is refused, RFC 9112 5.2 */
		if (line[0] == ' ' || line[0] == '\t')
			return -400;
		rc = parse_header(line, llen, req, &st);
		if (rc < 0)
			return rc;
	}
	req->keep_alive = req->minor >= 1 ? !st.conn_close : st.conn_keep && !st.conn_close;
	req->head_len = skip + end;
	return 1;
}

/* --- reading a parsed request ------------------------------------------- */

int http_parse_uint(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 9 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * The first parameter `name` (nlen bytes) in q..end: its value (maybe empty)
 * and where the parameters after it start; NULL when there is none.
 */
static const char *query_find(const char *q, const char *end, const char *name, size_t nlen,
			      const char **value, size_t *vlen)
{
	while (q && q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		size_t plen = (size_t)(stop - q);

		if (plen >= nlen && memcmp(q, name, nlen) == 0 && (plen == nlen || q[nlen] == '=')) {
			*value = plen == nlen ? stop : q + nlen + 1;
			*vlen = plen == nlen ? 0 : plen - nlen - 1;
			return amp ? amp + 1 : end;
		}
		q = amp ? amp + 1 : NULL;
	}
	return NULL;
}

bool http_query_param(const struct http_request *req, const char *name, const char **value,
		      size_t *vlen)
{
	const char *end = req->query ? req->query + req->query_len : NULL;

	return query_find(req->query, end, name, strlen(name), value, vlen) != NULL;
}

unsigned http_query_uint(const struct http_request *req, const char *name, unsigned dflt)
{
	const char *q = req->query, *end = q ? q + req->query_len : NULL, *v;
	size_t nlen = strlen(name), vlen;
	unsigned n;

	while ((q = query_find(q, end, name, nlen, &v, &vlen)) != NULL)
		if (http_parse_uint(v, vlen, &n) == 0)
			return n;
	return dflt;
}

bool http_host_plain(const char *host, size_t len)
{
	return len > 0 && all_of(host, len, is_host_char);
}

/* --- responses ------------------------------------------------------------ */

const char *http_reason(int status)
{
	static const struct {
		int status;
		const char *reason;
	} reasons[] = {
		{ 200, "OK" },
		{ 201, "Created" },
		{ 202, "Accepted" },
		{ 203, "Non-Authoritative Information" },
		{ 204, "No Content" },
		{ 205, "Reset Content" },
		{ 206, "Partial Content" },
		{ 300, "Multiple Choices" },
		{ 301, "Moved Permanently" },
		{ 302, "Found" },
		{ 303, "See Other" },
		{ 304, "Not Modified" },
		{ 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 402, "Payment Required" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 406, "Not Acceptable" },
		{ 408, "Request Timeout" },
		{ 409, "Conflict" },
		{ 410, "Gone" },
		{ 411, "Length Required" },
		{ 412, "Precondition Failed" },
		{ 413, "Content Too Large" },
		{ 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 416, "Range Not Satisfiable" },
		{ 418, "I'm a teapot" },
		{ 422, "Unprocessable Content" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 451, "Unavailable For Legal Reasons" },
		{ 500, "Internal Server Error" },
		{ 501, "Not Implemented" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

size_t http_format_head(char *buf, size_t cap, const struct http_response *r, const char *date)
{
	char length[48] = "";
	const char *conn = "";
	int n;

	if (r->content_length >= 0)
		snprintf(length, sizeof(length), "Content-Length: %lld\r\n", r->content_length);
	if (!r->keep_alive)
		conn = "Connection: close\r\n";
	else if (r->minor == 0)
		conn = "Connection: keep-alive\r\n";
	n = snprintf(buf, cap,
		     "HTTP/1.1 %d %s\r\nServer: crawlpool-demo\r\nDate: %s\r\n%s%s%s%s%s%s\r\n",
		     r->status, http_reason(r->status), date,
		     r->content_type ? "Content-Type: " : "",
		     r->content_type ? r->content_type : "", r->content_type ? "\r\n" : "",
		     length, conn, r->extra ? r->extra : "");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

void http_date(char out[HTTP_DATE_LEN])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, HTTP_DATE_LEN, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}
