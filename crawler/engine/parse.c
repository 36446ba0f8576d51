/* parse.c -- the facts of a page from libxml2's SAX push parser, which builds no tree, fed UTF-8 we decode ourselves */
#include "parse.h"

#include "charset.h"
#include "skim.h"
#include "title.h"
#include "urlnorm.h"

#include <errno.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <libxml/dict.h>
#include <libxml/globals.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Why SAX and push: the body is parsed chunk by chunk inside the transfer,
 * so no page is ever held whole, parse time counts against the transfer's
 * timeout, and no DOM is built. Without a tree libxml2 never reaches its
 * nodePush depth cap of 256 either, so a link after 100,000 nested <div>s
 * is still counted, with no XML_PARSE_HUGE and no recursion.
 *
 * Why we decode: libxml2's converters stop the whole parse at the first
 * byte their charset lacks (windows-1252 has no 0x81, so a page labelled
 * ISO-8859-1 ended there) and report it on stderr. Here every charset is
 * turned into valid UTF-8 before libxml2 sees it, a bad byte becoming
 * U+FFFD, so libxml2 never converts and never stops on an encoding.
 */
enum {
	PARSE_PIECE = 16384,	/* bytes decoded, then handed to libxml2, at a time */
	PARSE_SNIFF = 1024,	/* bytes searched for a <meta> charset, as browsers do */
	PARSE_CARRY = 8,	/* longest unfinished character kept for the next piece */
	PARSE_KEEP = 16384,	/* consumed input libxml2 may hold before it is dropped */
	PARSE_SKIP_MIN = 64,	/* shorter text is not worth a call of libxml2 to skip */
	PARSE_HOLD_MAX = 4096,	/* most text kept back from libxml2 for the next piece */
	PARSE_PENDING_SKIM = 1024,	/* longest unfinished token carried into the next piece */
};

enum parse_codec {
	PARSE_UTF8,		/* a bad sequence becomes U+FFFD */
	PARSE_UTF8_GUESS,	/* unlabelled: UTF-8 until a byte is not, then windows-1252 */
	PARSE_WIN1252,
	PARSE_ICONV,		/* any other charset iconv knows; a bad byte becomes U+FFFD */
	PARSE_REPLACEMENT,	/* a charset the WHATWG refuses: the body is one U+FFFD */
};

/*
 * The elements whose text HTML5 does not read as markup (RCDATA: title,
 * textarea; raw text: the rest; plaintext runs to the end of the page).
 * Not noscript: crawlpool runs no script, and a browser without scripting
 * reads noscript as markup. Not template either: its content is markup,
 * links included, that a script puts on the page.
 */
static const struct {
	const char *name;
	size_t len;
} parse_raw_names[] = {
	{ "title", 5 }, { "textarea", 8 }, { "script", 6 }, { "style", 5 }, { "xmp", 3 },
	{ "iframe", 6 }, { "noembed", 7 }, { "noframes", 8 }, { "plaintext", 9 },
};
enum { PARSE_RAW_SCRIPT = 3, PARSE_RAW_PLAINTEXT = 9 };	/* their numbers: index + 1 */

/* Where a script's text stands (HTML5 script data, and its escaped states after "<!--") */
enum parse_script {
	PARSE_SCRIPT_DATA,
	PARSE_SCRIPT_ESC,		/* after "<!--": "</script>" still ends it */
	PARSE_SCRIPT_ESC_DASH,
	PARSE_SCRIPT_ESC_DASH_DASH,
	PARSE_SCRIPT_DESC,		/* after "<!-- <script>": "</script>" does not */
	PARSE_SCRIPT_DESC_DASH,
	PARSE_SCRIPT_DESC_DASH_DASH,
};

enum { PARSE_NS_MAX = 16 };	/* svg/math inside HTML inside svg/math ... deep */

struct parse {
	htmlParserCtxtPtr ctxt;	/* NULL outside a page, and once a cap stopped it */
	htmlSAXHandler sax;
	bool active;		/* between parse_begin() and parse_end()/parse_abort() */
	bool labelled;		/* the transport named a charset we can read */
	bool sniffing;		/* the first bytes are still being gathered in raw */
	enum parse_codec codec;
	iconv_t cd;		/* PARSE_ICONV's converter, else (iconv_t)-1 */
	unsigned unit;		/* its code unit: what a bad character skips (UTF-16: 2) */
	size_t raw_len;		/* undecoded bytes at the start of raw */
	bool replaced;		/* PARSE_REPLACEMENT gave its one U+FFFD */
	size_t out_len;		/* decoded bytes at the start of out, not yet parsed */
	bool skim;		/* text that cannot change the facts is kept from libxml2 */
	bool clean;		/* libxml2 stands between two tokens, having read all it was given */
	bool skippable;		/* ... and text there changes nothing: see parse_push() */
	size_t pending;		/* bytes libxml2 holds unread, the start of its next token */
	bool pending_text;	/* ... and that token is text */
	unsigned long links;
	parse_link_cb *link_cb;	/* a crawl that follows links wants each target */
	void *link_ctx;
	bool base_seen;		/* the first <base href> is the page's */
	bool base_cut;		/* ... and it was too long to keep */
	bool nofollow;		/* <meta name="robots" content="nofollow"> */
	char base[PARSE_BASE_MAX + 1];
	unsigned cand;		/* libxml2 reads what may be the start tag of parse_raw_names[cand - 1] */
	size_t cand_fed;	/* ... the bytes of it handed over so far */
	unsigned raw_el;	/* the text of parse_raw_names[raw_el - 1] is kept from libxml2 */
	bool raw_title;		/* ... and it is the page's title */
	enum parse_script script;
	unsigned ns_len;	/* svg and math around, and the HTML inside them: */
	unsigned ns_depth[PARSE_NS_MAX];	/* ... the depth each starts at */
	unsigned char ns_kind[PARSE_NS_MAX];	/* ... PARSE_NS_HTML, _SVG or _MATH */
	bool ns_lost;		/* nested deeper than PARSE_NS_MAX: foreign to the end */
	bool in_title;		/* libxml2 reads the title's text (see parse_raw_start()) */
	bool title_seen;	/* the first <title> in HTML is the page's title */
	struct title title;
	unsigned char raw[PARSE_PIECE + PARSE_CARRY];
	char out[PARSE_PIECE + 8];
};

