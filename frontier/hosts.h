/* hosts.h -- the frontier's hosts: one queue each, found by origin, and a heap of those ready to be asked */
#ifndef CRAWLPOOL_HOSTS_H
#define CRAWLPOOL_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

struct robots;

/* A queued URL: a million of them must fit in well under 160 MiB. */
struct entry {
	struct entry *next;		/* in its host's queue */
	struct host *host;
	struct referrer *referrer;	/* shared by every link of one page; NULL for start URLs */
	unsigned depth;
	unsigned short redirects;	/* redirects that led here from a link or start URL */
	bool given;			/* a start URL or list line, kept as given, not normalised */
	char url[];
};

/* The page a link was found on, counted by the entries that name it. */
struct referrer {
	size_t refs;
	char url[];
};

enum robots_state {
	ROBOTS_NOT_ASKED,	/* robots.txt is not obeyed */
	ROBOTS_UNKNOWN,		/* fetch it before anything else */
	ROBOTS_FETCHING,
	ROBOTS_KNOWN,
};

struct host {
	struct host *hash_next;
	struct entry *head, *tail;	/* its queue */
	size_t queued;
	unsigned out;			/* requests to it now */
	long long due_ms;		/* its next request starts no earlier */
	long long last_start_ms;	/* when its last request started */
	long delay_ms;			/* --delay, raised by Crawl-delay */
	enum robots_state robots_state;
	struct robots *robots;
	size_t heap_at;			/* its place in the ready heap, or HOSTS_NOT_READY */
	char origin[];
};

#define HOSTS_NOT_READY ((size_t)-1)

struct hosts;

struct hosts *hosts_new(void);
/* Frees every host, its queue and its robots.txt; entry_free() releases each entry. */
void hosts_free(struct hosts *t, void (*entry_free)(struct entry *e));

/* The host of origin, made (with robots state `robots`, delay delay_ms) if new. NULL when out of memory. */
struct host *hosts_get(struct hosts *t, const char *origin, enum robots_state robots, long delay_ms);

void host_enqueue(struct host *h, struct entry *e);
struct entry *host_dequeue(struct host *h);

/* Puts h in the ready heap, or moves it to its due time, or takes it out. */
int hosts_ready(struct hosts *t, struct host *h);
void hosts_unready(struct hosts *t, struct host *h);
/* The ready host due first, or NULL. */
struct host *hosts_first(const struct hosts *t);

#endif
