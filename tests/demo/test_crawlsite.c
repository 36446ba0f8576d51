/* test_crawlsite.c -- the per-host stats table, and the /links/ pages against the URL sets crawlsite.c documents */
#include "crawlsite.h"
#include "hoststats.h"

#include <ctype.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

/* ---- hoststats ------------------------------------------------------------ */

static char json[HOSTSTATS_JSON_MAX];

static const char *stats_json(struct hoststats *s, bool reset)
{
	assert_true(hoststats_json(s, json, sizeof(json), reset) > 0);
	return json;
}

static void test_stats_one_host(void **state)
{
	struct hoststats *s = hoststats_new();
	struct hoststats_entry *a, *b;

	(void)state;
	assert_non_null(s);
	assert_string_equal(stats_json(s, false), "{}");
	a = hoststats_begin(s, "127.0.0.1:80", 12, 1000000);
	hoststats_end(s, a);
	assert_string_equal(stats_json(s, false),
			    "{\"127.0.0.1:80\":{\"requests\":1,\"max_concurrent\":1,\"min_gap_ms\":-1,"
			    "\"min_gap_us\":-1,\"in_flight\":0}}");
	/* two at once, 250.5 ms and then 150 ms after the first start */
	a = hoststats_begin(s, "127.0.0.1:80", 12, 1250500);
	b = hoststats_begin(s, "127.0.0.1:80", 12, 1400500);
	assert_ptr_equal(a, b);
	assert_non_null(strstr(stats_json(s, false), "\"in_flight\":2"));
	hoststats_end(s, a);
	hoststats_end(s, b);
	assert_string_equal(stats_json(s, false),
			    "{\"127.0.0.1:80\":{\"requests\":3,\"max_concurrent\":2,\"min_gap_ms\":150,"
			    "\"min_gap_us\":150000,\"in_flight\":0}}");
	hoststats_free(s);
	hoststats_free(NULL);
}

/* A start read from the clock before another's but counted after it is a gap of 0, not negative. */
static void test_stats_out_of_order(void **state)
{
	struct hoststats *s = hoststats_new();

	(void)state;
	hoststats_end(s, hoststats_begin(s, "h", 1, 5000));
	hoststats_end(s, hoststats_begin(s, "h", 1, 4000));
	assert_non_null(strstr(stats_json(s, false), "\"min_gap_us\":0,"));
	hoststats_end(s, hoststats_begin(s, "h", 1, 9000));
	assert_non_null(strstr(stats_json(s, false), "\"min_gap_us\":0,"));
	hoststats_free(s);
}

static void test_stats_hosts_apart(void **state)
{
	struct hoststats *s = hoststats_new();
	char key[32], bad[HOSTSTATS_KEY_MAX + 2];

	(void)state;
	for (unsigned i = 0; i < HOSTSTATS_MAX_HOSTS; i++) {
		int n = snprintf(key, sizeof(key), "h%u", i);

		hoststats_end(s, hoststats_begin(s, key, (size_t)n, i));
	}
	/* past the table, unfit for JSON, or too long: all counted as one other host */
	hoststats_end(s, hoststats_begin(s, "one-more", 8, 100));
	hoststats_end(s, hoststats_begin(s, "a\"b", 3, 200));
	memset(bad, 'x', sizeof(bad));
	hoststats_end(s, hoststats_begin(s, bad, HOSTSTATS_KEY_MAX + 1, 300));
	hoststats_end(s, hoststats_begin(s, "", 0, 400));
	/* a known host is still its own */
	hoststats_end(s, hoststats_begin(s, "h7", 2, 500));
	stats_json(s, false);
	assert_non_null(strstr(json, "{\"h0\":{\"requests\":1,"));
	assert_non_null(strstr(json, ",\"h7\":{\"requests\":2,"));
	assert_non_null(strstr(json, ",\"h63\":{\"requests\":1,"));
	assert_non_null(strstr(json, ",\"(other)\":{\"requests\":4,\"max_concurrent\":1,"
				     "\"min_gap_ms\":0,\"min_gap_us\":100,"));
	assert_null(strstr(json, "one-more"));
	hoststats_free(s);
}