/* libxml2 reports what it dislikes through these; a crawl has no use for it. */
static void parse_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void parse_quiet_structured(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

/* Error handlers are per thread in libxml2: this thread's, and every later thread's default. */
static void parse_silence(void)
{
	xmlSetGenericErrorFunc(NULL, parse_quiet);
	xmlSetStructuredErrorFunc(NULL, parse_quiet_structured);
}

void parse_global_init(void)
{
	xmlInitParser();
	parse_silence();
	xmlThrDefSetGenericErrorFunc(NULL, parse_quiet);
	xmlThrDefSetStructuredErrorFunc(NULL, parse_quiet_structured);
}

void parse_global_cleanup(void)
{
	xmlCleanupParser();
}

/* The value of attribute `name`, or NULL. */
static const char *parse_attr_of(const xmlChar **atts, const char *name)
{
	for (; atts && atts[0]; atts += 2)
		if (strcmp((const char *)atts[0], name) == 0)
			return atts[1] ? (const char *)atts[1] : "";
	return NULL;
}

/* Whether a space-separated list of tokens (rel, meta content) holds one, any case. */
static bool parse_has_token(const char *list, const char *token)
{
	size_t n = strlen(token);

	while (list && *list) {
		size_t len;

		list += strspn(list, " \t\n\r\f,");
		len = strcspn(list, " \t\n\r\f,");
		if (len == n && strncasecmp(list, token, n) == 0)
			return true;
		list += len;
	}
	return false;
}

/*
 * The first <base href>, without the spaces and controls around it, which
 * URL parsing drops. One too long to keep is marked cut, never kept cut
 * short: links resolved against a shorter base would be other URLs.
 */
static void parse_keep_base(struct parse *p, const char *href)
{
	size_t n;

	href = urlnorm_trim(href, &n);
	p->base_seen = true;
	p->base_cut = n > PARSE_BASE_MAX;
	if (p->base_cut)
		n = 0;
	memcpy(p->base, href, n);
	p->base[n] = '\0';
}

/* <a href> is counted; <a> and <area> targets, <base href> and meta robots serve a crawl that follows links. */
static void parse_link_element(struct parse *p, const char *name, const xmlChar **atts)
{
	const char *href = parse_attr_of(atts, "href"), *rel;

	if (strcmp(name, "a") == 0 || strcmp(name, "area") == 0) {
		if (!href)
			return;
		if (name[1] == '\0')
			p->links++;
		if (p->link_cb) {
			rel = parse_attr_of(atts, "rel");
			p->link_cb(p->link_ctx, href, parse_has_token(rel, "nofollow"));
		}
	} else if (strcmp(name, "base") == 0) {
		if (href && !p->base_seen)
			parse_keep_base(p, href);
	} else if (strcmp(name, "meta") == 0) {
		const char *meta = parse_attr_of(atts, "name"), *content = parse_attr_of(atts, "content");

		if (meta && strcasecmp(meta, "robots") == 0 &&
		    (parse_has_token(content, "nofollow") || parse_has_token(content, "none")))
			p->nofollow = true;
	}
}

/* ---- svg and math: what is not HTML ------------------------------------------ */

enum { PARSE_NS_HTML, PARSE_NS_SVG, PARSE_NS_MATH };

/*
 * Start tags that end svg or math content in HTML5 (the tree builder's "in
 * foreign content" list): what follows is HTML again.
 */
static bool parse_breaks_out(const char *name, const xmlChar **atts)
{
	static const char *const names[] = {
		"b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt",
		"em", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li",
		"listing", "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span",
		"strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var",
	};

	if (strcmp(name, "font") == 0)
		return parse_attr_of(atts, "color") || parse_attr_of(atts, "face") ||
		       parse_attr_of(atts, "size");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Whether an element of svg or math holds HTML (an HTML5 integration point). */
static bool parse_holds_html(unsigned kind, const char *name, const xmlChar **atts)
{
	const char *enc;

	if (kind == PARSE_NS_SVG)
		return strcmp(name, "foreignobject") == 0 || strcmp(name, "desc") == 0 ||
		       strcmp(name, "title") == 0;
	if (strcmp(name, "annotation-xml") == 0) {
		enc = parse_attr_of(atts, "encoding");
		return enc && (strcasecmp(enc, "text/html") == 0 ||
			       strcasecmp(enc, "application/xhtml+xml") == 0);
	}
	return strcmp(name, "mi") == 0 || strcmp(name, "mo") == 0 || strcmp(name, "mn") == 0 ||
	       strcmp(name, "ms") == 0 || strcmp(name, "mtext") == 0;
}

static unsigned parse_ns_top(const struct parse *p)
{
	return p->ns_len ? p->ns_kind[p->ns_len - 1] : PARSE_NS_HTML;
}

static void parse_ns_push(struct parse *p, unsigned depth, unsigned kind)
{
	if (p->ns_len == PARSE_NS_MAX) {
		p->ns_lost = true;
		return;
	}
	p->ns_depth[p->ns_len] = depth;
	p->ns_kind[p->ns_len++] = (unsigned char)kind;
}

/* Elements libxml2 closed at depth and below (some it drops without an end callback). */
static void parse_ns_close(struct parse *p, unsigned depth)
{
	while (p->ns_len > 0 && p->ns_depth[p->ns_len - 1] >= depth)
		p->ns_len--;
}

/*
 * Follows svg and math as libxml2 opens elements (libxml2 knows neither):
 * whether the element just opened is an HTML one, as HTML5 reads it.
 */
static bool parse_ns_start(struct parse *p, const char *name, const xmlChar **atts)
{
	unsigned depth = (unsigned)p->ctxt->nameNr, kind;

	if (p->ns_lost)
		return false;
	parse_ns_close(p, depth);
	kind = parse_ns_top(p);
	if (kind != PARSE_NS_HTML && parse_breaks_out(name, atts)) {
		p->ns_len--;
		kind = parse_ns_top(p);
	}
	if (kind == PARSE_NS_HTML) {
		if (strcmp(name, "svg") == 0)
			parse_ns_push(p, depth, PARSE_NS_SVG);
		else if (strcmp(name, "math") == 0)
			parse_ns_push(p, depth, PARSE_NS_MATH);
		/* svg and math themselves are not HTML */
		return !(p->ns_len && p->ns_depth[p->ns_len - 1] == depth);
	}
	/* svg in math is math's own, but for svg in <annotation-xml> */
	if (kind == PARSE_NS_MATH && strcmp(name, "svg") == 0 && depth >= 2 &&
	    strcmp((const char *)p->ctxt->nameTab[depth - 2], "annotation-xml") == 0)
		parse_ns_push(p, depth, PARSE_NS_SVG);
	else if (parse_holds_html(kind, name, atts))
		parse_ns_push(p, depth, PARSE_NS_HTML);
	return false;
}

/* ---- elements ---------------------------------------------------------------- */

/*
 * Whether libxml2 just read the whole start tag parse_push() handed it as a
 * raw-text element's, and nothing after it: then the element's text can be
 * kept from libxml2, which would read it as markup. The tag is its last '>'.
 */
static bool parse_raw_start(struct parse *p, const char *name)
{
	xmlParserInputPtr in = p->ctxt->input;
	size_t left;

	if (p->cand == 0 || strcmp(name, parse_raw_names[p->cand - 1].name) != 0 || !in || !in->cur)
		return false;
	left = (size_t)(in->end - in->cur);
	if (!((left == 1 && in->cur[0] == '>') || (left == 2 && in->cur[0] == '/' && in->cur[1] == '>')))
		return false;
	p->raw_el = p->cand;
	p->raw_title = false;
	p->script = PARSE_SCRIPT_DATA;
	return true;
}

static void parse_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct parse *p = ctx;
	const char *n = (const char *)name;
	bool html = true, raw;

	/* libxml2's HTML parser hands element and attribute names lower-cased */
	if (p->ns_len || p->ns_lost || (n[0] == 's' && strcmp(n, "svg") == 0) ||
	    (n[0] == 'm' && strcmp(n, "math") == 0))
		html = parse_ns_start(p, n, atts);
	if (n[0] == 'a' || n[0] == 'b' || n[0] == 'm') {
		parse_link_element(p, n, atts);
		return;
	}
	if (!html)
		return;
	raw = p->cand && parse_raw_start(p, n);
	if (!p->title_seen && strcmp(n, "title") == 0) {
		p->title_seen = true;
		p->raw_title = raw;
		/* libxml2 reads its text where the tag could not be cut right after */
		p->in_title = !raw;
	}
}

/*
 * A title libxml2 reads ends with its element, or at the latest with the
 * head, body or html around it: libxml2 does not always close a title that
 * held markup, and whether text after </html> reached it then depended on
 * where the body's pieces were cut.
 */
static void parse_stop(void *ctx, const xmlChar *name)
{
	struct parse *p = ctx;
	const char *n = (const char *)name;

	if (p->ns_len)
		parse_ns_close(p, (unsigned)p->ctxt->nameNr);
	if (p->in_title && (strcmp(n, "title") == 0 || strcmp(n, "head") == 0 ||
			    strcmp(n, "body") == 0 || strcmp(n, "html") == 0))
		p->in_title = false;
}

/* A title libxml2 reads (see parse_start()): its text, entities decoded by libxml2. */
static void parse_text(void *ctx, const xmlChar *text, int len)
{
	struct parse *p = ctx;

	if (p->in_title && len > 0)
		title_add(&p->title, (const char *)text, (size_t)len);
}

static void parse_ignore(void *ctx, const xmlChar *text, int len)
{
	(void)ctx;
	(void)text;
	(void)len;
}

struct parse *parse_new(void)
{
	struct parse *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cd = (iconv_t)-1;
	p->skim = true;
	p->sax.startElement = parse_start;
	p->sax.endElement = parse_stop;
	p->sax.characters = parse_text;
	p->sax.ignorableWhitespace = parse_text;
	/* script and style bodies: nothing we need */
	p->sax.cdataBlock = parse_ignore;
	/* a worker thread may have started before parse_global_init() set the default */
	parse_silence();
	return p;
}

/* Frees libxml2's context: the page's facts stay as they are. */
static void parse_halt(struct parse *p)
{
	if (p->ctxt) {
		htmlFreeParserCtxt(p->ctxt);
		p->ctxt = NULL;
	}
	p->in_title = false;
}

void parse_abort(struct parse *p)
{
	parse_halt(p);
	if (p->cd != (iconv_t)-1) {
		iconv_close(p->cd);
		p->cd = (iconv_t)-1;
	}
	p->active = false;
}

void parse_free(struct parse *p)
{
	if (!p)
		return;
	parse_abort(p);
	free(p);
}

bool parse_is_html(const char *content_type)
{
	size_t n;

	if (!content_type)
		return false;
	content_type += strspn(content_type, " \t");
	/* the media type without its parameters */
	n = strcspn(content_type, "; \t");
	return (n == 9 && strncasecmp(content_type, "text/html", 9) == 0) ||
	       (n == 21 && strncasecmp(content_type, "application/xhtml+xml", 21) == 0);
}

/*
 * Makes label the page's charset: true if it names one we can read. A
 * <meta> naming UTF-16 was itself read as ASCII, so it means UTF-8.
 */
static bool parse_use(struct parse *p, const char *label, bool from_meta)
{
	char name[CHARSET_NAME_MAX];
	unsigned unit;
	iconv_t cd;

	switch (charset_label(label, from_meta, name, sizeof(name), &unit)) {
	case CHARSET_UTF8:
		p->codec = PARSE_UTF8;
		return true;
	case CHARSET_WIN1252:
		p->codec = PARSE_WIN1252;
		return true;
	case CHARSET_REPLACEMENT:
		p->codec = PARSE_REPLACEMENT;
		return true;
	case CHARSET_ICONV:
		break;
	default:
		return false;
	}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return false;
	if (p->cd != (iconv_t)-1)
		iconv_close(p->cd);
	p->cd = cd;
	p->codec = PARSE_ICONV;
	p->unit = unit;
	return true;
}

/* ---- handing UTF-8 to libxml2, in bounded memory --------------------------- */

/*
 * After each piece: input the parser has consumed is dropped (its push
 * parser keeps all of it otherwise, unless a text node makes it shrink:
 * a body of tags alone grew without end), and the caps of parse.h are
 * checked.
 */
static void parse_bound(struct parse *p)
{
	htmlParserCtxtPtr c = p->ctxt;
	xmlParserInputPtr in = c->input;

	if (!in || !in->buf || c->instate == XML_PARSER_EOF || c->disableSAX) {
		/* libxml2 gave up (out of memory): nothing more will come */
		parse_halt(p);
		return;
	}
	if (in->cur - in->base > PARSE_KEEP) {
		ptrdiff_t before = in->cur - in->base;

		xmlParserInputShrink(in);
		/* checkIndex counts from the start of the buffer, which just moved */
		if (c->checkIndex > 0)
			c->checkIndex = c->checkIndex > before - (in->cur - in->base) ?
					c->checkIndex - (before - (in->cur - in->base)) : 0;
	}
	if (in->end - in->cur > (ptrdiff_t)PARSE_PENDING_MAX || c->nameNr > (int)PARSE_DEPTH_MAX ||
	    xmlDictSize(c->dict) > (int)PARSE_NAMES_MAX ||
	    xmlDictGetUsage(c->dict) > PARSE_NAME_BYTES_MAX)
		parse_halt(p);
}

/* Whether libxml2 waits on the end of a start tag or doctype, the searches that skip quoted values. */
static bool parse_in_quoted_search(htmlParserCtxtPtr c)
{
	xmlParserInputPtr in = c->input;

	return c->instate == XML_PARSER_START_TAG ||
	       (in && in->cur && in->end - in->cur >= 9 &&
		strncasecmp((const char *)in->cur, "<!DOCTYPE", 9) == 0);
}

/* Hands n decoded bytes to libxml2. */
static void parse_chunk(struct parse *p, const char *s, size_t n)
{
	if (n == 0 || !p->ctxt)
		return;
	/*
	 * checkIndex is where libxml2's last search for the end of a tag
	 * stopped, so that the next one resumes there. When that was inside a
	 * quoted attribute value (bit 0 of hasPErefs, which 2.9 borrows for it),
	 * 2.9 resumes without the quote character, never finds the tag's end,
	 * and the page stalled from that cut on, its bytes piling up until the
	 * last one came. Zero: the search starts over at the tag's '<'. Only
	 * for a tag or doctype: other searches ignore quotes, yet carry a stale
	 * bit along, and a comment's search started over can end it elsewhere.
	 */
	if ((p->ctxt->hasPErefs & 1) && parse_in_quoted_search(p->ctxt))
		p->ctxt->checkIndex = 0;
	/* the return value is the last recoverable error: not ours to act on */
	htmlParseChunk(p->ctxt, s, (int)n, 0);
}

/*
 * Where libxml2 stands once it has read what it could: at the start of a
 * token (what it has not read yet, p->pending bytes, is the start of that
 * token, which it waits to see whole), not inside <script> or <style>,
 * whose text it reads apart; and whether text there could change anything
 * we collect. Text inside an element other than html or head, outside the
 * title, makes libxml2 call back with characters we ignore and nothing
 * else: no implied element, no name. Such text can be left out.
 */
static void parse_check(struct parse *p)
{
	htmlParserCtxtPtr c = p->ctxt;
	const char *name;

	p->clean = p->skippable = false;
	if (!c || !c->input || !c->input->cur || c->token != 0 || c->disableSAX)
		return;
	switch (c->instate) {
	case XML_PARSER_START:
	case XML_PARSER_MISC:
	case XML_PARSER_PROLOG:
	case XML_PARSER_CONTENT:
	case XML_PARSER_START_TAG:
	case XML_PARSER_END_TAG:
		break;
	default:
		return;
	}
	p->pending = (size_t)(c->input->end - c->input->cur);
	/* skim.h reads no NUL, and none is in what is left out */
	if (p->pending > PARSE_PENDING_SKIM || memchr(c->input->cur, '\0', p->pending))
		return;
	name = (const char *)c->name;
	if (name && skim_raw_name(name, strlen(name)))
		return;
	p->clean = true;
	p->pending_text = p->pending > 0 && c->input->cur[0] != '<';
	p->skippable = c->instate == XML_PARSER_CONTENT && (p->pending == 0 || p->pending_text) &&
		       name && strcmp(name, "html") != 0 && strcmp(name, "head") != 0 &&
		       !p->in_title;
}

/*
 * The length of plain markup (skim_markup()) that starts with the bytes
 * libxml2 waits on and ends in the n bytes at s, or 0.
 */
static size_t parse_markup_across(struct parse *p, const char *s, size_t n)
{
	char joined[2 * PARSE_PENDING_SKIM];
	size_t more = n < sizeof(joined) - p->pending ? n : sizeof(joined) - p->pending, len;

	memcpy(joined, p->ctxt->input->cur, p->pending);
	memcpy(joined + p->pending, s, more);
	len = skim_markup(joined, joined + p->pending + more);
	return len > p->pending ? len - p->pending : 0;
}

static char parse_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/*
 * Whether the bytes at s are name (lower case), any case, and then what
 * ends a tag name in HTML5 (a blank, '/' or '>'): 1 or 0, or -1 when the
 * bytes end too soon to tell.
 */
static int parse_name_at(const char *s, const char *end, const char *name, size_t len)
{
	char c;

	for (size_t k = 0; k < len; k++) {
		if (s + k >= end)
			return -1;
		if (parse_lower(s[k]) != name[k])
			return 0;
	}
	if (s + len >= end)
		return -1;
	c = s[len];
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>';
}

/* Whether the '<' at s starts raw-text element r's end tag: 1, 0, or -1 (too soon to tell). */
static int parse_raw_end_at(const char *s, const char *end, unsigned r)
{
	if (end - s < 2)
		return -1;
	if (s[1] != '/')
		return 0;
	return parse_name_at(s + 2, end, parse_raw_names[r - 1].name, parse_raw_names[r - 1].len);
}

/* Whether a tag whose name starts with c may be a raw-text element's. */
static inline bool parse_raw_initial(char c)
{
	c = parse_lower(c);
	return c == 't' || c == 's' || c == 'x' || c == 'i' || c == 'n' || c == 'p';
}

/* parse_raw_start_at(), past its first test. */
static int parse_raw_start_name(const char *s, const char *end)
{
	unsigned first, last;
	int soon = 0;

	if (end - s < 3)
		return end - s < 2 || parse_raw_initial(s[1]) ? -1 : 0;
	switch (parse_lower(s[1])) {
	case 't':
		first = 1, last = 2;	/* title, textarea */
		break;
	case 's':
		first = 3, last = 4;	/* script, style */
		break;
	case 'x':
		first = last = 5;
		break;
	case 'i':
		first = last = 6;
		break;
	case 'n':
		first = 7, last = 8;	/* noembed, noframes */
		break;
	case 'p':
		first = last = 9;
		break;
	default:
		return 0;
	}
	for (unsigned i = first - 1; i < last; i++) {
		int m;

		if (parse_lower(s[2]) != parse_raw_names[i].name[1])
			continue;
		m = parse_name_at(s + 1, end, parse_raw_names[i].name, parse_raw_names[i].len);
		if (m > 0)
			return (int)i + 1;
		soon = m < 0 ? -1 : soon;
	}
	return soon;
}

/*
 * Whether the '<' at s starts a raw-text element's start tag: its number,
 * 0, or -1 (too soon to tell). Called at every '<': most fail the first test.
 */
static inline int parse_raw_start_at(const char *s, const char *end)
{
	return end - s >= 2 && !parse_raw_initial(s[1]) ? 0 : parse_raw_start_name(s, end);
}

/*
 * The first '<' in [s, end) that starts a raw-text element's start tag
 * (*raw its number), or, unless final, that may start one once more bytes
 * come (*raw -1); else end (*raw 0).
 */
static const char *parse_raw_next(const char *s, const char *end, bool final, int *raw)
{
	for (const char *q = s; (q = memchr(q, '<', (size_t)(end - q))) != NULL; q++) {
		*raw = parse_raw_start_at(q, end);
		if (*raw > 0 || (*raw < 0 && !final))
			return q;
	}
	*raw = 0;
	return end;
}

/* Whether the bytes at s (before end) begin with prefix, or end inside it: 1, 0, -1. */
static int parse_prefix_at(const char *s, const char *end, const char *prefix, size_t len)
{
	size_t have = (size_t)(end - s) < len ? (size_t)(end - s) : len;

	if (memcmp(s, prefix, have) != 0)
		return 0;
	return have == len ? 1 : -1;
}

/*
 * A script's text from s as HTML5 reads it (script data, and the escaped
 * states "<!--" opens, in which "<script>" makes "</script>" not end it):
 * where its end tag starts (*closed), or where the bytes end, but for a
 * '<' that more bytes would tell (unless final).
 */
static const char *parse_script_text(struct parse *p, const char *s, const char *end, bool final,
				     bool *closed)
{
	const char *q = s;
	int m, n;

	while (q < end) {
		enum parse_script st = p->script;

		if (st == PARSE_SCRIPT_DATA) {
			if (!(q = memchr(q, '<', (size_t)(end - q))))
				return end;
			m = parse_raw_end_at(q, end, PARSE_RAW_SCRIPT);
			n = parse_prefix_at(q, end, "<!--", 4);
			if (m > 0) {
				*closed = true;
				return q;
			}
			if ((m < 0 || n < 0) && !final)
				return q;
			if (n > 0) {
				/* "<!--" ends where "<!-->" would */
				p->script = PARSE_SCRIPT_ESC_DASH_DASH;
				q += 4;
			} else {
				q++;
			}
			continue;
		}
		if (*q == '<' && st <= PARSE_SCRIPT_ESC_DASH_DASH) {
			m = parse_raw_end_at(q, end, PARSE_RAW_SCRIPT);
			n = parse_name_at(q + 1, end, "script", 6);
			if (m > 0) {
				*closed = true;
				return q;
			}
			if ((m < 0 || n < 0) && !final)
				return q;
			p->script = n > 0 ? PARSE_SCRIPT_DESC : PARSE_SCRIPT_ESC;
			q += n > 0 ? 7 : 1;
			continue;
		}
		if (*q == '<') {
			m = end - q < 2 ? -1 : q[1] != '/' ? 0 : parse_name_at(q + 2, end, "script", 6);
			if (m < 0 && !final)
				return q;
			p->script = m > 0 ? PARSE_SCRIPT_ESC : PARSE_SCRIPT_DESC;
			q += m > 0 ? 8 : 1;
			continue;
		}
		if (*q == '-') {
			if (st != PARSE_SCRIPT_ESC_DASH_DASH && st != PARSE_SCRIPT_DESC_DASH_DASH)
				p->script = (enum parse_script)(st + 1);
		} else if (*q == '>' && (st == PARSE_SCRIPT_ESC_DASH_DASH ||
					 st == PARSE_SCRIPT_DESC_DASH_DASH)) {
			p->script = PARSE_SCRIPT_DATA;
		} else {
			p->script = st >= PARSE_SCRIPT_DESC ? PARSE_SCRIPT_DESC : PARSE_SCRIPT_ESC;
		}
		q++;
	}
	return end;
}

/*
 * The text of a raw-text element from *sp, kept from libxml2 (the page's
 * title goes to the title): up to its end tag, which libxml2 then reads,
 * or to the end of the bytes, but for a '<' that more bytes would tell.
 * Whether it went on.
 */
static bool parse_raw_text(struct parse *p, const char **sp, const char *end, bool final)
{
	const char *s = *sp, *q = s;
	bool closed = false;
	int m;

	if (p->raw_el == PARSE_RAW_PLAINTEXT) {
		q = end;
	} else if (p->raw_el == PARSE_RAW_SCRIPT) {
		q = parse_script_text(p, s, end, final, &closed);
	} else {
		for (; (q = memchr(q, '<', (size_t)(end - q))) != NULL; q++) {
			m = parse_raw_end_at(q, end, p->raw_el);
			if (m > 0)
				closed = true;
			if (m > 0 || (m < 0 && !final))
				break;
		}
		if (!q)
			q = end;
	}
	if (p->raw_title) {
		title_rcdata(&p->title, s, (size_t)(q - s));
		if (closed || final)
			title_flush(&p->title);
	}
	if (closed)
		p->raw_el = 0;
	*sp = q;
	return q > s || closed;
}

/*
 * Hands libxml2 the start tag of a raw-text element, '>' by '>', until
 * libxml2 has read past its '<'. If libxml2 read it as that element's
 * start tag, and nothing after it, its text is kept from libxml2 from there
 * (parse_raw_start()); else (the '<' was in a comment, a quoted value...)
 * the page goes on as before. Gives up past PARSE_PENDING_SKIM bytes.
 * Where libxml2 stands is looked at only after a '>', so that where the
 * pieces were cut changes nothing.
 */
static bool parse_raw_tag(struct parse *p, const char **sp, const char *end)
{
	const char *s = *sp, *gt;
	size_t n;

	while (s < end && p->ctxt) {
		gt = memchr(s, '>', (size_t)(end - s));
		n = gt ? (size_t)(gt + 1 - s) : (size_t)(end - s);
		parse_chunk(p, s, n);
		s += n;
		p->cand_fed += n;
		if (!p->ctxt || !p->ctxt->input)
			break;
		if (p->raw_el) {
			/* libxml2 read all it was given, and reads nothing more until the end tag */
			p->cand = 0;
			p->clean = true;
			p->skippable = p->pending_text = false;
			p->pending = 0;
			break;
		}
		if (gt && ((size_t)(p->ctxt->input->end - p->ctxt->input->cur) < p->cand_fed ||
			   p->cand_fed > PARSE_PENDING_SKIM)) {
			p->cand = 0;
			parse_check(p);
			break;
		}
	}
	*sp = s;
	return true;
}

/*
 * Most of a page's bytes are text, and libxml2 spends most of its time
 * reading it a character at a time, for nothing: only the title's text
 * counts. So from a point where libxml2 stands between two tokens (checked,
 * parse_check()), text is left out when it cannot matter, and the page goes
 * on at the next '<' or '&'. To know where libxml2 stands, the bytes up to
 * that point are handed over first, cut right after markup of the plain
 * forms skim.h accepts: there a cut changes nothing, so the facts are those
 * of the whole page (tests/crawler/test_parse.c compares the two, and so
 * does the fuzzer). Anything else (a NUL, <script>, a cut tag, odd quoting)
 * and the rest is handed over as it is.
 *
 * Either way it stops at the next start tag of a raw-text element (*raw its
 * number), or at a '<' more bytes may make one (*raw -1, unless final),
 * which parse_push() hands over apart. At the end of the piece, text is
 * kept back for the next one when libxml2 has read all before it: libxml2
 * would only wait for its end, and in the next piece it can be left out.
 * Returns where it stopped.
 */
static const char *parse_markup_run(struct parse *p, const char *s, const char *end, bool final,
				    int *raw)
{
	const char *from = s, *pos = s, *e = end, *lt, *stop;
	size_t n;

	*raw = 0;
	if (!p->skim || !p->clean || memchr(s, '\0', (size_t)(end - s)))
		goto push_all;
	if (p->pending > 0 && !p->pending_text) {
		/* libxml2 waits on a tag begun in the last piece */
		if (!(n = parse_markup_across(p, s, (size_t)(end - s))))
			goto push_all;
		pos = s + n;
	}
	/* pos is always between two tokens, from where libxml2 stands or will */
	while ((lt = memchr(pos, '<', (size_t)(end - pos)))) {
		*raw = parse_raw_start_at(lt, end);
		if (*raw < 0 && final)
			*raw = 0;
		stop = memchr(pos, '&', (size_t)(lt - pos));
		if (!stop)
			stop = lt;
		if (stop - pos >= PARSE_SKIP_MIN) {
			if (from < pos) {
				parse_chunk(p, from, (size_t)(pos - from));
				parse_check(p);
				from = pos;
			}
			if (!p->clean)
				goto push_all;
			if (p->skippable)
				from = stop;
		}
		if (*raw) {
			e = lt;
			goto hand;
		}
		n = skim_markup(lt, end);
		if (n == 0)
			goto push_all;
		pos = lt + n;
	}
	if (!final && end - pos < PARSE_HOLD_MAX) {
		if (from < pos) {
			parse_chunk(p, from, (size_t)(pos - from));
			parse_check(p);
			from = pos;
		}
		if (p->clean && (p->pending == 0 || p->pending_text))
			return pos;
	}
	goto hand;
push_all:
	e = parse_raw_next(pos, end, final, raw);
hand:
	parse_chunk(p, from, (size_t)(e - from));
	parse_check(p);
	return e;
}

/*
 * Hands libxml2 the markup from *sp up to the next raw-text element's start
 * tag, leaving out text where it can (parse_markup_run()). Whether it went on.
 */
static bool parse_markup(struct parse *p, const char **sp, const char *end, bool final)
{
	const char *s = *sp, *to;
	int raw;

	to = parse_markup_run(p, s, end, final, &raw);
	if (raw > 0) {
		p->cand = (unsigned)raw;
		p->cand_fed = 0;
	}
	*sp = to;
	return to > s || raw > 0;
}

/*
 * Hands the decoded bytes to libxml2: markup (skimmed), the start tags of
 * raw-text elements (one at a time), and their text kept apart, since
 * libxml2 reads it as markup (all but script and style) and HTML5 does not.
 * What can only be told from bytes yet to come stays in p->out.
 */
static void parse_push(struct parse *p, bool final)
{
	const char *s = p->out, *end = s + p->out_len;
	bool on = true;

	while (on && s < end && p->ctxt) {
		if (p->raw_el)
			on = parse_raw_text(p, &s, end, final);
		else if (p->cand)
			on = parse_raw_tag(p, &s, end);
		else
			on = parse_markup(p, &s, end, final);
	}
	if (!p->ctxt) {
		p->out_len = 0;
		return;
	}
	p->out_len = (size_t)(end - s);
	memmove(p->out, s, p->out_len);
	parse_bound(p);
}

/* Makes room for n more decoded bytes; false once the page was stopped. */
static bool parse_room(struct parse *p, size_t n)
{
	if (p->out_len + n > sizeof(p->out))
		parse_push(p, false);
	return p->ctxt != NULL;
}

static void parse_put_cp(struct parse *p, uint32_t cp)
{
	char *o = p->out + p->out_len;

	if (cp < 0x80) {
		o[0] = (char)cp;
		p->out_len += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		p->out_len += 2;
	} else {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		p->out_len += 3;
	}
}

/* ---- decoders: each returns how much of in it used; the rest is an unfinished character ---- */

static size_t parse_win1252(struct parse *p, const unsigned char *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!parse_room(p, 3))
			return n;
		parse_put_cp(p, charset_win1252(in[i]));
	}
	return n;
}

