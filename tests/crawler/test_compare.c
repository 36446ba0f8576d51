/* test_compare.c -- compare's command line, arithmetic, ranking and chart */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chart.h"
#include "compare.h"
#include "compare_options.h"
#include "stats.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

/* compare_parse_args() on argv: its result, and what it said on stderr into said. */
static int parse_saying(int argc, char **argv, struct compare_opts *o, char *said, size_t len)
{
	FILE *caught = tmpfile();
	int saved = dup(STDERR_FILENO), rc;
	bool help = false;
	size_t n;

	assert_non_null(caught);
	assert_true(saved >= 0);
	fflush(stderr);
	dup2(fileno(caught), STDERR_FILENO);
	rc = compare_parse_args(argc, argv, o, &help);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(caught);
	n = fread(said, 1, len - 1, caught);
	said[n] = '\0';
	fclose(caught);
	return rc;
}

static void expect_refused(int argc, char **argv, const char *needle)
{
	struct compare_opts o;
	char said[512];

	assert_int_equal(parse_saying(argc, argv, &o, said, sizeof(said)), COMPARE_EXIT_USAGE);
	if (!strstr(said, needle))
		fail_msg("'%s' does not say '%s'", said, needle);
}

/* An empty item of a list is a value lost ("8,,16"), not one to skip. */
static void test_lists_refuse_empty_items(void **state)
{
	char *counts[] = { "compare", "--workers", "8,,16", NULL };
	char *trailing[] = { "compare", "--modes", "thread,", NULL };
	char *leading[] = { "compare", "--modes=,event", NULL };
	char *none[] = { "compare", "--workers", "", NULL };
	char *good[] = { "compare", "--modes", "thread,event", "--workers=8,16", NULL };
	struct compare_opts o;
	char said[512];

	(void)state;
	expect_refused(ARGC(counts), counts, "crawlpool compare: --workers: empty item in '8,,16'\n");
	expect_refused(ARGC(trailing), trailing, "crawlpool compare: --modes: empty item in 'thread,'\n");
	expect_refused(ARGC(leading), leading, "--modes: empty item in ',event'");
	expect_refused(ARGC(none), none, "--workers: empty item in ''");
	assert_int_equal(parse_saying(ARGC(good), good, &o, said, sizeof(said)), 0);
	assert_int_equal(o.n_modes, 2);
	assert_int_equal(o.n_workers, 2);
	assert_int_equal(o.workers[1], 16);
}

/* "--" ends the options, as in crawl: it is not handed on, and a list may be called "-x". */
static void test_double_dash(void **state)
{
	char *dash[] = { "compare", "-k", "--", "-x", NULL };
	char *two[] = { "compare", "--", "a.txt", "b.txt", NULL };
	struct compare_opts o;
	char said[512];

	(void)state;
	assert_int_equal(parse_saying(ARGC(dash), dash, &o, said, sizeof(said)), 0);
	assert_string_equal(o.list, "-x");
	assert_int_equal(o.n_pass, 1);
	assert_string_equal(o.pass[0], "-k");
	expect_refused(ARGC(two), two, "more than one list given: 'b.txt'");
}

/*
 * The crawl options compare sets for each run are refused however written:
 * handed on, they came after compare's own and won (a run labelled thread
 * ran in event mode; with -fcsv or --out FILE compare read no rows at all).
 */
static void test_reserved_however_written(void **state)
{
	char *mode_prefix[] = { "compare", "--mod", "event", "list.txt", NULL };
	char *mode_bundled[] = { "compare", "-qmevent", "list.txt", NULL };
	char *workers_glued[] = { "compare", "-w8", "list.txt", NULL };
	char *workers_prefix[] = { "compare", "--work=2", "list.txt", NULL };
	char *output_prefix[] = { "compare", "--out", "x.csv", "list.txt", NULL };
	char *format_bundled[] = { "compare", "-kfcsv", "list.txt", NULL };
	char *resume_prefix[] = { "compare", "--resu", "list.txt", NULL };
	char *value[] = { "compare", "-A", "-m", "--user-agent=--mode", "list.txt", NULL };
	struct compare_opts o;
	char said[512];

	(void)state;
	expect_refused(ARGC(mode_prefix), mode_prefix,
		       "option '--mod' is chosen by compare itself: use --modes LIST");
	expect_refused(ARGC(mode_bundled), mode_bundled, "option '-qmevent' is chosen by compare");
	expect_refused(ARGC(workers_glued), workers_glued, "use --workers N[,N...]");
	expect_refused(ARGC(workers_prefix), workers_prefix, "option '--work=2' is chosen");
	expect_refused(ARGC(output_prefix), output_prefix, "use --out-dir DIR");
	expect_refused(ARGC(format_bundled), format_bundled, "rows are JSON Lines");
	expect_refused(ARGC(resume_prefix), resume_prefix, "option '--resu' is not for compare");
	/* a value that looks like one of them is a value */
	assert_int_equal(parse_saying(ARGC(value), value, &o, said, sizeof(said)), 0);
	assert_int_equal(o.n_pass, 3);
}

