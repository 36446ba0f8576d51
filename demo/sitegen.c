/* sitegen.c -- deterministic page generation: plan a page from its number, then emit its HTML */
#include "sitegen.h"
#include "rng.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Words for titles and anchors come from the ASCII part; body text uses all. */
struct word {
	const char *s;
	unsigned len;
};
#define W(s) { s, sizeof(s) - 1 }
static const struct word words[] = {
	W("about"), W("above"), W("across"), W("after"), W("again"), W("almost"), W("along"),
	W("already"), W("always"), W("among"), W("answer"), W("apple"), W("around"),
	W("autumn"), W("balance"), W("basket"), W("beach"), W("because"), W("before"),
	W("behind"), W("below"), W("better"), W("between"), W("bicycle"), W("bird"),
	W("bridge"), W("bright"), W("brother"), W("building"), W("butter"), W("camera"),
	W("candle"), W("careful"), W("castle"), W("center"), W("change"), W("child"),
	W("church"), W("circle"), W("city"), W("clean"), W("clear"), W("clock"), W("cloud"),
	W("coffee"), W("common"), W("corner"), W("country"), W("course"), W("credit"),
	W("current"), W("daily"), W("dance"), W("danger"), W("decide"), W("deep"), W("desert"),
	W("design"), W("dinner"), W("direct"), W("doctor"), W("double"), W("dream"),
	W("during"), W("early"), W("earth"), W("east"), W("easy"), W("engine"), W("enough"),
	W("evening"), W("every"), W("example"), W("family"), W("farm"), W("father"),
	W("feather"), W("field"), W("figure"), W("finger"), W("finish"), W("flower"),
	W("follow"), W("forest"), W("forward"), W("friend"), W("garden"), W("gentle"),
	W("glass"), W("golden"), W("good"), W("green"), W("ground"), W("group"), W("harbor"),
	W("heavy"), W("history"), W("holiday"), W("horse"), W("house"), W("island"),
	W("journey"), W("kitchen"), W("ladder"), W("language"), W("lantern"), W("large"),
	W("later"), W("leather"), W("letter"), W("light"), W("little"), W("machine"),
	W("market"), W("meadow"), W("measure"), W("middle"), W("minute"), W("mirror"),
	W("moment"), W("morning"), W("mountain"), W("music"), W("narrow"), W("nature"),
	W("never"), W("north"), W("number"), W("ocean"), W("office"), W("orange"),
	W("orchard"), W("other"), W("paper"), W("pattern"), W("pencil"), W("people"),
	W("picture"), W("planet"), W("pocket"), W("quiet"), W("rabbit"), W("rather"),
	W("record"), W("river"), W("road"), W("saddle"), W("school"), W("season"), W("second"),
	W("shadow"), W("silver"), W("simple"), W("single"), W("sister"), W("small"), W("snow"),
	W("south"), W("spring"), W("square"), W("station"), W("stone"), W("story"),
	W("street"), W("strong"), W("summer"), W("table"), W("teacher"), W("thunder"),
	W("timber"), W("today"), W("together"), W("tower"), W("travel"), W("under"),
	W("valley"), W("village"), W("voice"), W("water"), W("weather"), W("west"),
	W("window"), W("winter"), W("wonder"), W("yellow"), W("young"),
	/* non-ASCII words: body text only */
	W("café"), W("naïve"), W("über"), W("façade"), W("smörgåsbord"), W("piñata"),
};
#undef W
#define WORDS_ALL (sizeof(words) / sizeof(words[0]))
#define WORDS_ASCII (WORDS_ALL - 6)

enum link_form { FORM_DOTDOT, FORM_SAME, FORM_ROOT, FORM_ABS };

struct link {
	unsigned target;
	unsigned char form;
	unsigned char nwords;
	unsigned short word[3];
};

