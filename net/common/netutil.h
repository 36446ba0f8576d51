/* netutil.h -- socket and I/O helpers shared by the networking modules */
#ifndef CRAWLPOOL_NETUTIL_H
#define CRAWLPOOL_NETUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Room for "[ipv6-address]:port" and a terminating NUL. */
#define NET_ADDRSTR_LEN 64
/* Room for an error message filled by the helpers below. */
#define NET_ERR_LEN 256

/*
 * Helpers that can fail take `char *err` (NET_ERR_LEN bytes, may be NULL),
 * fill it with a lower-case message naming what failed and on what, and
 * return -1; errno is kept from the failing call.
 */

/* Writes all of buf, looping on EINTR and short writes. 0 or -1. */
int net_write_all(int fd, const void *buf, size_t len);
/* Reads until len bytes or EOF, looping on EINTR. Bytes read, or -1. */
ssize_t net_read_full(int fd, void *buf, size_t len);
/*
 * Replaces the file at path with data (mode 0644), atomically: a reader sees
 * the old file or the whole new one. Writes a mkstemp file beside path, then
 * renames it over path, so a symlink planted at path is replaced, never
 * followed, and no fixed temporary name exists to be planted. 0 or -1.
 */
int net_write_file_atomic(const char *path, const void *data, size_t len, char *err);

int net_set_nonblock(int fd, bool on);

/*
 * Opens /dev/null on each of descriptors 0, 1 and 2 that is closed, so that
 * no socket opened later lands there and is read or written as stdio. Call
 * first thing in main. A mask of those that were closed (1 << fd).
 */
#define NET_STDIN_CLOSED (1 << 0)
#define NET_STDOUT_CLOSED (1 << 1)
int net_stdio_fill(void);

/*
 * Splits "HOST:PORT" or "[V6]:PORT" into host and port (0..65535), strictly
 * as num_parse_hostport() in util/numbers.h. A bare ":PORT" or "PORT" leaves
 * host untouched. 0 or -1 with errno EINVAL.
 */
int net_parse_hostport(const char *spec, char *host, size_t host_len,
		       unsigned short *port, char *err);

/* Resolves a numeric or named host for the given socket type. */
int net_resolve(const char *host, unsigned short port, int socktype,
		struct sockaddr_storage *addr, socklen_t *addr_len, char *err);

/* Listening TCP socket (SO_REUSEADDR, close-on-exec); port 0 picks one. fd or -1. */
int net_tcp_listen(const char *host, unsigned short port, int backlog, char *err);
/* Connected TCP socket (close-on-exec). fd or -1. */
int net_tcp_connect(const char *host, unsigned short port, char *err);
/*
 * The same, giving up after timeout_ms (-1: as long as the kernel tries)
 * with ETIMEDOUT. Each address the host resolves to is tried in turn
 * within the time, until one takes the connection.
 */
int net_tcp_connect_timeout(const char *host, unsigned short port, int timeout_ms, char *err);
/* net_tcp_connect_timeout() on addresses already resolved; host and port are for the message. */
struct addrinfo;
int net_tcp_connect_addrs(const struct addrinfo *list, const char *host, unsigned short port,
			  int timeout_ms, char *err);
/* Bound UDP socket (close-on-exec); port 0 picks one. fd or -1. */
int net_udp_bind(const char *host, unsigned short port, char *err);

/* Port a socket is bound to, or -1. */
int net_local_port(int fd);
/* "127.0.0.1:8080" or "[::1]:8080" into out (NET_ADDRSTR_LEN bytes). */
void net_addr_string(const struct sockaddr *addr, socklen_t len, char *out);

#endif
