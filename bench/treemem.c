/* treemem.c -- runs a command and samples the PSS of its whole process tree: peak of the sum */
#include "clocks.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * /usr/bin/time reports the largest single process; a crawl in process mode is a parent plus
 * workers, and threads share one address space. The sum of PSS over the tree at one moment
 * counts shared pages once, so it is the one figure that compares a thread crawl, a process
 * crawl and `xargs curl` fairly. /proc/PID/task/TID/children lists only what one thread forked,
 * and the tools measured here fork from any thread, so the tree is found from each new pid's
 * parent in /proc/PID/stat; a pid is classified once and
 * forgotten when it disappears from /proc, which keeps a scan to one readdir plus one read
 * per new pid and one smaps_rollup read per pid of the tree.
 */

enum { PID_UNKNOWN, PID_OUTSIDE, PID_INSIDE };

struct tree {
	pid_t self;		/* the tree is every descendant of this process */
	pid_t skip;		/* left out of the sums (a wrapper such as /usr/bin/time), or 0 */
	unsigned char *state;	/* PID_* per pid */
	size_t nstate;
	pid_t *cur, *prev;	/* pids seen in this scan and the one before, ascending */
	size_t ncur, nprev, cap;
	unsigned long pss_peak, rss_peak, samples;	/* KiB */
	FILE *trace;		/* one line per sample, or NULL */
	double t0;
};

static const char *treemem_usage =
	"usage: treemem [-i MS] [-o FILE] [-t FILE] [-x] -- COMMAND [ARG...]\n"
	"\n"
	"Runs COMMAND and every MS milliseconds (default 20) sums PSS and RSS over COMMAND and\n"
	"all its descendants (from /proc/PID/smaps_rollup). At the end writes one line to FILE\n"
	"(default stderr):\n"
	"  wall_s=S pss_peak_kib=K rss_peak_kib=K samples=N\n"
	"and exits with COMMAND's status (128+N when killed by signal N).\n"
	"  -t FILE  also write every sample to FILE: seconds pss_kib rss_kib processes\n"
	"  -x       leave COMMAND's own process out of the sums (when it is a wrapper like time)\n";

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* The parent pid from /proc/PID/stat; the command name may hold spaces and ')'. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

static void classify(struct tree *t, pid_t pid)
{
	pid_t ppid;

	if (t->state[pid] != PID_UNKNOWN)
		return;
	ppid = parent_of(pid);
	if (ppid < 0)
		return;		/* gone already */
	if (ppid == t->self || ((size_t)ppid < t->nstate && t->state[ppid] == PID_INSIDE))
		t->state[pid] = PID_INSIDE;
	else if (ppid == 0 || ((size_t)ppid < t->nstate && t->state[ppid] == PID_OUTSIDE))
		t->state[pid] = PID_OUTSIDE;
	/* else the parent is new and not classified yet: the next scan decides */
}

static void add_rollup(pid_t pid, unsigned long *pss, unsigned long *rss)
{
	char path[64], buf[2048], *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return;
	p = strstr(buf, "\nRss:");
	if (p)
		*rss += strtoul(p + 5, NULL, 10);
	p = strstr(buf, "\nPss:");
	if (p)
		*pss += strtoul(p + 5, NULL, 10);
}

/* Pids of the last scan missing from this one have exited: forget them, their number may return. */
static void forget_gone(struct tree *t)
{
	size_t i = 0, j = 0;

	while (i < t->nprev) {
		if (j < t->ncur && t->cur[j] < t->prev[i]) {
			j++;
		} else {
			if (j >= t->ncur || t->cur[j] != t->prev[i])
				t->state[t->prev[i]] = PID_UNKNOWN;
			i++;
		}
	}
}

