/* auth.c -- HMAC-SHA256 challenge-response; the only file that includes OpenSSL */
#include "auth.h"
#include "errbuf.h"
#include "netutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/* -1 with err filled and errno set to code. */
#define auth_fail(err, code, ...) \
	(errbuf_set((err), NET_ERR_LEN, __VA_ARGS__), errno = (code), -1)

int net_auth_secret_parse(struct net_secret *s, const void *data, size_t len, char *err)
{
	const unsigned char *p = data;

	s->bytes = NULL;
	s->len = 0;
	if (len > 0 && p[len - 1] == '\n')
		len--;
	if (len == 0)
		return auth_fail(err, EINVAL, "secret is empty");
	if (len > NET_AUTH_SECRET_MAX)
		return auth_fail(err, EFBIG, "secret is longer than %d bytes", NET_AUTH_SECRET_MAX);
	s->bytes = malloc(len);
	if (!s->bytes)
		return auth_fail(err, ENOMEM, "out of memory for the secret");
	memcpy(s->bytes, p, len);
	s->len = len;
	return 0;
}

int net_auth_secret_load(struct net_secret *s, const char *path, char *err)
{
	/* One spare byte for the trailing newline, one more to notice a longer file. */
	unsigned char buf[NET_AUTH_SECRET_MAX + 2];
	ssize_t n;
	int fd, rc;

	s->bytes = NULL;
	s->len = 0;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return auth_fail(err, errno, "cannot open secret file '%s': %s", path, strerror(errno));
	n = net_read_full(fd, buf, sizeof(buf));
	if (n < 0) {
		int saved = errno;

		close(fd);
		return auth_fail(err, saved, "cannot read secret file '%s': %s", path, strerror(saved));
	}
	close(fd);
	if ((size_t)n == sizeof(buf))
		rc = auth_fail(err, EFBIG, "secret file '%s' is larger than %d bytes", path,
			       NET_AUTH_SECRET_MAX);
	else if (net_auth_secret_parse(s, buf, (size_t)n, NULL) < 0)
		rc = auth_fail(err, errno, "secret file '%s' is %s", path,
			       errno == EINVAL ? "empty" : "unusable");
	else
		rc = 0;
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

void net_auth_secret_release(struct net_secret *s)
{
	if (s->bytes) {
		OPENSSL_cleanse(s->bytes, s->len);
		free(s->bytes);
	}
	s->bytes = NULL;
	s->len = 0;
}

int net_auth_challenge(unsigned char challenge[NET_AUTH_CHALLENGE_LEN])
{
	return RAND_bytes(challenge, NET_AUTH_CHALLENGE_LEN) == 1 ? 0 : -1;
}

int net_auth_hmac(const void *key, size_t key_len, const void *data, size_t data_len,
		  unsigned char out[NET_AUTH_TAG_LEN])
{
	unsigned int out_len = 0;

	if (key_len > NET_AUTH_SECRET_MAX)
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)key_len, data, data_len, out, &out_len))
		return -1;
	return out_len == NET_AUTH_TAG_LEN ? 0 : -1;
}

int net_auth_tag(const struct net_secret *s,
		 const unsigned char challenge[NET_AUTH_CHALLENGE_LEN],
		 unsigned char tag[NET_AUTH_TAG_LEN])
{
	return net_auth_hmac(s->bytes, s->len, challenge, NET_AUTH_CHALLENGE_LEN, tag);
}

bool net_auth_verify(const struct net_secret *s,
		     const unsigned char challenge[NET_AUTH_CHALLENGE_LEN],
		     const unsigned char tag[NET_AUTH_TAG_LEN])
{
	unsigned char expect[NET_AUTH_TAG_LEN];
	bool ok;

	if (net_auth_tag(s, challenge, expect) < 0)
		return false;
	ok = CRYPTO_memcmp(expect, tag, NET_AUTH_TAG_LEN) == 0;
	OPENSSL_cleanse(expect, sizeof(expect));
	return ok;
}
