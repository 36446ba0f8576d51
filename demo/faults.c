/* faults.c -- the demo site's /fault/ routes: misbehaviour on purpose, every one bounded in time */
#include "faults.h"
#include "conn.h"
#include "faultgen.h"
#include "pages.h"
#include "sitegen.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

/* Enough for every small page a fault route sends. */
#define SMALL_PAGE 1024

/* 1 keep the connection, 0 close it, -1 no such route (the route table's contract). */
typedef int fault_fn(struct demo_conn *c, const struct http_request *req, const char *arg,
		     size_t len);

static long long fault_deadline(struct demo_conn *c)
{
	return demo_now_ms() + (long long)c->site->cfg->fault_s * 1000;
}

static int reply_small(struct demo_conn *c, const struct http_request *req, int status,
		       const char *title, unsigned links, const char *extra)
{
	char body[SMALL_PAGE];
	size_t len = faultgen_small_page(body, sizeof(body), title, links);

	return conn_reply(c, req, status, DEMO_HTML_TYPE, body, len, extra);
}

/* Sends only a head, for a body the route streams itself. 0 or CONN_*. */
static int send_head(struct demo_conn *c, const struct http_request *req, int status,
		     const char *type, long long length, const char *extra)
{
	struct http_response resp = {
		.status = status,
		.content_type = type,
		.content_length = length,
		.extra = extra,
		.keep_alive = false,
	};
	char head[512];
	size_t len = conn_head(c, req, head, sizeof(head), &resp);

	return conn_send_buf(c, head, len, demo_now_ms() + CONN_WRITE_MS);
}

/* Sends `total` bytes cycling through block (ULLONG_MAX: until the deadline). */
static int send_cycle(struct demo_conn *c, const char *block, size_t block_len,
		      unsigned long long total, long long deadline)
{
	while (total > 0) {
		size_t n = total < block_len ? (size_t)total : block_len;
		int rc;

		if (demo_now_ms() >= deadline)
			return CONN_TIMEOUT;
		rc = conn_send_buf(c, block, n, deadline);
		if (rc < 0)
			return rc;
		if (total != ULLONG_MAX)
			total -= n;
	}
	return 0;
}

/* Fills buf with as many whole copies of unit as fit in cap; their length. */
static size_t fill_units(char *buf, size_t cap, const char *unit)
{
	size_t ulen = strlen(unit), len = 0;

	while (len + ulen <= cap) {
		memcpy(buf + len, unit, ulen);
		len += ulen;
	}
	return len;
}

static int fault_status(struct demo_conn *c, const struct http_request *req, const char *arg,
			size_t len)
{
	char title[32];
	unsigned code;

	if (http_parse_uint(arg, len, &code) < 0 || code < 200 || code > 599)
		return -1;
	snprintf(title, sizeof(title), "Status %u", code);
	return reply_small(c, req, (int)code, title, 0, NULL);
}

static int redirect(struct demo_conn *c, const struct http_request *req, const char *location)
{
	char extra[128];

	snprintf(extra, sizeof(extra), "Location: %s\r\n", location);
	return reply_small(c, req, 302, "Redirect", 0, extra);
}

static int fault_redirect(struct demo_conn *c, const struct http_request *req, const char *arg,
			  size_t len)
{
	char location[64];
	unsigned hops;

	if (http_parse_uint(arg, len, &hops) < 0)
		return -1;
	if (hops == 0)
		return demo_serve_page(c, req, 0);
	if (hops == 1)
		return redirect(c, req, "/page/0.html");
	snprintf(location, sizeof(location), "/fault/redirect/%u", hops - 1);
	return redirect(c, req, location);
}

/*
 * A loop through N URLs: /fault/redirect-loop/N is the first, and
 * /fault/redirect-loop/N/I (0 < I < N) the others, each a 302 to the next,
 * the last back to the first. N = 1 is a redirect to itself.
 */
