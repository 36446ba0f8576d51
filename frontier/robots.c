/* robots.c -- robots.txt (RFC 9309): one agent's rules from a body, ranked by precedence, matched in linear time */
#include "robots.h"
#include "numbers.h"

#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Choices where RFC 9309 leaves room, in one place:
 *
 * Percent-encoding. Patterns and paths go through the same normalisation,
 * then compare octet for octet (2.2.2):
 *   - "%XX" naming an unreserved character (A-Z a-z 0-9 - . _ ~) becomes
 *     that character; any other "%XX" stays escaped, hex upper-cased;
 *   - a '%' not followed by two hex digits becomes "%25";
 *   - controls, space, DEL and octets >= 0x80 (UTF-8) become "%XX";
 *   - reserved characters are left alone, neither decoded nor encoded:
 *     "/" and "%2F" differ, as they may in a URL (RFC 3986 2.2);
 *   - in a path, '*' and '$' become "%2A" and "%24", so a pattern names
 *     them literally that way (2.2.3); in a pattern '*' is the wildcard,
 *     a '$' ending it anchors it, and any other '$' means "%24".
 *
 * Precedence. The longest pattern wins, its length counted in octets of
 * the normalised pattern as written, each '*' and the final '$' included;
 * Allow wins a tie. Rules are sorted that way once, so the first rule
 * that matches decides.
 *
 * Lines. A line ends at CR, LF or CRLF; '#' starts a comment; a line
 * without ':' is ignored; keys are case-insensitive, only user-agent,
 * allow, disallow and crawl-delay are read. Blank lines, comments and
 * unknown keys (sitemap) neither start nor end a group. Rules before the
 * first user-agent line belong to no group. A value that starts with
 * neither '/' nor '*' could never match a path and is ignored.
 *
 * Agents. A user-agent value names an agent by its leading letters, '-'
 * and '_' ("FooBot/2.1" names foobot), which must end the value or be
 * followed by '/' or white space ("bot9" names nobody); '*' names all.
 *
 * Limits. ROBOTS_MAX_BODY octets are parsed; when that cuts a line, the
 * cut line is dropped (its end might have narrowed it). Past
 * ROBOTS_MAX_RULES rules for one agent, rules are ignored; so is a rule
 * longer than ROBOTS_MAX_PATTERN once normalised (runs of '*' count once).
 * Deciding one path takes at most ROBOTS_MAX_STEPS steps; a path that
 * would need more is denied.
 *
 * Crawl-delay. Seconds, decimals allowed, in the group that applies; of
 * several, the largest; cut to ROBOTS_MAX_DELAY_MS. A number is written as
 * --delay takes one: decimal digits with an optional fraction ("10", "2.5",
 * ".5", "5."); any such number over the cap is the cap, however many digits
 * it has. Anything else is no number and is ignored: a sign, a unit, an
 * exponent ("1e9"), a comma.
 */

/* Paths up to this many octets, once normalised, are matched without an allocation. */
#define ROBOTS_PATH_STACK 2048
/*
 * Steps (an octet compared; 16 octets skipped by memchr) spent at most on
 * one path: linear matching keeps one rule's cost to the path's length, but
 * thousands of wildcard rules against a long path still add up. At most
 * some 15 ms; a file of 10,000 literal patterns needs at most 1.5 M (its
 * patterns' octets), ordinary files a few thousand.
 */
#define ROBOTS_MAX_STEPS (4u * 1024u * 1024u)
/*
 * A Crawl-delay's whole seconds past this many digits (leading zeros aside)
 * are past the cap; ROBOTS_MAX_DELAY_MS must stay below 10^ROBOTS_DELAY_DIGITS s.
 */
#define ROBOTS_DELAY_DIGITS 3

enum robots_kind {
	ROBOTS_RULES,
	ROBOTS_ALLOW_ALL,
	ROBOTS_DENY_ALL,
};

