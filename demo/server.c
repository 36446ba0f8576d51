/* server.c -- the demo site's listener: accepts, runs a thread per connection, stops on a signal */
#include "conn.h"
#include "crawlsite.h"
#include "faultgen.h"
#include "hoststats.h"
#include "netutil.h"
#include "session.h"
#include "site.h"
#include "sitegen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LISTEN_BACKLOG 1024
/* Connection threads do little on their stack; buffers live on the heap. */
#define CONN_STACK (512 * 1024)
/* When accept() runs out of descriptors, stop accepting this long. */
#define ACCEPT_PAUSE_MS 100
/* With --port 0 and several hosts, times a whole set of listeners is tried on a new port. */
#define BIND_ATTEMPTS 8

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

/* --- connections -------------------------------------------------------- */

static void *conn_thread(void *arg)
{
	struct demo_conn *c = arg;
	struct demo_site *site = c->site;
	uint64_t one = 1;

	session_serve(c);
	close(c->fd);
	c->fd = -1;
	pthread_mutex_lock(&site->lock);
	c->next = site->done;
	site->done = c;
	pthread_mutex_unlock(&site->lock);
	if (write(site->reap_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow; the listener reaps on its next wake-up anyway */
	}
	return NULL;
}

/* Joins and frees the connections whose threads have finished. */
static void reap(struct demo_site *site)
{
	struct demo_conn *c;
	uint64_t count;

	if (read(site->reap_fd, &count, sizeof(count)) < 0) {
		/* EAGAIN: nothing new since the last read; the list decides */
	}
	pthread_mutex_lock(&site->lock);
	c = site->done;
	site->done = NULL;
	for (struct demo_conn *d = c; d; d = d->next)
		site->active--;
	pthread_mutex_unlock(&site->lock);
	while (c) {
		struct demo_conn *next = c->next;

		pthread_join(c->thread, NULL);
		free(c->scratch);
		free(c);
		c = next;
	}
}

/* A clear answer for a client we cannot take: 503 and close. */
static void refuse(struct demo_site *site, int fd, const char *why)
{
	char msg[512], drain[4096];
	int n = snprintf(msg, sizeof(msg),
			 "HTTP/1.1 503 Service Unavailable\r\nServer: crawlpool-demo\r\n"
			 "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
			 "Retry-After: 1\r\nConnection: close\r\n\r\ndemo-site: %s\n",
			 strlen(why) + 12, why);

	if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && site->cfg->verbose)
		fprintf(stderr, "demo-site: cannot send refusal: %s\n", strerror(errno));
	shutdown(fd, SHUT_WR);
	/* a request already here would turn the close into a RST */
	while (recv(fd, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	close(fd);
}

static void start_conn(struct demo_site *site, int fd, const pthread_attr_t *attr,
		       const struct sockaddr_storage *addr, socklen_t alen)
{
	static long long last_warning;
	struct sockaddr_storage local;
	struct demo_conn *c;
	int one = 1;
	bool full;

	pthread_mutex_lock(&site->lock);
	full = site->active >= site->cfg->max_conns;
	pthread_mutex_unlock(&site->lock);
	if (full) {
		char why[80];

		snprintf(why, sizeof(why), "too many connections (limit %u)", site->cfg->max_conns);
		if (!site->cfg->quiet && demo_now_ms() - last_warning >= 1000) {
			fprintf(stderr, "demo-site: refusing connections: %s\n", why);
			last_warning = demo_now_ms();
		}
		refuse(site, fd, why);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		refuse(site, fd, "out of memory");
		return;
	}
	c->fd = fd;
	c->site = site;
	net_addr_string((const struct sockaddr *)addr, alen, c->peer);
	alen = sizeof(local);
	if (getsockname(fd, (struct sockaddr *)&local, &alen) == 0)
		net_addr_string((const struct sockaddr *)&local, alen, c->local);
	/* responses go out in one write; small writes (drip) must not wait for ACKs */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_mutex_lock(&site->lock);
	site->active++;
	pthread_mutex_unlock(&site->lock);
	if (pthread_create(&c->thread, attr, conn_thread, c) != 0) {
		pthread_mutex_lock(&site->lock);
		site->active--;
		pthread_mutex_unlock(&site->lock);
		free(c);
		refuse(site, fd, "cannot start a thread");
	}
}

/* Accepts every pending connection. Returns false if accept() ran out of descriptors. */
static bool accept_all(struct demo_site *site, int lfd, const pthread_attr_t *attr)
{
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t alen = sizeof(addr);
		int fd = accept4(lfd, (struct sockaddr *)&addr, &alen, SOCK_CLOEXEC);

		if (fd >= 0) {
			start_conn(site, fd, attr, &addr, alen);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			if (!site->cfg->quiet)
				fprintf(stderr, "demo-site: accept failed: %s\n", strerror(errno));
			return false;
		}
		return true;
	}
}

/* --- setup -------------------------------------------------------------- */

static bool is_loopback(const struct sockaddr_storage *addr)
{
	if (addr->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (addr->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* Resolves every --host: each must be a loopback address, none listed twice. 0 or -1. */
static int check_hosts(const struct demo_config *cfg)
{
	struct sockaddr_storage addr[DEMO_MAX_HOSTS];
	char err[NET_ERR_LEN];

	for (unsigned i = 0; i < cfg->n_hosts; i++) {
		socklen_t alen;

		if (net_resolve(cfg->hosts[i], 0, SOCK_STREAM, &addr[i], &alen, err) < 0) {
			fprintf(stderr, "demo-site: %s\n", err);
			return -1;
		}
		if (!is_loopback(&addr[i])) {
			fprintf(stderr, "demo-site: refusing to listen on '%s': not a loopback address\n",
				cfg->hosts[i]);
			return -1;
		}
		for (unsigned j = 0; j < i; j++) {
			if (addr[j].ss_family == addr[i].ss_family &&
			    memcmp(&addr[j], &addr[i], alen) == 0) {
				fprintf(stderr, "demo-site: --host '%s' is the address of '%s' again\n",
					cfg->hosts[i], cfg->hosts[j]);
				return -1;
			}
		}
	}
	return 0;
}

static int open_listener(const char *host, unsigned short port, char *err)
{
	int fd = net_tcp_listen(host, port, LISTEN_BACKLOG, err);

	if (fd < 0)
		return -1;
	if (net_set_nonblock(fd, true) < 0) {
		snprintf(err, NET_ERR_LEN, "cannot make the listener on '%s' non-blocking: %s", host,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void close_all(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
}

/*
 * Listens on every --host, all on one port. With --port 0 the first address
 * picks it; when another address has that port taken, the whole set starts
 * again on a new one. 0, or -1 after saying why on stderr.
 */
static int open_listeners(const struct demo_config *cfg, int *fds)
{
	char err[NET_ERR_LEN];

	if (check_hosts(cfg) < 0)
		return -1;
	for (unsigned attempt = 1;; attempt++) {
		unsigned short port = cfg->port;
		unsigned i;
		int saved;

		for (i = 0; i < cfg->n_hosts; i++) {
			fds[i] = open_listener(cfg->hosts[i], port, err);
			if (fds[i] < 0)
				break;
			if (i == 0)
				port = (unsigned short)net_local_port(fds[0]);
		}
		if (i == cfg->n_hosts)
			return 0;
		saved = errno;
		close_all(fds, i);
		if (cfg->port != 0 || i == 0 || saved != EADDRINUSE || attempt == BIND_ATTEMPTS) {
			fprintf(stderr, "demo-site: %s\n", err);
			return -1;
		}
	}
}

/*
 * Writes the port atomically: a reader sees no file or the whole number, and a
 * symlink planted at path is replaced, not followed (see net_write_file_atomic).
 */
static int write_port_file(const char *path, int port)
{
	char text[16], err[NET_ERR_LEN];
	int n = snprintf(text, sizeof(text), "%d\n", port);

	if (net_write_file_atomic(path, text, (size_t)n, err) < 0) {
		fprintf(stderr, "demo-site: port file: %s\n", err);
		return -1;
	}
	return 0;
}

static int site_init(struct demo_site *site, const struct demo_config *cfg, int lfd)
{
	struct sockaddr_storage addr;
	socklen_t alen = sizeof(addr);

	memset(site, 0, sizeof(*site));
	site->cfg = cfg;
	site->stop_fd = site->reap_fd = -1;
	if (pthread_mutex_init(&site->lock, NULL) != 0)
		return -1;
	if (getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
		return -1;
	net_addr_string((struct sockaddr *)&addr, alen, site->authority);
	snprintf(site->origin, sizeof(site->origin), "http://%s", site->authority);
	site->stop_fd = eventfd(0, EFD_CLOEXEC);
	site->reap_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (site->stop_fd < 0 || site->reap_fd < 0)
		return -1;
	if (demo_cache_init(&site->cache, cfg->pages, cfg->cache_bytes) < 0)
		return -1;
	site->index_len = sitegen_index_render(cfg->pages, &site->index);
	site->bomb_len = faultgen_gzip_bomb(&site->bomb);
	site->binary = malloc(FAULTGEN_BINARY_BYTES);
	if (!site->index || !site->bomb || !site->binary)
		return -1;
	faultgen_binary(site->binary);
	return 0;
}

/* Per-host counts and the crawl-test routes; an unreadable robots file is the user's to see. */
static int site_init_crawl(struct demo_site *site, int lfd)
{
	char err[NET_ERR_LEN];

	site->stats = hoststats_new();
	if (!site->stats) {
		fprintf(stderr, "demo-site: out of memory\n");
		return -1;
	}
	site->crawl = crawlsite_new(site->cfg, (unsigned short)net_local_port(lfd), err,
				    sizeof(err));
	if (!site->crawl) {
		fprintf(stderr, "demo-site: %s\n", err);
		return -1;
	}
	return 0;
}

static void site_release(struct demo_site *site)
{
	crawlsite_free(site->crawl);
	hoststats_free(site->stats);
	demo_cache_release(&site->cache);
	free(site->index);
	free(site->bomb);
	free(site->binary);
	if (site->stop_fd >= 0)
		close(site->stop_fd);
	if (site->reap_fd >= 0)
		close(site->reap_fd);
	pthread_mutex_destroy(&site->lock);
}

/* SIGPIPE ignored; SIGINT and SIGTERM blocked except while the listener waits in ppoll. */
static void setup_signals(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
}

/* --- the loop ----------------------------------------------------------- */

static void serve(struct demo_site *site, const int *lfds, unsigned n, const sigset_t *waitmask)
{
	const struct timespec pause = { 0, ACCEPT_PAUSE_MS * 1000000L };
	struct pollfd p[DEMO_MAX_HOSTS + 1];
	pthread_attr_t attr;
	long long resume_at = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CONN_STACK);
	while (!stop_signal) {
		bool paused = resume_at > demo_now_ms();

		p[0] = (struct pollfd){ .fd = site->reap_fd, .events = POLLIN };
		for (unsigned i = 0; i < n; i++)
			p[i + 1] = (struct pollfd){ .fd = paused ? -1 : lfds[i], .events = POLLIN };
		if (ppoll(p, n + 1, paused ? &pause : NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "demo-site: poll failed: %s\n", strerror(errno));
			break;
		}
		if (p[0].revents)
			reap(site);
		for (unsigned i = 0; i < n; i++)
			if ((p[i + 1].revents & POLLIN) && !accept_all(site, lfds[i], &attr))
				resume_at = demo_now_ms() + ACCEPT_PAUSE_MS;
	}
	pthread_attr_destroy(&attr);
}

/* Wakes every connection (their waits watch stop_fd) and joins them all. */
static void stop_connections(struct demo_site *site)
{
	uint64_t one = 1;

	if (write(site->stop_fd, &one, sizeof(one)) < 0)
		fprintf(stderr, "demo-site: cannot signal connections: %s\n", strerror(errno));
	for (;;) {
		struct pollfd p = { .fd = site->reap_fd, .events = POLLIN };
		unsigned active;

		reap(site);
		pthread_mutex_lock(&site->lock);
		active = site->active;
		pthread_mutex_unlock(&site->lock);
		if (active == 0)
			break;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
	}
}

/* One line per address: "demo-site listening on http://127.0.0.1:8931/". */
static void print_listening(const int *lfds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_storage addr;
		socklen_t alen = sizeof(addr);
		char name[NET_ADDRSTR_LEN] = "?";

		if (getsockname(lfds[i], (struct sockaddr *)&addr, &alen) == 0)
			net_addr_string((struct sockaddr *)&addr, alen, name);
		printf("demo-site listening on http://%s/\n", name);
	}
	fflush(stdout);
}

int demo_server_run(const struct demo_config *cfg)
{
	struct demo_site site;
	sigset_t waitmask;
	int lfds[DEMO_MAX_HOSTS];
	int rc = -1;

	setup_signals(&waitmask);
	if (open_listeners(cfg, lfds) < 0)
		return -1;
	if (site_init(&site, cfg, lfds[0]) < 0) {
		fprintf(stderr, "demo-site: cannot set up the site: %s\n", strerror(errno));
		goto out_site;
	}
	if (site_init_crawl(&site, lfds[0]) < 0)
		goto out_site;
	if (cfg->port_file && write_port_file(cfg->port_file, net_local_port(lfds[0])) < 0)
		goto out_site;
	print_listening(lfds, cfg->n_hosts);
	serve(&site, lfds, cfg->n_hosts, &waitmask);
	close_all(lfds, cfg->n_hosts);
	stop_connections(&site);
	if (cfg->port_file)
		unlink(cfg->port_file);
	if (!cfg->quiet)
		fprintf(stderr, "demo-site: stopped on signal %d\n", (int)stop_signal);
	rc = 0;
out_site:
	if (lfds[0] >= 0)
		close_all(lfds, cfg->n_hosts);
	site_release(&site);
	return rc;
}
