/* same_file.c -- whether two names given on a command line are one file, made yet or not */
#include "same_file.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The file that writing path would make, as its directory's real path and
 * its last name; false when the directory cannot be resolved.
 */
static bool would_make(const char *path, char out[PATH_MAX + NAME_MAX + 2])
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char dir[PATH_MAX], real[PATH_MAX];
	size_t dir_len = slash ? (size_t)(slash - path) : 0;

	if (dir_len >= sizeof(dir) || strlen(name) > NAME_MAX)
		return false;
	if (!slash)
		strcpy(dir, ".");
	else if (dir_len == 0)
		strcpy(dir, "/");
	else {
		memcpy(dir, path, dir_len);
		dir[dir_len] = '\0';
	}
	if (!realpath(dir, real))
		return false;
	strcpy(out, real);
	strcat(out, "/");
	strcat(out, name);
	return true;
}

bool same_file(const char *a, const char *b)
{
	char made_a[PATH_MAX + NAME_MAX + 2], made_b[PATH_MAX + NAME_MAX + 2];
	struct stat sa, sb;
	bool has_a = stat(a, &sa) == 0, has_b = stat(b, &sb) == 0;

	if (has_a || has_b)
		return has_a && has_b && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return would_make(a, made_a) && would_make(b, made_b) && strcmp(made_a, made_b) == 0;
}
