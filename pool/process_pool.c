/* process_pool.c -- the fork back end, parent side: a slot table of workers, one socketpair each */
#include "pool_backend.h"
#include "frame.h"
#include "pool_core.h"
#include "process_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Reading a worker's socket grows its buffer by at least this much at a time. */
enum { READ_CHUNK = 64 * 1024 };
/* How long a worker may take to exit after its socket is closed. */
enum { EXIT_GRACE_MS = 5000 };
/*
 * A worker is handed the jobs it may run at once, its window (one for a
 * per-job worker, pool_set_worker_jobs() for a loop), and a few more behind
 * them, already in its socket, so that it never waits for the parent
 * between jobs: one for a per-job worker, a quarter of the window and one
 * for a loop, unless pool_set_spare_jobs() says otherwise.
 */
static unsigned spare_jobs(const struct pool *pool, bool loops, unsigned window)
{
	if (pool->spare_jobs > 0)
		return pool->spare_jobs;
	return loops ? window / 4 + 1 : 1;
}

/* The pool's record of a job handed to a worker. */
struct slot_task {
	void *job;
	size_t len;
	uint32_t id;		/* its frames' id */
	long long since_ms;	/* when it entered its worker's window: see slot_overdue() */
};

struct slot {
	pid_t pid;		/* 0 when the slot has no worker */
	int fd;			/* parent's end of the socketpair, -1 when none */
	bool abandoned;		/* killed by pool_abandon() */
	bool broken;		/* sending failed: wait for the hang-up */
	bool overdue;		/* killed for running tasks[0] past the job deadline */
	long long overdue_ms;	/* how long tasks[0] had run when it was killed */
	struct slot_task *tasks;	/* handed to this worker, oldest first */
	unsigned queued;
	unsigned sent_jobs;	/* jobs of tasks[] written whole to the socket */
	size_t sent;		/* bytes of the next one's frame written so far */
	uint32_t next_id;
	struct frame_buf in;
};

struct process_pool {
	struct pool *pool;
	struct slot *slots;
	struct pollfd *pfds;
	pid_t parent;
	unsigned window;	/* jobs a worker may run at once */
	unsigned depth;		/* jobs handed to one worker at a time: its window and spares */
	double job_ms;		/* how long a per-job worker's job takes, a moving average */
	bool loops;		/* the workers run serve(), many jobs at once, answered in any order */
	bool exhausted;		/* no more jobs are to be taken */
	bool stopping;		/* no worker is to be replaced */
	bool waiting;		/* next_job() waits for input on pool->input_fd */
	int rc;
};

/* ---- parent side: spawning and reaping ------------------------------- */

static int slot_spawn(struct process_pool *pp, unsigned i)
{
	struct slot *slot = &pp->slots[i];
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		pool_note_failure(pp->pool, "cannot make a worker channel");
		return POOL_ESYS;
	}
	/* Unflushed stdio buffers would otherwise be written once per child. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pool_note_failure(pp->pool, "cannot start a worker process");
		close(sv[0]);
		close(sv[1]);
		return POOL_ESYS;
	}
	if (pid == 0) {
		close(sv[0]);
		process_worker_main(pp->pool, pp->parent, i, sv[1]);
	}
	close(sv[1]);
	/* The parent must never block on one worker while others wait. */
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	slot->pid = pid;
	slot->fd = sv[0];
	slot->broken = false;
	slot->abandoned = false;
	slot->overdue = false;
	/* the tasks queued behind a dead worker's may start now, in this one */
	for (unsigned k = 0; k < slot->queued; k++)
		slot->tasks[k].since_ms = pool_now_ms();
	slot->in.len = 0;
	return 0;
}

/* Whether a worker's exit status says it could not go on: the run cannot either. */
static bool worker_broke(int status)
{
	return WIFEXITED(status) && (WEXITSTATUS(status) == PROCESS_WORKER_BROKEN ||
				     WEXITSTATUS(status) == PROCESS_WORKER_UNSTARTED);
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "worker killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		snprintf(buf, len, "worker exited with code %d", WEXITSTATUS(status));
	else
		snprintf(buf, len, "worker ended");
}