struct robots_rule {
	size_t off;		/* pattern, in the set's text */
	size_t len;		/* octets stored: runs of '*' made one, no final '$' */
	size_t weight;		/* octets of the normalised pattern as written: its precedence */
	bool allow;
	bool anchored;		/* ended with '$': must match up to the end of the path */
};

/* The rules of every group naming one agent, merged (2.2.1). */
struct robots_set {
	struct robots_rule *rules;
	size_t nrules, rules_cap;
	char *text;		/* the patterns, one after another, not terminated */
	size_t text_len, text_cap;
	long delay_ms;		/* -1: none */
};

struct robots {
	enum robots_kind kind;
	struct robots_set set;	/* ROBOTS_RULES only */
	char why[128];		/* what a row of a URL it forbids says */
};

struct robots_parser {
	const char *token;	/* our product token; NULL: only "*" applies */
	size_t token_len;
	bool in_agents;		/* the last record read was a user-agent line */
	bool for_us, for_star;	/* the current group names our token, "*" */
	bool named;		/* some group names our token: "*" will not apply */
	struct robots_set ours, star;
	char *scratch;		/* ROBOTS_MAX_PATTERN octets: a pattern being normalised */
	bool oom;
};

static bool robots_is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

/* Not tolower(): the locale must not change which agent a group names. */
static char robots_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool robots_caseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (robots_lower(a[i]) != robots_lower(b[i]))
			return false;
	return true;
}

static bool robots_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the token s starts with, or 0 when there is none or it runs into a character tokens cannot hold. */
static size_t robots_token_len(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && robots_is_token_char(s[n]))
		n++;
	if (n < len && s[n] != '/' && !robots_is_space(s[n]))
		return 0;
	return n;
}

