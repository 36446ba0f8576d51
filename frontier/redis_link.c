/* redis_link.c -- the only hiredis user: one connection to Redis that comes back after a fault, commands and Lua scripts over it */
#include "redis_link.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errbuf.h"

enum { BACKOFF_FIRST_MS = 100, BACKOFF_MAX_MS = 2000 };

struct redis_link {
	struct redis_address addr;
	redisContext *ctx;		/* NULL: not connected */
	long timeout_ms;
	long long retry_at_ms;		/* no attempt to connect before this */
	long backoff_ms;
	unsigned long long requests;	/* commands sent, each a round trip */
	bool answered;			/* a Redis reply came once: the server is Redis */
	char name[320];
	char error[512];
};

static long long link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct redis_link *redis_link_new(const struct redis_address *a, long timeout_ms)
{
	struct redis_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->addr = *a;
	l->timeout_ms = timeout_ms;
	redis_address_show(a, l->name, sizeof(l->name));
	return l;
}

static void link_drop(struct redis_link *l)
{
	if (l->ctx)
		redisFree(l->ctx);
	l->ctx = NULL;
}

void redis_link_free(struct redis_link *l)
{
	if (!l)
		return;
	link_drop(l);
	/* the password is not left behind in freed memory */
	memset(l->addr.password, 0, sizeof(l->addr.password));
	free(l);
}

/* A failure makes the next attempt wait, longer each time until a success. */
static void link_backoff(struct redis_link *l)
{
	l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (l->backoff_ms > BACKOFF_MAX_MS)
		l->backoff_ms = BACKOFF_MAX_MS;
	l->retry_at_ms = link_now_ms() + l->backoff_ms;
}

static int link_down(struct redis_link *l, const char *why)
{
	errbuf_set(l->error, sizeof(l->error), "redis at '%s' unreachable: %s", l->name, why);
	link_drop(l);
	link_backoff(l);
	return REDIS_LINK_EDOWN;
}

/*
 * A call that got no reply: why, as hiredis tells it, but a reply that did
 * not come in time, which hiredis tells as EAGAIN ("Resource temporarily
 * unavailable"), is said to be that. An answer that is no Redis reply is
 * another server at that address: the user's to fix, not to wait for.
 */
static int link_lost(struct redis_link *l)
{
	char why[64];

	if (l->ctx->err == REDIS_ERR_EOF)
		return link_down(l, "connection closed");
	/* once Redis answered, a garbled reply is a fault of the moment */
	if (l->ctx->err == REDIS_ERR_PROTOCOL && !l->answered) {
		errbuf_set(l->error, sizeof(l->error), "the server at '%s' is no Redis: %s",
			   l->name, l->ctx->errstr);
		link_drop(l);
		return REDIS_LINK_EAUTH;
	}
	if (l->ctx->err == REDIS_ERR_IO && strcmp(l->ctx->errstr, strerror(EAGAIN)) == 0) {
		snprintf(why, sizeof(why), "no answer within %g s", (double)l->timeout_ms / 1000);
		return link_down(l, why);
	}
	return link_down(l, l->ctx->errstr);
}

/* AUTH and SELECT on a new connection. */
static int link_login(struct redis_link *l)
{
	redisReply *r = NULL;
	char db[16];

	if (l->addr.has_password) {
		l->requests++;
		if (l->addr.user[0])
			r = redisCommand(l->ctx, "AUTH %s %s", l->addr.user, l->addr.password);
		else
			r = redisCommand(l->ctx, "AUTH %s", l->addr.password);
		if (!r)
			return link_lost(l);
		if (r->type == REDIS_REPLY_ERROR) {
			errbuf_set(l->error, sizeof(l->error), "redis at '%s' refused the password: %s",
				   l->name, r->str);
			freeReplyObject(r);
			link_drop(l);
			return REDIS_LINK_EAUTH;
		}
		freeReplyObject(r);
	}
	if (l->addr.db == 0)
		return REDIS_LINK_OK;
	snprintf(db, sizeof(db), "%u", l->addr.db);
	l->requests++;
	r = redisCommand(l->ctx, "SELECT %s", db);
	if (!r)
		return link_lost(l);
	l->answered = true;
	if (r->type == REDIS_REPLY_ERROR) {
		errbuf_set(l->error, sizeof(l->error), "redis at '%s' refused database %u: %s",
			   l->name, l->addr.db, r->str);
		freeReplyObject(r);
		link_drop(l);
		return REDIS_LINK_EAUTH;
	}
	freeReplyObject(r);
	return REDIS_LINK_OK;
}

