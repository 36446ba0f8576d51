/* itest.c -- integration test helpers: demo-site and crawlpool as child processes, strict CSV reading */
#include "itest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CSV_HEADER "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,redirects,title,links,worker,error\r\n"

static char itest_tmp[64];
/* Paths are kept per name until itest_cleanup(), so callers may hold them: one per name a program uses. */
enum { ITEST_PATHS = 128 };
static char *itest_paths[ITEST_PATHS];

double itest_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void itest_nap(void)
{
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };

	nanosleep(&ms10, NULL);
}

const char *itest_dir(void)
{
	if (!itest_tmp[0]) {
		snprintf(itest_tmp, sizeof(itest_tmp), "/tmp/crawler-itest-XXXXXX");
		if (!mkdtemp(itest_tmp)) {
			perror("mkdtemp");
			abort();
		}
	}
	return itest_tmp;
}

static int itest_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void itest_cleanup(void)
{
	if (itest_tmp[0])
		nftw(itest_tmp, itest_rm, 16, FTW_DEPTH | FTW_PHYS);
	itest_tmp[0] = '\0';
	for (size_t i = 0; i < ITEST_PATHS; i++) {
		free(itest_paths[i]);
		itest_paths[i] = NULL;
	}
}

const char *itest_path(const char *name)
{
	size_t dir_len = strlen(itest_dir()), i;
	char buf[256];

	for (i = 0; i < ITEST_PATHS && itest_paths[i]; i++)
		if (strcmp(itest_paths[i] + dir_len + 1, name) == 0)
			return itest_paths[i];
	assert_true(i < ITEST_PATHS);
	snprintf(buf, sizeof(buf), "%s/%s", itest_dir(), name);
	itest_paths[i] = strdup(buf);
	assert_non_null(itest_paths[i]);
	return itest_paths[i];
}

void itest_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* In a forked child: point fd at path (opened with flags) or die. */
static void itest_redirect(int fd, const char *path, int flags)
{
	int f = open(path, flags, 0644);

	if (f < 0 || dup2(f, fd) < 0)
		_exit(126);
	close(f);
}

/* Tests talk to loopback only: no proxy from the environment may step in. */
static void itest_no_proxy(void)
{
	static const char *const vars[] = {
		"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
	};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

int itest_site_start(struct itest_site *site, unsigned pages, unsigned fault_seconds)
{
	return itest_site_start_with(site, pages, fault_seconds, NULL);
}

int itest_site_start_with(struct itest_site *site, unsigned pages, unsigned fault_seconds,
			  const char *const *extra)
{
	const char *port_file = itest_path("site.port");
	char pages_s[16], fault_s[16], buf[32];
	double deadline = itest_now() + 60;
	const char *argv[48];
	size_t n = 0;

	unlink(port_file);
	snprintf(pages_s, sizeof(pages_s), "%u", pages);
	snprintf(fault_s, sizeof(fault_s), "%u", fault_seconds);
	site->pid = fork();
	if (site->pid < 0)
		return -1;
	if (site->pid == 0) {
		itest_redirect(STDIN_FILENO, "/dev/null", O_RDONLY);
		itest_redirect(STDOUT_FILENO, "/dev/null", O_WRONLY);
		itest_redirect(STDERR_FILENO, itest_path("site.log"), O_WRONLY | O_CREAT | O_TRUNC);
		const char *fixed[] = { "demo-site", "--host", "127.0.0.1", "--port", "0",
					"--port-file", port_file, "--pages", pages_s,
					"--fault-seconds", fault_s, "--quiet" };

		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			argv[n++] = fixed[i];
		while (extra && *extra && n < 47)
			argv[n++] = *extra++;
		argv[n] = NULL;
		execv(DEMO_SITE_BIN, (char *const *)argv);
		_exit(127);
	}
	while (itest_now() < deadline) {
		FILE *f = fopen(port_file, "r");
		int status;

		if (f) {
			unsigned port = 0;

			if (fgets(buf, sizeof(buf), f) && sscanf(buf, "%u", &port) == 1 && port) {
				fclose(f);
				snprintf(site->base, sizeof(site->base), "http://127.0.0.1:%u", port);
				site->port = port;
				return 0;
			}
			fclose(f);
		}
		if (waitpid(site->pid, &status, WNOHANG) == site->pid) {
			fprintf(stderr, "demo-site exited before listening\n");
			site->pid = 0;
			return -1;
		}
		itest_nap();
	}
	itest_site_stop(site);
	return -1;
}

void itest_site_stop(struct itest_site *site)
{
	if (site->pid <= 0)
		return;
	kill(site->pid, SIGTERM);
	if (itest_wait(site->pid, 20) < 0)
		fprintf(stderr, "demo-site did not stop on SIGTERM\n");
	site->pid = 0;
}

/* A whole-number field of a host's stats object. */
static long long itest_stat(struct json_object *host, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(host, key, &v));
	return json_object_get_int64(v);
}

