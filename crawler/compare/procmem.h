/* procmem.h -- memory of a whole process tree, shared pages counted once */
#ifndef CRAWLPOOL_PROCMEM_H
#define CRAWLPOOL_PROCMEM_H

#include <sys/types.h>

/*
 * Sum of the proportional set size (PSS, kB) of a process and all its
 * descendants, read from /proc: pages shared between a parent and its forked
 * workers are split between them, so the sum counts each page once.
 * Returns -1 when the root process is gone.
 */
long procmem_tree_pss_kib(pid_t root);

#endif