/* Waits for pid; -1 when it is not (or no longer) our child to wait for. */
static int reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * Reports task k of the worker and drops it. A worker process cannot see
 * pool_abandon(), so here a job ends when the parent reads its result: one
 * read after the abandon is interrupted.
 */
static void finish_task(struct process_pool *pp, unsigned i, unsigned k,
			enum pool_status status, const void *data, size_t len, const char *error)
{
	struct slot *slot = &pp->slots[i];
	struct slot_task *task = &slot->tasks[k];

	if (status != POOL_JOB_INTERRUPTED && pool_stop_level(pp->pool) >= POOL_ABANDONING) {
		status = POOL_JOB_INTERRUPTED;
		error = "interrupted";
	}
	if (status == POOL_JOB_DONE && k < pp->window)
		pp->job_ms = 0.9 * pp->job_ms + 0.1 * (double)(pool_now_ms() - task->since_ms);
	pool_deliver(pp->pool, task->job, task->len, status, data, len, error, i, (long)slot->pid);
	free(task->job);
	memmove(task, task + 1, (slot->queued - k - 1) * sizeof(*task));
	slot->queued--;
	if (k < slot->sent_jobs)
		slot->sent_jobs--;
	/* the first task behind the window, already in the channel, may run from now */
	if (k < pp->window && slot->queued >= pp->window)
		slot->tasks[pp->window - 1].since_ms = pool_now_ms();
}

/* Where the worker's task with this id is, or -1 when it has none (sent whole). */
static int find_task(const struct slot *slot, uint32_t id)
{
	for (unsigned k = 0; k < slot->sent_jobs; k++) {
		if (slot->tasks[k].id == id)
			return (int)k;
	}
	return -1;
}

/*
 * A worker's channel hung up: the jobs it may have started are reported,
 * the worker reaped and replaced. Those are the oldest of its jobs sent
 * whole, as many as its window: a worker takes its jobs in the order sent,
 * and (see process_worker.c) never holds more than its window of jobs that
 * it has not answered in its channel. The jobs queued behind never started:
 * they go to the replacement, or are reported as interrupted when none will
 * come.
 */
static void slot_died(struct process_pool *pp, unsigned i)
{
	struct slot *slot = &pp->slots[i];
	char why[128] = "worker ended (exit status unavailable)";
	int status = 0;
	bool unstarted = false;
	unsigned ran;

	close(slot->fd);
	slot->fd = -1;
	if (reap(slot->pid, &status) == 0) {
		describe_exit(status, why, sizeof(why));
		if (worker_broke(status)) {
			snprintf(why, sizeof(why), "worker could not go on (its set-up or loop failed)");
			pp->rc = POOL_EINIT;
			pp->exhausted = pp->stopping = true;
		}
		/* its set-up failed: the jobs it was sent never started, as those queued behind */
		unstarted = WIFEXITED(status) && WEXITSTATUS(status) == PROCESS_WORKER_UNSTARTED;
	}
	if (slot->overdue)
		snprintf(why, sizeof(why), "worker stopped responding (killed after %.1f s)",
			 (double)slot->overdue_ms / 1000.0);
	ran = slot->sent_jobs < pp->window ? slot->sent_jobs : pp->window;
	while (ran-- > 0) {
		if (slot->abandoned || unstarted)
			finish_task(pp, i, 0, POOL_JOB_INTERRUPTED, NULL, 0, slot->abandoned ?
				    "interrupted" : "interrupted before it started: a worker could not go on");
		else
			finish_task(pp, i, 0, POOL_JOB_FAILED, NULL, 0, why);
	}
	slot->overdue = false;
	slot->pid = 0;
	slot->in.len = 0;
	slot->sent_jobs = 0;
	slot->sent = 0;
	if (!pp->stopping && (!pp->exhausted || slot->queued > 0) && slot_spawn(pp, i) < 0) {
		pp->rc = POOL_ESYS;
		pp->exhausted = pp->stopping = true;
	}
	while (slot->fd < 0 && slot->queued > 0)
		finish_task(pp, i, 0, POOL_JOB_INTERRUPTED, NULL, 0, "interrupted before it started");
}

static void kill_worker(struct slot *slot)
{
	if (slot->pid > 0)
		kill(slot->pid, SIGKILL);
}