void itest_site_stats(const struct itest_site *site, struct itest_site_stats *st)
{
	char cmd[256], buf[8192], key[64];
	struct json_object *all, *host;
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "curl -s --noproxy '*' '%s/_stats?reset'", site->base);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	pclose(p);
	buf[n] = '\0';
	all = json_tokener_parse(buf);
	if (!all)
		fail_msg("/_stats is not JSON: %s", buf);
	*st = (struct itest_site_stats){ .min_gap_ms = -1 };
	snprintf(key, sizeof(key), "127.0.0.1:%u", site->port);
	if (json_object_object_get_ex(all, key, &host)) {
		st->requests = (unsigned long)itest_stat(host, "requests");
		st->max_concurrent = (unsigned)itest_stat(host, "max_concurrent");
		st->min_gap_ms = (long)itest_stat(host, "min_gap_ms");
	}
	json_object_put(all);
}

/* The open-file limit of the next spawned crawlpool; 0 keeps ours. */
static rlim_t spawn_nofile;

void itest_limit_files(unsigned long n)
{
	spawn_nofile = n;
}

/* The file the next spawned crawlpool is killed half way through a row of, and the byte. */
static char spawn_tear_path[PATH_MAX];
static unsigned long long spawn_tear_at;

void itest_tear_at(const char *path, unsigned long long at)
{
	snprintf(spawn_tear_path, sizeof(spawn_tear_path), "%s", path);
	spawn_tear_at = at;
}

/* In a forked child: preload the tearing module when itest_tear_at() asked for it. */
static void itest_preload_tear(void)
{
	const char *asan = getenv("ASAN_OPTIONS");
	char at[32], options[512];

	if (!spawn_tear_path[0])
		return;
	snprintf(at, sizeof(at), "%llu", spawn_tear_at);
	setenv("LD_PRELOAD", TEAR_WRITE_MODULE, 1);
	setenv("CRAWLPOOL_TEAR_PATH", spawn_tear_path, 1);
	setenv("CRAWLPOOL_TEAR_AT", at, 1);
	/* the module comes before a sanitizer's runtime, which then only has to be told so */
	snprintf(options, sizeof(options), "%s%sverify_asan_link_order=0", asan ? asan : "",
		 asan && *asan ? ":" : "");
	setenv("ASAN_OPTIONS", options, 1);
}

size_t itest_expect_torn(const char *path)
{
	size_t len;
	char *data = itest_slurp(path, &len);

	assert_non_null(data);
	if (len == 0 || data[len - 1] == '\n')
		fail_msg("%s ends with a whole row (%zu bytes)", path, len);
	free(data);
	return len;
}

void itest_tear_twice(const char *out, const char *const *first, const char *const *again,
		      unsigned long long at, unsigned long long step)
{
	size_t size;

	itest_tear_at(out, at);
	itest_expect_exit(itest_wait(itest_spawn(first, NULL), 60), 128 + SIGKILL, NULL);
	size = itest_expect_torn(out);
	itest_tear_at(out, size + step);
	itest_expect_exit(itest_wait(itest_spawn(again, NULL), 60), 128 + SIGKILL,
			  "a torn last row of ");
	itest_expect_torn(out);
}

