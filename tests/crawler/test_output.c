/* test_output.c -- CSV, TSV and JSON Lines rows byte for byte: quoting, guard, BOM, append, errors */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static char test_path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(test_path, sizeof(test_path), "/tmp/crawler-output-XXXXXX");
	fd = mkstemp(test_path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(test_path);
	return 0;
}

/* The whole file as a NUL-terminated string (the caller frees it). */
static char *slurp(size_t *len)
{
	FILE *f = fopen(test_path, "rb");
	char *buf = malloc(8 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (8 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

/* Replaces the test file's contents with len bytes of text. */
static void put_file(const char *text, size_t len)
{
	FILE *f = fopen(test_path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static struct output *open_out(enum output_format format, bool append, bool bom, bool guard)
{
	const struct output_options o = { .format = format, .append = append, .bom = bom,
					  .formula_guard = guard };
	char err[256];
	struct output *out = output_open(test_path, &o, NULL, 0, err, sizeof(err));

	assert_non_null(out);
	return out;
}

static void close_out(struct output *out)
{
	char err[256];

	assert_int_equal(output_close(out, err, sizeof(err)), 0);
}

static const struct crawl_record page = {
	.status = 200,
	.bytes = 15045,
	.ttfb_us = 1234,
	.time_us = 20005,
	.redirects = 1,
	.links = 18,
	.final_url = "http://h/p?a=1,2",
	.content_type = "text/html; charset=utf-8",
	.title = "Commas, \"quotes\" and more",
	.error = NULL,
};

#define CSV_HEADER "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,redirects,title,links,worker,error\r\n"
#define TSV_HEADER "url\tfinal_url\tstatus\tbytes\tcontent_type\tttfb_ms\ttime_ms\tredirects\ttitle\tlinks\tworker\terror\n"
#define BOM "\xef\xbb\xbf"

static void test_csv_rows(void **state)
{
	struct output *out = open_out(OUTPUT_CSV, false, false, true);
	struct crawl_record failed, formula = page;
	char *got;

	(void)state;
	record_init_error(&failed, "invalid URL");
	formula.title = "=HYPERLINK(\"http://x/\",\"x\")";
	formula.content_type = "@evil";
	assert_int_equal(output_row(out, "http://h/p", &page, 4242), 0);
	assert_int_equal(output_row(out, "=not a url", &failed, -1), 0);
	assert_int_equal(output_row(out, "http://h/f", &formula, 0), 0);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got,
		CSV_HEADER
		"http://h/p,\"http://h/p?a=1,2\",200,15045,text/html; charset=utf-8,1.234,20.005,1,"
		"\"Commas, \"\"quotes\"\" and more\",18,4242,\r\n"
		"'=not a url,,,,,,,,,,,invalid URL\r\n"
		"http://h/f,\"http://h/p?a=1,2\",200,15045,'@evil,1.234,20.005,1,"
		"\"'=HYPERLINK(\"\"http://x/\"\",\"\"x\"\")\",18,0,\r\n");
	free(got);
}

static void test_csv_guard_off_and_newlines(void **state)
{
	struct output *out = open_out(OUTPUT_CSV, false, false, false);
	struct crawl_record r = page;
	char *got;

	(void)state;
	r.title = "-1+1";
	r.error = "line\nbreak";
	r.links = -1;
	r.ttfb_us = -1;
	assert_int_equal(output_row(out, "u", &r, 1), 0);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got, CSV_HEADER
		"u,\"http://h/p?a=1,2\",200,15045,text/html; charset=utf-8,,20.005,1,-1+1,,1,\"line\nbreak\"\r\n");
	free(got);
}

static void test_bom_and_append(void **state)
{
	struct output *out = open_out(OUTPUT_CSV, true, true, true);
	char *got;

	(void)state;
	/* the file exists but is empty: header (and BOM) due */
	assert_int_equal(output_row(out, "a", &page, 1), 0);
	close_out(out);
	out = open_out(OUTPUT_CSV, true, true, true);
	assert_int_equal(output_row(out, "b", &page, 2), 0);
	close_out(out);
	got = slurp(NULL);
	assert_memory_equal(got, "\xef\xbb\xbf" CSV_HEADER "a,", 3 + strlen(CSV_HEADER) + 2);
	assert_null(strstr(got + 3 + strlen(CSV_HEADER), "url,final_url"));
	assert_null(strstr(got + 3, "\xef\xbb\xbf"));
	assert_non_null(strstr(got, "\r\nb,"));
	free(got);

	/* without --append the file starts over */
	out = open_out(OUTPUT_CSV, false, false, true);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got, CSV_HEADER);
	free(got);
}

static void test_tsv_escapes(void **state)
{
	struct output *out = open_out(OUTPUT_TSV, false, false, true);
	struct crawl_record r = page;
	char *got;

	(void)state;
	r.title = "+tab\there\\ and\nnewline";
	r.final_url = NULL;
	assert_int_equal(output_row(out, "u", &r, 3), 0);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got,
		TSV_HEADER
		"u\t\t200\t15045\ttext/html; charset=utf-8\t1.234\t20.005\t1\t'+tab\\there\\\\ and\\nnewline\t18\t3\t\n");
	free(got);
}

static void test_jsonl(void **state)
{
	struct output *out = open_out(OUTPUT_JSONL, false, true, true);
	struct crawl_record r = page, failed;
	struct json_object *o, *v;
	char *got, *nl;

	(void)state;
	r.title = "=q\"b\\s\x01 \xc3\xa9 bad\xff\xfe end";
	record_init_error(&failed, "worker killed by signal 9 (Killed)");
	assert_int_equal(output_row(out, "http://h/\"x\"", &r, 7), 0);
	assert_int_equal(output_row(out, "http://h/2", &failed, -1), 0);
	close_out(out);
	got = slurp(NULL);
	/* no header and no BOM in JSON Lines */
	assert_int_equal(got[0], '{');
	nl = strchr(got, '\n');
	assert_non_null(nl);
	*nl = '\0';
	o = json_tokener_parse(got);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "url", &v));
	assert_string_equal(json_object_get_string(v), "http://h/\"x\"");
	assert_true(json_object_object_get_ex(o, "title", &v));
	/* JSON is data, not a spreadsheet: no apostrophe; bad bytes become U+FFFD */
	assert_string_equal(json_object_get_string(v),
			    "=q\"b\\s\x01 \xc3\xa9 bad\xef\xbf\xbd\xef\xbf\xbd end");
	assert_true(json_object_object_get_ex(o, "status", &v));
	assert_int_equal(json_object_get_int(v), 200);
	assert_true(json_object_object_get_ex(o, "ttfb_ms", &v));
	assert_true(json_object_get_double(v) > 1.233 && json_object_get_double(v) < 1.235);
	assert_true(json_object_object_get_ex(o, "worker", &v));
	assert_int_equal(json_object_get_int(v), 7);
	assert_true(json_object_object_get_ex(o, "error", &v));
	assert_null(v);
	assert_int_equal(json_object_object_length(o), OUTPUT_NCOLUMNS);
	json_object_put(o);

	o = json_tokener_parse(nl + 1);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "status", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "worker", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "error", &v));
	assert_string_equal(json_object_get_string(v), "worker killed by signal 9 (Killed)");
	json_object_put(o);
	free(got);
}

