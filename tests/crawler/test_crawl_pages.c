/* test_crawl_pages.c -- exact rows for the demo site's pages in every mode; formats, stdin, append, usage */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "itest.h"
#include "sitegen.h"

enum { PAGES = 300, WORKERS = 4 };

static struct itest_site site;
static char *urls[PAGES];

static int setup(void **state)
{
	char text[PAGES * 64];
	size_t n = 0;

	(void)state;
	if (itest_site_start(&site, PAGES, 30) < 0)
		return -1;
	for (unsigned i = 0; i < PAGES; i++) {
		char u[96];

		snprintf(u, sizeof(u), "%s/page/%u.html", site.base, i);
		urls[i] = strdup(u);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", u);
	}
	itest_write_file(itest_path("pages.txt"), text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	itest_site_stop(&site);
	itest_cleanup();
	for (unsigned i = 0; i < PAGES; i++)
		free(urls[i]);
	return 0;
}

/* The title as a CSV or TSV cell shows it: the formula guard's apostrophe first. */
static void expect_title(const char *got, const char *want, bool guarded, unsigned n)
{
	if (guarded && strchr("=+-@", want[0])) {
		if (got[0] != '\'' || strcmp(got + 1, want) != 0)
			fail_msg("page %u: title '%s', expected guarded '%s'", n, got, want);
	} else if (strcmp(got, want) != 0) {
		fail_msg("page %u: title '%s', expected '%s'", n, got, want);
	}
}

/* Event mode runs one loop per online CPU, never more loops than transfers. */
static long event_loops(long workers)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus < 1 ? 1 : cpus < workers ? cpus : workers;
}

static void check_pages(const struct itest_table *t, const char *mode, bool parsed)
{
	struct sitegen_page want;
	char num[32];
	long workers[PAGES];
	size_t distinct = 0;

	itest_expect_urls(t, (const char *const *)urls, PAGES);
	for (unsigned i = 0; i < PAGES; i++) {
		const struct itest_row *r = itest_find(t, urls[i]);
		long w = atol(r->f[COL_WORKER]);
		size_t k;

		sitegen_page_info(i, PAGES, &want);
		assert_string_equal(r->f[COL_STATUS], "200");
		assert_string_equal(r->f[COL_ERROR], "");
		snprintf(num, sizeof(num), "%zu", want.bytes);
		assert_string_equal(r->f[COL_BYTES], num);
		if (parsed) {
			expect_title(r->f[COL_TITLE], want.title, true, i);
			snprintf(num, sizeof(num), "%u", want.links);
			assert_string_equal(r->f[COL_LINKS], num);
		} else {
			assert_string_equal(r->f[COL_TITLE], "");
			assert_string_equal(r->f[COL_LINKS], "");
		}
		assert_true(atof(r->f[COL_TTFB]) > 0);
		assert_true(atof(r->f[COL_TIME]) >= atof(r->f[COL_TTFB]));
		/* thread mode names the slot, event mode the loop, process and hybrid modes the pid */
		if (strcmp(mode, "thread") == 0)
			assert_true(w >= 0 && w < WORKERS);
		else if (strcmp(mode, "event") == 0)
			assert_true(w >= 0 && w < event_loops(WORKERS));
		else
			assert_true(w > 1);
		for (k = 0; k < distinct && workers[k] != w; k++)
			;
		if (k == distinct)
			workers[distinct++] = w;
	}
	assert_true(distinct >= 1 && distinct <= WORKERS);
}

static void crawl_pages(const char *mode, const char *extra)
{
	const char *out = itest_path("pages.csv");
	const char *args[] = { "crawl", "-m", mode, "-w", "4", "-q", "-o", out,
			       itest_path("pages.txt"), extra, NULL };
	struct itest_table t;
	int rc = itest_run(args, NULL, NULL);

	if (rc != 0)
		fail_msg("exit %d: %s", rc, itest_stderr());
	assert_int_equal(itest_csv_load(out, &t), 0);
	check_pages(&t, mode, extra == NULL);
	itest_table_free(&t);
}

static void test_pages_thread_mode(void **state)
{
	(void)state;
	crawl_pages("thread", NULL);
}

static void test_pages_process_mode(void **state)
{
	(void)state;
	crawl_pages("process", NULL);
}

static void test_pages_event_mode(void **state)
{
	(void)state;
	crawl_pages("event", NULL);
}

static void test_pages_hybrid_mode(void **state)
{
	(void)state;
	crawl_pages("hybrid", NULL);
}

static void test_no_parse(void **state)
{
	(void)state;
	crawl_pages("thread", "--no-parse");
	crawl_pages("event", "--no-parse");
	crawl_pages("hybrid", "--no-parse");
}

