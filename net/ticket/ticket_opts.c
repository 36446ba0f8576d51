/* ticket_opts.c -- the ticket command line: init, rush and show with their options */
#include "ticket_opts.h"
#include "numbers.h"
#include "same_file.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ticket_store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ticket init --store FILE --stock K\n"
		"       ticket rush --store FILE --buyers N [--mode process|thread]\n"
		"                   [--lock none|flock|mutex] [--delay-ms D] [--sales-log FILE]\n"
		"       ticket show --store FILE\n"
		"\n"
		"The ticket rush: N buyers race to buy from a store of K tickets, a JSON\n"
		"file {\"count\":LEFT,\"sold\":SOLD,\"stock\":K}. Each buyer reads it and,\n"
		"if a ticket is left, waits D ms (a slow network), then writes count-1\n"
		"and sold+1 in one atomic replace, so LEFT + SOLD = K even if the rush is\n"
		"killed; the next init or rush removes the temporary files a killed rush\n"
		"left. Buyers die with the rush. Without a lock, buyers that read the\n"
		"same count all sell the same ticket.\n"
		"\n"
		"  --store FILE       the store; FILE.lock beside it is the lock file\n"
		"  --stock K          tickets to put in the store (0..%ld)\n"
		"  --buyers N         buyers to start at once (1..%d)\n"
		"  --mode MODE        process: forked buyers (default); thread: pthreads\n"
		"  --lock LOCK        flock (default): flock(2) on FILE.lock, which the\n"
		"                     kernel drops if the holder dies\n"
		"                     none: no lock, so the race shows\n"
		"                     mutex: a pthread mutex; robust and process-shared in\n"
		"                     process mode, so a dead holder does not block the rest;\n"
		"                     it guards this rush's buyers only, not other programs\n"
		"  --delay-ms D       wait inside the critical section (0..%d, default 0)\n"
		"  --sales-log FILE   append one line per sale, to check the report against;\n"
		"                     written just after the store, so a rush killed in\n"
		"                     between leaves one sale out of the log, not the store\n"
		"  --crash-buyer I    test hook: buyer I (0..N-1) kills itself with SIGKILL\n"
		"                     inside the critical section, after writing its temp\n"
		"                     file and before the rename; its sale does not count\n"
		"                     (process mode only)\n"
		"  --help             show this help\n"
		"\n"
		"rush prints buyers, stock before, sold, stock after, oversold (sold beyond\n"
		"the stock), lost updates (sales the store does not show) and wall time.\n"
		"Exit status: 0 ok, 1 oversold, 2 usage error, 3 failure.\n",
		TICKET_MAX_STOCK, TICKET_MAX_BUYERS, TICKET_MAX_DELAY_MS);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ticket: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'ticket --help'\n");
	return -1;
}

/* A number in [min, max] for opt. 0, or -1 after saying why. */
static int parse_long(const char *opt, const char *text, long min, long max, long *out)
{
	char err[TICKET_ERR_LEN];
	long long v;

	if (num_parse_int(opt, text, min, max, &v, err, sizeof(err)) < 0)
		return usage_error("%s", err);
	*out = (long)v;
	return 0;
}

static int parse_command(const char *name, enum ticket_cmd *cmd)
{
	if (strcmp(name, "init") == 0)
		*cmd = TICKET_INIT;
	else if (strcmp(name, "rush") == 0)
		*cmd = TICKET_RUSH;
	else if (strcmp(name, "show") == 0)
		*cmd = TICKET_SHOW;
	else
		return usage_error("unknown command '%s' (init, rush or show)", name);
	return 0;
}

/* Options seen, to refuse those that do not belong to the command. */
enum { SEEN_STOCK = 1, SEEN_BUYERS = 2, SEEN_RUSH = 4 };

