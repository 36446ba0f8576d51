/* charset.c -- which charset a page is in: its Content-Type, its label, a <meta> in its first bytes */
#include "charset.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Copies the charset parameter of a Content-Type into name. */
bool charset_of_type(const char *type, char *name, size_t size)
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
			name[n++] = *s++;
		name[n] = '\0';
		return n > 0;
	}
	return false;
}

static bool charset_label_in(const char *label, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(label, *list) == 0)
			return true;
	return false;
}

/*
 * Labels browsers read with a larger charset than the one named (WHATWG
 * Encoding), so that bytes the smaller one lacks still decode.
 */
static const char *charset_superset(const char *label)
{
	static const struct {
		const char *iconv_name;
		const char *const labels[8];
	} sets[] = {
		{ "GB18030", { "gb2312", "gbk", "x-gbk", "chinese", "csgb2312", "gb_2312-80",
			       "iso-ir-58", NULL } },
		{ "CP932", { "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "ms932",
			     "windows-31j", NULL } },
		{ "CP949", { "euc-kr", "ks_c_5601-1987", "ksc5601", "ksc_5601", "cseuckr",
			     "windows-949", NULL } },
		{ "BIG5-HKSCS", { "big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5", NULL } },
		{ "CP1254", { "iso-8859-9", "iso8859-9", "latin5", "l5", "iso_8859-9", NULL } },
		{ "CP874", { "tis-620", "iso-8859-11", "iso8859-11", "dos-874", NULL } },
	};

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (charset_label_in(label, sets[i].labels))
			return sets[i].iconv_name;
	return label;
}

/*
 * What a charset label names: UTF-8, windows-1252 (which ISO-8859-1 and
 * ASCII labels mean in browsers), or another charset for iconv, whose name
 * (a larger superset where browsers use one) and code unit are filled in.
 * A <meta> naming UTF-16 was itself read as ASCII, so it means UTF-8.
 */
enum charset_kind charset_label(const char *label, bool from_meta, char *iconv_name, size_t size,
				unsigned *unit)
{
	static const char *const utf8[] = {
		"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8",
		"x-unicode20utf8", NULL,
	};
	static const char *const win1252[] = {
		"windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso88591",
		"iso_8859-1", "iso_8859-1:1987", "iso-ir-100", "latin1", "l1", "csisolatin1",
		"ibm819", "cp819", "us-ascii", "ascii", "ansi_x3.4-1968", "x-user-defined", NULL,
	};
	char name[CHARSET_NAME_MAX];
	size_t n = 0;

	label += strspn(label, " \t\r\n\f");
	for (; *label && n + 1 < sizeof(name); label++, n++) {
		char c = *label >= 'A' && *label <= 'Z' ? (char)(*label + 32) : *label;

		/* nothing iconv would read as an option (//IGNORE) or a path */
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.:", c)))
			break;
		name[n] = c;
	}
	name[n] = '\0';
	if (n == 0 || (*label && !strchr(" \t\r\n\f", *label)))
		return CHARSET_UNKNOWN;
	if (charset_label_in(name, utf8) || (from_meta && strncmp(name, "utf-16", 6) == 0))
		return CHARSET_UTF8;
	if (charset_label_in(name, win1252))
		return CHARSET_WIN1252;
	snprintf(iconv_name, size, "%s", charset_superset(name));
	*unit = 1;
	if (strncmp(name, "utf-16", 6) == 0 || strncmp(name, "utf16", 5) == 0 ||
	    strncmp(name, "ucs-2", 5) == 0 || strncmp(name, "ucs2", 4) == 0)
		*unit = 2;
	else if (strncmp(name, "utf-32", 6) == 0 || strncmp(name, "utf32", 5) == 0 ||
		 strncmp(name, "ucs-4", 5) == 0 || strncmp(name, "ucs4", 4) == 0)
		*unit = 4;
	return CHARSET_ICONV;
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
