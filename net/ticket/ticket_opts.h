/* ticket_opts.h -- the ticket command line: init, rush and show with their options */
#ifndef CRAWLPOOL_TICKET_OPTS_H
#define CRAWLPOOL_TICKET_OPTS_H

#include "ticket_rush.h"

enum ticket_cmd {
	TICKET_INIT,
	TICKET_RUSH,
	TICKET_SHOW,
};

struct ticket_opts {
	enum ticket_cmd cmd;
	const char *store;
	long stock;			/* init */
	struct ticket_rush_opts rush;	/* rush; rush.store = store */
};

/*
 * Parses argv. 0 to run, 1 when help was asked (printed to stdout), -1 on a
 * usage error (message printed to stderr).
 */
int ticket_opts_parse(int argc, char **argv, struct ticket_opts *o);

#endif
