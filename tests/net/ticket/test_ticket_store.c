/* test_ticket_store.c -- the ticket store: strict parsing, atomic replace, leftovers of a dead writer */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ticket_store.h"

struct dir {
	char path[256];
	char store[300];
};

static int dir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/ticket-store-XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	snprintf(d->store, sizeof(d->store), "%s/store.json", d->path);
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static void put(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int entries(const char *dir)
{
	char cmd[300];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void test_read_accepts(void **state)
{
	static const struct {
		const char *text;
		long count, sold, stock;
	} cases[] = {
		{ "{\"count\":47,\"sold\":3,\"stock\":50}", 47, 3, 50 },
		{ "{\"stock\":9,\"sold\":9,\"count\":0}\n", 0, 9, 9 },
		{ "{\"event\":\"gig\",\"count\":7,\"sold\":0,\"stock\":7}", 7, 0, 7 },
		/* Stores from before sales were kept: nothing sold yet. */
		{ "{\"count\":50}", 50, 0, 50 },
		{ " {\"count\": 0}\n", 0, 0, 0 },
		/* The store does not ask for UTF-8: other bytes in strings pass as they are. */
		{ "{\"count\":3,\"\xc0\xaf\":\"\xed\xa0\x80\"}", 3, 0, 3 },
		{ "{\"count\":0,\"n\":-0.5e-3,\"e\":0}", 0, 0, 0 },
		{ "{\"count\":1000000000}", TICKET_MAX_STOCK, 0, TICKET_MAX_STOCK },
	};
	struct dir *d = *state;
	char err[TICKET_ERR_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ticket_state st = { -1, -1, -1 };

		put(d->store, cases[i].text, strlen(cases[i].text));
		if (ticket_store_read(d->store, &st, err) < 0)
			fail_msg("'%s' refused: %s", cases[i].text, err);
		assert_int_equal(st.count, cases[i].count);
		assert_int_equal(st.sold, cases[i].sold);
		assert_int_equal(st.stock, cases[i].stock);
	}
}

static void test_read_refuses_garbage(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "", "is not valid JSON: the file is empty" },
		{ "{}", "has no \"count\"" },
		{ "{\"Count\":5}", "has no \"count\"" },
		{ "{\"count\":\"5\"}", "\"count\" is not an integer" },
		{ "{\"count\":5.0}", "\"count\" is not an integer" },
		{ "{\"count\":1e3}", "\"count\" is not an integer" },
		{ "{\"count\":null}", "\"count\" is not an integer" },
		{ "{\"count\":true}", "\"count\" is not an integer" },
		{ "{\"count\":-1}", "\"count\" -1 is out of range" },
		{ "{\"count\":1000000001}", "\"count\" 1000000001 is out of range" },
		/* Past int64: json-c clamps it, so the clamped number is not shown. */
		{ "{\"count\":99999999999999999999}",
		  "\"count\" is too large: out of range 0..1000000000" },
		{ "{\"count\":-99999999999999999999}",
		  "\"count\" is too small: out of range 0..1000000000" },
		{ "{\"count\":18446744073709551615}", "\"count\" is too large" },
		{ "{\"count\":9223372036854775807}", "\"count\" is too large" },
		{ "{\"count\":5,\"sold\":99999999999999999999,\"stock\":5}",
		  "\"sold\" is too large" },
		{ "{\"count\":5}x", "is not valid JSON" },
		{ "{\"count\":5}{\"count\":6}", "is not valid JSON" },
		{ "{\"count\":5", "is not valid JSON" },
		{ "{\"count\":", "is not valid JSON" },
		{ "[5]", "is not a JSON object" },
		{ "5", "is not a JSON object" },
		{ "garbage", "is not valid JSON" },
		/* A repeated key is refused, not read as its last value. */
		{ "{\"count\":50,\"count\":7}", "is not valid JSON: an object repeats a key" },
		{ "{\"count\":5,\"sold\":0,\"stock\":5,\"sold\":0}", "an object repeats a key" },
		{ "{\"count\":5,\"c\\u006funt\":7}", "an object repeats a key" },
		{ "{\"count\":5,\"x\":{\"a\":1,\"a\":1}}", "an object repeats a key" },
		{ "{\"count\":5,\"sold\":1}", "has \"sold\" but no \"stock\"" },
		{ "{\"count\":5,\"stock\":5}", "has \"stock\" but no \"sold\"" },
		{ "{\"count\":5,\"sold\":1,\"stock\":7}",
		  "\"count\" 5 and \"sold\" 1 do not add up to \"stock\" 7" },
		{ "{\"count\":5,\"sold\":\"1\",\"stock\":6}", "\"sold\" is not an integer" },
		{ "{\"count\":5,\"sold\":-1,\"stock\":4}", "\"sold\" -1 is out of range" },
		{ "{\"count\":5,\"sold\":1,\"stock\":1e1}", "\"stock\" is not an integer" },
		/* What json-c's strict mode would still take (tests/fuzz/crashes/json-strict-lenient-*). */
		{ "{\"count\":00}", "is not valid JSON: a number has a leading zero at byte 10" },
		{ "{\"count\":-01}", "is not valid JSON: a number has a leading zero at byte 11" },
		{ "{\"count\":00.5}", "is not valid JSON: a number has a leading zero at byte 10" },
		{ "{\"count\":05}", "is not valid JSON: a number has a leading zero at byte 10" },
		{ "{\"count\":5.}", "is not valid JSON: a number needs a digit after '.'" },
		{ "{\"count\":NaN}", "is not valid JSON: expected a value, not 'N' at byte 9" },
		{ "{\"count\":Infinity}", "is not valid JSON: expected a value, not 'I' at byte 9" },
		{ "{\"count\":-Infinity}", "is not valid JSON: a number needs a digit, not 'I'" },
		{ "{'count':5}", "is not valid JSON: expected a key in double quotes, not ''' at byte 1" },
		{ "{\"count\":5,'x':1}", "is not valid JSON: expected a key in double quotes" },
		{ "{\"count\":5,\"x\":\"a\x01\"}", "is not valid JSON: raw control byte 0x01" },
		{ "{\"count\":5,\"x\\u0000\\ud800\":1}", "is not valid JSON: high surrogate \\ud800" },
		{ "{\"count\":5}\x0b", "is not valid JSON: data after the value (0x0b) at byte 11" },
	};
	struct dir *d = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[TICKET_ERR_LEN] = "";
		struct ticket_state st = { 12345, 12345, 12345 };

		put(d->store, cases[i].text, strlen(cases[i].text));
		if (ticket_store_read(d->store, &st, err) == 0)
			fail_msg("'%s' accepted as %ld", cases[i].text, st.count);
		if (!strstr(err, cases[i].why))
			fail_msg("'%s': got '%s', want '%s'", cases[i].text, err, cases[i].why);
		/* json-c's clamped INT64_MAX or INT64_MIN is never the number shown. */
		if (strstr(err, "922337203685477580"))
			fail_msg("'%s': shows a clamped number: '%s'", cases[i].text, err);
		/* Never read as some number. */
		assert_int_equal(st.count, 12345);
		assert_int_equal(st.sold, 12345);
		assert_int_equal(st.stock, 12345);
	}
}

