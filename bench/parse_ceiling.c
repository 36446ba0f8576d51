/* parse_ceiling.c -- libxml2 CPU time per page (SAX and DOM) on exported pages: the parse-bound ceiling */
#include "clocks.h"
#include "corpus.h"
#include "option_number.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * A crawler that only needs the title and the number of <a href> must at least run libxml2's
 * HTML tokenizer over every byte; nothing it does around that can make it faster than
 * cores / (CPU time per page). Each page is read from disk untimed, just before it is parsed,
 * so the parse sees it warm in cache as a crawler sees a body it has just received; only the
 * parse (and for DOM the walk and the free) is on the thread CPU clock.
 *
 *   sax      push parser fed in 16 KiB chunks as a body streams in, callbacks only, no tree
 *   sax-one  the same with the whole body in one chunk
 *   dom      htmlReadMemory(), walk the tree, free it
 */

#define PC_CHUNK 16384
#define PC_TITLE_MAX 256
#define PC_OPTIONS (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET)

struct pc_facts {
	unsigned links;
	bool in_title, have_title;
	size_t title_len;
	char title[PC_TITLE_MAX];
};

static const char *pc_usage =
	"usage: parse_ceiling [--cores N] [--passes P] [--limit N] DIR\n"
	"\n"
	"Parses every DIR/page/*.html (as written by demo-site --export) with libxml2's HTML\n"
	"parser in three ways (sax: push parser in 16 KiB chunks, callbacks only; sax-one: one\n"
	"chunk; dom: htmlReadMemory + tree walk) and prints the thread CPU time per page, the best\n"
	"of P passes (default 1), and the ceiling pages/s = N cores (default: online cores) / time.\n"
	"Last line, for scripts: pages=N sax_us=.. sax_one_us=.. dom_us=.. cores=N\n";

static void pc_no_errors(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

static void pc_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct pc_facts *f = ctx;

	if (!strcmp((const char *)name, "a")) {
		for (; atts && atts[0]; atts += 2) {
			if (!strcmp((const char *)atts[0], "href")) {
				f->links++;
				break;
			}
		}
	} else if (!f->have_title && !strcmp((const char *)name, "title")) {
		f->in_title = true;
	}
}

static void pc_end(void *ctx, const xmlChar *name)
{
	struct pc_facts *f = ctx;

	if (f->in_title && !strcmp((const char *)name, "title")) {
		f->in_title = false;
		f->have_title = true;
	}
}

static void pc_chars(void *ctx, const xmlChar *text, int len)
{
	struct pc_facts *f = ctx;
	size_t room;

	if (!f->in_title || len <= 0)
		return;
	room = sizeof(f->title) - 1 - f->title_len;
	if ((size_t)len > room)
		len = (int)room;
	memcpy(f->title + f->title_len, text, (size_t)len);
	f->title_len += (size_t)len;
	f->title[f->title_len] = '\0';
}

static int pc_sax(const char *body, size_t len, size_t chunk, struct pc_facts *f)
{
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt;

	memset(&sax, 0, sizeof(sax));
	sax.startElement = pc_start;
	sax.endElement = pc_end;
	sax.characters = pc_chars;
	sax.cdataBlock = pc_chars;
	ctxt = htmlCreatePushParserCtxt(&sax, f, NULL, 0, NULL, XML_CHAR_ENCODING_NONE);
	if (!ctxt)
		return -1;
	htmlCtxtUseOptions(ctxt, PC_OPTIONS);
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		htmlParseChunk(ctxt, body + off, (int)n, 0);
	}
	htmlParseChunk(ctxt, NULL, 0, 1);
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	htmlFreeParserCtxt(ctxt);
	return 0;
}

static void pc_walk(xmlNode *node, struct pc_facts *f)
{
	for (; node; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)node->name, "a") && xmlHasProp(node, BAD_CAST "href")) {
			f->links++;
		} else if (!f->have_title && !strcmp((const char *)node->name, "title")) {
			xmlChar *text = xmlNodeGetContent(node);

			if (text) {
				snprintf(f->title, sizeof(f->title), "%s", (const char *)text);
				f->title_len = strlen(f->title);
				xmlFree(text);
			}
			f->have_title = true;
		}
		pc_walk(node->children, f);
	}
}

