/* test_resume.c -- reading back an output for --resume: rows counted per url, torn tails cut, hostile files refused */
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
#include <unistd.h>

#include "output.h"
#include "record.h"
#include "resume.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/crawler-resume-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/out", dir);
	return 0;
}

static int teardown(void **state)
{
	char fifo[160];

	(void)state;
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	unlink(fifo);
	unlink(path);
	rmdir(dir);
	return 0;
}

static struct output_options opts_of(enum output_format format)
{
	return (struct output_options){ .format = format, .formula_guard = true };
}

static void write_bytes(const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *read_all(size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

/* Rows for urls written by the real writer: a fresh file, or added with opts->append. */
static void write_rows(const struct output_options *opts, const char *const *urls, size_t n,
		       const char *title)
{
	struct crawl_record rec;
	struct output *out;
	char err[256];

	out = output_open(path, opts, NULL, 0, err, sizeof(err));
	if (!out)
		fail_msg("%s", err);
	for (size_t i = 0; i < n; i++) {
		record_init_error(&rec, i % 2 ? "timeout" : NULL);
		rec.title = title;
		rec.status = 200;
		assert_int_equal(output_row(out, urls[i], &rec, (long)i), 0);
	}
	assert_int_equal(output_close(out, err, sizeof(err)), 0);
}

static struct resume *open_ok(const struct output_options *opts)
{
	char err[512];
	struct resume *r = resume_open(path, opts, NULL, 0, err, sizeof(err));

	if (!r)
		fail_msg("resume_open: %s", err);
	return r;
}

/* resume_open must refuse, saying needle, and leave the file as it was. */
static void expect_refused(const struct output_options *opts, const char *needle)
{
	char err[512] = "", *before, *after;
	size_t len, len2;

	before = read_all(&len);
	assert_null(resume_open(path, opts, NULL, 0, err, sizeof(err)));
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
	after = read_all(&len2);
	assert_int_equal(len, len2);
	assert_memory_equal(before, after, len);
	free(before);
	free(after);
}

static bool take(struct resume *r, const char *url)
{
	return resume_take(r, url, strlen(url));
}

/* Urls as list lines give them: guarded, quoted, escaped, repeated, not UTF-8. */
static const char *const urls[] = {
	"http://127.0.0.1/a", "http://127.0.0.1/a", "http://127.0.0.1/a",
	"=HYPERLINK(\"http://x/\")", "'=quoted already", "-1", "@x", "\tlead",
	"http://127.0.0.1/a,comma", "http://127.0.0.1/q\"uote", "back\\slash",
	"nul\\0shown", "caf\xc3\xa9", "bad \xff byte", "ctl \x01 char", "cr\rin",
};
enum { NURLS = sizeof(urls) / sizeof(urls[0]) };

/* Each url is taken as often as it has rows, then no more; others are not taken. */
static void expect_counts(struct resume *r)
{
	assert_true(take(r, urls[0]));
	assert_true(take(r, urls[0]));
	assert_true(take(r, urls[0]));
	assert_false(take(r, urls[0]));
	for (size_t i = 3; i < NURLS; i++)
		if (!take(r, urls[i]))
			fail_msg("no row found for url %zu '%s'", i, urls[i]);
	for (size_t i = 3; i < NURLS; i++)
		assert_false(take(r, urls[i]));
	assert_false(take(r, "http://127.0.0.1/b"));
	assert_int_equal(resume_taken(r), NURLS);
}

static void each_format(enum output_format format, bool bom)
{
	struct output_options o = opts_of(format);
	struct resume *r;

	o.bom = bom;
	unlink(path);
	write_rows(&o, urls, NURLS, "Commas, \"quotes\"\nand\tmore");
	r = open_ok(&o);
	assert_int_equal(resume_found(r)->rows, NURLS);
	assert_int_equal(resume_found(r)->whole, resume_found(r)->size);
	assert_true(resume_found(r)->header);
	expect_counts(r);
	resume_free(r);
}

static void test_csv(void **state)
{
	(void)state;
	each_format(OUTPUT_CSV, false);
	each_format(OUTPUT_CSV, true);
}

static void test_tsv(void **state)
{
	(void)state;
	each_format(OUTPUT_TSV, false);
	each_format(OUTPUT_TSV, true);
}

static void test_jsonl(void **state)
{
	(void)state;
	each_format(OUTPUT_JSONL, false);
}

/* Without the guard the rows hold the lines as they are, and are found as they are. */
static void test_no_guard(void **state)
{
	struct output_options o = opts_of(OUTPUT_CSV);
	const char *const lines[] = { "=1+1", "-x" };
	struct resume *r;

	(void)state;
	o.formula_guard = false;
	unlink(path);
	write_rows(&o, lines, 2, NULL);
	r = open_ok(&o);
	assert_true(take(r, "=1+1"));
	assert_true(take(r, "-x"));
	resume_free(r);
}

/* A missing file, or an empty one, resumes nothing. */
static void test_missing_or_empty(void **state)
{
	struct output_options o = opts_of(OUTPUT_CSV);
	struct resume *r;

	(void)state;
	unlink(path);
	r = open_ok(&o);
	assert_int_equal(resume_found(r)->size, 0);
	assert_int_equal(resume_found(r)->rows, 0);
	assert_false(take(r, urls[0]));
	resume_free(r);
	write_bytes("", 0);
	r = open_ok(&o);
	assert_int_equal(resume_found(r)->rows, 0);
	resume_free(r);
}

/*
 * A file cut at every byte of its last row: the whole rows before it count,
 * and opening the output cuts the tail; the rows then added make a whole file.
 */
static void cut_everywhere(enum output_format format, bool bom)
{
	const char *const two[] = { "http://127.0.0.1/one", "http://127.0.0.1/two" };
	struct output_options o = opts_of(format);
	size_t len, first_end, head;
	char *full, err[256];

	o.bom = bom;
	unlink(path);
	write_rows(&o, two, 1, NULL);
	free(read_all(&first_end));
	o.append = true;
	write_rows(&o, two + 1, 1, "Commas, \"quotes\"\nand more");
	full = read_all(&len);
	head = format == OUTPUT_JSONL ? 0 : (size_t)(strchr(full, '\n') - full) + 1;
	for (size_t cut = first_end; cut < len; cut++) {
		struct resume *r;
		struct output *out;
		char *now;
		size_t now_len;

		write_bytes(full, cut);
		r = open_ok(&o);
		assert_int_equal(resume_found(r)->rows, 1);
		assert_int_equal(resume_found(r)->whole, first_end);
		assert_int_equal(resume_found(r)->size, cut);
		assert_true(take(r, two[0]));
		assert_false(take(r, two[1]));
		o.resume = resume_found(r);
		out = output_open(path, &o, NULL, 0, err, sizeof(err));
		if (!out)
			fail_msg("cut at %zu: %s", cut, err);
		o.resume = NULL;
		assert_int_equal(output_close(out, err, sizeof(err)), 0);
		now = read_all(&now_len);
		assert_int_equal(now_len, first_end);
		assert_memory_equal(now, full, first_end);
		free(now);
		resume_free(r);
	}
	/* the header itself torn: no rows, and the header comes again, whole */
	for (size_t cut = 1; cut < head; cut++) {
		struct resume *r;
		struct output *out;
		char *now;
		size_t now_len;

		write_bytes(full, cut);
		r = open_ok(&o);
		assert_int_equal(resume_found(r)->rows, 0);
		assert_false(resume_found(r)->header);
		o.resume = resume_found(r);
		out = output_open(path, &o, NULL, 0, err, sizeof(err));
		if (!out)
			fail_msg("header cut at %zu: %s", cut, err);
		o.resume = NULL;
		assert_int_equal(output_close(out, err, sizeof(err)), 0);
		now = read_all(&now_len);
		assert_int_equal(now_len, head);
		assert_memory_equal(now, full, head);
		free(now);
		resume_free(r);
	}
	free(full);
}

static void test_torn_tails(void **state)
{
	(void)state;
	cut_everywhere(OUTPUT_CSV, false);
	cut_everywhere(OUTPUT_CSV, true);
	cut_everywhere(OUTPUT_TSV, true);
	cut_everywhere(OUTPUT_JSONL, false);
}

/* The file must be as it was read: one that grew in between is refused. */
static void test_changed_between(void **state)
{
	struct output_options o = opts_of(OUTPUT_CSV);
	struct output *out;
	struct resume *r;
	char err[256] = "";
	FILE *f;

	(void)state;
	unlink(path);
	write_rows(&o, urls, 2, NULL);
	r = open_ok(&o);
	f = fopen(path, "ab");
	assert_non_null(f);
	fputs("x", f);
	fclose(f);
	o.resume = resume_found(r);
	out = output_open(path, &o, NULL, 0, err, sizeof(err));
	assert_null(out);
	assert_non_null(strstr(err, "changed while it was being read"));
	resume_free(r);
}

#define CSV_HEAD "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,redirects,title,links,worker,error\r\n"
#define CSV_HEAD_LF "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,redirects,title,links,worker,error\n"
#define TSV_HEAD "url\tfinal_url\tstatus\tbytes\tcontent_type\tttfb_ms\ttime_ms\tredirects\ttitle\tlinks\tworker\terror\n"

/* Other formats, other headers, rows not ours: refused, the file untouched. */
static void test_refusals(void **state)
{
	struct output_options csv = opts_of(OUTPUT_CSV), tsv = opts_of(OUTPUT_TSV);
	struct output_options jsonl = opts_of(OUTPUT_JSONL), follow = csv;
	static const char *const bad_rows[] = {
		CSV_HEAD "a,b,c\r\n",					/* too few fields */
		CSV_HEAD "a,,,,,,,,,,,,\r\n",				/* too many */
		CSV_HEAD "a,,,,,,,,,,,\n",				/* a bare LF */
		CSV_HEAD "\"a\"b,,,,,,,,,,,\r\n",			/* text after a closing quote */
		CSV_HEAD "a\"b,,,,,,,,,,,\r\n",				/* a quote inside a plain field */
		CSV_HEAD "a,,,,,,,,,,,\rx",				/* a CR without its LF */
	};
	char err[512];

	(void)state;
	unlink(path);
	write_rows(&csv, urls, 3, NULL);
	expect_refused(&tsv, "it holds csv rows, not tsv");
	expect_refused(&jsonl, "it holds csv rows, not jsonl");
	follow.follow_columns = true;
	expect_refused(&follow, "its first line is not crawlpool's csv header");

	unlink(path);
	write_rows(&jsonl, urls, 3, NULL);
	expect_refused(&csv, "it holds jsonl rows, not csv");

	write_bytes("name,age\r\nbob,7\r\n", 17);
	expect_refused(&csv, "its first line is not crawlpool's csv header");
	/* our header, its CRLF turned into LF by an editor */
	write_bytes(CSV_HEAD_LF "http://x/,,,,,,,,,,,\n", sizeof(CSV_HEAD_LF) - 1 + 21);
	expect_refused(&csv, "its lines end in LF, not in the CRLF crawlpool's CSV has");
	write_bytes("hello", 5);
	expect_refused(&jsonl, "its first line is not a crawlpool jsonl row");
	expect_refused(&csv, "its first line is not crawlpool's csv header");
	write_bytes("\xef\xbb\xbf{\"url\":\"x\"}\n", 16);
	expect_refused(&jsonl, "its first line is not a crawlpool jsonl row");

	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		write_bytes(bad_rows[i], strlen(bad_rows[i]));
		expect_refused(&csv, "row 1 is not a crawlpool csv row");
	}
	write_bytes(TSV_HEAD "a\\x\t\t\t\t\t\t\t\t\t\t\t\n", strlen(TSV_HEAD) + 15);
	expect_refused(&tsv, "an unknown escape");
	write_bytes(TSV_HEAD "a\r\t\t\t\t\t\t\t\t\t\t\t\n", strlen(TSV_HEAD) + 14);
	expect_refused(&tsv, "a CR is out of place");
	static const char jbad[] = "{\"url\":\"a\"}\n{\"url\":\"b\\q\"}\n";
	write_bytes(jbad, strlen(jbad));
	expect_refused(&jsonl, "row 2 is not a crawlpool jsonl row: an unknown escape");
	static const char jnull[] = "{\"url\":\"a\"}\n{\"url\":null}\n";
	write_bytes(jnull, strlen(jnull));
	expect_refused(&jsonl, "row 2 is not a crawlpool jsonl row: its url is not a string");
	static const char jtail[] = "{\"url\":\"a\"}x\n";
	write_bytes(jtail, strlen(jtail));
	expect_refused(&jsonl, "it does not end with }");

	/* not a regular file: no reading of a device, no waiting on a FIFO */
	assert_null(resume_open("/dev/null", &csv, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "not a regular file"));
	{
		char fifo[160];

		snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		assert_null(resume_open(fifo, &csv, NULL, 0, err, sizeof(err)));
		assert_non_null(strstr(err, "not a regular file"));
	}
	/* the output is a list being read */
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_null(resume_open(path, &jsonl, &st, 1, err, sizeof(err)));
		assert_non_null(strstr(err, "it is the url list being read"));
	}
}