/* The summary says how event mode spread --workers: transfers on loops. */
static void test_event_summary(void **state)
{
	const char *args[] = { "crawl", "-m", "event", "-w", "5", "-o", itest_path("summary.csv"),
			       itest_path("pages.txt"), NULL };
	long loops = event_loops(5);
	char want[128];

	(void)state;
	assert_int_equal(itest_run(args, NULL, NULL), 0);
	snprintf(want, sizeof(want), "crawled %d URLs", PAGES);
	if (!strstr(itest_stderr(), want))
		fail_msg("summary '%s' lacks '%s'", itest_stderr(), want);
	snprintf(want, sizeof(want), "event mode, 5 transfers on %ld loop%s ->", loops,
		 loops == 1 ? "" : "s");
	if (!strstr(itest_stderr(), want))
		fail_msg("summary '%s' lacks '%s'", itest_stderr(), want);
}

/* Everything the crawl wrote to a terminal (the master side of a pty) until it closed. */
static void read_terminal(int master, char *buf, size_t size)
{
	size_t n = 0;

	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		ssize_t got;

		if (poll(&pfd, 1, 5000) != 1)
			break;
		got = read(master, buf + n, size - 1 - n);
		/* EIO: every slave descriptor is closed */
		if (got <= 0)
			break;
		n += (size_t)got;
		if (n == size - 1)
			break;
	}
	buf[n] = '\0';
}

/*
 * On a terminal, one error is "1 error" in the progress line and the
 * summary, and a rate under 10 a second has a decimal, never "1 URLs/s".
 */
static void test_terminal_counts_in_words(void **state)
{
	char list[256], slow[128], text[256], shown[16384];
	const char *args[] = { "crawl", "-w", "1", "-o", itest_path("words.csv"), list, NULL };
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave, rc;
	const char *summary, *rate;
	pid_t pid;

	(void)state;
	snprintf(slow, sizeof(slow), "%s/fault/slow?ms=1200", site.base);
	snprintf(list, sizeof(list), "%s", itest_path("words.txt"));
	/* a line that is no URL is an error row at once; then one page slower than a second */
	snprintf(text, sizeof(text), "not a url\n%s\n", slow);
	itest_write_file(list, text);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	pid = itest_spawn_fds(args, ITEST_FD_USUAL, ITEST_FD_USUAL, slave);
	close(slave);
	read_terminal(master, shown, sizeof(shown));
	rc = itest_wait(pid, 30);
	close(master);
	assert_int_equal(rc, 0);
	if (!strstr(shown, "1/2 URLs  ") || !strstr(shown, "  1 error") || strstr(shown, "1 errors"))
		fail_msg("progress line: '%s'", shown);
	/* 2 URLs in some 1.2 s: under 2 a second, with its decimal */
	summary = strstr(shown, "crawlpool: crawled 2 URLs in ");
	rate = summary ? strchr(summary, '(') : NULL;
	if (!rate || !strstr(rate, " URLs/s), 1 error, ") || rate[2] != '.')
		fail_msg("summary: '%s'", summary ? summary : shown);
}

/* JSON Lines carries the raw title (no guard); TSV the same fields, escaped. */
static void test_jsonl_and_tsv(void **state)
{
	const char *jl = itest_path("pages.jsonl"), *tsv = itest_path("pages.tsv");
	const char *a[] = { "crawl", "-q", "-f", "jsonl", "-o", jl, itest_path("pages.txt"), NULL };
	const char *b[] = { "crawl", "-q", "-m", "process", "--format=tsv", "-o", tsv,
			    itest_path("pages.txt"), NULL };
	struct sitegen_page want;
	char line[8192];
	unsigned seen = 0;
	FILE *f;

	(void)state;
	assert_int_equal(itest_run(a, NULL, NULL), 0);
	assert_int_equal(itest_run(b, NULL, NULL), 0);
	f = fopen(jl, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o = json_tokener_parse(line), *url, *title, *links;
		unsigned n;

		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "url", &url));
		assert_true(json_object_object_get_ex(o, "title", &title));
		assert_true(json_object_object_get_ex(o, "links", &links));
		assert_int_equal(sscanf(strstr(json_object_get_string(url), "/page/"), "/page/%u", &n), 1);
		sitegen_page_info(n, PAGES, &want);
		assert_string_equal(json_object_get_string(title), want.title);
		assert_int_equal(json_object_get_int(links), (int)want.links);
		json_object_put(o);
		seen++;
	}
	fclose(f);
	assert_int_equal(seen, PAGES);

	f = fopen(tsv, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "url\tfinal_url\tstatus\tbytes\tcontent_type\tttfb_ms\ttime_ms\t"
				  "redirects\ttitle\tlinks\tworker\terror\n");
	for (seen = 0; fgets(line, sizeof(line), f); seen++) {
		char *field[13], *p = line;
		unsigned n, k = 0;

		line[strcspn(line, "\n")] = '\0';
		while (k < 13 && (field[k++] = strsep(&p, "\t")) != NULL)
			;
		assert_int_equal(k, 13);	/* 12 fields, then the NULL */
		assert_int_equal(sscanf(strstr(field[0], "/page/"), "/page/%u", &n), 1);
		sitegen_page_info(n, PAGES, &want);
		/* the demo's titles hold no tab, newline or backslash once collapsed */
		expect_title(field[8], want.title, true, n);
	}
	fclose(f);
	assert_int_equal(seen, PAGES);
}

