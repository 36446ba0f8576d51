/* export.h -- the demo site without a server: static files for nginx, URL lists, single pages */
#ifndef CRAWLPOOL_DEMO_EXPORT_H
#define CRAWLPOOL_DEMO_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Writes DIR/index.html and DIR/page/N.html for every page, links relative,
 * so any static server on any port serves the same site. 0 or -1 (the cause
 * printed on stderr).
 */
int demo_export(const char *dir, unsigned pages, bool quiet);

/* Prints count lines "BASE/page/(i mod pages).html" to out. 0 or -1. */
int demo_list_urls(FILE *out, unsigned long long count, const char *base, unsigned pages);

/*
 * Prints page n as the server sends it to a client that asked for BASE
 * (e.g. "http://127.0.0.1:8931"), or in exported form when base is NULL. 0 or -1.
 */
int demo_print_page(FILE *out, unsigned n, unsigned pages, const char *base);

#endif