/* ---- parent side: talking to workers --------------------------------- */

/* Jobs one sendmsg() carries at most: a loop worker's share goes in a few calls, not one each. */
enum { SEND_BATCH = 32 };

/*
 * Writes queued jobs to the worker's socket until it would block, up to
 * SEND_BATCH frames a call; slot->sent counts the bytes of the first one
 * that went before.
 */
static void slot_send(struct slot *slot)
{
	while (slot->sent_jobs < slot->queued && !slot->broken) {
		struct frame_header hdr[SEND_BATCH];
		struct iovec iov[2 * SEND_BATCH];
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 0 };
		unsigned n = 0;
		size_t skip = slot->sent;
		ssize_t sent;

		for (unsigned k = slot->sent_jobs; k < slot->queued && n < SEND_BATCH; k++, n++) {
			const struct slot_task *task = &slot->tasks[k];

			hdr[n] = (struct frame_header){ .len = (uint32_t)task->len, .kind = FRAME_JOB,
							.id = task->id };
			iov[msg.msg_iovlen++] = (struct iovec){ &hdr[n], sizeof(hdr[n]) };
			if (task->len > 0)
				iov[msg.msg_iovlen++] = (struct iovec){ task->job, task->len };
		}
		/* what went of the first frame before */
		for (size_t i = 0; skip > 0; i++) {
			size_t step = skip < iov[i].iov_len ? skip : iov[i].iov_len;

			iov[i].iov_base = (char *)iov[i].iov_base + step;
			iov[i].iov_len -= step;
			skip -= step;
		}
		sent = sendmsg(slot->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			/* A dead peer also hangs up its channel; the read side reports it. */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				slot->broken = true;
			return;
		}
		/* count whole frames gone; the rest of a cut one is for the next call */
		slot->sent += (size_t)sent;
		while (slot->sent_jobs < slot->queued) {
			size_t frame = sizeof(struct frame_header) + slot->tasks[slot->sent_jobs].len;

			if (slot->sent < frame)
				break;
			slot->sent -= frame;
			slot->sent_jobs++;
		}
	}
}

static bool slot_sending(const struct slot *slot)
{
	return slot->sent_jobs < slot->queued && !slot->broken;
}

/*
 * A per-job worker's spares wait behind the job it runs: behind a slow one
 * (a server that takes seconds) each waits as long, while other workers may
 * have nothing to do. So beyond the first, spares are handed out only while
 * jobs take under FAST_JOB_MS, when the parent's naps pay (see run_jobs()).
 * Until the first results tell, jobs count as slow.
 */
#define FAST_JOB_MS 2.0

static unsigned queue_depth(const struct process_pool *pp)
{
	if (pp->loops || pp->job_ms < FAST_JOB_MS)
		return pp->depth;
	return pp->depth < pp->window + 1 ? pp->depth : pp->window + 1;
}

/*
 * Tops up every worker's queue while the source has jobs, a level at a time:
 * first one job for each idle worker, then a second for each, and so on.
 */
static void feed_workers(struct process_pool *pp)
{
	struct pool *pool = pp->pool;
	unsigned most = queue_depth(pp);

	pp->waiting = false;
	for (unsigned depth = 1; depth <= most; depth++) {
		for (unsigned i = 0; i < pool->workers && !pp->exhausted && !pp->waiting; i++) {
			struct slot *slot = &pp->slots[i];
			void *job = NULL;
			size_t len = 0;
			int rc;

			if (slot->fd < 0 || slot->queued >= depth)
				continue;
			while ((rc = pool->cb.next_job(pool->ctx, &job, &len)) > 0 &&
			       len > POOL_MAX_BLOB) {
				pool_deliver(pool, job, len, POOL_JOB_FAILED, NULL, 0,
					     "job too large", i, 0);
				free(job);
			}
			if (rc == POOL_NEXT_WAIT) {
				pp->waiting = true;
			} else if (rc <= 0) {
				pp->exhausted = true;
				if (rc < 0)
					pp->rc = POOL_ENEXT;
			} else {
				slot->tasks[slot->queued++] = (struct slot_task){
					job, len, slot->next_id++, pool_now_ms() };
			}
		}
	}
	/* the jobs go out together: one write carries a loop worker's share */
	for (unsigned i = 0; i < pool->workers; i++) {
		if (pp->slots[i].fd >= 0 && slot_sending(&pp->slots[i]))
			slot_send(&pp->slots[i]);
	}
}