static int parse_option(int c, const char *arg, struct ticket_opts *o, unsigned *seen)
{
	struct ticket_rush_opts *r = &o->rush;
	long v;

	if (c == 'k')
		*seen |= SEEN_STOCK;
	else if (c == 'b')
		*seen |= SEEN_BUYERS;
	else if (c != 's')
		*seen |= SEEN_RUSH;
	switch (c) {
	case 's':
		/* Else init makes ".lock" in the current directory, then fails to rename. */
		if (!*arg)
			return usage_error("--store is empty: name a file");
		o->store = arg;
		return 0;
	case 'k':
		return parse_long("--stock", arg, 0, TICKET_MAX_STOCK, &o->stock);
	case 'b':
		if (parse_long("--buyers", arg, 1, TICKET_MAX_BUYERS, &v) < 0)
			return -1;
		r->buyers = (unsigned)v;
		return 0;
	case 'm':
		if (strcmp(arg, "process") == 0)
			r->mode = TICKET_PROCESSES;
		else if (strcmp(arg, "thread") == 0)
			r->mode = TICKET_THREADS;
		else
			return usage_error("invalid --mode '%s': expected process or thread", arg);
		return 0;
	case 'l':
		if (ticket_lock_parse(arg, &r->lock) < 0)
			return usage_error("invalid --lock '%s': expected none, flock or mutex", arg);
		return 0;
	case 'd':
		if (parse_long("--delay-ms", arg, 0, TICKET_MAX_DELAY_MS, &v) < 0)
			return -1;
		r->delay_ms = (unsigned)v;
		return 0;
	case 'g':
		r->sales_log = arg;
		return 0;
	case 'c':
		return parse_long("--crash-buyer", arg, 0, TICKET_MAX_BUYERS - 1, &r->crash_buyer);
	}
	return -1;
}

/* The sales log is opened with O_TRUNC: the store or its lock file would be emptied. */
static int check_sales_log(const struct ticket_opts *o)
{
	char lock_path[TICKET_PATH_MAX], err[TICKET_ERR_LEN];
	const char *log = o->rush.sales_log;

	if (!log)
		return 0;
	if (same_file(log, o->store))
		return usage_error("--sales-log '%s' is the store: it would be emptied", log);
	if (ticket_store_lock_path(o->store, lock_path, err) == 0 && same_file(log, lock_path))
		return usage_error("--sales-log '%s' is the store's lock file", log);
	return 0;
}

static int check(const struct ticket_opts *o, unsigned seen)
{
	if (!o->store)
		return usage_error("--store is required");
	if (o->cmd == TICKET_INIT && !(seen & SEEN_STOCK))
		return usage_error("init needs --stock");
	if (o->cmd == TICKET_RUSH && !(seen & SEEN_BUYERS))
		return usage_error("rush needs --buyers");
	if (o->cmd != TICKET_INIT && (seen & SEEN_STOCK))
		return usage_error("--stock is for init");
	if (o->cmd != TICKET_RUSH && (seen & (SEEN_BUYERS | SEEN_RUSH)))
		return usage_error("--buyers, --mode, --lock, --delay-ms, --sales-log and "
				   "--crash-buyer are for rush");
	if (o->rush.crash_buyer >= (long)o->rush.buyers && o->cmd == TICKET_RUSH)
		return usage_error("--crash-buyer %ld is not a buyer (0..%u)",
				   o->rush.crash_buyer, o->rush.buyers - 1);
	if (o->rush.crash_buyer >= 0 && o->rush.mode == TICKET_THREADS)
		return usage_error("--crash-buyer needs --mode process: a thread cannot die "
				   "alone");
	return check_sales_log(o);
}

int ticket_opts_parse(int argc, char **argv, struct ticket_opts *o)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "stock", required_argument, NULL, 'k' },
		{ "buyers", required_argument, NULL, 'b' },
		{ "mode", required_argument, NULL, 'm' },
		{ "lock", required_argument, NULL, 'l' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "sales-log", required_argument, NULL, 'g' },
		{ "crash-buyer", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned seen = 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->rush.mode = TICKET_PROCESSES;
	o->rush.lock = TICKET_LOCK_FLOCK;
	o->rush.crash_buyer = -1;
	if (argc < 2)
		return usage_error("a command is required (init, rush or show)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 1;
	}
	if (parse_command(argv[1], &o->cmd) < 0)
		return -1;
	opterr = 0;
	optind = 1;
	/* getopt sees the command as its program name. */
	while ((c = getopt_long(argc - 1, argv + 1, ":", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == ':')
			return usage_error("option '%s' needs a value", argv[optind]);
		if (c == '?')
			return usage_error("unknown option '%s'", argv[optind]);
		if (parse_option(c, optarg, o, &seen) < 0)
			return -1;
	}
	if (optind < argc - 1)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	o->rush.store = o->store;
	return check(o, seen);
}
