/* main.c -- the crawlpool program: picks the subcommand and returns its exit status */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "crawl.h"
#include "shared.h"

static void main_usage(FILE *f)
{
	fputs("usage: crawlpool COMMAND [OPTIONS]\n"
	      "\n"
	      "  crawl [OPTIONS] [URLS_FILE | URL]...\n"
	      "                                  fetch every URL of a list into a CSV file, or\n"
	      "                                  follow the links of start URLs (--follow)\n"
	      "  compare [OPTIONS] [URLS_FILE]   crawl a list under each mode, side by side\n"
	      "  export --frontier URL [OPTIONS] every row of a crawl shared in Redis, once\n"
	      "  status --frontier URL [--crawl NAME]\n"
	      "                                  what a shared crawl holds, and its instances\n"
	      "  drop --frontier URL --crawl NAME\n"
	      "                                  remove a shared crawl from Redis\n"
	      "\n"
	      "'crawlpool COMMAND --help' describes a command.\n", f);
}

int main(int argc, char **argv)
{
	/* a closed output pipe is an EPIPE the crawl ends on quietly (exit 141), after a whole row */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		main_usage(stderr);
		return CRAWL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "crawl") == 0)
		return crawl_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "compare") == 0)
		return compare_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return export_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return status_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "drop") == 0)
		return drop_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		main_usage(stdout);
		return CRAWL_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("crawlpool %s\n", CRAWLPOOL_VERSION);
		return CRAWL_EXIT_OK;
	}
	fprintf(stderr, "crawlpool: unknown command '%s'\n", argv[1]);
	main_usage(stderr);
	return CRAWL_EXIT_USAGE;
}
