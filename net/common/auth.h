/* auth.h -- HMAC-SHA256 challenge-response shared by the networking modules */
#ifndef CRAWLPOOL_AUTH_H
#define CRAWLPOOL_AUTH_H

#include <stdbool.h>
#include <stddef.h>

/* The challenge a server sends and the tag a client answers, in bytes. */
#define NET_AUTH_CHALLENGE_LEN 32
#define NET_AUTH_TAG_LEN 32
/* Largest secret file accepted: a key, not a data file. */
#define NET_AUTH_SECRET_MAX 4096

/* A shared secret. Its bytes are wiped by net_auth_secret_release(). */
struct net_secret {
	unsigned char *bytes;
	size_t len;
};

/*
 * Takes the secret from a file's contents: all bytes, less one trailing
 * newline. An empty secret is refused. 0, or -1 with err filled
 * (NET_ERR_LEN bytes, may be NULL).
 */
int net_auth_secret_parse(struct net_secret *s, const void *data, size_t len, char *err);
/* Reads a secret file (at most NET_AUTH_SECRET_MAX bytes). 0 or -1 with err. */
int net_auth_secret_load(struct net_secret *s, const char *path, char *err);
/* Wipes and frees the secret; accepts a zeroed or released struct. */
void net_auth_secret_release(struct net_secret *s);

/* Fills a challenge from the OS-seeded OpenSSL generator. 0 or -1. */
int net_auth_challenge(unsigned char challenge[NET_AUTH_CHALLENGE_LEN]);
/* HMAC-SHA256(key, data) into out. 0 or -1. */
int net_auth_hmac(const void *key, size_t key_len, const void *data, size_t data_len,
		  unsigned char out[NET_AUTH_TAG_LEN]);
/* The tag a client sends for a challenge. 0 or -1. */
int net_auth_tag(const struct net_secret *s,
		 const unsigned char challenge[NET_AUTH_CHALLENGE_LEN],
		 unsigned char tag[NET_AUTH_TAG_LEN]);
/* Whether tag answers the challenge; compares in constant time. */
bool net_auth_verify(const struct net_secret *s,
		     const unsigned char challenge[NET_AUTH_CHALLENGE_LEN],
		     const unsigned char tag[NET_AUTH_TAG_LEN]);

#endif
