/* main.c -- demo-site: serve the demo site, export it, or print its URLs or one page */
#include "export.h"
#include "options.h"
#include "site.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct demo_options o;

	if (demo_options_parse(argc, argv, &o) < 0) {
		fprintf(stderr, "Try 'demo-site --help'.\n");
		return 2;
	}
	switch (o.mode) {
	case DEMO_HELP:
		demo_options_usage(stdout);
		return 0;
	case DEMO_VERSION:
		printf("demo-site (crawlpool) %s\n", CRAWLPOOL_VERSION);
		return 0;
	case DEMO_EXPORT:
		return demo_export(o.export_dir, o.server.pages, o.server.quiet) < 0 ? 1 : 0;
	case DEMO_LIST_URLS:
		return demo_list_urls(stdout, o.list_count, o.base ? o.base : DEMO_DEFAULT_BASE,
				      o.server.pages) < 0 ? 1 : 0;
	case DEMO_PRINT_PAGE:
		return demo_print_page(stdout, o.print_page, o.server.pages, o.base) < 0 ? 1 : 0;
	case DEMO_SERVE:
		break;
	}
	return demo_server_run(&o.server) < 0 ? 1 : 0;
}