static int fault_redirect_loop(struct demo_conn *c, const struct http_request *req,
			       const char *arg, size_t len)
{
	const char *slash = memchr(arg, '/', len);
	size_t nlen = slash ? (size_t)(slash - arg) : len;
	unsigned n, i = 0, next;
	char location[64];

	if (http_parse_uint(arg, nlen, &n) < 0 || n < 1 || n > 1000)
		return -1;
	if (slash && (http_parse_uint(slash + 1, len - nlen - 1, &i) < 0 || i < 1 || i >= n))
		return -1;
	next = (i + 1) % n;
	if (next == 0)
		snprintf(location, sizeof(location), "/fault/redirect-loop/%u", n);
	else
		snprintf(location, sizeof(location), "/fault/redirect-loop/%u/%u", n, next);
	return redirect(c, req, location);
}

/* A close-delimited body, one byte every 500 ms. */
static int fault_drip(struct demo_conn *c, const struct http_request *req, const char *arg,
		      size_t len)
{
	static const char text[] = "<!DOCTYPE html>\n<html><head><title>Drip</title></head>"
				   "<body><p>drip drip drip drip drip drip drip drip</p>\n";
	long long start = demo_now_ms(), deadline = fault_deadline(c);

	(void)arg, (void)len;
	if (send_head(c, req, 200, DEMO_HTML_TYPE, -1, NULL) < 0 || req->method == HTTP_HEAD)
		return 0;
	for (unsigned i = 0;; i++) {
		long long next = start + 500LL * (i + 1);

		if (conn_send_buf(c, &text[i % (sizeof(text) - 1)], 1, deadline) < 0 ||
		    next >= deadline || conn_sleep(c, next) < 0)
			return 0;
	}
}

static int fault_stall(struct demo_conn *c, const struct http_request *req, const char *arg,
		       size_t len)
{
	(void)arg, (void)len;
	if (send_head(c, req, 200, DEMO_HTML_TYPE, 1000, NULL) == 0 && req->method != HTTP_HEAD)
		conn_sleep(c, fault_deadline(c));
	return 0;
}

static int fault_silent(struct demo_conn *c, const struct http_request *req, const char *arg,
			size_t len)
{
	(void)req, (void)arg, (void)len;
	c->status = 0;
	conn_sleep(c, fault_deadline(c));
	return 0;
}

static int fault_no_reply(struct demo_conn *c, const struct http_request *req, const char *arg,
			  size_t len)
{
	(void)req, (void)arg, (void)len;
	c->status = 0;
	return 0;
}

static int fault_bad_status(struct demo_conn *c, const struct http_request *req,
			    const char *arg, size_t len)
{
	static const char answer[] = "HTTQ/9.9 999 Nope\r\nContent-Type: text/html\r\n\r\n"
				     "<html><head><title>Nope</title></head><body>nope</body></html>\n";

	(void)req, (void)arg, (void)len;
	c->status = 999;
	conn_send_buf(c, answer, sizeof(answer) - 1, demo_now_ms() + CONN_WRITE_MS);
	return 0;
}

/* A status line and half a header, then the connection closed: a head never ended. */
static int fault_cut_head(struct demo_conn *c, const struct http_request *req,
			  const char *arg, size_t len)
{
	static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: text/ht";

	(void)req, (void)arg, (void)len;
	c->status = 200;
	conn_send_buf(c, answer, sizeof(answer) - 1, demo_now_ms() + CONN_WRITE_MS);
	return 0;
}

/*
 * 5,000 of 100,000 promised bytes, then a RST. The bytes are left to reach
 * the client first (send queue empty, then a moment), so it sees exactly them.
 */
static int fault_reset(struct demo_conn *c, const struct http_request *req, const char *arg,
		       size_t len)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long long deadline = demo_now_ms() + 2000;
	char *body = conn_scratch(c);
	int queued;

	(void)arg, (void)len;
	if (!body || send_head(c, req, 200, DEMO_HTML_TYPE, 100000, NULL) < 0)
		return 0;
	if (req->method != HTTP_HEAD) {
		fill_units(body, 5000, "<p>reset</p>\n");
		memset(body + 4992, ' ', 8);
		if (conn_send_buf(c, body, 5000, deadline) < 0)
			return 0;
		while (ioctl(c->fd, SIOCOUTQ, &queued) == 0 && queued > 0 &&
		       conn_sleep(c, demo_now_ms() + 5) == 0 && demo_now_ms() < deadline)
			;
		conn_sleep(c, demo_now_ms() + 50);
	}
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	return 0;
}

