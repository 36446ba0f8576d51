/* test_chat_live.c -- udp-chat and udp-chat-relay run on loopback: peers, a room, hostile datagrams */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chat_spawn.h"

/* Generous: the suite also runs under ASan and TSan on a busy machine. */
#define WAIT_MS 15000

static const char *chat_bin = CHAT_BIN_DIR "/udp-chat";
static const char *relay_bin = CHAT_BIN_DIR "/udp-chat-relay";

/* A bare UDP socket on 127.0.0.1, to play a hostile or scripted peer. */
struct raw {
	int fd;
	int port;
};

static void raw_open(struct raw *r)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &len), 0);
	r->port = ntohs(a.sin_port);
}

static void raw_send(const struct raw *r, int port, const void *buf, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	assert_int_equal(sendto(r->fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a)),
			 (ssize_t)len);
}

static void raw_send_str(const struct raw *r, int port, const char *text)
{
	raw_send(r, port, text, strlen(text));
}

/* Next datagram as a string, or -1 after timeout_ms. */
static ssize_t raw_recv(const struct raw *r, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	n = recv(r->fd, buf, cap - 1, 0);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static struct spawn *start(const char *const argv[])
{
	struct spawn *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	assert_int_equal(spawn_start(s, argv), 0);
	return s;
}

/* Starts a program that binds port 0 and returns the port it reports. */
static struct spawn *start_listening(const char *const argv[], int *port)
{
	struct spawn *s = start(argv);

	*port = spawn_listen_port(s, WAIT_MS);
	assert_true(*port > 0);
	return s;
}

__attribute__((format(printf, 3, 4)))
static void expect_line(struct spawn *s, enum spawn_which w, const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (spawn_wait_line(s, w, want, NULL, 0, WAIT_MS) < 0) {
		fprintf(stderr, "missing line '%s'; stdout:\n%s\nstderr:\n%s\n", want,
			s->out.text, s->err.text);
		fail();
	}
}

static void finish(struct spawn *s, int want_status)
{
	assert_int_equal(spawn_wait(s, WAIT_MS), want_status);
	free(s);
}

/* Two peers: B knows A from the start, A learns B with /peer; both talk. */
static void test_peers_both_ways(void **state)
{
	char spec[64], cmd[80];
	struct spawn *a, *b;
	int pa, pb;

	(void)state;
	a = start_listening((const char *[]){ chat_bin, "--name", "alice", NULL }, &pa);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", pa);
	b = start_listening((const char *[]){ chat_bin, "--name", "bob", "--peer", spec, NULL },
			    &pb);
	snprintf(cmd, sizeof(cmd), "/peer 127.0.0.1:%d\n", pb);
	assert_int_equal(spawn_send(a, cmd), 0);

	assert_int_equal(spawn_send(a, "hello bob\n"), 0);
	assert_int_equal(spawn_send(b, "hi alice, caf\xc3\xa9\n"), 0);
	expect_line(b, SPAWN_OUT, "[alice@127.0.0.1:%d] hello bob", pa);
	expect_line(a, SPAWN_OUT, "[bob@127.0.0.1:%d] hi alice, caf\xc3\xa9", pb);

	/* /quit and end of input end them; peers are sent no join or leave notices. */
	assert_int_equal(spawn_send(b, "/quit\n"), 0);
	finish(b, 0);
	spawn_close_stdin(a);
	assert_int_equal(spawn_wait(a, WAIT_MS), 0);
	assert_int_equal(spawn_count_matching(a, SPAWN_OUT, "* "), 0);
	free(a);
}

/*
 * A classic peer (Python: json.loads(data)["msg"]) reads every datagram as
 * {"username","msg"}: udp-chat must send it nothing else, from start to exit.
 */
static void test_classic_peer_gets_messages_only(void **state)
{
	char spec[64], buf[4096], cmd[80];
	struct spawn *a;
	struct raw r, late;
	int pa;

	(void)state;
	raw_open(&r);
	raw_open(&late);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", r.port);
	a = start_listening((const char *[]){ chat_bin, "--name", "alice", "--peer", spec, NULL },
			    &pa);
	snprintf(cmd, sizeof(cmd), "/peer 127.0.0.1:%d\n", late.port);
	assert_int_equal(spawn_send(a, cmd), 0);
	assert_int_equal(spawn_send(a, "hello\n"), 0);
	assert_true(raw_recv(&r, buf, sizeof(buf), WAIT_MS) > 0);
	assert_string_equal(buf, "{\"username\":\"alice\",\"msg\":\"hello\"}");
	assert_true(raw_recv(&late, buf, sizeof(buf), WAIT_MS) > 0);
	assert_string_equal(buf, "{\"username\":\"alice\",\"msg\":\"hello\"}");
	/* A peer talking first is answered with messages too. */
	raw_send_str(&r, pa, "{\"username\":\"py\",\"msg\":\"hi\"}");
	expect_line(a, SPAWN_OUT, "[py@127.0.0.1:%d] hi", r.port);
	assert_int_equal(spawn_send(a, "/quit\n"), 0);
	finish(a, 0);
	/* Exit sent nothing either: the next datagram would have been a leave. */
	assert_int_equal(raw_recv(&r, buf, sizeof(buf), 300), -1);
	assert_int_equal(raw_recv(&late, buf, sizeof(buf), 0), -1);
	close(r.fd);
	close(late.fd);
}

static struct spawn *join_room(const char *name, const char *relay, int *port)
{
	return start_listening((const char *[]){ chat_bin, "--name", name, "--relay", relay,
						 NULL }, port);
}

/* Three members: each message reaches the two others once, never its sender. */
static void test_relay_three_members(void **state)
{
	static const char *const names[3] = { "alice", "bob", "carol" };
	struct spawn *relay, *m[3];
	int rport, port[3], i, j, k;
	char spec[64], line[128];

	(void)state;
	relay = start_listening((const char *[]){ relay_bin, "--bind", "127.0.0.1:0", NULL },
				&rport);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", rport);
	for (i = 0; i < 3; i++) {
		m[i] = join_room(names[i], spec, &port[i]);
		expect_line(relay, SPAWN_ERR, "join %s@127.0.0.1:%d (%d in the room)", names[i],
			    port[i], i + 1);
	}
	for (i = 0; i < 3; i++) {
		for (k = 1; k <= 3; k++) {
			snprintf(line, sizeof(line), "message %d from %s\n", k, names[i]);
			assert_int_equal(spawn_send(m[i], line), 0);
		}
		snprintf(line, sizeof(line), "done %s\n", names[i]);
		assert_int_equal(spawn_send(m[i], line), 0);
	}
	/*
	 * The relay forwards in arrival order and loopback keeps it, so once a
	 * member has each other's "done" it has everything (duplicates included)
	 * those members sent before it.
	 */
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (i != j)
				expect_line(m[i], SPAWN_OUT, "[%s@127.0.0.1:%d] done %s", names[j],
					    port[j], names[j]);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			for (k = 1; k <= 3; k++) {
				snprintf(line, sizeof(line), "[%s@127.0.0.1:%d] message %d from %s",
					 names[j], port[j], k, names[j]);
				assert_int_equal(spawn_count_lines(m[i], SPAWN_OUT, line),
						 i == j ? 0 : 1);
			}
		}
		/* Three messages and a done from each of the two others, nothing more. */
		assert_int_equal(spawn_count_matching(m[i], SPAWN_OUT, "] message "), 6);
		assert_int_equal(spawn_count_matching(m[i], SPAWN_OUT, "] done "), 2);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(spawn_send(m[i], "/quit\n"), 0);
		finish(m[i], 0);
		expect_line(relay, SPAWN_ERR, "leave %s@127.0.0.1:%d (%d in the room)", names[i],
			    port[i], 2 - i);
	}
	spawn_kill(relay, SIGTERM);
	finish(relay, 0);
}

