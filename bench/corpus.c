/* corpus.c -- the pages of a demo-site --export directory for the parse benchmarks: listed once, read one at a time */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool corpus_is_html(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcasecmp(name + n - 5, ".html") == 0;
}

/* Adds pagedir/name to the list; false when there is no memory for it. */
static bool corpus_add(struct corpus *c, size_t *cap, const char *pagedir, const char *name)
{
	size_t len = strlen(pagedir) + strlen(name) + 2;

	if (c->n == *cap) {
		size_t more = *cap ? *cap * 2 : 1024;
		char **p = realloc(c->paths, more * sizeof(*p));

		if (!p)
			return false;
		c->paths = p;
		*cap = more;
	}
	c->paths[c->n] = malloc(len);
	if (!c->paths[c->n])
		return false;
	snprintf(c->paths[c->n++], len, "%s/%s", pagedir, name);
	return true;
}

int corpus_list(struct corpus *c, const char *dir, enum corpus_where where, size_t limit)
{
	size_t plen = strlen(dir) + 8, cap = 0;
	char *pagedir = malloc(plen);
	struct dirent *d;
	DIR *dp;

	if (!pagedir)
		return -1;
	snprintf(pagedir, plen, "%s/page", dir);
	dp = opendir(pagedir);
	if (!dp && where == CORPUS_PAGE_DIR_OR_DIR) {
		snprintf(pagedir, plen, "%s", dir);
		dp = opendir(pagedir);
	}
	if (!dp) {
		int saved = errno;

		free(pagedir);
		errno = saved;
		return -1;
	}
	/* Out of memory, the list stops where it is: a smaller corpus still measures. */
	while ((d = readdir(dp)) != NULL && (limit == 0 || c->n < limit))
		if (corpus_is_html(d->d_name) && !corpus_add(c, &cap, pagedir, d->d_name))
			break;
	closedir(dp);
	free(pagedir);
	return 0;
}

int corpus_read(struct corpus *c, size_t i, size_t *len)
{
	FILE *f = fopen(c->paths[i], "re");
	long size;
	int saved;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto fail;
	if ((size_t)size > c->cap) {
		char *b = realloc(c->buf, (size_t)size);

		if (!b)
			goto fail;
		c->buf = b;
		c->cap = (size_t)size;
	}
	if (fread(c->buf, 1, (size_t)size, f) != (size_t)size)
		goto fail;
	fclose(f);
	*len = (size_t)size;
	return 0;
fail:
	saved = errno;
	if (f)
		fclose(f);
	errno = saved;
	return -1;
}

void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->paths[i]);
	free(c->paths);
	free(c->buf);
	*c = (struct corpus){ 0 };
}