static int fault_truncated(struct demo_conn *c, const struct http_request *req,
			   const char *arg, size_t len)
{
	(void)arg, (void)len;
	if (send_head(c, req, 200, DEMO_HTML_TYPE, 100, NULL) == 0 && req->method != HTTP_HEAD)
		conn_send_buf(c, "<html><hea", 10, demo_now_ms() + CONN_WRITE_MS);
	return 0;
}

/* Chunks of 64 KiB of unit, forever: only the client or the fault time limit ends it. */
static int send_endless(struct demo_conn *c, const struct http_request *req, const char *unit)
{
	char *chunk = conn_scratch(c);
	size_t n;

	if (!chunk ||
	    send_head(c, req, 200, DEMO_HTML_TYPE, -1, "Transfer-Encoding: chunked\r\n") < 0 ||
	    req->method == HTTP_HEAD)
		return 0;
	memcpy(chunk, "10000\r\n", 7);
	n = fill_units(chunk + 7, 65536, unit);
	memset(chunk + 7 + n, '\n', 65536 - n);
	memcpy(chunk + 7 + 65536, "\r\n", 2);
	send_cycle(c, chunk, 7 + 65536 + 2, ULLONG_MAX, fault_deadline(c));
	return 0;
}

static int fault_endless(struct demo_conn *c, const struct http_request *req, const char *arg,
			 size_t len)
{
	(void)arg, (void)len;
	return send_endless(c, req, "<p>endless</p>\n");
}

/* Links and nothing between them (32 bytes each, so no filler either): no text node ever. */
static int fault_endless_links(struct demo_conn *c, const struct http_request *req,
			       const char *arg, size_t len)
{
	(void)arg, (void)len;
	return send_endless(c, req, "<a href=\"/page/0.html\" id=x></a>");
}

static int fault_huge(struct demo_conn *c, const struct http_request *req, const char *arg,
		      size_t len)
{
	char *zeros = conn_scratch(c);

	(void)arg, (void)len;
	if (!zeros || send_head(c, req, 200, "application/octet-stream", 10737418240LL, NULL) < 0 ||
	    req->method == HTTP_HEAD)
		return 0;
	memset(zeros, 0, SITEGEN_MAX_BYTES);
	send_cycle(c, zeros, SITEGEN_MAX_BYTES, ULLONG_MAX, fault_deadline(c));
	return 0;
}

static int fault_gzip_bomb(struct demo_conn *c, const struct http_request *req,
			   const char *arg, size_t len)
{
	(void)arg, (void)len;
	return conn_reply(c, req, 200, DEMO_HTML_TYPE, c->site->bomb, c->site->bomb_len,
			  "Content-Encoding: gzip\r\n");
}

static int fault_binary(struct demo_conn *c, const struct http_request *req, const char *arg,
			size_t len)
{
	(void)arg, (void)len;
	return conn_reply(c, req, 200, DEMO_HTML_TYPE, c->site->binary, FAULTGEN_BINARY_BYTES,
			  NULL);
}

