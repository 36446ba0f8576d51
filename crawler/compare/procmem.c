/* procmem.c -- memory of a whole process tree, shared pages counted once */
#include "procmem.h"

#include <stdio.h>
#include <string.h>

/* Deep enough for a crawl (parent, workers, their resolver threads). */
enum { MAX_DEPTH = 4 };

static long pss_of(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Pss: %ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib;
}

static long tree_pss(pid_t pid, int depth)
{
	char path[64];
	long total = pss_of(pid);
	FILE *f;
	int child;

	if (total < 0 || depth >= MAX_DEPTH)
		return total;
	/* Children forked by the main thread; the crawl forks only from there. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (!f)
		return total;
	while (fscanf(f, "%d", &child) == 1) {
		long kib = tree_pss((pid_t)child, depth + 1);

		if (kib > 0)
			total += kib;
	}
	fclose(f);
	return total;
}

long procmem_tree_pss_kib(pid_t root)
{
	return tree_pss(root, 0);
}