/* Hostile files: huge lines, NUL bytes, a quote never closed. Bounded, and never a crash. */
static void test_hostile(void **state)
{
	struct output_options csv = opts_of(OUTPUT_CSV), jsonl = opts_of(OUTPUT_JSONL);
	size_t big = 3 * 1024 * 1024, n;
	char *data = malloc(big + 1024), err[128];
	struct resume *r;

	(void)state;
	assert_non_null(data);
	/* rows of the url alone, as --fields url writes them */
	assert_int_equal(output_fields_parse("url", &jsonl, err, sizeof(err)), 0);

	/* a 3 MiB title: a whole row all the same */
	n = (size_t)sprintf(data, CSV_HEAD "http://x/,,,,,,,,\"");
	memset(data + n, 'a', big);
	n += big;
	n += (size_t)sprintf(data + n, "\",,,\r\n");
	write_bytes(data, n);
	r = open_ok(&csv);
	assert_int_equal(resume_found(r)->rows, 1);
	assert_true(take(r, "http://x/"));
	resume_free(r);

	/* a 3 MiB url: no row of ours */
	n = (size_t)sprintf(data, CSV_HEAD);
	memset(data + n, 'u', big);
	n += big;
	n += (size_t)sprintf(data + n, ",,,,,,,,,,,\r\n");
	write_bytes(data, n);
	expect_refused(&csv, "its url is too long");

	/* a quote never closed, a little: a torn row, cut */
	n = (size_t)sprintf(data, CSV_HEAD "http://x/,,,,,,,,\"never closed\r\n,,,\r\n");
	write_bytes(data, n);
	r = open_ok(&csv);
	assert_int_equal(resume_found(r)->rows, 0);
	assert_int_equal(resume_found(r)->whole, strlen(CSV_HEAD));
	resume_free(r);

	/* ... and a lot: no tear but a file that is not ours, left alone */
	n = (size_t)sprintf(data, CSV_HEAD "http://x/,,,,,,,,\"");
	for (size_t i = 0; i < big / 16; i++)
		n += (size_t)sprintf(data + n, "a,,,,,,,,,,,\r\n\r\n");
	write_bytes(data, n);
	expect_refused(&csv, "too many to be part of one");

	/* a line without a line end, 3 MiB long: the same */
	n = (size_t)sprintf(data, "{\"url\":\"a\"}\n{\"url\":\"");
	memset(data + n, 'b', big);
	n += big;
	write_bytes(data, n);
	expect_refused(&jsonl, "its url is too long");

	/* NUL bytes inside fields: bytes like any other */
	static const char nul_csv[] = CSV_HEAD "a\0b,,,,,,,,\"t\0t\",,,\r\nhttp://y/,,,,,,,,,,,\r\n";
	write_bytes(nul_csv, sizeof(nul_csv) - 1);
	r = open_ok(&csv);
	assert_int_equal(resume_found(r)->rows, 2);
	assert_false(take(r, "a"));
	assert_true(resume_take(r, "a\0b", 3));
	assert_true(take(r, "http://y/"));
	resume_free(r);
	/* a NUL where JSON needs a character: refused */
	static const char nul_json[] = "{\"url\":\"a\0\"}\n";
	write_bytes(nul_json, sizeof(nul_json) - 1);
	expect_refused(&jsonl, "a control character in its url");
	/* \u escapes, surrogates among them, decode to UTF-8 */
	static const char uni[] = "{\"url\":\"\\u00e9\\ud800\\u0001\"}\n";
	write_bytes(uni, sizeof(uni) - 1);
	r = open_ok(&jsonl);
	assert_true(take(r, "\xc3\xa9\xef\xbf\xbd\x01"));
	resume_free(r);
	free(data);
}

/* Many rows: all found, each once; a sanity check of the counted set. */
static void test_many_rows(void **state)
{
	struct output_options o = opts_of(OUTPUT_TSV);
	enum { N = 20000 };
	struct resume *r;
	FILE *f;

	(void)state;
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(TSV_HEAD, f);
	for (int i = 0; i < N; i++)
		fprintf(f, "http://h/%d\t\t\t\t\t\t\t\t\t\t\t\n", i / 2);
	assert_int_equal(fclose(f), 0);
	r = open_ok(&o);
	assert_int_equal(resume_found(r)->rows, N);
	for (int i = 0; i < N / 2; i++) {
		char url[32];

		snprintf(url, sizeof(url), "http://h/%d", i);
		assert_true(take(r, url));
		assert_true(take(r, url));
		assert_false(take(r, url));
	}
	assert_int_equal(resume_taken(r), N);
	resume_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_tsv),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_no_guard),
		cmocka_unit_test(test_missing_or_empty),
		cmocka_unit_test(test_torn_tails),
		cmocka_unit_test(test_changed_between),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_many_rows),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