static void test_stdin_to_stdout(void **state)
{
	static const char *const modes[] = { "thread", "event" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		const char *args[] = { "crawl", "-q", "-m", modes[i], "-w", "3", "-o", "-", "-", NULL };
		struct itest_table t;

		assert_int_equal(itest_run(args, itest_path("pages.txt"), NULL), 0);
		assert_int_equal(itest_csv_load(itest_stdout_path(), &t), 0);
		check_pages(&t, modes[i], true);
		itest_table_free(&t);
	}
}

static void test_append_keeps_one_header(void **state)
{
	const char *out = itest_path("append.csv");
	const char *a[] = { "crawl", "-q", "--bom", "--append", "-o", out, itest_path("pages.txt"), NULL };
	const char *b[] = { "crawl", "-q", "--bom", "--append", "-m", "process", "-o", out,
			    itest_path("pages.txt"), NULL };
	struct itest_table t;

	(void)state;
	assert_int_equal(itest_run(a, NULL, NULL), 0);
	assert_int_equal(itest_run(b, NULL, NULL), 0);
	/* the loader insists on one BOM and one header, then rows only */
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_true(t.bom);
	assert_int_equal(t.n, 2 * PAGES);
	for (size_t i = 0; i < t.n; i++) {
		assert_string_not_equal(t.rows[i].f[COL_URL], "url");
		assert_null(strstr(t.rows[i].f[COL_URL], "\xef\xbb\xbf"));
	}
	itest_table_free(&t);
}

/* --max-redirects 0 reports the redirect itself; a low limit stops a chain; long lines are cut. */
static void test_redirect_limits_and_long_lines(void **state)
{
	const char *list = itest_path("limits.txt"), *out = itest_path("limits.csv");
	const char *none[] = { "crawl", "-q", "--max-redirects", "0", "-o", out, list, NULL };
	const char *two[] = { "crawl", "-q", "--max-redirects=2", "-m", "process", "-o", out, list, NULL };
	char *text = malloc(12000), chain[128], exact[128], *long_url = text + 256;
	const struct itest_row *r;
	struct itest_table t;

	(void)state;
	assert_non_null(text);
	snprintf(chain, sizeof(chain), "%s/fault/redirect/3", site.base);
	snprintf(exact, sizeof(exact), "%s/fault/redirect/2", site.base);
	/* a URL of 10,000 bytes: the row keeps the first URLLIST_LINE_MAX (8192) */
	memset(long_url, 'a', 10000);
	memcpy(long_url, "http://127.0.0.1/", 17);
	long_url[10000] = '\0';
	itest_write_file(list, chain);
	{
		FILE *f = fopen(list, "a");

		assert_non_null(f);
		fprintf(f, "\n%s\n%s\n", exact, long_url);
		fclose(f);
	}
	long_url[8192] = '\0';

	assert_int_equal(itest_run(none, NULL, NULL), 0);
	assert_int_equal(itest_csv_load(out, &t), 0);
	assert_int_equal(t.n, 3);
	r = itest_find(&t, chain);
	assert_non_null(r);
	assert_string_equal(r->f[COL_STATUS], "302");
	assert_string_equal(r->f[COL_REDIRECTS], "0");
	assert_string_equal(r->f[COL_ERROR], "");
	r = itest_find(&t, long_url);
	assert_non_null(r);
	assert_string_equal(r->f[COL_ERROR], "URL too long");
	itest_table_free(&t);

	assert_int_equal(itest_run(two, NULL, NULL), 0);
	assert_int_equal(itest_csv_load(out, &t), 0);
	r = itest_find(&t, chain);
	assert_non_null(r);
	assert_string_equal(r->f[COL_ERROR], "too many redirects (over 2)");
	r = itest_find(&t, exact);
	assert_non_null(r);
	assert_string_equal(r->f[COL_ERROR], "");
	assert_string_equal(r->f[COL_REDIRECTS], "2");
	assert_string_equal(r->f[COL_STATUS], "200");
	itest_table_free(&t);
	free(text);
}

