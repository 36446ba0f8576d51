/*
 * tear_write.c -- an LD_PRELOAD module that kills its process half way through a row.
 *
 * A kill -9 that lands while the parent writes rows can leave the output
 * ending inside a row, but no test can time a signal that finely. Preloaded
 * with CRAWLPOOL_TEAR_PATH=FILE and CRAWLPOOL_TEAR_AT=N, this module lets
 * every write(2) through until one would take FILE past byte N; of that
 * write it lets through only the rows before byte N and the first half of
 * the row that holds it, then sends SIGKILL to its own process. The file
 * then ends the way a kill at that instant leaves it: whole rows, then half
 * of one, with nothing flushed or cleaned up after.
 */
#define _GNU_SOURCE		/* RTLD_NEXT */
#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef ssize_t write_fn(int fd, const void *buf, size_t len);

/* True when fd is the file named by CRAWLPOOL_TEAR_PATH. */
static int is_torn_file(int fd, const char *path)
{
	char link[32], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return strcmp(target, path) == 0;
}

/* How many bytes of buf to let through: up to half of the row that holds byte `at`. */
static size_t torn_length(const char *buf, size_t len, size_t at)
{
	size_t start = at, end = at;

	while (start > 0 && buf[start - 1] != '\n')
		start--;
	while (end < len && buf[end] != '\n')
		end++;
	return start + (end - start) / 2;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static write_fn *real_write;
	const char *path = getenv("CRAWLPOOL_TEAR_PATH");
	const char *at_text = getenv("CRAWLPOOL_TEAR_AT");
	struct stat st;

	if (!real_write)
		real_write = (write_fn *)dlsym(RTLD_NEXT, "write");
	if (path && at_text && len > 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    is_torn_file(fd, path)) {
		unsigned long long at = strtoull(at_text, NULL, 10);
		unsigned long long end = (unsigned long long)st.st_size + len;

		if ((unsigned long long)st.st_size <= at && end > at) {
			size_t keep = torn_length(buf, len, (size_t)(at - st.st_size));

			if (keep > 0)
				real_write(fd, buf, keep);
			kill(getpid(), SIGKILL);
		}
	}
	return real_write(fd, buf, len);
}
