/* test_pool.c -- the pool engine in all four modes: delivery, blobs, crashes, stops, deadlines, hygiene */
#include "pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Jobs a loop worker holds at once in these tests. */
enum { EVENT_JOBS = 8 };

/* Whether the mode's workers are forked processes. */
static bool forked(enum pool_mode mode)
{
	return mode == POOL_PROCESSES || mode == POOL_HYBRID;
}

/* Whether the mode's workers run serve(). */
static bool loops(enum pool_mode mode)
{
	return mode == POOL_EVENTS || mode == POOL_HYBRID;
}

/*
 * The spares a worker is handed while its jobs take as long as these tests'
 * (20 ms and more): a per-job worker process gets one, however many were
 * asked for, so that none waits behind a slow job (process_pool.c).
 */
static unsigned spares_for_slow_jobs(enum pool_mode mode, unsigned asked)
{
	return mode == POOL_PROCESSES && asked > 1 ? 1 : asked;
}

/* What a job asks its worker to do. */
enum action {
	ACT_ECHO,	/* answer with the payload transformed */
	ACT_DIE,	/* end the worker: SIGKILL (processes) or pthread_exit (threads) */
	ACT_ABORT,	/* abort(): forked workers only */
	ACT_FAIL,	/* work() returns an error */
	ACT_SLEEP,	/* sleep `arg` ms, giving up early once abandoned */
	ACT_STOP,	/* raise(SIGSTOP): forked workers only */
	ACT_WAIT_STOP,	/* sleep `arg` ms, ending early once the pool stops (pool_stopping()) */
};

struct job_header {
	uint32_t id;
	uint32_t action;
	uint32_t arg;
	uint32_t worker_state;	/* in results: the state worker_init made */
};

struct run {
	enum pool_mode mode;
	struct pool *pool;
	unsigned long jobs;		/* jobs next_job() hands out */
	size_t payload;			/* payload bytes after the header */
	enum action (*action_of)(unsigned long id);
	uint32_t sleep_ms;
	unsigned long stop_after;	/* results before raising SIGUSR1; 0 = never */
	unsigned long taken;
	unsigned long taken_at_stop;
	unsigned long delivered;
	unsigned char *count;		/* deliveries per job id */
	enum pool_status *status;
	char (*error)[128];
	long *worker_id;
	unsigned char *started;		/* per job id, set by work(); shared with worker processes */
	unsigned char *saw_stop;	/* per job id: it ended on pool_stopping(); shared too */
	bool fail_init;
	unsigned deadline_ms;		/* pool_set_job_deadline(); 0 = none */
	unsigned spare_jobs;		/* pool_set_spare_jobs(); 0 = the default */
	unsigned long taken_at_first_done;	/* r->taken when the first result came */
	bool serve_gives_up;		/* serve() returns while holding a job */
	atomic_ulong *most_held;	/* most jobs one loop worker held at once; shared */
	int source[2];			/* with a pipe source: job ids arrive on source[0] */
	unsigned tick_ms;		/* pool_set_tick(); 0 = none */
	pthread_t runner;		/* the thread that calls pool_run() */
	unsigned long ticks;		/* ticks so far */
	unsigned long busy_ticks;	/* those with every job running and none back */
	unsigned long stop_when_running;	/* a tick stops the pool once this many run; 0 = never */
	long long stopped_ms;		/* when it did (now_ms()) */
	unsigned long started_at_stop;	/* jobs started by then */
	unsigned long fail_memory_after;	/* results before the parent's realloc() fails; 0 = never */
};

/*
 * The pool's realloc() (linked with --wrap=realloc): it fails in the process
 * named here, so a test can run the parent out of memory, not its workers.
 */
static pid_t realloc_fails_in;

void *__real_realloc(void *ptr, size_t size);
void *__wrap_realloc(void *ptr, size_t size);

