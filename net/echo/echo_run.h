/* echo_run.h -- the echo-server front: runs the mode the options chose */
#ifndef CRAWLPOOL_ECHO_RUN_H
#define CRAWLPOOL_ECHO_RUN_H

#include "echo_server.h"

/* Runs s's configured mode until SIGINT/SIGTERM. 0, or -1 on a fatal error. */
int echo_run(struct echo_server *s);

#endif