/* Everything about a page that does not depend on the origin it is served under. */
struct plan {
	unsigned n;
	size_t bytes;
	unsigned nlinks;
	unsigned nav;		/* links [0, nav) in the nav list */
	unsigned inl;		/* links [nav, nav + inl) inline in paragraphs */
	struct link link[SITEGEN_MAX_LINKS];
	char title_raw[256];	/* as written in the HTML */
	char title[256];	/* as a crawler reports it */
	uint64_t text_seed;
};

/*
 * An output cursor. buf NULL only counts. vlen is the length the page would
 * have if every absolute link carried an origin of SITEGEN_ORIGIN_MAX bytes:
 * layout decisions use vlen, so the text is the same for every origin.
 */
struct out {
	char *buf;
	size_t len;
	size_t vlen;
	size_t cap;
	bool overflow;
	const char *origin;
	size_t olen;
};

#define out_lit(o, s) out_put((o), (s), sizeof(s) - 1)

static void out_put(struct out *o, const char *s, size_t n)
{
	if (o->buf) {
		if (o->len + n > o->cap) {
			o->overflow = true;
			return;
		}
		memcpy(o->buf + o->len, s, n);
	}
	o->len += n;
	o->vlen += n;
}

static void out_uint(struct out *o, unsigned v)
{
	char tmp[16];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_put(o, tmp + i, sizeof(tmp) - i);
}

static void out_word(struct out *o, unsigned w, bool capital)
{
	const char *s = words[w].s;
	unsigned len = words[w].len;

	if (capital && s[0] >= 'a' && s[0] <= 'z') {
		char c = (char)(s[0] - 'a' + 'A');

		out_put(o, &c, 1);
		s++;
		len--;
	}
	out_put(o, s, len);
}

/* --- the title ------------------------------------------------------- */

struct title_case {
	const char *raw;	/* "%u" stands for the page number */
	const char *expect;
};

static const struct title_case title_cases[SITEGEN_TITLE_KINDS] = {
	[SITEGEN_TITLE_COMMAS] = { "Page %u, with commas, and more, still",
				   "Page %u, with commas, and more, still" },
	[SITEGEN_TITLE_QUOTES] = { "Page %u says \"hello\" to \"you\"",
				   "Page %u says \"hello\" to \"you\"" },
	[SITEGEN_TITLE_NEWLINE] = { "Page %u first line\nsecond line",
				    "Page %u first line second line" },
	[SITEGEN_TITLE_SPACES] = { "  Page %u \t with \t runs   of\t\tspaces  ",
				   "Page %u with runs of spaces" },
	[SITEGEN_TITLE_UTF8] = { "Café %u · 漢字 naïve déjà vu",
				 "Café %u · 漢字 naïve déjà vu" },
	[SITEGEN_TITLE_ENTITIES] = {
		"Fish &amp; chips %u &lt;b&gt; &quot;q&quot; &#233;t&#xE9; &#x6F22;&#23383;",
		"Fish & chips %u <b> \"q\" été 漢字" },
	[SITEGEN_TITLE_EQUALS] = { "=SUM(A1:A%u) page", "=SUM(A1:A%u) page" },
	[SITEGEN_TITLE_PLUS] = { "+%u plus page", "+%u plus page" },
	[SITEGEN_TITLE_MINUS] = { "-%u minus page", "-%u minus page" },
	[SITEGEN_TITLE_AT] = { "@page%u mention", "@page%u mention" },
	[SITEGEN_TITLE_MIXED] = { "  Commas, \"quotes\",\n\t&amp; more %u &#233;  ",
				  "Commas, \"quotes\", & more %u é" },
};

static const char *const title_kind_names[SITEGEN_TITLE_KINDS] = {
	"commas", "quotes", "newline", "spaces", "utf8", "entities",
	"equals", "plus", "minus", "at", "mixed",
};

enum sitegen_title_kind sitegen_title_kind(unsigned n)
{
	if (n % 10 != 3)
		return SITEGEN_TITLE_PLAIN;
	return (enum sitegen_title_kind)((n / 10) % SITEGEN_TITLE_KINDS);
}