static bool robots_is_unreserved(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void robots_escape(char *out, unsigned c)
{
	static const char hex[] = "0123456789ABCDEF";

	out[0] = '%';
	out[1] = hex[c >> 4];
	out[2] = hex[c & 15];
}

/*
 * Normalises s (len octets) into out (cap octets) as described at the top
 * of this file; returns the octets written, or SIZE_MAX when they do not
 * fit. For a pattern, runs of '*' are written once and a final '$' not at
 * all; *anchored tells whether there was one, and *weight counts the
 * octets of the normalised pattern as written, every '*' and the '$' too.
 */
static size_t robots_normalise(const char *s, size_t len, bool pattern, char *out, size_t cap,
			       size_t *weight, bool *anchored)
{
	size_t n = 0, w = 0;
	bool after_star = false;	/* the last octet written is a wildcard */

	if (anchored)
		*anchored = false;
	for (size_t i = 0; i < len; i++) {
		unsigned c = (unsigned char)s[i];
		char put[3];
		size_t k = 1;

		put[0] = (char)c;
		if (c == '%' && i + 2 < len && num_hex_digit(s[i + 1]) >= 0 && num_hex_digit(s[i + 2]) >= 0) {
			unsigned v = (unsigned)(num_hex_digit(s[i + 1]) * 16 + num_hex_digit(s[i + 2]));

			i += 2;
			if (robots_is_unreserved(v)) {
				put[0] = (char)v;
			} else {
				robots_escape(put, v);
				k = 3;
			}
		} else if (pattern && c == '*') {
			w++;
			if (after_star)
				continue;
			after_star = true;
			if (n == cap)
				return SIZE_MAX;
			out[n++] = '*';
			continue;
		} else if (pattern && c == '$' && i + 1 == len) {
			w++;
			*anchored = true;
			break;
		} else if (c <= 0x20 || c >= 0x7f || c == '%' || c == '*' || c == '$') {
			robots_escape(put, c);
			k = 3;
		}
		after_star = false;
		if (cap - n < k)
			return SIZE_MAX;
		memcpy(out + n, put, k);
		n += k;
		w += k;
	}
	if (weight)
		*weight = w;
	return n;
}

/* One path being matched: the search's scratch table and what it may still cost. */
struct robots_scan {
	size_t budget;		/* steps left for this path */
	bool over;		/* the budget ran out: the path is denied */
	uint16_t fail[ROBOTS_MAX_PATTERN];
};

static bool robots_spend(struct robots_scan *sc, size_t steps)
{
	if (steps > sc->budget) {
		sc->budget = 0;
		sc->over = true;
		return false;
	}
	sc->budget -= steps;
	return true;
}

/*
 * Offset of the leftmost needle in hay, or SIZE_MAX (also when the budget
 * runs out). Knuth-Morris-Pratt: linear in both, whatever the octets.
 */
static size_t robots_find(const char *hay, size_t hlen, const char *needle, size_t nlen,
			  struct robots_scan *sc)
{
	uint16_t *fail = sc->fail;
	size_t i, k, steps = nlen, found = SIZE_MAX;

	if (nlen == 0)
		return 0;
	if (nlen > hlen)
		return SIZE_MAX;
	fail[0] = 0;
	for (i = 1, k = 0; i < nlen; i++) {
		while (k > 0 && needle[i] != needle[k])
			k = fail[k - 1];
		if (needle[i] == needle[k])
			k++;
		fail[i] = (uint16_t)k;
	}
	for (i = 0, k = 0; i < hlen; i++) {
		/* Between partial matches, memchr() skips to the next candidate, some 16 times faster. */
		if (k == 0 && hay[i] != needle[0]) {
			const char *c = memchr(hay + i, needle[0], hlen - i);
			size_t to = c ? (size_t)(c - hay) : hlen;

			steps += (to - i) / 16 + 1;
			if (!c)
				break;
			i = to;
		}
		steps++;
		while (k > 0 && hay[i] != needle[k])
			k = fail[k - 1];
		if (hay[i] == needle[k])
			k++;
		if (k == nlen) {
			found = i + 1 - nlen;
			break;
		}
	}
	return robots_spend(sc, steps) ? found : SIZE_MAX;
}

/*
 * Whether pattern p (n octets, runs of '*' made one) matches path s (len
 * octets) from its first octet: to its end when anchored, else a prefix of
 * it. Each piece between wildcards goes to its leftmost place after the
 * previous one, which leaves the most room to the pieces after it, so no
 * choice is ever taken back: O(len + n), never exponential.
 */
static bool robots_match(const char *p, size_t n, bool anchored, const char *s, size_t len,
			 struct robots_scan *sc)
{
	const char *star = memchr(p, '*', n);
	size_t piece = star ? (size_t)(star - p) : n;
	size_t pos, at;

	if (len < piece || !robots_spend(sc, piece) || memcmp(p, s, piece) != 0)
		return false;
	if (!star)
		return !anchored || len == piece;
	pos = piece;
	n -= piece + 1;
	p = star + 1;
	while ((star = memchr(p, '*', n)) != NULL) {
		piece = (size_t)(star - p);
		at = robots_find(s + pos, len - pos, p, piece, sc);
		if (at == SIZE_MAX)
			return false;
		pos += at + piece;
		n -= piece + 1;
		p = star + 1;
	}
	if (anchored)
		return robots_spend(sc, n) && len - pos >= n && memcmp(s + len - n, p, n) == 0;
	return robots_find(s + pos, len - pos, p, n, sc) != SIZE_MAX;
}

static void robots_set_init(struct robots_set *set)
{
	memset(set, 0, sizeof(*set));
	set->delay_ms = -1;
}

static void robots_set_release(struct robots_set *set)
{
	free(set->rules);
	free(set->text);
	robots_set_init(set);
}

/*
 * buf (cap items of size octets) grown to hold need items, doubling from
 * first; buf itself when it already does, NULL (buf untouched) when out of memory.
 */
static void *robots_grow(void *buf, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t c = *cap ? *cap : first;
	void *p;

	if (need <= *cap && buf)
		return buf;
	while (c < need)
		c *= 2;
	p = realloc(buf, c * size);
	if (p)
		*cap = c;
	return p;
}

/* Adds rule, its pattern in ps->scratch. */
static void robots_set_add(struct robots_parser *ps, struct robots_set *set, struct robots_rule rule)
{
	void *rules, *text;

	if (set->nrules >= ROBOTS_MAX_RULES)
		return;
	rules = robots_grow(set->rules, &set->rules_cap, set->nrules + 1, sizeof(*set->rules), 16);
	if (!rules)
		goto oom;
	set->rules = rules;
	text = robots_grow(set->text, &set->text_cap, set->text_len + rule.len, 1, 1024);
	if (!text)
		goto oom;
	set->text = text;
	rule.off = set->text_len;
	if (rule.len)
		memcpy(set->text + set->text_len, ps->scratch, rule.len);
	set->text_len += rule.len;
	set->rules[set->nrules++] = rule;
	return;
oom:
	ps->oom = true;
}

static void robots_on_agent(struct robots_parser *ps, const char *v, size_t vlen)
{
	size_t n;

	/* Consecutive user-agent lines open one group (2.1). */
	if (!ps->in_agents) {
		ps->in_agents = true;
		ps->for_us = false;
		ps->for_star = false;
	}
	if (vlen > 0 && v[0] == '*' && (vlen == 1 || robots_is_space(v[1]))) {
		ps->for_star = true;
		return;
	}
	n = robots_token_len(v, vlen);
	if (n > 0 && ps->token && n == ps->token_len && robots_caseeq(v, ps->token, n)) {
		ps->for_us = true;
		ps->named = true;
	}
}

static void robots_on_rule(struct robots_parser *ps, const char *v, size_t vlen, bool allow)
{
	struct robots_rule rule = { .allow = allow };
	size_t n;

	ps->in_agents = false;
	if (!ps->for_us && !ps->for_star)
		return;
	/* "Disallow:" with nothing names no path: it forbids nothing. */
	if (vlen == 0 || (v[0] != '/' && v[0] != '*'))
		return;
	n = robots_normalise(v, vlen, true, ps->scratch, ROBOTS_MAX_PATTERN, &rule.weight, &rule.anchored);
	if (n == SIZE_MAX)
		return;
	rule.len = n;
	if (ps->for_us)
		robots_set_add(ps, &ps->ours, rule);
	/* Once our token has a group, "*" will not apply: stop keeping its rules. */
	if (ps->for_star && !ps->named)
		robots_set_add(ps, &ps->star, rule);
}

static bool robots_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A Crawl-delay value in ms, at most ROBOTS_MAX_DELAY_MS; -1 when it is not
 * a number of seconds. The value is cut down to what decides it (no leading
 * zeros; three decimals and whether any digit past them is not 0) and read
 * by the parser of --delay, so that any length reads the same.
 */
static long robots_delay_value(const char *v, size_t vlen)
{
	const char *end = v + vlen, *p = v, *whole;
	char text[ROBOTS_DELAY_DIGITS + 7];
	size_t n = 0, digits;
	bool over, more = false;
	long long ms;

	while (p < end && *p == '0' && p + 1 < end && robots_is_digit(p[1]))
		p++;
	for (whole = p; p < end && robots_is_digit(*p); p++)
		;
	digits = (size_t)(p - whole);
	/* past the cap, once the rest proves it a number */
	over = digits > ROBOTS_DELAY_DIGITS;
	if (!over) {
		memcpy(text, whole, digits);
		n = digits;
	}
	if (p < end && *p == '.') {
		text[n++] = '.';
		for (unsigned places = 0; ++p < end && robots_is_digit(*p); places++, digits++) {
			if (places < 3)
				text[n++] = *p;
			else
				more |= *p != '0';
		}
		/* one digit stands for all the rest: a fraction of a ms rounds up */
		if (more)
			text[n++] = '1';
	}
	if (p != end || digits == 0)
		return -1;
	if (over)
		return ROBOTS_MAX_DELAY_MS;
	text[n] = '\0';
	if (num_parse_seconds("crawl-delay", text, 0, LLONG_MAX, &ms, NULL, 0) < 0)
		return -1;
	return ms > ROBOTS_MAX_DELAY_MS ? ROBOTS_MAX_DELAY_MS : (long)ms;
}

static void robots_set_delay(struct robots_set *set, long ms)
{
	if (ms > set->delay_ms)
		set->delay_ms = ms;
}

static void robots_on_delay(struct robots_parser *ps, const char *v, size_t vlen)
{
	long ms = robots_delay_value(v, vlen);

	ps->in_agents = false;
	if (ms < 0)
		return;
	if (ps->for_us)
		robots_set_delay(&ps->ours, ms);
	if (ps->for_star && !ps->named)
		robots_set_delay(&ps->star, ms);
}

static bool robots_key_is(const char *key, size_t klen, const char *name)
{
	return klen == strlen(name) && robots_caseeq(key, name, klen);
}

/* Trims spaces and tabs from both ends of [*s, *e). */
static void robots_trim(const char **s, const char **e)
{
	while (*s < *e && robots_is_space(**s))
		(*s)++;
	while (*e > *s && robots_is_space((*e)[-1]))
		(*e)--;
}

/* One line, [s, e), its end of line excluded. */
static void robots_on_line(struct robots_parser *ps, const char *s, const char *e)
{
	const char *hash = memchr(s, '#', (size_t)(e - s));
	const char *colon, *k, *ke, *v, *ve;

	if (hash)
		e = hash;
	colon = memchr(s, ':', (size_t)(e - s));
	if (!colon)
		return;
	k = s, ke = colon;
	v = colon + 1, ve = e;
	robots_trim(&k, &ke);
	robots_trim(&v, &ve);
	if (robots_key_is(k, (size_t)(ke - k), "user-agent"))
		robots_on_agent(ps, v, (size_t)(ve - v));
	else if (robots_key_is(k, (size_t)(ke - k), "allow"))
		robots_on_rule(ps, v, (size_t)(ve - v), true);
	else if (robots_key_is(k, (size_t)(ke - k), "disallow"))
		robots_on_rule(ps, v, (size_t)(ve - v), false);
	else if (robots_key_is(k, (size_t)(ke - k), "crawl-delay"))
		robots_on_delay(ps, v, (size_t)(ve - v));
}

/*
 * The lines of body[0, len); last_whole says whether a last line that
 * reaches len without an end of line is whole, or was cut by the limit.
 */
static void robots_on_lines(struct robots_parser *ps, const char *body, size_t len, bool last_whole)
{
	const char *p = body, *end = body + len;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && !ps->oom) {
		const char *eol = p;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		if (eol == end && !last_whole)
			break;
		robots_on_line(ps, p, eol);
		/* CRLF gives an empty line after the CR, which says nothing. */
		p = eol < end ? eol + 1 : end;
	}
}