void *__wrap_realloc(void *ptr, size_t size)
{
	if (realloc_fails_in && realloc_fails_in == getpid()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(ptr, size);
}

static struct pool *signal_target;
static volatile sig_atomic_t stop_signals;	/* seen by on_stop_then_abandon() */

/* Stops twice: a second pool_stop() changes nothing. */
static void on_stop_signal(int sig)
{
	(void)sig;
	if (signal_target) {
		pool_stop(signal_target);
		pool_stop(signal_target);
	}
}

static void on_abandon_signal(int sig)
{
	(void)sig;
	if (signal_target)
		pool_abandon(signal_target);
}

/* The first signal stops the pool, the next ones abandon it. */
static void on_stop_then_abandon(int sig)
{
	(void)sig;
	if (!signal_target)
		return;
	if (stop_signals++ == 0)
		pool_stop(signal_target);
	else
		pool_abandon(signal_target);
}

static unsigned char payload_byte(uint32_t id, size_t i)
{
	return (unsigned char)(id * 31u + i * 7u);
}

static int next_job(void *ctx, void **job, size_t *len)
{
	struct run *r = ctx;
	struct job_header *hdr;
	unsigned char *payload;

	assert_true(pool_abandoned(r->pool) == false);
	assert_true(pool_stopping(r->pool) == false);
	if (r->source[0] > 0) {
		char byte;
		ssize_t n = read(r->source[0], &byte, 1);

		if (n < 0 && errno == EAGAIN)
			return POOL_NEXT_WAIT;
		if (n <= 0)
			return n < 0 ? -1 : 0;
	}
	if (r->taken == r->jobs)
		return 0;
	*len = sizeof(*hdr) + r->payload;
	hdr = malloc(*len);
	if (!hdr)
		return -1;
	hdr->id = (uint32_t)r->taken;
	hdr->action = r->action_of ? r->action_of(r->taken) : ACT_ECHO;
	hdr->arg = r->sleep_ms;
	hdr->worker_state = 0;
	payload = (unsigned char *)(hdr + 1);
	for (size_t i = 0; i < r->payload; i++)
		payload[i] = payload_byte(hdr->id, i);
	r->taken++;
	*job = hdr;
	return 1;
}

static void check_result(const struct run *r, const struct pool_result *res)
{
	const struct job_header *in = res->job, *out = res->data;
	const unsigned char *payload = (const unsigned char *)(out + 1);

	assert_int_equal(res->len, sizeof(*out) + r->payload);
	assert_int_equal(out->id, in->id);
	assert_int_equal(out->worker_state, res->worker + 1);
	for (size_t i = 0; i < r->payload; i++)
		if (payload[i] != (unsigned char)~payload_byte(in->id, i))
			fail_msg("job %u: result byte %zu differs", in->id, i);
}

static void done(void *ctx, const struct pool_result *res)
{
	struct run *r = ctx;
	const struct job_header *in = res->job;

	assert_int_equal(res->job_len, sizeof(*in) + r->payload);
	assert_true(in->id < r->taken);
	r->count[in->id]++;
	r->status[in->id] = res->status;
	r->worker_id[in->id] = res->worker_id;
	if (r->delivered == 0)
		r->taken_at_first_done = r->taken;
	snprintf(r->error[in->id], sizeof(r->error[0]), "%s", res->error ? res->error : "");
	if (res->status == POOL_JOB_DONE)
		check_result(r, res);
	else
		assert_null(res->data);
	if (!forked(r->mode))
		assert_int_equal(res->worker_id, (long)res->worker);
	r->delivered++;
	if (r->fail_memory_after && r->delivered == r->fail_memory_after)
		realloc_fails_in = getpid();
	/* A pipe source gets its second half only once the first half is done. */
	if (r->source[1] > 0 && r->delivered == r->jobs / 2) {
		for (unsigned long i = 0; i < r->jobs - r->jobs / 2; i++)
			assert_int_equal(write(r->source[1], "j", 1), 1);
		close(r->source[1]);
		r->source[1] = -1;
	}
	if (r->stop_after && r->delivered == r->stop_after) {
		r->taken_at_stop = r->taken;
		raise(SIGUSR1);
	}
}

static int worker_init(void *ctx, unsigned worker, void **state)
{
	struct run *r = ctx;
	uint32_t *mine;

	if (r->fail_init && worker == 1)
		return -1;
	/* A worker process does not hold the source's write end: the pool closed it. */
	mine = malloc(sizeof(*mine));
	if (!mine)
		return -1;
	*mine = worker + 1;
	*state = mine;
	return 0;
}

static void worker_fini(void *ctx, void *state)
{
	(void)ctx;
	free(state);
}

static void sleep_ms(struct run *r, uint32_t ms)
{
	for (uint32_t slept = 0; slept < ms && !pool_abandoned(r->pool); slept += 5)
		nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
}

/* An ACT_WAIT_STOP job ends once the pool stops: noted, as seen in the worker that runs it. */
static bool ends_on_stop(struct run *r, const struct job_header *job)
{
	if (job->action != ACT_WAIT_STOP || !pool_stopping(r->pool))
		return false;
	__atomic_store_n(&r->saw_stop[job->id], 1, __ATOMIC_RELAXED);
	return true;
}

/* work()'s ACT_WAIT_STOP: serve() looks at ends_on_stop() between its polls instead. */
static void wait_for_stop(struct run *r, const struct job_header *job)
{
	for (uint32_t slept = 0; slept < job->arg && !ends_on_stop(r, job); slept += 5)
		nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
}

/* Does what the job asks, except sleeping: work() and serve() sleep each their own way. */
static int answer(struct run *r, void *state, const void *job, size_t len, void **result, size_t *result_len)
{
	const struct job_header *in = job;
	struct job_header *out;

	switch ((enum action)in->action) {
	case ACT_DIE:
		if (forked(r->mode))
			raise(SIGKILL);
		pthread_exit(NULL);
	case ACT_ABORT:
		abort();
	case ACT_STOP:
		raise(SIGSTOP);
		break;
	case ACT_FAIL:
		return -1;
	case ACT_SLEEP:
	case ACT_WAIT_STOP:
	case ACT_ECHO:
		break;
	}
	out = malloc(len);
	if (!out)
		return -1;
	*out = *in;
	out->worker_state = *(uint32_t *)state;
	for (size_t i = sizeof(*in); i < len; i++)
		((unsigned char *)out)[i] = (unsigned char)~((const unsigned char *)job)[i];
	*result = out;
	*result_len = len;
	return 0;
}

static int work(void *ctx, void *state, const void *job, size_t len, void **result, size_t *result_len)
{
	struct run *r = ctx;
	const struct job_header *in = job;

	/* atomic: a tick reads it while the worker runs */
	__atomic_store_n(&r->started[in->id], 1, __ATOMIC_RELAXED);
	if (in->action == ACT_SLEEP)
		sleep_ms(r, in->arg);
	else if (in->action == ACT_WAIT_STOP)
		wait_for_stop(r, in);
	return answer(r, state, job, len, result, result_len);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct held_job {
	struct pool_task *task;
	const struct job_header *job;
	size_t len;
	long long due_ms;
};

/*
 * An event worker: holds up to EVENT_JOBS jobs and ends those due newest
 * first, so results come back out of order; sleeping jobs wait in poll().
 */
static int serve(void *ctx, void *state, struct pool_feed *feed)
{
	struct run *r = ctx;
	struct held_job held[EVENT_JOBS];
	size_t n = 0;
	bool closed = false;

	for (;;) {
		long long now = now_ms(), wait_ms = -1;
		const void *job;
		int verdict = POOL_FEED_EMPTY;
		bool gave = false;

		while (!closed && n < EVENT_JOBS &&
		       (verdict = pool_feed_take(feed, &held[n].task, &job, &held[n].len)) == POOL_FEED_JOB) {
			held[n].job = job;
			held[n].due_ms = now + (held[n].job->action == ACT_SLEEP ||
						held[n].job->action == ACT_WAIT_STOP ?
						held[n].job->arg : 0);
			__atomic_store_n(&r->started[held[n].job->id], 1, __ATOMIC_RELAXED);
			n++;
		}
		closed = closed || verdict == POOL_FEED_CLOSED;
		for (unsigned long most = atomic_load(r->most_held);
		     n > most && !atomic_compare_exchange_weak(r->most_held, &most, n);)
			;
		if (r->serve_gives_up && n > 0)
			return 0;
		if (closed && n == 0)
			return 0;

		for (size_t i = n; i-- > 0;) {
			void *result = NULL;
			size_t result_len = 0;
			int rc;

			if (held[i].due_ms > now && !pool_abandoned(r->pool) &&
			    !ends_on_stop(r, held[i].job))
				continue;
			rc = answer(r, state, held[i].job, held[i].len, &result, &result_len);
			pool_feed_give(feed, held[i].task, rc, result, result_len);
			held[i] = held[--n];
			gave = true;
		}
		/* room again: the feed's descriptor means something only after an empty take */
		if (gave)
			continue;
		/* still sleeping jobs: look again soon, or once abandoned */
		if (n > 0)
			wait_ms = 5;
		if (n < EVENT_JOBS && !closed) {
			struct pollfd pfd = { .fd = pool_feed_fd(feed), .events = POLLIN };

			poll(&pfd, 1, (int)wait_ms);
		} else if (n > 0) {
			nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
		}
	}
}

/*
 * A tick: always in the thread that runs the pool; counted, and apart those
 * while every job runs. It stops the pool once stop_when_running jobs run
 * and every job that kills its worker has been delivered (with the jobs it
 * took down), so that the jobs counted are all in live workers.
 */
static void count_tick(void *ctx)
{
	struct run *r = ctx;
	unsigned long running = 0, unfinished = 0, dying = 0;

	assert_true(pthread_equal(pthread_self(), r->runner));
	r->ticks++;
	for (unsigned long id = 0; id < r->taken; id++) {
		unsigned char started = __atomic_load_n(&r->started[id], __ATOMIC_RELAXED);
		bool dies = r->action_of && r->action_of(id) == ACT_DIE;

		running += started;
		unfinished += started && r->count[id] == 0 && !dies;
		dying += dies && r->count[id] == 0;
	}
	if (r->taken == r->jobs && running == r->jobs && r->delivered == 0)
		r->busy_ticks++;
	if (r->stop_when_running && !r->stopped_ms && dying == 0 &&
	    unfinished >= r->stop_when_running) {
		r->taken_at_stop = r->taken;
		r->started_at_stop = running;
		r->stopped_ms = now_ms();
		pool_stop(r->pool);
	}
}

static const struct pool_callbacks callbacks = {
	.next_job = next_job,
	.done = done,
	.work = work,
	.serve = serve,
	.worker_init = worker_init,
	.worker_fini = worker_fini,
};

static struct pool *new_pool(struct run *r, unsigned workers)
{
	int err = 0;
	struct pool *pool = pool_new(r->mode, workers, &callbacks, r, &err);

	assert_non_null(pool);
	assert_int_equal(pool_set_worker_jobs(pool, EVENT_JOBS), 0);
	if (r->deadline_ms)
		assert_int_equal(pool_set_job_deadline(pool, r->deadline_ms), 0);
	if (r->spare_jobs)
		assert_int_equal(pool_set_spare_jobs(pool, r->spare_jobs), 0);
	if (r->tick_ms)
		assert_int_equal(pool_set_tick(pool, r->tick_ms, count_tick), 0);
	return pool;
}

static int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(dir);
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

static void run_init(struct run *r, enum pool_mode mode, unsigned long jobs)
{
	*r = (struct run){ .mode = mode, .jobs = jobs };
	r->count = calloc(jobs, sizeof(*r->count));
	r->status = calloc(jobs, sizeof(*r->status));
	r->error = calloc(jobs, sizeof(*r->error));
	r->worker_id = calloc(jobs, sizeof(*r->worker_id));
	r->started = mmap(NULL, jobs + 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r->saw_stop = mmap(NULL, jobs + 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r->most_held = mmap(NULL, sizeof(*r->most_held), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(r->count && r->status && r->error && r->worker_id);
	assert_true(r->started != MAP_FAILED && r->saw_stop != MAP_FAILED &&
		    r->most_held != MAP_FAILED);
	atomic_init(r->most_held, 0);
}

static void run_release(struct run *r)
{
	free(r->count);
	free(r->status);
	free(r->error);
	free(r->worker_id);
	munmap(r->started, r->jobs + 1);
	munmap(r->saw_stop, r->jobs + 1);
	munmap(r->most_held, sizeof(*r->most_held));
}

/* Runs the pool and checks what must hold after every run. */
static int run_pool(struct run *r, unsigned workers)
{
	int fds = count_fds();
	int rc, status;

	r->pool = new_pool(r, workers);
	signal_target = r->pool;
	rc = pool_run(r->pool);
	signal_target = NULL;
	pool_free(r->pool);
	r->pool = NULL;

	/* Every job taken is delivered exactly once. */
	assert_int_equal(r->delivered, r->taken);
	for (unsigned long id = 0; id < r->taken; id++)
		if (r->count[id] != 1)
			fail_msg("job %lu delivered %u times", id, r->count[id]);
	/* No descriptor and no child outlives the pool. */
	assert_int_equal(count_fds(), fds);
	assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	return rc;
}

static enum pool_mode mode_of(void **state)
{
	return *(enum pool_mode *)*state;
}

static void test_every_job_once(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 20000);
	r.payload = 16;
	assert_int_equal(run_pool(&r, 4), POOL_OK);
	assert_int_equal(r.taken, 20000);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_equal(r.status[id], POOL_JOB_DONE);
	run_release(&r);
}

static void test_one_mib_blobs(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 24);
	r.payload = 1 << 20;
	assert_int_equal(run_pool(&r, 3), POOL_OK);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_equal(r.status[id], POOL_JOB_DONE);
	run_release(&r);
}

/*
 * The parent out of memory for a worker's results: the run ends with
 * POOL_ENOMEM and every job taken delivered once (it used to kill the
 * worker and poll its hang-up for ever, failing to read it each time).
 */
static void test_parent_out_of_memory(void **state)
{
	unsigned long interrupted = 0;
	struct run r;
	int rc;

	run_init(&r, mode_of(state), 24);
	r.payload = 1 << 20;
	r.fail_memory_after = 4;
	alarm(60);
	rc = run_pool(&r, 3);
	alarm(0);
	realloc_fails_in = 0;
	assert_int_equal(rc, POOL_ENOMEM);
	for (unsigned long id = 0; id < r.taken; id++)
		interrupted += r.status[id] == POOL_JOB_INTERRUPTED;
	assert_true(interrupted > 0);
	run_release(&r);
}

static void test_empty_job_list(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 0);
	assert_int_equal(run_pool(&r, 2), POOL_OK);
	assert_int_equal(r.delivered, 0);
	run_release(&r);
}

static enum action crash_some(unsigned long id)
{
	if (id == 17 || id == 101)
		return ACT_DIE;
	if (id == 60)
		return ACT_FAIL;
	return ACT_ECHO;
}

static enum action crash_and_abort(unsigned long id)
{
	return id == 150 ? ACT_ABORT : crash_some(id);
}

static void test_worker_death(void **state)
{
	struct run r;
	enum pool_mode mode = mode_of(state);

	run_init(&r, mode, 300);
	r.action_of = forked(mode) ? crash_and_abort : crash_some;
	assert_int_equal(run_pool(&r, 3), POOL_OK);
	for (unsigned long id = 0; id < r.taken; id++) {
		enum action act = r.action_of(id);

		/* a loop worker that dies takes the jobs it held with it */
		if (loops(mode) && act == ACT_ECHO && r.status[id] == POOL_JOB_FAILED) {
			if (mode == POOL_EVENTS)
				assert_string_equal(r.error[id], "worker thread exited");
			else if (!strstr(r.error[id], "signal 9") && !strstr(r.error[id], "signal 6"))
				fail_msg("job %lu failed with '%s'", id, r.error[id]);
			continue;
		}
		assert_int_equal(r.status[id], act == ACT_ECHO ? POOL_JOB_DONE : POOL_JOB_FAILED);
		if (act == ACT_FAIL)
			assert_string_equal(r.error[id], "job failed");
	}
	/*
	 * A loop process costs at most the jobs it may hold at once: the jobs
	 * waiting behind them in its channel go to its replacement.
	 */
	if (mode == POOL_HYBRID) {
		for (unsigned long dead = 0; dead < r.taken; dead++) {
			unsigned failed = 0;

			if (r.action_of(dead) == ACT_ECHO)
				continue;
			for (unsigned long id = 0; id < r.taken; id++)
				failed += r.status[id] == POOL_JOB_FAILED &&
					  r.worker_id[id] == r.worker_id[dead] &&
					  r.action_of(id) != ACT_FAIL;
			if (failed > EVENT_JOBS)
				fail_msg("worker %ld took %u jobs with it", r.worker_id[dead], failed);
		}
	}
	if (forked(mode)) {
		assert_non_null(strstr(r.error[17], "killed by signal 9"));
		assert_non_null(strstr(r.error[101], "killed by signal 9"));
		assert_non_null(strstr(r.error[150], "signal 6"));
		/* The jobs ran in children, and a killed worker was replaced. */
		assert_true(r.worker_id[17] > 0 && r.worker_id[17] != getpid());
		assert_int_equal(kill((pid_t)r.worker_id[17], 0), -1);
	} else {
		assert_string_equal(r.error[17], "worker thread exited");
		assert_string_equal(r.error[101], "worker thread exited");
	}
	run_release(&r);
}

static void test_stop_lets_running_jobs_finish(void **state)
{
	struct run r;
	unsigned long done_count = 0;

	run_init(&r, mode_of(state), 400);
	r.action_of = NULL;
	r.sleep_ms = 10;
	r.stop_after = 12;
	signal(SIGUSR1, on_stop_signal);
	r.payload = 4;
	/* next_job must not be asked again after the stop request. */
	assert_int_equal(run_pool(&r, 4), POOL_ESTOPPED);
	signal(SIGUSR1, SIG_DFL);
	assert_int_equal(r.taken, r.taken_at_stop);
	assert_true(r.taken < r.jobs);
	/* Jobs that had started were finished, not dropped; the others never ran. */
	for (unsigned long id = 0; id < r.taken; id++) {
		assert_int_equal(r.status[id], r.started[id] ? POOL_JOB_DONE : POOL_JOB_INTERRUPTED);
		done_count += r.status[id] == POOL_JOB_DONE;
	}
	assert_true(done_count >= r.stop_after);
	run_release(&r);
}

static enum action always_sleep(unsigned long id)
{
	(void)id;
	return ACT_SLEEP;
}

static enum action die_first_then_sleep(unsigned long id)
{
	return id == 0 ? ACT_DIE : ACT_SLEEP;
}

/*
 * Every worker busy with long jobs, and 3 more jobs each waiting behind
 * them (in a worker process's channel, or the shared queue): a pool_stop()
 * lets the running jobs finish, and the waiting ones come back interrupted
 * without having started, so the run ends with the running jobs, not a job
 * time later. With `crash_first`, job 0 kills its worker first: the
 * replacement must see the stop too.
 */
static void check_stop_skips_waiting(enum pool_mode mode, bool crash_first)
{
	enum { WORKERS = 2, SPARE = 3 };
	unsigned window = loops(mode) ? EVENT_JOBS : 1;
	unsigned long interrupted = 0, started = 0, done = 0;
	struct run r;

	run_init(&r, mode, 200);
	r.action_of = crash_first ? die_first_then_sleep : always_sleep;
	r.sleep_ms = 1000;
	r.spare_jobs = SPARE;
	r.tick_ms = 5;
	r.runner = pthread_self();
	r.stop_when_running = WORKERS * window;
	assert_int_equal(run_pool(&r, WORKERS), POOL_ESTOPPED);
	assert_true(r.stopped_ms > 0);
	/*
	 * The running jobs' time, with room for a slow sanitized build; a job
	 * started after the stop would end a whole job's time after them.
	 */
	if (now_ms() - r.stopped_ms >= 2 * r.sleep_ms)
		fail_msg("the run ended %lld ms after the stop", now_ms() - r.stopped_ms);

	assert_int_equal(r.taken, r.taken_at_stop);
	/* each worker process had its spares in its channel when the stop came */
	if (forked(mode) && !crash_first)
		assert_int_equal(r.taken, WORKERS * (window + spares_for_slow_jobs(mode, SPARE)));
	for (unsigned long id = 0; id < r.taken; id++) {
		if (r.started[id]) {
			/* a loop's jobs held with the one that killed it failed with it */
			if (r.status[id] != POOL_JOB_DONE)
				assert_true(crash_first && r.status[id] == POOL_JOB_FAILED);
			started++;
			done += r.status[id] == POOL_JOB_DONE;
			continue;
		}
		assert_int_equal(r.status[id], POOL_JOB_INTERRUPTED);
		assert_string_equal(r.error[id], "interrupted before it started");
		interrupted++;
	}
	/* nothing started after the stop: only the jobs running then are done */
	assert_int_equal(started, r.started_at_stop);
	assert_int_equal(done, WORKERS * window);
	assert_true(interrupted >= WORKERS * spares_for_slow_jobs(mode, SPARE));
	run_release(&r);
}

static void test_stop_skips_waiting_jobs(void **state)
{
	check_stop_skips_waiting(mode_of(state), false);
}

/* A worker process that replaced a dead one sees the stop as the first did. */
static void test_stop_skips_waiting_jobs_after_crash(void **state)
{
	check_stop_skips_waiting(mode_of(state), true);
}

static enum action always_wait_stop(unsigned long id)
{
	(void)id;
	return ACT_WAIT_STOP;
}

/*
 * Jobs that would wait a minute unless the pool stops: pool_stopping()
 * turns true in every worker, thread or process (whose own copy of the
 * parent's memory never changes), so the jobs running at the stop end at
 * once and are delivered done, and the others never start.
 */
static void test_running_jobs_see_stop(void **state)
{
	enum { WORKERS = 2 };
	enum pool_mode mode = mode_of(state);
	unsigned window = loops(mode) ? EVENT_JOBS : 1;
	unsigned long done = 0;
	struct run r;

	run_init(&r, mode, 100);
	r.action_of = always_wait_stop;
	r.sleep_ms = 60000;
	r.tick_ms = 5;
	r.runner = pthread_self();
	r.stop_when_running = WORKERS * window;
	assert_int_equal(run_pool(&r, WORKERS), POOL_ESTOPPED);
	assert_true(r.stopped_ms > 0);
	/* a minute if the workers missed the stop; room for a slow sanitized build */
	if (now_ms() - r.stopped_ms >= 5000)
		fail_msg("the run ended %lld ms after the stop", now_ms() - r.stopped_ms);
	for (unsigned long id = 0; id < r.taken; id++) {
		if (r.status[id] != POOL_JOB_DONE) {
			assert_int_equal(r.status[id], POOL_JOB_INTERRUPTED);
			continue;
		}
		if (!r.saw_stop[id])
			fail_msg("job %lu ended without seeing the stop", id);
		done++;
	}
	assert_int_equal(done, WORKERS * window);
	run_release(&r);
}

/*
 * Long jobs, and `handler` on SIGALRM every 200 ms from the first second on
 * (time for forked workers to take their jobs on a slow, sanitized build)
 * until the run ends: every job, running or queued, comes back interrupted,
 * at once.
 */
static void check_abandon(enum pool_mode mode, void (*handler)(int))
{
	struct itimerval every_200ms = {
		.it_interval = { .tv_usec = 200000 },
		.it_value = { .tv_sec = 1 },
	};
	struct itimerval off = { 0 };
	struct timespec start, end;
	struct run r;

	run_init(&r, mode, 8);
	r.action_of = always_sleep;
	r.sleep_ms = 60000;
	stop_signals = 0;
	signal(SIGALRM, handler);
	setitimer(ITIMER_REAL, &every_200ms, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(run_pool(&r, 4), POOL_ESTOPPED);
	clock_gettime(CLOCK_MONOTONIC, &end);
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);

	assert_true(end.tv_sec - start.tv_sec < 30);
	assert_true(r.taken >= 4);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_equal(r.status[id], POOL_JOB_INTERRUPTED);
	run_release(&r);
}

/* pool_stop(), then pool_abandon() while the started jobs still run. */
static void test_stop_then_abandon(void **state)
{
	check_abandon(mode_of(state), on_stop_then_abandon);
}

/* pool_abandon() alone stops the pool too. */
static void test_abandon_alone(void **state)
{
	check_abandon(mode_of(state), on_abandon_signal);
}

static enum action stop_job_5(unsigned long id)
{
	return id == 5 ? ACT_STOP : ACT_ECHO;
}

/*
 * A worker process that stops (SIGSTOP) mid-job is killed once the job
 * outruns its deadline, and replaced: its job fails with the reason (a loop
 * worker's other jobs with it), the jobs queued behind it run in the
 * replacement, and no job is lost or doubled.
 */
static void test_job_deadline(void **state)
{
	long long start;
	double secs = 0;
	struct run r;
	int end = 0;

	run_init(&r, mode_of(state), 40);
	r.action_of = stop_job_5;
	r.deadline_ms = 500;
	start = now_ms();
	/* run_pool() checks every job came back once and no worker is left */
	assert_int_equal(run_pool(&r, 2), POOL_OK);
	/* the deadline, plus a margin for a slow machine, not for ever */
	assert_true(now_ms() - start < 5000);

	assert_int_equal(r.taken, r.jobs);
	for (unsigned long id = 0; id < r.taken; id++) {
		bool held_with_5 = loops(r.mode) && r.worker_id[id] == r.worker_id[5];

		if (id == 5 || (held_with_5 && r.status[id] == POOL_JOB_FAILED))
			assert_string_equal(r.error[id], r.error[5]);
		else
			assert_int_equal(r.status[id], POOL_JOB_DONE);
	}
	assert_int_equal(r.status[5], POOL_JOB_FAILED);
	/* the reason says how long the job had run: the deadline, give or take */
	if (sscanf(r.error[5], "worker stopped responding (killed after %lf s)%n", &secs, &end) != 1 ||
	    r.error[5][end] != '\0' || secs < 0.5 || secs >= 5)
		fail_msg("job 5 failed with '%s'", r.error[5]);
	/* the stopped worker was killed and reaped */
	assert_int_equal(kill((pid_t)r.worker_id[5], 0), -1);
	run_release(&r);
}

/*
 * Every worker in a long job, no job left to take: the parent has no result
 * to deliver and no job to ask for, and the tick still runs, in its thread.
 */
static void test_tick_while_workers_busy(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 3);
	r.action_of = always_sleep;
	r.sleep_ms = 1500;
	r.tick_ms = 20;
	r.runner = pthread_self();
	assert_int_equal(run_pool(&r, 3), POOL_OK);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_equal(r.status[id], POOL_JOB_DONE);
	/* a tick every 20 ms over jobs of 1.5 s: some 70, so 10 holds on any machine */
	if (r.busy_ticks < 10)
		fail_msg("%lu ticks while every job ran (%lu in all)", r.busy_ticks, r.ticks);
	run_release(&r);
}

/* Results coming back all the time, the parent never idle: the tick runs all the same. */
static void test_tick_while_results_flow(void **state)
{
	enum pool_mode mode = mode_of(state);
	struct run r;

	/* 15 rounds of 20 ms jobs on 2 workers: 300 ms at the least */
	run_init(&r, mode, 2 * (loops(mode) ? EVENT_JOBS : 1) * 15);
	r.action_of = always_sleep;
	r.sleep_ms = 20;
	r.tick_ms = 10;
	r.runner = pthread_self();
	assert_int_equal(run_pool(&r, 2), POOL_OK);
	if (r.ticks < 5)
		fail_msg("%lu ticks", r.ticks);
	run_release(&r);
}

/* Thread and event modes take a deadline and ignore it: a thread cannot be killed. */
static void test_job_deadline_ignored(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 20);
	r.action_of = always_sleep;
	r.sleep_ms = 50;
	r.deadline_ms = 1;
	assert_int_equal(run_pool(&r, 2), POOL_OK);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_equal(r.status[id], POOL_JOB_DONE);
	run_release(&r);
}

