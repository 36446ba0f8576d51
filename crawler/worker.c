/* worker.c -- glue between fetch and parse: the body goes to the parser as it arrives */
#include "worker.h"

#include <stdlib.h>

#include "parse.h"
#include "record.h"

struct worker {
	struct fetch *fetch;
	struct fetch_sink sink;	/* the body goes to worker_begin and worker_data */
	struct parse *parse;	/* NULL with --no-parse */
	bool begun;		/* the current body has started */
	bool parsing;		/* ... and is going to the parser */
};

static void worker_begin(void *ctx, const char *content_type)
{
	struct worker *w = ctx;

	w->begun = true;
	w->parsing = w->parse && parse_is_html(content_type) &&
		     parse_begin(w->parse, content_type) == 0;
}

static int worker_data(void *ctx, const char *buf, size_t len)
{
	struct worker *w = ctx;

	if (w->parsing)
		parse_feed(w->parse, buf, len);
	return 0;
}

struct worker *worker_new(const struct worker_options *opts)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->sink = (struct fetch_sink){ worker_begin, worker_data, w };
	w->fetch = fetch_new(&opts->fetch);
	if (!w->fetch)
		goto out_free;
	if (opts->parse) {
		w->parse = parse_new();
		if (!w->parse)
			goto out_fetch;
	}
	return w;

out_fetch:
	fetch_free(w->fetch);
out_free:
	free(w);
	return NULL;
}

void worker_free(struct worker *w)
{
	if (!w)
		return;
	parse_free(w->parse);
	fetch_free(w->fetch);
	free(w);
}

int worker_start(struct worker *w, const char *url)
{
	w->begun = w->parsing = false;
	return fetch_start(w->fetch, url, &w->sink);
}

struct fetch *worker_fetch(struct worker *w)
{
	return w->fetch;
}

int worker_finish(struct worker *w, const struct fetch_result *res, void **blob, size_t *len)
{
	struct parse_facts facts;
	struct crawl_record rec;

	if (!res) {
		record_init_error(&rec, "could not start the transfer");
		return record_encode(&rec, blob, len) == RECORD_OK ? 0 : -1;
	}
	rec = (struct crawl_record){
		.status = res->status,
		.bytes = res->bytes,
		.ttfb_us = res->ttfb_us,
		.time_us = res->time_us,
		.redirects = res->redirects,
		.links = -1,
		.final_url = res->final_url,
		.content_type = res->content_type,
		.error = res->error,
	};
	/* a failed transfer's partial body is not a page: no title, no links */
	if (res->ok && w->parse && parse_is_html(res->content_type)) {
		if (w->parsing) {
			parse_end(w->parse, &facts);
			rec.title = facts.title;
			rec.links = (long)facts.links;
		} else if (!w->begun) {
			/* an empty body: a page with nothing in it */
			rec.title = "";
			rec.links = 0;
		}
	} else if (w->parsing) {
		parse_abort(w->parse);
	}
	w->begun = w->parsing = false;
	return record_encode(&rec, blob, len) == RECORD_OK ? 0 : -1;
}

int worker_run(struct worker *w, const char *url, void **blob, size_t *len)
{
	struct fetch_result res;

	if (worker_start(w, url) < 0)
		return worker_finish(w, NULL, blob, len);
	fetch_perform(w->fetch, &res);
	return worker_finish(w, &res, blob, len);
}
