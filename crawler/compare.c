/* compare.c -- `crawlpool compare`: the same list under each mode, side by side */
#include "compare.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
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
#include "procmem.h"
#include "stats.h"

enum {
	MAX_MODES = 2,
	MAX_COUNTS = 8,
	MAX_REPEAT = 100,
	MAX_PASSTHROUGH = 64,
	SAMPLE_MS = 10,		/* how often the crawl's memory is sampled */
	FIRST_SAMPLES_MS = 200,	/* ...and five times as often at first, for short crawls */
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_INTERRUPTED = 130,
};

struct compare_opts {
	const char *modes[MAX_MODES];
	unsigned n_modes;
	unsigned workers[MAX_COUNTS];
	unsigned n_workers;
	unsigned repeat;
	const char *out_dir;	/* NULL: rows are discarded, table files go to . */
	const char *list;
	const char *pass[MAX_PASSTHROUGH];	/* crawl options handed on as they are */
	unsigned n_pass;
};

/* What one crawl run measured. */
struct sample {
	double wall_s, user_s, sys_s, peak_mib;
	double p50_ms, p95_ms, p99_ms;
	unsigned long urls, errors;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *f)
{
	fputs("usage: crawlpool compare [OPTIONS] [CRAWL OPTIONS] [URLS_FILE]\n"
	      "\n"
	      "Crawls the same list under each mode and worker count, one run after\n"
	      "another, and prints the medians side by side.\n"
	      "\n"
	      "  --modes LIST        modes to compare (default: process,thread)\n"
	      "  --workers N[,N...]  worker counts (default: 8)\n"
	      "  --repeat R          runs of each mode and count (default: 3)\n"
	      "  --out-dir DIR       keep each run's rows there (JSON Lines) beside\n"
	      "                      compare.csv and compare.svg (default: rows are\n"
	      "                      discarded; compare.csv and compare.svg go to .)\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "Crawl options (--timeout, --connect-timeout, --max-size, --max-redirects,\n"
	      "--user-agent, --no-parse) are passed to every run. URLS_FILE defaults to\n"
	      "urls.txt; '-' reads the list from stdin once.\n"
	      "\n"
	      "Columns: wall time, pages/s, CPU user and sys seconds of the parent and\n"
	      "all workers, peak memory of the whole crawl (PSS of the parent and every\n"
	      "worker at the same moment), per-URL latency percentiles, error rows, and\n"
	      "speed as a share of the fastest row's pages/s.\n", f);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("crawlpool compare: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'crawlpool compare --help'.\n", stderr);
	return EXIT_USAGE;
}

static int parse_unsigned(const char *text, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (!*text || *end || errno || v < lo || v > hi || text[0] == '-')
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_modes(char *list, struct compare_opts *o)
{
	o->n_modes = 0;
	for (char *save, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		const char *name;

		if (!strcmp(m, "process") || !strcmp(m, "processes"))
			name = "process";
		else if (!strcmp(m, "thread") || !strcmp(m, "threads"))
			name = "thread";
		else
			return usage_error("unknown mode '%s' (expected process or thread)", m);
		if (o->n_modes == 1 && o->modes[0] == name)
			continue;
		o->modes[o->n_modes++] = name;
	}
	return o->n_modes ? 0 : usage_error("--modes needs at least one mode");
}

static int parse_counts(char *list, struct compare_opts *o)
{
	o->n_workers = 0;
	for (char *save, *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		if (o->n_workers == MAX_COUNTS)
			return usage_error("--workers takes at most %d counts", MAX_COUNTS);
		if (parse_unsigned(c, 1, 1024, &o->workers[o->n_workers++]) < 0)
			return usage_error("invalid worker count '%s' (expected 1 to 1024)", c);
	}
	return o->n_workers ? 0 : usage_error("--workers needs at least one count");
}

/* Crawl options whose value is the next argument. */
static bool takes_value(const char *opt)
{
	static const char *const with_value[] = {
		"-t", "--timeout", "--connect-timeout", "--max-size", "--max-redirects",
		"-A", "--user-agent",
	};

	for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
		if (!strcmp(opt, with_value[i]))
			return true;
	return false;
}

/* compare decides these for every run itself. */
static bool reserved(const char *opt)
{
	static const char *const own[] = {
		"-m", "--mode", "-w", "-o", "--output", "-f", "--format", "--append",
	};
	size_t len = strcspn(opt, "=");

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strlen(own[i]) == len && !strncmp(opt, own[i], len))
			return true;
	return false;
}

/* "--opt VALUE" and "--opt=VALUE" alike; NULL when the value is missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (!strncmp(argv[*i], name, len) && argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(arg, name, len) && (arg[len] == '\0' || arg[len] == '=');
}

static int parse_args(int argc, char **argv, struct compare_opts *o, bool *help)
{
	static char default_modes[] = "process,thread";
	static char default_counts[] = "8";
	int rc;

	*o = (struct compare_opts){ .repeat = 3 };
	parse_modes(default_modes, o);
	parse_counts(default_counts, o);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			*help = true;
			return 0;
		}
		if (is_option(arg, "--modes") || is_option(arg, "--workers") ||
		    is_option(arg, "--repeat") || is_option(arg, "--out-dir")) {
			char name[16];
			char *copy;

			snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
			value = option_value(argc, argv, &i, name);
			if (!value)
				return usage_error("option '%s' needs a value", name);
			if (!strcmp(name, "--out-dir")) {
				o->out_dir = value;
				continue;
			}
			if (!strcmp(name, "--repeat")) {
				if (parse_unsigned(value, 1, MAX_REPEAT, &o->repeat) < 0)
					return usage_error("invalid --repeat '%s' (expected 1 to 100)", value);
				continue;
			}
			copy = strdup(value);
			if (!copy)
				return EXIT_FAILED;
			rc = !strcmp(name, "--modes") ? parse_modes(copy, o) : parse_counts(copy, o);
			free(copy);
			if (rc)
				return rc;
			continue;
		}
		if (arg[0] == '-' && arg[1] != '\0') {
			if (reserved(arg))
				return usage_error("option '%s' is chosen by compare itself", arg);
			if (o->n_pass + 2 > MAX_PASSTHROUGH)
				return usage_error("too many options");
			o->pass[o->n_pass++] = arg;
			if (takes_value(arg)) {
				if (i + 1 >= argc)
					return usage_error("option '%s' needs a value", arg);
				o->pass[o->n_pass++] = argv[++i];
			}
			continue;
		}
		if (o->list)
			return usage_error("more than one list given: '%s'", arg);
		o->list = arg;
	}
	if (!o->list)
		o->list = "urls.txt";
	return 0;
}

/* The list is crawled many times, so stdin is saved to a file first. */
static int save_stdin(char *path, size_t len)
{
	char buf[65536];
	ssize_t n;
	int fd;

	snprintf(path, len, "%s/crawlpool-list-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, (size_t)n) != n) {
			close(fd);
			unlink(path);
			return -1;
		}
	}
	return close(fd);
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

static pid_t spawn_crawl(const struct compare_opts *o, const char *mode, unsigned workers,
			 const char *rows_path)
{
	const char *argv[MAX_PASSTHROUGH + 16];
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
	argv[n++] = rows_path;
	for (unsigned i = 0; i < o->n_pass; i++)
		argv[n++] = o->pass[i];
	argv[n++] = "--";
	argv[n++] = o->list;
	argv[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		execv("/proc/self/exe", (char **)argv);
		fprintf(stderr, "crawlpool compare: cannot run the crawl: %s\n", strerror(errno));
		_exit(127);
	}
	return pid;
}

/* Latencies and error count from the rows a run wrote (JSON Lines). */
static int read_rows(const char *path, struct sample *s)
{
	FILE *f = fopen(path, "re");
	double *times = NULL;
	size_t n = 0, cap = 0, len = 0;
	char *line = NULL;

	if (!f)
		return -1;
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
static int run_once(const struct compare_opts *o, const char *mode, unsigned workers,
		    unsigned round, struct sample *s)
{
	char rows_path[4096];
	struct timespec start;
	struct rusage ru = { 0 };
	long peak_kib = 0;
	int status = 0;
	pid_t pid;

	*s = (struct sample){ 0 };
	if (o->out_dir) {
		snprintf(rows_path, sizeof(rows_path), "%s/rows-%s-w%u-r%u.jsonl",
			 o->out_dir, mode, workers, round + 1);
	} else {
		int fd;

		snprintf(rows_path, sizeof(rows_path), "%s/crawlpool-rows-XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		fd = mkstemp(rows_path);
		if (fd < 0) {
			fprintf(stderr, "crawlpool compare: cannot create a temporary file: %s\n",
				strerror(errno));
			return EXIT_FAILED;
		}
		close(fd);
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = spawn_crawl(o, mode, workers, rows_path);
	if (pid < 0) {
		fprintf(stderr, "crawlpool compare: fork failed: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	for (;;) {
		pid_t got = wait4(pid, &status, WNOHANG, &ru);
		long kib;

		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			status = EXIT_FAILED << 8;
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
		read_rows(rows_path, s);
	if (!o->out_dir)
		unlink(rows_path);
	if (WIFSIGNALED(status))
		return EXIT_INTERRUPTED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILED;
}

/* Median over the runs of one double field of struct sample. */
static double median_of(const struct sample *samples, unsigned n, size_t offset)
{
	double v[MAX_REPEAT];

	for (unsigned i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&samples[i] + offset, sizeof(double));
	return stats_median(v, n);
}

static void summarize(struct compare_row *row, const struct sample *samples, unsigned n)
{
	double v[MAX_REPEAT];

	row->runs = n;
	row->wall_s = median_of(samples, n, offsetof(struct sample, wall_s));
	row->user_s = median_of(samples, n, offsetof(struct sample, user_s));
	row->sys_s = median_of(samples, n, offsetof(struct sample, sys_s));
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

/* Writes the SVG chart (with a caption) or else the CSV table to path; 0 or -1. */
static int write_file(const char *path, const struct compare_row *rows, unsigned n,
		      const char *caption)
{
	FILE *f = fopen(path, "we");
	int rc;

	if (!f)
		return -1;
	if (caption)
		rc = chart_write_svg(f, rows, n, caption);
	else
		rc = compare_write_csv(f, rows, n);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

static int write_reports(const struct compare_opts *o, const struct compare_row *rows,
			 unsigned n, unsigned long urls)
{
	const char *dir = o->out_dir ? o->out_dir : ".";
	char csv[4096], svg[4096], caption[512];

	snprintf(csv, sizeof(csv), "%s/compare.csv", dir);
	snprintf(svg, sizeof(svg), "%s/compare.svg", dir);
	snprintf(caption, sizeof(caption), "crawlpool compare: %lu URLs from %s, %u run%s each",
		 urls, o->list, o->repeat, o->repeat == 1 ? "" : "s");
	if (write_file(csv, rows, n, NULL) < 0 || write_file(svg, rows, n, caption) < 0) {
		fprintf(stderr, "crawlpool compare: cannot write '%s' or '%s': %s\n",
			csv, svg, strerror(errno));
		return EXIT_FAILED;
	}
	printf("* fastest. Table: %s  Chart: %s\n", csv, svg);
	return EXIT_OK;
}

static int run_all(const struct compare_opts *o, struct compare_row *rows, unsigned *n_rows)
{
	unsigned n_configs = o->n_modes * o->n_workers;
	struct sample (*samples)[MAX_REPEAT] = calloc(n_configs, sizeof(*samples));
	unsigned done = 0;
	int rc = EXIT_OK;

	if (!samples)
		return EXIT_FAILED;
	/* Rounds are interleaved so that a noisy moment hurts every mode alike. */
	for (unsigned r = 0; r < o->repeat && rc == EXIT_OK; r++) {
		for (unsigned c = 0; c < n_configs && rc == EXIT_OK; c++) {
			const char *mode = o->modes[c / o->n_workers];
			unsigned workers = o->workers[c % o->n_workers];

			fprintf(stderr, "crawlpool compare: run %u/%u: %s, %u workers\n",
				r + 1, o->repeat, mode, workers);
			rc = run_once(o, mode, workers, r, &samples[c][r]);
			if (interrupted)
				rc = EXIT_INTERRUPTED;
			else if (rc != EXIT_OK)
				fprintf(stderr, "crawlpool compare: the crawl failed (exit %d)\n", rc);
		}
		if (rc == EXIT_OK)
			done = r + 1;
	}
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

int compare_main(int argc, char **argv)
{
	struct compare_row rows[MAX_MODES * MAX_COUNTS];
	struct compare_opts o;
	char stdin_copy[4096] = "";
	unsigned n_rows = 0;
	bool help = false;
	int rc;

	rc = parse_args(argc, argv, &o, &help);
	if (rc)
		return rc;
	if (help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(o.list, "-")) {
		if (save_stdin(stdin_copy, sizeof(stdin_copy)) < 0) {
			fprintf(stderr, "crawlpool compare: cannot save the list from stdin: %s\n",
				strerror(errno));
			return EXIT_FAILED;
		}
		o.list = stdin_copy;
	} else if (access(o.list, R_OK) < 0) {
		fprintf(stderr, "crawlpool compare: cannot read '%s': %s\n", o.list, strerror(errno));
		return EXIT_USAGE;
	}
	if (o.out_dir && mkdir(o.out_dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "crawlpool compare: cannot create '%s': %s\n", o.out_dir, strerror(errno));
		return EXIT_USAGE;
	}

	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	rc = run_all(&o, rows, &n_rows);
	if (n_rows > 0) {
		int wrote;

		compare_rank(rows, n_rows);
		printf("\ncrawlpool compare: %lu URLs from %s, medians of %u run%s\n\n",
		       rows[0].urls, argc > 0 && stdin_copy[0] ? "stdin" : o.list, rows[0].runs,
		       rows[0].runs == 1 ? "" : "s");
		compare_print_table(stdout, rows, n_rows);
		wrote = write_reports(&o, rows, n_rows, rows[0].urls);
		if (rc == EXIT_OK)
			rc = wrote;
	}
	if (stdin_copy[0])
		unlink(stdin_copy);
	return rc;
}