static int pc_dom(const char *body, size_t len, struct pc_facts *f)
{
	htmlDocPtr doc = htmlReadMemory(body, (int)len, NULL, NULL, PC_OPTIONS);

	if (!doc)
		return -1;
	pc_walk(xmlDocGetRootElement(doc), f);
	xmlFreeDoc(doc);
	return 0;
}

enum pc_mode { PC_SAX, PC_SAX_ONE, PC_DOM, PC_MODES };
static const char *const pc_mode_names[PC_MODES] = { "sax", "sax-one", "dom" };

/* One pass of one mode over the corpus: CPU seconds spent parsing, and the links seen. */
static int pc_pass(struct corpus *c, enum pc_mode mode, double *cpu, unsigned long *links)
{
	*cpu = 0;
	*links = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct pc_facts f = { 0 };
		size_t len;
		double t0;
		int rc;

		if (corpus_read(c, i, &len) < 0) {
			fprintf(stderr, "parse_ceiling: cannot read '%s': %s\n", c->paths[i],
				strerror(errno));
			return -1;
		}
		t0 = thread_cpu_seconds();
		if (mode == PC_DOM)
			rc = pc_dom(c->buf, len, &f);
		else
			rc = pc_sax(c->buf, len, mode == PC_SAX ? PC_CHUNK : len + 1, &f);
		*cpu += thread_cpu_seconds() - t0;
		if (rc < 0) {
			fprintf(stderr, "parse_ceiling: libxml2 failed on '%s'\n", c->paths[i]);
			return -1;
		}
		*links += f.links;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cores", required_argument, NULL, 'c' },
		{ "passes", required_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct corpus c = { 0 };
	double best[PC_MODES];
	unsigned long links[PC_MODES];
	long cores = sysconf(_SC_NPROCESSORS_ONLN), passes = 1, limit = 0;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cores = option_number("parse_ceiling", "--cores", optarg, 1, 4096);
			break;
		case 'p':
			passes = option_number("parse_ceiling", "--passes", optarg, 1, 100);
			break;
		case 'l':
			limit = option_number("parse_ceiling", "--limit", optarg, 1, 100000000);
			break;
		case 'h':
			fputs(pc_usage, stdout);
			return 0;
		default:
			fputs(pc_usage, stderr);
			return 2;
		}
		if (cores < 0 || passes < 0 || limit < 0)
			return 2;
	}
	if (optind != argc - 1) {
		fputs(pc_usage, stderr);
		return 2;
	}
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, pc_no_errors);
	if (corpus_list(&c, argv[optind], CORPUS_PAGE_DIR, (size_t)limit) < 0) {
		fprintf(stderr, "parse_ceiling: cannot open '%s/page': %s\n", argv[optind],
			strerror(errno));
		goto out;
	}
	if (c.n == 0) {
		fprintf(stderr, "parse_ceiling: no pages under '%s/page'\n", argv[optind]);
		goto out;
	}
	for (int m = 0; m < PC_MODES; m++)
		best[m] = -1;
	/* Modes alternate within each pass so a noisy moment of the machine hits all of them. */
	for (long p = 0; p < passes; p++) {
		for (int m = 0; m < PC_MODES; m++) {
			double cpu;

			if (pc_pass(&c, (enum pc_mode)m, &cpu, &links[m]) < 0)
				goto out;
			if (best[m] < 0 || cpu < best[m])
				best[m] = cpu;
		}
	}
	for (int m = 0; m < PC_MODES; m++) {
		double us = best[m] * 1e6 / (double)c.n;

		printf("%-8s %8.1f us/page  ceiling %8.0f pages/s on %ld cores  (%lu links)\n",
		       pc_mode_names[m], us, (double)cores * 1e6 / us, cores, links[m]);
	}
	if (links[PC_SAX] != links[PC_DOM] || links[PC_SAX] != links[PC_SAX_ONE])
		fprintf(stderr, "parse_ceiling: warning: the modes counted different links\n");
	printf("pages=%zu sax_us=%.1f sax_one_us=%.1f dom_us=%.1f cores=%ld\n", c.n,
	       best[PC_SAX] * 1e6 / (double)c.n, best[PC_SAX_ONE] * 1e6 / (double)c.n,
	       best[PC_DOM] * 1e6 / (double)c.n, cores);
	rc = 0;
out:
	corpus_free(&c);
	xmlCleanupParser();
	return rc;
}