static void expect_exit(const char *const *args, int want, const char *needle)
{
	int rc = itest_run(args, NULL, NULL);

	if (rc != want)
		fail_msg("%s %s: exit %d, expected %d", args[0], args[1] ? args[1] : "", rc, want);
	if (needle && !strstr(itest_stderr(), needle))
		fail_msg("stderr '%s' lacks '%s'", itest_stderr(), needle);
}

static void test_usage_and_exit_codes(void **state)
{
	const char *list = itest_path("pages.txt"), *never = itest_path("never.csv");
	const char *nope = itest_path("nope.txt");
	const char *unknown[] = { "crawl", "--frobnicate", list, NULL };
	const char *workers[] = { "crawl", "-w", "0", list, NULL };
	const char *format[] = { "crawl", "-f", "xlsx", list, NULL };
	const char *regex[] = { "crawl", "--include", "a(", list, NULL };
	const char *missing[] = { "crawl", "-o", never, nope, NULL };
	const char *unwritable[] = { "crawl", "-o", "/nonexistent/dir/out.csv", list, NULL };
	const char *command[] = { "crawlx", NULL };
	const char *none[] = { NULL };
	const char *help[] = { "crawl", "--help", NULL };
	const char *version[] = { "--version", NULL };
	const char *follow[] = { "crawl", "--follow=yes", list, NULL };
	const char *bom[] = { "export", "--frontier", "redis://127.0.0.1:1", "--bom=yes", NULL };
	const char *force[] = { "drop", "--frontier", "redis://127.0.0.1:1", "--force=1", NULL };
	const char *status_help[] = { "status", "--help=1", NULL };
	const char *export_bom[] = { "export", "--frontier", "redis://127.0.0.1:1", "-f", "jsonl",
				     "--bom", NULL };
	const char *guard[] = { "crawl", "-o", never, "-f", "jsonl", "--no-formula-guard", list,
				NULL };

	(void)state;
	expect_exit(unknown, 2, "unknown option --frobnicate");
	expect_exit(workers, 2, "invalid --workers");
	expect_exit(format, 2, "invalid --format");
	expect_exit(regex, 2, "invalid --include 'a('");
	expect_exit(missing, 2, "cannot open url list");
	/* nothing is created for a list that cannot be read */
	assert_null(fopen(never, "r"));
	expect_exit(unwritable, 2, "cannot open output '/nonexistent/dir/out.csv'");
	expect_exit(command, 2, "unknown command 'crawlx'");
	expect_exit(none, 2, "usage: crawlpool");
	expect_exit(help, 0, NULL);
	expect_exit(version, 0, NULL);
	/* a value for an option that takes none, in every command: named so, before Redis is asked */
	expect_exit(follow, 2, "crawlpool crawl: option --follow takes no value");
	expect_exit(bom, 2, "crawlpool export: option --bom takes no value");
	expect_exit(force, 2, "crawlpool drop: option --force takes no value");
	expect_exit(status_help, 2, "crawlpool status: option --help takes no value");
	/* JSON Lines takes no byte-order mark: refused, not ignored */
	expect_exit(export_bom, 2, "crawlpool export: --bom is for CSV and TSV");
	/* nor does its text need a guard against formulas */
	expect_exit(guard, 2, "crawlpool crawl: --no-formula-guard is for CSV and TSV");
	assert_null(fopen(never, "r"));
}

/* CPU seconds of the children waited for so far. */
static double children_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * A server that closes a kept-alive connection while it is idle: the next
 * URL gets a new one, and nothing spins meanwhile on the closed socket
 * (each mode keeps its idle connections watched, a loop in its own epoll
 * set). --delay 2 leaves each connection idle past the site's 1 s.
 */