static int link_connect(struct redis_link *l)
{
	struct timeval tv = {
		.tv_sec = l->timeout_ms / 1000,
		.tv_usec = (l->timeout_ms % 1000) * 1000,
	};

	if (l->ctx)
		return REDIS_LINK_OK;
	if (l->addr.is_unix)
		l->ctx = redisConnectUnixWithTimeout(l->addr.path, tv);
	else
		l->ctx = redisConnectWithTimeout(l->addr.host, (int)l->addr.port, tv);
	if (!l->ctx) {
		errbuf_set(l->error, sizeof(l->error), "out of memory");
		return REDIS_LINK_ENOMEM;
	}
	if (l->ctx->err)
		return link_down(l, l->ctx->errstr);
	if (redisSetTimeout(l->ctx, tv) != REDIS_OK)
		return link_down(l, "cannot set the reply timeout");
	return link_login(l);
}

/* Sends one command and reads its reply; an error reply is kept in r for the caller to judge. */
static int link_call(struct redis_link *l, int argc, const char *const *argv, const size_t *lens,
		     redisReply **reply)
{
	int rc;

	*reply = NULL;
	if (link_now_ms() < l->retry_at_ms)
		return REDIS_LINK_EDOWN;	/* l->error still says why */
	rc = link_connect(l);
	if (rc != REDIS_LINK_OK)
		return rc;
	l->requests++;
	*reply = redisCommandArgv(l->ctx, argc, (const char **)argv, lens);
	if (!*reply)
		return link_lost(l);
	l->answered = true;
	return REDIS_LINK_OK;
}

/* An error reply: the connection stands, and the call may be made again (LOADING, BUSY, OOM, ...). */
static int link_refused(struct redis_link *l, redisReply *r)
{
	/*
	 * NOAUTH: Redis came back with a password, or ours was changed. A
	 * command of many arguments (a round trip's script) is refused before
	 * that as an "unauthenticated multibulk": the same fault.
	 */
	bool unauthenticated = strstr(r->str, "unauthenticated") != NULL;
	int rc = strncmp(r->str, "NOAUTH", 6) == 0 || unauthenticated ? REDIS_LINK_EAUTH :
		 REDIS_LINK_EDOWN;

	errbuf_set(l->error, sizeof(l->error), "redis at '%s' answered: %s%s", l->name, r->str,
		   unauthenticated ? " (it wants a password)" : "");
	freeReplyObject(r);
	link_backoff(l);	/* it may be loading its data: not asked again at once */
	return rc;
}

int redis_link_command(struct redis_link *l, int argc, const char *const *argv, const size_t *lens,
		       struct redis_reply **reply)
{
	redisReply *r;
	int rc = link_call(l, argc, argv, lens, &r);

	*reply = NULL;
	if (rc != REDIS_LINK_OK)
		return rc;
	if (r->type == REDIS_REPLY_ERROR)
		return link_refused(l, r);
	l->backoff_ms = 0;
	*reply = (struct redis_reply *)r;
	return REDIS_LINK_OK;
}

static int link_load(struct redis_link *l, struct redis_script *s)
{
	const char *argv[] = { "SCRIPT", "LOAD", s->text };
	const size_t lens[] = { 6, 4, strlen(s->text) };
	redisReply *r;
	int rc = link_call(l, 3, argv, lens, &r);

	if (rc != REDIS_LINK_OK)
		return rc;
	if (r->type == REDIS_REPLY_ERROR)
		return link_refused(l, r);
	if (r->type != REDIS_REPLY_STRING || r->len != 40) {
		freeReplyObject(r);
		return link_down(l, "SCRIPT LOAD gave no SHA1");
	}
	memcpy(s->sha, r->str, 41);
	freeReplyObject(r);
	return REDIS_LINK_OK;
}

