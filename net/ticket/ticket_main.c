/* ticket_main.c -- ticket: parse options, run init, rush or show, map the result to an exit status */
#include <stdio.h>

#include "ticket_lock.h"
#include "ticket_opts.h"
#include "ticket_rush.h"
#include "ticket_store.h"

enum { EXIT_OVERSOLD = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

/*
 * Under the flock, so a flock rush running meanwhile is not clobbered
 * mid-purchase. Also clears what a killed rush left beside the store.
 */
static int cmd_init(const struct ticket_opts *o)
{
	char err[TICKET_ERR_LEN], lock_path[TICKET_PATH_MAX];
	struct ticket_state st = { .count = o->stock, .sold = 0, .stock = o->stock };
	struct ticket_lock *lock = NULL;
	struct ticket_hold hold;
	int rc = -1, stale;

	if (ticket_store_lock_path(o->store, lock_path, err) < 0 ||
	    ticket_store_check_dir(o->store, err) < 0 ||
	    ticket_store_check_replace(o->store, err) < 0)
		goto out;
	lock = ticket_lock_new(TICKET_LOCK_FLOCK, false, lock_path, err);
	if (!lock || ticket_lock_acquire(lock, &hold, err) < 0)
		goto out;
	stale = ticket_store_remove_stale_temps(o->store);
	if (stale > 0)
		fprintf(stderr, "ticket: removed %d temporary files left by a killed rush\n",
			stale);
	rc = ticket_store_write(o->store, &st, err);
	ticket_lock_release(lock, &hold);
	if (rc == 0)
		printf("%s: %ld tickets\n", o->store, o->stock);
out:
	ticket_lock_free(lock);
	if (rc < 0)
		fprintf(stderr, "ticket: %s\n", err);
	return rc < 0 ? EXIT_FAILED : 0;
}

static int cmd_show(const struct ticket_opts *o)
{
	char err[TICKET_ERR_LEN];
	struct ticket_state st;

	if (ticket_store_read(o->store, &st, err) < 0) {
		fprintf(stderr, "ticket: %s\n", err);
		return EXIT_FAILED;
	}
	printf("%s: %ld tickets left\n", o->store, st.count);
	printf("%s: %ld sold of %ld\n", o->store, st.sold, st.stock);
	return 0;
}

/* "label:" padded to the report's column, then the figure as far as it is known. */
static void print_figure(const char *label, long value, enum ticket_figure kind)
{
	printf("%-17s", label);
	if (kind == TICKET_UNKNOWN)
		printf("unknown\n");
	else
		printf("%s%ld\n", kind == TICKET_AT_LEAST ? "at least " : "", value);
}

/* What it means that the store changed under the rush, if it did. */
static void print_outsider(const struct ticket_rush_opts *o, const struct ticket_report *r)
{
	switch (r->outsider) {
	case TICKET_ALONE:
		return;
	case TICKET_OTHERS_LOCKED:
		printf("note:            the store changed under this rush: other processes sold "
		       "%s%ld of the\n"
		       "                 %ld sales it shows; the figures are exact if they took "
		       "the flock too\n",
		       r->others_kind == TICKET_AT_LEAST ? "at least " : "", r->others_sold,
		       r->store_sales);
		return;
	case TICKET_REINIT:
		printf("note:            the store was initialised again during this rush: sales "
		       "by others\n"
		       "                 and lost updates cannot be computed\n");
		return;
	case TICKET_OTHERS:
		break;
	}
	printf("note:            the store was changed by another process during this rush "
	       "(it shows %ld\n"
	       "                 sales for this rush's %ld). ",
	       r->store_sales, r->sold);
	if (o->lock == TICKET_LOCK_FLOCK)
		printf("It wrote without taking the flock, so\n");
	else
		printf("Lock %s guards %s, so\n", ticket_lock_name(o->lock),
		       o->lock == TICKET_LOCK_NONE ? "nothing" : "only this rush's own buyers");
	printf("                 buyers of both may have sold the same ticket: "
	       "lost updates and tickets\n"
	       "                 sold twice across the rushes cannot be counted from here\n");
}

static void print_report(const struct ticket_rush_opts *o, const struct ticket_report *r)
{
	printf("buyers:          %u (%s mode, lock %s, delay %u ms)\n", r->buyers,
	       o->mode == TICKET_THREADS ? "thread" : "process", ticket_lock_name(o->lock),
	       o->delay_ms);
	printf("stock before:    %ld\n", r->stock_before);
	printf("sold:            %ld\n", r->sold);
	print_figure("sold by others:", r->others_sold, r->others_kind);
	printf("stock after:     %ld\n", r->stock_after);
	printf("oversold:        %ld\n", r->oversold);
	print_figure("lost updates:", r->lost_updates, r->lost_kind);
	printf("turned away:     %ld\n", r->turned_away);
	printf("failed:          %ld\n", r->failed);
	printf("crashed:         %ld\n", r->crashed);
	printf("locks recovered: %ld\n", r->recovered);
	printf("wall time:       %.3f s\n", r->wall_s);
	print_outsider(o, r);
	fflush(stdout);
}

static int cmd_rush(const struct ticket_opts *o)
{
	char err[TICKET_ERR_LEN];
	struct ticket_report r;
	long expected_crashes = o->rush.crash_buyer >= 0;

	if (ticket_rush(&o->rush, &r, err) < 0) {
		fprintf(stderr, "ticket: %s\n", err);
		return EXIT_FAILED;
	}
	print_report(&o->rush, &r);
	if (r.oversold > 0) {
		fprintf(stderr, "ticket: oversold: %ld tickets sold from a stock of %ld\n",
			r.sold, r.stock_before);
		return EXIT_OVERSOLD;
	}
	if (r.failed > 0 || r.crashed > expected_crashes) {
		fprintf(stderr, "ticket: %ld buyers failed and %ld crashed\n", r.failed,
			r.crashed);
		return EXIT_FAILED;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ticket_opts o;
	int rc = ticket_opts_parse(argc, argv, &o);

	if (rc != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	switch (o.cmd) {
	case TICKET_INIT:
		return cmd_init(&o);
	case TICKET_SHOW:
		return cmd_show(&o);
	case TICKET_RUSH:
		return cmd_rush(&o);
	}
	return EXIT_FAILED;
}