static void test_read_refuses_big_nul_and_missing(void **state)
{
	struct dir *d = *state;
	char err[TICKET_ERR_LEN], *big;
	struct ticket_state count;

	put(d->store, "{\"count\":5}\0", 12);
	assert_int_equal(ticket_store_read(d->store, &count, err), -1);
	assert_non_null(strstr(err, "is not valid JSON"));

	big = malloc(TICKET_STORE_MAX_BYTES + 10);
	assert_non_null(big);
	memset(big, ' ', TICKET_STORE_MAX_BYTES + 10);
	memcpy(big + TICKET_STORE_MAX_BYTES, "{\"count\":5}", 10);
	put(d->store, big, TICKET_STORE_MAX_BYTES + 10);
	free(big);
	assert_int_equal(ticket_store_read(d->store, &count, err), -1);
	assert_non_null(strstr(err, "is larger than 4096 bytes"));

	unlink(d->store);
	assert_int_equal(ticket_store_read(d->store, &count, err), -1);
	assert_non_null(strstr(err, "cannot open store"));
	assert_non_null(strstr(err, "No such file"));
}

static const struct ticket_state stock_10 = { .count = 10, .sold = 0, .stock = 10 };
static const struct ticket_state one_sold = { .count = 9, .sold = 1, .stock = 10 };

