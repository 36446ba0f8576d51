/* fuzz_output.c -- CSV, TSV and JSON Lines rows read back by strict readers, field for field */
#include "fuzz_support.h"
#include "output.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/*
 * Input: option bits, a record (numbers and strings, some NULL), a worker.
 * The row is written to a tmpfs file in the chosen format, with or without a
 * BOM and the formula guard, sometimes twice (the second time with --append),
 * and the file is read back by a reader written here:
 *
 *   CSV   RFC 4180: CRLF line ends, a field with , " CR or LF must be quoted,
 *         "" for a quote inside, nothing after a closing quote but , or CRLF;
 *   TSV   one line, 12 tab-separated fields, only \t \n \r \\ escapes;
 *   JSONL one strict JSON object (fuzz_support's reader, not json-c), the
 *         12 keys in order, strings or numbers or null.
 *
 * Each field must come back as the model says (README "Columns" and
 * output.h): NULL is empty (CSV, TSV) or null (JSON); numbers in decimal,
 * times as milliseconds with three decimals; with the guard, CSV and TSV text
 * starting with = + - @ tab or CR gets a leading '; JSON strings have every
 * byte that does not start a valid UTF-8 sequence replaced by U+FFFD.
 */

enum { COL_URL, COL_FINAL, COL_STATUS, COL_BYTES, COL_TYPE, COL_TTFB, COL_TIME,
       COL_REDIRECTS, COL_TITLE, COL_LINKS, COL_WORKER, COL_ERROR };

static const bool is_text[OUTPUT_NCOLUMNS] = {
	[COL_URL] = true, [COL_FINAL] = true, [COL_TYPE] = true, [COL_TITLE] = true,
	[COL_ERROR] = true,
};

struct expect {
	char *v[OUTPUT_NCOLUMNS];	/* the field as text; NULL when empty / null */
	char num[OUTPUT_NCOLUMNS][48];
};

static char *number(struct expect *e, int col, bool present, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static char *number(struct expect *e, int col, bool present, const char *fmt, ...)
{
	va_list ap;

	if (!present)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(e->num[col], sizeof(e->num[col]), fmt, ap);
	va_end(ap);
	return e->num[col];
}

static char *ms(struct expect *e, int col, long long us)
{
	return number(e, col, us >= 0, "%lld.%03lld", us / 1000, us % 1000);
}

static void model(struct expect *e, const char *url, const struct crawl_record *r, long worker)
{
	bool fetched = r->time_us >= 0;

	e->v[COL_URL] = (char *)url;
	e->v[COL_FINAL] = (char *)r->final_url;
	e->v[COL_STATUS] = number(e, COL_STATUS, r->status > 0, "%ld", r->status);
	e->v[COL_BYTES] = number(e, COL_BYTES, fetched, "%llu", r->bytes);
	e->v[COL_TYPE] = (char *)r->content_type;
	e->v[COL_TTFB] = ms(e, COL_TTFB, r->ttfb_us);
	e->v[COL_TIME] = ms(e, COL_TIME, r->time_us);
	e->v[COL_REDIRECTS] = number(e, COL_REDIRECTS, fetched, "%ld", r->redirects);
	e->v[COL_TITLE] = (char *)r->title;
	e->v[COL_LINKS] = number(e, COL_LINKS, r->links >= 0, "%ld", r->links);
	e->v[COL_WORKER] = number(e, COL_WORKER, worker >= 0, "%ld", worker);
	e->v[COL_ERROR] = (char *)r->error;
}

static bool guarded(const char *s, bool guard)
{
	return guard && s && s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

/* The text a CSV or TSV reader must get back for column i ("" for NULL). */
static void flat_field(const struct expect *e, int i, bool guard, char **out, size_t *len)
{
	const char *s = e->v[i] ? e->v[i] : "";
	bool g = is_text[i] && guarded(e->v[i], guard);

	*len = strlen(s) + g;
	*out = malloc(*len + 1);
	if (!*out)
		abort();
	(*out)[0] = '\'';
	memcpy(*out + g, s, strlen(s) + 1);
}

/* Bytes of s that do not start a valid UTF-8 sequence become U+FFFD, one each. */
static char *replaced(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(3 * n + 1);

	if (!out)
		abort();
	for (size_t i = 0; i < n;) {
		size_t k = fuzz_utf8_seq((const uint8_t *)s + i, n - i);

		if (k == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* ---- the strict readers: each returns where the row ended, or aborts ---- */

struct field {
	char buf[1200];
	size_t len;
};

static const char *csv_row(const char *p, const char *end, struct field *f)
{
	for (int i = 0; i < OUTPUT_NCOLUMNS; i++) {
		f[i].len = 0;
		if (p < end && *p == '"') {
			for (p++;; p++) {
				FUZZ_CHECK(p < end, "CSV: quoted field %d never closed", i);
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						p++;
					} else {
						p++;
						break;
					}
				}
				f[i].buf[f[i].len++] = *p;
			}
		} else {
			for (; p < end && *p != ',' && *p != '\r'; p++) {
				FUZZ_CHECK(*p != '"' && *p != '\n',
					   "CSV: unquoted field %d holds 0x%02x", i, (unsigned char)*p);
				f[i].buf[f[i].len++] = *p;
			}
		}
		if (i + 1 < OUTPUT_NCOLUMNS) {
			FUZZ_CHECK(p < end && *p == ',', "CSV: field %d not followed by a comma", i);
			p++;
		}
	}
	FUZZ_CHECK(end - p >= 2 && p[0] == '\r' && p[1] == '\n', "CSV: row does not end in CRLF");
	return p + 2;
}

static const char *tsv_row(const char *p, const char *end, struct field *f)
{
	for (int i = 0; i < OUTPUT_NCOLUMNS; i++) {
		f[i].len = 0;
		for (; p < end && *p != '\t' && *p != '\n'; p++) {
			char c = *p;

			FUZZ_CHECK(c != '\r', "TSV: raw CR in field %d", i);
			if (c == '\\') {
				FUZZ_CHECK(p + 1 < end, "TSV: backslash at the end");
				switch (*++p) {
				case 't': c = '\t'; break;
				case 'n': c = '\n'; break;
				case 'r': c = '\r'; break;
				case '\\': c = '\\'; break;
				default:
					FUZZ_CHECK(0, "TSV: escape \\%c in field %d", *p, i);
				}
			}
			f[i].buf[f[i].len++] = c;
		}
		if (i + 1 < OUTPUT_NCOLUMNS) {
			FUZZ_CHECK(p < end && *p == '\t', "TSV: field %d not followed by a tab", i);
			p++;
		}
	}
	FUZZ_CHECK(p < end && *p == '\n', "TSV: row does not end in LF");
	return p + 1;
}

static void check_flat(const struct expect *e, const struct field *f, bool guard, const char *fmt)
{
	for (int i = 0; i < OUTPUT_NCOLUMNS; i++) {
		char *want;
		size_t len;

		flat_field(e, i, guard, &want, &len);
		FUZZ_CHECK(f[i].len == len && memcmp(f[i].buf, want, len) == 0,
			   "%s: column %s is %zu bytes '%.*s', the model says %zu '%s'", fmt,
			   output_columns[i], f[i].len, (int)f[i].len, f[i].buf, len, want);
		free(want);
	}
}

static const char *jsonl_row(const char *p, const char *end, const struct expect *e)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	struct fj_doc doc;

	FUZZ_CHECK(nl != NULL, "JSONL: row does not end in LF");
	FUZZ_CHECK(fj_parse(p, (size_t)(nl - p), 1, FJ_UTF8, &doc) == 0,
		   "JSONL: not one strict JSON value: '%.*s'", (int)(nl - p), p);
	FUZZ_CHECK(doc.type == FJ_OBJECT && doc.n == OUTPUT_NCOLUMNS,
		   "JSONL: not an object of %d members", OUTPUT_NCOLUMNS);
	for (int i = 0; i < OUTPUT_NCOLUMNS; i++) {
		const struct fj_member *m = &doc.members[i];

		FUZZ_CHECK(strcmp(m->key, output_columns[i]) == 0 && m->key_len == strlen(m->key),
			   "JSONL: key %d is '%s', not '%s'", i, m->key, output_columns[i]);
		if (!e->v[i]) {
			FUZZ_CHECK(m->type == FJ_NULL, "JSONL: %s is not null", m->key);
		} else if (is_text[i]) {
			size_t len;
			char *want = replaced(e->v[i], &len);

			FUZZ_CHECK(m->type == FJ_STRING && m->str_len == len &&
				   memcmp(m->str, want, len) == 0,
				   "JSONL: %s is not the string the model says", m->key);
			free(want);
		} else {
			FUZZ_CHECK(m->type == FJ_NUMBER && m->num_len == strlen(e->v[i]) &&
				   memcmp(m->num, e->v[i], m->num_len) == 0,
				   "JSONL: %s is '%.*s', the model says %s", m->key, (int)m->num_len,
				   m->num, e->v[i]);
		}
	}
	fj_free(&doc);
	return nl + 1;
}

static const char *header(const char *p, const char *end, enum output_format format, bool bom)
{
	char want[256];
	size_t n = 0;

	if (format == OUTPUT_JSONL)
		return p;
	if (bom) {
		FUZZ_CHECK(end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0, "no BOM");
		p += 3;
	}
	for (int i = 0; i < OUTPUT_NCOLUMNS; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%s",
				      i ? (format == OUTPUT_CSV ? "," : "\t") : "",
				      output_columns[i]);
	n += (size_t)snprintf(want + n, sizeof(want) - n, format == OUTPUT_CSV ? "\r\n" : "\n");
	FUZZ_CHECK((size_t)(end - p) >= n && memcmp(p, want, n) == 0, "header is not '%s'", want);
	return p + n;
}

static void write_rows(const char *path, const struct output_options *o, int rows,
		       const char *url, const struct crawl_record *rec, long worker)
{
	char err[256];
	struct output *out = output_open(path, o, NULL, 0, err, sizeof(err));

	FUZZ_CHECK(out != NULL, "output_open: %s", err);
	for (int i = 0; i < rows; i++)
		FUZZ_CHECK(output_row(out, url, rec, worker) == 0, "output_row failed");
	FUZZ_CHECK(output_close(out, err, sizeof(err)) == 0, "output_close: %s", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t bits = fuzz_u8(&in);
	struct output_options o = {
		.format = (enum output_format)((bits & 3) % 3),
		.bom = bits & 4,
		.formula_guard = bits & 8,
	};
	bool again = bits & 16;
	const char *path = fuzz_scratch_path("output");
	struct crawl_record rec = { 0 };
	struct expect e;
	struct field f[OUTPUT_NCOLUMNS];
	char *url, *strs[4], *file;
	const char *p, *end;
	size_t len;
	long worker;

	rec.status = (long)(int32_t)fuzz_u32(&in);
	rec.bytes = fuzz_u64(&in);
	rec.ttfb_us = (long long)fuzz_u64(&in);
	rec.time_us = (long long)fuzz_u64(&in);
	rec.redirects = (long)(int32_t)fuzz_u32(&in);
	rec.links = (long)fuzz_u64(&in);
	worker = (long)(int32_t)fuzz_u32(&in);
	url = fuzz_string(&in, false);
	for (int i = 0; i < 4; i++)
		strs[i] = fuzz_string(&in, true);
	rec.final_url = strs[0];
	rec.content_type = strs[1];
	rec.title = strs[2];
	rec.error = strs[3];
	model(&e, url, &rec, worker);

	unlink(path);
	write_rows(path, &o, 1, url, &rec, worker);
	if (again) {
		/* --append to a file of ours: no second header or BOM, one more row */
		o.append = true;
		write_rows(path, &o, 1, url, &rec, worker);
	}
	file = fuzz_read_file(path, &len);
	end = file + len;
	p = header(file, end, o.format, o.bom);
	for (int r = 0; r < 1 + again; r++) {
		switch (o.format) {
		case OUTPUT_CSV:
			p = csv_row(p, end, f);
			check_flat(&e, f, o.formula_guard, "CSV");
			break;
		case OUTPUT_TSV:
			p = tsv_row(p, end, f);
			check_flat(&e, f, o.formula_guard, "TSV");
			break;
		case OUTPUT_JSONL:
			p = jsonl_row(p, end, &e);
			break;
		}
	}
	FUZZ_CHECK(p == end, "%zu bytes after the last row", (size_t)(end - p));
	free(file);
	free(url);
	for (int i = 0; i < 4; i++)
		free(strs[i]);
	return 0;
}