/* Results keep flowing while the job source has nothing to give yet. */
static void test_source_that_must_wait(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 40);
	assert_int_equal(pipe2(r.source, O_NONBLOCK | O_CLOEXEC), 0);
	for (unsigned long i = 0; i < r.jobs / 2; i++)
		assert_int_equal(write(r.source[1], "j", 1), 1);
	r.pool = new_pool(&r, 3);
	pool_watch_fd(r.pool, r.source[0]);
	assert_int_equal(pool_run(r.pool), POOL_OK);
	pool_free(r.pool);
	close(r.source[0]);
	assert_int_equal(r.taken, r.jobs);
	assert_int_equal(r.delivered, r.jobs);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_equal(r.count[id], 1);
	run_release(&r);
}

static void test_init_failure(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 1000);
	r.fail_init = true;
	assert_int_equal(run_pool(&r, 3), POOL_EINIT);
	/* the jobs sent to the worker that failed never started: they have no result, in every mode */
	for (unsigned long id = 0; id < r.taken; id++)
		if (r.status[id] == POOL_JOB_FAILED)
			fail_msg("job %lu failed: %s", id, r.error[id]);
	run_release(&r);
}

static void test_invalid_arguments(void **state)
{
	struct pool_callbacks no_work = callbacks, no_serve = callbacks;
	enum pool_mode mode = mode_of(state), parsed;
	struct run r;
	int err = 0;

	(void)state;
	run_init(&r, mode, 1);
	assert_null(pool_new(mode, 0, &callbacks, &r, &err));
	assert_int_equal(err, POOL_EINVAL);
	err = 0;
	assert_null(pool_new(mode, POOL_MAX_WORKERS + 1, &callbacks, &r, &err));
	assert_int_equal(err, POOL_EINVAL);
	assert_null(pool_new(mode, 2, NULL, &r, NULL));
	/* each mode needs its own worker callback, and only that one */
	no_work.work = NULL;
	no_serve.serve = NULL;
	if (loops(mode)) {
		assert_null(pool_new(mode, 2, &no_serve, &r, NULL));
		r.pool = pool_new(mode, 2, &no_work, &r, NULL);
	} else {
		assert_null(pool_new(mode, 2, &no_work, &r, NULL));
		r.pool = pool_new(mode, 2, &no_serve, &r, NULL);
	}
	assert_non_null(r.pool);
	assert_int_equal(pool_set_worker_jobs(r.pool, 0), POOL_EINVAL);
	assert_int_equal(pool_set_worker_jobs(r.pool, POOL_MAX_WORKER_JOBS + 1), POOL_EINVAL);
	assert_int_equal(pool_set_spare_jobs(r.pool, POOL_MAX_WORKER_JOBS + 1), POOL_EINVAL);
	pool_free(r.pool);
	assert_null(pool_new((enum pool_mode)7, 2, &callbacks, &r, NULL));
	pool_free(NULL);
	assert_int_equal(pool_run(NULL), POOL_EINVAL);

	/* A pool runs once. */
	assert_int_equal(run_pool(&r, 1), POOL_OK);
	r.pool = new_pool(&r, 1);
	assert_int_equal(pool_run(r.pool), POOL_OK);
	assert_int_equal(pool_run(r.pool), POOL_EINVAL);
	assert_int_equal(pool_set_worker_jobs(r.pool, 2), POOL_EINVAL);
	assert_int_equal(pool_set_job_deadline(r.pool, 1000), POOL_EINVAL);
	assert_int_equal(pool_set_spare_jobs(r.pool, 4), POOL_EINVAL);
	assert_int_equal(pool_set_tick(r.pool, 1000, count_tick), POOL_EINVAL);
	pool_free(r.pool);
	assert_int_equal(pool_set_spare_jobs(NULL, 4), POOL_EINVAL);
	assert_int_equal(pool_set_job_deadline(NULL, 1000), POOL_EINVAL);
	assert_int_equal(pool_set_tick(NULL, 1000, count_tick), POOL_EINVAL);

	assert_int_equal(pool_mode_parse("process", &parsed), 0);
	assert_int_equal(parsed, POOL_PROCESSES);
	assert_int_equal(pool_mode_parse("thread", &parsed), 0);
	assert_int_equal(parsed, POOL_THREADS);
	assert_int_equal(pool_mode_parse("event", &parsed), 0);
	assert_int_equal(parsed, POOL_EVENTS);
	assert_string_equal(pool_mode_name(POOL_EVENTS), "event");
	assert_int_equal(pool_mode_parse("hybrid", &parsed), 0);
	assert_int_equal(parsed, POOL_HYBRID);
	assert_string_equal(pool_mode_name(POOL_HYBRID), "hybrid");
	assert_int_equal(pool_mode_parse("fiber", &parsed), POOL_EINVAL);
	assert_string_equal(pool_strerror(POOL_EINVAL), "invalid argument");
	run_release(&r);
}

