/* export.c -- the export command: every row of a shared crawl, once, through the usual output writers */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crawl.h"
#include "options.h"
#include "output.h"
#include "redis_frontier.h"
#include "shared.h"
#include "shared_open.h"
#include "shared_row.h"

enum { OPT_BOM = 256, OPT_FRONTIER, OPT_CRAWL };

struct export_options {
	const char *frontier;
	const char *crawl;
	const char *output;		/* "-": stdout */
	struct output_options out;
};

struct export {
	const struct export_options *opts;
	struct output *out;
	unsigned long rows, bad;
	bool follow;		/* the crawl's rule: its rows have depth and referrer */
	bool failed;
	char err[512];
};

static void export_usage(FILE *f)
{
	fputs("usage: crawlpool export --frontier URL [--crawl NAME] [-f csv|tsv|jsonl] [-o FILE]\n"
	      "                        [--bom]\n"
	      "\n"
	      "Writes every row a crawl shared in Redis recorded, each URL once, whichever\n"
	      "instance fetched it. Reads only: the crawl may be running.\n"
	      "\n"
	      "      --frontier URL            redis://[:PASSWORD@]HOST[:PORT][/DB] or\n"
	      "                                redis+unix:///PATH\n"
	      "      --crawl NAME              the crawl's name (default: crawlpool)\n"
	      "  -f, --format csv|tsv|jsonl    output format (default: csv)\n"
	      "  -o, --output FILE             default '-', standard output\n"
	      "      --bom                     a UTF-8 byte-order mark before the header (CSV,\n"
	      "                                TSV)\n"
	      "  -h, --help                    this help\n"
	      "\n"
	      "Columns as the crawl's (with depth and referrer when it followed links).\n"
	      "Exit status: 0, 1 when Redis cannot be reached or a write fails, 2 on bad\n"
	      "usage (an address or password Redis refuses too).\n", f);
}

/* 1 to run, 0 for help, -1 with err filled. */
static int export_parse(int argc, char **argv, struct export_options *o, char *err, size_t errlen)
{
	static const struct option longs[] = {
		{ "frontier", required_argument, NULL, OPT_FRONTIER },
		{ "crawl", required_argument, NULL, OPT_CRAWL },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "bom", no_argument, NULL, OPT_BOM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->output = "-";
	o->out.format = OUTPUT_CSV;
	o->out.formula_guard = true;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", longs, NULL)) != -1) {
		switch (c) {
		case OPT_FRONTIER:
			o->frontier = optarg;
			break;
		case OPT_CRAWL:
			o->crawl = optarg;
			break;
		case 'f':
			if (output_format_parse(optarg, &o->out.format) < 0) {
				snprintf(err, errlen, "invalid --format '%s': use csv, tsv or jsonl",
					 optarg);
				return -1;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_BOM:
			o->out.bom = true;
			break;
		case 'h':
			return 0;
		default:
			options_bad_option(c, argv, longs, err, errlen);
			return -1;
		}
	}
	if (output_options_check(&o->out, err, errlen) < 0)
		return -1;
	return shared_args_end(argc, argv, o->frontier, err, errlen);
}

/*
 * The output is opened with the first row (or after the last, for none), so
 * that a Redis that cannot be read truncates no file. Its columns are the
 * crawl's: the first row may be a list line's, which has no depth even in
 * a crawl that follows links.
 */
static int export_open(struct export *e)
{
	struct output_options out = e->opts->out;

	out.follow_columns = e->follow;
	e->out = output_open(e->opts->output, &out, NULL, 0, e->err, sizeof(e->err));
	return e->out ? 0 : -1;
}

static int export_row(void *ctx, const char *blob, size_t len)
{
	struct export *e = ctx;
	struct shared_row row;

	if (shared_row_decode(blob, len, &row) != RECORD_OK) {
		e->bad++;
		return 0;
	}
	if (!e->out && export_open(e) < 0) {
		e->failed = true;
		return -1;
	}
	if (output_row(e->out, row.url, &row.rec, row.worker) < 0) {
		e->failed = true;
		return -1;
	}
	e->rows++;
	return 0;
}

/*
 * Closes the output; the exit status, made 1 if a write failed, or 141 if
 * the reader went away (export | head), which is no error to report.
 */
static int export_close(struct export *e, int status)
{
	bool gone = e->out && output_reader_gone(e->out);
	char err[512];

	/* a write that failed before has been reported */
	if (output_close(e->out, err, sizeof(err)) < 0 && !gone) {
		if (!e->failed)
			fprintf(stderr, "crawlpool export: %s\n", err);
		return CRAWL_EXIT_FAILED;
	}
	return gone ? CRAWL_EXIT_PIPE : status;
}

int export_main(int argc, char **argv)
{
	struct export_options o;
	struct export e = { .opts = &o };
	struct redis_frontier *rf;
	char err[512], where[300];
	int rc, status = CRAWL_EXIT_OK;

	rc = export_parse(argc, argv, &o, err, sizeof(err));
	if (rc == 0) {
		export_usage(stdout);
		return CRAWL_EXIT_OK;
	}
	if (rc < 0) {
		fprintf(stderr, "crawlpool export: %s\n(try 'crawlpool export --help')\n", err);
		return CRAWL_EXIT_USAGE;
	}
	rf = shared_open("export", o.frontier, o.crawl, &status);
	if (!rf)
		return status;
	rc = redis_frontier_follows(rf, &e.follow);
	if (rc == 0) {
		shared_address(o.frontier, where, sizeof(where));
		fprintf(stderr, "crawlpool export: no crawl '%s' in %s: the header alone\n",
			o.crawl ? o.crawl : "crawlpool", where);
		shared_other_crawls(rf, stderr, "crawlpool export: ");
	}
	if (rc >= 0)
		rc = redis_frontier_export(rf, export_row, &e);
	if (rc < 0 && e.failed && !e.out) {
		/* the output could not be opened: nothing was written */
		fprintf(stderr, "crawlpool export: %s\n", e.err);
		redis_frontier_close(rf);
		return CRAWL_EXIT_USAGE;
	}
	if (rc < 0 && e.failed) {
		if (!output_reader_gone(e.out))
			fprintf(stderr, "crawlpool export: %s\n", output_error(e.out) ?
				output_error(e.out) : "cannot write the rows");
		status = CRAWL_EXIT_FAILED;
	} else if (rc < 0) {
		fprintf(stderr, "crawlpool export: %s; %lu rows written\n", redis_frontier_error(rf),
			e.rows);
		status = CRAWL_EXIT_FAILED;
	} else if (!e.out && export_open(&e) < 0) {
		fprintf(stderr, "crawlpool export: %s\n", e.err);
		redis_frontier_close(rf);
		return CRAWL_EXIT_USAGE;
	}
	if (e.bad > 0) {
		fprintf(stderr, "crawlpool export: %lu row%s not understood (recorded by another "
			"crawlpool build?) left out\n", e.bad, e.bad == 1 ? "" : "s");
		status = CRAWL_EXIT_FAILED;
	}
	redis_frontier_close(rf);
	return export_close(&e, status);
}