static void test_open_failure(void **state)
{
	const struct output_options o = { .format = OUTPUT_CSV };
	char err[256];

	(void)state;
	assert_null(output_open("/nonexistent/dir/out.csv", &o, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open output '/nonexistent/dir/out.csv'"));
}

static void test_write_failure(void **state)
{
	const struct output_options o = { .format = OUTPUT_CSV };
	char err[256] = "";
	struct output *out;

	(void)state;
	out = output_open("/dev/full", &o, NULL, 0, err, sizeof(err));
	assert_non_null(out);
	output_row(out, "u", &page, 1);
	assert_int_equal(output_flush(out), -1);
	assert_non_null(output_error(out));
	assert_false(output_reader_gone(out));
	assert_int_equal(output_row(out, "u", &page, 1), -1);
	assert_int_equal(output_close(out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No space left"));
}

/* Any text field can start a formula: the URL, where redirects ended, the error too. */
static void test_guard_every_text_field(void **state)
{
	struct crawl_record r = page, bare;
	struct json_object *o, *v;
	struct output *out;
	char *got;

	(void)state;
	r.final_url = "+http://h/";
	r.content_type = "\ttext/html";
	r.title = "@title";
	r.error = "-error";
	record_init_error(&bare, "invalid URL");

	out = open_out(OUTPUT_CSV, false, false, true);
	assert_int_equal(output_row(out, "=HYPERLINK(\"http://x/\")", &r, 1), 0);
	assert_int_equal(output_row(out, "\rcr", &bare, -1), 0);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got, CSV_HEADER
		"\"'=HYPERLINK(\"\"http://x/\"\")\",'+http://h/,200,15045,'\ttext/html,1.234,20.005,1,"
		"'@title,18,1,'-error\r\n"
		"\"'\rcr\",,,,,,,,,,,invalid URL\r\n");
	free(got);

	out = open_out(OUTPUT_TSV, false, false, true);
	assert_int_equal(output_row(out, "=HYPERLINK(\"http://x/\")", &r, 1), 0);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got, TSV_HEADER
		"'=HYPERLINK(\"http://x/\")\t'+http://h/\t200\t15045\t'\\ttext/html\t1.234\t20.005\t1\t"
		"'@title\t18\t1\t'-error\n");
	free(got);

	/* --no-formula-guard: as they are */
	out = open_out(OUTPUT_CSV, false, false, false);
	assert_int_equal(output_row(out, "=1", &r, 1), 0);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got, CSV_HEADER
		"=1,+http://h/,200,15045,\ttext/html,1.234,20.005,1,@title,18,1,-error\r\n");
	free(got);

	/* JSON Lines holds data, not cells: raw values */
	out = open_out(OUTPUT_JSONL, false, false, true);
	assert_int_equal(output_row(out, "=1", &r, 1), 0);
	close_out(out);
	got = slurp(NULL);
	o = json_tokener_parse(got);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "url", &v));
	assert_string_equal(json_object_get_string(v), "=1");
	assert_true(json_object_object_get_ex(o, "final_url", &v));
	assert_string_equal(json_object_get_string(v), "+http://h/");
	assert_true(json_object_object_get_ex(o, "error", &v));
	assert_string_equal(json_object_get_string(v), "-error");
	json_object_put(o);
	free(got);
}