int redis_link_eval(struct redis_link *l, struct redis_script *s, int argc, const char *const *argv,
		    const size_t *lens, struct redis_reply **reply)
{
	const char **args = malloc(((size_t)argc + 3) * sizeof(*args));
	size_t *arg_lens = malloc(((size_t)argc + 3) * sizeof(*arg_lens));
	redisReply *r = NULL;
	int rc = REDIS_LINK_ENOMEM;

	*reply = NULL;
	if (!args || !arg_lens)
		goto out;
	args[0] = "EVALSHA";
	arg_lens[0] = 7;
	args[2] = "0";
	arg_lens[2] = 1;
	memcpy(args + 3, argv, (size_t)argc * sizeof(*args));
	memcpy(arg_lens + 3, lens, (size_t)argc * sizeof(*arg_lens));
	/* a restarted Redis has forgotten every script: NOSCRIPT, which ran nothing, loads it */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!s->sha[0] && (rc = link_load(l, s)) != REDIS_LINK_OK)
			goto out;
		args[1] = s->sha;
		arg_lens[1] = 40;
		rc = link_call(l, argc + 3, args, arg_lens, &r);
		if (rc != REDIS_LINK_OK)
			goto out;
		if (r->type != REDIS_REPLY_ERROR || strncmp(r->str, "NOSCRIPT", 8) != 0)
			break;
		freeReplyObject(r);
		r = NULL;
		s->sha[0] = '\0';
	}
	if (!r) {
		rc = link_down(l, "the script could not be loaded");
	} else if (r->type == REDIS_REPLY_ERROR) {
		rc = link_refused(l, r);
	} else {
		l->backoff_ms = 0;
		*reply = (struct redis_reply *)r;
		rc = REDIS_LINK_OK;
	}
out:
	free(args);
	free(arg_lens);
	if (rc == REDIS_LINK_ENOMEM)
		errbuf_set(l->error, sizeof(l->error), "out of memory");
	return rc;
}

const char *redis_link_error(const struct redis_link *l)
{
	return l->error;
}

long long redis_link_retry_in_ms(const struct redis_link *l)
{
	long long left = l->retry_at_ms - link_now_ms();

	return left < 0 ? 0 : left;
}

unsigned long long redis_link_requests(const struct redis_link *l)
{
	return l->requests;
}

const char *redis_link_name(const struct redis_link *l)
{
	return l->name;
}

void redis_reply_free(struct redis_reply *r)
{
	if (r)
		freeReplyObject((redisReply *)r);
}

size_t redis_reply_count(const struct redis_reply *r)
{
	const redisReply *rr = (const redisReply *)r;

	return rr && rr->type == REDIS_REPLY_ARRAY ? rr->elements : 0;
}

const struct redis_reply *redis_reply_at(const struct redis_reply *r, size_t i)
{
	const redisReply *rr = (const redisReply *)r;

	if (!rr || rr->type != REDIS_REPLY_ARRAY || i >= rr->elements)
		return NULL;
	return (const struct redis_reply *)rr->element[i];
}

long long redis_reply_int(const struct redis_reply *r)
{
	const redisReply *rr = (const redisReply *)r;

	if (!rr)
		return 0;
	if (rr->type == REDIS_REPLY_INTEGER)
		return rr->integer;
	if (rr->type == REDIS_REPLY_STRING)
		return strtoll(rr->str, NULL, 10);
	return 0;
}

const char *redis_reply_str(const struct redis_reply *r, size_t *len)
{
	const redisReply *rr = (const redisReply *)r;

	if (!rr || (rr->type != REDIS_REPLY_STRING && rr->type != REDIS_REPLY_STATUS)) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = rr->len;
	return rr->str;
}
