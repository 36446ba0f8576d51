/* fuzz_support.c -- input choices, UTF-8 and JSON models, scratch files: shared by the harnesses */
#include "fuzz_support.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool fuzz_known_bug(const char *id)
{
	static int strict = -1;

	(void)id;
	if (strict < 0) {
		const char *e = getenv("FUZZ_STRICT");

		strict = e && *e && strcmp(e, "0") != 0;
	}
	return !strict;
}

uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	if (in->n == 0)
		return 0;
	v = in->p[0];
	in->p++;
	in->n--;
	return v;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u16(in);

	return hi << 16 | fuzz_u16(in);
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t hi = fuzz_u32(in);

	return hi << 32 | fuzz_u32(in);
}

bool fuzz_bool(struct fuzz_in *in)
{
	return fuzz_u8(in) & 1;
}

const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t max, size_t *len)
{
	const uint8_t *p = in->p;

	*len = max < in->n ? max : in->n;
	in->p += *len;
	in->n -= *len;
	return p;
}

const uint8_t *fuzz_piece(struct fuzz_in *in, size_t *len)
{
	return fuzz_bytes(in, fuzz_u8(in), len);
}

char *fuzz_string(struct fuzz_in *in, bool allow_null)
{
	uint8_t want = fuzz_u8(in);
	const uint8_t *p;
	size_t len;
	char *s;

	if (allow_null && want == 255)
		return NULL;
	p = fuzz_bytes(in, want, &len);
	s = malloc(len + 1);
	if (!s)
		abort();
	for (size_t i = 0; i < len; i++)
		s[i] = p[i] ? (char)p[i] : '0';
	s[len] = '\0';
	return s;
}

uint8_t *fuzz_expand(const uint8_t *data, size_t size, size_t cap, size_t *len)
{
	uint8_t *out = malloc(cap + 1);
	size_t o = 0;

	if (!out)
		abort();
	for (size_t i = 0; i < size && o < cap; i++) {
		if (data[i] != 0xff) {
			out[o++] = data[i];
			continue;
		}
		if (i + 1 == size || data[i + 1] == 0) {
			out[o++] = 0xff;
			i++;
			continue;
		}
		for (size_t k = (size_t)data[++i] * 64; k > 0 && o > 0 && o < cap; k--) {
			out[o] = out[o - 1];
			o++;
		}
	}
	*len = o;
	return out;
}

