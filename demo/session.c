/* session.c -- a demo-site connection's requests in turn: read, measure, route, keep alive */
#include "session.h"
#include "conn.h"
#include "routes.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* After an error answer, unread input is drained this long so the close is a FIN, not a RST. */
#define SESSION_LINGER_MS 1000

/*
 * Closing with unread input makes the kernel send a RST, which can destroy
 * the answer before the client reads it: half-close, then drain for a while.
 */
static void session_linger(struct demo_conn *c)
{
	long long deadline = demo_now_ms() + SESSION_LINGER_MS;
	size_t drained = 0;

	shutdown(c->fd, SHUT_WR);
	while (drained < 4 * HTTP_MAX_HEAD) {
		ssize_t n;

		c->in_len = 0;
		n = conn_recv(c, deadline);
		if (n <= 0)
			break;
		drained += (size_t)n;
	}
}

/*
 * Reads until a whole request head is in c->in. Returns 1 with req filled,
 * 0 when the connection should just close (idle, gone, stopping), or the
 * negated status to answer with.
 */
static int read_head(struct demo_conn *c, struct http_request *req)
{
	long long deadline = demo_now_ms() + (long long)c->site->cfg->idle_timeout_s * 1000;

	for (;;) {
		int rc = http_parse(c->in, c->in_len, req);
		ssize_t n;

		if (rc != 0)
			return rc;
		n = conn_recv(c, deadline);
		if (n > 0)
			continue;
		if (n == CONN_TIMEOUT && c->in_len > 0)
			return -408;
		return 0;
	}
}

/*
 * Reads and drops a request body; bytes of it already in c->in are left for
 * the caller to consume. 0, or CONN_* if it did not arrive in time.
 */
static int skip_body(struct demo_conn *c, const struct http_request *req)
{
	size_t have = c->in_len - req->head_len;
	size_t need = req->body_len > have ? req->body_len - have : 0;
	long long deadline = demo_now_ms() + (long long)c->site->cfg->idle_timeout_s * 1000;

	while (need > 0) {
		char sink[4096];
		ssize_t n = conn_read(c, sink, need < sizeof(sink) ? need : sizeof(sink), deadline);

		if (n <= 0)
			return n == 0 ? CONN_GONE : (int)n;
		need -= (size_t)n;
	}
	return 0;
}

static void log_request(struct demo_conn *c, const struct http_request *req)
{
	fprintf(stderr, "demo-site: %s %.*s %.*s%s%.*s %d\n", c->peer, (int)req->method_len,
		req->method_name, (int)req->path_len, req->path, req->query ? "?" : "",
		(int)req->query_len, req->query ? req->query : "", c->status);
}

void session_serve(struct demo_conn *c)
{
	for (;;) {
		struct http_request req;
		size_t consumed;
		bool keep;
		int rc = read_head(c, &req);

		if (rc == 0)
			return;
		if (rc < 0) {
			conn_reply_error(c, NULL, -rc);
			if (c->site->cfg->verbose)
				fprintf(stderr, "demo-site: %s bad request: %d\n", c->peer, -rc);
			session_linger(c);
			return;
		}
		if (skip_body(c, &req) < 0)
			return;
		consumed = req.head_len + req.body_len;
		if (consumed > c->in_len)
			consumed = c->in_len;
		/* measured from the head read to the answer written, a slow route's wait included */
		conn_stats_begin(c, &req);
		if (req.method == HTTP_OTHER)
			keep = conn_reply_error(c, &req, 405);
		else
			keep = demo_route(c, &req);
		/* a streamed answer (a fault route) counts until it is written */
		conn_stats_end(c);
		if (c->site->cfg->verbose)
			log_request(c, &req);
		if (!keep)
			return;
		c->in_len -= consumed;
		memmove(c->in, c->in + consumed, c->in_len);
	}
}