const char *sitegen_title_kind_name(enum sitegen_title_kind kind)
{
	if (kind < 0 || kind >= SITEGEN_TITLE_KINDS)
		return "plain";
	return title_kind_names[kind];
}

/* Copies tmpl into dst with its "%u" replaced by n. */
static void title_expand(char *dst, size_t size, const char *tmpl, unsigned n)
{
	const char *mark = strstr(tmpl, "%u");
	int head = (int)(mark - tmpl);

	snprintf(dst, size, "%.*s%u%s", head, tmpl, n, mark + 2);
}

static void plan_title(struct plan *p, struct demo_rng *r)
{
	enum sitegen_title_kind kind = sitegen_title_kind(p->n);
	unsigned w[3];

	for (int i = 0; i < 3; i++)
		w[i] = demo_rng_below(r, WORDS_ASCII);
	if (kind == SITEGEN_TITLE_PLAIN) {
		snprintf(p->title_raw, sizeof(p->title_raw), "Page %u: %c%s %s %s", p->n,
			 words[w[0]].s[0] - 'a' + 'A', words[w[0]].s + 1, words[w[1]].s, words[w[2]].s);
		memcpy(p->title, p->title_raw, sizeof(p->title));
		return;
	}
	title_expand(p->title_raw, sizeof(p->title_raw), title_cases[kind].raw, p->n);
	title_expand(p->title, sizeof(p->title), title_cases[kind].expect, p->n);
}

/* --- emitting HTML ---------------------------------------------------- */

static void out_href(struct out *o, const struct link *l)
{
	switch (l->form) {
	case FORM_DOTDOT:
		out_lit(o, "../page/");
		break;
	case FORM_SAME:
		break;
	case FORM_ROOT:
		out_lit(o, "/page/");
		break;
	default:
		out_put(o, o->origin, o->olen);
		o->vlen += SITEGEN_ORIGIN_MAX - o->olen;
		out_lit(o, "/page/");
		break;
	}
	out_uint(o, l->target);
	out_lit(o, ".html");
}

static void out_link(struct out *o, const struct link *l)
{
	out_lit(o, "<a href=\"");
	out_href(o, l);
	out_lit(o, "\">");
	for (unsigned i = 0; i < l->nwords; i++) {
		if (i)
			out_lit(o, " ");
		out_word(o, l->word[i], i == 0);
	}
	out_lit(o, "</a>");
}

static size_t link_vlen(const struct link *l)
{
	struct out o = { .origin = "" };

	out_link(&o, l);
	return o.vlen;
}

