/* charset.c -- which charset a page is in: its Content-Type, its label, a <meta> in its first bytes */
#include "charset.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The ';' that ends the parameter at s, or its NUL: a quoted value may hold ';' (RFC 9110). */
static const char *charset_param_end(const char *s)
{
	bool quoted = false;

	for (; *s && (quoted || *s != ';'); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '\\' && quoted && s[1])
			s++;
	}
	return s;
}

/* Copies the charset parameter of a Content-Type into name. */
bool charset_of_type(const char *type, char *name, size_t size)
{
	const char *s = type + strcspn(type, ";");
	size_t n = 0;

	for (; *s == ';'; s = charset_param_end(s)) {
		s++;
		s += strspn(s, " \t");
		if (strncasecmp(s, "charset=", 8) != 0)
			continue;
		s += 8;
		if (*s == '"')
			s++;
		while (*s && *s != '"' && *s != ';' && *s != ' ' && *s != '\t' && n + 1 < size)
			name[n++] = *s++;
		name[n] = '\0';
		return n > 0;
	}
	return false;
}

/*
 * The labels of the WHATWG Encoding standard, the only ones browsers read:
 * any other (UTF-7, UTF-32, EBCDIC, whatever else iconv knows) names no
 * charset, and the page is read as if it had none. UTF-7 and EBCDIC would
 * let bytes that are not '<' become markup, and the five labels of
 * "replacement" (ISO-2022-KR, HZ-GB-2312, ISO-2022-CN...) are refused for
 * the same reason: browsers decode such a body to one U+FFFD. Each
 * encoding is read with the iconv charset browsers use for it, a larger one
 * where they do (gb2312 as GB18030, shift_jis as CP932, euc-kr as CP949).
 */
static const struct charset_encoding {
	enum charset_kind kind;
	const char *iconv_name;
	unsigned unit;		/* code unit in bytes */
	const char *labels;	/* space-separated, lower case */
} charset_encodings[] = {
	{ CHARSET_UTF8, NULL, 1,
	  "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8" },
	{ CHARSET_ICONV, "IBM866", 1, "866 cp866 csibm866 ibm866" },
	{ CHARSET_ICONV, "ISO-8859-2", 1, "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 "
					  "iso_8859-2 iso_8859-2:1987 l2 latin2" },
	{ CHARSET_ICONV, "ISO-8859-3", 1, "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 "
					  "iso_8859-3 iso_8859-3:1988 l3 latin3" },
	{ CHARSET_ICONV, "ISO-8859-4", 1, "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 "
					  "iso_8859-4 iso_8859-4:1988 l4 latin4" },
	{ CHARSET_ICONV, "ISO-8859-5", 1, "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 "
					  "iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988" },
	{ CHARSET_ICONV, "ISO-8859-6", 1, "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic "
					  "ecma-114 iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 "
					  "iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987" },
	{ CHARSET_ICONV, "ISO-8859-7", 1, "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 "
					  "iso-ir-126 iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 "
					  "sun_eu_greek" },
	/* ISO-8859-8-I is the same bytes in logical order */
	{ CHARSET_ICONV, "ISO-8859-8", 1, "csiso88598e csisolatinhebrew hebrew iso-8859-8 "
					  "iso-8859-8-e iso-ir-138 iso8859-8 iso88598 iso_8859-8 "
					  "iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical" },
	{ CHARSET_ICONV, "ISO-8859-10", 1, "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 "
					   "l6 latin6" },
	{ CHARSET_ICONV, "ISO-8859-13", 1, "iso-8859-13 iso8859-13 iso885913" },
	{ CHARSET_ICONV, "ISO-8859-14", 1, "iso-8859-14 iso8859-14 iso885914" },
	{ CHARSET_ICONV, "ISO-8859-15", 1, "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 "
					   "l9" },
	{ CHARSET_ICONV, "ISO-8859-16", 1, "iso-8859-16" },
	{ CHARSET_ICONV, "KOI8-R", 1, "cskoi8r koi koi8 koi8-r koi8_r" },
	{ CHARSET_ICONV, "KOI8-U", 1, "koi8-ru koi8-u" },
	{ CHARSET_ICONV, "MACINTOSH", 1, "csmacintosh mac macintosh x-mac-roman" },
	{ CHARSET_ICONV, "CP874", 1, "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874" },
	{ CHARSET_ICONV, "CP1250", 1, "cp1250 windows-1250 x-cp1250" },
	{ CHARSET_ICONV, "CP1251", 1, "cp1251 windows-1251 x-cp1251" },
	/* x-user-defined too: a <meta> naming it means windows-1252 (HTML) */
	{ CHARSET_WIN1252, NULL, 1, "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 "
				    "iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 "
				    "us-ascii windows-1252 x-cp1252 x-user-defined" },
	{ CHARSET_ICONV, "CP1253", 1, "cp1253 windows-1253 x-cp1253" },
	{ CHARSET_ICONV, "CP1254", 1, "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 "
				      "iso_8859-9 iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254" },
	{ CHARSET_ICONV, "CP1255", 1, "cp1255 windows-1255 x-cp1255" },
	{ CHARSET_ICONV, "CP1256", 1, "cp1256 windows-1256 x-cp1256" },
	{ CHARSET_ICONV, "CP1257", 1, "cp1257 windows-1257 x-cp1257" },
	{ CHARSET_ICONV, "CP1258", 1, "cp1258 windows-1258 x-cp1258" },
	{ CHARSET_ICONV, "MAC-CYRILLIC", 1, "x-mac-cyrillic x-mac-ukrainian" },
	{ CHARSET_ICONV, "GB18030", 1, "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk "
				       "iso-ir-58 x-gbk gb18030" },
	{ CHARSET_ICONV, "BIG5-HKSCS", 1, "big5 big5-hkscs cn-big5 csbig5 x-x-big5" },
	{ CHARSET_ICONV, "EUC-JP", 1, "cseucpkdfmtjapanese euc-jp x-euc-jp" },
	{ CHARSET_ICONV, "ISO-2022-JP", 1, "csiso2022jp iso-2022-jp" },
	{ CHARSET_ICONV, "CP932", 1, "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j "
				     "x-sjis" },
	{ CHARSET_ICONV, "CP949", 1, "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 "
				     "ks_c_5601-1989 ksc5601 ksc_5601 windows-949" },
	{ CHARSET_REPLACEMENT, NULL, 1, "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext "
					"iso-2022-kr replacement" },
	{ CHARSET_ICONV, "UTF-16BE", 2, "unicodefffe utf-16be" },
	/* a plain "utf-16" is little-endian, whatever iconv assumes */
	{ CHARSET_ICONV, "UTF-16LE", 2, "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 "
					"utf-16le" },
};

