/* crawl_state.c -- a crawl's --state file: what makes two runs one crawl, checked when the file is opened */
#include "crawl_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Items joined by newlines, malloc'd; NULL when out of memory. */
static char *crawl_join(const char *const *items, size_t n)
{
	size_t len = 1;
	char *text, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(items[i]) + 1;
	text = p = malloc(len);
	if (!text)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "\n" : "", items[i]);
	return text;
}

/*
 * What makes two runs one crawl: the URLs it starts from and what decides
 * which it takes. Workers, mode, --per-host and --delay change only how
 * fast, and may differ from one run to the next.
 */
enum { CRAWL_ID_PAIRS = 9 };

static int crawl_identity(const struct crawl_options *o, struct state_pair *id, char **owned,
			  char nums[][32])
{
	static const char *const scopes[] = { "host", "domain", "any" };
	static const char *const formats[] = { "csv", "tsv", "jsonl" };

	owned[0] = crawl_join(o->inputs, o->n_inputs);
	owned[1] = crawl_join(o->include, o->n_include);
	owned[2] = crawl_join(o->exclude, o->n_exclude);
	if (!owned[0] || !owned[1] || !owned[2])
		return -1;
	snprintf(nums[0], sizeof(nums[0]), "%u", o->depth);
	snprintf(nums[1], sizeof(nums[1]), "%lu", o->max_pages);
	id[0] = (struct state_pair){ "start", owned[0] };
	id[1] = (struct state_pair){ "scope", scopes[o->scope] };
	id[2] = (struct state_pair){ "depth", nums[0] };
	id[3] = (struct state_pair){ "include", owned[1] };
	id[4] = (struct state_pair){ "exclude", owned[2] };
	id[5] = (struct state_pair){ "robots", o->robots ? "on" : "off" };
	id[6] = (struct state_pair){ "nofollow", o->ignore_nofollow ? "ignored" : "obeyed" };
	id[7] = (struct state_pair){ "max_pages", nums[1] };
	id[8] = (struct state_pair){ "format", formats[o->out.format] };
	return 0;
}

struct state *crawl_state_open(struct crawl_options *o, bool *created, char *err, size_t errlen)
{
	struct state_pair id[CRAWL_ID_PAIRS];
	struct state *state = NULL;
	char *owned[3] = { NULL, NULL, NULL };
	char nums[2][32];
	struct stat st;

	if (stat(o->state, &st) == 0 && st.st_size > 0) {
		o->resume = true;
		o->out.append = true;
	}
	if (crawl_identity(o, id, owned, nums) < 0)
		snprintf(err, errlen, "out of memory");
	else
		state = state_open(o->state, id, CRAWL_ID_PAIRS, created, err, errlen);
	for (size_t i = 0; i < 3; i++)
		free(owned[i]);
	return state;
}