/* -h and --version bundled or abbreviated are compare's, not handed on to print into each run's rows. */
static void test_help_and_version_however_written(void **state)
{
	char *bundled[] = { "compare", "-kh", "list.txt", NULL };
	char *prefix[] = { "compare", "--he", "list.txt", NULL };
	char *help_prefix[] = { "compare", "--hel", "list.txt", NULL };
	char *version_prefix[] = { "compare", "--vers", "list.txt", NULL };
	struct compare_opts o;
	bool help = false;

	(void)state;
	assert_int_equal(compare_parse_args(ARGC(bundled), bundled, &o, &help), 0);
	assert_true(help);
	help = false;
	assert_int_equal(compare_parse_args(ARGC(help_prefix), help_prefix, &o, &help), 0);
	assert_true(help);
	help = false;
	assert_int_equal(compare_parse_args(ARGC(version_prefix), version_prefix, &o, &help), 0);
	assert_false(help);
	assert_true(o.version);
	/* --header and --help */
	expect_refused(ARGC(prefix), prefix, "ambiguous option --he");
}

/* A bad crawl option is named before the second "list" its value would seem to be. */
static void test_bad_option_before_second_list(void **state)
{
	char *ambiguous[] = { "compare", "--re", "3", "list.txt", NULL };
	char *unknown[] = { "compare", "--tmeout", "5", "list.txt", NULL };
	char *two[] = { "compare", "-k", "a.txt", "b.txt", "c.txt", NULL };

	(void)state;
	expect_refused(ARGC(ambiguous), ambiguous, "ambiguous option --re");
	expect_refused(ARGC(unknown), unknown, "unknown option --tmeout");
	expect_refused(ARGC(two), two, "more than one list given: 'b.txt'");
}

/* -q is crawl's --quiet, handed on to every run, and silences compare's own progress too. */
/* A value for a crawl option that takes none is named so, before any run. */
static void test_value_for_a_flag(void **state)
{
	char *follow[] = { "compare", "--follow=yes", "list.txt", NULL };
	char *quiet[] = { "compare", "--quiet=1", "list.txt", NULL };

	(void)state;
	expect_refused(ARGC(follow), follow, "option --follow takes no value");
	expect_refused(ARGC(quiet), quiet, "option --quiet takes no value");
}

/* compare's rows are JSON Lines: --bom, which only CSV and TSV take, is refused before any run. */
static void test_bom_refused(void **state)
{
	char *bom[] = { "compare", "--bom", "list.txt", NULL };

	(void)state;
	expect_refused(ARGC(bom), bom, "--bom is for CSV and TSV");
}

static void test_quiet(void **state)
{
	char *plain[] = { "compare", "--timeout", "5", NULL };
	char *shorts[] = { "compare", "-q", NULL };
	char *longs[] = { "compare", "--quiet", "list.txt", NULL };
	char *bundled[] = { "compare", "-kq", NULL };
	struct compare_opts o;
	char said[512];

	(void)state;
	assert_int_equal(parse_saying(ARGC(plain), plain, &o, said, sizeof(said)), 0);
	assert_false(o.quiet);
	assert_int_equal(parse_saying(ARGC(shorts), shorts, &o, said, sizeof(said)), 0);
	assert_true(o.quiet);
	assert_int_equal(o.n_pass, 1);
	assert_string_equal(o.pass[0], "-q");
	assert_int_equal(parse_saying(ARGC(longs), longs, &o, said, sizeof(said)), 0);
	assert_true(o.quiet);
	assert_string_equal(o.list, "list.txt");
	assert_int_equal(parse_saying(ARGC(bundled), bundled, &o, said, sizeof(said)), 0);
	assert_true(o.quiet);
}

static void test_median(void **state)
{
	double odd[] = { 9, 1, 5 };
	double even[] = { 4, 1, 3, 2 };
	double one[] = { 7 };

	(void)state;
	assert_float_equal(stats_median(odd, 3), 5, 1e-9);
	assert_float_equal(stats_median(even, 4), 2.5, 1e-9);
	assert_float_equal(stats_median(one, 1), 7, 1e-9);
	assert_float_equal(stats_median(NULL, 0), 0, 1e-9);
}