/*
 * A relay that is gone refuses the datagrams (ICMP port unreachable): the member says so once
 * however much is typed, rejoins when a relay is back on the port, and says the next outage too.
 */
static void test_relay_down_is_said_once(void **state)
{
	static const char down_fmt[] = "udp-chat: relay 127.0.0.1:%d not answering: messages are "
				       "not delivered until it is back";
	struct spawn *relay, *a;
	char spec[64], bind[64], down[160];
	int rport, pa, i;

	(void)state;
	relay = start_listening((const char *[]){ relay_bin, "--bind", "127.0.0.1:0", NULL },
				&rport);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", rport);
	snprintf(down, sizeof(down), down_fmt, rport);
	a = join_room("alice", spec, &pa);
	expect_line(relay, SPAWN_ERR, "join alice@127.0.0.1:%d (1 in the room)", pa);
	spawn_kill(relay, SIGTERM);
	finish(relay, 0);

	for (i = 0; i < 5; i++)
		assert_int_equal(spawn_send(a, "into the void\n"), 0);
	expect_line(a, SPAWN_ERR, "%s", down);
	assert_int_equal(spawn_send(a, "and more\n"), 0);
	/* Let every refusal come back before counting: still the one line. */
	usleep(500 * 1000);
	(void)spawn_wait_line(a, SPAWN_ERR, "no such line", NULL, 0, 300);
	assert_int_equal(spawn_count_lines(a, SPAWN_ERR, down), 1);

	/* A relay on the same port: the member rejoins within the probe, without typing. */
	snprintf(bind, sizeof(bind), "127.0.0.1:%d", rport);
	relay = start_listening((const char *[]){ relay_bin, "--bind", bind, NULL }, &rport);
	expect_line(relay, SPAWN_ERR, "join alice@127.0.0.1:%d (1 in the room)", pa);
	expect_line(a, SPAWN_ERR, "udp-chat: relay 127.0.0.1:%d no longer refuses: messages go "
		    "out again", rport);
	spawn_kill(relay, SIGTERM);
	finish(relay, 0);
	assert_int_equal(spawn_send(a, "gone again?\n"), 0);
	for (i = 0; i < 100 && spawn_count_lines(a, SPAWN_ERR, down) < 2; i++)
		(void)spawn_wait_line(a, SPAWN_ERR, "no such line", NULL, 0, 100);
	assert_int_equal(spawn_count_lines(a, SPAWN_ERR, down), 2);
	assert_int_equal(spawn_count_matching(a, SPAWN_ERR, "send to"), 0);
	assert_int_equal(spawn_send(a, "/quit\n"), 0);
	finish(a, 0);
}

