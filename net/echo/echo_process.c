/* echo_process.c -- echo-server process mode: a forked child per connection, reaped as it ends */
#include "echo_modes.h"
#include "echo_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reaps every child that has ended; returns how many. */
static unsigned process_reap(const struct echo_server *s)
{
	unsigned reaped = 0;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) != 0) {
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		reaped++;
		if (WIFSIGNALED(status))
			echo_log(s, "connection process %d killed by signal %d", (int)pid,
				 WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			echo_log(s, "connection process %d exited with status %d", (int)pid,
				 WEXITSTATUS(status));
	}
	return reaped;
}

/* The child: serves one connection and exits; never returns. */
static void process_child(struct echo_server *s, int fd, const char *peer, int stop_r, int stop_w)
{
	struct sigaction sa;
	struct echo_conn c;

	/* The parent turns ^C into closing the stop pipe; SIGTERM still ends a child directly. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigprocmask(SIG_SETMASK, &s->wait_mask, NULL);
	close(stop_w);
	close(s->listen_fd);
	if (s->reserve_fd >= 0)
		close(s->reserve_fd);

	if (echo_server_conn_init(s, &c, fd, peer) < 0)
		_exit(1);
	echo_conn_serve(&c, stop_r);
	echo_server_log_end(s, &c);
	echo_conn_release(&c);
	net_auth_secret_release(&s->secret);
	/* _exit: the parent's atexit handlers and stdio buffers are not ours to run. */
	_exit(0);
}

static void process_wait_all(const struct echo_server *s, unsigned live)
{
	int status;

	while (live > 0) {
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				echo_log(s, "waitpid failed: %s", strerror(errno));
			return;
		}
		live--;
	}
}

int echo_run_process(struct echo_server *s)
{
	unsigned live = 0;
	int stop[2];

	/* Children wait on the read end; closing the write end stops them all, even if we die. */
	if (pipe2(stop, O_CLOEXEC) < 0) {
		echo_log(s, "cannot create the stop pipe: %s", strerror(errno));
		return -1;
	}
	while (!echo_server_stopping()) {
		struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
		char peer[NET_ADDRSTR_LEN];
		int fd;

		if (echo_server_child_exited())
			live -= process_reap(s);
		if (ppoll(&pfd, 1, NULL, &s->wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			echo_log(s, "poll failed: %s", strerror(errno));
			break;
		}
		while (!echo_server_stopping() && (fd = echo_server_accept(s, peer)) >= 0) {
			pid_t pid;

			/* A child that just ended may not be reaped yet: look before refusing. */
			if (live >= s->opts->max_clients)
				live -= process_reap(s);
			if (live >= s->opts->max_clients) {
				echo_server_refuse_busy(s, fd, peer, live);
				continue;
			}
			pid = fork();
			if (pid == 0)
				process_child(s, fd, peer, stop[0], stop[1]);
			if (pid < 0)
				echo_log(s, "refused %s: fork failed: %s", peer, strerror(errno));
			else
				live++;
			close(fd);
		}
	}
	close(s->listen_fd);
	s->listen_fd = -1;
	close(stop[1]);
	process_wait_all(s, live);
	close(stop[0]);
	return 0;
}
