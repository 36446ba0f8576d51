/* export.c -- renders the demo site to files and stdout: --export, --list-urls, --print-page */
#include "export.h"
#include "netutil.h"
#include "sitegen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "demo-site: cannot create directory '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || net_write_all(fd, data, len) < 0 || close(fd) < 0) {
		fprintf(stderr, "demo-site: cannot write '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

int demo_export(const char *dir, unsigned pages, bool quiet)
{
	size_t plen = strlen(dir) + 32, len;
	unsigned long long total = 0;
	char *path = malloc(plen), *buf = malloc(SITEGEN_MAX_BYTES), *index = NULL;
	int rc = -1;

	if (!path || !buf) {
		fprintf(stderr, "demo-site: out of memory\n");
		goto out;
	}
	snprintf(path, plen, "%s/page", dir);
	if (make_dir(dir) < 0 || make_dir(path) < 0)
		goto out;
	for (unsigned n = 0; n < pages; n++) {
		len = sitegen_render_to(n, pages, NULL, buf);
		snprintf(path, plen, "%s/page/%u.html", dir, n);
		if (len == 0 || write_file(path, buf, len) < 0)
			goto out;
		total += len;
	}
	len = sitegen_index_render(pages, &index);
	snprintf(path, plen, "%s/index.html", dir);
	if (!index || write_file(path, index, len) < 0)
		goto out;
	if (!quiet)
		fprintf(stderr, "demo-site: exported %u pages (%.1f MB) to %s\n", pages,
			(double)total / 1e6, dir);
	rc = 0;
out:
	free(index);
	free(buf);
	free(path);
	return rc;
}

/* The base without its trailing slashes: its length. */
static size_t base_len(const char *base)
{
	size_t len = strlen(base);

	while (len > 0 && base[len - 1] == '/')
		len--;
	return len;
}

int demo_list_urls(FILE *out, unsigned long long count, const char *base, unsigned pages)
{
	int blen = (int)base_len(base);

	for (unsigned long long i = 0; i < count; i++)
		if (fprintf(out, "%.*s/page/%llu.html\n", blen, base, i % pages) < 0)
			return -1;
	return fflush(out) == 0 ? 0 : -1;
}

int demo_print_page(FILE *out, unsigned n, unsigned pages, const char *base)
{
	char origin[SITEGEN_ORIGIN_MAX + 1] = "";
	char *buf;
	size_t len;
	int rc = -1;

	if (base) {
		size_t blen = base_len(base);

		if (blen > SITEGEN_ORIGIN_MAX) {
			fprintf(stderr, "demo-site: base '%s' is longer than %u bytes\n", base,
				SITEGEN_ORIGIN_MAX);
			return -1;
		}
		memcpy(origin, base, blen);
		origin[blen] = '\0';
	}
	buf = malloc(SITEGEN_MAX_BYTES);
	if (!buf)
		return -1;
	len = sitegen_render_to(n, pages, origin, buf);
	if (len > 0 && fwrite(buf, 1, len, out) == len && fflush(out) == 0)
		rc = 0;
	free(buf);
	return rc;
}