static void test_stats_reset(void **state)
{
	struct hoststats *s = hoststats_new();
	struct hoststats_entry *slow, *e;
	char small[40];

	(void)state;
	slow = hoststats_begin(s, "h", 1, 0);
	hoststats_end(s, hoststats_begin(s, "h", 1, 10000));
	/* too small: nothing written, nothing reset */
	assert_int_equal(hoststats_json(s, small, sizeof(small), true), 0);
	assert_non_null(strstr(stats_json(s, true), "\"requests\":2,\"max_concurrent\":2,"));
	assert_string_equal(stats_json(s, false), "{}");
	/* the request begun before the reset still overlaps the next one */
	e = hoststats_begin(s, "h", 1, 20000);
	assert_string_equal(stats_json(s, false),
			    "{\"h\":{\"requests\":1,\"max_concurrent\":2,\"min_gap_ms\":-1,"
			    "\"min_gap_us\":-1,\"in_flight\":2}}");
	hoststats_end(s, e);
	hoststats_end(s, slow);
	assert_non_null(strstr(stats_json(s, false), "\"in_flight\":0}"));
	hoststats_free(s);
}

enum { THREADS = 4, ROUNDS = 20000 };

static struct hoststats *shared;

static void *hammer(void *arg)
{
	uintptr_t id = (uintptr_t)arg;

	for (int i = 0; i < ROUNDS; i++) {
		const char *key = (i + (int)id) % 2 ? "odd" : "even";
		struct hoststats_entry *e = hoststats_begin(shared, key, strlen(key), i);

		if (i % 1000 == 0) {
			char mine[HOSTSTATS_JSON_MAX];

			assert_true(hoststats_json(shared, mine, sizeof(mine), false) > 0);
		}
		hoststats_end(shared, e);
	}
	return NULL;
}

/* Under ThreadSanitizer this is the race check; anywhere, no count is lost. */
static void test_stats_threads(void **state)
{
	pthread_t t[THREADS];
	unsigned long long odd = 0, even = 0;
	unsigned max_odd = 0, max_even = 0;
	const char *p;

	(void)state;
	shared = hoststats_new();
	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	stats_json(shared, false);
	p = strstr(json, "\"odd\":");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "\"odd\":{\"requests\":%llu,\"max_concurrent\":%u", &odd, &max_odd), 2);
	p = strstr(json, "\"even\":");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "\"even\":{\"requests\":%llu,\"max_concurrent\":%u", &even, &max_even), 2);
	assert_int_equal(odd + even, (unsigned long long)THREADS * ROUNDS);
	assert_int_equal(odd, even);
	assert_true(max_odd >= 1 && max_odd <= THREADS);
	assert_true(max_even >= 1 && max_even <= THREADS);
	assert_null(strstr(json, "\"in_flight\":1"));
	hoststats_free(shared);
}

/* ---- /links/ pages ---------------------------------------------------------- */

#define SELF "127.0.0.1:8931"
#define OTHER "127.0.0.2:8931"
#define S "http://" SELF "/links/"
#define O "http://" OTHER "/links/"
#define URL_MAX 256