pid_t itest_spawn(const char *const *args, const char *in_path)
{
	const char *argv[64];
	size_t n = 0;
	pid_t pid;

	argv[n++] = "crawlpool";
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	itest_no_proxy();
	/* nothing buffered may be written twice by the child */
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		itest_redirect(STDIN_FILENO, in_path ? in_path : "/dev/null", O_RDONLY);
		itest_redirect(STDOUT_FILENO, itest_path("crawl.stdout"), O_WRONLY | O_CREAT | O_TRUNC);
		itest_redirect(STDERR_FILENO, itest_path("crawl.stderr"), O_WRONLY | O_CREAT | O_TRUNC);
		if (spawn_nofile)
			setrlimit(RLIMIT_NOFILE, &(struct rlimit){ spawn_nofile, spawn_nofile });
		itest_preload_tear();
		execv(CRAWLPOOL_BIN, (char *const *)argv);
		_exit(127);
	}
	spawn_nofile = 0;
	spawn_tear_path[0] = '\0';
	return pid;
}

/* The file-size limit of the next spawned crawlpool; 0 keeps ours. */
static rlim_t spawn_fsize;

void itest_limit_fsize(unsigned long bytes)
{
	spawn_fsize = bytes;
}

/* In a forked child: stream fd from src, closed, or as itest_spawn() has it. */
static void itest_stream(int fd, int src, const char *usual, int flags)
{
	if (src == ITEST_FD_USUAL)
		itest_redirect(fd, usual, flags);
	else if (src == ITEST_FD_CLOSED)
		close(fd);
	else if (dup2(src, fd) < 0)
		_exit(126);
}

pid_t itest_spawn_fds(const char *const *args, int in_fd, int out_fd, int err_fd)
{
	const char *argv[64];
	size_t n = 0;
	pid_t pid;

	argv[n++] = "crawlpool";
	while (*args && n < 63)
		argv[n++] = *args++;
	argv[n] = NULL;
	itest_no_proxy();
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		itest_stream(STDERR_FILENO, err_fd, itest_path("crawl.stderr"), O_WRONLY | O_CREAT | O_TRUNC);
		itest_stream(STDOUT_FILENO, out_fd, itest_path("crawl.stdout"), O_WRONLY | O_CREAT | O_TRUNC);
		itest_stream(STDIN_FILENO, in_fd, "/dev/null", O_RDONLY);
		if (spawn_fsize)
			setrlimit(RLIMIT_FSIZE, &(struct rlimit){ spawn_fsize, spawn_fsize });
		execv(CRAWLPOOL_BIN, (char *const *)argv);
		_exit(127);
	}
	spawn_fsize = 0;
	return pid;
}

