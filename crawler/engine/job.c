/* job.c -- what a worker is asked to do with one URL, as the blob the pool carries */
#include "job.h"

#include <stdlib.h>
#include <string.h>

/* Parent and worker are the same binary: native order and widths are fine. */
struct job_head {
	uint32_t kind;
	uint32_t reserved;
	uint64_t token;
};

void *job_encode(enum job_kind kind, uint64_t token, const char *url, size_t url_len, size_t *len)
{
	struct job_head head = { .kind = (uint32_t)kind, .token = token };
	char *blob = malloc(sizeof(head) + url_len + 1);

	if (!blob)
		return NULL;
	memcpy(blob, &head, sizeof(head));
	memcpy(blob + sizeof(head), url, url_len);
	blob[sizeof(head) + url_len] = '\0';
	*len = sizeof(head) + url_len + 1;
	return blob;
}

int job_decode(const void *blob, size_t len, enum job_kind *kind, uint64_t *token, const char **url)
{
	const char *p = blob;
	struct job_head head;

	if (len <= sizeof(head) || p[len - 1] != '\0')
		return -1;
	memcpy(&head, p, sizeof(head));
	if (head.kind != JOB_PAGE && head.kind != JOB_ROBOTS)
		return -1;
	/* a NUL inside would cut the URL short: the parent never sends one */
	if (memchr(p + sizeof(head), '\0', len - sizeof(head) - 1))
		return -1;
	*kind = (enum job_kind)head.kind;
	*token = head.token;
	*url = p + sizeof(head);
	return 0;
}
