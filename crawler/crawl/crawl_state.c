/* crawl_state.c -- a crawl's --state file: what makes two runs one crawl, checked when the file is opened */
#include "crawl_state.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sources.h"

/*
 * Appends "FILE SHA-256" for a list file to out: a list edited between two
 * runs makes them two crawls, though its name is the same. A file that
 * cannot be read is left out here; reading the lists reports it.
 */
static int digest_list(const char *path, char **out, size_t *len)
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned md_len = 0;
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *ctx;
	size_t n;
	char *grown;
	int rc = -1;

	if (!f)
		return 0;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (!EVP_DigestUpdate(ctx, buf, n))
			goto out;
	if (ferror(f) || !EVP_DigestFinal_ex(ctx, md, &md_len))
		goto out;
	grown = realloc(*out, *len + strlen(path) + 2 * md_len + 3);
	if (!grown)
		goto out;
	*out = grown;
	*len += (size_t)sprintf(grown + *len, "%s%s ", *len ? "\n" : "", path);
	for (unsigned i = 0; i < md_len; i++)
		*len += (size_t)sprintf(grown + *len, "%02x", md[i]);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	fclose(f);
	return rc;
}

/* The contents of every list file of the crawl, as digests; stdin has none. */
static char *digest_lists(const struct crawl_options *o)
{
	char *text = calloc(1, 1);
	size_t len = 0;

	for (size_t i = 0; text && i < o->n_inputs; i++) {
		const char *arg = o->inputs[i];

		if (sources_is_url(arg) || strcmp(arg, "-") == 0)
			continue;
		if (digest_list(arg, &text, &len) < 0) {
			free(text);
			text = NULL;
		}
	}
	return text;
}

/*
 * What makes two runs one crawl: the URLs it starts from (the lists' names
 * and contents) and what decides which it takes. Workers, mode, --per-host
 * and --delay change only how fast, and may differ from one run to the next.
 */
enum { CRAWL_ID_PAIRS = 10, CRAWL_ID_OWNED = 4 };

static int crawl_identity(const struct crawl_options *o, struct state_pair *id, char **owned,
			  char nums[][32])
{
	static const char *const scopes[] = { "host", "domain", "any" };
	static const char *const formats[] = { "csv", "tsv", "jsonl" };

	owned[0] = options_join(o->inputs, o->n_inputs);
	owned[1] = options_join(o->include, o->n_include);
	owned[2] = options_join(o->exclude, o->n_exclude);
	owned[3] = digest_lists(o);
	if (!owned[0] || !owned[1] || !owned[2] || !owned[3])
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
	id[9] = (struct state_pair){ "lists", owned[3] };
	return 0;
}

struct state *crawl_state_open(struct crawl_options *o, bool *created, char *err, size_t errlen)
{
	struct state_pair id[CRAWL_ID_PAIRS];
	struct state *state = NULL;
	char *owned[CRAWL_ID_OWNED] = { NULL };
	char nums[2][32];
	struct stat st;

	/* even an empty one: it says a crawl was begun, and its rows must not be written over */
	if (stat(o->state, &st) == 0) {
		o->resume = true;
		o->out.append = true;
	}
	if (crawl_identity(o, id, owned, nums) < 0)
		snprintf(err, errlen, "cannot read the url lists: out of memory or a read error");
	else
		state = state_open(o->state, id, CRAWL_ID_PAIRS, created, err, errlen);
	for (size_t i = 0; i < CRAWL_ID_OWNED; i++)
		free(owned[i]);
	return state;
}