static int scan(struct tree *t, bool measure)
{
	unsigned long pss = 0, rss = 0, procs = 0;
	struct dirent *d;
	pid_t *swap;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -1;
	t->ncur = 0;
	while ((d = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end != '\0' || pid <= 0 || (size_t)pid >= t->nstate)
			continue;
		if (t->ncur == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 1024;
			pid_t *c = realloc(t->cur, cap * sizeof(*c)), *p;

			if (!c) {
				closedir(dir);
				return -1;
			}
			t->cur = c;
			p = realloc(t->prev, cap * sizeof(*p));
			if (!p) {
				closedir(dir);
				return -1;
			}
			t->prev = p;
			t->cap = cap;
		}
		t->cur[t->ncur++] = (pid_t)pid;
	}
	closedir(dir);
	qsort(t->cur, t->ncur, sizeof(*t->cur), cmp_pid);
	forget_gone(t);
	/* Ascending order classifies a parent before the children it forked since the last scan. */
	for (size_t i = 0; i < t->ncur; i++) {
		pid_t pid = t->cur[i];

		if (!measure) {
			if (pid != t->self)
				t->state[pid] = PID_OUTSIDE;
			continue;
		}
		classify(t, pid);
		if (t->state[pid] == PID_INSIDE && pid != t->skip) {
			add_rollup(pid, &pss, &rss);
			procs++;
		}
	}
	swap = t->prev;
	t->prev = t->cur;
	t->cur = swap;
	t->nprev = t->ncur;
	if (measure) {
		t->samples++;
		if (pss > t->pss_peak)
			t->pss_peak = pss;
		if (rss > t->rss_peak)
			t->rss_peak = rss;
		if (t->trace)
			fprintf(t->trace, "%.3f %lu %lu %lu\n", monotonic_seconds() - t->t0, pss, rss, procs);
	}
	return 0;
}

static size_t pid_limit(void)
{
	char buf[32];
	long max;

	if (read_small("/proc/sys/kernel/pid_max", buf, sizeof(buf)) < 0)
		return 4194304;
	max = strtol(buf, NULL, 10);
	return max > 0 ? (size_t)max + 1 : 4194304;
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* Reaps the command and any orphan handed to us as subreaper; true once the command is gone. */
static bool reap(pid_t child, int *status)
{
	bool done = false;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == child) {
			*status = st;
			done = true;
		}
	}
	return done;
}

static pid_t start(char **argv, const sigset_t *old)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "treemem: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int report(const char *out, double wall, const struct tree *t)
{
	FILE *f = out ? fopen(out, "we") : stderr;

	if (!f) {
		fprintf(stderr, "treemem: cannot write '%s': %s\n", out, strerror(errno));
		return -1;
	}
	fprintf(f, "wall_s=%.4f pss_peak_kib=%lu rss_peak_kib=%lu samples=%lu\n", wall,
		t->pss_peak, t->rss_peak, t->samples);
	if (out && fclose(f) != 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct tree t = { 0 };
	const char *out = NULL;
	long interval_ms = 20;
	bool skip_child = false;
	sigset_t chld, old;
	int opt, status = 0;
	double t0, t1;
	pid_t child;

	while ((opt = getopt(argc, argv, "+i:o:t:xh")) != -1) {
		switch (opt) {
		case 'i':
			interval_ms = strtol(optarg, NULL, 10);
			if (interval_ms < 1 || interval_ms > 10000) {
				fprintf(stderr, "treemem: -i wants 1..10000 ms, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			t.trace = fopen(optarg, "we");
			if (!t.trace) {
				fprintf(stderr, "treemem: cannot write '%s': %s\n", optarg, strerror(errno));
				return 1;
			}
			break;
		case 'x':
			skip_child = true;
			break;
		case 'h':
			fputs(treemem_usage, stdout);
			return 0;
		default:
			fputs(treemem_usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(treemem_usage, stderr);
		return 2;
	}
	t.self = getpid();
	t.nstate = pid_limit();
	t.state = calloc(t.nstate, 1);
	if (!t.state) {
		fprintf(stderr, "treemem: out of memory\n");
		return 1;
	}
	/* Orphans of the command (a worker whose parent died) stay ours to measure and reap. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fprintf(stderr, "treemem: cannot become subreaper: %s\n", strerror(errno));
	if (scan(&t, false) < 0) {
		fprintf(stderr, "treemem: cannot read /proc: %s\n", strerror(errno));
		return 1;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(NULL);
	t0 = t.t0 = monotonic_seconds();
	child = start(argv + optind, &old);
	if (child < 0) {
		fprintf(stderr, "treemem: fork failed: %s\n", strerror(errno));
		return 1;
	}
	if (skip_child)
		t.skip = child;
	/* Waiting in sigtimedwait, not sleeping, stops the clock when the command ends. */
	for (;;) {
		struct timespec ts = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };

		if (reap(child, &status))
			break;
		scan(&t, true);
		if (sigtimedwait(&chld, NULL, &ts) < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "treemem: sigtimedwait failed: %s\n", strerror(errno));
			break;
		}
	}
	t1 = monotonic_seconds();
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (report(out, t1 - t0, &t) < 0)
		status = 1 << 8;
	if (t.trace && fclose(t.trace) != 0)
		status = 1 << 8;
	free(t.state);
	free(t.cur);
	free(t.prev);
	return exit_status(status);
}