static int robots_rule_cmp(const void *a, const void *b)
{
	const struct robots_rule *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return (int)y->allow - (int)x->allow;
}

static struct robots *robots_new(enum robots_kind kind)
{
	struct robots *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->kind = kind;
	robots_set_init(&r->set);
	snprintf(r->why, sizeof(r->why), "blocked by robots.txt");
	return r;
}

struct robots *robots_parse(const char *body, size_t len, const char *product_token)
{
	struct robots_parser ps = { 0 };
	struct robots_set *chosen;
	struct robots *r;
	size_t kept;

	robots_set_init(&ps.ours);
	robots_set_init(&ps.star);
	if (product_token) {
		size_t n = strlen(product_token);

		if (n > 0 && robots_token_len(product_token, n) == n) {
			ps.token = product_token;
			ps.token_len = n;
		}
	}
	r = robots_new(ROBOTS_RULES);
	if (!r)
		goto out;
	ps.scratch = malloc(ROBOTS_MAX_PATTERN);
	if (!ps.scratch)
		goto free_robots;
	if (body && len > 0) {
		kept = len > ROBOTS_MAX_BODY ? ROBOTS_MAX_BODY : len;
		robots_on_lines(&ps, body, kept,
				kept == len || body[kept] == '\n' || body[kept] == '\r');
		if (ps.oom)
			goto free_robots;
	}
	/* A group naming us, even an empty one, replaces "*" (2.2.1). */
	chosen = ps.named ? &ps.ours : &ps.star;
	r->set = *chosen;
	robots_set_init(chosen);
	if (r->set.nrules > 1)
		qsort(r->set.rules, r->set.nrules, sizeof(*r->set.rules), robots_rule_cmp);
	goto out;

free_robots:
	free(r);
	r = NULL;
out:
	free(ps.scratch);
	robots_set_release(&ps.ours);
	robots_set_release(&ps.star);
	return r;
}

