/* ticket_store.c -- the ticket store: a JSON file {"count":K}, parsed strictly, replaced atomically */
#include "json_strict.h"
#include "ticket_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netutil.h"

int ticket_fail(char *err, const char *fmt, ...)
{
	int saved = errno;

	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, TICKET_ERR_LEN, fmt, ap);
		va_end(ap);
	}
	errno = saved;
	return -1;
}

/* Reads the whole file into buf (cap bytes). Its length, or -1. */
static ssize_t read_small_file(const char *path, char *buf, size_t cap, char *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return ticket_fail(err, "cannot open store '%s': %s", path, strerror(errno));
	n = net_read_full(fd, buf, cap);
	if (n < 0) {
		ticket_fail(err, "cannot read store '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if ((size_t)n == cap)
		return ticket_fail(err, "store '%s' is larger than %zu bytes: not a ticket store",
				   path, cap - 1);
	return n;
}

static struct json_object *parse_strict(const char *path, const char *buf, size_t len,
					char *err)
{
	const char *why;
	struct json_object *doc = json_strict_parse(buf, len, false, &why);

	if (!doc)
		ticket_fail(err, "store '%s' is not valid JSON: %s", path,
			    len == 0 ? "the file is empty" : why);
	return doc;
}

int ticket_store_read(const char *path, long *count, char *err)
{
	char buf[TICKET_STORE_MAX_BYTES + 1];
	struct json_object *doc, *v;
	ssize_t n = read_small_file(path, buf, sizeof(buf), err);
	int64_t value;
	int rc = -1;

	if (n < 0)
		return -1;
	doc = parse_strict(path, buf, (size_t)n, err);
	if (!doc)
		return -1;
	if (!json_object_is_type(doc, json_type_object))
		ticket_fail(err, "store '%s' is not a JSON object", path);
	else if (!json_object_object_get_ex(doc, "count", &v))
		ticket_fail(err, "store '%s' has no \"count\"", path);
	else if (!json_object_is_type(v, json_type_int))
		ticket_fail(err, "store '%s': \"count\" is not an integer", path);
	else if ((value = json_object_get_int64(v)) < 0 || value > TICKET_MAX_STOCK)
		/* json-c clamps overflowing numbers to INT64_MAX, caught here too. */
		ticket_fail(err, "store '%s': \"count\" %lld is out of range 0..%ld", path,
			    (long long)value, TICKET_MAX_STOCK);
	else {
		*count = (long)value;
		rc = 0;
	}
	json_object_put(doc);
	return rc;
}

/* Serializes {"count":count} plus a newline into buf. Its length, or -1. */
static int encode_store(const char *path, long count, char *buf, size_t cap, char *err)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *v = json_object_new_int64(count);
	const char *text;
	size_t len;
	int rc = -1;

	if (!doc || !v || json_object_object_add(doc, "count", v) < 0) {
		json_object_put(v);
		goto out;
	}
	text = json_object_to_json_string_length(doc, JSON_C_TO_STRING_PLAIN, &len);
	if (text && len + 1 < cap) {
		memcpy(buf, text, len);
		buf[len++] = '\n';
		rc = (int)len;
	}
out:
	json_object_put(doc);
	if (rc < 0)
		ticket_fail(err, "cannot encode store '%s'", path);
	return rc;
}

int ticket_store_prepare(const char *path, long count, char *tmp, char *err)
{
	char buf[128];
	int len = encode_store(path, count, buf, sizeof(buf), err);
	int fd;

	if (len < 0)
		return -1;
	if ((size_t)snprintf(tmp, TICKET_PATH_MAX, "%s.tmp.%ld.XXXXXX", path,
			     (long)getpid()) >= TICKET_PATH_MAX)
		return ticket_fail(err, "store path is too long: '%s'", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ticket_fail(err, "cannot create a temporary file beside '%s': %s", path,
				   strerror(errno));
	/* mkstemp makes it 0600; a store is as readable as one written by the shell. */
	if (fchmod(fd, 0644) < 0 || net_write_all(fd, buf, (size_t)len) < 0 || fsync(fd) < 0) {
		ticket_fail(err, "cannot write '%s': %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		ticket_fail(err, "cannot write '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The directory part of path into dir (TICKET_PATH_MAX bytes); returns the file name part. */
static const char *split_dir(const char *path, char *dir)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, TICKET_PATH_MAX, ".");
	else if (slash == path)
		snprintf(dir, TICKET_PATH_MAX, "/");
	else
		snprintf(dir, TICKET_PATH_MAX, "%.*s", (int)(slash - path), path);
	return slash ? slash + 1 : path;
}

static int fsync_parent_dir(const char *path, char *err)
{
	char dir[TICKET_PATH_MAX];
	int fd, rc;

	split_dir(path, dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ticket_fail(err, "cannot open directory '%s': %s", dir, strerror(errno));
	rc = fsync(fd);
	if (rc < 0)
		ticket_fail(err, "cannot fsync directory '%s': %s", dir, strerror(errno));
	close(fd);
	return rc;
}

int ticket_store_commit(const char *tmp, const char *path, char *err)
{
	if (rename(tmp, path) < 0) {
		ticket_fail(err, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return fsync_parent_dir(path, err);
}

int ticket_store_write(const char *path, long count, char *err)
{
	char tmp[TICKET_PATH_MAX];

	if (ticket_store_prepare(path, count, tmp, err) < 0)
		return -1;
	return ticket_store_commit(tmp, path, err);
}

int ticket_store_remove_temps(const char *path, long pid)
{
	char dir[TICKET_PATH_MAX], prefix[TICKET_PATH_MAX], victim[TICKET_PATH_MAX];
	const char *base = split_dir(path, dir);
	size_t plen = (size_t)snprintf(prefix, sizeof(prefix), "%s.tmp.%ld.", base, pid);
	struct dirent *e;
	DIR *d;
	int removed = 0;

	/* Matched by hand, not glob(): the store's name may hold '*' or '['. */
	if (plen >= sizeof(prefix) || !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + 6)
			continue;
		if ((size_t)snprintf(victim, sizeof(victim), "%s/%s", dir, e->d_name) <
		    sizeof(victim) && unlink(victim) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

int ticket_store_lock_path(const char *path, char *out, char *err)
{
	if ((size_t)snprintf(out, TICKET_PATH_MAX, "%s.lock", path) >= TICKET_PATH_MAX)
		return ticket_fail(err, "store path is too long: '%s'", path);
	return 0;
}