static void test_write_format_and_mode(void **state)
{
	const struct ticket_state want = { .count = 49, .sold = 1, .stock = 50 };
	struct dir *d = *state;
	char err[TICKET_ERR_LEN], buf[64];
	struct ticket_state got;
	struct stat st;

	assert_int_equal(ticket_store_write(d->store, &want, err), 0);
	slurp(d->store, buf, sizeof(buf));
	/* Left and sold in one file, replaced in one rename: they always add up. */
	assert_string_equal(buf, "{\"count\":49,\"sold\":1,\"stock\":50}\n");
	assert_int_equal(stat(d->store, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(ticket_store_read(d->store, &got, err), 0);
	assert_int_equal(got.count, 49);
	assert_int_equal(got.sold, 1);
	assert_int_equal(got.stock, 50);
	/* Only the store: no temporary file left behind. */
	assert_int_equal(entries(d->path), 1);
}

/* A writer that dies between prepare and commit leaves the old store, whole. */
static void test_prepare_without_commit(void **state)
{
	struct dir *d = *state;
	char err[TICKET_ERR_LEN], tmp[TICKET_PATH_MAX], buf[64];
	struct ticket_state count;

	assert_int_equal(ticket_store_write(d->store, &stock_10, err), 0);
	assert_int_equal(ticket_store_prepare(d->store, &one_sold, tmp, err), 0);
	assert_int_equal(ticket_store_read(d->store, &count, err), 0);
	assert_int_equal(count.count, 10);
	assert_int_equal(count.sold, 0);
	slurp(tmp, buf, sizeof(buf));
	assert_string_equal(buf, "{\"count\":9,\"sold\":1,\"stock\":10}\n");
	assert_int_equal(entries(d->path), 2);

	/* Another pid's leftovers are not ours to remove. */
	assert_int_equal(ticket_store_remove_temps(d->store, (long)getpid() + 1), 0);
	assert_int_equal(ticket_store_remove_temps(d->store, (long)getpid()), 1);
	assert_int_equal(entries(d->path), 1);
	assert_int_equal(access(tmp, F_OK), -1);

	assert_int_equal(ticket_store_prepare(d->store, &one_sold, tmp, err), 0);
	assert_int_equal(ticket_store_commit(tmp, d->store, err), 0);
	assert_int_equal(ticket_store_read(d->store, &count, err), 0);
	assert_int_equal(count.count, 9);
	assert_int_equal(count.sold, 1);
	assert_int_equal(entries(d->path), 1);
}

/* A pid that ran and is gone: a child, exited and reaped. */
static long dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return (long)pid;
}

/* What a killed rush left is cleared by the next run; what a live writer has is not. */
static void test_remove_stale_temps(void **state)
{
	struct dir *d = *state;
	char path[600], live[600];
	long gone = dead_pid();
	pid_t zombie = fork();
	static const char *const kept[] = {
		"store.json.tmp.12x.abcdef", "store.json.tmp.999999999.abcdefg",
		"store.json.tmp.0.abcdef", "other.json.tmp.999999999.abcdef",
		"store.json.tmp.9999999999.abcdef", "store.json.lock",
	};

	assert_true(zombie >= 0);
	if (zombie == 0)
		_exit(0);
	assert_int_equal(ticket_store_write(d->store, &stock_10, NULL), 0);
	snprintf(path, sizeof(path), "%s/store.json.tmp.%ld.Ab1xYz", d->path, gone);
	put(path, "{}", 2);
	/* Dead but not reaped, as a buyer adopted by a slow reaper after its rush was killed. */
	assert_int_equal(waitid(P_PID, (id_t)zombie, &(siginfo_t){ 0 }, WEXITED | WNOWAIT), 0);
	snprintf(path, sizeof(path), "%s/store.json.tmp.%ld.zOmB1e", d->path, (long)zombie);
	put(path, "{}", 2);
	/* Beyond any pid_max: never a live process. */
	snprintf(path, sizeof(path), "%s/store.json.tmp.999999999.q2W3e4", d->path);
	put(path, "{}", 2);
	snprintf(live, sizeof(live), "%s/store.json.tmp.%ld.LiVe00", d->path, (long)getpid());
	put(live, "{}", 2);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", d->path, kept[i]);
		put(path, "{}", 2);
	}
	assert_int_equal(entries(d->path), 11);
	assert_int_equal(ticket_store_remove_stale_temps(d->store), 3);
	assert_int_equal(entries(d->path), 8);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(ticket_store_remove_stale_temps(d->store), 0);
	assert_int_equal(waitpid(zombie, NULL, 0), zombie);
}