/* Opens with --append; the row "r" goes in; the file must then read want. */
static void append_row(enum output_format format, bool bom, const char *want, size_t want_len)
{
	struct output *out = open_out(format, true, bom, true);
	struct crawl_record failed;
	size_t len;
	char *got;

	record_init_error(&failed, "x");
	assert_int_equal(output_row(out, "r", &failed, -1), 0);
	close_out(out);
	got = slurp(&len);
	assert_int_equal(len, want_len);
	assert_memory_equal(got, want, len);
	free(got);
}

#define CSV_ROW "r,,,,,,,,,,,x\r\n"
#define TSV_ROW "r\t\t\t\t\t\t\t\t\t\t\tx\n"
#define JSONL_ROW_TEXT "{\"url\":\"r\",\"final_url\":null,\"status\":null,\"bytes\":null," \
	"\"content_type\":null,\"ttfb_ms\":null,\"time_ms\":null,\"redirects\":null,\"title\":null," \
	"\"links\":null,\"worker\":null,\"error\":\"x\"}"
#define JSONL_ROW JSONL_ROW_TEXT "\n"
#define APPEND(format, bom, before, after) do { \
		put_file(before, sizeof(before) - 1); \
		append_row(format, bom, after, sizeof(after) - 1); \
	} while (0)

/* A last line without its line end gets the format's own before the first new row. */
static void test_append_adds_missing_line_end(void **state)
{
	(void)state;
	/* a whole row that lost its line end */
	APPEND(OUTPUT_CSV, false, CSV_HEADER "a,,,,,,,,,,,\"b\"",
	       CSV_HEADER "a,,,,,,,,,,,\"b\"\r\n" CSV_ROW);
	APPEND(OUTPUT_CSV, false, CSV_HEADER "a,,,,,,,,,,,b\r", CSV_HEADER "a,,,,,,,,,,,b\r\n" CSV_ROW);
	APPEND(OUTPUT_CSV, false, CSV_HEADER "a\r\n", CSV_HEADER "a\r\n" CSV_ROW);
	/* a file that is the header alone, without its line end */
	APPEND(OUTPUT_CSV, false, "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,"
	       "redirects,title,links,worker,error", CSV_HEADER CSV_ROW);
	APPEND(OUTPUT_TSV, false, TSV_HEADER "a\t\t\t\t\t\t\t\t\t\t\tb",
	       TSV_HEADER "a\t\t\t\t\t\t\t\t\t\t\tb\n" TSV_ROW);
	APPEND(OUTPUT_JSONL, false, JSONL_ROW_TEXT, JSONL_ROW JSONL_ROW);
}

