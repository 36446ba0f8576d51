/* ticket_rush.h -- N buyers, threads or forked processes, race for the tickets in one store */
#ifndef CRAWLPOOL_TICKET_RUSH_H
#define CRAWLPOOL_TICKET_RUSH_H

#include <stdbool.h>

#include "ticket_lock.h"

#define TICKET_MAX_BUYERS 10000
#define TICKET_MAX_DELAY_MS 10000

enum ticket_mode {
	TICKET_PROCESSES,
	TICKET_THREADS,
};

struct ticket_rush_opts {
	const char *store;
	unsigned buyers;
	enum ticket_mode mode;
	enum ticket_lock_kind lock;
	unsigned delay_ms;	/* inside the critical section, to widen the race */
	long crash_buyer;	/* test hook: this buyer SIGKILLs itself holding the lock; -1 off */
	const char *sales_log;	/* NULL, or a file that gets one line per sale */
};

/* How far a figure of the report is known. */
enum ticket_figure {
	TICKET_EXACT,
	TICKET_AT_LEAST,	/* a lower bound */
	TICKET_UNKNOWN,
};

/* Why the store changed under a rush, if by someone other than its buyers. */
enum ticket_outsider {
	TICKET_ALONE,		/* no sign of anyone else */
	TICKET_OTHERS_LOCKED,	/* others sold, all under the same flock: figures exact */
	TICKET_OTHERS,		/* others wrote the store; lost updates not countable */
	TICKET_REINIT,		/* stock changed or sales went down: re-initialised */
};

/*
 * What happened. Every buyer ends in exactly one of sold, turned_away,
 * failed and crashed; sold counts the sales the buyers reported, which the
 * sales log repeats line for line. The store's own "sold", read before and
 * after, tells the sales it shows (store_sales); when other processes used
 * the store meanwhile, their sales and this rush's lost updates are mixed in
 * it, and others_sold and lost_updates are only as exact as their _kind says.
 */
struct ticket_report {
	unsigned buyers;
	long stock_before;
	long stock_after;
	long store_sales;	/* the store's "sold" after - before */
	long sold;
	long oversold;		/* sold - stock_before, when positive */
	enum ticket_outsider outsider;
	long others_sold;	/* sales by other processes the store shows */
	enum ticket_figure others_kind;
	long lost_updates;	/* sales the store does not show: sold - store_sales, if alone */
	enum ticket_figure lost_kind;
	long turned_away;	/* found the store at 0 */
	long failed;		/* hit an error (reported on stderr) */
	long crashed;		/* died before reporting, e.g. by the crash hook */
	long recovered;		/* lock acquisitions that found their holder dead */
	double wall_s;		/* from the start signal to the last buyer done */
};

/*
 * Runs the rush: starts every buyer, lets them go at once, waits for all.
 * Each buyer takes the lock, reads the store, and if a ticket is left waits
 * delay_ms, writes count-1 atomically, records the sale and lets go.
 * 0 with *r filled, or -1 with err (TICKET_ERR_LEN bytes) when the rush could
 * not run or the store could not be read before or after.
 */
int ticket_rush(const struct ticket_rush_opts *o, struct ticket_report *r, char *err);

#endif