/* Whether a space-separated list holds the word name (n bytes). */
static bool charset_label_in(const char *list, const char *name, size_t n)
{
	for (const char *s = list; (s = strstr(s, name)) != NULL; s += n)
		if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
			return true;
	return false;
}

/*
 * What a label names, as the WHATWG Encoding standard reads it: surrounding
 * whitespace dropped, any case. A <meta> naming UTF-16 was itself read as
 * ASCII, so it means UTF-8 (HTML's prescan).
 */
enum charset_kind charset_label(const char *label, bool from_meta, char *iconv_name, size_t size,
				unsigned *unit)
{
	char name[CHARSET_NAME_MAX];
	size_t n = 0;

	label += strspn(label, " \t\r\n\f");
	for (; *label && n + 1 < sizeof(name); label++, n++) {
		char c = *label >= 'A' && *label <= 'Z' ? (char)(*label + 32) : *label;

		/* every label is made of these */
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.:", c)))
			break;
		name[n] = c;
	}
	name[n] = '\0';
	if (n == 0 || (*label && !strchr(" \t\r\n\f", *label)) ||
	    label[strspn(label, " \t\r\n\f")] != '\0')
		return CHARSET_UNKNOWN;
	for (size_t i = 0; i < sizeof(charset_encodings) / sizeof(charset_encodings[0]); i++) {
		const struct charset_encoding *e = &charset_encodings[i];

		if (!charset_label_in(e->labels, name, n))
			continue;
		if (from_meta && e->unit == 2)
			return CHARSET_UTF8;
		if (e->kind == CHARSET_ICONV) {
			snprintf(iconv_name, size, "%s", e->iconv_name);
			*unit = e->unit;
		}
		return e->kind;
	}
	return CHARSET_UNKNOWN;
}

static bool charset_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool charset_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Reads one attribute at s[*i], its name lower-cased and both cut to their
 * buffers. False at the tag's '>' or the end of the bytes.
 */