static void test_write_errors_name_the_path(void **state)
{
	struct dir *d = *state;
	char err[TICKET_ERR_LEN], path[400], tmp[TICKET_PATH_MAX];

	snprintf(path, sizeof(path), "%s/missing/store.json", d->path);
	assert_int_equal(ticket_store_write(path, &stock_10, err), -1);
	assert_non_null(strstr(err, "cannot create a temporary file beside"));
	assert_non_null(strstr(err, path));

	/* A rename onto a directory fails and takes its temporary file with it. */
	assert_int_equal(mkdir(d->store, 0755), 0);
	assert_int_equal(ticket_store_prepare(d->store, &one_sold, tmp, err), 0);
	assert_int_equal(ticket_store_commit(tmp, d->store, err), -1);
	assert_non_null(strstr(err, "cannot rename"));
	assert_int_equal(access(tmp, F_OK), -1);
	rmdir(d->store);
}

/* What init checks first: an error names the store as given, not its lock file. */
static void test_check_dir_names_the_store(void **state)
{
	struct dir *d = *state;
	char err[TICKET_ERR_LEN], path[400];

	assert_int_equal(ticket_store_check_dir(d->store, err), 0);
	assert_int_equal(ticket_store_check_dir("store.json", err), 0);
	snprintf(path, sizeof(path), "%s/missing/store.json", d->path);
	assert_int_equal(ticket_store_check_dir(path, err), -1);
	snprintf(path, sizeof(path), "cannot create store '%s/missing/store.json': "
		 "No such file or directory", d->path);
	assert_string_equal(err, path);
	assert_null(strstr(err, ".lock"));
	/* A file where the directory should be. */
	put(d->store, "{}", 2);
	snprintf(path, sizeof(path), "%s/x.json", d->store);
	assert_int_equal(ticket_store_check_dir(path, err), -1);
	assert_non_null(strstr(err, "Not a directory"));
	assert_non_null(strstr(err, path));
}

static void test_lock_path(void **state)
{
	char out[TICKET_PATH_MAX], err[TICKET_ERR_LEN], *longpath;

	(void)state;
	assert_int_equal(ticket_store_lock_path("dir/s.json", out, err), 0);
	assert_string_equal(out, "dir/s.json.lock");
	longpath = malloc(TICKET_PATH_MAX);
	assert_non_null(longpath);
	memset(longpath, 'a', TICKET_PATH_MAX - 1);
	longpath[TICKET_PATH_MAX - 1] = '\0';
	assert_int_equal(ticket_store_lock_path(longpath, out, err), -1);
	assert_non_null(strstr(err, "store path is too long"));
	free(longpath);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_accepts, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_garbage, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_read_refuses_big_nul_and_missing, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_write_format_and_mode, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_prepare_without_commit, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_remove_stale_temps, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_write_errors_name_the_path, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_check_dir_names_the_store, dir_setup,
						dir_teardown),
		cmocka_unit_test(test_lock_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
