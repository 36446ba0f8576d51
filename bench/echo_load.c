/* echo_load.c -- echo-server load generator: C connections doing M round trips each, with epoll */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "echo_proto.h"
#include "netutil.h"
#include "numbers.h"

/* Memory is sampled this often while the load runs. */
#define LOAD_SAMPLE_MS 250
#define LOAD_LINE_MAX 65536
/* Bounds of the counts: past these, descriptors or memory run out first. */
#define LOAD_MAX_CONNS 1000000
#define LOAD_MAX_MESSAGES 1000000000
#define LOAD_MAX_MS (86400 * 1000LL)
#define LOAD_ERR_LEN 256

enum load_state { LOAD_CONNECTING, LOAD_IDLE, LOAD_SENDING, LOAD_WAITING, LOAD_DONE, LOAD_FAILED };

struct load_conn {
	int fd;
	int id;
	enum load_state state;
	unsigned done;			/* round trips completed */
	size_t sent, got;
	int64_t t_send;			/* ns, when the current line went out */
	char *line, *want, *reply;	/* each `size` bytes */
};

struct load_opts {
	char host[256];
	unsigned short port;
	unsigned conns, messages;
	size_t size;
	int server_pid;
	long long timeout_ms;
	const char *label;
};

struct load_mem {
	double rss_mib, pss_mib;	/* peaks of the sums over the server's processes */
	unsigned procs;			/* most processes seen at once */
};

struct load {
	struct load_opts o;
	struct load_conn *c;
	int epfd;
	unsigned connected, finished, errors;
	uint32_t *rtt_us;		/* one per round trip */
	size_t n_rtt;
	struct load_mem mem;
	int64_t next_sample;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Adds one process's Rss and Pss (kB) from smaps_rollup. */
static void mem_add_proc(int pid, double *rss_kb, double *pss_kb)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Rss:", 4) == 0)
			*rss_kb += atof(line + 4);
		else if (strncmp(line, "Pss:", 4) == 0)
			*pss_kb += atof(line + 4);
	}
	fclose(f);
}

/* The server and its children (process mode forks one per connection). */
static void mem_sample(struct load *l)
{
	char path[64];
	double rss = 0, pss = 0;
	unsigned procs = 1;
	char *buf;
	FILE *f;

	if (l->o.server_pid <= 0)
		return;
	mem_add_proc(l->o.server_pid, &rss, &pss);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", l->o.server_pid, l->o.server_pid);
	f = fopen(path, "re");
	buf = malloc(1 << 20);
	if (f && buf) {
		size_t n = fread(buf, 1, (1 << 20) - 1, f);
		char *p = buf, *end;

		buf[n] = '\0';
		for (long pid = strtol(p, &end, 10); end != p; pid = strtol(p, &end, 10)) {
			mem_add_proc((int)pid, &rss, &pss);
			procs++;
			p = end;
		}
	}
	if (f)
		fclose(f);
	free(buf);
	if (rss / 1024 > l->mem.rss_mib)
		l->mem.rss_mib = rss / 1024;
	if (pss / 1024 > l->mem.pss_mib)
		l->mem.pss_mib = pss / 1024;
	if (procs > l->mem.procs)
		l->mem.procs = procs;
}

static void conn_fail(struct load *l, struct load_conn *c, const char *what)
{
	if (l->errors < 10)
		fprintf(stderr, "echo-load: connection %d: %s\n", c->id, what);
	l->errors++;
	c->state = LOAD_FAILED;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	l->finished++;
}

