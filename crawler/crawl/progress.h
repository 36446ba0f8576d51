/* progress.h -- the one-line progress display on stderr, and the end-of-run counts */
#ifndef CRAWLPOOL_PROGRESS_H
#define CRAWLPOOL_PROGRESS_H

#include <stdbool.h>

struct progress {
	bool shown;		/* drawing on a terminal */
	long total;		/* -1 when unknown */
	bool following;		/* a crawl that follows links: found, done, queued */
	unsigned long queued;
	unsigned long done;
	unsigned long errors;
	double started;		/* monotonic seconds */
	double drawn;
	int width;		/* of the last line drawn */
};

/* Starts counting; the line is drawn only if show and stderr is a terminal. */
void progress_init(struct progress *p, bool show, long total);
/* A crawl that follows links: URLs waiting now (found = done + queued). */
void progress_queued(struct progress *p, unsigned long queued);
/* Counts one row; redraws at most a few times a second. */
void progress_row(struct progress *p, bool error);
/* Erases the line. */
void progress_clear(struct progress *p);
/* Seconds since progress_init(). */
double progress_elapsed(const struct progress *p);

#endif