static void test_links_render(void **state)
{
	char buf[CRAWLSITE_PAGE_MAX], title[128];
	bool redirect;
	size_t n;
	unsigned pages = 0;

	(void)state;
	for (const char *name; (name = crawlsite_links_name(pages)) != NULL; pages++) {
		n = crawlsite_links_render(name, strlen(name), SELF, OTHER, buf, sizeof(buf),
					   &redirect);
		assert_true(n > 0);
		assert_int_equal(strlen(buf), n);
		if (strcmp(name, "moved.html") == 0) {
			assert_true(redirect);
			assert_string_equal(buf, O "landed.html");
			continue;
		}
		assert_false(redirect);
		assert_non_null(strstr(buf, "<title>Links: "));
		assert_int_equal(strncmp(buf + n - 8, "</html>\n", 8), 0);
		/* the title is repeated as the h1 */
		assert_int_equal(sscanf(strstr(buf, "<title>") + 7, "%100[^<]", title + 13), 1);
		memcpy(title, "<h1 id=\"top\">", 13);
		assert_non_null(strstr(buf, title));
		assert_null(strstr(buf, "{S}"));
		assert_null(strstr(buf, "{O}"));
		/* too small a buffer renders nothing */
		assert_int_equal(crawlsite_links_render(name, strlen(name), SELF, OTHER, buf, n,
							&redirect), 0);
	}
	assert_int_equal(pages, 20);
	assert_int_equal(crawlsite_links_render("index.htm", 9, SELF, OTHER, buf, sizeof(buf),
						&redirect), 0);
	assert_int_equal(crawlsite_links_render("%41.html", 8, SELF, OTHER, buf, sizeof(buf),
						&redirect), 0);
	assert_int_equal(crawlsite_links_render("e.html", 6, SELF, OTHER, buf, sizeof(buf),
						&redirect), 0);
	/* absolute links name the host the client asked for */
	crawlsite_links_render("index.html", 10, "localhost:1", OTHER, buf, sizeof(buf), &redirect);
	assert_non_null(strstr(buf, "href=\"http://localhost:1/links/a.html\""));
}

/*
 * A small crawler of its own, so the sets crawlsite.c documents are checked
 * by something that does not share the crawler's code: RFC 3986 resolution
 * (5.2), scheme and host lower-cased, %XX of unreserved characters decoded,
 * fragment dropped.
 */
struct uri {
	char scheme[16], authority[64], path[URL_MAX], query[URL_MAX];
	bool has_authority, has_query;
};

/* Splits an absolute URL or a reference; false if it is too long. */
static bool uri_split(const char *s, struct uri *u)
{
	const char *p = s, *colon = strpbrk(s, ":/?#");
	size_t n;

	memset(u, 0, sizeof(*u));
	if (colon && *colon == ':' && colon > s) {
		if ((size_t)(colon - s) >= sizeof(u->scheme))
			return false;
		for (size_t i = 0; i < (size_t)(colon - s); i++)
			u->scheme[i] = (char)tolower((unsigned char)s[i]);
		p = colon + 1;
	}
	if (strncmp(p, "//", 2) == 0) {
		n = strcspn(p + 2, "/?#");
		if (n >= sizeof(u->authority))
			return false;
		memcpy(u->authority, p + 2, n);
		for (size_t i = 0; i < n; i++)
			u->authority[i] = (char)tolower((unsigned char)u->authority[i]);
		u->has_authority = true;
		p += 2 + n;
	}
	n = strcspn(p, "?#");
	if (n >= sizeof(u->path))
		return false;
	memcpy(u->path, p, n);
	p += n;
	if (*p == '?') {
		n = strcspn(p + 1, "#");
		if (n >= sizeof(u->query))
			return false;
		memcpy(u->query, p + 1, n);
		u->has_query = true;
	}
	return true;
}

/* RFC 3986 5.2.4, in place. */
static void remove_dots(char *path)
{
	char out[URL_MAX] = "";
	const char *in = path;

	while (*in) {
		if (strncmp(in, "../", 3) == 0) {
			in += 3;
		} else if (strncmp(in, "./", 2) == 0) {
			in += 2;
		} else if (strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in = "/";
		} else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
			char *slash = strrchr(out, '/');

			if (slash)
				*slash = '\0';
			in = in[3] ? in + 3 : "/";
		} else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0) {
			in += strlen(in);
		} else {
			size_t n = 1 + strcspn(in + 1, "/");

			strncat(out, in, n);
			in += n;
		}
	}
	strcpy(path, out);
}

