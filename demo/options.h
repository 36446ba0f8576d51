/* options.h -- demo-site's command line */
#ifndef CRAWLPOOL_DEMO_OPTIONS_H
#define CRAWLPOOL_DEMO_OPTIONS_H

#include "site.h"

#include <stdbool.h>
#include <stdio.h>

enum demo_mode { DEMO_SERVE, DEMO_EXPORT, DEMO_LIST_URLS, DEMO_PRINT_PAGE, DEMO_HELP, DEMO_VERSION };

#define DEMO_DEFAULT_BASE "http://127.0.0.1:8931"

struct demo_options {
	enum demo_mode mode;
	struct demo_config server;
	const char *export_dir;
	unsigned long long list_count;
	unsigned print_page;
	const char *base;		/* NULL: not given */
	bool host_given;		/* a --host replaced the default */
};

/* Fills opts from argv. 0, or -1 after printing what is wrong on stderr. */
int demo_options_parse(int argc, char **argv, struct demo_options *opts);
void demo_options_usage(FILE *out);

#endif
