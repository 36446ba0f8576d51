/* same_file.h -- whether two names given on a command line are one file, made yet or not */
#ifndef CRAWLPOOL_SAME_FILE_H
#define CRAWLPOOL_SAME_FILE_H

#include <stdbool.h>

/*
 * True when a and b name one file: the same inode when both exist (links,
 * "./x" and "x", a symbolic link and its target), or, when neither exists
 * yet, the same name in the same directory (followed through links) — the
 * file that writing either would make. A name that exists and one that
 * does not are never the same file.
 */
bool same_file(const char *a, const char *b);

#endif