static void conn_arm(struct load *l, struct load_conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	epoll_ctl(l->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Each line is different, so a reply that went to the wrong client would show. */
static void conn_make_line(struct load *l, struct load_conn *c)
{
	size_t size = l->o.size;
	int n = snprintf(c->line, size, "c%d m%u ", c->id, c->done);

	for (size_t i = (size_t)n; i < size - 1; i++)
		c->line[i] = (char)('a' + (i + c->done) % 26);
	c->line[size - 1] = '\n';
	memcpy(c->want, c->line, size);
	echo_upcase(c->want, size);
	c->sent = 0;
	c->got = 0;
}

static void conn_send(struct load *l, struct load_conn *c)
{
	if (c->sent == 0) {
		conn_make_line(l, c);
		c->t_send = now_ns();
	}
	while (c->sent < l->o.size) {
		ssize_t n = send(c->fd, c->line + c->sent, l->o.size - c->sent, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN) {
				c->state = LOAD_SENDING;
				conn_arm(l, c, EPOLLIN | EPOLLOUT);
				return;
			}
			conn_fail(l, c, strerror(errno));
			return;
		}
		c->sent += (size_t)n;
	}
	if (c->state == LOAD_SENDING)
		conn_arm(l, c, EPOLLIN);
	c->state = LOAD_WAITING;
}

static void conn_recv(struct load *l, struct load_conn *c)
{
	ssize_t n = recv(c->fd, c->reply + c->got, l->o.size - c->got, 0);

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		conn_fail(l, c, n == 0 ? "server closed the connection" : strerror(errno));
		return;
	}
	c->got += (size_t)n;
	if (c->got < l->o.size) {
		if (memchr(c->reply, '\n', c->got))
			conn_fail(l, c, "short reply (busy?)");
		return;
	}
	if (memcmp(c->reply, c->want, l->o.size) != 0) {
		conn_fail(l, c, "wrong reply");
		return;
	}
	l->rtt_us[l->n_rtt++] = (uint32_t)((now_ns() - c->t_send) / 1000);
	if (++c->done == l->o.messages) {
		c->state = LOAD_DONE;
		l->finished++;
		return;
	}
	c->sent = 0;
	conn_send(l, c);
}

static void conn_connected(struct load *l, struct load_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		conn_fail(l, c, strerror(err ? err : errno));
		return;
	}
	c->state = LOAD_IDLE;
	l->connected++;
	conn_arm(l, c, EPOLLIN);
}

static int load_open(struct load *l)
{
	struct sockaddr_storage addr;
	socklen_t len;
	char err[NET_ERR_LEN];

	if (net_resolve(l->o.host, l->o.port, SOCK_STREAM, &addr, &len, err) < 0) {
		fprintf(stderr, "echo-load: %s\n", err);
		return -1;
	}
	for (unsigned i = 0; i < l->o.conns; i++) {
		struct load_conn *c = &l->c[i];
		struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
		int one = 1;

		c->id = (int)i;
		c->line = malloc(l->o.size);
		c->want = malloc(l->o.size);
		c->reply = malloc(l->o.size);
		c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (!c->line || !c->want || !c->reply || c->fd < 0) {
			fprintf(stderr, "echo-load: cannot open connection %u: %s\n", i, strerror(errno));
			return -1;
		}
		/* Round trips of one small line each: no Nagle delay on our side. */
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c->fd, (struct sockaddr *)&addr, len) < 0 && errno != EINPROGRESS) {
			fprintf(stderr, "echo-load: connect %u failed: %s\n", i, strerror(errno));
			return -1;
		}
		epoll_ctl(l->epfd, EPOLL_CTL_ADD, c->fd, &ev);
	}
	return 0;
}