static void test_percentiles(void **state)
{
	double v[101];

	(void)state;
	/* 0..100 shuffled: the p-th percentile is p itself. */
	for (int i = 0; i <= 100; i++)
		v[i] = (i * 37) % 101;
	assert_float_equal(stats_percentile(v, 101, 50), 50, 1e-9);
	assert_float_equal(stats_percentile(v, 101, 95), 95, 1e-9);
	assert_float_equal(stats_percentile(v, 101, 99), 99, 1e-9);
	assert_float_equal(stats_percentile(v, 101, 0), 0, 1e-9);
	assert_float_equal(stats_percentile(v, 101, 100), 100, 1e-9);

	/* Between ranks the value is interpolated: 10 and 20, p95 = 19.5. */
	double two[] = { 20, 10 };

	assert_float_equal(stats_percentile(two, 2, 95), 19.5, 1e-9);
	assert_float_equal(stats_percentile(two, 2, 50), 15, 1e-9);
}

static void test_ratio(void **state)
{
	(void)state;
	assert_float_equal(stats_ratio(3, 4), 0.75, 1e-9);
	assert_float_equal(stats_ratio(3, 0), 0, 1e-9);
}

static void test_rank_marks_fastest(void **state)
{
	struct compare_row rows[3] = {
		{ .mode = "process", .workers = 8, .pages_per_s = 800 },
		{ .mode = "thread", .workers = 8, .pages_per_s = 1000 },
		{ .mode = "thread", .workers = 32, .pages_per_s = 500 },
	};

	(void)state;
	compare_rank(rows, 3);
	assert_false(rows[0].fastest);
	assert_true(rows[1].fastest);
	assert_false(rows[2].fastest);
	assert_float_equal(rows[0].speed, 0.8, 1e-9);
	assert_float_equal(rows[1].speed, 1.0, 1e-9);
	assert_float_equal(rows[2].speed, 0.5, 1e-9);
}

/* Rows of no pages (a list that lost its URLs between runs): none of them is the fastest. */
static void test_rank_stars_no_idle_row(void **state)
{
	struct compare_row rows[2] = {
		{ .mode = "process", .workers = 8, .pages_per_s = 0 },
		{ .mode = "thread", .workers = 8, .pages_per_s = 0 },
	};

	(void)state;
	compare_rank(rows, 2);
	assert_false(rows[0].fastest);
	assert_false(rows[1].fastest);
	assert_float_equal(rows[0].speed, 0, 1e-9);
}

static void test_chart_holds_every_value(void **state)
{
	struct compare_row rows[2] = {
		{ .mode = "process", .workers = 4, .pages_per_s = 1234.5, .peak_mib = 40.2,
		  .cpu_us_per_page = 61.5 },
		{ .mode = "thread", .workers = 4, .pages_per_s = 2469.0, .peak_mib = 12.7,
		  .cpu_us_per_page = 28.4 },
	};
	char *svg = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&svg, &len);

	(void)state;
	compare_rank(rows, 2);
	assert_int_equal(chart_write_svg(out, rows, 2, "list <a&b>"), 0);
	fclose(out);
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "</svg>"));
	assert_non_null(strstr(svg, "data-pages-per-s=\"1234.5\""));
	assert_non_null(strstr(svg, "data-pages-per-s=\"2469.0\""));
	assert_non_null(strstr(svg, "data-peak-mib=\"40.2\""));
	assert_non_null(strstr(svg, "data-peak-mib=\"12.7\""));
	assert_non_null(strstr(svg, "data-cpu-us-per-page=\"61.5\""));
	assert_non_null(strstr(svg, "data-cpu-us-per-page=\"28.4\""));
	/* The caption is escaped, so the SVG stays well-formed. */
	assert_non_null(strstr(svg, "list &lt;a&amp;b&gt;"));
	assert_null(strstr(svg, "<a&b>"));
	free(svg);
}

/* Each mode has its own bar colour. */
static void test_chart_three_modes(void **state)
{
	struct compare_row rows[3] = {
		{ .mode = "process", .workers = 8, .pages_per_s = 100, .peak_mib = 40 },
		{ .mode = "thread", .workers = 8, .pages_per_s = 200, .peak_mib = 12 },
		{ .mode = "event", .workers = 8, .pages_per_s = 300, .peak_mib = 9 },
	};
	char fills[3][32], *svg = NULL, *p;
	size_t len = 0;
	FILE *out = open_memstream(&svg, &len);

	(void)state;
	compare_rank(rows, 3);
	assert_true(rows[2].fastest);
	assert_int_equal(chart_write_svg(out, rows, 3, "three"), 0);
	fclose(out);
	p = svg;
	for (int i = 0; i < 3; i++) {
		p = strstr(p, "<rect x=");
		assert_non_null(p);
		p = strstr(p, "fill=\"");
		assert_non_null(p);
		p += 6;
		snprintf(fills[i], sizeof(fills[i]), "%.*s", (int)strcspn(p, "\""), p);
	}
	assert_string_not_equal(fills[0], fills[1]);
	assert_string_not_equal(fills[1], fills[2]);
	assert_string_not_equal(fills[0], fills[2]);
	assert_non_null(strstr(svg, "event, 8 workers"));
	free(svg);
}