struct robots *robots_allow_all(void)
{
	return robots_new(ROBOTS_ALLOW_ALL);
}

struct robots *robots_deny_all(void)
{
	return robots_new(ROBOTS_DENY_ALL);
}

struct robots *robots_from_answer(long status, const char *body, size_t len,
				  const char *product_token)
{
	struct robots *r;

	if (status >= 200 && status < 300)
		return robots_parse(body ? body : "", len, product_token);
	if (status >= 300 && status < 500)
		return robots_allow_all();
	r = robots_deny_all();
	if (!r)
		return NULL;
	if (status > 0)
		snprintf(r->why, sizeof(r->why), "blocked by robots.txt: it answered %ld", status);
	else if (body && len > 0)
		snprintf(r->why, sizeof(r->why), "blocked by robots.txt: unreachable (%.*s)",
			 (int)(len < 80 ? len : 80), body);
	else
		snprintf(r->why, sizeof(r->why), "blocked by robots.txt: unreachable");
	return r;
}

const char *robots_why(const struct robots *r)
{
	return r->why;
}

/*
 * The first rule in precedence order that matches decides; none: allowed.
 * Over budget: denied, the cautious answer for a file built to be slow.
 */
static bool robots_decide(const struct robots_set *set, const char *path, size_t len)
{
	struct robots_scan sc;

	sc.budget = ROBOTS_MAX_STEPS;
	sc.over = false;
	for (size_t i = 0; i < set->nrules; i++) {
		const struct robots_rule *rule = &set->rules[i];
		bool hit = robots_match(set->text + rule->off, rule->len, rule->anchored, path, len, &sc);

		if (sc.over)
			return false;
		if (hit)
			return rule->allow;
	}
	return true;
}

