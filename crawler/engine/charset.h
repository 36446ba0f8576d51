/* charset.h -- which charset a page is in: its Content-Type, its label, a <meta> in its first bytes */
#ifndef CRAWLPOOL_CHARSET_H
#define CRAWLPOOL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest label or iconv name kept. */
#define CHARSET_NAME_MAX 40

enum charset_kind {
	CHARSET_UNKNOWN,	/* no charset we can read */
	CHARSET_UTF8,
	CHARSET_WIN1252,	/* also what ISO-8859-1 and ASCII labels mean, as in browsers */
	CHARSET_ICONV,		/* another one, through iconv */
	CHARSET_REPLACEMENT,	/* one the WHATWG refuses: the body reads as one U+FFFD */
};

/* Copies the charset parameter of a Content-Type into name; false if it has none. */
bool charset_of_type(const char *type, char *name, size_t size);

/*
 * What a label names: only the WHATWG Encoding standard's labels name a
 * charset (UTF-7 or EBCDIC ones do not). For CHARSET_ICONV, iconv_name gets
 * the charset to open (the larger one browsers read, for labels such as
 * gb2312 or shift_jis) and *unit its code unit in bytes (2 for UTF-16).
 */
enum charset_kind charset_label(const char *label, bool from_meta, char *iconv_name, size_t size,
				unsigned *unit);

/*
 * The label of a <meta charset> or <meta http-equiv content="...;
 * charset=..."> in the first n bytes of a page (WHATWG "prescan a byte
 * stream", simplified); false if there is none.
 */
bool charset_prescan(const unsigned char *s, size_t n, char *label, size_t size);

/*
 * The character of a windows-1252 byte: 0x80-0x9F as the standard maps
 * them (the five it leaves unassigned keep their ISO-8859-1, C1, meaning),
 * every other byte itself.
 */
uint32_t charset_win1252(unsigned char byte);

#endif
