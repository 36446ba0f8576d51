/* process_worker.c -- a worker process's side of its channel: jobs one at a time, or a loop's feed */
#include "process_worker.h"
#include "frame.h"
#include "pool_core.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where a worker process keeps its channel: the first descriptor after stderr. */
enum { CHANNEL_FD = STDERR_FILENO + 1 };
/* No descriptor is above this (Linux's default fs.nr_open). */
enum { MAX_FD = 1 << 20 };
/* Reading the channel asks for at least this much at a time. */
enum { READ_CHUNK = 64 * 1024 };
/* A loop worker writes its results once this many bytes wait, if not before. */
enum { FLUSH_AT = 256 * 1024 };

static void worker_detach(pid_t parent)
{
	sigset_t none;

	/* Children never outlive the parent, even one killed by SIGKILL. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);

	/*
	 * Ctrl-C, and SIGHUP from a closed terminal (or from the shell to its
	 * jobs), reach the whole process group; the parent alone decides.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Closes every descriptor from `lowest` up. */
static void close_from(int lowest)
{
	struct rlimit lim;
	int end = MAX_FD;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0)
		return;
#endif
	/* Before Linux 5.9, or under a filter that refuses the call: one by one. */
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < (rlim_t)MAX_FD)
		end = (int)lim.rlim_cur;
	for (int fd = lowest; fd < end; fd++)
		close(fd);
}

/*
 * A worker process keeps only its channel (moved to CHANNEL_FD), stderr, and
 * /dev/null as stdin and stdout. Anything else of the parent's (its output
 * file, its job source, the self-pipe, siblings' channels) it would hold open
 * behind the parent's back: a sibling's channel, for one, would hide the
 * parent's close from that sibling. Returns the channel, or -1.
 */
static int worker_keep_only(int channel)
{
	int null;

	if (channel != CHANNEL_FD) {
		if (dup3(channel, CHANNEL_FD, O_CLOEXEC) < 0)
			return -1;
		/* below CHANNEL_FD only if the parent ran without stdin, stdout or stderr */
		if (channel < CHANNEL_FD)
			close(channel);
	}
	close_from(CHANNEL_FD + 1);
	null = open("/dev/null", O_RDWR);
	if (null < 0)
		return -1;
	if ((null != STDIN_FILENO && dup2(null, STDIN_FILENO) < 0) ||
	    (null != STDOUT_FILENO && dup2(null, STDOUT_FILENO) < 0))
		return -1;
	if (null > STDERR_FILENO)
		close(null);
	return CHANNEL_FD;
}

