/* fuzz_ticket.c -- the ticket store file: any contents against a model of ticket_store.h */
#include "fuzz_support.h"
#include "ticket_store.h"

#include <string.h>
#include <unistd.h>

/*
 * The input is the store file. ticket_store_read's verdict and state must be
 * what ticket_store.h says, computed from fuzz_support's strict JSON reader
 * (no key twice, json-c's depth limit of 32; bytes in strings unchecked, as
 * the store asks): at most TICKET_STORE_MAX_BYTES bytes; one object; "count"
 * an integer in 0..TICKET_MAX_STOCK; "sold" and "stock" both or neither, the
 * same kind of integer, count + sold == stock; without them, none sold and
 * stock == count. A refused store leaves the state untouched and says why.
 *
 * Then the state read is written back with ticket_store_write: the new file
 * must be exactly {"count":K,"sold":S,"stock":N} and a newline, and read back
 * to the same state.
 */

#define JSONC_DEPTH 32

struct model {
	bool ok;
	struct ticket_state st;
};

static const struct fj_member *member(const struct fj_doc *doc, const char *key)
{
	for (size_t i = 0; i < doc->n; i++)
		if (strcmp(doc->members[i].key, key) == 0)
			return &doc->members[i];
	return NULL;
}

/* An integer member in 0..TICKET_MAX_STOCK: 1 and *v, 0 when absent, -1 when bad. */
static int field(const struct fj_doc *doc, const char *key, long *v)
{
	const struct fj_member *m = member(doc, key);
	const char *p;
	bool negative;
	long long n = 0;

	if (!m)
		return 0;
	if (m->type != FJ_NUMBER || !m->integer)
		return -1;
	p = m->num;
	negative = *p == '-';
	p += negative;
	for (; p < m->num + m->num_len; p++) {
		n = n * 10 + (*p - '0');
		if (n > TICKET_MAX_STOCK)
			return -1;
	}
	if (negative && n != 0)
		return -1;
	*v = (long)n;
	return 1;
}

static struct model store_model(const struct fj_doc *doc)
{
	struct model r = { .ok = false };
	int count, sold, stock;

	if (doc->type != FJ_OBJECT)
		return r;
	count = field(doc, "count", &r.st.count);
	sold = field(doc, "sold", &r.st.sold);
	stock = field(doc, "stock", &r.st.stock);
	if (count != 1 || sold < 0 || stock < 0 || sold != stock)
		return r;
	if (sold == 0) {
		r.st.sold = 0;
		r.st.stock = r.st.count;
	} else if (r.st.count + r.st.sold != r.st.stock) {
		return r;
	}
	r.ok = true;
	return r;
}

static void check_write_back(const struct ticket_state *st)
{
	const char *path = fuzz_scratch_path("ticket-back");
	struct ticket_state again = { -1, -1, -1 };
	char err[TICKET_ERR_LEN], want[128];
	size_t len;
	char *text;

	FUZZ_CHECK(ticket_store_write(path, st, err) == 0, "ticket_store_write: %s", err);
	text = fuzz_read_file(path, &len);
	snprintf(want, sizeof(want), "{\"count\":%ld,\"sold\":%ld,\"stock\":%ld}\n", st->count,
		 st->sold, st->stock);
	FUZZ_CHECK(strcmp(text, want) == 0 && len == strlen(want), "the store written is '%s'",
		   text);
	FUZZ_CHECK(ticket_store_read(path, &again, err) == 0, "reading back: %s", err);
	FUZZ_CHECK(again.count == st->count && again.sold == st->sold && again.stock == st->stock,
		   "read back as %ld/%ld/%ld", again.count, again.sold, again.stock);
	free(text);
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_scratch_path("ticket");
	struct ticket_state st = { -7, -7, -7 };
	struct model want = { .ok = false };
	struct fj_doc doc;
	char err[TICKET_ERR_LEN] = "";
	int rc;

	fuzz_write_file(path, data, size);
	rc = ticket_store_read(path, &st, err);
	FUZZ_CHECK(rc == 0 || rc == -1, "ticket_store_read gave %d", rc);
	if (size <= TICKET_STORE_MAX_BYTES &&
	    fj_parse((const char *)data, size, JSONC_DEPTH, FJ_NO_DUP_KEYS, &doc) == 0) {
		want = store_model(&doc);
		fj_free(&doc);
	}
	FUZZ_CHECK((rc == 0) == want.ok, "ticket_store_read %s it, the model %s it (%s)",
		   rc == 0 ? "took" : "refused", want.ok ? "takes" : "refuses", rc ? err : "-");
	if (rc != 0) {
		FUZZ_CHECK(st.count == -7 && st.sold == -7 && st.stock == -7,
			   "a refused store changed the state");
		FUZZ_CHECK(err[0] != '\0', "no message for a refused store");
		return 0;
	}
	FUZZ_CHECK(st.count == want.st.count && st.sold == want.st.sold &&
		   st.stock == want.st.stock, "state %ld/%ld/%ld, the model says %ld/%ld/%ld",
		   st.count, st.sold, st.stock, want.st.count, want.st.sold, want.st.stock);
	check_write_back(&st);
	return 0;
}
