/* chat_spawn.h -- test harness: run a program with piped stdio and wait for lines it prints */
#ifndef CRAWLPOOL_CHAT_SPAWN_H
#define CRAWLPOOL_CHAT_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* Everything a child printed is kept, so a test can count lines afterwards. */
#define SPAWN_KEEP (1u << 20)

struct spawn_stream {
	int fd;			/* read end, -1 at EOF */
	char text[SPAWN_KEEP];
	size_t len;
};

struct spawn {
	pid_t pid;
	int in;			/* the child's stdin, -1 once closed */
	struct spawn_stream out, err;
};

enum spawn_which { SPAWN_OUT, SPAWN_ERR };

/* Starts argv[0] (a path) with pipes for stdin, stdout and stderr. 0 or -1. */
int spawn_start(struct spawn *s, const char *const argv[]);
/* Writes text to the child's stdin. 0 or -1. */
int spawn_send(struct spawn *s, const char *text);
void spawn_close_stdin(struct spawn *s);

/*
 * Waits up to timeout_ms for a complete line containing needle on the given
 * stream; copies the first such line (without newline) into line if not NULL.
 * 0 when found, -1 on timeout or EOF.
 */
int spawn_wait_line(struct spawn *s, enum spawn_which which, const char *needle,
		    char *line, size_t cap, int timeout_ms);
/* Complete lines on the stream equal to line, as read so far. */
int spawn_count_lines(const struct spawn *s, enum spawn_which which, const char *line);
/* Complete lines on the stream containing needle, as read so far. */
int spawn_count_matching(const struct spawn *s, enum spawn_which which, const char *needle);

/* Sends sig to the child (if it runs). */
void spawn_kill(struct spawn *s, int sig);
/*
 * Waits up to timeout_ms for the child to exit, draining its output; kills it
 * after that. Returns its exit status, 128+N if killed by signal N, or -1.
 */
int spawn_wait(struct spawn *s, int timeout_ms);

/* Port in the "listening on HOST:PORT" line the chat programs print, or -1. */
int spawn_listen_port(struct spawn *s, int timeout_ms);

#endif