/* Delivers one complete frame from a worker; false if the worker misbehaved. */
static bool handle_frame(struct process_pool *pp, unsigned i, const struct frame_header *hdr,
			 const char *data)
{
	int k = find_task(&pp->slots[i], hdr->id);

	if (k < 0)
		return false;
	switch (hdr->kind) {
	case FRAME_RESULT:
		finish_task(pp, i, (unsigned)k, POOL_JOB_DONE, data, hdr->len, NULL);
		return true;
	case FRAME_FAILED:
		finish_task(pp, i, (unsigned)k, POOL_JOB_FAILED, NULL, 0, "job failed");
		return true;
	case FRAME_TOO_LARGE:
		finish_task(pp, i, (unsigned)k, POOL_JOB_FAILED, NULL, 0, "result too large");
		return true;
	case FRAME_INTERRUPTED:
		/* the worker saw the stop before it started the job: see pool_worker_stopped() */
		finish_task(pp, i, (unsigned)k, POOL_JOB_INTERRUPTED, NULL, 0,
			    "interrupted before it started");
		return true;
	}
	return false;
}

/* Delivers every complete frame in the buffer; false on a protocol error. */
static bool parse_frames(struct process_pool *pp, unsigned i)
{
	struct frame_buf *in = &pp->slots[i].in;
	size_t off = 0;
	bool ok = true;

	while (ok) {
		struct frame_header hdr;
		const char *payload;
		int verdict = frame_next(in->data + off, in->len - off, POOL_MAX_BLOB, &hdr, &payload);

		if (verdict != FRAME_WHOLE) {
			ok = verdict == FRAME_PARTIAL;
			break;
		}
		ok = handle_frame(pp, i, &hdr, payload);
		off += sizeof(hdr) + hdr.len;
	}
	frame_buf_consume(in, off);
	/* Give back the room a large result needed once. */
	if (in->len == 0 && in->cap > 16 * READ_CHUNK) {
		free(in->data);
		*in = (struct frame_buf){ 0 };
	}
	return ok;
}

