/* sources.c -- where a crawl's URLs come from: URLs given as arguments and list files, in order */
#include "sources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "urllist.h"

struct source {
	const char *arg;
	struct urllist *list;	/* NULL for a URL given as an argument */
	char name[64];
};

struct sources {
	struct source *src;
	struct stat *stats;	/* one per list file */
	size_t n, n_stats;
	size_t at;		/* the source being read */
};

bool sources_is_url(const char *arg)
{
	return strncasecmp(arg, "http://", 7) == 0 || strncasecmp(arg, "https://", 8) == 0;
}

/*
 * A missing file named like a URL without its scheme: 127.0.0.1:8931/x,
 * 127.0.0.1/x, example.com/x, www.example.com; not urls.txt, dir/urls.txt, ./urls.txt
 * or data.v2/urls.txt (a host name's last label has no digit).
 */
static bool sources_schemeless_url(const char *arg)
{
	size_t host = strcspn(arg, "/:");
	const char *dot = memrchr(arg, '.', host);

	if (access(arg, F_OK) == 0 || errno != ENOENT || host == 0 || arg[0] == '.')
		return false;
	/* HOST:PORT */
	if (arg[host] == ':' && arg[host + 1] >= '0' && arg[host + 1] <= '9')
		return true;
	if (strncasecmp(arg, "www.", 4) == 0)
		return true;
	if (arg[host] != '/' || !dot || dot + 1 == arg + host)
		return false;
	if (strspn(arg, "0123456789.") == host)
		return true;	/* 127.0.0.1/x */
	for (const char *p = dot + 1; p < arg + host; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

struct sources *sources_open(const char *const *args, size_t n, char *err, size_t errlen)
{
	struct sources *s = calloc(1, sizeof(*s));

	if (!s || !(s->src = calloc(n ? n : 1, sizeof(*s->src))) ||
	    !(s->stats = calloc(n ? n : 1, sizeof(*s->stats)))) {
		snprintf(err, errlen, "out of memory");
		sources_close(s);
		return NULL;
	}
	for (; s->n < n; s->n++) {
		struct source *src = &s->src[s->n];

		src->arg = args[s->n];
		if (strcmp(src->arg, "-") == 0)
			snprintf(src->name, sizeof(src->name), "standard input");
		else
			snprintf(src->name, sizeof(src->name), "'%.60s'", src->arg);
		if (sources_is_url(src->arg))
			continue;
		src->list = urllist_open(src->arg, err, errlen);
		if (!src->list) {
			/* ftp://host/ was meant as a URL, not a file name */
			if (strstr(src->arg, "://"))
				snprintf(err + strlen(err), errlen - strlen(err),
					 " (only http:// and https:// arguments are URLs)");
			else if (sources_schemeless_url(src->arg))
				snprintf(err + strlen(err), errlen - strlen(err),
					 " (a URL needs http:// or https:// in front)");
			goto fail;
		}
		if (fstat(urllist_fd(src->list), &s->stats[s->n_stats]) < 0) {
			snprintf(err, errlen, "cannot read url list %s: %s", src->name, strerror(errno));
			s->n++;
			goto fail;
		}
		s->n_stats++;
	}
	return s;

fail:
	sources_close(s);
	return NULL;
}

void sources_close(struct sources *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		urllist_close(s->src[i].list);
	free(s->src);
	free(s->stats);
	free(s);
}

int sources_next(struct sources *s, const char **line, size_t *len, bool *truncated)
{
	while (s->at < s->n) {
		struct source *src = &s->src[s->at];
		int rc;

		if (!src->list) {
			s->at++;
			*line = src->arg;
			*len = strlen(src->arg);
			*truncated = *len > URLLIST_LINE_MAX;
			return 1;
		}
		rc = urllist_next(src->list, line, len, truncated);
		if (rc != 0)
			return rc;
		s->at++;
	}
	return 0;
}

void sources_nowait(struct sources *s, bool on)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->src[i].list)
			urllist_nowait(s->src[i].list, on);
}

int sources_fd(const struct sources *s)
{
	return s->at < s->n && s->src[s->at].list ? urllist_fd(s->src[s->at].list) : -1;
}

const char *sources_name(const struct sources *s)
{
	return s->at < s->n ? s->src[s->at].name : "";
}

const char *sources_error(const struct sources *s)
{
	return s->at < s->n && s->src[s->at].list ? urllist_error(s->src[s->at].list) : "";
}

const struct stat *sources_stats(const struct sources *s, size_t *n)
{
	*n = s->n_stats;
	return s->stats;
}

long sources_count(const char *const *args, size_t n)
{
	long total = 0;

	for (size_t i = 0; i < n; i++) {
		long count = sources_is_url(args[i]) ? 1 : urllist_count(args[i]);

		if (count < 0)
			return -1;
		total += count;
	}
	return total;
}
