/* netutil.c -- socket and I/O helpers shared by the networking modules */
#include "netutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(char *err, const char *fmt, ...)
{
	int saved = errno;

	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, NET_ERR_LEN, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}

int net_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t net_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int net_set_nonblock(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags);
}

int net_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int net_parse_port(const char *text, unsigned short *port, char *err)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (!*text || *end || errno || value < 0 || value > 65535) {
		errno = EINVAL;
		return fail(err, "invalid port '%s': expected a number from 0 to 65535", text);
	}
	*port = (unsigned short)value;
	return 0;
}

int net_parse_hostport(const char *spec, char *host, size_t host_len,
		       unsigned short *port, char *err)
{
	const char *colon = strrchr(spec, ':');
	const char *h = spec;
	size_t hlen;

	if (!colon)
		return net_parse_port(spec, port, err);
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && spec[0] == '[' && spec[hlen - 1] == ']') {
		h = spec + 1;
		hlen -= 2;
	} else if (memchr(spec, ':', hlen)) {
		errno = EINVAL;
		return fail(err, "invalid address '%s': write IPv6 as [ADDR]:PORT", spec);
	}
	if (hlen >= host_len) {
		errno = ENAMETOOLONG;
		return fail(err, "invalid address '%s': host name too long", spec);
	}
	if (net_parse_port(colon + 1, port, err) < 0)
		return -1;
	if (hlen > 0) {
		memcpy(host, h, hlen);
		host[hlen] = '\0';
	}
	return 0;
}

int net_resolve(const char *host, unsigned short port, int socktype,
		struct sockaddr_storage *addr, socklen_t *addr_len, char *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = socktype };
	struct addrinfo *res;
	char service[8];
	int rc;

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		errno = EINVAL;
		return fail(err, "cannot resolve '%s': %s", host, gai_strerror(rc));
	}
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*addr_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int open_socket(const char *host, unsigned short port, int socktype,
		       struct sockaddr_storage *addr, socklen_t *len, char *err)
{
	int fd;

	if (net_resolve(host, port, socktype, addr, len, err) < 0)
		return -1;
	fd = socket(addr->ss_family, socktype | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, "socket failed for '%s': %s", host, strerror(errno));
	return fd;
}

static int bind_socket(const char *host, unsigned short port, int socktype, char *err)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int one = 1;
	int fd = open_socket(host, port, socktype, &addr, &len, err);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, len) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return fail(err, "bind failed on %s:%u: %s", host, port, strerror(errno));
	}
	return fd;
}

int net_tcp_listen(const char *host, unsigned short port, int backlog, char *err)
{
	int fd = bind_socket(host, port, SOCK_STREAM, err);

	if (fd < 0)
		return -1;
	if (listen(fd, backlog) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return fail(err, "listen failed on %s:%u: %s", host, port, strerror(errno));
	}
	return fd;
}

int net_udp_bind(const char *host, unsigned short port, char *err)
{
	return bind_socket(host, port, SOCK_DGRAM, err);
}

int net_tcp_connect(const char *host, unsigned short port, char *err)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int fd = open_socket(host, port, SOCK_STREAM, &addr, &len, err);
	int rc;

	if (fd < 0)
		return -1;
	do
		rc = connect(fd, (struct sockaddr *)&addr, len);
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return fail(err, "connect failed to %s:%u: %s", host, port, strerror(errno));
	}
	return fd;
}

int net_local_port(int fd)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		return -1;
	if (addr.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&addr)->sin_port);
	if (addr.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
	return -1;
}

void net_addr_string(const struct sockaddr *addr, socklen_t len, char *out)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	(void)len;
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, NET_ADDRSTR_LEN, "%s:%u", host, port);
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, NET_ADDRSTR_LEN, "[%s]:%u", host, port);
	} else {
		snprintf(out, NET_ADDRSTR_LEN, "unknown");
	}
}
