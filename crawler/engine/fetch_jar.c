/* fetch_jar.c -- the cookies of -b and -c: one jar per process, the forked workers' jars merged into one file */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch_internal.h"

/*
 * Threads and loops of one process share one libcurl cookie store, so a
 * cookie one page set goes with the next page whichever worker fetches it.
 * A forked worker works on its own copy of the store; when its last handle
 * goes it leaves its cookies as a file in the spool, and the parent loads
 * them all before it writes the jar.
 */
struct fetch_jar {
	CURLSH *share;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];	/* one per kind libcurl locks */
	pthread_mutex_t count_lock;
	unsigned handles;	/* fetch handles on the jar in this process */
	pid_t maker;		/* the process that made it; any other is a forked worker */
	char *spool;		/* where forked workers leave their cookies, or NULL */
};

static void jar_lock(CURL *curl, curl_lock_data data, curl_lock_access access, void *ctx)
{
	struct fetch_jar *jar = ctx;

	(void)curl;
	(void)access;
	pthread_mutex_lock(&jar->locks[data]);
}

static void jar_unlock(CURL *curl, curl_lock_data data, void *ctx)
{
	struct fetch_jar *jar = ctx;

	(void)curl;
	pthread_mutex_unlock(&jar->locks[data]);
}

/* A handle of its own on the jar, for loading and listing. NULL on failure. */
static CURL *jar_handle(struct fetch_jar *jar)
{
	CURL *c = curl_easy_init();

	if (c && curl_easy_setopt(c, CURLOPT_SHARE, jar->share) != CURLE_OK) {
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

/* Adds the cookies of a Netscape cookie file; a cookie already held is replaced. */
static int jar_load(struct fetch_jar *jar, const char *file)
{
	CURL *c = jar_handle(jar);
	unsigned rc = 0;

	if (!c)
		return -1;
	rc |= curl_easy_setopt(c, CURLOPT_COOKIEFILE, file);
	rc |= curl_easy_setopt(c, CURLOPT_COOKIELIST, "RELOAD");
	curl_easy_cleanup(c);
	return rc == 0 ? 0 : -1;
}

/*
 * A device or a pipe at path (-c /dev/null, as curl users write) is written
 * into, as curl does: a file renamed over it would replace the device.
 */
static bool jar_in_place(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* path opened for writing in place; a pipe nobody reads fails (ENXIO) rather than waits. */
static int jar_open_in_place(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Every cookie, one Netscape line each, into a new file renamed to path (or into a device). */
static int jar_write(struct fetch_jar *jar, const char *path, char *err, size_t errlen)
{
	struct curl_slist *list = NULL;
	CURL *c = jar_handle(jar);
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, rc = -1;

	if (!c || curl_easy_getinfo(c, CURLINFO_COOKIELIST, &list) != CURLE_OK ||
	    asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		snprintf(err, errlen, "cannot write cookie jar '%s': out of memory", path);
		goto out;
	}
	/* a new file renamed into place: a reader never sees half a jar, a symlink is replaced */
	if (jar_in_place(path)) {
		free(tmp);
		tmp = NULL;
		fd = jar_open_in_place(path);
	} else {
		fd = mkstemp(tmp);
	}
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		snprintf(err, errlen, "cannot write cookie jar '%s': %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	fputs("# Netscape HTTP Cookie File\n# written by crawlpool\n\n", f);
	for (const struct curl_slist *l = list; l; l = l->next)
		fprintf(f, "%s\n", l->data);
	if (fflush(f) != 0 || ferror(f) || (tmp && fchmod(fileno(f), 0600) < 0)) {
		snprintf(err, errlen, "cannot write cookie jar '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = fclose(f);
	f = NULL;
	if (rc != 0 || (tmp && rename(tmp, path) < 0)) {
		rc = -1;
		snprintf(err, errlen, "cannot write cookie jar '%s': %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	curl_slist_free_all(list);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}

struct fetch_jar *fetch_jar_new(const char *const *files, size_t n, bool spool, char *err,
				size_t errlen)
{
	struct fetch_jar *jar = calloc(1, sizeof(*jar));
	const char *tmpdir = getenv("TMPDIR");
	unsigned rc = 0;

	if (!jar) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&jar->locks[i], NULL);
	pthread_mutex_init(&jar->count_lock, NULL);
	jar->maker = getpid();
	jar->share = curl_share_init();
	if (!jar->share) {
		snprintf(err, errlen, "cannot make the cookie jar");
		goto fail;
	}
	rc |= curl_share_setopt(jar->share, CURLSHOPT_LOCKFUNC, jar_lock);
	rc |= curl_share_setopt(jar->share, CURLSHOPT_UNLOCKFUNC, jar_unlock);
	rc |= curl_share_setopt(jar->share, CURLSHOPT_USERDATA, jar);
	rc |= curl_share_setopt(jar->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
	if (rc != 0) {
		snprintf(err, errlen, "cannot make the cookie jar");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (jar_load(jar, files[i]) < 0) {
			snprintf(err, errlen, "cannot read cookie file '%s'", files[i]);
			goto fail;
		}
	}
	if (spool) {
		if (asprintf(&jar->spool, "%s/crawlpool-cookies-XXXXXX",
			     tmpdir && *tmpdir ? tmpdir : "/tmp") < 0) {
			jar->spool = NULL;
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (!mkdtemp(jar->spool)) {
			snprintf(err, errlen, "cannot make a directory for the workers' cookies "
				 "'%s': %s", jar->spool, strerror(errno));
			free(jar->spool);
			jar->spool = NULL;
			goto fail;
		}
	}
	return jar;

fail:
	fetch_jar_free(jar);
	return NULL;
}

int fetch_jar_attach(struct fetch_jar *jar, CURL *curl)
{
	/* "": the cookie engine on, with no file of its own to read */
	if (curl_easy_setopt(curl, CURLOPT_SHARE, jar->share) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_COOKIEFILE, "") != CURLE_OK)
		return -1;
	pthread_mutex_lock(&jar->count_lock);
	jar->handles++;
	pthread_mutex_unlock(&jar->count_lock);
	return 0;
}

void fetch_jar_detach(struct fetch_jar *jar)
{
	char path[4096], err[256];
	bool last;

	pthread_mutex_lock(&jar->count_lock);
	last = jar->handles > 0 && --jar->handles == 0;
	pthread_mutex_unlock(&jar->count_lock);
	if (!last || !jar->spool || getpid() == jar->maker)
		return;
	/* a worker that cannot leave its cookies loses them: nothing else fails for it */
	snprintf(path, sizeof(path), "%s/jar-%ld", jar->spool, (long)getpid());
	jar_write(jar, path, err, sizeof(err));
}

/* Loads every jar the forked workers left (load false: drops them), and removes it. */
static void jar_merge_spool(struct fetch_jar *jar, bool load)
{
	DIR *d = opendir(jar->spool);
	struct dirent *e;
	char path[4096];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", jar->spool, e->d_name);
		/* a worker killed while writing left only a temporary file */
		if (load && strncmp(e->d_name, "jar-", 4) == 0 && !strstr(e->d_name, ".tmp-"))
			jar_load(jar, path);
		unlink(path);
	}
	closedir(d);
}

int fetch_jar_save(struct fetch_jar *jar, const char *path, char *err, size_t errlen)
{
	if (jar->spool)
		jar_merge_spool(jar, true);
	return jar_write(jar, path, err, errlen);
}

void fetch_jar_free(struct fetch_jar *jar)
{
	if (!jar)
		return;
	if (jar->spool) {
		/* what no save took (a run that failed before it) */
		jar_merge_spool(jar, false);
		rmdir(jar->spool);
		free(jar->spool);
	}
	if (jar->share)
		curl_share_cleanup(jar->share);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&jar->locks[i]);
	pthread_mutex_destroy(&jar->count_lock);
	free(jar);
}
