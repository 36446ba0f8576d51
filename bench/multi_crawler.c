/* multi_crawler.c -- the reference crawler: one thread, libcurl multi, N transfers, libxml2 DOM parse */
#include "option_number.h"

#include <curl/curl.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The classic single-threaded design people write first with libcurl and libxml2: one multi
 * handle keeps N transfers in flight, each finished body is handed to htmlReadMemory() and the
 * tree is walked for the title and the <a href> count. Parsing runs on the same thread as the
 * transfers, so while a page is parsed no socket is served. Easy handles are kept and re-added
 * for the next URL, so connections are reused from the multi handle's cache.
 */

#define MC_MAX_BODY (10L * 1024 * 1024)
#define MC_TITLE_MAX 256

struct mc_slot {
	CURL *easy;
	char *url;
	char *body;
	size_t len, cap;
	bool too_big;
};

struct mc {
	CURLM *multi;
	struct mc_slot *slots;
	unsigned nslots, busy;
	FILE *in, *out;
	bool parse;
	char *line;
	size_t line_cap;
	unsigned long done, failed;
};

static const char *mc_usage =
	"usage: multi_crawler [-n N] [-o FILE] [--no-parse] URLS_FILE\n"
	"\n"
	"Fetches every URL of URLS_FILE ('-' for stdin) with N transfers in flight (default 8)\n"
	"on one thread and, unless --no-parse, parses each HTML body with libxml2 (DOM) for its\n"
	"title and <a href> count. Writes url, status, bytes, links, title (tab-separated) to FILE\n"
	"(default /dev/null). Exit 0 when every URL was fetched, 1 when some failed, 2 on bad usage.\n";

static size_t mc_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct mc_slot *s = ctx;
	size_t n = size * nmemb;

	if (s->len + n > (size_t)MC_MAX_BODY) {
		s->too_big = true;
		return 0;
	}
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		char *b;

		while (cap < s->len + n)
			cap *= 2;
		b = realloc(s->body, cap);
		if (!b)
			return 0;
		s->body = b;
		s->cap = cap;
	}
	memcpy(s->body + s->len, data, n);
	s->len += n;
	return n;
}

static void mc_walk(xmlNode *node, unsigned *links, char *title, size_t title_size)
{
	for (; node; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)node->name, "a") && xmlHasProp(node, BAD_CAST "href")) {
			(*links)++;
		} else if (!title[0] && !strcmp((const char *)node->name, "title")) {
			xmlChar *text = xmlNodeGetContent(node);

			if (text) {
				snprintf(title, title_size, "%s", (const char *)text);
				xmlFree(text);
			}
		}
		mc_walk(node->children, links, title, title_size);
	}
}

/* Recursion follows the tree depth, which libxml2's HTML parser caps at 256. */
static void mc_parse(const struct mc_slot *s, unsigned *links, char *title)
{
	htmlDocPtr doc;

	*links = 0;
	title[0] = '\0';
	if (s->len == 0 || s->len > (size_t)MC_MAX_BODY)
		return;
	doc = htmlReadMemory(s->body, (int)s->len, s->url, NULL,
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
			     HTML_PARSE_NONET);
	if (!doc)
		return;
	mc_walk(xmlDocGetRootElement(doc), links, title, MC_TITLE_MAX);
	xmlFreeDoc(doc);
	for (char *p = title; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
}

static void mc_finish(struct mc *m, struct mc_slot *s, CURLcode code)
{
	char title[MC_TITLE_MAX] = "";
	unsigned links = 0;
	long status = 0;
	char *ctype = NULL;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ctype);
	if (code == CURLE_OK) {
		if (m->parse && ctype && !strncmp(ctype, "text/html", 9))
			mc_parse(s, &links, title);
		fprintf(m->out, "%s\t%ld\t%zu\t%u\t%s\n", s->url, status, s->len, links, title);
	} else {
		m->failed++;
		fprintf(m->out, "%s\t%ld\t%zu\t\t%s\n", s->url, status, s->len,
			s->too_big ? "too large" : curl_easy_strerror(code));
	}
	m->done++;
	curl_multi_remove_handle(m->multi, s->easy);
	free(s->url);
	s->url = NULL;
	m->busy--;
}

/* The next URL of the list, or NULL at its end; the list is streamed, never loaded whole. */
static const char *mc_next_url(struct mc *m)
{
	ssize_t n;

	while ((n = getline(&m->line, &m->line_cap, m->in)) >= 0) {
		char *p = m->line;

		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
			p[--n] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != '#')
			return p;
	}
	return NULL;
}