/* A file keeps its BOM or its lack of one; a BOM alone is followed by the header. */
static void test_append_bom_rules(void **state)
{
	(void)state;
	APPEND(OUTPUT_CSV, true, BOM CSV_HEADER "a\r\n", BOM CSV_HEADER "a\r\n" CSV_ROW);
	APPEND(OUTPUT_CSV, false, BOM CSV_HEADER "a\r\n", BOM CSV_HEADER "a\r\n" CSV_ROW);
	APPEND(OUTPUT_CSV, true, CSV_HEADER "a\r\n", CSV_HEADER "a\r\n" CSV_ROW);
	APPEND(OUTPUT_TSV, true, BOM, BOM TSV_HEADER TSV_ROW);
	APPEND(OUTPUT_CSV, false, BOM, BOM CSV_HEADER CSV_ROW);
	APPEND(OUTPUT_CSV, true, "", BOM CSV_HEADER CSV_ROW);
}

/* Refuses --append to a file of another format or header; the file stays as it was. */
static void expect_append_refused(enum output_format format, const char *before, size_t len,
				  const char *why)
{
	const struct output_options o = { .format = format, .append = true, .formula_guard = true };
	char err[512];
	size_t got_len;
	char *got;

	put_file(before, len);
	assert_null(output_open(test_path, &o, NULL, 0, err, sizeof(err)));
	if (!strstr(err, why))
		fail_msg("error '%s' lacks '%s'", err, why);
	got = slurp(&got_len);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, before, len);
	free(got);
}

#define REFUSED(format, before, why) expect_append_refused(format, before, sizeof(before) - 1, why)

static void test_append_refuses_other_files(void **state)
{
	(void)state;
	REFUSED(OUTPUT_CSV, TSV_HEADER "a\n", "cannot append csv rows to '");
	REFUSED(OUTPUT_CSV, TSV_HEADER "a\n", "': it holds tsv rows");
	REFUSED(OUTPUT_TSV, BOM CSV_HEADER, "it holds csv rows");
	REFUSED(OUTPUT_JSONL, CSV_HEADER, "it holds csv rows");
	REFUSED(OUTPUT_CSV, JSONL_ROW, "it holds jsonl rows");
	REFUSED(OUTPUT_CSV, "name,age\r\nbob,7\r\n", "its first line is not crawlpool's csv header");
	/* the header with a bare LF is not ours: CSV rows end in CRLF */
	REFUSED(OUTPUT_CSV, "url,final_url,status,bytes,content_type,ttfb_ms,time_ms,redirects,"
		"title,links,worker,error\nx\n", "its lines end in LF, not in the CRLF");
	REFUSED(OUTPUT_TSV, "url\tfinal_url\tstatus\tbytes\tcontent_type\tttfb_ms\ttime_ms\t"
		"redirects\ttitle\tlinks\tworker\terror\r\nx\r\n", "its lines end in CRLF");
	REFUSED(OUTPUT_TSV, "url\tfinal\n", "its first line is not crawlpool's tsv header");
	REFUSED(OUTPUT_JSONL, BOM JSONL_ROW, "its first line is not a crawlpool jsonl row");
	REFUSED(OUTPUT_JSONL, "[1,2]\n", "its first line is not a crawlpool jsonl row");
}

/* A last line without its line end that is no whole row was torn: rows after it would be lost. */
static void test_append_refuses_a_torn_row(void **state)
{
	(void)state;
	REFUSED(OUTPUT_CSV, CSV_HEADER "a", "last line (1 bytes, no line end) is a torn row (it "
		"has too few fields)");
	REFUSED(OUTPUT_CSV, CSV_HEADER "a,,,,,,,,,,,\"b", "is a torn row (it ends inside a quote)");
	REFUSED(OUTPUT_CSV, BOM CSV_HEADER CSV_ROW "a,,,,,,,,,,,\"b", "ends inside a quote");
	REFUSED(OUTPUT_TSV, TSV_HEADER "a\tb", "is a torn row (it has too few fields)");
	REFUSED(OUTPUT_JSONL, JSONL_ROW "{\"url\":\"r\",\"fin", "is a torn row (it does not end "
		"with })");
	REFUSED(OUTPUT_JSONL, "{\"url\":\"r\",\"fin", "is a torn row");
}