/* A loop worker runs many jobs at once, and ends them in any order. */
static void test_loop_worker_holds_many(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 2000);
	r.action_of = always_sleep;
	r.sleep_ms = 1;
	assert_int_equal(run_pool(&r, 2), POOL_OK);
	assert_int_equal(atomic_load(r.most_held), EVENT_JOBS);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_equal(r.status[id], POOL_JOB_DONE);
	run_release(&r);
}

/*
 * With every worker busy, the pool has taken exactly what its workers run
 * and the spare jobs it was told to keep, no more, when the first result
 * comes; and the spares change nothing in what is delivered.
 */
static void test_spare_jobs(void **state)
{
	enum pool_mode mode = mode_of(state);
	unsigned window = loops(mode) ? EVENT_JOBS : 1;
	struct run r;

	for (unsigned spare = 1; spare <= 40; spare += 39) {
		run_init(&r, mode, 120);
		r.action_of = always_sleep;
		r.sleep_ms = 20;
		r.spare_jobs = spare;
		assert_int_equal(run_pool(&r, 2), POOL_OK);
		assert_int_equal(r.taken, 120);
		assert_int_equal(r.taken_at_first_done,
				 2 * (window + spares_for_slow_jobs(mode, spare)));
		for (unsigned long id = 0; id < r.taken; id++)
			assert_int_equal(r.status[id], POOL_JOB_DONE);
		run_release(&r);
	}
}