static void test_connection_closed_while_idle(void **state)
{
	const char *modes[] = { "event", "hybrid", "thread", "process" };
	const char *extra[] = { "--idle-timeout", "1", NULL };
	const char *out = itest_path("idle.csv"), *list = itest_path("idle.txt");
	struct itest_site idle;
	char text[256];

	(void)state;
	assert_int_equal(itest_site_start_with(&idle, 4, 30, extra), 0);
	snprintf(text, sizeof(text), "%s/page/0.html\n%s/page/1.html\n", idle.base, idle.base);
	itest_write_file(list, text);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *args[] = { "crawl", "-m", modes[i], "-w", "2", "--delay", "2", "-q",
				       "-o", out, list, NULL };
		double cpu = children_cpu_s(), secs;
		struct itest_table t;
		int rc = itest_run(args, NULL, &secs);

		if (rc != 0)
			fail_msg("%s: exit %d: %s", modes[i], rc, itest_stderr());
		assert_int_equal(itest_csv_load(out, &t), 0);
		assert_int_equal(t.n, 2);
		for (size_t r = 0; r < t.n; r++) {
			if (strcmp(t.rows[r].f[COL_STATUS], "200") != 0)
				fail_msg("%s: %s: status '%s', error '%s'", modes[i], t.rows[r].f[COL_URL],
					 t.rows[r].f[COL_STATUS], t.rows[r].f[COL_ERROR]);
		}
		itest_table_free(&t);
		/* the 2 s between the requests are slept through, not polled through */
		cpu = children_cpu_s() - cpu;
		if (cpu > 0.5 * secs)
			fail_msg("%s: %.2f s of CPU in %.2f s", modes[i], cpu, secs);
	}
	itest_site_stop(&idle);
}

/*
 * A transfer that timed out waits to be retried: the wait is slept
 * through, not polled through (curl 7.88 does not say that the timer it
 * ran out of is gone; a loop that kept it would sleep 0 until the retry).
 */
static void test_retry_wait_after_timeout(void **state)
{
	const char *modes[] = { "thread", "process", "event", "hybrid" };
	const char *out = itest_path("timeout-retry.csv");
	char url[128];

	(void)state;
	snprintf(url, sizeof(url), "%s/fault/silent", site.base);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *args[] = { "crawl", "-m", modes[i], "-w", "1", "-t", "0.3", "--retry", "1",
				       "--retry-delay", "2", "-q", "-o", out, url, NULL };
		double cpu = children_cpu_s(), secs;
		struct itest_table t;
		int rc = itest_run(args, NULL, &secs);

		if (rc != 0)
			fail_msg("%s: exit %d: %s", modes[i], rc, itest_stderr());
		assert_int_equal(itest_csv_load(out, &t), 0);
		assert_int_equal(t.n, 1);
		assert_string_equal(t.rows[0].f[COL_ERROR], "timeout");
		itest_table_free(&t);
		cpu = children_cpu_s() - cpu;
		if (cpu > 0.4 * secs)
			fail_msg("%s: %.2f s of CPU in %.2f s", modes[i], cpu, secs);
	}
}

/* Voluntary context switches of the children waited for so far: their sleeps. */
static long children_sleeps(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_nvcsw;
}

/*
 * A thread's or a worker process's transfer to a server that never
 * answers sleeps until curl has something to do (its timers wake it about
 * once a second), not in 50 ms slices: 200 workers waiting on slow servers
 * were 4000 wake-ups a second.
 */
#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer's own thread wakes 10 times a second in each process */
enum { SLEEPS_PER_S = 40 };
#else
enum { SLEEPS_PER_S = 15 };
#endif

static void test_slow_answer_sleeps(void **state)
{
	const char *modes[] = { "thread", "process" };
	char url[128];

	(void)state;
	snprintf(url, sizeof(url), "%s/fault/silent", site.base);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *args[] = { "crawl", "-m", modes[i], "-w", "1", "-t", "3", "-q",
				       "-o", "/dev/null", url, NULL };
		long sleeps = children_sleeps();
		double secs;
		int rc = itest_run(args, NULL, &secs);

		if (rc != 0)
			fail_msg("%s: exit %d: %s", modes[i], rc, itest_stderr());
		sleeps = children_sleeps() - sleeps;
		/* a crawl's start and end take about 20 */
		if (sleeps > SLEEPS_PER_S * secs)
			fail_msg("%s: %ld sleeps in %.2f s", modes[i], sleeps, secs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages_thread_mode),
		cmocka_unit_test(test_pages_process_mode),
		cmocka_unit_test(test_pages_event_mode),
		cmocka_unit_test(test_pages_hybrid_mode),
		cmocka_unit_test(test_no_parse),
		cmocka_unit_test(test_event_summary),
		cmocka_unit_test(test_terminal_counts_in_words),
		cmocka_unit_test(test_jsonl_and_tsv),
		cmocka_unit_test(test_stdin_to_stdout),
		cmocka_unit_test(test_append_keeps_one_header),
		cmocka_unit_test(test_redirect_limits_and_long_lines),
		cmocka_unit_test(test_usage_and_exit_codes),
		cmocka_unit_test(test_connection_closed_while_idle),
		cmocka_unit_test(test_retry_wait_after_timeout),
		cmocka_unit_test(test_slow_answer_sleeps),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