/* The output may not be the list being read, by whatever name; the list stays whole. */
static void test_refuses_the_list(void **state)
{
	static const char list[] = "http://a/\nhttp://b/\n";
	const struct output_options o = { .format = OUTPUT_CSV };
	char err[512], sym[96];
	struct stat st, other;
	struct output *out;
	char *got;

	(void)state;
	put_file(list, sizeof(list) - 1);
	assert_int_equal(stat(test_path, &st), 0);
	snprintf(sym, sizeof(sym), "%s.link", test_path);
	unlink(sym);
	assert_int_equal(symlink(test_path, sym), 0);
	assert_null(output_open(test_path, &o, &st, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "it is the url list being read"));
	assert_null(output_open(sym, &o, &st, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "it is the url list being read"));
	got = slurp(NULL);
	assert_string_equal(got, list);
	free(got);
	/* another file is fine */
	assert_int_equal(stat("/dev/null", &other), 0);
	out = output_open(sym, &o, &other, 1, err, sizeof(err));
	assert_non_null(out);
	close_out(out);
	got = slurp(NULL);
	assert_string_equal(got, CSV_HEADER);
	free(got);
	unlink(sym);
}

/*
 * A file that cannot grow (ulimit -f here; a full disk alike): the file is
 * cut back to its last whole row, and output_rows() says how many it holds.
 */
static void test_write_failure_cuts_back(void **state)
{
	struct output *out = open_out(OUTPUT_CSV, false, false, true);
	struct rlimit old, lim;
	char url[32], *got, *p;
	unsigned long rows;
	size_t len;

	(void)state;
	for (int i = 0; i < 3; i++) {
		snprintf(url, sizeof(url), "http://h/%d", i);
		assert_int_equal(output_row(out, url, &page, i), 0);
	}
	assert_int_equal(output_flush(out), 0);
	assert_int_equal(output_rows(out), 3);

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN);
	lim = (struct rlimit){ 1500, old.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (int i = 3; i < 40; i++) {
		snprintf(url, sizeof(url), "http://h/%d", i);
		output_row(out, url, &page, i);
	}
	assert_int_equal(output_flush(out), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_non_null(strstr(output_error(out), "File too large"));
	assert_false(output_reader_gone(out));
	assert_false(output_torn(out));
	rows = output_rows(out);
	assert_true(rows > 3 && rows < 40);
	assert_int_equal(output_close(out, url, sizeof(url)), -1);

	got = slurp(&len);
	assert_true(len <= 1500);
	p = got + strlen(CSV_HEADER);
	for (unsigned long i = 0; i < rows; i++) {
		snprintf(url, sizeof(url), "http://h/%lu,", i);
		assert_memory_equal(p, url, strlen(url));
		p = memchr(p, '\n', len - (size_t)(p - got));
		assert_non_null(p);
		assert_int_equal(p[-1], '\r');
		p++;
	}
	/* nothing after the last whole row */
	assert_int_equal((size_t)(p - got), len);
	free(got);
}

/* Nobody reads the pipe any more: a failure of its own kind, nothing torn. */
static void test_reader_gone(void **state)
{
	const struct output_options o = { .format = OUTPUT_CSV };
	char err[256], path[32];
	struct output *out;
	int p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	close(p[0]);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[1]);
	out = output_open(path, &o, NULL, 0, err, sizeof(err));
	assert_non_null(out);
	output_row(out, "u", &page, 1);
	assert_int_equal(output_flush(out), -1);
	assert_true(output_reader_gone(out));
	assert_false(output_torn(out));
	assert_int_equal(output_rows(out), 0);
	assert_int_equal(output_close(out, err, sizeof(err)), -1);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

static void test_many_rows_in_order(void **state)
{
	struct output *out = open_out(OUTPUT_CSV, false, false, true);
	char url[32], *got, *p;
	size_t len;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		snprintf(url, sizeof(url), "http://h/%d", i);
		assert_int_equal(output_row(out, url, &page, i), 0);
	}
	close_out(out);
	got = slurp(&len);
	p = got + strlen(CSV_HEADER);
	for (int i = 0; i < 20000; i++) {
		snprintf(url, sizeof(url), "http://h/%d,", i);
		assert_memory_equal(p, url, strlen(url));
		/* memchr, not strstr: sanitizers make strstr scan to the end each time */
		p = memchr(p, '\n', len - (size_t)(p - got));
		assert_non_null(p);
		assert_int_equal(p[-1], '\r');
		p++;
	}
	assert_int_equal((size_t)(p - got), len);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_csv_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_guard_off_and_newlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bom_and_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tsv_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jsonl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_rows_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guard_every_text_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_adds_missing_line_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_refuses_a_torn_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_bom_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_refuses_other_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_the_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_cuts_back, setup, teardown),
		cmocka_unit_test(test_reader_gone),
		cmocka_unit_test(test_open_failure),
		cmocka_unit_test(test_write_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
