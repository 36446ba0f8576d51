/* echo_event.c -- echo-server event mode: every connection served from one thread with epoll */
#include "echo_modes.h"
#include "echo_server.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define ECHO_EVENTS_MAX 256

struct echo_ev_conn {
	struct echo_conn conn;
	uint32_t events;		/* as registered with epoll */
	struct echo_ev_conn *prev, *next;
};

struct echo_event_loop {
	struct echo_server *server;
	int epfd;
	struct echo_ev_conn *conns;	/* every open connection */
	unsigned count;
	int64_t next_check;		/* no deadline falls before this */
};

static uint32_t event_mask(const struct echo_conn *c)
{
	short ev = echo_conn_events(c);

	return (ev & POLLIN ? EPOLLIN : 0) | (ev & POLLOUT ? EPOLLOUT : 0);
}

static short event_revents(uint32_t e)
{
	return (short)((e & EPOLLIN ? POLLIN : 0) | (e & EPOLLOUT ? POLLOUT : 0) |
		       (e & EPOLLERR ? POLLERR : 0) | (e & EPOLLHUP ? POLLHUP : 0));
}

static void event_close(struct echo_event_loop *l, struct echo_ev_conn *e)
{
	echo_server_log_end(l->server, &e->conn);
	/* Closing the descriptor also removes it from the epoll set. */
	echo_conn_release(&e->conn);
	if (e->prev)
		e->prev->next = e->next;
	else
		l->conns = e->next;
	if (e->next)
		e->next->prev = e->prev;
	l->count--;
	free(e);
}

/* After any change: re-arm epoll for what the connection now waits for, or close it. */
static void event_update(struct echo_event_loop *l, struct echo_ev_conn *e)
{
	uint32_t want;

	if (echo_conn_done(&e->conn)) {
		event_close(l, e);
		return;
	}
	want = event_mask(&e->conn);
	if (want != e->events) {
		struct epoll_event ev = { .events = want, .data.ptr = e };

		if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, e->conn.fd, &ev) < 0) {
			echo_conn_end(&e->conn, ECHO_END_ERROR);
			event_close(l, e);
			return;
		}
		e->events = want;
	}
	if (e->conn.deadline < l->next_check)
		l->next_check = e->conn.deadline;
}

static void event_add(struct echo_event_loop *l, int fd, const char *peer)
{
	struct echo_server *s = l->server;
	struct echo_ev_conn *e = calloc(1, sizeof(*e));
	struct epoll_event ev;

	if (!e) {
		echo_log(s, "refused %s: out of memory", peer);
		close(fd);
		return;
	}
	if (echo_server_conn_init(s, &e->conn, fd, peer) < 0) {
		free(e);
		return;
	}
	ev.events = e->events = event_mask(&e->conn);
	ev.data.ptr = e;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		echo_log(s, "refused %s: epoll_ctl failed: %s", peer, strerror(errno));
		echo_conn_release(&e->conn);
		free(e);
		return;
	}
	e->next = l->conns;
	if (l->conns)
		l->conns->prev = e;
	l->conns = e;
	l->count++;
	/* The challenge goes out now rather than after another wait. */
	echo_conn_handle(&e->conn, 0, echo_now_ms());
	event_update(l, e);
}

static void event_accept(struct echo_event_loop *l)
{
	struct echo_server *s = l->server;
	char peer[NET_ADDRSTR_LEN];
	int fd;

	while ((fd = echo_server_accept(s, peer)) >= 0) {
		if (l->count >= s->opts->max_clients)
			echo_server_refuse_busy(s, fd, peer, l->count);
		else
			event_add(l, fd, peer);
	}
}

/*
 * Deadlines move later on every message, so they are not kept sorted: when
 * the earliest known one passes, one sweep ends what expired and finds the
 * next. Sweeps are rare, as deadlines are seconds apart from each other.
 */
static void event_sweep(struct echo_event_loop *l, int64_t now)
{
	struct echo_ev_conn *e = l->conns;

	l->next_check = INT64_MAX;
	while (e) {
		struct echo_ev_conn *next = e->next;

		echo_conn_expire(&e->conn, now);
		event_update(l, e);
		e = next;
	}
}

static int event_timeout(const struct echo_event_loop *l, int64_t now)
{
	int64_t wait;

	if (l->next_check == INT64_MAX)
		return -1;
	wait = l->next_check - now;
	if (wait < 0)
		return 0;
	return wait > INT_MAX ? INT_MAX : (int)wait;
}

static void event_loop(struct echo_event_loop *l)
{
	struct epoll_event events[ECHO_EVENTS_MAX];
	struct echo_server *s = l->server;

	while (!echo_server_stopping()) {
		int64_t now = echo_now_ms();
		int n;

		if (now >= l->next_check)
			event_sweep(l, now);
		n = epoll_pwait(l->epfd, events, ECHO_EVENTS_MAX, event_timeout(l, now),
				&s->wait_mask);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			echo_log(s, "epoll_wait failed: %s", strerror(errno));
			break;
		}
		now = echo_now_ms();
		for (int i = 0; i < n; i++) {
			struct echo_ev_conn *e = events[i].data.ptr;

			if (!e) {
				event_accept(l);
				continue;
			}
			echo_conn_handle(&e->conn, event_revents(events[i].events), now);
			event_update(l, e);
		}
	}
}

int echo_run_event(struct echo_server *s)
{
	struct echo_event_loop l = { .server = s, .next_check = INT64_MAX };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	l.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l.epfd < 0) {
		echo_log(s, "cannot create an epoll instance: %s", strerror(errno));
		return -1;
	}
	if (epoll_ctl(l.epfd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0) {
		echo_log(s, "cannot watch the listening socket: %s", strerror(errno));
		close(l.epfd);
		return -1;
	}
	event_loop(&l);
	while (l.conns) {
		echo_conn_end(&l.conns->conn, ECHO_END_SHUTDOWN);
		event_close(&l, l.conns);
	}
	close(l.epfd);
	return 0;
}