/* RFC 3986 5.2.3. */
static void merge(const struct uri *base, const char *ref_path, char *out)
{
	const char *slash = strrchr(base->path, '/');
	int n;

	if (base->has_authority && base->path[0] == '\0')
		n = snprintf(out, URL_MAX, "/%s", ref_path);
	else
		n = snprintf(out, URL_MAX, "%.*s%s", slash ? (int)(slash - base->path + 1) : 0,
			     base->path, ref_path);
	assert_true(n > 0 && n < URL_MAX);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void decode_unreserved(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '%' && hexval(r[1]) >= 0 && hexval(r[2]) >= 0) {
			char c = (char)(hexval(r[1]) * 16 + hexval(r[2]));

			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || strchr("-._~", c)) {
				*w++ = c;
				r += 2;
				continue;
			}
		}
		*w++ = *r;
	}
	*w = '\0';
}

/* The normalised absolute URL of ref on a page at base; false for another scheme. */
static bool resolve(const char *base_url, const char *ref, char out[URL_MAX])
{
	struct uri b, r, t;
	int n;

	assert_true(uri_split(base_url, &b));
	assert_true(uri_split(ref, &r));
	memset(&t, 0, sizeof(t));
	if (r.scheme[0]) {
		t = r;
		remove_dots(t.path);
	} else {
		strcpy(t.scheme, b.scheme);
		if (r.has_authority) {
			strcpy(t.authority, r.authority);
			strcpy(t.path, r.path);
			remove_dots(t.path);
			strcpy(t.query, r.query);
			t.has_query = r.has_query;
		} else {
			strcpy(t.authority, b.authority);
			if (r.path[0] == '\0') {
				strcpy(t.path, b.path);
				strcpy(t.query, r.has_query ? r.query : b.query);
				t.has_query = r.has_query || b.has_query;
			} else {
				if (r.path[0] == '/')
					strcpy(t.path, r.path);
				else
					merge(&b, r.path, t.path);
				remove_dots(t.path);
				strcpy(t.query, r.query);
				t.has_query = r.has_query;
			}
		}
	}
	if (strcmp(t.scheme, "http") != 0 && strcmp(t.scheme, "https") != 0)
		return false;
	decode_unreserved(t.path);
	n = snprintf(out, URL_MAX, "%s://%s%s%s%s", t.scheme, t.authority,
		     t.path[0] ? t.path : "/", t.has_query ? "?" : "", t.query);
	assert_true(n > 0 && n < URL_MAX);
	return true;
}

static void test_resolve(void **state)
{
	char out[URL_MAX];

	(void)state;
	/* RFC 3986 5.4 examples that the pages rely on */
	assert_true(resolve("http://a/b/c/d;p?q", "../../g", out));
	assert_string_equal(out, "http://a/g");
	assert_true(resolve("http://a/b/c/d;p?q", "/./g", out));
	assert_string_equal(out, "http://a/g");
	assert_true(resolve("http://a/b/c/d;p?q", "../../../g", out));
	assert_string_equal(out, "http://a/g");
	assert_true(resolve("http://a/b/c/d;p?q", "#s", out));
	assert_string_equal(out, "http://a/b/c/d;p?q");
	assert_true(resolve("http://a/b/c/d;p?q", "g/./h/../i", out));
	assert_string_equal(out, "http://a/b/c/g/i");
	assert_false(resolve("http://a/b", "mailto:x@y", out));
}

struct crawl_opts {
	unsigned max_depth;	/* UINT_MAX: no limit */
	bool nofollow;		/* obey rel and meta nofollow */
	bool any_host;
};

struct found {
	char url[64][URL_MAX];
	unsigned depth[64];
	size_t n;
};