static int mc_start(struct mc *m, struct mc_slot *s, const char *url)
{
	s->url = strdup(url);
	if (!s->url)
		return -1;
	s->len = 0;
	s->too_big = false;
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	if (curl_multi_add_handle(m->multi, s->easy) != CURLM_OK) {
		free(s->url);
		s->url = NULL;
		return -1;
	}
	m->busy++;
	return 0;
}

static bool mc_fill(struct mc *m, bool more)
{
	for (unsigned i = 0; more && i < m->nslots; i++) {
		const char *url;

		if (m->slots[i].url)
			continue;
		url = mc_next_url(m);
		if (!url)
			return false;
		if (mc_start(m, &m->slots[i], url) < 0) {
			fprintf(stderr, "multi_crawler: cannot start transfer of '%s'\n", url);
			return false;
		}
	}
	return more;
}

static int mc_run(struct mc *m)
{
	bool more = mc_fill(m, true);
	int running = 0;

	while (m->busy > 0) {
		CURLMsg *msg;
		int left;

		if (curl_multi_perform(m->multi, &running) != CURLM_OK)
			return -1;
		while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
			struct mc_slot *s = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			mc_finish(m, s, msg->data.result);
		}
		more = mc_fill(m, more);
		if (m->busy > 0 && curl_multi_poll(m->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			return -1;
	}
	return 0;
}

static int mc_init_slot(struct mc_slot *s)
{
	s->easy = curl_easy_init();
	if (!s->easy)
		return -1;
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (char *)s);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, mc_write);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(s->easy, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "multi_crawler (crawlpool bench)");
	return 0;
}

static int mc_open(struct mc *m, const char *in, const char *out)
{
	m->in = strcmp(in, "-") ? fopen(in, "re") : stdin;
	if (!m->in) {
		fprintf(stderr, "multi_crawler: cannot read '%s': %s\n", in, strerror(errno));
		return -1;
	}
	m->out = fopen(out, "we");
	if (!m->out) {
		fprintf(stderr, "multi_crawler: cannot write '%s': %s\n", out, strerror(errno));
		return -1;
	}
	m->multi = curl_multi_init();
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (!m->multi || !m->slots)
		return -1;
	/* The connection cache must hold one connection per transfer, or they churn. */
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, (long)m->nslots);
	for (unsigned i = 0; i < m->nslots; i++)
		if (mc_init_slot(&m->slots[i]) < 0)
			return -1;
	return 0;
}

static int mc_close(struct mc *m)
{
	int rc = 0;

	for (unsigned i = 0; m->slots && i < m->nslots; i++) {
		if (m->slots[i].url)
			curl_multi_remove_handle(m->multi, m->slots[i].easy);
		curl_easy_cleanup(m->slots[i].easy);
		free(m->slots[i].url);
		free(m->slots[i].body);
	}
	free(m->slots);
	if (m->multi)
		curl_multi_cleanup(m->multi);
	if (m->out && fclose(m->out) != 0)
		rc = -1;
	if (m->in && m->in != stdin)
		fclose(m->in);
	free(m->line);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-parse", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mc m = { .nslots = 8, .parse = true };
	const char *out = "/dev/null";
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "n:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': {
			long n = option_number("multi_crawler", "-n", optarg, 1, 1024);

			if (n < 0)
				return 2;
			m.nslots = (unsigned)n;
			break;
		}
		case 'o':
			out = optarg;
			break;
		case 'P':
			m.parse = false;
			break;
		case 'h':
			fputs(mc_usage, stdout);
			return 0;
		default:
			fputs(mc_usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(mc_usage, stderr);
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "multi_crawler: curl_global_init failed\n");
		return 1;
	}
	xmlInitParser();
	rc = mc_open(&m, argv[optind], out);
	if (rc == 0)
		rc = mc_run(&m);
	else
		fprintf(stderr, "multi_crawler: setup failed\n");
	if (mc_close(&m) < 0) {
		fprintf(stderr, "multi_crawler: cannot write '%s': %s\n", out, strerror(errno));
		rc = -1;
	}
	xmlCleanupParser();
	curl_global_cleanup();
	if (rc == 0)
		fprintf(stderr, "multi_crawler: %lu urls, %lu failed\n", m.done, m.failed);
	return rc < 0 || m.failed ? 1 : 0;
}
