/* test_output.c -- CSV, TSV and JSON Lines rows byte for byte: quoting, guard, BOM, append, errors */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static struct output *open_out(enum output_format format, bool append, bool bom, bool guard)
{
	const struct output_options o = { .format = format, .append = append, .bom = bom,
					  .formula_guard = guard };
	char err[256];
	struct output *out = output_open(test_path, &o, err, sizeof(err));

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
		"=not a url,,,,,,,,,,,invalid URL\r\n"
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
		"url\tfinal_url\tstatus\tbytes\tcontent_type\tttfb_ms\ttime_ms\tredirects\ttitle\tlinks\tworker\terror\n"
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
	assert_null(output_open("/nonexistent/dir/out.csv", &o, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open output '/nonexistent/dir/out.csv'"));
}

static void test_write_failure(void **state)
{
	const struct output_options o = { .format = OUTPUT_CSV };
	char err[256] = "";
	struct output *out;

	(void)state;
	out = output_open("/dev/full", &o, err, sizeof(err));
	assert_non_null(out);
	output_row(out, "u", &page, 1);
	assert_int_equal(output_flush(out), -1);
	assert_non_null(output_error(out));
	assert_int_equal(output_row(out, "u", &page, 1), -1);
	assert_int_equal(output_close(out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No space left"));
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
		cmocka_unit_test(test_open_failure),
		cmocka_unit_test(test_write_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