static bool charset_attr(const unsigned char *s, size_t n, size_t *i, char *name, size_t nsize,
		       char *value, size_t vsize)
{
	size_t k = *i, nl = 0, vl = 0;
	unsigned char quote;

	while (k < n && (charset_is_space(s[k]) || s[k] == '/'))
		k++;
	if (k >= n || s[k] == '>') {
		*i = k;
		return false;
	}
	do {
		if (nl + 1 < nsize)
			name[nl++] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + 32 : s[k]);
		k++;
	} while (k < n && s[k] != '=' && s[k] != '/' && s[k] != '>' && !charset_is_space(s[k]));
	name[nl] = '\0';
	while (k < n && charset_is_space(s[k]))
		k++;
	if (k < n && s[k] == '=') {
		for (k++; k < n && charset_is_space(s[k]); k++)
			;
		quote = k < n && (s[k] == '"' || s[k] == '\'') ? s[k++] : 0;
		for (; k < n && (quote ? s[k] != quote : !charset_is_space(s[k]) && s[k] != '>'); k++)
			if (vl + 1 < vsize)
				value[vl++] = (char)s[k];
		if (quote && k < n)
			k++;
	}
	value[vl] = '\0';
	*i = k;
	return true;
}

/* Copies src into dst, cut to fit. */
static void charset_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The charset in a <meta content="text/html; charset=..."> value. */
static bool charset_content_charset(const char *v, char *label, size_t size)
{
	const char *s = v;
	size_t n = 0;
	char quote = 0;

	while ((s = strcasestr(s, "charset")) != NULL) {
		s += 7;
		s += strspn(s, " \t\r\n\f");
		if (*s == '=')
			break;
	}
	if (!s)
		return false;
	s++;
	s += strspn(s, " \t\r\n\f");
	if (*s == '"' || *s == '\'')
		quote = *s++;
	for (; *s && (quote ? *s != quote : !strchr(" \t\r\n\f;", *s)); s++)
		if (n + 1 < size)
			label[n++] = *s;
	if (quote && *s != quote)
		return false;
	label[n] = '\0';
	return n > 0;
}

/* A <meta>'s charset, its attributes read from s[*i] on. */
static bool charset_meta(const unsigned char *s, size_t n, size_t *i, char *label, size_t size)
{
	char name[16], value[256], from_content[64] = "";
	bool pragma = false;

	while (charset_attr(s, n, i, name, sizeof(name), value, sizeof(value))) {
		if (strcmp(name, "charset") == 0 && value[0]) {
			charset_copy(label, size, value);
			return true;
		}
		if (strcmp(name, "http-equiv") == 0)
			pragma = pragma || strcasecmp(value, "content-type") == 0;
		else if (strcmp(name, "content") == 0 && !from_content[0])
			charset_content_charset(value, from_content, sizeof(from_content));
	}
	if (!pragma || !from_content[0])
		return false;
	charset_copy(label, size, from_content);
	return true;
}

/* The charset the first <meta> that names one declares, in s[0..n). */
bool charset_prescan(const unsigned char *s, size_t n, char *label, size_t size)
{
	char name[16], value[8];
	size_t i = 0;

	while (i < n) {
		const unsigned char *end;

		if (s[i] != '<') {
			i++;
		} else if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			end = memmem(s + i + 2, n - i - 2, "-->", 3);
			if (!end)
				return false;
			i = (size_t)(end - s) + 3;
		} else if (n - i >= 6 && strncasecmp((const char *)s + i, "<meta", 5) == 0 &&
			   (charset_is_space(s[i + 5]) || s[i + 5] == '/')) {
			i += 5;
			if (charset_meta(s, n, &i, label, size) && charset_is_alpha((unsigned char)label[0]))
				return true;
			i++;
		} else if (n - i >= 3 && (charset_is_alpha(s[i + 1]) ||
					  (s[i + 1] == '/' && charset_is_alpha(s[i + 2])))) {
			/* another tag: its attributes are skipped, quoted '>' and all */
			for (i++; i < n && !charset_is_space(s[i]) && s[i] != '>'; i++)
				;
			while (charset_attr(s, n, &i, name, sizeof(name), value, sizeof(value)))
				;
			i++;
		} else if (n - i >= 2 && strchr("!/?", s[i + 1])) {
			end = memchr(s + i + 2, '>', n - i - 2);
			if (!end)
				return false;
			i = (size_t)(end - s) + 1;
		} else {
			i++;
		}
	}
	return false;
}

uint32_t charset_win1252(unsigned char byte)
{
	static const uint16_t c1[32] = {
		0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
		0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
	};

	return byte >= 0x80 && byte < 0xa0 ? c1[byte - 0x80] : byte;
}
