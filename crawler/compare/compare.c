/* compare.c -- `crawlpool compare`: the same list under each mode, side by side */
#include "compare.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "compare_options.h"
#include "procmem.h"
#include "sources.h"
#include "stats.h"

enum {
	SAMPLE_MS = 10,		/* how often the crawl's memory is sampled */
	FIRST_SAMPLES_MS = 200,	/* ...and five times as often at first, for short crawls */
};

/* What one crawl run measured. */
struct sample {
	double wall_s, user_s, sys_s, cpu_us_per_page, peak_mib;
	double p50_ms, p95_ms, p99_ms;
	unsigned long urls, errors;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const char *tmp_dir(void)
{
	return getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
}

/* New files get the mode open(..., 0666) would give them; mkstemp makes them 0600. */
static void usual_mode(int fd)
{
	mode_t mask = umask(0);

	umask(mask);
	fchmod(fd, 0666 & ~mask);
}

/*
 * A new empty file in dir, from a template name that nobody can have
 * prepared (mkstemp: O_CREAT|O_EXCL, so never through a symlink). tmp gets
 * its name. Returns the descriptor (close-on-exec) or -1 with errno.
 */
static int create_in(const char *dir, const char *stem, char *tmp, size_t len)
{
	int fd;

	if ((size_t)snprintf(tmp, len, "%s/.%s.XXXXXX", dir, stem) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0)
		usual_mode(fd);
	return fd;
}

/*
 * Whether dir takes new files: the table and rows files are written there
 * after the runs, which must not all be spent before a directory that is a
 * file, read-only or missing is found out. 0, or -1 with errno.
 */
static int dir_takes_files(const char *dir)
{
	char path[4096];
	int fd = create_in(dir, "crawlpool-check", path, sizeof(path));

	if (fd < 0)
		return -1;
	unlink(path);
	close(fd);
	return 0;
}

/*
 * The directory of this compare's files that takes none (errno set), or
 * NULL: the tables go to --out-dir or here; without --out-dir each run's
 * rows go to TMPDIR.
 */
static const char *dir_refusing_files(const struct compare_opts *o)
{
	const char *tables = o->out_dir ? o->out_dir : ".";

	if (dir_takes_files(tables) < 0)
		return tables;
	if (!o->out_dir && dir_takes_files(tmp_dir()) < 0)
		return tmp_dir();
	return NULL;
}

/*
 * The list is crawled many times, so stdin is saved to a file first: one
 * without a name, so nothing can swap it and nothing is left behind; each
 * run reads it as its stdin. The descriptor, or -1 with errno.
 */
static int save_stdin(void)
{
	char path[4096], buf[65536];
	ssize_t n, w;
	int fd = create_in(tmp_dir(), "crawlpool-list", path, sizeof(path)), saved;

	if (fd < 0)
		return -1;
	unlink(path);
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		for (ssize_t put = 0; put < n; put += w) {
			w = write(fd, buf + put, (size_t)(n - put));
			if (w < 0 && errno != EINTR)
				goto fail;
			if (w < 0)
				w = 0;
		}
	}
	return fd;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* In a forked child: fd becomes target, open across exec. */
static void move_fd(int fd, int target)
{
	if (fd == target)
		fcntl(fd, F_SETFD, 0);
	else
		dup2(fd, target);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static double tv_seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/*
 * Starts one crawl: its rows go to rows_fd as its stdout, its list is
 * o->list or, when list_fd >= 0, the saved stdin at list_fd.
 */
static pid_t spawn_crawl(const struct compare_opts *o, const char *mode, unsigned workers,
			 int list_fd, int rows_fd)
{
	const char *argv[COMPARE_MAX_PASS + 16];
	char count[16];
	unsigned n = 0;
	pid_t pid;

	snprintf(count, sizeof(count), "%u", workers);
	argv[n++] = "crawlpool";
	argv[n++] = "crawl";
	argv[n++] = "--mode";
	argv[n++] = mode;
	argv[n++] = "--workers";
	argv[n++] = count;
	argv[n++] = "--quiet";
	argv[n++] = "--format";
	argv[n++] = "jsonl";
	argv[n++] = "--output";
	argv[n++] = "-";
	for (unsigned i = 0; i < o->n_pass; i++)
		argv[n++] = o->pass[i];
	argv[n++] = "--";
	argv[n++] = list_fd >= 0 ? "-" : o->list;
	argv[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		move_fd(rows_fd, STDOUT_FILENO);
		if (list_fd >= 0) {
			move_fd(list_fd, STDIN_FILENO);
			lseek(STDIN_FILENO, 0, SEEK_SET);
		}
		execv("/proc/self/exe", (char **)argv);
		fprintf(stderr, "crawlpool compare: cannot run the crawl: %s\n", strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Latencies and error count from the rows a run wrote (JSON Lines) to fd. */
static int read_rows(int fd, struct sample *s)
{
	int copy = lseek(fd, 0, SEEK_SET) == 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	FILE *f = copy >= 0 ? fdopen(copy, "r") : NULL;
	double *times = NULL;
	size_t n = 0, cap = 0, len = 0;
	char *line = NULL;

	if (!f) {
		if (copy >= 0)
			close(copy);
		return -1;
	}
	while (getline(&line, &len, f) > 0) {
		struct json_object *row = json_tokener_parse(line), *field;

		if (!row)
			continue;
		s->urls++;
		if (json_object_object_get_ex(row, "error", &field) &&
		    json_object_get_string_len(field) > 0)
			s->errors++;
		if (json_object_object_get_ex(row, "time_ms", &field) &&
		    (json_object_is_type(field, json_type_int) ||
		     json_object_is_type(field, json_type_double))) {
			if (n == cap) {
				double *grown = realloc(times, (cap ? cap * 2 : 1024) * sizeof(*times));

				if (!grown)
					break;
				times = grown;
				cap = cap ? cap * 2 : 1024;
			}
			times[n++] = json_object_get_double(field);
		}
		json_object_put(row);
	}
	free(line);
	fclose(f);
	s->p50_ms = stats_percentile(times, n, 50);
	s->p95_ms = stats_percentile(times, n, 95);
	s->p99_ms = stats_percentile(times, n, 99);
	free(times);
	return 0;
}

/* One crawl: its exit status (0 on success), with s filled. */
static int run_once(const struct compare_opts *o, int list_fd, const char *mode, unsigned workers,
		    unsigned round, struct sample *s)
{
	char tmp[4096], rows_path[4096], stem[64];
	struct timespec start;
	struct rusage ru = { 0 };
	long peak_kib = 0;
	int status = 0, rows_fd;
	pid_t pid;

	*s = (struct sample){ 0 };
	/* in --out-dir: a new file renamed into place at the end, never one found there */
	snprintf(stem, sizeof(stem), o->out_dir ? "rows-%s-w%u-r%u.jsonl" : "crawlpool-rows",
		 mode, workers, round + 1);
	rows_fd = create_in(o->out_dir ? o->out_dir : tmp_dir(), stem, tmp, sizeof(tmp));
	if (rows_fd < 0) {
		fprintf(stderr, "crawlpool compare: cannot create a file in '%s': %s\n",
			o->out_dir ? o->out_dir : tmp_dir(), strerror(errno));
		return COMPARE_EXIT_FAILED;
	}
	if (!o->out_dir)
		unlink(tmp);

	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = spawn_crawl(o, mode, workers, list_fd, rows_fd);
	if (pid < 0) {
		fprintf(stderr, "crawlpool compare: fork failed: %s\n", strerror(errno));
		if (o->out_dir)
			unlink(tmp);
		close(rows_fd);
		return COMPARE_EXIT_FAILED;
	}
	for (;;) {
		pid_t got = wait4(pid, &status, WNOHANG, &ru);
		long kib;

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			status = COMPARE_EXIT_FAILED << 8;
			break;
		}
		kib = procmem_tree_pss_kib(pid);
		if (kib > peak_kib)
			peak_kib = kib;
		nanosleep(&(struct timespec){
			.tv_nsec = (seconds_since(&start) * 1000 < FIRST_SAMPLES_MS ?
				    SAMPLE_MS / 5 : SAMPLE_MS) * 1000000L }, NULL);
	}
	s->wall_s = seconds_since(&start);
	/* wait4 counts the crawl and every worker process it reaped. */
	s->user_s = tv_seconds(ru.ru_utime);
	s->sys_s = tv_seconds(ru.ru_stime);
	s->peak_mib = (double)peak_kib / 1024;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		read_rows(rows_fd, s);
	s->cpu_us_per_page = stats_ratio((s->user_s + s->sys_s) * 1e6, (double)s->urls);
	close(rows_fd);
	if (o->out_dir) {
		snprintf(rows_path, sizeof(rows_path), "%s/%s", o->out_dir, stem);
		/* rename replaces whatever has that name, a symlink included, without following it */
		if (rename(tmp, rows_path) < 0) {
			fprintf(stderr, "crawlpool compare: cannot write '%s': %s\n", rows_path,
				strerror(errno));
			unlink(tmp);
		}
	}
	if (WIFSIGNALED(status))
		return COMPARE_EXIT_INTERRUPTED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : COMPARE_EXIT_FAILED;
}

/* Median over the runs of one double field of struct sample. */
static double median_of(const struct sample *samples, unsigned n, size_t offset)
{
	double v[COMPARE_MAX_REPEAT];

	for (unsigned i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&samples[i] + offset, sizeof(double));
	return stats_median(v, n);
}

static void summarize(struct compare_row *row, const struct sample *samples, unsigned n)
{
	double v[COMPARE_MAX_REPEAT];

	row->runs = n;
	row->wall_s = median_of(samples, n, offsetof(struct sample, wall_s));
	row->user_s = median_of(samples, n, offsetof(struct sample, user_s));
	row->sys_s = median_of(samples, n, offsetof(struct sample, sys_s));
	/*
	 * Per run, then the median: user and sys must come from the same run
	 * (their medians may not), and a run's CPU goes with its own URL count.
	 */
	row->cpu_us_per_page = median_of(samples, n, offsetof(struct sample, cpu_us_per_page));
	row->peak_mib = median_of(samples, n, offsetof(struct sample, peak_mib));
	row->p50_ms = median_of(samples, n, offsetof(struct sample, p50_ms));
	row->p95_ms = median_of(samples, n, offsetof(struct sample, p95_ms));
	row->p99_ms = median_of(samples, n, offsetof(struct sample, p99_ms));
	for (unsigned i = 0; i < n; i++)
		v[i] = (double)samples[i].urls;
	row->urls = (unsigned long)stats_median(v, n);
	for (unsigned i = 0; i < n; i++)
		v[i] = (double)samples[i].errors;
	row->errors = (unsigned long)stats_median(v, n);
	row->pages_per_s = stats_ratio((double)row->urls, row->wall_s);
}

/*
 * Writes the SVG chart (with a caption) or else the CSV table as dir/name:
 * into a new temporary file beside it, renamed over it once whole, so a
 * symlink planted at that name is replaced rather than followed and a
 * reader never sees half a table. 0 or -1 with errno.
 */
static int write_file(const char *dir, const char *name, const struct compare_row *rows,
		      unsigned n, const char *caption)
{
	char tmp[4096], path[4096];
	int fd = create_in(dir, name, tmp, sizeof(tmp)), rc, saved;
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (caption)
		rc = chart_write_svg(f, rows, n, caption);
	else
		rc = compare_write_csv(f, rows, n);
	if (fclose(f) != 0)
		rc = -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rc == 0 && rename(tmp, path) == 0)
		return 0;
	saved = rc == 0 ? errno : EIO;
	unlink(tmp);
	errno = saved;
	return -1;
}

static int write_reports(const struct compare_opts *o, const struct compare_row *rows,
			 unsigned n, const char *caption)
{
	const char *dir = o->out_dir ? o->out_dir : ".";
	char csv[4096], svg[4096];

	snprintf(csv, sizeof(csv), "%s/compare.csv", dir);
	snprintf(svg, sizeof(svg), "%s/compare.svg", dir);
	if (write_file(dir, "compare.csv", rows, n, NULL) < 0 ||
	    write_file(dir, "compare.svg", rows, n, caption) < 0) {
		fprintf(stderr, "crawlpool compare: cannot write '%s' or '%s': %s\n",
			csv, svg, strerror(errno));
		return COMPARE_EXIT_FAILED;
	}
	printf("* fastest. Table: %s  Chart: %s\n", csv, svg);
	return COMPARE_EXIT_OK;
}

/*
 * The table and rows files replace whatever has their names (rename): one of
 * them must not be the list itself, under its own name or through a link.
 * Returns the name in the way, or NULL; path is its buffer.
 */
static const char *list_in_the_way(const struct compare_opts *o, char *path, size_t len)
{
	static const char *const tables[] = { "compare.csv", "compare.svg" };
	const char *dir = o->out_dir ? o->out_dir : ".";
	struct stat list, st;

	if (stat(o->list, &list) < 0)
		return NULL;
	for (unsigned i = 0; i < 2; i++) {
		snprintf(path, len, "%s/%s", dir, tables[i]);
		if (lstat(path, &st) == 0 && st.st_dev == list.st_dev && st.st_ino == list.st_ino)
			return path;
	}
	for (unsigned m = 0; o->out_dir && m < o->n_modes; m++)
		for (unsigned w = 0; w < o->n_workers; w++)
			for (unsigned r = 0; r < o->repeat; r++) {
				snprintf(path, len, "%s/rows-%s-w%u-r%u.jsonl", dir, o->modes[m],
					 o->workers[w], r + 1);
				if (lstat(path, &st) == 0 && st.st_dev == list.st_dev &&
				    st.st_ino == list.st_ino)
					return path;
			}
	return NULL;
}

/*
 * A list with no URLs (empty, or blank lines and comments only) is nothing
 * to compare: every run would be 0 pages/s. The saved stdin is counted
 * through its descriptor; a pipe is never read ahead of the runs (its count
 * is unknown, -1).
 */
static bool list_is_empty(const struct compare_opts *o, int list_fd)
{
	char saved[64];
	const char *list = o->list;

	if (list_fd >= 0) {
		snprintf(saved, sizeof(saved), "/proc/self/fd/%d", list_fd);
		list = saved;
	}
	return sources_count(&list, 1) == 0;
}

/* What a run of compare finished: whole rounds, and runs in all. */
struct progress_made {
	unsigned rounds;
	unsigned runs;
};

static int run_all(const struct compare_opts *o, int list_fd, struct compare_row *rows,
		   unsigned *n_rows, struct progress_made *made)
{
	unsigned n_configs = o->n_modes * o->n_workers;
	struct sample (*samples)[COMPARE_MAX_REPEAT] = calloc(n_configs, sizeof(*samples));
	unsigned done = 0;
	int rc = COMPARE_EXIT_OK;

	*made = (struct progress_made){ 0, 0 };
	if (!samples)
		return COMPARE_EXIT_FAILED;
	/* Rounds are interleaved so that a noisy moment hurts every mode alike. */
	for (unsigned r = 0; r < o->repeat && rc == COMPARE_EXIT_OK; r++) {
		for (unsigned c = 0; c < n_configs && rc == COMPARE_EXIT_OK; c++) {
			const char *mode = o->modes[c / o->n_workers];
			unsigned workers = o->workers[c % o->n_workers];

			if (!o->quiet)
				fprintf(stderr, "crawlpool compare: run %u/%u: %s, %u workers\n",
					r + 1, o->repeat, mode, workers);
			rc = run_once(o, list_fd, mode, workers, r, &samples[c][r]);
			if (interrupted)
				rc = COMPARE_EXIT_INTERRUPTED;
			else if (rc != COMPARE_EXIT_OK)
				fprintf(stderr, "crawlpool compare: the crawl failed (exit %d)\n", rc);
			else
				made->runs++;
		}
		if (rc == COMPARE_EXIT_OK)
			done = r + 1;
	}
	made->rounds = done;
	for (unsigned c = 0; c < n_configs && done > 0; c++) {
		rows[c] = (struct compare_row){
			.mode = o->modes[c / o->n_workers],
			.workers = o->workers[c % o->n_workers],
		};
		summarize(&rows[c], samples[c], done);
	}
	*n_rows = done > 0 ? n_configs : 0;
	free(samples);
	return rc;
}

/* After Ctrl-C: what the table holds, or that there is no table. */
static void report_interrupt(const struct compare_opts *o, const struct progress_made *made)
{
	unsigned per_round = o->n_modes * o->n_workers;

	if (made->runs == 0)
		fprintf(stderr, "crawlpool compare: interrupted before any run finished\n");
	else if (made->rounds == 0)
		fprintf(stderr, "crawlpool compare: interrupted after %u of the %u runs of the first "
			"round: nothing to compare\n", made->runs, per_round);
	else
		fprintf(stderr, "crawlpool compare: interrupted: the table holds the %u of %u "
			"round%s completed\n", made->rounds, o->repeat, o->repeat == 1 ? "" : "s");
}

int compare_main(int argc, char **argv)
{
	struct compare_row rows[COMPARE_MAX_MODES * COMPARE_MAX_COUNTS];
	struct progress_made made;
	struct compare_opts o;
	struct sigaction hup;
	const char *in_the_way, *bad_dir;
	char path[4096];
	unsigned n_rows = 0;
	bool help = false;
	int rc, list_fd = -1;

	rc = compare_parse_args(argc, argv, &o, &help);
	if (rc)
		return rc;
	if (help) {
		compare_usage(stdout);
		return COMPARE_EXIT_OK;
	}
	if (o.version) {
		printf("crawlpool %s\n", CRAWLPOOL_VERSION);
		return COMPARE_EXIT_OK;
	}
	if (!strcmp(o.list, "-")) {
		list_fd = save_stdin();
		if (list_fd < 0) {
			fprintf(stderr, "crawlpool compare: cannot save the list from stdin: %s\n",
				strerror(errno));
			return COMPARE_EXIT_FAILED;
		}
	} else if (access(o.list, R_OK) < 0) {
		fprintf(stderr, "crawlpool compare: cannot read '%s': %s\n", o.list, strerror(errno));
		return COMPARE_EXIT_USAGE;
	}
	if (list_is_empty(&o, list_fd)) {
		if (list_fd >= 0) {
			fprintf(stderr, "crawlpool compare: no URLs in the list from stdin: "
				"nothing to compare\n");
			close(list_fd);
		} else {
			fprintf(stderr, "crawlpool compare: no URLs in '%s': nothing to compare\n",
				o.list);
		}
		return COMPARE_EXIT_USAGE;
	}
	if (o.out_dir && mkdir(o.out_dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "crawlpool compare: cannot create '%s': %s\n", o.out_dir, strerror(errno));
		if (list_fd >= 0)
			close(list_fd);
		return COMPARE_EXIT_USAGE;
	}
	if ((bad_dir = dir_refusing_files(&o))) {
		fprintf(stderr, "crawlpool compare: cannot write in '%s': %s\n", bad_dir,
			strerror(errno));
		if (list_fd >= 0)
			close(list_fd);
		return COMPARE_EXIT_USAGE;
	}
	if (list_fd < 0 && (in_the_way = list_in_the_way(&o, path, sizeof(path)))) {
		fprintf(stderr, "crawlpool compare: '%s' is the url list '%s': it would be replaced\n",
			in_the_way, o.list);
		return COMPARE_EXIT_USAGE;
	}

	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	/* a closed terminal: the table of the rounds so far, as after Ctrl-C (not under nohup) */
	if (sigaction(SIGHUP, NULL, &hup) == 0 && hup.sa_handler != SIG_IGN)
		signal(SIGHUP, on_interrupt);
	rc = run_all(&o, list_fd, rows, &n_rows, &made);
	if (rc == COMPARE_EXIT_INTERRUPTED)
		report_interrupt(&o, &made);
	if (n_rows > 0) {
		char caption[512];
		int wrote;

		/* One heading for the table and the chart. */
		snprintf(caption, sizeof(caption), "crawlpool compare: %lu URL%s from %s, medians of %u run%s",
			 rows[0].urls, rows[0].urls == 1 ? "" : "s", list_fd >= 0 ? "stdin" : o.list,
			 rows[0].runs, rows[0].runs == 1 ? "" : "s");
		compare_rank(rows, n_rows);
		printf("\n%s\n\n", caption);
		compare_print_table(stdout, rows, n_rows);
		wrote = write_reports(&o, rows, n_rows, caption);
		if (rc == COMPARE_EXIT_OK)
			rc = wrote;
	}
	if (list_fd >= 0)
		close(list_fd);
	return rc;
}
