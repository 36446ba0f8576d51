/* echo_server.c -- the listening server the modes share: setup, signals, accept, refusals, log */
#include "echo_server.h"
#include "echo_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Kernel caps it at net.core.somaxconn. */
#define ECHO_BACKLOG 4096
/* Descriptors a server needs besides its clients: stdio, listener, epoll, pipes, spare. */
#define ECHO_FD_SLACK 16

static volatile sig_atomic_t echo_stop;
static volatile sig_atomic_t echo_child;

static void on_stop(int sig)
{
	(void)sig;
	echo_stop = 1;
}

static void on_child(int sig)
{
	(void)sig;
	echo_child = 1;
}

bool echo_server_stopping(void)
{
	return echo_stop != 0;
}

bool echo_server_child_exited(void)
{
	if (!echo_child)
		return false;
	echo_child = 0;
	return true;
}

void echo_log(const struct echo_server *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (s->opts->quiet)
		return;
	n = snprintf(line, sizeof(line), "echo-server: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line, so lines from several processes never interleave. */
	(void)net_write_all(STDERR_FILENO, line, (size_t)n);
}

void echo_server_log_end(const struct echo_server *s, const struct echo_conn *c)
{
	if (echo_conn_end_is_refusal(c->end))
		echo_log(s, "refused %s: %s", c->peer, echo_conn_end_string(c->end));
}

static int server_signals(struct echo_server *s, char *err)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		goto fail;
	sa.sa_handler = on_stop;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		goto fail;
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) < 0)
		goto fail;
	/* Blocked outside the waits, so a signal never slips in between a check and a wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &block, &s->wait_mask) < 0)
		goto fail;
	sigdelset(&s->wait_mask, SIGINT);
	sigdelset(&s->wait_mask, SIGTERM);
	sigdelset(&s->wait_mask, SIGCHLD);
	return 0;
fail:
	snprintf(err, NET_ERR_LEN, "cannot install signal handlers: %s", strerror(errno));
	return -1;
}

/* Every client is a descriptor (two in process mode only briefly): raise the soft limit. */
static void server_raise_nofile(struct echo_server *s)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)s->opts->max_clients + ECHO_FD_SLACK)
		echo_log(s, "warning: descriptor limit %llu is below --max-clients %u",
			 (unsigned long long)rl.rlim_cur, s->opts->max_clients);
}

/* Atomic, and a symlink planted at path is replaced rather than followed. */
static int server_port_file(const char *path, int port, char *err)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%d\n", port);

	return net_write_file_atomic(path, text, (size_t)len, err);
}

static int server_announce(struct echo_server *s, char *err)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	char name[NET_ADDRSTR_LEN];

	if (getsockname(s->listen_fd, (struct sockaddr *)&addr, &len) < 0) {
		snprintf(err, NET_ERR_LEN, "getsockname failed: %s", strerror(errno));
		return -1;
	}
	if (s->opts->port_file &&
	    server_port_file(s->opts->port_file, net_local_port(s->listen_fd), err) < 0)
		return -1;
	net_addr_string((struct sockaddr *)&addr, len, name);
	printf("listening on %s\n", name);
	fflush(stdout);
	echo_log(s, "listening on %s, mode %s, max %u clients, max line %zu bytes, idle %u s%s",
		 name, echo_mode_name(s->opts->mode), s->opts->max_clients, s->opts->max_line,
		 s->opts->idle_seconds, s->cfg.secret ? ", hmac auth" : "");
	return 0;
}

int echo_server_open(struct echo_server *s, const struct echo_server_opts *o, char *err)
{
	memset(s, 0, sizeof(*s));
	s->opts = o;
	s->listen_fd = -1;
	s->reserve_fd = -1;
	s->cfg.max_line = o->max_line;
	s->cfg.idle_ms = (int64_t)o->idle_seconds * 1000;
	if (o->secret_file) {
		if (net_auth_secret_load(&s->secret, o->secret_file, err) < 0)
			return ECHO_SERVER_EUSAGE;
		s->cfg.secret = &s->secret;
	}
	server_raise_nofile(s);
	if (server_signals(s, err) < 0)
		goto fail;
	s->listen_fd = net_tcp_listen(o->host, o->port, ECHO_BACKLOG, err);
	if (s->listen_fd < 0)
		goto fail;
	if (net_set_nonblock(s->listen_fd, true) < 0) {
		snprintf(err, NET_ERR_LEN, "cannot make the listening socket non-blocking: %s",
			 strerror(errno));
		goto fail;
	}
	s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (server_announce(s, err) < 0)
		goto fail;
	return 0;
fail:
	echo_server_close(s);
	return -1;
}

void echo_server_close(struct echo_server *s)
{
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->reserve_fd >= 0)
		close(s->reserve_fd);
	s->listen_fd = -1;
	s->reserve_fd = -1;
	net_auth_secret_release(&s->secret);
	s->cfg.secret = NULL;
}

/* Sends "ERROR busy" and closes, so the client is told why rather than just cut off. */
static void server_say_busy(int fd)
{
	char drain[1024];

	(void)send(fd, ECHO_MSG_BUSY, strlen(ECHO_MSG_BUSY), MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	/* Unread input would turn the close into a reset that can destroy the message. */
	while (recv(fd, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	close(fd);
}

/* Out of descriptors: take the connection with the spare one and refuse it, not spin on it. */
static void server_shed(struct echo_server *s)
{
	int fd;

	if (s->reserve_fd < 0)
		return;
	close(s->reserve_fd);
	fd = accept(s->listen_fd, NULL, NULL);
	if (fd >= 0) {
		echo_log(s, "refused a connection: out of file descriptors");
		server_say_busy(fd);
	}
	s->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int echo_server_accept(struct echo_server *s, char peer[NET_ADDRSTR_LEN])
{
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t len = sizeof(addr);
		int fd = accept4(s->listen_fd, (struct sockaddr *)&addr, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			net_addr_string((struct sockaddr *)&addr, len, peer);
			return fd;
		}
		switch (errno) {
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
			/* The peer gave up while queued; try the next one. */
			continue;
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
			return -1;
		case EMFILE:
		case ENFILE:
			server_shed(s);
			return -1;
		default:
			echo_log(s, "accept failed: %s", strerror(errno));
			return -1;
		}
	}
}

int echo_server_conn_init(const struct echo_server *s, struct echo_conn *c, int fd,
			  const char *peer)
{
	if (echo_conn_init(c, fd, peer, &s->cfg, echo_now_ms()) < 0) {
		echo_log(s, "refused %s: cannot make a challenge", peer);
		close(fd);
		return -1;
	}
	echo_log(s, "connect %s", peer);
	return 0;
}

void echo_server_refuse_busy(struct echo_server *s, int fd, const char *peer, unsigned clients)
{
	echo_log(s, "refused %s: busy, %u clients", peer, clients);
	server_say_busy(fd);
}