/* One read into the buffer: bytes read, 0 at EOF, -1 on error (EAGAIN included). */
static ssize_t read_some(int fd, struct frame_buf *in)
{
	for (;;) {
		ssize_t n;

		if (!frame_buf_reserve(in, READ_CHUNK)) {
			errno = ENOMEM;
			return -1;
		}
		n = read(fd, in->data + in->len, in->cap - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			in->len += (size_t)n;
		return n;
	}
}

/*
 * The next job frame in the buffer: 1 with *hdr and *job set, 0 when none is
 * whole yet. Anything but a job the parent would never send: the worker quits.
 */
static int next_job(struct frame_buf *in, struct frame_header *hdr, const char **job)
{
	int verdict = frame_next(in->data, in->len, POOL_MAX_BLOB, hdr, job);

	if (verdict == FRAME_BAD || (verdict == FRAME_WHOLE && hdr->kind != FRAME_JOB))
		_exit(1);
	return verdict == FRAME_WHOLE;
}

/* Per-job worker (process mode): runs jobs, one at a time, until the parent closes the channel. */
static void job_loop(struct pool *pool, void *state, int fd)
{
	struct frame_buf in = { 0 };

	for (;;) {
		struct frame_header hdr, answer;
		const char *job;
		void *result = NULL;
		size_t result_len = 0;
		ssize_t n;

		if (!next_job(&in, &hdr, &job)) {
			n = read_some(fd, &in);
			if (n > 0)
				continue;
			if (n == 0 && in.len == 0)
				break;
			_exit(1);	/* a read failed, or the parent went away mid-frame */
		}
		answer = (struct frame_header){ .kind = FRAME_RESULT, .id = hdr.id };
		/* the parent cannot take back what waits in the channel: the worker turns it down */
		if (pool_worker_stopped(pool))
			answer.kind = FRAME_INTERRUPTED;
		else if (pool->cb.work(pool->ctx, state, job, hdr.len, &result, &result_len) != 0)
			answer.kind = FRAME_FAILED;
		else if (result_len > POOL_MAX_BLOB)
			answer.kind = FRAME_TOO_LARGE;
		else
			answer.len = (uint32_t)result_len;
		if (frame_send(fd, &answer, result) < 0)
			_exit(1);
		free(result);
		frame_buf_consume(&in, sizeof(hdr) + hdr.len);
	}
	free(in.data);
}

/* ---- loop worker (hybrid mode): serve() over a feed read from the channel ---- */

/* A job the parent sent, kept until serve() gives its task back. */
struct pool_task {
	uint32_t id;
	size_t len;
	char job[];
};

struct process_feed {
	struct pool_feed base;	/* first: the feed serve() is given */
	const struct pool *pool;
	int fd;			/* the channel, non-blocking */
	struct frame_buf in;	/* bytes read, not yet taken as jobs */
	struct frame_buf out;	/* results given, not yet written */
	size_t held;		/* tasks taken and not given back */
	bool eof;		/* the parent closed the channel */
	bool closed;		/* a take said POOL_FEED_CLOSED */
};

/* Writes the results given so far, in one go. */
static void feed_flush(struct process_feed *feed)
{
	if (feed->out.len == 0)
		return;
	if (frame_write_all(feed->fd, feed->out.data, feed->out.len) < 0)
		_exit(1);
	feed->out.len = 0;
	/* give back the room a large result needed once */
	if (feed->out.cap > 4 * FLUSH_AT) {
		free(feed->out.data);
		feed->out = (struct frame_buf){ 0 };
	}
}

/*
 * Results wait in the buffer until the loop takes again: the parent gets
 * everything one wake-up of the loop finished in one write. Written before
 * any job is taken, they also keep the count the parent relies on: taken
 * and not yet written, a worker never holds more than its share of jobs.
 * Once the pool is stopped, the jobs in the channel are answered as
 * interrupted rather than taken: serve() never sees them.
 */
static int process_feed_take(struct pool_feed *base, struct pool_task **task,
			     const void **job, size_t *job_len)
{
	struct process_feed *feed = (struct process_feed *)base;
	struct frame_header hdr;
	const char *data;

	for (;;) {
		ssize_t n;
		int whole;

		while ((whole = next_job(&feed->in, &hdr, &data)) && pool_worker_stopped(feed->pool)) {
			struct frame_header answer = { .kind = FRAME_INTERRUPTED, .id = hdr.id };

			if (!frame_buf_add(&feed->out, &answer, NULL))
				_exit(1);
			frame_buf_consume(&feed->in, sizeof(hdr) + hdr.len);
		}
		feed_flush(feed);
		if (whole)
			break;
		if (feed->eof) {
			if (feed->in.len > 0)
				_exit(1);	/* the parent went away mid-frame */
			feed->closed = true;
			return POOL_FEED_CLOSED;
		}
		n = read_some(feed->fd, &feed->in);
		if (n == 0)
			feed->eof = true;
		else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			_exit(1);
		else if (n < 0)
			return POOL_FEED_EMPTY;
	}
	*task = malloc(sizeof(**task) + hdr.len);
	if (!*task)
		_exit(1);
	(*task)->id = hdr.id;
	(*task)->len = hdr.len;
	memcpy((*task)->job, data, hdr.len);
	frame_buf_consume(&feed->in, sizeof(hdr) + hdr.len);
	feed->held++;
	*job = (*task)->job;
	*job_len = (*task)->len;
	return POOL_FEED_JOB;
}

static void process_feed_give(struct pool_feed *base, struct pool_task *task, int rc,
			      void *result, size_t result_len)
{
	struct process_feed *feed = (struct process_feed *)base;
	struct frame_header hdr = { .kind = FRAME_RESULT, .id = task->id };

	if (rc != 0)
		hdr.kind = FRAME_FAILED;
	else if (result_len > POOL_MAX_BLOB)
		hdr.kind = FRAME_TOO_LARGE;
	else
		hdr.len = (uint32_t)result_len;
	/* a large result goes straight out rather than through the buffer */
	if (feed->out.len + sizeof(hdr) + hdr.len > FLUSH_AT)
		feed_flush(feed);
	if (hdr.len >= FLUSH_AT) {
		if (frame_send(feed->fd, &hdr, result) < 0)
			_exit(1);
	} else if (!frame_buf_add(&feed->out, &hdr, result)) {
		_exit(1);
	}
	free(result);
	free(task);
	feed->held--;
	/* after the close, no take comes to write it */
	if (feed->closed)
		feed_flush(feed);
}

static int process_feed_fd(const struct pool_feed *base)
{
	return ((const struct process_feed *)base)->fd;
}

static const struct pool_feed_ops process_feed_ops = {
	.take = process_feed_take,
	.give = process_feed_give,
	.fd = process_feed_fd,
};

/* Runs serve() until it returns; false if it broke the contract. */
static bool serve_loop(struct pool *pool, void *state, int fd)
{
	struct process_feed feed = { .base = { &process_feed_ops }, .pool = pool, .fd = fd };
	int rc;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return false;
	rc = pool->cb.serve(pool->ctx, state, &feed.base);
	feed_flush(&feed);
	free(feed.in.data);
	free(feed.out.data);
	return rc == 0 && feed.closed && feed.held == 0;
}

_Noreturn void process_worker_main(struct pool *pool, pid_t parent, unsigned self, int channel)
{
	void *state = NULL;
	int fd;

	worker_detach(parent);
	fd = worker_keep_only(channel);
	if (fd < 0)
		_exit(PROCESS_WORKER_UNSTARTED);
	if (pool->cb.worker_init && pool->cb.worker_init(pool->ctx, self, &state) != 0)
		_exit(PROCESS_WORKER_UNSTARTED);
	if (!pool_mode_loops(pool->mode))
		job_loop(pool, state, fd);
	else if (!serve_loop(pool, state, fd))
		_exit(PROCESS_WORKER_BROKEN);
	if (pool->cb.worker_fini)
		pool->cb.worker_fini(pool->ctx, state);
	/* _exit: the parent's atexit handlers and stdio buffers are not ours. */
	_exit(0);
}
