/* progress.c -- a single rewritten status line: done/total, rate, errors */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_INTERVAL 0.2

static double progress_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void progress_init(struct progress *p, bool show, long total)
{
	p->shown = show && isatty(STDERR_FILENO);
	p->total = total;
	p->done = 0;
	p->errors = 0;
	p->started = progress_now();
	p->drawn = 0;
	p->width = 0;
}

double progress_elapsed(const struct progress *p)
{
	return progress_now() - p->started;
}

static void progress_draw(struct progress *p, double now)
{
	double secs = now - p->started;
	double rate = secs > 0 ? (double)p->done / secs : 0;
	char line[160];
	int n;

	if (p->following)
		n = snprintf(line, sizeof(line), "\r%lu found  %lu done  %lu queued  %.0f/s  %lu error%s",
			     p->done + p->queued, p->done, p->queued, rate, p->errors,
			     p->errors == 1 ? "" : "s");
	else if (p->total >= 0)
		n = snprintf(line, sizeof(line), "\r%lu/%ld URL%s  %.0f/s  %lu error%s",
			     p->done, p->total, p->total == 1 ? "" : "s", rate, p->errors,
			     p->errors == 1 ? "" : "s");
	else
		n = snprintf(line, sizeof(line), "\r%lu URL%s  %.0f/s  %lu error%s",
			     p->done, p->done == 1 ? "" : "s", rate, p->errors,
			     p->errors == 1 ? "" : "s");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	/* pad over the tail of a longer previous line */
	fprintf(stderr, "%s%*s", line, p->width > n ? p->width - n : 0, "");
	p->width = n;
	p->drawn = now;
}

void progress_queued(struct progress *p, unsigned long queued)
{
	p->following = true;
	p->queued = queued;
}

void progress_row(struct progress *p, bool error)
{
	double now;

	p->done++;
	if (error)
		p->errors++;
	if (!p->shown)
		return;
	now = progress_now();
	if (now - p->drawn >= PROGRESS_INTERVAL)
		progress_draw(p, now);
}

void progress_clear(struct progress *p)
{
	if (p->shown && p->width > 0)
		fprintf(stderr, "\r%*s\r", p->width, "");
	p->width = 0;
}