/* Streamed: the opening and closing tags come from two blocks of whole tags. */
static int fault_deep(struct demo_conn *c, const struct http_request *req, const char *arg,
		      size_t len)
{
	unsigned depth = http_query_uint(req, "depth", FAULTGEN_DEEP_DEFAULT);
	long long deadline = demo_now_ms() + CONN_WRITE_MS;
	char *open_tags = conn_scratch(c), *close_tags;
	size_t olen, clen;
	long long length;

	(void)arg, (void)len;
	if (depth > FAULTGEN_DEEP_MAX)
		depth = FAULTGEN_DEEP_MAX;
	if (!open_tags)
		return conn_reply_error(c, req, 500);
	close_tags = open_tags + SITEGEN_MAX_BYTES / 2;
	olen = fill_units(open_tags, SITEGEN_MAX_BYTES / 2, "<div>");
	clen = fill_units(close_tags, SITEGEN_MAX_BYTES / 2, "</div>");
	length = (long long)faultgen_deep_length(depth);
	if (send_head(c, req, 200, DEMO_HTML_TYPE, length, NULL) < 0 || req->method == HTTP_HEAD)
		return 0;
	if (conn_send_buf(c, FAULTGEN_DEEP_HEAD, sizeof(FAULTGEN_DEEP_HEAD) - 1, deadline) < 0 ||
	    send_cycle(c, open_tags, olen, 5ULL * depth, deadline) < 0 ||
	    conn_send_buf(c, FAULTGEN_DEEP_LINK, sizeof(FAULTGEN_DEEP_LINK) - 1, deadline) < 0 ||
	    send_cycle(c, close_tags, clen, 6ULL * depth, deadline) < 0)
		return 0;
	conn_send_buf(c, FAULTGEN_DEEP_TAIL, sizeof(FAULTGEN_DEEP_TAIL) - 1, deadline);
	return 0;
}

static int fault_latin1(struct demo_conn *c, const struct http_request *req, const char *arg,
			size_t len)
{
	char body[SMALL_PAGE];
	size_t n = faultgen_small_page(body, sizeof(body), "Caf\xe9 Z\xfcrich", 2);

	(void)arg, (void)len;
	return conn_reply(c, req, 200, "text/html; charset=iso-8859-1", body, n, NULL);
}

/* ISO-8859-1 with the five bytes windows-1252 lacks before the title and between the links. */
static int fault_latin1_c1(struct demo_conn *c, const struct http_request *req,
			   const char *arg, size_t len)
{
	static const char body[] = "<!DOCTYPE html>\n<html><head>\x81<title>Caf\xe9 \x8d"
				   "Z\xfcrich</title></head>\n<body>\x8f<a href=\"/page/0.html\">"
				   "\x90one</a>\x9d<a href=\"/page/1.html\">two</a>\x81\x8d\x8f"
				   "\x90\x9d<a href=\"/page/2.html\">three</a></body></html>\n";

	(void)arg, (void)len;
	return conn_reply(c, req, 200, "text/html; charset=iso-8859-1", body, sizeof(body) - 1,
			  NULL);
}

/* A status line that starts like HTTP but has no status code. */
static int fault_garbage_status(struct demo_conn *c, const struct http_request *req,
				const char *arg, size_t len)
{
	static const char answer[] = "HTTP/1.1 abc def\r\nContent-Type: text/html\r\n"
				     "Content-Length: 4\r\n\r\nnope";

	(void)req, (void)arg, (void)len;
	c->status = 999;
	conn_send_buf(c, answer, sizeof(answer) - 1, demo_now_ms() + CONN_WRITE_MS);
	return 0;
}

/*
 * 2 MiB of response head: one header line; with lines=1, 2,048 lines of
 * 1 KiB; with status=1, a status line that long.
 */
static int fault_huge_header(struct demo_conn *c, const struct http_request *req,
			     const char *arg, size_t len)
{
	static const char tail[] = "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	long long deadline = demo_now_ms() + CONN_WRITE_MS;
	bool lines = http_query_uint(req, "lines", 0) != 0;
	const char *head = http_query_uint(req, "status", 0) ? "HTTP/1.1 200 " :
			   lines ? "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" :
				   "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Huge: ";
	char *block = conn_scratch(c);
	size_t n;

	(void)arg, (void)len;
	if (!block)
		return conn_reply_error(c, req, 500);
	c->status = 200;
	if (lines) {
		/* whole lines of 1,024 bytes, so every cut of the cycle falls between two */
		for (n = 0; n + 1024 <= SITEGEN_MAX_BYTES; n += 1024) {
			memcpy(block + n, "X-Pad: ", 7);
			memset(block + n + 7, 'a', 1024 - 9);
			memcpy(block + n + 1022, "\r\n", 2);
		}
	} else {
		n = SITEGEN_MAX_BYTES;
		memset(block, 'a', n);
	}
	if (conn_send_buf(c, head, strlen(head), deadline) < 0 ||
	    send_cycle(c, block, n, 2u << 20, deadline) < 0)
		return 0;
	conn_send_buf(c, tail + (lines ? 2 : 0), sizeof(tail) - 1 - (lines ? 2 : 0), deadline);
	return 0;
}

