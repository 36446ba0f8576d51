/* strlist.h -- a growing list of strings the list owns */
#ifndef CRAWLPOOL_STRLIST_H
#define CRAWLPOOL_STRLIST_H

#include <stddef.h>

struct strlist {
	char **v;
	size_t n, cap;
};

/* Appends a copy of the len bytes at s (a string of its own, NUL-terminated): 0, or -1 out of memory. */
int strlist_add(struct strlist *l, const char *s, size_t len);
/* Frees the strings; the list is empty and keeps its room. */
void strlist_clear(struct strlist *l);
/* Frees the strings and the list; it is empty again, as { 0 }. */
void strlist_free(struct strlist *l);

#endif
