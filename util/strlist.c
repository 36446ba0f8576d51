/* strlist.c -- a growing list of strings the list owns */
#include "strlist.h"

#include <stdlib.h>
#include <string.h>

/* Room doubles from here: a list of a few names costs one small array. */
enum { STRLIST_FIRST = 16 };

int strlist_add(struct strlist *l, const char *s, size_t len)
{
	char *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : STRLIST_FIRST;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	l->v[l->n++] = copy;
	return 0;
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

void strlist_free(struct strlist *l)
{
	strlist_clear(l);
	free(l->v);
	*l = (struct strlist){ 0 };
}