/* A chunked body whose second chunk size is not hexadecimal. */
static int fault_bad_chunk(struct demo_conn *c, const struct http_request *req,
			   const char *arg, size_t len)
{
	static const char body[] = "6\r\n<html>\r\nzz\r\n<title>x</title>\r\n0\r\n\r\n";

	(void)arg, (void)len;
	if (send_head(c, req, 200, DEMO_HTML_TYPE, -1, "Transfer-Encoding: chunked\r\n") == 0 &&
	    req->method != HTTP_HEAD)
		conn_send_buf(c, body, sizeof(body) - 1, demo_now_ms() + CONN_WRITE_MS);
	return 0;
}

/* A 302 to an international host name of loopback, raw UTF-8 in the Location. */
static int fault_redirect_idn(struct demo_conn *c, const struct http_request *req,
			      const char *arg, size_t len)
{
	const char *port = strrchr(c->site->authority, ':');
	char location[96];

	(void)arg, (void)len;
	snprintf(location, sizeof(location), "http://b\xc3\xbc" "cher.localhost:%s/page/0.html",
		 port ? port + 1 : "80");
	return redirect(c, req, location);
}

static int fault_empty(struct demo_conn *c, const struct http_request *req, const char *arg,
		       size_t len)
{
	(void)arg, (void)len;
	return conn_reply(c, req, 200, DEMO_HTML_TYPE, "", 0, NULL);
}

/* Plain text that looks like HTML: a crawler must not take its title or links. */
static int fault_not_html(struct demo_conn *c, const struct http_request *req,
			  const char *arg, size_t len)
{
	static const char text[] = "<title>Not a title</title>\n"
				   "<a href=\"/page/0.html\">not a link</a>\n"
				   "This is text/plain.\n";

	(void)arg, (void)len;
	return conn_reply(c, req, 200, "text/plain; charset=utf-8", text, sizeof(text) - 1, NULL);
}

static int fault_slow(struct demo_conn *c, const struct http_request *req, const char *arg,
		      size_t len)
{
	unsigned ms = http_query_uint(req, "ms", 1000);

	(void)arg, (void)len;
	if (ms > 60000)
		ms = 60000;
	if (conn_sleep(c, demo_now_ms() + ms) < 0)
		return 0;
	return reply_small(c, req, 200, "Slow page", 3, NULL);
}

static int fault_csv_title(struct demo_conn *c, const struct http_request *req,
			   const char *arg, size_t len)
{
	(void)arg, (void)len;
	return reply_small(c, req, 200, "Commas, \"quotes\"\nand more", 1, NULL);
}

static int fault_formula(struct demo_conn *c, const struct http_request *req, const char *arg,
			 size_t len)
{
	(void)arg, (void)len;
	return reply_small(c, req, 200, "=HYPERLINK(\"http://127.0.0.1/\",\"x\")", 1, NULL);
}

/*
 * A <base href> of 9,000 bytes, longer than a crawler keeps: its relative
 * link has no URL (a base cut short would give it another one), its
 * absolute link is /page/1.html.
 */