static void slot_read(struct process_pool *pp, unsigned i)
{
	struct slot *slot = &pp->slots[i];

	for (;;) {
		ssize_t n;

		if (!frame_buf_reserve(&slot->in, READ_CHUNK)) {
			/*
			 * Its results cannot be read: the run ends, and its jobs go
			 * unfinished. Reaped here, for its hang-up would come back
			 * to this same read for ever.
			 */
			pp->rc = POOL_ENOMEM;
			pp->exhausted = pp->stopping = true;
			slot->abandoned = true;
			kill_worker(slot);
			slot_died(pp, i);
			return;
		}
		size_t room = slot->in.cap - slot->in.len;

		n = read(slot->fd, slot->in.data + slot->in.len, room);
		if (n > 0) {
			slot->in.len += (size_t)n;
			if (!parse_frames(pp, i)) {
				/* Garbage on the channel: the worker cannot be trusted. */
				kill_worker(slot);
				slot_died(pp, i);
				return;
			}
			/* A short read emptied the socket; poll() tells when there is more. */
			if ((size_t)n < room)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		slot_died(pp, i);
		return;
	}
}

/* ---- parent side: the loop ------------------------------------------- */

static unsigned busy_workers(const struct process_pool *pp)
{
	unsigned n = 0;

	for (unsigned i = 0; i < pp->pool->workers; i++)
		n += pp->slots[i].queued > 0;
	return n;
}

static void abandon_all(struct process_pool *pp)
{
	for (unsigned i = 0; i < pp->pool->workers; i++) {
		struct slot *slot = &pp->slots[i];

		if (slot->queued > 0) {
			slot->abandoned = true;
			kill_worker(slot);
		}
	}
}

/*
 * True when the worker's oldest task has outlived the job deadline at `now`.
 * A task's clock starts when it enters the window, the jobs the worker may
 * run at once: tasks[0] entered first.
 */
static bool slot_overdue(const struct slot *slot, unsigned deadline, long long now)
{
	return deadline > 0 && slot->fd >= 0 && slot->queued > 0 && !slot->overdue &&
	       !slot->abandoned && now - slot->tasks[0].since_ms >= (long long)deadline;
}

/* How long poll() may sleep: until the nearest job deadline, or for ever. */
static int poll_timeout(const struct process_pool *pp)
{
	unsigned deadline = pp->pool->job_deadline_ms;
	long long now = pool_now_ms(), nearest = -1;

	if (deadline == 0)
		return -1;
	for (unsigned i = 0; i < pp->pool->workers; i++) {
		const struct slot *slot = &pp->slots[i];
		long long left;

		if (slot->fd < 0 || slot->queued == 0 || slot->overdue || slot->abandoned)
			continue;
		left = slot->tasks[0].since_ms + deadline - now;
		if (left < 0)
			left = 0;
		if (nearest < 0 || left < nearest)
			nearest = left;
	}
	return nearest > INT_MAX ? INT_MAX : (int)nearest;
}

/*
 * Kills each worker whose task has run past the job deadline: a hung or
 * stopped worker would otherwise hold its job, and the whole run, for ever.
 * The hang-up that follows reaps and replaces it (slot_died), which fails
 * the task with the reason and hands the task queued behind it on.
 */
static void enforce_deadline(struct process_pool *pp)
{
	unsigned deadline = pp->pool->job_deadline_ms;
	long long now;

	if (deadline == 0)
		return;
	now = pool_now_ms();
	for (unsigned i = 0; i < pp->pool->workers; i++) {
		struct slot *slot = &pp->slots[i];

		if (!slot_overdue(slot, deadline, now))
			continue;
		/* a result already in the channel ended the task in time */
		slot_read(pp, i);
		if (!slot_overdue(slot, deadline, now))
			continue;
		slot->overdue = true;
		slot->overdue_ms = now - slot->tasks[0].since_ms;
		kill_worker(slot);
	}
}

static int wait_and_dispatch(struct process_pool *pp)
{
	struct pool *pool = pp->pool;
	unsigned n = 0;

	pp->pfds[n++] = (struct pollfd){ .fd = pool->wake[0], .events = POLLIN };
	for (unsigned i = 0; i < pool->workers; i++) {
		struct slot *slot = &pp->slots[i];
		short events = POLLIN;

		if (slot_sending(slot))
			events |= POLLOUT;
		/* An unused entry (fd -1) keeps indexes equal to slot numbers. */
		pp->pfds[n++] = (struct pollfd){ .fd = slot->fd, .events = events };
	}
	pp->pfds[n++] = (struct pollfd){ .fd = pp->waiting ? pool->input_fd : -1, .events = POLLIN };
	if (poll(pp->pfds, n, pool_sooner(poll_timeout(pp), pool_tick_timeout(pool))) < 0)
		return errno == EINTR ? 0 : POOL_ESYS;

	if (pp->pfds[0].revents)
		pool_wake_drain(pool);
	for (unsigned i = 0; i < pool->workers; i++) {
		short revents = pp->pfds[i + 1].revents;

		if (pp->slots[i].fd < 0 || !revents)
			continue;
		if (revents & POLLOUT)
			slot_send(&pp->slots[i]);
		if (revents & (POLLIN | POLLHUP | POLLERR))
			slot_read(pp, i);
	}
	return 0;
}

/*
 * Each wake-up of the parent is a switch between processes, and a worker's
 * result that finds the parent asleep in poll() wakes it: one switch a job.
 * When every worker has at least NAP_SPARES jobs queued behind the ones it
 * runs, none of them can run dry soon, so the parent naps NAP_US first and
 * then reads in one wake-up the results that gathered. A signal ends a nap.
 */
enum { NAP_US = 1000, NAP_SPARES = 4 };

static bool workers_stocked(const struct process_pool *pp)
{
	unsigned live = 0;

	if (queue_depth(pp) < pp->window + NAP_SPARES || pp->stopping)
		return false;
	for (unsigned i = 0; i < pp->pool->workers; i++) {
		const struct slot *slot = &pp->slots[i];

		if (slot->fd < 0)
			continue;
		if (slot->queued < pp->window + NAP_SPARES || slot_sending(slot))
			return false;
		live++;
	}
	return live > 0;
}

static int run_jobs(struct process_pool *pp)
{
	struct pool *pool = pp->pool;
	enum pool_stop_level handled = POOL_RUNNING;

	for (;;) {
		enum pool_stop_level level = pool_stop_level(pool);

		if (level > handled) {
			handled = level;
			pp->exhausted = pp->stopping = true;
			if (level >= POOL_ABANDONING)
				abandon_all(pp);
		}
		feed_workers(pp);
		if (busy_workers(pp) == 0 && pp->exhausted)
			break;
		if (workers_stocked(pp))
			nanosleep(&(struct timespec){ .tv_nsec = NAP_US * 1000L }, NULL);
		if (wait_and_dispatch(pp) < 0) {
			pp->rc = POOL_ESYS;
			pp->exhausted = pp->stopping = true;
			abandon_all(pp);
		}
		enforce_deadline(pp);
		pool_tick_run(pool);
	}
	if (!pp->rc && handled > POOL_RUNNING)
		return POOL_ESTOPPED;
	return pp->rc;
}

/* Closes every channel (workers exit on EOF), then reaps; stragglers are killed. */
static void shutdown_workers(struct process_pool *pp)
{
	struct pool *pool = pp->pool;
	long long start;

	for (unsigned i = 0; i < pool->workers; i++) {
		if (pp->slots[i].fd >= 0)
			close(pp->slots[i].fd);
		pp->slots[i].fd = -1;
	}
	start = pool_now_ms();
	for (unsigned i = 0; i < pool->workers; i++) {
		struct slot *slot = &pp->slots[i];
		int status;

		while (slot->pid > 0) {
			pid_t got = waitpid(slot->pid, &status, WNOHANG);

			if (got == slot->pid || (got < 0 && errno != EINTR)) {
				if (got == slot->pid && worker_broke(status) && !pp->rc)
					pp->rc = POOL_EINIT;
				slot->pid = 0;
			} else if (pool_now_ms() - start > EXIT_GRACE_MS) {
				kill_worker(slot);
				reap(slot->pid, &status);
				slot->pid = 0;
			} else if (got == 0) {
				nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
			}
		}
		while (slot->queued > 0)
			finish_task(pp, i, 0, POOL_JOB_INTERRUPTED, NULL, 0, "interrupted");
		free(slot->in.data);
		slot->in = (struct frame_buf){ 0 };
	}
}

int process_pool_run(struct pool *pool)
{
	struct process_pool pp = { .pool = pool, .parent = getpid() };
	int rc = POOL_ENOMEM;

	pp.loops = pool_mode_loops(pool->mode);
	pp.window = pp.loops ? pool->worker_jobs : 1;
	pp.depth = pp.window + spare_jobs(pool, pp.loops, pp.window);
	pp.job_ms = 2 * FAST_JOB_MS;
	pp.slots = calloc(pool->workers, sizeof(*pp.slots));
	pp.pfds = calloc(pool->workers + 2, sizeof(*pp.pfds));
	if (!pp.slots || !pp.pfds)
		goto out_free;
	for (unsigned i = 0; i < pool->workers; i++)
		pp.slots[i].fd = -1;
	for (unsigned i = 0; i < pool->workers; i++) {
		pp.slots[i].tasks = calloc(pp.depth, sizeof(*pp.slots[i].tasks));
		if (!pp.slots[i].tasks)
			goto out_free;
	}

	for (unsigned i = 0; i < pool->workers; i++) {
		if (slot_spawn(&pp, i) < 0) {
			pp.rc = POOL_ESYS;
			pp.exhausted = pp.stopping = true;
			break;
		}
	}
	rc = run_jobs(&pp);
	shutdown_workers(&pp);
	if (pp.rc == POOL_EINIT)
		rc = POOL_EINIT;
out_free:
	for (unsigned i = 0; pp.slots && i < pool->workers; i++)
		free(pp.slots[i].tasks);
	free(pp.pfds);
	free(pp.slots);
	return rc;
}
