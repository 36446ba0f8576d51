/* netutil.c -- socket and I/O helpers shared by the networking modules */
#include "netutil.h"
#include "errbuf.h"
#include "numbers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* -1 with err filled; errno stays what the failing call set. */
#define fail(err, ...) (errbuf_set((err), NET_ERR_LEN, __VA_ARGS__), -1)

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

int net_write_file_atomic(const char *path, const void *data, size_t len, char *err)
{
	char tmp[4096];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return fail(err, "cannot write '%s': name too long", path);
	}
	/* mkstemp opens with O_EXCL: a name of its own making, and no link followed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fail(err, "cannot create a temporary file beside '%s': %s", path,
			    strerror(errno));
	/* mkstemp makes it 0600; these files are read by other programs. */
	if (fchmod(fd, 0644) < 0 || net_write_all(fd, data, len) < 0) {
		saved = errno;
		close(fd);
		goto unlink_tmp;
	}
	/* rename() replaces whatever is at path, a symlink included, and follows none. */
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		goto unlink_tmp;
	}
	return 0;
unlink_tmp:
	unlink(tmp);
	errno = saved;
	return fail(err, "cannot write '%s': %s", path, strerror(errno));
}

int net_set_nonblock(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags);
}

int net_stdio_fill(void)
{
	int closed = 0;

	for (int fd = 0; fd <= 2; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		closed |= 1 << fd;
		/* The lowest free descriptor: fd itself, as every lower one is open. */
		null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (null >= 0 && null != fd)
			close(null);
	}
	return closed;
}

int net_parse_hostport(const char *spec, char *host, size_t host_len,
		       unsigned short *port, char *err)
{
	if (num_parse_hostport("address", spec, 0, host, host_len, port, err, NET_ERR_LEN) < 0) {
		errno = EINVAL;
		return -1;
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

/* "HOST:PORT" for a message, an IPv6 address in brackets as the options take it. */
static const char *hostport_text(const char *host, unsigned short port, char *out, size_t cap)
{
	snprintf(out, cap, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	return out;
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
	char where[NET_ADDRSTR_LEN + 256];
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
		return fail(err, "bind failed on %s: %s",
			    hostport_text(host, port, where, sizeof(where)), strerror(errno));
	}
	return fd;
}

int net_tcp_listen(const char *host, unsigned short port, int backlog, char *err)
{
	char where[NET_ADDRSTR_LEN + 256];
	int fd = bind_socket(host, port, SOCK_STREAM, err);

	if (fd < 0)
		return -1;
	if (listen(fd, backlog) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return fail(err, "listen failed on %s: %s",
			    hostport_text(host, port, where, sizeof(where)), strerror(errno));
	}
	return fd;
}

int net_udp_bind(const char *host, unsigned short port, char *err)
{
	return bind_socket(host, port, SOCK_DGRAM, err);
}

int net_tcp_connect(const char *host, unsigned short port, char *err)
{
	return net_tcp_connect_timeout(host, port, -1, err);
}

/* Milliseconds from now to *end, at least 0; -1 (for ever) when end is NULL. */
static int ms_left(const struct timespec *end)
{
	struct timespec now;
	long long left;

	if (!end)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long long)(end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* Waits for a non-blocking connect to finish by *end (NULL: no bound); 0, or -1 with errno (ETIMEDOUT). */
static int connect_wait(int fd, const struct timespec *end)
{
	int soerr = 0, rc;
	socklen_t len = sizeof(soerr);

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		rc = poll(&pfd, 1, ms_left(end));
		if (rc > 0)
			break;
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	errno = soerr;
	return soerr ? -1 : 0;
}

/* One address: a connected, blocking socket, or -1 with errno. */
static int connect_one(const struct addrinfo *ai, const struct timespec *end)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	int rc;

	if (fd < 0)
		return -1;
	rc = net_set_nonblock(fd, true);
	if (rc == 0)
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	/* Interrupted or not, a non-blocking connect goes on; its end is the socket writable. */
	if (rc < 0 && (errno == EINPROGRESS || errno == EINTR))
		rc = connect_wait(fd, end);
	if (rc == 0)
		rc = net_set_nonblock(fd, false);
	if (rc < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int net_tcp_connect_addrs(const struct addrinfo *list, const char *host, unsigned short port,
			  int timeout_ms, char *err)
{
	char where[NET_ADDRSTR_LEN + 256];
	struct timespec end;
	int fd = -1, saved = EADDRNOTAVAIL;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	/* a name may stand for ::1 and 127.0.0.1, the server listening on one of them */
	for (const struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
		fd = connect_one(ai, timeout_ms >= 0 ? &end : NULL);
		if (fd < 0)
			saved = errno;
		if (fd < 0 && saved == ETIMEDOUT)
			break;
	}
	if (fd >= 0)
		return fd;
	errno = saved;
	return fail(err, "connect failed to %s: %s", hostport_text(host, port, where, sizeof(where)),
		    strerror(saved));
}

int net_tcp_connect_timeout(const char *host, unsigned short port, int timeout_ms, char *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	char service[8];
	int rc, fd;

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		errno = EINVAL;
		return fail(err, "cannot resolve '%s': %s", host, gai_strerror(rc));
	}
	fd = net_tcp_connect_addrs(res, host, port, timeout_ms, err);
	rc = errno;
	freeaddrinfo(res);
	errno = rc;
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
