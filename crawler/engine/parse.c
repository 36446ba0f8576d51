/* parse.c -- the one file that talks to libxml2: a SAX push parse that builds no tree */
#include "parse.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Why SAX and push: the body is parsed chunk by chunk inside the transfer,
 * so no page is ever held whole, parse time counts against the transfer's
 * timeout, and no DOM is built. Without a tree libxml2 never reaches its
 * nodePush depth cap of 256 either, so a link after 100,000 nested <div>s
 * is still counted, with no XML_PARSE_HUGE and no recursion.
 */
struct parse {
	htmlParserCtxtPtr ctxt;
	htmlSAXHandler sax;
	unsigned long links;
	bool in_title;
	bool title_seen;	/* the first <title> is the page's title */
	bool space;		/* whitespace is pending inside the title */
	size_t title_len;
	char title[PARSE_TITLE_MAX + 8];
};

void parse_global_init(void)
{
	xmlInitParser();
}

void parse_global_cleanup(void)
{
	xmlCleanupParser();
}

static void parse_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct parse *p = ctx;

	/* libxml2's HTML parser hands element and attribute names lower-cased */
	if (name[0] == 'a' && name[1] == '\0') {
		for (; atts && atts[0]; atts += 2) {
			if (strcmp((const char *)atts[0], "href") == 0) {
				p->links++;
				break;
			}
		}
	} else if (!p->title_seen && strcmp((const char *)name, "title") == 0) {
		p->in_title = true;
		p->title_seen = true;
	}
}

static void parse_stop(void *ctx, const xmlChar *name)
{
	struct parse *p = ctx;

	if (p->in_title && strcmp((const char *)name, "title") == 0)
		p->in_title = false;
}

/* Collapses whitespace runs to one space as the text arrives, and drops other controls. */
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
	p->sax.startElement = parse_start;
	p->sax.endElement = parse_stop;
	p->sax.characters = parse_text;
	p->sax.ignorableWhitespace = parse_text;
	/* script and style bodies: nothing we need */
	p->sax.cdataBlock = parse_ignore;
	return p;
}

void parse_abort(struct parse *p)
{
	if (p->ctxt) {
		htmlFreeParserCtxt(p->ctxt);
		p->ctxt = NULL;
	}
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

/* Copies the charset parameter of a Content-Type into name, lower-cased. */
static bool parse_charset(const char *type, char *name, size_t size)
{
	const char *s = type;
	size_t n = 0;

	while ((s = strchr(s, ';')) != NULL) {
		s++;
		s += strspn(s, " \t");
		if (strncasecmp(s, "charset=", 8) != 0)
			continue;
		s += 8;
		if (*s == '"')
			s++;
		while (*s && *s != '"' && *s != ';' && *s != ' ' && *s != '\t' && n + 1 < size)
			name[n++] = (char)((*s >= 'A' && *s <= 'Z') ? *s++ + 32 : *s++);
		name[n] = '\0';
		return n > 0;
	}
	return false;
}

/*
 * What to tell libxml2 about the page's encoding. Browsers read a page
 * labelled ISO-8859-1 or ASCII as windows-1252, its superset.
 */
static xmlCharEncodingHandlerPtr parse_handler(const char *charset, bool *utf8)
{
	static const char *const latin1[] = {
		"iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii", "ascii", NULL,
	};
	xmlCharEncodingHandlerPtr h;

	*utf8 = strcmp(charset, "utf-8") == 0 || strcmp(charset, "utf8") == 0;
	if (*utf8)
		return NULL;
	for (size_t i = 0; latin1[i]; i++) {
		if (strcmp(charset, latin1[i]) == 0) {
			h = xmlFindCharEncodingHandler("windows-1252");
			if (h)
				return h;
			break;
		}
	}
	return xmlFindCharEncodingHandler(charset);
}

int parse_begin(struct parse *p, const char *content_type)
{
	xmlCharEncodingHandlerPtr handler = NULL;
	int options = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
	char charset[64];
	bool utf8 = false;

	parse_abort(p);
	p->links = 0;
	p->in_title = p->title_seen = p->space = false;
	p->title_len = 0;
	p->title[0] = '\0';
	if (content_type && parse_charset(content_type, charset, sizeof(charset)))
		handler = parse_handler(charset, &utf8);
	/* a transport charset wins over <meta>; UTF-8 needs no converter at all */
	if (utf8 || handler)
		options |= HTML_PARSE_IGNORE_ENC;
	p->ctxt = htmlCreatePushParserCtxt(&p->sax, p, NULL, 0, NULL,
					   handler ? XML_CHAR_ENCODING_NONE : XML_CHAR_ENCODING_UTF8);
	if (!p->ctxt) {
		if (handler)
			xmlCharEncCloseFunc(handler);
		return -1;
	}
	htmlCtxtUseOptions(p->ctxt, options);
	if (handler && xmlSwitchToEncoding(p->ctxt, handler) < 0) {
		parse_abort(p);
		return -1;
	}
	return 0;
}

int parse_feed(struct parse *p, const char *buf, size_t len)
{
	if (!p->ctxt)
		return -1;
	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		/* the return value is the last recoverable error: not ours to act on */
		htmlParseChunk(p->ctxt, buf, n, 0);
		buf += n;
		len -= (size_t)n;
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
	if (p->ctxt) {
		htmlParseChunk(p->ctxt, NULL, 0, 1);
		parse_abort(p);
	}
	if (p->title_len > PARSE_TITLE_MAX) {
		p->title_len = parse_utf8_trim(p->title, PARSE_TITLE_MAX);
		while (p->title_len > 0 && p->title[p->title_len - 1] == ' ')
			p->title_len--;
	}
	p->title[p->title_len] = '\0';
	facts->title = p->title;
	facts->title_len = p->title_len;
	facts->links = p->links;
}

int parse_html(struct parse *p, const char *content_type, const char *body, size_t len,
	       struct parse_facts *facts)
{
	if (parse_begin(p, content_type) < 0)
		return -1;
	parse_feed(p, body, len);
	parse_end(p, facts);
	return 0;
}
