/* crawl_state.h -- a crawl's --state file: what makes two runs one crawl, checked when the file is opened */
#ifndef CRAWLPOOL_CRAWL_STATE_H
#define CRAWLPOOL_CRAWL_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "state.h"

/*
 * Opens o->state: an existing file makes the run a resume (o->resume and
 * o->out.append are set) and must belong to this crawl (the start URLs,
 * scope, depth, filters, robots, nofollow, --max-pages and format it was
 * made with); a missing one is made (*created). NULL with err filled: a
 * usage error, nothing changed.
 */
struct state *crawl_state_open(struct crawl_options *o, bool *created, char *err, size_t errlen);

#endif