static bool attr_has_token(xmlNode *n, const char *attr, const char *token)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	bool found = false;

	if (!v)
		return false;
	for (char *tok = strtok((char *)v, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
		if (strcasecmp(tok, token) == 0)
			found = true;
	xmlFree(v);
	return found;
}

/* Collects a page's links: base URL from <base href>, nofollow from meta and rel. */
struct page_links {
	char base[URL_MAX];
	bool meta_nofollow;
	char href[32][URL_MAX];
	bool nofollow[32];
	size_t n;
};

static void walk(xmlNode *n, struct page_links *pl)
{
	for (; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			const char *tag = (const char *)n->name;
			xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");

			if (strcasecmp(tag, "base") == 0 && href) {
				char resolved[URL_MAX];

				assert_true(resolve(pl->base, (const char *)href, resolved));
				strcpy(pl->base, resolved);
			} else if ((strcasecmp(tag, "a") == 0 || strcasecmp(tag, "area") == 0) && href) {
				assert_true(pl->n < 32);
				snprintf(pl->href[pl->n], URL_MAX, "%s", (const char *)href);
				pl->nofollow[pl->n++] = attr_has_token(n, "rel", "nofollow");
			} else if (strcasecmp(tag, "meta") == 0) {
				xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");

				if (name && strcasecmp((const char *)name, "robots") == 0 &&
				    attr_has_token(n, "content", "nofollow"))
					pl->meta_nofollow = true;
				xmlFree(name);
			}
			xmlFree(href);
		}
		walk(n->children, pl);
	}
}

static bool found_has(const struct found *f, const char *url)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->url[i], url) == 0)
			return true;
	return false;
}