/* serve() returning with a job in hand fails the pool, and loses no job. */
static void test_serve_gives_up(void **state)
{
	struct run r;

	run_init(&r, mode_of(state), 500);
	r.serve_gives_up = true;
	assert_int_equal(run_pool(&r, 2), POOL_EINIT);
	for (unsigned long id = 0; id < r.taken; id++)
		assert_int_not_equal(r.status[id], POOL_JOB_DONE);
	run_release(&r);
}

/*
 * Out of descriptors, a pool fails with POOL_ESYS and names the call and its
 * cause (process and event modes open descriptors per worker; thread mode none).
 */
static void test_failure_is_named(void **state)
{
	enum pool_mode mode = mode_of(state);
	int status;
	pid_t child;

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct rlimit few = { (rlim_t)count_fds() + 8, (rlim_t)count_fds() + 8 };
		const char *why;
		struct run r;
		int rc;

		run_init(&r, mode, 100);
		setrlimit(RLIMIT_NOFILE, &few);
		r.pool = new_pool(&r, 64);
		rc = pool_run(r.pool);
		why = pool_failure(r.pool);
		if (rc != POOL_ESYS || !why || !strstr(why, "Too many open files"))
			_exit(1);
		pool_free(r.pool);
		_exit(r.delivered == r.taken ? 0 : 2);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Opens /dev/null onto descriptor `fd` if it is closed, so a test can tell it stays open. */
static void ensure_open(int fd)
{
	int null;

	if (fcntl(fd, F_GETFD) >= 0)
		return;
	null = open("/dev/null", O_RDWR);
	assert_true(null >= 0);
	if (null != fd) {
		assert_int_equal(dup2(null, fd), fd);
		close(null);
	}
}

/* The lowest descriptor limit that leaves exactly `spare` descriptors free. */
static rlim_t limit_leaving(int spare)
{
	int fd = 0;

	for (;; fd++)
		if (fcntl(fd, F_GETFD) < 0 && spare-- == 1)
			return (rlim_t)fd + 1;
}

/*
 * Event mode with ten workers, and descriptors for only two wake-up pipes:
 * making the third fails, the run ends with POOL_ESYS, and tearing down the
 * half-made workers closes nothing it did not open (descriptor 0 above all,
 * which may be the job source).
 */
static void test_worker_creation_fails_part_way(void **state)
{
	struct rlimit saved, few;
	struct stat before, after;
	bool stdin_open;
	const char *why;
	struct run r;
	int rc;

	(void)state;
	ensure_open(STDIN_FILENO);
	assert_int_equal(fstat(STDIN_FILENO, &before), 0);
	run_init(&r, POOL_EVENTS, 100);
	r.pool = new_pool(&r, 10);

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	few = saved;
	few.rlim_cur = limit_leaving(2 * 2);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &few), 0);
	rc = pool_run(r.pool);
	/* looked at before anything else may open a descriptor */
	stdin_open = fcntl(STDIN_FILENO, F_GETFD) >= 0;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	if (!stdin_open)
		ensure_open(STDIN_FILENO);

	assert_true(stdin_open);
	assert_int_equal(fstat(STDIN_FILENO, &after), 0);
	assert_true(after.st_dev == before.st_dev && after.st_ino == before.st_ino);
	assert_int_equal(rc, POOL_ESYS);
	why = pool_failure(r.pool);
	assert_non_null(why);
	assert_non_null(strstr(why, "wake-up pipe"));
	assert_int_equal(r.delivered, r.taken);
	pool_free(r.pool);
	run_release(&r);
}

