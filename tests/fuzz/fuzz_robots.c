/* fuzz_robots.c -- robots.txt: any body never breaks it; generated bodies against an RFC 9309 model */
#include "fuzz_support.h"
#include "robots.h"

#include <string.h>

/*
 * Two halves, picked by the first byte:
 *
 * raw: the rest is a body, parsed for "crawlpool" or for no product token.
 * /robots.txt is always allowed; the crawl delay is -1 or 0..ROBOTS_MAX_DELAY_MS;
 * a path and the same path with a #fragment, or without its leading '/', get
 * the same answer.
 *
 * model: the rest describes a body of user-agent, allow, disallow,
 * crawl-delay, comment and blank lines, with patterns over a b / * and a
 * final $; some paths over a b / are then asked. The answers must be RFC
 * 9309's as robots.c words its choices: the groups naming our token (merged)
 * or else the "*" groups; rules before any user-agent line belong to none;
 * a pattern not starting with '/' or '*' is ignored; the longest pattern
 * that matches wins (its octets as written, '*' and '$' included), Allow on a
 * tie, no match allows; the delay is the largest of the group's, in ms.
 */

#define TOKEN "crawlpool"

static void check_any(const struct robots *r, const uint8_t *probe, size_t len)
{
	char path[300], frag[310];
	long delay = robots_crawl_delay_ms(r);
	size_t n = len < 250 ? len : 250;

	FUZZ_CHECK(robots_allowed(r, "/robots.txt"), "/robots.txt is not allowed");
	FUZZ_CHECK(delay == -1 || (delay >= 0 && delay <= ROBOTS_MAX_DELAY_MS), "delay %ld", delay);
	path[0] = '/';
	for (size_t i = 0; i < n; i++)
		path[i + 1] = probe[i] && probe[i] != '#' ? (char)probe[i] : 'x';
	path[n + 1] = '\0';
	snprintf(frag, sizeof(frag), "%s#%s", path, "frag");
	FUZZ_CHECK(robots_allowed(r, path) == robots_allowed(r, frag),
		   "a fragment changes the answer for '%s'", path);
	if (path[1] != '/')
		FUZZ_CHECK(robots_allowed(r, path) == robots_allowed(r, path + 1),
			   "a missing '/' changes the answer for '%s'", path);
}

static void raw(const uint8_t *body, size_t len)
{
	struct robots *r = robots_parse((const char *)body, len, TOKEN);
	struct robots *anon = robots_parse((const char *)body, len, NULL);
	/* probe with the body's own bytes: paths that look like its rules */
	size_t half = len / 2;

	FUZZ_CHECK(r && anon, "robots_parse gave NULL");
	check_any(r, body + half, len - half);
	check_any(anon, body + half, len - half);
	robots_free(r);
	robots_free(anon);
}

/* ---- the model ---- */

enum { MAX_RULES = 64, MAX_PAT = 24 };

struct rule {
	char pat[MAX_PAT + 2];	/* as written, '$' included */
	bool allow;
};

struct group_set {
	struct rule rules[MAX_RULES];
	size_t n;
	long delay_ms;		/* -1: none */
	bool named;		/* some group names this agent */
};

/*
 * Whether pattern p (with '*' and a final '$') matches the start of path s:
 * a table of which pattern prefixes match which path prefixes.
 */
static bool match(const char *p, const char *s)
{
	size_t pn = strlen(p), sn = strlen(s);
	bool anchored = pn > 0 && p[pn - 1] == '$';
	bool m[MAX_PAT + 2][40] = { { false } };

	if (anchored)
		pn--;
	m[0][0] = true;
	for (size_t i = 1; i <= pn; i++)
		for (size_t j = 0; j <= sn; j++)
			m[i][j] = p[i - 1] == '*' ? m[i - 1][j] || (j > 0 && m[i][j - 1]) :
						    j > 0 && m[i - 1][j - 1] && p[i - 1] == s[j - 1];
	if (anchored)
		return m[pn][sn];
	for (size_t j = 0; j <= sn; j++)
		if (m[pn][j])
			return true;
	return false;
}

static bool model_allowed(const struct group_set *g, const char *path)
{
	size_t best = 0;
	bool found = false, allow = true;

	for (size_t i = 0; i < g->n; i++) {
		size_t w = strlen(g->rules[i].pat);

		if (!match(g->rules[i].pat, path))
			continue;
		if (!found || w > best || (w == best && g->rules[i].allow && !allow)) {
			best = w;
			allow = g->rules[i].allow;
			found = true;
		}
	}
	return allow;
}

