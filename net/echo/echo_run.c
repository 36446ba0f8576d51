/* echo_run.c -- the echo-server front: hands an open server to its mode, which never calls back */
#include "echo_run.h"
#include "echo_modes.h"

int echo_run(struct echo_server *s)
{
	switch (s->opts->mode) {
	case ECHO_MODE_PROCESS:
		return echo_run_process(s);
	case ECHO_MODE_THREAD:
		return echo_run_thread(s);
	case ECHO_MODE_EVENT:
		return echo_run_event(s);
	}
	return -1;
}