/* What a worker process holds open, as "fd:target" words, for test_worker_descriptors. */
struct fd_probe {
	unsigned jobs;
	unsigned taken;
	unsigned delivered;
	char seen[8][512];
};

static int probe_next(void *ctx, void **job, size_t *len)
{
	struct fd_probe *p = ctx;

	if (p->taken == p->jobs)
		return 0;
	*job = malloc(1);
	if (!*job)
		return -1;
	*len = 1;
	p->taken++;
	return 1;
}

static void probe_done(void *ctx, const struct pool_result *res)
{
	struct fd_probe *p = ctx;

	assert_int_equal(res->status, POOL_JOB_DONE);
	assert_true(p->delivered < 8 && res->len < sizeof(p->seen[0]));
	memcpy(p->seen[p->delivered], res->data, res->len);
	p->seen[p->delivered][res->len] = '\0';
	p->delivered++;
}

/* Appends " fd:target" to out for one descriptor. */
static void describe_fd(int fd, char *out, size_t size)
{
	char path[64], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	snprintf(out + strlen(out), size - strlen(out), " %d:%s", fd, target);
}

static int probe_work(void *ctx, void *state, const void *job, size_t len, void **result, size_t *result_len)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *ent;
	char *out = calloc(1, 512);

	(void)ctx, (void)state, (void)job, (void)len;
	if (!dir || !out)
		return -1;
	while ((ent = readdir(dir))) {
		int fd = atoi(ent->d_name);

		if (ent->d_name[0] != '.' && fd != dirfd(dir))
			describe_fd(fd, out, 512);
	}
	closedir(dir);
	*result = out;
	*result_len = strlen(out);
	return 0;
}

