/* echo_modes.h -- the three echo-server modes, called by echo_run() alone */
#ifndef CRAWLPOOL_ECHO_MODES_H
#define CRAWLPOOL_ECHO_MODES_H

#include "echo_server.h"

/*
 * Each serves s until SIGINT/SIGTERM, using only what echo_server.h offers,
 * and returns 0, or -1 on a fatal error.
 */
int echo_run_process(struct echo_server *s);	/* echo_process.c: a child per connection */
int echo_run_thread(struct echo_server *s);	/* echo_thread.c: a thread per connection */
int echo_run_event(struct echo_server *s);	/* echo_event.c: one thread, epoll */

#endif