size_t fuzz_utf8_seq(const uint8_t *s, size_t len)
{
	uint32_t cp;
	size_t need;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		need = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		need = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

bool fuzz_utf8_valid(const void *s, size_t len)
{
	const uint8_t *p = s;

	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_seq(p + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

static char paths[8][128];
static const char *names[8];

static void fuzz_scratch_remove(void)
{
	for (size_t i = 0; i < 8 && names[i]; i++)
		unlink(paths[i]);
}

const char *fuzz_scratch_path(const char *name)
{
	struct stat st;
	const char *dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
	size_t i;

	for (i = 0; i < 8 && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return paths[i];
	if (i == 8)
		abort();
	if (i == 0)
		atexit(fuzz_scratch_remove);
	names[i] = name;
	snprintf(paths[i], sizeof(paths[i]), "%s/crawlpool-fuzz-%ld-%s", dir, (long)getpid(), name);
	return paths[i];
}

void fuzz_write_file(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0) {
		perror(path);
		abort();
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror(path);
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
}

char *fuzz_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap);

	if (fd < 0 || !buf) {
		perror(path);
		abort();
	}
	for (;;) {
		ssize_t n;

		if (cap - used < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror(path);
			abort();
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	*len = used;
	return buf;
}

/* ---- the JSON model ---- */

struct fj {
	const char *s;
	size_t len, pos;
	int max_depth;
	int flags;
};

struct fj_buf {
	char *p;
	size_t len, cap;
};

static void fj_put(struct fj_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void fj_put_cp(struct fj_buf *b, uint32_t cp)
{
	uint8_t u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xc0 | cp >> 6);
		u[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xe0 | cp >> 12);
		u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xf0 | cp >> 18);
		u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	fj_put(b, u, n);
}

static void fj_ws(struct fj *j)
{
	while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
				   j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
		j->pos++;
}

static int fj_hex4(struct fj *j, uint32_t *v)
{
	*v = 0;
	if (j->len - j->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = j->s[j->pos++];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* The length of the UTF-8-shaped sequence at s: a lead byte and its continuations. */
static size_t fj_utf8_shape(const uint8_t *s, size_t len)
{
	size_t need = s[0] >= 0xf0 && s[0] <= 0xf7 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;

	if (need == 0 || len < need)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

/* A string at j->pos (on its opening quote), decoded into out when it is not NULL. */
static int fj_string(struct fj *j, struct fj_buf *out)
{
	struct fj_buf scratch = { 0 };
	struct fj_buf *b = out ? out : &scratch;
	char quote = j->s[j->pos];
	bool lax = j->flags & FJ_JSONC_LAX;
	int rc = -1;

	j->pos++;
	for (;;) {
		uint8_t c;

		if (j->pos >= j->len)
			goto done;
		c = (uint8_t)j->s[j->pos];
		if (c == (uint8_t)quote) {
			j->pos++;
			rc = 0;
			goto done;
		}
		if (c < 0x20 && !lax)
			goto done;
		if (c == '\\') {
			uint32_t cp, lo;
			char e;

			if (++j->pos >= j->len)
				goto done;
			e = j->s[j->pos++];
			switch (e) {
			case '\'':
				if (!lax)
					goto done;
				/* fall through */
			case '"': case '\\': case '/':
				fj_put(b, &e, 1);
				continue;
			case 'b': fj_put(b, "\b", 1); continue;
			case 'f': fj_put(b, "\f", 1); continue;
			case 'n': fj_put(b, "\n", 1); continue;
			case 'r': fj_put(b, "\r", 1); continue;
			case 't': fj_put(b, "\t", 1); continue;
			case 'u':
				break;
			default:
				goto done;
			}
			if (fj_hex4(j, &cp) < 0)
				goto done;
			if (cp >= 0xd800 && cp <= 0xdbff && j->len - j->pos >= 6 &&
			    j->s[j->pos] == '\\' && j->s[j->pos + 1] == 'u') {
				size_t save = j->pos;

				j->pos += 2;
				if (fj_hex4(j, &lo) < 0)
					goto done;
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					fj_put_cp(b, 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
					continue;
				}
				j->pos = save;
			}
			if (cp >= 0xd800 && cp <= 0xdfff && !lax)
				goto done;	/* RFC 8259 text for a character: a surrogate only in a pair */
			fj_put_cp(b, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
			continue;
		}
		if (c < 0x80 || !(j->flags & FJ_UTF8)) {
			fj_put(b, &c, 1);
			j->pos++;
		} else {
			const uint8_t *u = (const uint8_t *)j->s + j->pos;
			size_t n = lax ? fj_utf8_shape(u, j->len - j->pos) :
					 fuzz_utf8_seq(u, j->len - j->pos);

			if (n == 0)
				goto done;
			fj_put(b, j->s + j->pos, n);
			j->pos += n;
		}
	}
done:
	free(scratch.p);
	if (rc < 0 && out) {
		free(out->p);
		out->p = NULL;
	}
	return rc;
}

static bool fj_digit(struct fj *j)
{
	return j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9';
}

static int fj_number(struct fj *j, bool *integer)
{
	*integer = true;
	if (j->pos < j->len && j->s[j->pos] == '-')
		j->pos++;
	if (!fj_digit(j))
		return -1;
	/* json-c also takes 00, -00 and -01 */
	if (j->s[j->pos] == '0' && !(j->flags & FJ_JSONC_LAX))
		j->pos++;
	else
		while (fj_digit(j))
			j->pos++;
	if (j->pos < j->len && j->s[j->pos] == '.') {
		*integer = false;
		j->pos++;
		if (!fj_digit(j) && !(j->flags & FJ_JSONC_LAX))
			return -1;
		while (fj_digit(j))
			j->pos++;
	}
	if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
		*integer = false;
		j->pos++;
		if (j->pos < j->len && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		if (!fj_digit(j))
			return -1;
		while (fj_digit(j))
			j->pos++;
	}
	return 0;
}

static int fj_word(struct fj *j, const char *w)
{
	size_t n = strlen(w);

	if (j->len - j->pos < n || memcmp(j->s + j->pos, w, n) != 0)
		return -1;
	j->pos += n;
	return 0;
}

static int fj_value(struct fj *j, int depth, struct fj_doc *top, struct fj_member *m);

static bool fj_quote(const struct fj *j)
{
	return j->pos < j->len &&
	       (j->s[j->pos] == '"' || (j->s[j->pos] == '\'' && (j->flags & FJ_JSONC_LAX)));
}

struct fj_keys {
	char **k;
	size_t n;
};

/* Adds key; false when the object already has it (as C strings: json-c stops at a NUL). */
static bool fj_new_key(struct fj_keys *keys, const char *key)
{
	for (size_t i = 0; i < keys->n; i++)
		if (strcmp(keys->k[i], key) == 0)
			return false;
	keys->k = realloc(keys->k, (keys->n + 1) * sizeof(*keys->k));
	if (!keys->k || !(keys->k[keys->n] = strdup(key)))
		abort();
	keys->n++;
	return true;
}

static void fj_keys_free(struct fj_keys *keys)
{
	for (size_t i = 0; i < keys->n; i++)
		free(keys->k[i]);
	free(keys->k);
}

static int fj_members(struct fj *j, int depth, struct fj_doc *top, bool object, char close,
		      struct fj_keys *keys);

/* An object or array at j->pos; members go to top when this is the top object. */
static int fj_container(struct fj *j, int depth, struct fj_doc *top)
{
	bool object = j->s[j->pos] == '{';
	struct fj_keys keys = { 0 };
	int rc;

	if (depth > j->max_depth)
		return -1;
	rc = fj_members(j, depth, top, object, object ? '}' : ']', &keys);
	fj_keys_free(&keys);
	return rc;
}

static int fj_members(struct fj *j, int depth, struct fj_doc *top, bool object, char close,
		      struct fj_keys *keys)
{
	j->pos++;
	fj_ws(j);
	if (j->pos < j->len && j->s[j->pos] == close) {
		j->pos++;
		return 0;
	}
	for (;;) {
		struct fj_member m = { 0 };
		struct fj_buf key = { 0 };

		if (object) {
			bool dup_check = j->flags & FJ_NO_DUP_KEYS;

			if (!fj_quote(j))
				return -1;
			if (fj_string(j, top || dup_check ? &key : NULL) < 0)
				return -1;
			if (dup_check && !fj_new_key(keys, key.p ? key.p : "")) {
				free(key.p);
				return -1;
			}
			if (!top) {
				free(key.p);
				key.p = NULL;
			}
			fj_ws(j);
			if (j->pos >= j->len || j->s[j->pos] != ':') {
				free(key.p);
				return -1;
			}
			j->pos++;
			fj_ws(j);
		}
		m.key = key.p ? key.p : (top ? calloc(1, 1) : NULL);
		m.key_len = key.len;
		if (fj_value(j, depth, NULL, top ? &m : NULL) < 0) {
			free(m.key);
			free(m.str);
			return -1;
		}
		if (top) {
			top->members = realloc(top->members, (top->n + 1) * sizeof(m));
			if (!top->members)
				abort();
			top->members[top->n++] = m;
		}
		fj_ws(j);
		if (j->pos >= j->len)
			return -1;
		if (j->s[j->pos] == ',') {
			j->pos++;
			fj_ws(j);
			continue;
		}
		if (j->s[j->pos] == close) {
			j->pos++;
			return 0;
		}
		return -1;
	}
}

static int fj_value(struct fj *j, int depth, struct fj_doc *top, struct fj_member *m)
{
	struct fj_buf str = { 0 };
	size_t start = j->pos;
	bool integer;
	char c;

	if (j->pos >= j->len)
		return -1;
	c = j->s[j->pos];
	switch (c) {
	case '{':
	case '[':
		if (top)
			top->type = c == '{' ? FJ_OBJECT : FJ_ARRAY;
		if (m)
			m->type = c == '{' ? FJ_OBJECT : FJ_ARRAY;
		return fj_container(j, depth + 1, top && c == '{' ? top : NULL);
	case '\'':
		if (!(j->flags & FJ_JSONC_LAX))
			return -1;
		/* fall through */
	case '"':
		if (top)
			top->type = FJ_STRING;
		if (fj_string(j, m ? &str : NULL) < 0)
			return -1;
		if (m) {
			m->type = FJ_STRING;
			m->str = str.p ? str.p : calloc(1, 1);
			m->str_len = str.len;
		}
		return 0;
	case 't':
	case 'f':
		if (top)
			top->type = FJ_BOOL;
		if (m)
			m->type = FJ_BOOL;
		return fj_word(j, c == 't' ? "true" : "false");
	case 'n':
		if (top)
			top->type = FJ_NULL;
		if (m)
			m->type = FJ_NULL;
		return fj_word(j, "null");
	default:
		if ((j->flags & FJ_JSONC_LAX) && (fj_word(j, "NaN") == 0 || fj_word(j, "Infinity") == 0 ||
						  fj_word(j, "-Infinity") == 0)) {
			integer = false;
		} else if (fj_number(j, &integer) < 0) {
			return -1;
		}
		if (top)
			top->type = FJ_NUMBER;
		if (m) {
			m->type = FJ_NUMBER;
			m->num = j->s + start;
			m->num_len = j->pos - start;
			m->integer = integer;
		}
		return 0;
	}
}

int fj_parse(const char *buf, size_t len, int max_depth, int flags, struct fj_doc *doc)
{
	struct fj j = { .s = buf, .len = len, .max_depth = max_depth, .flags = flags };

	memset(doc, 0, sizeof(*doc));
	fj_ws(&j);
	if (fj_value(&j, 0, doc, NULL) < 0) {
		fj_free(doc);
		return -1;
	}
	fj_ws(&j);
	if (j.pos != len) {
		fj_free(doc);
		return -1;
	}
	return 0;
}

void fj_free(struct fj_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++) {
		free(doc->members[i].key);
		free(doc->members[i].str);
	}
	free(doc->members);
	memset(doc, 0, sizeof(*doc));
}