/* Breadth first from S index.html, as a crawl with these options would go. */
static void crawl(const struct crawl_opts *o, struct found *f)
{
	char body[CRAWLSITE_PAGE_MAX];

	f->n = 0;
	strcpy(f->url[f->n], S "index.html");
	f->depth[f->n++] = 0;
	for (size_t at = 0; at < f->n; at++) {
		const char *url = f->url[at], *name = url + strlen(S), *self = SELF;
		struct page_links pl = { .n = 0 };
		htmlDocPtr doc;
		bool redirect;
		size_t len;

		/* a page on the other host names itself by the Host the client sends there */
		if (strncmp(url, O, strlen(O)) == 0) {
			name = url + strlen(O);
			self = OTHER;
		} else if (strncmp(url, S, strlen(S)) != 0)
			fail_msg("a link leads off the site: %s", url);
		len = crawlsite_links_render(name, strlen(name), self, OTHER, body, sizeof(body),
					     &redirect);
		if (len == 0)
			fail_msg("a link leads to a missing page: %s", url);
		if (redirect || f->depth[at] == o->max_depth)
			continue;
		strcpy(pl.base, url);
		doc = htmlReadMemory(body, (int)len, url, "utf-8",
				     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
		assert_non_null(doc);
		walk(xmlDocGetRootElement(doc), &pl);
		xmlFreeDoc(doc);
		if (o->nofollow && pl.meta_nofollow)
			continue;
		for (size_t i = 0; i < pl.n; i++) {
			char target[URL_MAX];

			if ((o->nofollow && pl.nofollow[i]) || !resolve(pl.base, pl.href[i], target))
				continue;
			if (!o->any_host && strncmp(target, "http://" SELF "/", strlen(SELF) + 8) != 0)
				continue;
			if (found_has(f, target))
				continue;
			assert_true(f->n < 64);
			strcpy(f->url[f->n], target);
			f->depth[f->n++] = f->depth[at] + 1;
		}
	}
}

/* The URLs found, as "depth url" lines, sorted, for comparing with what crawlsite.c says. */
static void check(const struct crawl_opts *o, const char *const *want)
{
	struct found f;
	size_t n = 0;

	crawl(o, &f);
	for (; want[n]; n++) {
		unsigned depth;
		char url[URL_MAX];
		bool seen = false;

		assert_int_equal(sscanf(want[n], "%u %255s", &depth, url), 2);
		for (size_t i = 0; i < f.n; i++) {
			if (strcmp(f.url[i], url) == 0) {
				if (f.depth[i] != depth)
					fail_msg("%s: depth %u, expected %u", url, f.depth[i], depth);
				seen = true;
			}
		}
		if (!seen)
			fail_msg("%s not reached", url);
	}
	if (f.n != n) {
		for (size_t i = 0; i < f.n; i++)
			print_message("reached: %u %s\n", f.depth[i], f.url[i]);
		fail_msg("%zu URLs reached, expected %zu", f.n, n);
	}
}

static const char *const depth1[] = {
	"0 " S "index.html", "1 " S "a.html", "1 " S "b.html", "1 " S "A.html",
	"1 " S "area.html", "1 " S "d0.html", NULL,
};
static const char *const depth2[] = {
	"0 " S "index.html", "1 " S "a.html", "1 " S "b.html", "1 " S "A.html",
	"1 " S "area.html", "1 " S "d0.html", "2 " S "sub/c.html", "2 " S "base.html",
	"2 " S "meta-nofollow.html", "2 " S "moved.html", "2 " S "private/secret.html",
	"2 " S "d1.html", NULL,
};
static const char *const unlimited[] = {
	"0 " S "index.html", "1 " S "a.html", "1 " S "b.html", "1 " S "A.html",
	"1 " S "area.html", "1 " S "d0.html", "2 " S "sub/c.html", "2 " S "base.html",
	"2 " S "meta-nofollow.html", "2 " S "moved.html", "2 " S "private/secret.html",
	"2 " S "d1.html", "3 " S "sub/e.html", "3 " S "d2.html", "4 " S "d3.html",
	"5 " S "d4.html", NULL,
};
static const char *const unlimited_no_nofollow[] = {
	"0 " S "index.html", "1 " S "a.html", "1 " S "b.html", "1 " S "A.html",
	"1 " S "area.html", "1 " S "d0.html", "1 " S "nofollow.html", "2 " S "sub/c.html",
	"2 " S "base.html", "2 " S "meta-nofollow.html", "2 " S "moved.html",
	"2 " S "private/secret.html", "2 " S "d1.html", "3 " S "sub/e.html", "3 " S "d2.html",
	"3 " S "hidden.html", "4 " S "d3.html", "5 " S "d4.html", NULL,
};
static const char *const unlimited_any_host[] = {
	"0 " S "index.html", "1 " S "a.html", "1 " S "b.html", "1 " S "A.html",
	"1 " S "area.html", "1 " S "d0.html", "2 " S "sub/c.html", "2 " S "base.html",
	"2 " S "meta-nofollow.html", "2 " S "moved.html", "2 " S "private/secret.html",
	"2 " S "d1.html", "2 " O "elsewhere.html", "3 " S "sub/e.html", "3 " S "d2.html",
	"4 " S "d3.html", "5 " S "d4.html", NULL,
};

static void test_links_sets(void **state)
{
	(void)state;
	check(&(struct crawl_opts){ .max_depth = 0, .nofollow = true },
	      (const char *const[]){ "0 " S "index.html", NULL });
	check(&(struct crawl_opts){ .max_depth = 1, .nofollow = true }, depth1);
	check(&(struct crawl_opts){ .max_depth = 2, .nofollow = true }, depth2);
	check(&(struct crawl_opts){ .max_depth = ~0u, .nofollow = true }, unlimited);
	check(&(struct crawl_opts){ .max_depth = 5, .nofollow = true }, unlimited);
	check(&(struct crawl_opts){ .max_depth = ~0u, .nofollow = false }, unlimited_no_nofollow);
	check(&(struct crawl_opts){ .max_depth = ~0u, .nofollow = true, .any_host = true },
	      unlimited_any_host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_one_host),
		cmocka_unit_test(test_stats_out_of_order),
		cmocka_unit_test(test_stats_hosts_apart),
		cmocka_unit_test(test_stats_reset),
		cmocka_unit_test(test_stats_threads),
		cmocka_unit_test(test_links_render),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_links_sets),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	xmlCleanupParser();
	return rc;
}