static int fault_long_base(struct demo_conn *c, const struct http_request *req,
			   const char *arg, size_t len)
{
	enum { LONG_BASE = 9000 };
	static const char head[] = "<!DOCTYPE html>\n<html><head><title>Long base</title>\n"
				   "<base href=\"/fault/";
	char authority[NET_ADDRSTR_LEN], page[LONG_BASE + 512];
	size_t n = sizeof(head) - 1;

	(void)arg, (void)len;
	/* only a Host safe to write into a link */
	if (req->host && req->host_len < sizeof(authority) &&
	    http_host_plain(req->host, req->host_len)) {
		memcpy(authority, req->host, req->host_len);
		authority[req->host_len] = '\0';
	} else {
		snprintf(authority, sizeof(authority), "%s", c->local);
	}
	memcpy(page, head, n);
	memset(page + n, 'b', LONG_BASE);
	n += LONG_BASE;
	n += (size_t)snprintf(page + n, sizeof(page) - n,
			      "/\">\n</head><body>\n<a href=\"x.html\">beyond 8 KiB</a>\n"
			      "<a href=\"http://%s/page/1.html\">absolute</a>\n</body></html>\n",
			      authority);
	return conn_reply(c, req, 200, DEMO_HTML_TYPE, page, n, NULL);
}

/*
 * A 404 page under /fault/missing/ whose relative link leads one level
 * deeper, to another 404 (a soft-404 trap): a crawler that follows the
 * links of error pages goes down to its depth limit.
 */
static int fault_missing(struct demo_conn *c, const struct http_request *req, const char *arg,
			 size_t len)
{
	static const char page[] = "<!DOCTYPE html>\n<html><head><title>Not found</title></head>"
				   "<body><a href=\"more/\">more</a></body></html>\n";

	(void)arg, (void)len;
	return conn_reply(c, req, 404, DEMO_HTML_TYPE, page, sizeof(page) - 1, NULL);
}

static const struct {
	const char *name;
	bool prefix;		/* the rest of the path is the argument */
	fault_fn *serve;
	const char *location;	/* without serve: a 302 there */
} faults[] = {
	{ "status/", true, fault_status, NULL },
	{ "redirect/", true, fault_redirect, NULL },
	{ "redirect-loop", false, NULL, "/fault/redirect-loop" },
	{ "redirect-loop/", true, fault_redirect_loop, NULL },
	{ "redirect-file", false, NULL, "file:///etc/passwd" },
	{ "redirect-ftp", false, NULL, "ftp://127.0.0.1:1/" },
	{ "drip", false, fault_drip, NULL },
	{ "stall", false, fault_stall, NULL },
	{ "silent", false, fault_silent, NULL },
	{ "no-reply", false, fault_no_reply, NULL },
	{ "bad-status", false, fault_bad_status, NULL },
	{ "cut-head", false, fault_cut_head, NULL },
	{ "reset", false, fault_reset, NULL },
	{ "truncated", false, fault_truncated, NULL },
	{ "endless", false, fault_endless, NULL },
	{ "endless-links", false, fault_endless_links, NULL },
	{ "huge", false, fault_huge, NULL },
	{ "gzip-bomb", false, fault_gzip_bomb, NULL },
	{ "binary", false, fault_binary, NULL },
	{ "deep", false, fault_deep, NULL },
	{ "latin1", false, fault_latin1, NULL },
	{ "latin1-c1", false, fault_latin1_c1, NULL },
	{ "garbage-status", false, fault_garbage_status, NULL },
	{ "huge-header", false, fault_huge_header, NULL },
	{ "bad-chunk", false, fault_bad_chunk, NULL },
	{ "redirect-idn", false, fault_redirect_idn, NULL },
	{ "empty", false, fault_empty, NULL },
	{ "not-html", false, fault_not_html, NULL },
	{ "slow", false, fault_slow, NULL },
	{ "csv-title", false, fault_csv_title, NULL },
	{ "formula", false, fault_formula, NULL },
	{ "long-base", false, fault_long_base, NULL },
	{ "missing/", true, fault_missing, NULL },
};

int demo_fault(struct demo_conn *c, const struct http_request *req, const char *name,
	       size_t len)
{
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		size_t flen = strlen(faults[i].name);

		if (faults[i].prefix ? len <= flen : len != flen)
			continue;
		if (memcmp(name, faults[i].name, flen) != 0)
			continue;
		if (!faults[i].serve)
			return redirect(c, req, faults[i].location);
		return faults[i].serve(c, req, name + flen, len - flen);
	}
	return -1;
}