static void emit_head(struct out *o, const struct plan *p)
{
	out_lit(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>");
	out_put(o, p->title_raw, strlen(p->title_raw));
	out_lit(o, "</title>\n<link rel=\"stylesheet\" href=\"/static/site.css\">\n"
		"</head>\n<body>\n<header><h1>Page ");
	out_uint(o, p->n);
	out_lit(o, "</h1></header>\n");
}

static void emit_list(struct out *o, const struct plan *p, unsigned from, unsigned to)
{
	out_lit(o, "<ul>\n");
	for (unsigned i = from; i < to; i++) {
		out_lit(o, "<li>");
		out_link(o, &p->link[i]);
		out_lit(o, "</li>\n");
	}
	out_lit(o, "</ul>\n");
}

static void emit_nav(struct out *o, const struct plan *p)
{
	out_lit(o, "<nav>\n");
	emit_list(o, p, 0, p->nav);
	out_lit(o, "</nav>\n");
}

static void emit_footer(struct out *o, const struct plan *p, unsigned pages)
{
	out_lit(o, "<footer>\n");
	emit_list(o, p, p->nav + p->inl, p->nlinks);
	out_lit(o, "<p>Page ");
	out_uint(o, p->n);
	out_lit(o, " of ");
	out_uint(o, pages);
	out_lit(o, ", generated by crawlpool demo-site.</p>\n</footer>\n");
}

/* "<p>" + link + "</p>\n": an inline link that found no paragraph to sit in. */
#define STANDALONE_EXTRA 8u
/* A padding comment is "<!--", at least two spaces, "-->\n". */
#define PAD_MIN 10u
#define TAIL "</body>\n</html>\n"
#define ARTICLE_OPEN "<main>\n<article>\n"
#define ARTICLE_CLOSE "</article>\n</main>\n"
/* No paragraph holds less text than this. */
#define PARA_MIN_TEXT 48u

/*
 * One sentence of 6..16 words, those that fit in `room` bytes with its final
 * '.'; room is at least 1.
 */
static void emit_sentence(struct out *o, struct demo_rng *r, size_t room)
{
	unsigned count = 6 + demo_rng_below(r, 11);
	size_t used = 0;

	for (unsigned i = 0; i < count; i++) {
		unsigned w = demo_rng_below(r, WORDS_ALL);
		size_t need = words[w].len + (used ? 1 : 0);

		if (used + need + 1 > room)
			continue;
		if (used)
			out_lit(o, " ");
		out_word(o, w, used == 0);
		used += need;
	}
	out_lit(o, ".");
}

/*
 * A paragraph of at most `room` bytes of text (tags and the link not
 * counted), with link l, if any, after its first sentence.
 */
static void emit_paragraph(struct out *o, struct demo_rng *r, size_t room, const struct link *l)
{
	size_t target = 160 + demo_rng_below(r, 800);
	size_t text, mark;

	if (target > room)
		target = room;
	out_lit(o, "<p>");
	mark = o->vlen;
	emit_sentence(o, r, target);
	text = o->vlen - mark;
	if (l) {
		out_lit(o, " ");
		out_link(o, l);
	}
	while (text + 24 < target) {
		mark = o->vlen;
		out_lit(o, " ");
		emit_sentence(o, r, target - text - 1);
		text += o->vlen - mark;
	}
	out_lit(o, "</p>\n");
}

static void emit_heading(struct out *o, struct demo_rng *r)
{
	unsigned count = 2 + demo_rng_below(r, 3);

	out_lit(o, "<h2>");
	for (unsigned i = 0; i < count; i++) {
		if (i)
			out_lit(o, " ");
		out_word(o, demo_rng_below(r, WORDS_ASCII), i == 0);
	}
	out_lit(o, "</h2>\n");
}

/*
 * The article: paragraphs until only `after` bytes (footer, padding, tail)
 * remain of the page's size; inline links that found no paragraph stand in
 * one of their own. Without text, only those.
 *
 * Invariant: vlen + (standalone cost of the unplaced links) + the close tags
 * + after <= bytes, which plan_fit() establishes and each paragraph keeps.
 */
static void emit_article(struct out *o, const struct plan *p, size_t after, bool text)
{
	struct demo_rng r = { p->text_seed };
	unsigned next = p->nav, end = p->nav + p->inl;
	size_t pending = 0;

	for (unsigned i = next; i < end; i++)
		pending += link_vlen(&p->link[i]) + STANDALONE_EXTRA;
	out_lit(o, ARTICLE_OPEN);
	for (unsigned para = 0; text; para++) {
		const struct link *l = next < end ? &p->link[next] : NULL;
		size_t standalone = l ? link_vlen(l) + STANDALONE_EXTRA : 0;
		/* after this paragraph: the rest, the other links standing alone */
		size_t reserved = after + sizeof(ARTICLE_CLOSE) - 1 + pending - standalone;
		/* "<p>", "</p>\n" and, inline, " " plus the link */
		size_t cost = o->vlen + reserved + STANDALONE_EXTRA + (l ? standalone - 7 : 0);
		size_t room;

		if (cost + PARA_MIN_TEXT > p->bytes)
			break;
		room = p->bytes - cost;
		if (para % 4 == 3 && room > 64 + PARA_MIN_TEXT) {
			size_t mark = o->vlen;

			emit_heading(o, &r);
			room -= o->vlen - mark;
		}
		emit_paragraph(o, &r, room, l);
		if (l) {
			pending -= standalone;
			next++;
		}
	}
	for (; next < end; next++) {
		out_lit(o, "<p>");
		out_link(o, &p->link[next]);
		out_lit(o, "</p>\n");
	}
	out_lit(o, ARTICLE_CLOSE);
}

static size_t footer_vlen(const struct plan *p, unsigned pages)
{
	struct out o = { .origin = "" };

	emit_footer(&o, p, pages);
	return o.vlen;
}

/* Bytes the page needs besides its paragraphs. */
static size_t skeleton_vlen(const struct plan *p, unsigned pages)
{
	struct out o = { .origin = "" };
	size_t after = footer_vlen(p, pages) + PAD_MIN + sizeof(TAIL) - 1;

	emit_head(&o, p);
	emit_nav(&o, p);
	emit_article(&o, p, after, false);
	return o.vlen + after;
}

static void emit_page(struct out *o, const struct plan *p, unsigned pages)
{
	size_t after = footer_vlen(p, pages) + PAD_MIN + sizeof(TAIL) - 1;
	size_t spaces;

	emit_head(o, p);
	emit_nav(o, p);
	emit_article(o, p, after, true);
	emit_footer(o, p, pages);
	/* the padding is counted in real bytes: it absorbs the origin's length */
	spaces = p->bytes - o->len - (sizeof(TAIL) - 1) - 8;
	out_lit(o, "<!--");
	while (spaces > 0 && !o->overflow) {
		static const char blank[64] = "                                "
					      "                                ";
		size_t k = spaces < sizeof(blank) ? spaces : sizeof(blank);

		out_put(o, blank, k);
		spaces -= k;
	}
	out_lit(o, "-->\n" TAIL);
}

/* --- planning --------------------------------------------------------- */

/* Quantiles of the page size: (probability in millionths, bytes), interpolated. */
static const struct {
	unsigned p;
	unsigned bytes;
} size_knots[] = {
	{ 0, 1100 },	   { 100000, 4000 },  { 250000, 8500 },	  { 500000, 15000 },
	{ 750000, 26000 }, { 900000, 45000 }, { 980000, 100000 }, { 1000000, SITEGEN_MAX_BYTES },
};

static size_t plan_size(struct demo_rng *r)
{
	unsigned u = demo_rng_below(r, 1000000);
	size_t i = 1;

	while (size_knots[i].p < u)
		i++;
	return size_knots[i - 1].bytes +
	       (size_t)(size_knots[i].bytes - size_knots[i - 1].bytes) * (u - size_knots[i - 1].p) /
		       (size_knots[i].p - size_knots[i - 1].p);
}

static void plan_links(struct plan *p, unsigned pages, struct demo_rng *r)
{
	unsigned spread = (unsigned)((p->bytes - SITEGEN_MIN_BYTES) / 256);

	if (spread > SITEGEN_MAX_LINKS - SITEGEN_MIN_LINKS)
		spread = SITEGEN_MAX_LINKS - SITEGEN_MIN_LINKS;
	p->nlinks = SITEGEN_MIN_LINKS + demo_rng_below(r, spread + 1);
	p->nav = p->nlinks * (25 + demo_rng_below(r, 21)) / 100;
	p->inl = (p->nlinks - p->nav) / 2;
	for (unsigned i = 0; i < p->nlinks; i++) {
		struct link *l = &p->link[i];
		unsigned form = demo_rng_below(r, 100);

		l->target = (unsigned)(demo_rng_next(r) % pages);
		if (l->target == p->n && pages > 1)
			l->target = (l->target + 1) % pages;
		l->form = form < 25 ? FORM_DOTDOT : form < 40 ? FORM_SAME : form < 70 ? FORM_ROOT : FORM_ABS;
		l->nwords = (unsigned char)(1 + demo_rng_below(r, 3));
		for (unsigned w = 0; w < 3; w++)
			l->word[w] = (unsigned short)demo_rng_below(r, WORDS_ASCII);
	}
}

/* Small pages cannot afford every absolute link: turn some root-relative, then grow. */
static void plan_fit(struct plan *p, unsigned pages)
{
	size_t need = skeleton_vlen(p, pages) + 2 * PARA_MIN_TEXT;
	unsigned i = p->nlinks;

	while (need > p->bytes && i > 0) {
		if (p->link[--i].form == FORM_ABS) {
			p->link[i].form = FORM_ROOT;
			need = skeleton_vlen(p, pages) + 2 * PARA_MIN_TEXT;
		}
	}
	if (need > p->bytes)
		p->bytes = need;
}

static void plan_page(struct plan *p, unsigned n, unsigned pages)
{
	struct demo_rng r = { 0x6372617768756c6cULL ^ ((uint64_t)n * 0x100000001b3ULL) };

	memset(p, 0, sizeof(*p));
	p->n = n;
	p->bytes = plan_size(&r);
	plan_title(p, &r);
	plan_links(p, pages, &r);
	p->text_seed = demo_rng_next(&r);
	plan_fit(p, pages);
}

/* --- public API -------------------------------------------------------- */

void sitegen_page_info(unsigned n, unsigned pages, struct sitegen_page *info)
{
	struct plan p;

	if (pages == 0)
		pages = 1;
	plan_page(&p, n, pages);
	memcpy(info->title, p.title, sizeof(info->title));
	info->links = p.nlinks;
	info->bytes = p.bytes;
}

size_t sitegen_render_to(unsigned n, unsigned pages, const char *origin, char *buf)
{
	struct out o = { .buf = buf, .cap = SITEGEN_MAX_BYTES, .origin = origin ? origin : "" };
	struct plan p;

	o.olen = strlen(o.origin);
	if (o.olen > SITEGEN_ORIGIN_MAX)
		return 0;
	if (pages == 0)
		pages = 1;
	plan_page(&p, n, pages);
	emit_page(&o, &p, pages);
	if (o.overflow || o.len != p.bytes)
		return 0;
	return o.len;
}

size_t sitegen_render(unsigned n, unsigned pages, char **body)
{
	char *buf = malloc(SITEGEN_MAX_BYTES);
	size_t len;

	*body = NULL;
	if (!buf)
		return 0;
	len = sitegen_render_to(n, pages, NULL, buf);
	if (len == 0) {
		free(buf);
		return 0;
	}
	*body = buf;
	return len;
}

size_t sitegen_index_render(unsigned pages, char **body)
{
	struct out o = { .cap = SITEGEN_MAX_BYTES, .origin = "" };
	unsigned count = pages < SITEGEN_INDEX_LINKS ? pages : SITEGEN_INDEX_LINKS;

	*body = NULL;
	o.buf = malloc(o.cap);
	if (!o.buf)
		return 0;
	out_lit(&o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>crawlpool demo site</title>\n</head>\n<body>\n"
		"<h1>crawlpool demo site</h1>\n<p>");
	out_uint(&o, pages);
	out_lit(&o, " generated pages, /page/0.html to /page/");
	out_uint(&o, pages - 1);
	out_lit(&o, ".html; the first ones:</p>\n<ul>\n");
	for (unsigned i = 0; i < count; i++) {
		out_lit(&o, "<li><a href=\"page/");
		out_uint(&o, i);
		out_lit(&o, ".html\">Page ");
		out_uint(&o, i);
		out_lit(&o, "</a></li>\n");
	}
	out_lit(&o, "</ul>\n<p>Test-only fault routes live under <code>/fault/</code>.</p>\n"
		"</body>\n</html>\n");
	*body = o.buf;
	return o.len;
}