static void model(struct fuzz_in *in)
{
	static const char alphabet[4] = { 'a', 'b', '/', '*' };
	static const char *const agents[4] = { "*", TOKEN, "CrawlPool/2.0", "otherbot" };
	static struct group_set star, ours;
	char body[8192];
	size_t blen = 0;
	bool agents_now[2] = { false, false };	/* the current group names * / ours */
	bool in_rules = true;			/* a user-agent line now starts a new group */
	bool use_token = fuzz_bool(in);
	uint8_t lines = fuzz_u8(in) % 40;
	struct group_set *g;
	struct robots *r;

	memset(&star, 0, sizeof(star));
	memset(&ours, 0, sizeof(ours));
	star.delay_ms = ours.delay_ms = -1;
	for (uint8_t l = 0; l < lines && blen + 100 < sizeof(body); l++) {
		uint8_t op = fuzz_u8(in);
		const char *eol = (op & 0x80) ? "\r\n" : "\n";

		switch (op & 7) {
		case 0: case 1: {
			const char *a = agents[(op >> 3) & 3];
			int i = (op >> 3) & 3;

			if (in_rules) {
				agents_now[0] = agents_now[1] = false;
				in_rules = false;
			}
			if (i == 0)
				agents_now[0] = star.named = true;
			if (i == 1 || i == 2)
				agents_now[1] = ours.named = true;
			blen += (size_t)snprintf(body + blen, sizeof(body) - blen, "%s: %s%s",
						 (op & 0x40) ? "USER-AGENT" : "User-agent", a, eol);
			break;
		}
		case 2: case 3: case 4: {
			struct rule rl = { .allow = (op & 7) == 2 };
			uint8_t plen = fuzz_u8(in) % (MAX_PAT - 1);
			size_t k = 0;

			for (uint8_t c = 0; c < plen; c++)
				rl.pat[k++] = alphabet[fuzz_u8(in) & 3];
			if (op & 0x40)
				rl.pat[k++] = '$';
			rl.pat[k] = '\0';
			blen += (size_t)snprintf(body + blen, sizeof(body) - blen, "%s:%s%s%s",
						 rl.allow ? "Allow" : "disallow", (op & 8) ? " " : "",
						 rl.pat, eol);
			in_rules = true;
			if (rl.pat[0] != '/' && rl.pat[0] != '*')
				break;	/* could never match a path: ignored */
			if (agents_now[0] && star.n < MAX_RULES)
				star.rules[star.n++] = rl;
			if (agents_now[1] && ours.n < MAX_RULES)
				ours.rules[ours.n++] = rl;
			break;
		}
		case 5: {
			uint8_t secs = fuzz_u8(in) % 100;
			long ms = secs * 1000L > ROBOTS_MAX_DELAY_MS ? ROBOTS_MAX_DELAY_MS : secs * 1000L;

			blen += (size_t)snprintf(body + blen, sizeof(body) - blen, "Crawl-delay: %u%s",
						 secs, eol);
			in_rules = true;
			if (agents_now[0] && ms > star.delay_ms)
				star.delay_ms = ms;
			if (agents_now[1] && ms > ours.delay_ms)
				ours.delay_ms = ms;
			break;
		}
		case 6:
			blen += (size_t)snprintf(body + blen, sizeof(body) - blen, "# Disallow: /%s", eol);
			break;
		default:
			blen += (size_t)snprintf(body + blen, sizeof(body) - blen, "%s", eol);
			break;
		}
	}
	g = use_token && ours.named ? &ours : &star;
	r = robots_parse(body, blen, use_token ? TOKEN : NULL);
	FUZZ_CHECK(r != NULL, "robots_parse gave NULL");
	FUZZ_CHECK(robots_crawl_delay_ms(r) == (g->named ? g->delay_ms : -1),
		   "delay %ld, the model says %ld\n%.*s", robots_crawl_delay_ms(r),
		   g->named ? g->delay_ms : -1, (int)blen, body);
	for (int k = 0; k < 8; k++) {
		char path[32];
		uint8_t plen = fuzz_u8(in) % 20;
		bool want;

		path[0] = '/';
		for (uint8_t c = 0; c < plen; c++)
			path[c + 1] = "ab/"[fuzz_u8(in) % 3];
		path[plen + 1] = '\0';
		want = g->named ? model_allowed(g, path) : true;
		if (strcmp(path, "/robots.txt") == 0)
			want = true;
		FUZZ_CHECK(robots_allowed(r, path) == want, "'%s': allowed %d, the model says %d\n%.*s",
			   path, !want, want, (int)blen, body);
	}
	check_any(r, in->p, in->n);
	robots_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	if (fuzz_u8(&in) & 1)
		model(&in);
	else
		raw(in.p, in.n);
	return 0;
}