/*
 * A worker process holds its channel, /dev/null as stdin and stdout, and the
 * parent's stderr; not the files and pipes the parent had open when it forked.
 */
static void test_worker_descriptors(void **state)
{
	const struct pool_callbacks cb = { .next_job = probe_next, .done = probe_done, .work = probe_work };
	struct fd_probe probe = { .jobs = 4 };
	char want[512] = "";
	struct pool *pool;
	int file, pipefd[2];

	(void)state;
	ensure_open(STDIN_FILENO);
	ensure_open(STDERR_FILENO);
	/* held by the parent, without close-on-exec, at fork time */
	file = open("/proc/self/status", O_RDONLY);
	assert_true(file >= 0);
	assert_int_equal(pipe(pipefd), 0);
	pool = pool_new(POOL_PROCESSES, 2, &cb, &probe, NULL);
	assert_non_null(pool);
	assert_int_equal(pool_run(pool), POOL_OK);
	pool_free(pool);
	close(file);
	close(pipefd[0]);
	close(pipefd[1]);

	/* 0 and 1 on /dev/null, 2 as the parent's, and one socket: the channel */
	snprintf(want, sizeof(want), " 0:/dev/null 1:/dev/null");
	describe_fd(STDERR_FILENO, want, sizeof(want));
	assert_int_equal(probe.delivered, probe.jobs);
	for (unsigned i = 0; i < probe.delivered; i++) {
		const char *rest = probe.seen[i] + strlen(want);
		int channel = -1, end = 0;

		if (strncmp(probe.seen[i], want, strlen(want)) != 0 ||
		    sscanf(rest, " %d:socket:[%*u]%n", &channel, &end) != 1 || rest[end] != '\0' ||
		    channel <= STDERR_FILENO)
			fail_msg("a worker holds '%s', not '%s' and its channel", probe.seen[i], want);
	}
}

