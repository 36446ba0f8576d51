/* chat_net.c -- datagram I/O shared by the chat client and relay: bounded receive, strict decode, reports */
#include "chat_net.h"
#include "numbers.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int chat_recv_msg(int fd, char *buf, size_t max_payload, struct chat_msg *m,
		  struct chat_addr *from, const char *prog)
{
	char why[160];
	ssize_t n;
	int rc;

	from->len = sizeof(from->ss);
	/* MSG_TRUNC makes recvfrom return the datagram's real length. */
	n = recvfrom(fd, buf, max_payload + 1, MSG_TRUNC,
		     (struct sockaddr *)&from->ss, &from->len);
	if (n < 0) {
		/* ECONNREFUSED: an ICMP error for an earlier datagram, not this socket's fault. */
		if (errno == ECONNREFUSED)
			return CHAT_RECV_REFUSED;
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -1;
	}
	net_addr_string((struct sockaddr *)&from->ss, from->len, from->text);
	if ((size_t)n > max_payload) {
		fprintf(stderr, "%s: datagram from %s is %zd bytes, over the %zu-byte "
			"limit (--max-payload); skipped\n", prog, from->text, n, max_payload);
		return 0;
	}
	rc = chat_msg_decode(m, buf, (size_t)n, why, sizeof(why));
	if (rc == CHAT_ENOMEM) {
		fprintf(stderr, "%s: out of memory decoding a datagram from %s; skipped\n",
			prog, from->text);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: bad datagram from %s: %s; skipped\n", prog,
			from->text, why);
		return 0;
	}
	return 1;
}

bool chat_addr_equal(const struct chat_addr *x, const struct chat_addr *y)
{
	const struct sockaddr *a = (const struct sockaddr *)&x->ss;
	const struct sockaddr *b = (const struct sockaddr *)&y->ss;

	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *p = (const struct sockaddr_in *)a;
		const struct sockaddr_in *q = (const struct sockaddr_in *)b;

		return p->sin_port == q->sin_port &&
		       p->sin_addr.s_addr == q->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *p = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *q = (const struct sockaddr_in6 *)b;

		return p->sin6_port == q->sin6_port &&
		       p->sin6_scope_id == q->sin6_scope_id &&
		       memcmp(&p->sin6_addr, &q->sin6_addr, sizeof(p->sin6_addr)) == 0;
	}
	return false;
}

int chat_send(int fd, const void *buf, size_t len, const struct chat_addr *to,
	      const char *prog)
{
	ssize_t n;

	do
		n = sendto(fd, buf, len, 0, (const struct sockaddr *)&to->ss, to->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != ECONNREFUSED)
			fprintf(stderr, "%s: send to %s failed: %s\n", prog, to->text,
				strerror(errno));
		return -1;
	}
	return 0;
}

int chat_addr_resolve(const char *spec, struct chat_addr *addr, char *err)
{
	char host[256] = "127.0.0.1";
	unsigned short port;

	/* Port 1 up, as --peer and --relay take it: nothing answers on port 0. */
	if (num_parse_hostport("address", spec, 1, host, sizeof(host), &port, err,
			       NET_ERR_LEN) < 0)
		return -1;
	if (net_resolve(host, port, SOCK_DGRAM, &addr->ss, &addr->len, err) < 0)
		return -1;
	net_addr_string((struct sockaddr *)&addr->ss, addr->len, addr->text);
	return 0;
}

int chat_bind(const char *host, unsigned short port, const char *prog)
{
	struct chat_addr local;
	char err[NET_ERR_LEN];
	int fd = net_udp_bind(host, port, err);

	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	local.len = sizeof(local.ss);
	if (getsockname(fd, (struct sockaddr *)&local.ss, &local.len) < 0) {
		fprintf(stderr, "%s: getsockname failed: %s\n", prog, strerror(errno));
		close(fd);
		return -1;
	}
	net_addr_string((struct sockaddr *)&local.ss, local.len, local.text);
	fprintf(stderr, "%s: listening on %s\n", prog, local.text);
	return fd;
}

double chat_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
