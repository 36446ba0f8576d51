/* parse.c -- the one file that talks to libxml2: a SAX push parse that builds no tree, fed UTF-8 we decode ourselves */
#include "parse.h"

#include "charset.h"
#include "skim.h"

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
	bool nofollow;		/* <meta name="robots" content="nofollow"> */
	char base[PARSE_BASE_MAX + 1];
	bool in_title;
	bool title_seen;	/* the first <title> is the page's title */
	bool space;		/* whitespace is pending inside the title */
	size_t title_len;
	char title[PARSE_TITLE_MAX + 8];
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
		if (href && !p->base_seen) {
			p->base_seen = true;
			snprintf(p->base, sizeof(p->base), "%s", href);
		}
	} else if (strcmp(name, "meta") == 0) {
		const char *meta = parse_attr_of(atts, "name"), *content = parse_attr_of(atts, "content");

		if (meta && strcasecmp(meta, "robots") == 0 &&
		    (parse_has_token(content, "nofollow") || parse_has_token(content, "none")))
			p->nofollow = true;
	}
}

static void parse_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct parse *p = ctx;

	/* libxml2's HTML parser hands element and attribute names lower-cased */
	if (name[0] == 'a' || name[0] == 'b' || name[0] == 'm') {
		parse_link_element(p, (const char *)name, atts);
	} else if (!p->title_seen && strcmp((const char *)name, "title") == 0) {
		p->in_title = true;
		p->title_seen = true;
	}
}

/*
 * A title ends with its element, or at the latest with the head, body or
 * html around it: libxml2 does not always close a title that held markup,
 * and whether text after </html> reached it then depended on where the
 * body's pieces were cut.
 */
static void parse_stop(void *ctx, const xmlChar *name)
{
	struct parse *p = ctx;
	const char *n = (const char *)name;

	if (p->in_title && (strcmp(n, "title") == 0 || strcmp(n, "head") == 0 ||
			    strcmp(n, "body") == 0 || strcmp(n, "html") == 0))
		p->in_title = false;
}

/*
 * Collapses whitespace runs to one space as the text arrives, and drops
 * other controls, C1 ones (U+0080-U+009F, from windows-1252's five
 * unassigned bytes) included. libxml2 hands whole characters.
 */
static void parse_text(void *ctx, const xmlChar *text, int len)
{
	struct parse *p = ctx;

	if (!p->in_title)
		return;
	for (int i = 0; i < len; i++) {
		unsigned char c = text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			p->space = p->title_len > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == 0xc2 && i + 1 < len && text[i + 1] >= 0x80 && text[i + 1] <= 0x9f) {
			i++;
			continue;
		}
		/* one byte past the cap tells parse_end() the title was cut */
		if (p->title_len > PARSE_TITLE_MAX)
			return;
		if (p->space) {
			p->title[p->title_len++] = ' ';
			p->space = false;
		}
		p->title[p->title_len++] = (char)c;
	}
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
 * and the rest of the piece is handed over as it is.
 *
 * Text at the end of a piece is kept back for the next one when libxml2 has
 * read all before it: libxml2 would only wait for its end, and in the next
 * piece it can be left out.
 */
static void parse_push(struct parse *p, bool final)
{
	const char *s = p->out, *end = s + p->out_len, *from = s, *pos = s, *lt = s, *stop;
	size_t n;

	if (p->out_len == 0 || !p->ctxt) {
		p->out_len = 0;
		return;
	}
	if (!p->skim || !p->clean || memchr(s, '\0', p->out_len))
		goto push_all;
	if (p->pending > 0 && !p->pending_text) {
		/* libxml2 waits on a tag begun in the last piece */
		if (!(n = parse_markup_across(p, s, p->out_len)))
			goto push_all;
		pos = s + n;
	}
	/* pos is always between two tokens, from where libxml2 stands or will */
	while ((lt = memchr(pos, '<', (size_t)(end - pos)))) {
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
		if (p->clean && (p->pending == 0 || p->pending_text)) {
			p->out_len = (size_t)(end - pos);
			memmove(p->out, pos, p->out_len);
			parse_bound(p);
			return;
		}
	}
push_all:
	p->out_len = 0;
	parse_chunk(p, from, (size_t)(end - from));
	parse_check(p);
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
	/* 0x80-0x9F; the five bytes windows-1252 leaves unassigned keep their ISO-8859-1 (C1) meaning */
	static const uint16_t c1[32] = {
		0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
		0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
	};

	for (size_t i = 0; i < n; i++) {
		if (!parse_room(p, 3))
			return n;
		parse_put_cp(p, in[i] >= 0x80 && in[i] < 0xa0 ? c1[in[i] - 0x80] : in[i]);
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
	p->base_seen = p->nofollow = false;
	p->base[0] = '\0';
	p->in_title = p->title_seen = p->space = p->replaced = false;
	p->title_len = 0;
	p->title[0] = '\0';
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

/* Cuts a title that hit the cap back to the last whole UTF-8 character. */
static size_t parse_utf8_trim(const char *s, size_t len)
{
	size_t start = len, need;
	unsigned char lead;

	while (start > 0 && len - start < 3 && ((unsigned char)s[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return len;
	lead = (unsigned char)s[start - 1];
	if (lead < 0x80)
		return len;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	return len - (start - 1) >= need ? len : start - 1;
}

void parse_end(struct parse *p, struct parse_facts *facts)
{
	if (p->active && p->ctxt) {
		if (p->sniffing)
			parse_settle(p);
		parse_decode(p, true);
		if (p->ctxt)
			htmlParseChunk(p->ctxt, NULL, 0, 1);
	}
	parse_abort(p);
	if (p->title_len > PARSE_TITLE_MAX) {
		p->title_len = parse_utf8_trim(p->title, PARSE_TITLE_MAX);
		while (p->title_len > 0 && p->title[p->title_len - 1] == ' ')
			p->title_len--;
	}
	p->title[p->title_len] = '\0';
	facts->title = p->title;
	facts->title_len = p->title_len;
	facts->links = p->links;
	facts->base = p->base;
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