/* A relay or peer of the other address family than --bind is refused at once; /peer as --peer. */
static void test_family_mismatch(void **state)
{
	struct spawn *s;

	(void)state;
	s = start((const char *[]){ chat_bin, "--name", "a", "--bind", "127.0.0.1:0", "--relay",
				    "[::1]:7070", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat: [::1]:7070 is IPv6 but this chat listens on IPv4 "
		    "(127.0.0.1:");
	finish(s, 2);
	s = start((const char *[]){ chat_bin, "--name", "a", "--peer", "127.0.0.1:9", NULL });
	assert_true(spawn_listen_port(s, WAIT_MS) > 0);
	assert_int_equal(spawn_send(s, "/peer [::1]:9\n"), 0);
	expect_line(s, SPAWN_ERR, "udp-chat: [::1]:9 is IPv6 but this chat listens on IPv4");
	/* /peer takes what --peer takes: port 0 was added, and every message sent nowhere. */
	assert_int_equal(spawn_send(s, "/peer 127.0.0.1:0\n"), 0);
	expect_line(s, SPAWN_ERR, "udp-chat: invalid address '127.0.0.1:0': use HOST:PORT with a "
		    "port from 1 to 65535, IPv6 as [ADDR]:PORT");
	assert_int_equal(spawn_send(s, "/peer\n"), 0);
	expect_line(s, SPAWN_ERR, "udp-chat: /peer needs an address: /peer HOST:PORT");
	spawn_close_stdin(s);
	finish(s, 0);
}

/* A full room refuses newcomers; a silent member is dropped after the idle timeout. */
static void test_relay_full_and_idle(void **state)
{
	struct spawn *relay;
	struct raw x, y;
	char buf[512];
	int rport;

	(void)state;
	relay = start_listening((const char *[]){ relay_bin, "--bind", "127.0.0.1:0",
						  "--max-members", "1", "--idle-timeout", "1",
						  NULL }, &rport);
	raw_open(&x);
	raw_open(&y);
	raw_send_str(&x, rport, "{\"type\":\"join\",\"username\":\"x\"}");
	expect_line(relay, SPAWN_ERR, "join x@127.0.0.1:%d (1 in the room)", x.port);
	/* A keep-alive, so x cannot have gone idle however slowly the line came. */
	raw_send_str(&x, rport, "{\"type\":\"join\",\"username\":\"x\"}");
	raw_send_str(&y, rport, "{\"username\":\"y\",\"msg\":\"let me in\"}");
	assert_true(raw_recv(&y, buf, sizeof(buf), WAIT_MS) > 0);
	assert_string_equal(buf, "{\"type\":\"error\",\"msg\":\"room is full (limit 1)\"}");
	expect_line(relay, SPAWN_ERR, "refused y@127.0.0.1:%d", y.port);
	/* The refused message went nowhere. */
	assert_int_equal(raw_recv(&x, buf, sizeof(buf), 300), -1);

	expect_line(relay, SPAWN_ERR, "idle, dropped x@127.0.0.1:%d (0 in the room)", x.port);
	raw_send_str(&y, rport, "{\"username\":\"y\",\"msg\":\"alone\"}");
	expect_line(relay, SPAWN_ERR, "join y@127.0.0.1:%d (1 in the room)", y.port);
	/* Never forwarded back to its sender. */
	assert_int_equal(raw_recv(&y, buf, sizeof(buf), 300), -1);
	close(x.fd);
	close(y.fd);
	spawn_kill(relay, SIGINT);
	finish(relay, 0);
}

/* {"type":"leave"} as the relay's --help documents it: no name needed, the address says who. */
static void test_relay_leave_without_name(void **state)
{
	struct spawn *relay;
	struct raw x, y;
	char buf[512], want[256];
	int rport;

	(void)state;
	relay = start_listening((const char *[]){ relay_bin, "--bind", "127.0.0.1:0", NULL },
				&rport);
	raw_open(&x);
	raw_open(&y);
	raw_send_str(&x, rport, "{\"type\":\"join\",\"username\":\"x\"}");
	expect_line(relay, SPAWN_ERR, "join x@127.0.0.1:%d (1 in the room)", x.port);
	raw_send_str(&y, rport, "{\"type\":\"join\",\"username\":\"y\"}");
	expect_line(relay, SPAWN_ERR, "join y@127.0.0.1:%d (2 in the room)", y.port);
	assert_true(raw_recv(&x, buf, sizeof(buf), WAIT_MS) > 0);	/* y joined */

	/* A message that repeats a key is refused, not forwarded as its last value. */
	raw_send_str(&x, rport, "{\"username\":\"x\",\"msg\":\"a\",\"msg\":\"b\"}");
	expect_line(relay, SPAWN_ERR, "bad datagram from 127.0.0.1:%d: not valid JSON: an "
		    "object repeats a key: the one opening at byte 0; skipped", x.port);

	raw_send_str(&x, rport, "{\"type\":\"leave\"}");
	expect_line(relay, SPAWN_ERR, "leave x@127.0.0.1:%d (1 in the room)", x.port);
	assert_true(raw_recv(&y, buf, sizeof(buf), WAIT_MS) > 0);
	snprintf(want, sizeof(want), "{\"type\":\"leave\",\"username\":\"x\",\"from\":"
		 "\"127.0.0.1:%d\"}", x.port);
	assert_string_equal(buf, want);
	assert_int_equal(spawn_count_matching(relay, SPAWN_ERR, "username"), 0);
	close(x.fd);
	close(y.fd);
	spawn_kill(relay, SIGTERM);
	finish(relay, 0);
}

/* Junk is reported on stderr and skipped; names and text print escaped. */
static void test_hostile_datagrams(void **state)
{
	static const char *const junk[] = {
		"not json",
		"{\"username\":1,\"msg\":\"x\"}",
		"{\"msg\":\"no name\"}",
		"{\"username\":\"u\"}",
		"{\"username\":\"u\",\"msg\":[1]}",
		"[\"username\",\"msg\"]",
		"{\"username\":\"u\",\"msg\":\"x\"} trailing",
		"{\"username\":\"u\",\"msg\":\"bad \xff utf-8\"}",
		"{\"type\":\"bogus\",\"username\":\"u\"}",
		"{\"username\":\"u\",\"msg\":\"unterminated",
		"{\"username\":\"u\",\"msg\":\"first\",\"msg\":\"second\"}",
		"",
	};
	size_t njunk = sizeof(junk) / sizeof(junk[0]), i;
	char big[2000], want[128];
	struct spawn *a;
	struct raw r;
	int pa;

	(void)state;
	a = start_listening((const char *[]){ chat_bin, "--name", "alice", NULL }, &pa);
	raw_open(&r);
	for (i = 0; i < njunk; i++)
		raw_send_str(&r, pa, junk[i]);
	memset(big, 'x', sizeof(big));
	raw_send(&r, pa, big, sizeof(big));
	raw_send_str(&r, pa, "{\"username\":\"ev\\u001bil\",\"msg\":\"a\\u0007b\\nc\\\\d\\u009b\"}");
	/* Outside a room, "from" is not trusted. */
	raw_send_str(&r, pa, "{\"username\":\"raw\",\"msg\":\"still alive\",\"from\":\"1.2.3.4:5\"}");

	expect_line(a, SPAWN_OUT, "[raw@127.0.0.1:%d] still alive", r.port);
	expect_line(a, SPAWN_OUT, "[ev\\x1bil@127.0.0.1:%d] a\\x07b\\nc\\\\d\\u009b", r.port);
	assert_int_equal(spawn_count_matching(a, SPAWN_OUT, "["), 2);
	snprintf(want, sizeof(want), "bad datagram from 127.0.0.1:%d: ", r.port);
	assert_int_equal(spawn_count_matching(a, SPAWN_ERR, want), (int)njunk);
	expect_line(a, SPAWN_ERR, "datagram from 127.0.0.1:%d is 2000 bytes, over the 1472-byte "
		    "limit (--max-payload); skipped", r.port);
	expect_line(a, SPAWN_ERR, "field 'username' is not a string");
	expect_line(a, SPAWN_ERR, "field 'msg' is missing");
	expect_line(a, SPAWN_ERR, "unknown type 'bogus'");
	expect_line(a, SPAWN_ERR, "not a JSON object");
	expect_line(a, SPAWN_ERR, "not valid JSON: an object repeats a key");
	expect_line(a, SPAWN_ERR, "empty datagram");
	spawn_close_stdin(a);
	finish(a, 0);
	close(r.fd);
}

/* The sender refuses what does not fit, sends the wire format, and leaves on SIGINT. */
static void test_sender_limits(void **state)
{
	char spec[64], buf[4096], line[400];
	struct spawn *a;
	struct raw r;
	int pa;

	(void)state;
	raw_open(&r);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", r.port);
	a = start_listening((const char *[]){ chat_bin, "--name", "alice", "--peer", spec,
					      "--max-payload", "256", NULL }, &pa);

	memset(line, 'y', 240);
	line[240] = '\n';
	line[241] = '\0';
	assert_int_equal(spawn_send(a, line), 0);
	expect_line(a, SPAWN_ERR, "message too long: 269 bytes as a datagram, the limit is 256 "
		    "(--max-payload 256); not sent");
	memset(buf, 'z', 1000);
	buf[1000] = '\n';
	buf[1001] = '\0';
	assert_int_equal(spawn_send(a, buf), 0);
	expect_line(a, SPAWN_ERR, "message too long: over 256 bytes (--max-payload); not sent");
	assert_int_equal(spawn_send(a, "say \"hi\"\\ /now\n"), 0);
	assert_true(raw_recv(&r, buf, sizeof(buf), WAIT_MS) > 0);
	/* Neither refused line was sent in part. */
	assert_string_equal(buf, "{\"username\":\"alice\",\"msg\":\"say \\\"hi\\\"\\\\ /now\"}");

	/* SIGINT ends it; a peer is sent no leave. */
	spawn_kill(a, SIGINT);
	finish(a, 0);
	assert_int_equal(raw_recv(&r, buf, sizeof(buf), 300), -1);
	close(r.fd);
}

/* Usage errors exit 2 with a message; --help exits 0. */
static void test_usage(void **state)
{
	struct spawn *s;

	(void)state;
	s = start((const char *[]){ chat_bin, "--peer", "127.0.0.1:1", NULL });
	expect_line(s, SPAWN_ERR, "--name is required");
	finish(s, 2);
	s = start((const char *[]){ chat_bin, "--name", "a", "--peer", "127.0.0.1:1",
				    "--relay", "127.0.0.1:2", NULL });
	expect_line(s, SPAWN_ERR, "--peer and --relay exclude each other");
	finish(s, 2);
	s = start((const char *[]){ chat_bin, "--name", "a", "--max-payload", "70000", NULL });
	expect_line(s, SPAWN_ERR, "invalid --max-payload '70000'");
	finish(s, 2);
	s = start((const char *[]){ relay_bin, "--max-members", "0", NULL });
	expect_line(s, SPAWN_ERR, "invalid --max-members '0'");
	finish(s, 2);
	s = start((const char *[]){ relay_bin, "--help", NULL });
	expect_line(s, SPAWN_OUT, "usage: udp-chat-relay");
	finish(s, 0);
}

/* A closed stdin is refused: the socket took descriptor 0 and its datagrams were read as lines. */
static void test_closed_stdin(void **state)
{
	struct spawn *s;

	(void)state;
	s = start((const char *[]){ "/bin/sh", "-c", "exec \"$0\" --name a --peer 127.0.0.1:9 <&-",
				    chat_bin, NULL });
	expect_line(s, SPAWN_ERR, "udp-chat: standard input is closed (use </dev/null for none)");
	finish(s, 2);
	/* The relay reads no stdin: with its stdio closed it still works. */
	s = start((const char *[]){ "/bin/sh", "-c", "exec \"$0\" --bind 127.0.0.1:0 <&- >&-",
				    relay_bin, NULL });
	assert_true(spawn_listen_port(s, WAIT_MS) > 0);
	spawn_kill(s, SIGTERM);
	finish(s, 0);
}

/*
 * With the reader of its output gone ('udp-chat | head'), a chat ends at the
 * next arrival, quietly, and tells the relay: it went on sending while it
 * showed nothing, until its input ended.
 */
static void test_output_gone(void **state)
{
	char buf[256], spec[64];
	struct raw relay;
	struct spawn *s;
	int port;

	(void)state;
	raw_open(&relay);
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", relay.port);
	s = start_listening((const char *[]){ chat_bin, "--name", "ann", "--relay", spec, NULL },
			    &port);
	assert_true(raw_recv(&relay, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "\"join\""));
	close(s->out.fd);
	s->out.fd = -1;
	raw_send_str(&relay, port, "{\"username\":\"bob\",\"msg\":\"anyone?\"}");
	assert_true(raw_recv(&relay, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "\"leave\""));
	/* Its stdin is still open: only the lost output ended it. */
	assert_int_equal(spawn_wait(s, WAIT_MS), 128 + SIGPIPE);
	assert_int_equal(spawn_count_matching(s, SPAWN_ERR, "write"), 0);
	free(s);
	close(relay.fd);
}

/* Each of these was once taken: spaces skipped, port 0 sent to, any bytes as a host. */
static void test_usage_numbers(void **state)
{
	struct spawn *s;

	(void)state;
	s = start((const char *[]){ relay_bin, "--max-members", " 5", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat-relay: invalid --max-members ' 5': use a number "
		    "from 1 to 65536");
	finish(s, 2);
	s = start((const char *[]){ relay_bin, "--idle-timeout", "86401", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat-relay: invalid --idle-timeout '86401': use a number "
		    "from 1 to 86400");
	finish(s, 2);
	s = start((const char *[]){ relay_bin, "--bind", "a b:1", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat-relay: invalid --bind 'a b:1': use HOST:PORT with a "
		    "port from 0 to 65535, IPv6 as [ADDR]:PORT");
	finish(s, 2);
	s = start((const char *[]){ chat_bin, "--name", "a", "--keepalive", " 5", "--relay",
				    "127.0.0.1:1", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat: invalid --keepalive ' 5': use a number from 1 "
		    "to 86400");
	finish(s, 2);
	s = start((const char *[]){ chat_bin, "--name", "a", "--max-payload", "70000", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat: invalid --max-payload '70000': use a number from "
		    "256 to 65507");
	finish(s, 2);
	s = start((const char *[]){ chat_bin, "--name", "a", "--peer", "127.0.0.1:0", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat: invalid --peer '127.0.0.1:0': use HOST:PORT with a "
		    "port from 1 to 65535, IPv6 as [ADDR]:PORT");
	finish(s, 2);
	s = start((const char *[]){ chat_bin, "--name", "a", "--relay", "::1:7070", NULL });
	expect_line(s, SPAWN_ERR, "udp-chat: invalid --relay '::1:7070': use HOST:PORT with a "
		    "port from 1 to 65535, IPv6 as [ADDR]:PORT");
	finish(s, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peers_both_ways),
		cmocka_unit_test(test_classic_peer_gets_messages_only),
		cmocka_unit_test(test_relay_leave_without_name),
		cmocka_unit_test(test_relay_three_members),
		cmocka_unit_test(test_relay_full_and_idle),
		cmocka_unit_test(test_relay_down_is_said_once),
		cmocka_unit_test(test_family_mismatch),
		cmocka_unit_test(test_hostile_datagrams),
		cmocka_unit_test(test_sender_limits),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_usage_numbers),
		cmocka_unit_test(test_closed_stdin),
		cmocka_unit_test(test_output_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
