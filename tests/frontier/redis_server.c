/* redis_server.c -- a redis-server of a test's own, on a unix socket in a temporary directory: started, restarted, stopped */
#include "redis_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct redis_server {
	struct redis_server_options opts;
	pid_t pid;			/* 0: not running */
	char dir[64];
	char socket[96];
	char url[128];
};

static void server_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Whether it answers PING with PONG (not LOADING, not refused). */
static bool server_answers(const struct redis_server *s)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 1 };
	char reply[64];
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = false;

	if (fd < 0)
		return false;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", s->socket);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
		char ping[160];
		int len = s->opts.password ?
			snprintf(ping, sizeof(ping), "AUTH %s\r\nPING\r\n", s->opts.password) :
			snprintf(ping, sizeof(ping), "PING\r\n");

		if (write(fd, ping, (size_t)len) == len) {
			size_t got = 0;

			/* the PONG comes last */
			while (got < sizeof(reply) - 1 &&
			       (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0) {
				got += (size_t)n;
				reply[got] = '\0';
				if (strstr(reply, "+PONG") || strstr(reply, "-LOADING") ||
				    strstr(reply, "-ERR") || strstr(reply, "-WRONGPASS"))
					break;
			}
			reply[got] = '\0';
			ok = strstr(reply, "+PONG") != NULL;
		}
	}
	close(fd);
	return ok;
}

static int server_spawn(struct redis_server *s)
{
	char log[96];
	const char *argv[20];
	int argc = 0;

	snprintf(log, sizeof(log), "%s/redis.log", s->dir);
	argv[argc++] = "redis-server";
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argv[argc++] = "--unixsocket";
	argv[argc++] = s->socket;
	argv[argc++] = "--unixsocketperm";
	argv[argc++] = "700";
	argv[argc++] = "--dir";
	argv[argc++] = s->dir;
	argv[argc++] = "--save";
	argv[argc++] = "";
	argv[argc++] = "--appendonly";
	argv[argc++] = s->opts.appendonly ? "yes" : "no";
	argv[argc++] = "--logfile";
	argv[argc++] = log;
	if (s->opts.password) {
		argv[argc++] = "--requirepass";
		argv[argc++] = s->opts.password;
	}
	argv[argc] = NULL;
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		fprintf(stderr, "redis_server: fork: %s\n", strerror(errno));
		s->pid = 0;
		return -1;
	}
	if (s->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		execvp("redis-server", (char *const *)argv);
		fprintf(stderr, "redis_server: cannot run redis-server: %s\n", strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		int status;

		if (server_answers(s))
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			fprintf(stderr, "redis_server: redis-server exited at start (log: %s)\n", log);
			s->pid = 0;
			return -1;
		}
		server_sleep_ms(10);
	}
	fprintf(stderr, "redis_server: redis-server did not answer within 10 s (log: %s)\n", log);
	redis_server_stop(s);
	return -1;
}

struct redis_server *redis_server_start(const struct redis_server_options *o)
{
	struct redis_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (o)
		s->opts = *o;
	snprintf(s->dir, sizeof(s->dir), "/tmp/crawlpool-redis-XXXXXX");
	if (!mkdtemp(s->dir)) {
		fprintf(stderr, "redis_server: mkdtemp: %s\n", strerror(errno));
		free(s);
		return NULL;
	}
	snprintf(s->socket, sizeof(s->socket), "%s/redis.sock", s->dir);
	snprintf(s->url, sizeof(s->url), "redis+unix://%s", s->socket);
	if (server_spawn(s) < 0) {
		redis_server_free(s);
		return NULL;
	}
	return s;
}

const char *redis_server_url(const struct redis_server *s)
{
	return s->url;
}

const char *redis_server_socket(const struct redis_server *s)
{
	return s->socket;
}

const char *redis_server_dir(const struct redis_server *s)
{
	return s->dir;
}

int redis_server_pid(const struct redis_server *s)
{
	return (int)s->pid;
}

int redis_server_stop(struct redis_server *s)
{
	int status;

	if (!s->pid)
		return 0;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	s->pid = 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int redis_server_restart(struct redis_server *s)
{
	redis_server_stop(s);
	return server_spawn(s);
}

int redis_server_restart_password(struct redis_server *s, const char *password)
{
	s->opts.password = password;
	return redis_server_restart(s);
}

void redis_server_free(struct redis_server *s)
{
	char cmd[128];

	if (!s)
		return;
	redis_server_stop(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "redis_server: could not remove %s\n", s->dir);
	free(s);
}

int redis_silent_listener(char *url, size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	snprintf(url, size, "redis://127.0.0.1:%u", ntohs(sa.sin_port));
	return fd;
}
