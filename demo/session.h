/* session.h -- a demo-site connection's requests, one after another, each handed to demo_route() */
#ifndef CRAWLPOOL_DEMO_SESSION_H
#define CRAWLPOOL_DEMO_SESSION_H

#include "conn.h"

/* Serves requests until the client leaves, a limit hits or the server stops. */
void session_serve(struct demo_conn *c);

#endif
