/* conn.h -- one demo-site client connection: bounded I/O, response heads, replies, per-host counts */
#ifndef CRAWLPOOL_DEMO_CONN_H
#define CRAWLPOOL_DEMO_CONN_H

#include "http.h"
#include "netutil.h"
#include "site.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#define DEMO_HTML_TYPE "text/html; charset=utf-8"

/* A response must be written within this long, or the client is dropped. */
#define CONN_WRITE_MS 30000

/* Outcomes of waiting on a connection, besides success (0 or a byte count). */
enum {
	CONN_GONE = -1,		/* the client closed or reset, or a socket error */
	CONN_TIMEOUT = -2,	/* the deadline passed */
	CONN_STOP = -3,		/* the server is stopping */
};

struct hoststats_entry;

struct demo_conn {
	int fd;
	struct demo_site *site;
	pthread_t thread;
	struct demo_conn *next;		/* the server's list of finished connections */
	char peer[NET_ADDRSTR_LEN];
	char local[NET_ADDRSTR_LEN];	/* the address and port the client connected to */
	int status;			/* status of the last response, for --verbose */
	struct hoststats_entry *stats;	/* the request being counted, until its answer is sent */
	char *scratch;			/* SITEGEN_MAX_BYTES for pages rendered here; lazy */
	time_t date_at;
	char date[HTTP_DATE_LEN];
	size_t in_len;
	char in[HTTP_MAX_HEAD];
};

/* Milliseconds on the monotonic clock. */
long long demo_now_ms(void);

/* Reads at most len bytes into buf: bytes read, 0 at end of input, or CONN_*. */
ssize_t conn_read(struct demo_conn *c, void *buf, size_t len, long long deadline);
/* Reads more of the request into c->in: bytes read, 0 at end of input, or CONN_*. */
ssize_t conn_recv(struct demo_conn *c, long long deadline);

/* Writes every iov (modifying the array) by the deadline. 0 or CONN_*. */
int conn_send(struct demo_conn *c, struct iovec *iov, int cnt, long long deadline);
int conn_send_buf(struct demo_conn *c, const void *buf, size_t len, long long deadline);

/*
 * Sleeps until the deadline unless the client hangs up or the server stops:
 * 0 after the full wait, otherwise CONN_GONE or CONN_STOP.
 */
int conn_sleep(struct demo_conn *c, long long deadline);

/* The connection's SITEGEN_MAX_BYTES work buffer, allocated on first use; NULL if out of memory. */
char *conn_scratch(struct demo_conn *c);

/* The response head for req, formatted into buf (cap bytes); its length. */
size_t conn_head(struct demo_conn *c, const struct http_request *req, char *buf, size_t cap,
		 struct http_response *resp);

/*
 * Sends a complete response (head and, unless HEAD, body) in one write and
 * records its status. Returns true if the connection may serve another
 * request (the response says keep-alive and was sent whole).
 */
bool conn_reply(struct demo_conn *c, const struct http_request *req, int status,
		const char *type, const void *body, size_t len, const char *extra);

/* A small HTML page "<status> <reason>" with that title, Connection: close. */
bool conn_reply_error(struct demo_conn *c, const struct http_request *req, int status);

/* The path of the per-host table (crawlsite.c serves it); requests for it are not counted. */
#define CONN_STATS_PATH "/_stats"

/*
 * Per-host measurement (site->stats): begin once a request head is read;
 * the request counts as in progress until conn_reply() has its answer ready
 * to send, or until conn_stats_end() for an answer streamed some other way
 * (it does nothing when nothing is counted). The host is the Host header's
 * value, lower-cased, or the address the client connected to when there is
 * no usable Host.
 */
void conn_stats_begin(struct demo_conn *c, const struct http_request *req);
void conn_stats_end(struct demo_conn *c);

#endif
