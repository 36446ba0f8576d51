/* shared.h -- the commands that work on a crawl shared in Redis without joining it: export, status, drop */
#ifndef CRAWLPOOL_SHARED_H
#define CRAWLPOOL_SHARED_H

/* "export ARGS..." (argv[0] is "export"): every row recorded, once; returns an exit status. */
int export_main(int argc, char **argv);

/* "status ARGS...": queued, leased, done, errors, rate and instances; returns an exit status. */
int status_main(int argc, char **argv);

/* "drop ARGS...": removes every key of a crawl no instance works on; returns an exit status. */
int drop_main(int argc, char **argv);

#endif