/* Runs until every connection is done or failed; phase 0 connects, phase 1 talks. */
static int load_loop(struct load *l, int64_t deadline, int phase)
{
	struct epoll_event ev[256];

	while (phase == 0 ? l->connected + l->finished < l->o.conns : l->finished < l->o.conns) {
		int64_t t = now_ns();
		int n;

		if (t > deadline) {
			fprintf(stderr, "echo-load: timed out\n");
			return -1;
		}
		if (t >= l->next_sample) {
			mem_sample(l);
			l->next_sample = t + (int64_t)LOAD_SAMPLE_MS * 1000000;
		}
		n = epoll_wait(l->epfd, ev, 256, LOAD_SAMPLE_MS);
		for (int i = 0; i < n; i++) {
			struct load_conn *c = ev[i].data.ptr;

			if (c->state == LOAD_CONNECTING)
				conn_connected(l, c);
			else if (c->state == LOAD_IDLE && (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				conn_fail(l, c, "unexpected data from server (busy?)");
			else if (c->state == LOAD_SENDING && (ev[i].events & EPOLLOUT))
				conn_send(l, c);
			else if (c->state == LOAD_WAITING || c->state == LOAD_SENDING)
				conn_recv(l, c);
		}
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_ms(const struct load *l, double p)
{
	size_t i;

	if (l->n_rtt == 0)
		return 0;
	i = (size_t)(p * (double)(l->n_rtt - 1) + 0.5);
	return l->rtt_us[i] / 1000.0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: echo-load --port PORT [--host 127.0.0.1] [--connections C] [--messages M]\n"
		"                 [--size BYTES] [--server-pid PID] [--timeout S] [--label TEXT]\n"
		"\n"
		"Opens C connections to an echo-server, waits until all are connected, then each\n"
		"sends M lines of BYTES bytes (newline included), one at a time, checking every\n"
		"reply. Prints messages/s, round-trip p50/p99, and the peak memory summed over\n"
		"the server process and its children (--server-pid).\n"
		"\n"
		"PORT 1 to 65535; C 1 to %d (default 10); M 1 to %d (default 1000);\n"
		"BYTES 16 to 64K, K allowed (default 64); S seconds, decimals allowed,\n"
		"0.001 to 86400 (default 300).\n", LOAD_MAX_CONNS, LOAD_MAX_MESSAGES);
}

static int parse(struct load_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'p' },
		{ "connections", required_argument, NULL, 'c' },
		{ "messages", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 's' },
		{ "server-pid", required_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	char err[LOAD_ERR_LEN];
	long long v;
	int opt;

	*o = (struct load_opts){ .host = "127.0.0.1", .conns = 10, .messages = 1000, .size = 64,
				 .timeout_ms = 300000, .label = "-" };
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			snprintf(o->host, sizeof(o->host), "%s", optarg);
			break;
		case 'p':
			if (num_parse_int("--port", optarg, 1, 65535, &v, err, sizeof(err)) < 0)
				goto bad_value;
			o->port = (unsigned short)v;
			break;
		case 'c':
			if (num_parse_int("--connections", optarg, 1, LOAD_MAX_CONNS, &v, err,
					  sizeof(err)) < 0)
				goto bad_value;
			o->conns = (unsigned)v;
			break;
		case 'm':
			if (num_parse_int("--messages", optarg, 1, LOAD_MAX_MESSAGES, &v, err,
					  sizeof(err)) < 0)
				goto bad_value;
			o->messages = (unsigned)v;
			break;
		case 's':
			if (num_parse_size("--size", optarg, 16, LOAD_LINE_MAX, &v, err,
					   sizeof(err)) < 0)
				goto bad_value;
			o->size = (size_t)v;
			break;
		case 'P':
			if (num_parse_int("--server-pid", optarg, 1, INT_MAX, &v, err,
					  sizeof(err)) < 0)
				goto bad_value;
			o->server_pid = (int)v;
			break;
		case 't':
			if (num_parse_seconds("--timeout", optarg, 1, LOAD_MAX_MS, &o->timeout_ms, err,
					      sizeof(err)) < 0)
				goto bad_value;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'H':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o->port) {
		fprintf(stderr, "echo-load: --port is required\n");
		return 2;
	}
	return 0;
bad_value:
	fprintf(stderr, "echo-load: %s\n", err);
	return 2;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct load l = { 0 };
	int64_t start, elapsed, deadline;
	int rc = parse(&l.o, argc, argv);

	if (rc)
		return rc == 1 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	l.c = calloc(l.o.conns, sizeof(*l.c));
	l.rtt_us = calloc((size_t)l.o.conns * l.o.messages, sizeof(*l.rtt_us));
	l.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!l.c || !l.rtt_us || l.epfd < 0) {
		fprintf(stderr, "echo-load: out of memory\n");
		return 1;
	}
	deadline = now_ns() + (int64_t)l.o.timeout_ms * 1000000;
	if (load_open(&l) < 0 || load_loop(&l, deadline, 0) < 0)
		return 1;
	/* Everyone is connected before the first line: the server holds all C at once. */
	start = now_ns();
	for (unsigned i = 0; i < l.o.conns; i++) {
		if (l.c[i].state == LOAD_IDLE)
			conn_send(&l, &l.c[i]);
	}
	rc = load_loop(&l, deadline, 1);
	elapsed = now_ns() - start;
	mem_sample(&l);
	qsort(l.rtt_us, l.n_rtt, sizeof(*l.rtt_us), cmp_u32);
	printf("%s conns=%u messages=%zu errors=%u secs=%.3f msgs_per_s=%.0f rtt_p50_ms=%.3f "
	       "rtt_p99_ms=%.3f server_procs=%u server_rss_mib=%.1f server_pss_mib=%.1f\n",
	       l.o.label, l.o.conns, l.n_rtt, l.errors, (double)elapsed / 1e9,
	       (double)l.n_rtt / ((double)elapsed / 1e9), pct_ms(&l, 0.50), pct_ms(&l, 0.99),
	       l.mem.procs, l.mem.rss_mib, l.mem.pss_mib);
	for (unsigned i = 0; i < l.o.conns; i++) {
		if (l.c[i].fd >= 0)
			close(l.c[i].fd);
		free(l.c[i].line);
		free(l.c[i].want);
		free(l.c[i].reply);
	}
	free(l.c);
	free(l.rtt_us);
	close(l.epfd);
	return rc < 0 || l.errors ? 1 : 0;
}
