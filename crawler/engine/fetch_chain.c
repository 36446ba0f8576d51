/* fetch_chain.c -- the URLs one transfer's redirects went through, so that a loop is named at its first repeat */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch_internal.h"

/*
 * Both sides of a comparison go through one parser with the flags libcurl
 * 7.88 follows a Location with (Curl_follow: spaces and raw UTF-8 escaped),
 * so a Location and the URL libcurl would request for it read alike. The
 * default port and the fragment are dropped: neither changes the request.
 */
#define FETCH_CHAIN_SET_FLAGS (CURLU_URLENCODE | CURLU_ALLOW_SPACE)

int fetch_chain_init(struct fetch_chain *c, long max_redirects)
{
	memset(c, 0, sizeof(*c));
	if (max_redirects <= 0)
		return 0;
	c->parser = curl_url();
	if (!c->parser)
		return -1;
	/* every URL that redirects, the last one past --max-redirects included */
	c->cap = (size_t)max_redirects + 1;
	c->seen = malloc(c->cap * sizeof(c->seen[0]));
	if (!c->seen) {
		curl_url_cleanup(c->parser);
		c->parser = NULL;
		return -1;
	}
	fp_key_new(&c->key);
	return 0;
}

void fetch_chain_release(struct fetch_chain *c)
{
	curl_url_cleanup(c->parser);
	curl_free(c->next);
	free(c->seen);
	memset(c, 0, sizeof(*c));
}

void fetch_chain_restart(struct fetch_chain *c)
{
	c->n = 0;
	c->redirect = false;
	c->loop = 0;
	curl_free(c->next);
	c->next = NULL;
}

/*
 * Sets url on the parser (relative to the URL it holds, if it is one) and
 * gives its form for comparison, curl_free'd by the caller; NULL if it does
 * not parse, which libcurl will report in its own way.
 */
static char *fetch_chain_form(struct fetch_chain *c, const char *url)
{
	char *form = NULL;

	if (curl_url_set(c->parser, CURLUPART_URL, url, FETCH_CHAIN_SET_FLAGS) != CURLUE_OK ||
	    curl_url_set(c->parser, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
	    curl_url_get(c->parser, CURLUPART_URL, &form, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
		return NULL;
	return form;
}

/*
 * Whether form is a URL that already redirected in this transfer: then the
 * loop is named, its length the redirects from that URL back to it.
 */
static bool fetch_chain_repeats(struct fetch_chain *c, char *form)
{
	uint64_t fp = fp_hash(&c->key, form, strlen(form));

	for (size_t i = c->n; i-- > 0;) {
		if (c->seen[i] == fp) {
			c->loop = (long)(c->n - i);
			c->next = form;
			return true;
		}
	}
	curl_free(form);
	return false;
}

/*
 * The first Location of a redirect: the URL that answered joins the chain,
 * and the target, resolved against it, is looked for there.
 */
static bool fetch_chain_location(struct fetch *f, const char *value, size_t len)
{
	struct fetch_chain *c = &f->chain;
	char *here = NULL, *target, *form;

	while (len > 0 && (*value == ' ' || *value == '\t'))
		value++, len--;
	while (len > 0 && (value[len - 1] == '\r' || value[len - 1] == '\n' ||
			   value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	/* libcurl skips an empty Location and takes the next one */
	if (len == 0)
		return false;
	c->redirect = false;
	if (curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &here) != CURLE_OK || !here)
		return false;
	form = fetch_chain_form(c, here);
	if (!form)
		return false;
	if (c->n < c->cap)
		c->seen[c->n++] = fp_hash(&c->key, form, strlen(form));
	curl_free(form);
	/* a Location is at most one head line (100 KiB in 7.88): copied only to end it */
	target = strndup(value, len);
	if (!target)
		return false;
	/* the parser still holds here: a relative target is resolved against it */
	form = fetch_chain_form(c, target);
	free(target);
	return form && fetch_chain_repeats(c, form);
}

/*
 * A status line starts a response: whether it is a redirect, and, when
 * redirects were followed already, whether libcurl is asking again for a URL
 * that redirected before. That catches, one request late, a loop whose
 * Location libcurl resolved otherwise than fetch_chain_location() did.
 */
static bool fetch_chain_status(struct fetch *f, const char *buf, size_t len)
{
	struct fetch_chain *c = &f->chain;
	const char *sp = memchr(buf, ' ', len);
	char *here = NULL, *form;

	c->redirect = sp && (size_t)(sp - buf) + 4 <= len && sp[1] == '3' &&
		      sp[2] >= '0' && sp[2] <= '9' && sp[3] >= '0' && sp[3] <= '9';
	if (c->n == 0 ||
	    curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &here) != CURLE_OK || !here)
		return false;
	form = fetch_chain_form(c, here);
	return form && fetch_chain_repeats(c, form);
}

bool fetch_chain_header(struct fetch *f, const char *buf, size_t len)
{
	struct fetch_chain *c = &f->chain;

	if (!c->following || !c->parser)
		return false;
	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0)
		return fetch_chain_status(f, buf, len);
	if (c->redirect && len >= 9 && strncasecmp(buf, "location:", 9) == 0)
		return fetch_chain_location(f, buf + 9, len - 9);
	return false;
}
