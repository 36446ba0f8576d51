/* ticket_rush.c -- N buyers, threads or forked processes, race for the tickets in one store */
#include "ticket_rush.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netutil.h"
#include "ticket_store.h"

enum buyer_outcome {
	BUYER_SILENT,		/* never reported: died first */
	BUYER_SOLD,
	BUYER_TURNED_AWAY,
	BUYER_FAILED,
};

/* What a buyer reports; in process mode it crosses a pipe in one write. */
struct buyer_report {
	uint32_t buyer;
	int32_t outcome;
	int32_t recovered;
	int64_t read_sold;	/* the store's "sold" this buyer read; -1 if it read none */
};

_Static_assert(sizeof(struct buyer_report) <= PIPE_BUF,
	       "a buyer report must be one atomic pipe write");

/* Thread buyers are many and need little: 512 KiB each instead of 8 MiB. */
#define BUYER_STACK (512u * 1024u)

struct rush {
	const struct ticket_rush_opts *o;
	struct ticket_lock *lock;
	int log_fd;
	struct buyer_report *reports;	/* one per buyer */
	struct ticket_state before;	/* the store when the rush began */
	/* Thread mode: buyers wait at the gate until it opens (1) or is abandoned (-1). */
	pthread_mutex_t gate_mu;
	pthread_cond_t gate_cv;
	int gate;
};