static void test_csv_and_table_agree(void **state)
{
	struct compare_row rows[2] = {
		{ .mode = "process", .workers = 8, .runs = 3, .urls = 300, .wall_s = 0.5,
		  .pages_per_s = 600, .user_s = 0.012, .sys_s = 0.006, .cpu_us_per_page = 60,
		  .peak_mib = 30, .p50_ms = 2, .p95_ms = 9, .p99_ms = 12, .errors = 4 },
		{ .mode = "thread", .workers = 8, .runs = 3, .urls = 300, .wall_s = 0.4,
		  .pages_per_s = 750, .user_s = 0.01, .sys_s = 0.002, .cpu_us_per_page = 40,
		  .peak_mib = 11, .p50_ms = 2.5, .p95_ms = 8, .p99_ms = 10, .errors = 4 },
	};
	char *csv = NULL, *table = NULL, *line, *save;
	size_t csv_len = 0, table_len = 0;
	FILE *csv_out = open_memstream(&csv, &csv_len);
	FILE *table_out = open_memstream(&table, &table_len);
	int n = 0;

	(void)state;
	compare_rank(rows, 2);
	assert_int_equal(compare_write_csv(csv_out, rows, 2), 0);
	compare_print_table(table_out, rows, 2);
	fclose(csv_out);
	fclose(table_out);

	for (line = strtok_r(csv, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		char mode[16], fastest[8];
		unsigned workers, runs;
		unsigned long urls, errors;
		double wall, pps, user, sys, mib, p50, p95, p99, speed, cpu_us;

		if (n == 0) {
			assert_string_equal(line, "mode,workers,runs,urls,wall_s,pages_per_s,cpu_user_s,"
					    "cpu_sys_s,peak_mib,p50_ms,p95_ms,p99_ms,errors,speed,fastest,"
					    "cpu_us_per_page");
			continue;
		}
		assert_int_equal(sscanf(line, "%15[^,],%u,%u,%lu,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lu,%lf,"
					"%7[^,],%lf",
					mode, &workers, &runs, &urls, &wall, &pps, &user, &sys, &mib,
					&p50, &p95, &p99, &errors, &speed, fastest, &cpu_us), 16);
		assert_string_equal(mode, rows[n - 1].mode);
		assert_float_equal(pps, rows[n - 1].pages_per_s, 0.05);
		assert_float_equal(speed, rows[n - 1].speed, 0.0005);
		assert_string_equal(fastest, rows[n - 1].fastest ? "yes" : "no");
		assert_float_equal(cpu_us, rows[n - 1].cpu_us_per_page, 0.05);
	}
	assert_int_equal(n, 3);
	/* The terminal table shows the same rows; the fastest is starred. */
	assert_non_null(strstr(table, "process        8     0.50     600.0    0.01    0.01        60.0"));
	assert_non_null(strstr(table, "thread         8     0.40     750.0    0.01    0.00        40.0"));
	assert_non_null(strstr(table, "100% *"));
	assert_non_null(strstr(table, "80%\n"));
	/* Every line of the table is as wide as its header, so the columns stay aligned. */
	{
		size_t head = strcspn(table, "\n");

		assert_non_null(strstr(table, " sys_s cpu_us/page  peak_MiB "));
		for (line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			assert_int_equal(strlen(line) - (strstr(line, " *") ? 2 : 0), head);
	}
	free(csv);
	free(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_refuse_empty_items),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_value_for_a_flag),
		cmocka_unit_test(test_double_dash),
		cmocka_unit_test(test_reserved_however_written),
		cmocka_unit_test(test_help_and_version_however_written),
		cmocka_unit_test(test_bad_option_before_second_list),
		cmocka_unit_test(test_bom_refused),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_rank_marks_fastest),
		cmocka_unit_test(test_rank_stars_no_idle_row),
		cmocka_unit_test(test_chart_holds_every_value),
		cmocka_unit_test(test_chart_three_modes),
		cmocka_unit_test(test_csv_and_table_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