int itest_wait(pid_t pid, double timeout_s)
{
	double deadline = itest_now() + timeout_s;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (itest_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		itest_nap();
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int itest_run(const char *const *args, const char *in_path, double *secs)
{
	double t0 = itest_now();
	int rc = itest_wait(itest_spawn(args, in_path), 120);

	if (secs)
		*secs = itest_now() - t0;
	return rc;
}

const char *itest_stderr(void)
{
	static char buf[16384];
	FILE *f = fopen(itest_path("crawl.stderr"), "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

void itest_expect_exit(int rc, int want, const char *needle)
{
	if (rc != want)
		fail_msg("exit %d, expected %d; stderr: %s", rc, want, itest_stderr());
	if (needle && !strstr(itest_stderr(), needle))
		fail_msg("stderr '%s' lacks '%s'", itest_stderr(), needle);
}

const char *itest_stdout_path(void)
{
	return itest_path("crawl.stdout");
}

size_t itest_children(pid_t ppid, pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		char path[288], buf[512], *close_paren;
		FILE *f;
		int ppid_read;
		char state;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (close_paren = strrchr(buf, ')')) &&
		    sscanf(close_paren + 1, " %c %d", &state, &ppid_read) == 2 && ppid_read == ppid)
			out[n++] = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return n;
}

int itest_threads(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

size_t itest_file_lines(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t lines = 0;
	char buf[8192];
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

int itest_wait_lines(const char *path, size_t n, pid_t pid, double timeout_s)
{
	double deadline = itest_now() + timeout_s;

	while (itest_now() < deadline) {
		siginfo_t si = { 0 };

		if (itest_file_lines(path) >= n)
			return 0;
		/* WNOWAIT: an ended pid stays for the caller to reap */
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == pid)
			return -1;
		itest_nap();
	}
	return -1;
}

void itest_kill_all(pid_t pid)
{
	pid_t kids[1100];
	size_t n = itest_children(pid, kids, sizeof(kids) / sizeof(kids[0]));

	kill(pid, SIGKILL);
	for (size_t i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	waitpid(pid, NULL, 0);
}

/* One field at *p; advances *p past it. Returns the field's end character or -1. */
static int csv_field(char **p, char **field)
{
	char *s = *p, *w;

	if (*s == '"') {
		w = *field = ++s;
		for (;;) {
			if (*s == '\0')
				return -1;
			if (*s == '"') {
				if (s[1] != '"')
					break;
				s++;
			}
			*w++ = *s++;
		}
		s++;
	} else {
		*field = s;
		s += strcspn(s, ",\r\n\"");
		if (*s == '"' || *s == '\n')
			return -1;
		w = s;
	}
	if (*s == ',') {
		*w = '\0';
		*p = s + 1;
		return ',';
	}
	if (s[0] == '\r' && s[1] == '\n') {
		*w = '\0';
		*p = s + 2;
		return '\n';
	}
	return -1;
}

static char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[size] = '\0';
		*len = (size_t)size;
	}
	return buf;
}

char *itest_slurp(const char *path, size_t *len)
{
	size_t ignored;

	return slurp_file(path, len ? len : &ignored);
}

int itest_csv_load(const char *path, struct itest_table *t)
{
	size_t len, cap = 0;
	char *data = slurp_file(path, &len), *p;

	memset(t, 0, sizeof(*t));
	if (!data) {
		fprintf(stderr, "cannot read %s\n", path);
		return -1;
	}
	t->data = data;
	p = data;
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0) {
		t->bom = true;
		p += 3;
	}
	if (strncmp(p, CSV_HEADER, strlen(CSV_HEADER)) != 0) {
		fprintf(stderr, "%s: bad header\n", path);
		itest_table_free(t);
		return -1;
	}
	p += strlen(CSV_HEADER);
	/* fields are unescaped in place: the rows point into data */
	while (*p) {
		struct itest_row row;

		for (int i = 0; i < ITEST_COLUMNS; i++) {
			int end = csv_field(&p, &row.f[i]);

			if (end != (i == ITEST_COLUMNS - 1 ? '\n' : ',')) {
				fprintf(stderr, "%s: malformed row %zu, field %d\n", path, t->n + 1, i);
				itest_table_free(t);
				return -1;
			}
		}
		if (t->n == cap) {
			cap = cap ? 2 * cap : 64;
			t->rows = realloc(t->rows, cap * sizeof(*t->rows));
			assert_non_null(t->rows);
		}
		t->rows[t->n++] = row;
	}
	return 0;
}

void itest_table_free(struct itest_table *t)
{
	free(t->data);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

const struct itest_row *itest_find(const struct itest_table *t, const char *url)
{
	const struct itest_row *found = NULL;

	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->rows[i].f[COL_URL], url) != 0)
			continue;
		if (found)
			fail_msg("url '%s' appears twice", url);
		found = &t->rows[i];
	}
	return found;
}

static int itest_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void itest_expect_urls(const struct itest_table *t, const char *const *urls, size_t n)
{
	const char **got = malloc((t->n + 1) * sizeof(*got));
	const char **want = malloc((n + 1) * sizeof(*want));

	assert_non_null(got);
	assert_non_null(want);
	if (t->n != n)
		fail_msg("%zu rows for %zu urls", t->n, n);
	for (size_t i = 0; i < n; i++) {
		got[i] = t->rows[i].f[COL_URL];
		want[i] = urls[i];
	}
	qsort(got, n, sizeof(*got), itest_cmp);
	qsort(want, n, sizeof(*want), itest_cmp);
	for (size_t i = 0; i < n; i++)
		if (strcmp(got[i], want[i]) != 0)
			fail_msg("rows and urls differ at '%s' / '%s'", got[i], want[i]);
	free(got);
	free(want);
}