struct buyer_arg {
	struct rush *rush;
	unsigned idx;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Test hook: die holding the lock, the way a crash or an OOM kill would. */
static void crash_if_hooked(const struct rush *rs, unsigned idx)
{
	if (rs->o->crash_buyer == (long)idx)
		raise(SIGKILL);
}

static void log_sale(const struct rush *rs, unsigned idx, long ticket)
{
	char line[96];
	int n;

	if (rs->log_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "sale buyer=%u pid=%ld ticket=%ld\n", idx,
		     (long)getpid(), ticket);
	/* One write per line on an O_APPEND descriptor: lines never interleave. */
	if (net_write_all(rs->log_fd, line, (size_t)n) < 0)
		fprintf(stderr, "ticket: buyer %u: cannot write the sales log: %s\n", idx,
			strerror(errno));
}

/*
 * Read, check, wait, write, rename: all under the lock. The sale is counted
 * in the same write that takes the ticket, so a buyer killed at any point
 * leaves count + sold == stock; the sales log line comes after it.
 */
static void buyer_run(struct rush *rs, unsigned idx, struct buyer_report *rep)
{
	char err[TICKET_ERR_LEN], tmp[TICKET_PATH_MAX];
	struct ticket_state st, next;
	struct ticket_hold hold;

	memset(rep, 0, sizeof(*rep));
	rep->buyer = idx;
	rep->outcome = BUYER_FAILED;
	rep->read_sold = -1;
	if (ticket_lock_acquire(rs->lock, &hold, err) < 0)
		goto fail;
	rep->recovered = hold.recovered;
	if (ticket_store_read(rs->o->store, &st, err) < 0)
		goto unlock_fail;
	rep->read_sold = st.sold;
	if (st.count == 0) {
		crash_if_hooked(rs, idx);
		rep->outcome = BUYER_TURNED_AWAY;
		ticket_lock_release(rs->lock, &hold);
		return;
	}
	sleep_ms(rs->o->delay_ms);
	next = (struct ticket_state){ .count = st.count - 1, .sold = st.sold + 1,
				      .stock = st.stock };
	if (ticket_store_prepare(rs->o->store, &next, tmp, err) < 0)
		goto unlock_fail;
	/* Between write and rename: the store must still be the old one. */
	crash_if_hooked(rs, idx);
	if (ticket_store_commit(tmp, rs->o->store, err) < 0)
		goto unlock_fail;
	log_sale(rs, idx, st.count);
	rep->outcome = BUYER_SOLD;
	ticket_lock_release(rs->lock, &hold);
	return;
unlock_fail:
	ticket_lock_release(rs->lock, &hold);
fail:
	fprintf(stderr, "ticket: buyer %u: %s\n", idx, err);
}

static void *buyer_thread(void *arg)
{
	const struct buyer_arg *a = arg;
	struct rush *rs = a->rush;
	int go;

	pthread_mutex_lock(&rs->gate_mu);
	while (rs->gate == 0)
		pthread_cond_wait(&rs->gate_cv, &rs->gate_mu);
	go = rs->gate;
	pthread_mutex_unlock(&rs->gate_mu);
	if (go > 0)
		buyer_run(rs, a->idx, &rs->reports[a->idx]);
	return NULL;
}

static void open_gate(struct rush *rs, int state)
{
	pthread_mutex_lock(&rs->gate_mu);
	rs->gate = state;
	pthread_cond_broadcast(&rs->gate_cv);
	pthread_mutex_unlock(&rs->gate_mu);
}

static int rush_threads(struct rush *rs, double *wall, char *err)
{
	unsigned n = rs->o->buyers, started = 0, i;
	struct buyer_arg *args = calloc(n, sizeof(*args));
	pthread_t *tids = calloc(n, sizeof(*tids));
	pthread_attr_t attr;
	double t0;
	int rc = 0;

	if (!args || !tids || pthread_attr_init(&attr) != 0) {
		ticket_fail(err, "out of memory for %u buyers", n);
		free(args);
		free(tids);
		return -1;
	}
	pthread_attr_setstacksize(&attr, BUYER_STACK);
	for (; started < n; started++) {
		args[started] = (struct buyer_arg){ .rush = rs, .idx = started };
		rc = pthread_create(&tids[started], &attr, buyer_thread, &args[started]);
		if (rc != 0) {
			ticket_fail(err, "cannot start buyer thread %u: %s",
				    started, strerror(rc));
			break;
		}
	}
	pthread_attr_destroy(&attr);
	t0 = now_s();
	/* All or none: a partial rush would report a race that never ran. */
	open_gate(rs, started == n ? 1 : -1);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	*wall = now_s() - t0;
	free(tids);
	free(args);
	return started == n ? 0 : -1;
}

static _Noreturn void buyer_child(struct rush *rs, unsigned idx, pid_t parent,
				  const int gate[2], const int res[2])
{
	struct buyer_report rep;
	ssize_t n;
	char c;

	/* Die with the rush: a buyer whose parent was killed must not go on selling. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	close(gate[1]);
	close(res[0]);
	/* One byte per buyer opens the gate; EOF without one means the rush is off. */
	do
		n = read(gate[0], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1);
	buyer_run(rs, idx, &rep);
	if (net_write_all(res[1], &rep, sizeof(rep)) < 0)
		_exit(1);
	_exit(0);
}

/* Collects the reports until every child has closed its end of the pipe. */
static void collect_reports(struct rush *rs, int fd)
{
	struct buyer_report rep;

	while (net_read_full(fd, &rep, sizeof(rep)) == (ssize_t)sizeof(rep))
		if (rep.buyer < rs->o->buyers)
			rs->reports[rep.buyer] = rep;
}

static void reap_buyer(struct rush *rs, unsigned idx, pid_t pid)
{
	siginfo_t info;
	int status;

	/* Look before reaping: until then the pid cannot be reused. */
	memset(&info, 0, sizeof(info));
	while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	if (rs->reports[idx].outcome == BUYER_SILENT &&
	    (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED)) {
		if (rs->o->crash_buyer != (long)idx || info.si_status != SIGKILL)
			fprintf(stderr, "ticket: buyer %u (pid %ld) killed by signal %d (%s)\n",
				idx, (long)pid, info.si_status, strsignal(info.si_status));
		if (ticket_store_remove_temps(rs->o->store, (long)pid) > 0)
			fprintf(stderr, "ticket: removed the temporary file of dead buyer %u\n",
				idx);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Lets n buyers through the gate at once. */
static void open_gate_pipe(int fd, unsigned n)
{
	char go[512];

	memset(go, 'g', sizeof(go));
	while (n > 0) {
		size_t chunk = n < sizeof(go) ? n : sizeof(go);

		if (net_write_all(fd, go, chunk) < 0)
			break;
		n -= (unsigned)chunk;
	}
}

static int rush_processes(struct rush *rs, double *wall, char *err)
{
	unsigned n = rs->o->buyers, started = 0, i;
	pid_t *pids = calloc(n, sizeof(*pids));
	pid_t parent = getpid();
	int gate[2], res[2];
	double t0;

	if (!pids || pipe2(gate, O_CLOEXEC) < 0) {
		ticket_fail(err, "cannot set up %u buyers: %s", n, strerror(errno));
		free(pids);
		return -1;
	}
	if (pipe2(res, O_CLOEXEC) < 0) {
		ticket_fail(err, "cannot set up %u buyers: %s", n, strerror(errno));
		close(gate[0]);
		close(gate[1]);
		free(pids);
		return -1;
	}
	/* Children must not flush what the parent has buffered. */
	fflush(NULL);
	for (; started < n; started++) {
		pids[started] = fork();
		if (pids[started] < 0) {
			ticket_fail(err, "cannot fork buyer %u: %s", started,
				    strerror(errno));
			break;
		}
		if (pids[started] == 0)
			buyer_child(rs, started, parent, gate, res);
	}
	close(gate[0]);
	close(res[1]);
	if (started < n) {
		/* Still waiting at the gate: none has touched the store. */
		for (i = 0; i < started; i++)
			kill(pids[i], SIGKILL);
	}
	t0 = now_s();
	if (started == n)
		open_gate_pipe(gate[1], n);
	close(gate[1]);
	if (started == n)
		collect_reports(rs, res[0]);
	*wall = now_s() - t0;
	close(res[0]);
	for (i = 0; i < started; i++)
		reap_buyer(rs, i, pids[i]);
	free(pids);
	return started == n ? 0 : -1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* What the buyers' reads of the store's "sold" say about who else wrote it. */
struct read_check {
	bool in_turn;	/* the sales read it as a lock excluding them from each other would */
	bool foreign;	/* a value read, or the last one, that no buyer of this rush wrote */
};

/*
 * in_turn: each sale read a different "sold", none before the rush's start
 * or at or after its end; another process's write that took one of their
 * sales back, or that their sale took back, shows as a repeat. foreign: some
 * buyer read a "sold" (or the store ended with one) that neither the rush
 * started with nor one of its sales wrote: someone else wrote the store.
 * -1 when out of memory.
 */
static int check_reads(const struct rush *rs, long sold, long from, long to,
		       struct read_check *c)
{
	int64_t *wrote = malloc(((size_t)sold + 1) * sizeof(*wrote)), key;
	unsigned i;
	long n = 0;

	if (!wrote)
		return -1;
	for (i = 0; i < rs->o->buyers; i++)
		if (rs->reports[i].outcome == BUYER_SOLD && n < sold)
			wrote[n++] = rs->reports[i].read_sold + 1;
	qsort(wrote, (size_t)n, sizeof(*wrote), cmp_i64);
	c->in_turn = true;
	for (i = 0; i < (unsigned)n; i++)
		if (wrote[i] <= from || wrote[i] > to || (i > 0 && wrote[i] == wrote[i - 1]))
			c->in_turn = false;
	key = to;
	c->foreign = to != from && !bsearch(&key, wrote, (size_t)n, sizeof(*wrote), cmp_i64);
	for (i = 0; i < rs->o->buyers && !c->foreign; i++) {
		key = rs->reports[i].read_sold;
		/* A silent buyer's report never came: its read_sold is not one. */
		if (rs->reports[i].outcome != BUYER_SILENT && key >= 0 && key != from &&
		    !bsearch(&key, wrote, (size_t)n, sizeof(*wrote), cmp_i64))
			c->foreign = true;
	}
	free(wrote);
	return 0;
}

/* A lower bound, or unknown when it is no bound at all. */
static void at_least(long value, long *out, enum ticket_figure *kind)
{
	*out = value > 0 ? value : 0;
	*kind = value > 0 ? TICKET_AT_LEAST : TICKET_UNKNOWN;
}

/*
 * Who changed the store, from its "sold" before and after and what the buyers
 * read. dead_may_have_sold: buyers that died unreported, not by the crash hook
 * (which always dies before its rename): the store may show their sales.
 */
static void account(const struct rush *rs, const struct ticket_state *after,
		    long dead_may_have_sold, struct ticket_report *r)
{
	const struct ticket_state *before = &rs->before;
	long sold = r->sold, extra;
	struct read_check c;

	r->store_sales = after->sold - before->sold;
	extra = r->store_sales - sold;
	r->others_sold = 0;
	r->others_kind = TICKET_EXACT;
	r->lost_updates = 0;
	r->lost_kind = TICKET_EXACT;
	if (after->stock != before->stock || r->store_sales < 0) {
		r->outsider = TICKET_REINIT;
		r->others_kind = r->lost_kind = TICKET_UNKNOWN;
		return;
	}
	/* A dead buyer's read is unknown, and so is what it wrote: no value is foreign then. */
	if (check_reads(rs, sold, before->sold, after->sold, &c) < 0)
		c = (struct read_check){ .in_turn = false, .foreign = true };
	else if (dead_may_have_sold > 0)
		c.foreign = false;
	if (rs->o->lock == TICKET_LOCK_NONE) {
		/* The buyers race each other: a sale the store lacks is theirs to lose. */
		if (!c.foreign && extra <= dead_may_have_sold) {
			r->outsider = TICKET_ALONE;
			r->lost_updates = extra < 0 ? -extra : 0;
			if (dead_may_have_sold > 0)
				r->lost_kind = TICKET_AT_LEAST;
			return;
		}
		r->outsider = TICKET_OTHERS;
		at_least(extra - dead_may_have_sold, &r->others_sold, &r->others_kind);
		at_least(-extra, &r->lost_updates, &r->lost_kind);
		return;
	}
	if (c.in_turn && !c.foreign && extra <= dead_may_have_sold) {
		r->outsider = TICKET_ALONE;
		return;
	}
	if (c.in_turn && rs->o->lock == TICKET_LOCK_FLOCK) {
		/* The flock excludes every process that takes it: they only sold in between. */
		r->outsider = TICKET_OTHERS_LOCKED;
		r->others_sold = extra - dead_may_have_sold;
		if (dead_may_have_sold > 0)
			r->others_kind = TICKET_AT_LEAST;
		return;
	}
	r->outsider = TICKET_OTHERS;
	at_least(extra - dead_may_have_sold, &r->others_sold, &r->others_kind);
	at_least(-extra, &r->lost_updates, &r->lost_kind);
}

static void tally(const struct rush *rs, const struct ticket_state *after,
		  struct ticket_report *r)
{
	long hooked = 0;
	unsigned i;

	for (i = 0; i < rs->o->buyers; i++) {
		const struct buyer_report *rep = &rs->reports[i];

		r->sold += rep->outcome == BUYER_SOLD;
		r->turned_away += rep->outcome == BUYER_TURNED_AWAY;
		r->failed += rep->outcome == BUYER_FAILED;
		r->crashed += rep->outcome == BUYER_SILENT;
		r->recovered += rep->recovered != 0;
		hooked += rep->outcome == BUYER_SILENT && rs->o->crash_buyer == (long)i;
	}
	r->oversold = r->sold > r->stock_before ? r->sold - r->stock_before : 0;
	account(rs, after, r->crashed - hooked, r);
}

/*
 * Reads the final count under the lock too: should the last holder have died
 * in it, this is where a mutex is found abandoned and put right.
 */
static int rush_finish(struct rush *rs, struct ticket_report *r, char *err)
{
	struct ticket_state after = { 0 };
	struct ticket_hold hold;
	int rc;

	if (ticket_lock_acquire(rs->lock, &hold, err) < 0)
		return -1;
	rc = ticket_store_read(rs->o->store, &after, err);
	ticket_lock_release(rs->lock, &hold);
	if (rc < 0)
		return -1;
	r->stock_after = after.count;
	tally(rs, &after, r);
	r->recovered += hold.recovered;
	return rc;
}

static int rush_prepare(struct rush *rs, const struct ticket_rush_opts *o,
			struct ticket_report *r, char *err)
{
	char lock_path[TICKET_PATH_MAX];
	int stale;

	if (o->mode == TICKET_THREADS && o->crash_buyer >= 0) {
		ticket_fail(err, "the crash hook needs process mode: a thread "
			    "cannot die alone");
		return -1;
	}
	/* Every buyer writes beside the store: said once here, not by each of them. */
	if (ticket_store_read(o->store, &rs->before, err) < 0 ||
	    ticket_store_check_writable(o->store, err) < 0 ||
	    ticket_store_lock_path(o->store, lock_path, err) < 0)
		return -1;
	r->stock_before = rs->before.count;
	stale = ticket_store_remove_stale_temps(o->store);
	if (stale > 0)
		fprintf(stderr, "ticket: removed %d temporary files left by a killed rush\n",
			stale);
	rs->lock = ticket_lock_new(o->lock, o->mode == TICKET_PROCESSES, lock_path, err);
	if (!rs->lock)
		return -1;
	if (o->sales_log) {
		rs->log_fd = open(o->sales_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
				  O_CLOEXEC, 0644);
		if (rs->log_fd < 0) {
			ticket_fail(err, "cannot open sales log '%s': %s",
				    o->sales_log, strerror(errno));
			return -1;
		}
	}
	rs->reports = calloc(o->buyers, sizeof(*rs->reports));
	if (!rs->reports) {
		ticket_fail(err, "out of memory for %u buyers", o->buyers);
		return -1;
	}
	return 0;
}

int ticket_rush(const struct ticket_rush_opts *o, struct ticket_report *r, char *err)
{
	struct rush rs = { .o = o, .log_fd = -1,
			   .gate_mu = PTHREAD_MUTEX_INITIALIZER,
			   .gate_cv = PTHREAD_COND_INITIALIZER };
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->buyers = o->buyers;
	if (rush_prepare(&rs, o, r, err) < 0)
		goto out;
	if (o->mode == TICKET_THREADS)
		rc = rush_threads(&rs, &r->wall_s, err);
	else
		rc = rush_processes(&rs, &r->wall_s, err);
	if (rc == 0)
		rc = rush_finish(&rs, r, err);
out:
	if (rs.log_fd >= 0)
		close(rs.log_fd);
	free(rs.reports);
	ticket_lock_free(rs.lock);
	return rc;
}
