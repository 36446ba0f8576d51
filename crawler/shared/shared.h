/* shared.h -- the commands that read a crawl shared in Redis without joining it: export and status */
#ifndef CRAWLPOOL_SHARED_H
#define CRAWLPOOL_SHARED_H

/* "export ARGS..." (argv[0] is "export"): every row recorded, once; returns an exit status. */
int export_main(int argc, char **argv);

/* "status ARGS...": queued, leased, done, errors, rate and instances; returns an exit status. */
int status_main(int argc, char **argv);

#endif