/*
 * The UTF-8 sequence at s: its length if valid, 0 if the bytes end inside
 * it, or minus the length of its bad start (to be replaced by one U+FFFD).
 */
static int parse_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return -1;
	}
	for (int k = 1; k < need; k++) {
		if ((size_t)k >= n)
			return 0;
		if (s[k] < lo || s[k] > hi)
			return -k;
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/* How many bytes from s on are ASCII, looked at eight at a time. */
static size_t parse_ascii(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

static size_t parse_utf8(struct parse *p, const unsigned char *in, size_t n, bool final)
{
	size_t i = 0;

	while (i < n) {
		int k;

		if (!parse_room(p, 4))
			return n;
		if (in[i] < 0x80) {
			/* ASCII, the bulk of any page, in runs */
			size_t run = parse_ascii(in + i, n - i), room = sizeof(p->out) - p->out_len;

			if (run > room)
				run = room;
			memcpy(p->out + p->out_len, in + i, run);
			p->out_len += run;
			i += run;
			continue;
		}
		k = parse_utf8_seq(in + i, n - i);
		if (k == 0 && !final)
			return i;
		if (k <= 0 && p->codec == PARSE_UTF8_GUESS) {
			p->codec = PARSE_WIN1252;
			return i + parse_win1252(p, in + i, n - i);
		}
		if (k <= 0) {
			parse_put_cp(p, 0xfffd);
			i += k < 0 ? (size_t)-k : n - i;
			continue;
		}
		memcpy(p->out + p->out_len, in + i, (size_t)k);
		p->out_len += (size_t)k;
		i += (size_t)k;
	}
	return i;
}

static size_t parse_iconv(struct parse *p, const unsigned char *in, size_t n, bool final)
{
	char *src = (char *)in;
	size_t left = n;

	while (left > 0 && p->ctxt) {
		char *dst = p->out + p->out_len;
		size_t room = sizeof(p->out) - p->out_len;
		size_t rc = iconv(p->cd, &src, &left, &dst, &room);

		p->out_len = (size_t)(dst - p->out);
		if (rc != (size_t)-1)
			break;
		if (errno == E2BIG) {
			parse_push(p, false);
		} else if (errno == EINVAL && !final && left <= PARSE_CARRY) {
			return n - left;
		} else if (parse_room(p, 3)) {
			/* EILSEQ, or a character the page ends inside: one code unit is skipped */
			size_t skip = left < p->unit ? left : p->unit;

			parse_put_cp(p, 0xfffd);
			src += skip;
			left -= skip;
		}
	}
	if (final && p->ctxt) {
		char *dst = p->out + p->out_len;
		size_t room = sizeof(p->out) - p->out_len;

		/* a stateful charset (ISO-2022-JP) may owe a last sequence */
		if (iconv(p->cd, NULL, NULL, &dst, &room) != (size_t)-1)
			p->out_len = (size_t)(dst - p->out);
	}
	return n;
}

/* Decodes raw as far as it goes, keeps an unfinished character for the next piece, parses the rest. */
static void parse_decode(struct parse *p, bool final)
{
	size_t used;

	switch (p->codec) {
	case PARSE_WIN1252:
		used = parse_win1252(p, p->raw, p->raw_len);
		break;
	case PARSE_ICONV:
		used = parse_iconv(p, p->raw, p->raw_len, final);
		break;
	case PARSE_REPLACEMENT:
		if (p->raw_len > 0 && !p->replaced && parse_room(p, 3)) {
			parse_put_cp(p, 0xfffd);
			p->replaced = true;
		}
		used = p->raw_len;
		break;
	default:
		used = parse_utf8(p, p->raw, p->raw_len, final);
		break;
	}
	p->raw_len -= used;
	memmove(p->raw, p->raw + used, p->raw_len);
	if (!p->ctxt)
		p->raw_len = 0;
	parse_push(p, final);
}

/* The first bytes are in: a byte-order mark, the transport's label, a <meta>, or the guess. */
static void parse_settle(struct parse *p)
{
	const unsigned char *s = p->raw;
	size_t bom = 0;
	char label[64];

	if (p->raw_len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		p->codec = PARSE_UTF8;
		bom = 3;
	} else if (p->raw_len >= 2 && ((s[0] == 0xfe && s[1] == 0xff) || (s[0] == 0xff && s[1] == 0xfe))) {
		if (parse_use(p, s[0] == 0xfe ? "utf-16be" : "utf-16le", false))
			bom = 2;
	} else if (!p->labelled) {
		if (!charset_prescan(s, p->raw_len, label, sizeof(label)) || !parse_use(p, label, true))
			p->codec = PARSE_UTF8_GUESS;
	}
	if (p->codec != PARSE_ICONV && p->cd != (iconv_t)-1) {
		iconv_close(p->cd);
		p->cd = (iconv_t)-1;
	}
	p->raw_len -= bom;
	memmove(p->raw, p->raw + bom, p->raw_len);
	p->sniffing = false;
}

/* ---- pages ----------------------------------------------------------------- */

int parse_begin(struct parse *p, const char *content_type)
{
	int options = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
		      HTML_PARSE_IGNORE_ENC;
	char charset[64];

	parse_abort(p);
	p->links = 0;
	p->base_seen = p->base_cut = p->nofollow = false;
	p->base[0] = '\0';
	p->in_title = p->title_seen = false;
	p->cand = p->raw_el = 0;
	p->cand_fed = 0;
	p->raw_title = p->replaced = false;
	p->ns_len = 0;
	p->ns_lost = false;
	title_clear(&p->title);
	p->raw_len = p->out_len = 0;
	/* nothing read yet: libxml2 stands before the first token */
	p->clean = true;
	p->skippable = p->pending_text = false;
	p->pending = 0;
	p->codec = PARSE_UTF8_GUESS;
	p->labelled = content_type && charset_of_type(content_type, charset, sizeof(charset)) &&
		      parse_use(p, charset, false);
	p->sniffing = true;
	/* libxml2 only ever sees UTF-8, so it has no converter and no <meta> of its own to obey */
	p->ctxt = htmlCreatePushParserCtxt(&p->sax, p, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (!p->ctxt) {
		parse_abort(p);
		return -1;
	}
	htmlCtxtUseOptions(p->ctxt, options);
	/* a name past the cap is not even stored; parse_bound() then stops the page */
	xmlDictSetLimit(p->ctxt->dict, PARSE_NAME_BYTES_MAX);
	p->active = true;
	return 0;
}

int parse_feed(struct parse *p, const char *buf, size_t len)
{
	if (!p->active)
		return -1;
	while (len > 0 && p->ctxt) {
		/* a label needs 3 bytes for a byte-order mark to override it; no label, 1024 */
		size_t want = p->sniffing ? (p->labelled ? 3 : PARSE_SNIFF) : sizeof(p->raw);
		size_t n = want - p->raw_len < len ? want - p->raw_len : len;

		memcpy(p->raw + p->raw_len, buf, n);
		p->raw_len += n;
		buf += n;
		len -= n;
		if (p->sniffing) {
			if (p->raw_len < want)
				break;
			parse_settle(p);
		}
		parse_decode(p, false);
	}
	return 0;
}

void parse_end(struct parse *p, struct parse_facts *facts)
{
	if (p->active && p->ctxt) {
		if (p->sniffing)
			parse_settle(p);
		parse_decode(p, true);
		/* a raw-text start tag libxml2 reads only now has nothing after it */
		p->cand = 0;
		if (p->ctxt)
			htmlParseChunk(p->ctxt, NULL, 0, 1);
	}
	parse_abort(p);
	facts->title = title_end(&p->title, &facts->title_len);
	facts->links = p->links;
	facts->base = p->base;
	facts->base_cut = p->base_cut;
	facts->nofollow = p->nofollow;
}

void parse_skim(struct parse *p, bool on)
{
	p->skim = on;
}

void parse_collect_links(struct parse *p, parse_link_cb *cb, void *ctx)
{
	p->link_cb = cb;
	p->link_ctx = ctx;
}