bool robots_allowed(const struct robots *r, const char *path)
{
	static const char self[] = "/robots.txt";
	char stack[ROBOTS_PATH_STACK];
	char *buf = stack;
	size_t len, need, n = 0;
	bool allowed;

	if (!r || !path)
		return false;
	if (r->kind == ROBOTS_ALLOW_ALL)
		return true;
	len = strcspn(path, "#");
	if (len > (SIZE_MAX - 1) / 3)
		return false;
	need = 3 * len + 1;
	if (need > sizeof(stack)) {
		buf = malloc(need);
		if (!buf)
			return false;
	}
	if (path[0] != '/')
		buf[n++] = '/';
	/* Three octets per octet at most: it fits. */
	n += robots_normalise(path, len, false, buf + n, need - n, NULL, NULL);
	if (n == sizeof(self) - 1 && memcmp(buf, self, n) == 0)
		allowed = true;
	else if (r->kind == ROBOTS_DENY_ALL)
		allowed = false;
	else
		allowed = robots_decide(&r->set, buf, n);
	if (buf != stack)
		free(buf);
	return allowed;
}

long robots_crawl_delay_ms(const struct robots *r)
{
	return r && r->kind == ROBOTS_RULES ? r->set.delay_ms : -1;
}

void robots_free(struct robots *r)
{
	if (!r)
		return;
	robots_set_release(&r->set);
	free(r);
}

size_t robots_product_token(const char *user_agent, char *buf, size_t size)
{
	const char *s = user_agent ? user_agent : "";
	size_t n;

	while (robots_is_space(*s))
		s++;
	n = robots_token_len(s, strlen(s));
	if (!buf || size == 0)
		return n;
	if (n < size) {
		memcpy(buf, s, n);
		buf[n] = '\0';
	} else {
		buf[0] = '\0';
	}
	return n;
}
