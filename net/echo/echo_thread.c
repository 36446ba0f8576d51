/* echo_thread.c -- echo-server thread mode: a thread per connection, each joined when it ends */
#include "echo_modes.h"
#include "echo_server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* A connection needs little stack: its buffer is on the heap. */
#define ECHO_THREAD_STACK ((size_t)256 << 10)

struct echo_worker {
	pthread_t tid;
	struct echo_conn conn;
	struct echo_threads *pool;
	struct echo_worker *next;	/* on the finished list */
};

struct echo_threads {
	struct echo_server *server;
	pthread_mutex_t lock;
	pthread_cond_t drained;		/* live reached 0 */
	unsigned live;			/* threads still serving */
	struct echo_worker *finished;	/* ended, waiting to be joined */
	int stop[2];			/* workers poll stop[0]; closing stop[1] stops them */
	int wake_fd;			/* eventfd: a worker finished */
};

static void *thread_main(void *arg)
{
	struct echo_worker *w = arg;
	struct echo_threads *t = w->pool;
	uint64_t one = 1;

	echo_conn_serve(&w->conn, t->stop[0]);
	echo_server_log_end(t->server, &w->conn);
	echo_conn_release(&w->conn);

	pthread_mutex_lock(&t->lock);
	t->live--;
	w->next = t->finished;
	t->finished = w;
	if (t->live == 0)
		pthread_cond_signal(&t->drained);
	pthread_mutex_unlock(&t->lock);
	/* The main thread joins us promptly: a finished thread keeps its stack until joined. */
	(void)net_write_all(t->wake_fd, &one, sizeof(one));
	return NULL;
}

static void threads_join_finished(struct echo_threads *t)
{
	struct echo_worker *w;

	pthread_mutex_lock(&t->lock);
	w = t->finished;
	t->finished = NULL;
	pthread_mutex_unlock(&t->lock);
	while (w) {
		struct echo_worker *next = w->next;

		pthread_join(w->tid, NULL);
		free(w);
		w = next;
	}
}

static unsigned threads_live(struct echo_threads *t)
{
	unsigned live;

	pthread_mutex_lock(&t->lock);
	live = t->live;
	pthread_mutex_unlock(&t->lock);
	return live;
}

static void threads_start(struct echo_threads *t, pthread_attr_t *attr, int fd, const char *peer)
{
	struct echo_server *s = t->server;
	struct echo_worker *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		echo_log(s, "refused %s: out of memory", peer);
		close(fd);
		return;
	}
	if (echo_server_conn_init(s, &w->conn, fd, peer) < 0) {
		free(w);
		return;
	}
	w->pool = t;
	pthread_mutex_lock(&t->lock);
	t->live++;
	pthread_mutex_unlock(&t->lock);
	rc = pthread_create(&w->tid, attr, thread_main, w);
	if (rc != 0) {
		echo_log(s, "refused %s: cannot start a thread: %s", peer, strerror(rc));
		pthread_mutex_lock(&t->lock);
		t->live--;
		pthread_mutex_unlock(&t->lock);
		echo_conn_release(&w->conn);
		free(w);
	}
}

static void threads_accept(struct echo_threads *t, pthread_attr_t *attr)
{
	struct echo_server *s = t->server;
	char peer[NET_ADDRSTR_LEN];
	int fd;

	while (!echo_server_stopping() && (fd = echo_server_accept(s, peer)) >= 0) {
		unsigned live = threads_live(t);

		if (live >= s->opts->max_clients) {
			echo_server_refuse_busy(s, fd, peer, live);
			continue;
		}
		threads_start(t, attr, fd, peer);
	}
}

static void threads_loop(struct echo_threads *t, pthread_attr_t *attr)
{
	struct echo_server *s = t->server;

	while (!echo_server_stopping()) {
		struct pollfd pfd[2] = {
			{ .fd = s->listen_fd, .events = POLLIN },
			{ .fd = t->wake_fd, .events = POLLIN },
		};
		uint64_t count;

		if (ppoll(pfd, 2, NULL, &s->wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			echo_log(s, "poll failed: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			(void)!read(t->wake_fd, &count, sizeof(count));
			threads_join_finished(t);
		}
		if (pfd[0].revents & POLLIN)
			threads_accept(t, attr);
	}
}

int echo_run_thread(struct echo_server *s)
{
	struct echo_threads t = { .server = s, .wake_fd = -1, .stop = { -1, -1 } };
	pthread_attr_t attr;
	int rc = -1;

	pthread_mutex_init(&t.lock, NULL);
	pthread_cond_init(&t.drained, NULL);
	if (pipe2(t.stop, O_CLOEXEC) < 0) {
		echo_log(s, "cannot create the stop pipe: %s", strerror(errno));
		goto out_sync;
	}
	t.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t.wake_fd < 0) {
		echo_log(s, "cannot create an eventfd: %s", strerror(errno));
		goto out_pipe;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, ECHO_THREAD_STACK < (size_t)PTHREAD_STACK_MIN ?
				  (size_t)PTHREAD_STACK_MIN : ECHO_THREAD_STACK);

	threads_loop(&t, &attr);

	close(s->listen_fd);
	s->listen_fd = -1;
	close(t.stop[1]);
	t.stop[1] = -1;
	pthread_mutex_lock(&t.lock);
	while (t.live > 0)
		pthread_cond_wait(&t.drained, &t.lock);
	pthread_mutex_unlock(&t.lock);
	threads_join_finished(&t);
	pthread_attr_destroy(&attr);
	rc = 0;
	close(t.wake_fd);
out_pipe:
	close(t.stop[0]);
	if (t.stop[1] >= 0)
		close(t.stop[1]);
out_sync:
	pthread_cond_destroy(&t.drained);
	pthread_mutex_destroy(&t.lock);
	return rc;
}
