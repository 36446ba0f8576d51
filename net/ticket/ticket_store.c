/* ticket_store.c -- the ticket store: a JSON file {"count":K,"sold":S,"stock":N}, parsed strictly, replaced atomically */
#include "errbuf.h"
#include "json_strict.h"
#include "ticket_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netutil.h"

int ticket_fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vset(err, TICKET_ERR_LEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* Why a store that is not a regular file is refused. */
static int fail_not_regular(const char *path, mode_t mode, char *err)
{
	if (S_ISDIR(mode))
		return ticket_fail(err, "store '%s' is a directory, not a file", path);
	return ticket_fail(err, "store '%s' is not a regular file", path);
}

/* Reads the whole file into buf (cap bytes). Its length, or -1. */
static ssize_t read_small_file(const char *path, char *buf, size_t cap, char *err)
{
	/* Non-blocking, so a FIFO planted as the store cannot hang the open. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat sb;
	ssize_t n;

	if (fd < 0)
		return ticket_fail(err, "cannot open store '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		fail_not_regular(path, sb.st_mode, err);
		close(fd);
		return -1;
	}
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

/* The integer member key of doc into *out: 0, 1 when it is absent, -1 with err. */
static int read_field(const char *path, struct json_object *doc, const char *key, long *out,
		      char *err)
{
	struct json_object *v;
	int64_t value;

	if (!json_object_object_get_ex(doc, key, &v))
		return 1;
	if (!json_object_is_type(v, json_type_int))
		return ticket_fail(err, "store '%s': \"%s\" is not an integer", path, key);
	value = json_object_get_int64(v);
	/*
	 * json-c clamps a number past int64 to INT64_MAX or INT64_MIN: the
	 * clamped value is not what the store says, so it is not shown.
	 */
	if (value == INT64_MAX || value == INT64_MIN)
		return ticket_fail(err, "store '%s': \"%s\" is too %s: out of range 0..%ld",
				   path, key, value < 0 ? "small" : "large", TICKET_MAX_STOCK);
	if (value < 0 || value > TICKET_MAX_STOCK)
		return ticket_fail(err, "store '%s': \"%s\" %lld is out of range 0..%ld", path,
				   key, (long long)value, TICKET_MAX_STOCK);
	*out = (long)value;
	return 0;
}

static int decode_store(const char *path, struct json_object *doc, struct ticket_state *st,
			char *err)
{
	int has_count, no_sold, no_stock;

	if (!json_object_is_type(doc, json_type_object))
		return ticket_fail(err, "store '%s' is not a JSON object", path);
	if ((has_count = read_field(path, doc, "count", &st->count, err)) != 0)
		return has_count < 0 ? -1 : ticket_fail(err, "store '%s' has no \"count\"", path);
	if ((no_sold = read_field(path, doc, "sold", &st->sold, err)) < 0 ||
	    (no_stock = read_field(path, doc, "stock", &st->stock, err)) < 0)
		return -1;
	if (no_sold && no_stock) {
		/* Written before sales were kept: as if just made by init. */
		st->sold = 0;
		st->stock = st->count;
		return 0;
	}
	if (no_sold || no_stock)
		return ticket_fail(err, "store '%s' has \"%s\" but no \"%s\"", path,
				   no_sold ? "stock" : "sold", no_sold ? "sold" : "stock");
	if (st->count + st->sold != st->stock)
		return ticket_fail(err, "store '%s': \"count\" %ld and \"sold\" %ld do not add "
				   "up to \"stock\" %ld", path, st->count, st->sold, st->stock);
	return 0;
}

int ticket_store_read(const char *path, struct ticket_state *st, char *err)
{
	char buf[TICKET_STORE_MAX_BYTES + 1];
	struct ticket_state got;
	struct json_object *doc;
	ssize_t n = read_small_file(path, buf, sizeof(buf), err);
	int rc;

	if (n < 0)
		return -1;
	doc = parse_strict(path, buf, (size_t)n, err);
	if (!doc)
		return -1;
	rc = decode_store(path, doc, &got, err);
	if (rc == 0)
		*st = got;
	json_object_put(doc);
	return rc;
}

/* Adds an integer member; 0 or -1 when out of memory. */
static int add_field(struct json_object *doc, const char *key, long value)
{
	struct json_object *v = json_object_new_int64(value);

	if (!v || json_object_object_add(doc, key, v) < 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

/* Serializes the state plus a newline into buf. Its length, or -1. */
static int encode_store(const char *path, const struct ticket_state *st, char *buf, size_t cap,
			char *err)
{
	struct json_object *doc = json_object_new_object();
	const char *text;
	size_t len;
	int rc = -1;

	if (!doc || add_field(doc, "count", st->count) < 0 ||
	    add_field(doc, "sold", st->sold) < 0 || add_field(doc, "stock", st->stock) < 0)
		goto out;
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

int ticket_store_prepare(const char *path, const struct ticket_state *st, char *tmp,
			 char *err)
{
	char buf[128];
	int len = encode_store(path, st, buf, sizeof(buf), err);
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

int ticket_store_write(const char *path, const struct ticket_state *st, char *err)
{
	char tmp[TICKET_PATH_MAX];

	if (ticket_store_prepare(path, st, tmp, err) < 0)
		return -1;
	return ticket_store_commit(tmp, path, err);
}

/*
 * The writer's pid in name if it is one of the store's temporary files,
 * BASE.tmp.PID.XXXXXX; -1 if not. Matched by hand, not glob(): the store's
 * name may hold '*' or '['.
 */
static long temp_writer(const char *base, const char *name)
{
	size_t blen = strlen(base);
	const char *p;
	long pid = 0;

	if (strncmp(name, base, blen) != 0 || strncmp(name + blen, ".tmp.", 5) != 0)
		return -1;
	p = name + blen + 5;
	if (*p < '1' || *p > '9')
		return -1;
	/* No pid has more than nine digits (pid_max is at most 2^22). */
	for (int i = 0; *p >= '0' && *p <= '9'; p++, i++) {
		if (i == 9)
			return -1;
		pid = pid * 10 + (*p - '0');
	}
	return *p == '.' && strlen(p + 1) == 6 ? pid : -1;
}

/* Removes the temporary files beside path whose writer `dead` says is gone. */
static int remove_temps(const char *path, bool (*dead)(long pid, long arg), long arg)
{
	char dir[TICKET_PATH_MAX], victim[TICKET_PATH_MAX];
	const char *base = split_dir(path, dir);
	struct dirent *e;
	DIR *d = opendir(dir);
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		long pid = temp_writer(base, e->d_name);

		if (pid < 0 || !dead(pid, arg))
			continue;
		if ((size_t)snprintf(victim, sizeof(victim), "%s/%s", dir, e->d_name) <
		    sizeof(victim) && unlink(victim) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

static bool is_pid(long pid, long which)
{
	return pid == which;
}

/* Whether /proc says pid is a zombie: dead, only not yet reaped by whoever adopted it. */
static bool is_zombie(long pid)
{
	char path[64], stat[512];
	const char *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = net_read_full(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold anything, so look after the last ')'. */
	paren = strrchr(stat, ')');
	return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

/*
 * A writer that can write no more: gone from this pid namespace, or dead and
 * waiting to be reaped (buyers of a killed rush are adopted by a process
 * that may take its time). A pid reused since only keeps a file until a later
 * run; a writer in another pid namespace sharing the directory would look
 * gone, which is not a set-up a rush supports.
 */
static bool is_gone(long pid, long unused)
{
	(void)unused;
	if (kill((pid_t)pid, 0) < 0)
		return errno == ESRCH;
	return is_zombie(pid);
}

int ticket_store_remove_temps(const char *path, long pid)
{
	return remove_temps(path, is_pid, pid);
}

int ticket_store_remove_stale_temps(const char *path)
{
	return remove_temps(path, is_gone, 0);
}

/* Whether files can be made and renamed in path's directory; err says "cannot VERB store". */
static int check_dir(const char *path, const char *verb, char *err)
{
	char dir[TICKET_PATH_MAX];

	struct stat st;

	split_dir(path, dir);
	if (stat(dir, &st) < 0)
		return ticket_fail(err, "cannot %s store '%s': %s", verb, path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ticket_fail(err, "cannot %s store '%s': %s", verb, path,
				   strerror(ENOTDIR));
	if (access(dir, W_OK | X_OK) < 0)
		return ticket_fail(err, "cannot %s store '%s': %s", verb, path, strerror(errno));
	return 0;
}

int ticket_store_check_dir(const char *path, char *err)
{
	return check_dir(path, "create", err);
}

int ticket_store_check_writable(const char *path, char *err)
{
	return check_dir(path, "write", err);
}

int ticket_store_check_replace(const char *path, char *err)
{
	struct stat st;

	/* Absent, or unreadable: the write says why, if it fails. */
	if (lstat(path, &st) < 0)
		return 0;
	/* A symlink is replaced, not followed, as by every write of a rush. */
	if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		return 0;
	return fail_not_regular(path, st.st_mode, err);
}

int ticket_store_lock_path(const char *path, char *out, char *err)
{
	if ((size_t)snprintf(out, TICKET_PATH_MAX, "%s.lock", path) >= TICKET_PATH_MAX)
		return ticket_fail(err, "store path is too long: '%s'", path);
	return 0;
}