/* A child runs a pool of three busy worker processes, then dies by SIGKILL. */
static void test_workers_die_with_parent(void **state)
{
	pid_t child, workers[3];
	int status;

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct run r;

		run_init(&r, mode_of(state), 3);
		r.action_of = always_sleep;
		r.sleep_ms = 60000;
		r.pool = pool_new(r.mode, 3, &callbacks, &r, NULL);
		if (r.pool)
			pool_run(r.pool);
		_exit(1);
	}

	/* Wait until the child has its three workers. */
	for (int tries = 0; tries < 500; tries++) {
		char path[64];
		FILE *f;
		int n = 0;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", child, child);
		f = fopen(path, "r");
		if (f) {
			while (n < 3 && fscanf(f, "%d", &workers[n]) == 1)
				n++;
			fclose(f);
		}
		if (n == 3)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
		if (tries == 499)
			fail_msg("the pool never started its workers");
	}
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);

	/* Within a second every worker is gone (or a zombie awaiting init). */
	for (int i = 0; i < 3; i++) {
		bool gone = false;

		for (int tries = 0; tries < 100 && !gone; tries++) {
			char path[64], buf[256] = "";
			FILE *f;

			snprintf(path, sizeof(path), "/proc/%d/stat", workers[i]);
			f = fopen(path, "r");
			if (!f) {
				gone = true;
				break;
			}
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = '\0';
			fclose(f);
			char *close_paren = strrchr(buf, ')');

			gone = close_paren && (close_paren[2] == 'Z' || close_paren[2] == 'X');
			if (!gone)
				nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
		}
		if (!gone)
			fail_msg("worker %d outlived its parent by more than a second", workers[i]);
	}
}

/* An argument runs only the tests it matches, e.g. 'test_stop_then_abandon*'. */
int main(int argc, char **argv)
{
	static enum pool_mode threads = POOL_THREADS, processes = POOL_PROCESSES, events = POOL_EVENTS,
			      hybrid = POOL_HYBRID;
#define IN_MODE(test, mode) { #test "(" #mode ")", test, NULL, NULL, &mode }
#define EVERY_MODE(test) \
	IN_MODE(test, threads), IN_MODE(test, processes), IN_MODE(test, events), IN_MODE(test, hybrid)
	const struct CMUnitTest tests[] = {
		EVERY_MODE(test_every_job_once),
		EVERY_MODE(test_one_mib_blobs),
		EVERY_MODE(test_empty_job_list),
		IN_MODE(test_parent_out_of_memory, processes),
		IN_MODE(test_parent_out_of_memory, hybrid),
		EVERY_MODE(test_worker_death),
		EVERY_MODE(test_stop_lets_running_jobs_finish),
		EVERY_MODE(test_stop_skips_waiting_jobs),
		EVERY_MODE(test_running_jobs_see_stop),
		IN_MODE(test_stop_skips_waiting_jobs_after_crash, processes),
		IN_MODE(test_stop_skips_waiting_jobs_after_crash, hybrid),
		EVERY_MODE(test_stop_then_abandon),
		EVERY_MODE(test_abandon_alone),
		EVERY_MODE(test_source_that_must_wait),
		EVERY_MODE(test_init_failure),
		EVERY_MODE(test_invalid_arguments),
		EVERY_MODE(test_tick_while_workers_busy),
		EVERY_MODE(test_tick_while_results_flow),
		EVERY_MODE(test_spare_jobs),
		IN_MODE(test_failure_is_named, processes),
		IN_MODE(test_failure_is_named, events),
		IN_MODE(test_failure_is_named, hybrid),
		IN_MODE(test_loop_worker_holds_many, events),
		IN_MODE(test_loop_worker_holds_many, hybrid),
		IN_MODE(test_serve_gives_up, events),
		IN_MODE(test_serve_gives_up, hybrid),
		IN_MODE(test_workers_die_with_parent, processes),
		IN_MODE(test_workers_die_with_parent, hybrid),
		IN_MODE(test_job_deadline, processes),
		IN_MODE(test_job_deadline, hybrid),
		IN_MODE(test_job_deadline_ignored, threads),
		IN_MODE(test_job_deadline_ignored, events),
		cmocka_unit_test(test_worker_creation_fails_part_way),
		cmocka_unit_test(test_worker_descriptors),
	};
#undef EVERY_MODE
#undef IN_MODE

	/* Workers that die are expected here; core dumps would only slow the run. */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
