/* title.c -- a page's title as HTML5 reads its text: references decoded, whitespace collapsed, capped */
#include "title.h"

#include "charset.h"
#include "utf8.h"

#include <libxml/HTMLparser.h>
#include <string.h>

void title_clear(struct title *t)
{
	t->len = 0;
	t->space = false;
	t->ref = TITLE_REF_NONE;
	t->text[0] = '\0';
}

void title_add(struct title *t, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			t->space = t->len > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] >= 0x80 &&
		    (unsigned char)text[i + 1] <= 0x9f) {
			i++;
			continue;
		}
		/* one byte past the cap tells title_end() the title was cut */
		if (t->len > PARSE_TITLE_MAX)
			return;
		if (t->space) {
			t->text[t->len++] = ' ';
			t->space = false;
		}
		t->text[t->len++] = (char)c;
	}
}

static void title_add_cp(struct title *t, uint32_t cp)
{
	char u[4];

	title_add(t, u, utf8_encode(cp, u));
}

/* A numeric character reference's character, as HTML5 reads it. */
static uint32_t title_ref_char(uint32_t v)
{
	if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0xfffd;
	return v >= 0x80 && v <= 0x9f ? charset_win1252((unsigned char)v) : v;
}

static bool title_is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int title_digit(unsigned char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

void title_flush(struct title *t)
{
	switch (t->ref) {
	case TITLE_REF_NONE:
		return;
	case TITLE_REF_AMP:
		title_add(t, "&", 1);
		break;
	case TITLE_REF_NAME:
		title_add(t, "&", 1);
		title_add(t, t->ref_name, t->ref_len);
		break;
	case TITLE_REF_HASH:
		title_add(t, "&#", 2);
		break;
	case TITLE_REF_X:
		title_add(t, "&#", 2);
		title_add(t, t->ref_name, 1);
		break;
	case TITLE_REF_DEC:
	case TITLE_REF_HEX:
		title_add_cp(t, title_ref_char(t->ref_value));
		break;
	}
	t->ref = TITLE_REF_NONE;
}

void title_rcdata(struct title *t, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		const htmlEntityDesc *ent;
		const char *amp;
		int d;

		switch (t->ref) {
		case TITLE_REF_NONE:
			amp = memchr(s + i, '&', n - i);
			title_add(t, s + i, amp ? (size_t)(amp - (s + i)) : n - i);
			if (!amp)
				return;
			i = (size_t)(amp - s) + 1;
			t->ref = TITLE_REF_AMP;
			continue;
		case TITLE_REF_AMP:
			if (c == '#') {
				t->ref = TITLE_REF_HASH;
				i++;
			} else if (title_is_alnum(c)) {
				t->ref = TITLE_REF_NAME;
				t->ref_len = 0;
			} else {
				title_flush(t);
			}
			continue;
		case TITLE_REF_NAME:
			if (title_is_alnum(c) && t->ref_len < TITLE_REF_NAME_MAX) {
				t->ref_name[t->ref_len++] = (char)c;
				i++;
				continue;
			}
			t->ref_name[t->ref_len] = '\0';
			if (c == ';' && (ent = htmlEntityLookup((const xmlChar *)t->ref_name)) != NULL) {
				title_add_cp(t, ent->value);
				t->ref = TITLE_REF_NONE;
				i++;
			} else {
				title_flush(t);
			}
			continue;
		case TITLE_REF_HASH:
			if (c == 'x' || c == 'X') {
				t->ref = TITLE_REF_X;
				t->ref_name[0] = (char)c;
				i++;
			} else if (title_digit(c, 10) >= 0) {
				t->ref = TITLE_REF_DEC;
				t->ref_value = 0;
			} else {
				title_flush(t);
			}
			continue;
		case TITLE_REF_X:
			if (title_digit(c, 16) >= 0) {
				t->ref = TITLE_REF_HEX;
				t->ref_value = 0;
			} else {
				title_flush(t);
			}
			continue;
		case TITLE_REF_DEC:
		case TITLE_REF_HEX:
			d = title_digit(c, t->ref == TITLE_REF_HEX ? 16 : 10);
			if (d >= 0) {
				/* past U+10FFFF it is U+FFFD whatever comes */
				if (t->ref_value <= 0x10ffff)
					t->ref_value = t->ref_value * (t->ref == TITLE_REF_HEX ? 16 : 10) +
						       (uint32_t)d;
				i++;
				continue;
			}
			if (c == ';')
				i++;
			title_flush(t);
			continue;
		}
	}
}

/* The length of s cut back to its last whole UTF-8 character. */
static size_t title_utf8_trim(const char *s, size_t len)
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

const char *title_end(struct title *t, size_t *len)
{
	if (t->len > PARSE_TITLE_MAX) {
		t->len = title_utf8_trim(t->text, PARSE_TITLE_MAX);
		while (t->len > 0 && t->text[t->len - 1] == ' ')
			t->len--;
	}
	t->text[t->len] = '\0';
	*len = t->len;
	return t->text;
}
