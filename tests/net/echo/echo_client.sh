#!/usr/bin/env bash
# echo_client.sh -- echo-client against a real echo-server, and a raw TCP client (as nc would be)
set -euo pipefail

bin=${BUILD_DIR:?}
tmp=$(mktemp -d /tmp/echo-client-test.XXXXXX)
server_pid=

stop_server() {
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" || { echo "FAIL: echo-server exited with $?"; exit 1; }
		server_pid=
	fi
}
cleanup() {
	if [ -n "$server_pid" ]; then
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# start_server ARGS...: runs echo-server on port 0 and sets $port from its "listening on" line;
# with $nofile set, under that descriptor limit.
start_server() {
	rm -f "$tmp/out"
	mkfifo "$tmp/out"
	(ulimit -n "${nofile:-$(ulimit -n)}" && exec "$bin/echo-server" --port 0 "$@") \
		>"$tmp/out" 2>>"$tmp/server.log" &
	server_pid=$!
	local line
	read -r -t 60 line <"$tmp/out" || fail "echo-server did not start: $(cat "$tmp/server.log")"
	port=${line##*:}
}

# --- command line
"$bin/echo-client" --help | grep -q "usage: echo-client" || fail "--help"
"$bin/echo-client" --help | grep -q -- "--timeout SECONDS" || fail "--help does not document --timeout"
set +e
"$bin/echo-client" --bogus 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown option should exit 2, got $rc"
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option message: $(cat "$tmp/err")"
"$bin/echo-server" --help | grep -q "usage: echo-server" || fail "server --help"
set +e
"$bin/echo-server" --mode fork 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad mode should exit 2, got $rc"

# A --secret-file that is missing, empty or a directory is a usage error (2) for both programs,
# said before any socket is opened (port 9: nothing need listen there).
: >"$tmp/empty-key"
for key in "$tmp/no-such-key" "$tmp/empty-key" "$tmp"; do
	set +e
	echo x | "$bin/echo-client" --port 9 --secret-file "$key" >/dev/null 2>"$tmp/err"; rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "echo-client --secret-file '$key' should exit 2, got $rc: $(cat "$tmp/err")"
	grep -q "secret file '$key'" "$tmp/err" || fail "client secret message: $(cat "$tmp/err")"
	grep -q "connect" "$tmp/err" && fail "client tried to connect with '$key': $(cat "$tmp/err")"
	set +e
	timeout 60 "$bin/echo-server" --port 0 --secret-file "$key" >"$tmp/out" 2>"$tmp/err"; rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "echo-server --secret-file '$key' should exit 2, got $rc: $(cat "$tmp/err")"
	grep -q "secret file '$key'" "$tmp/err" || fail "server secret message: $(cat "$tmp/err")"
	[ ! -s "$tmp/out" ] || fail "echo-server listened with '$key': $(cat "$tmp/out")"
done
"$bin/echo-client" --help | grep -q "2 usage, or a --secret-file" || fail "client --help exit codes"
"$bin/echo-server" --help | grep -q "2 usage, or a --secret-file" || fail "server --help exit codes"

# --- plain echo, piped input, the last line without a newline
start_server --mode event
printf 'hello\nWorld \xc3\xa9t\xc3\xa9\nno newline' | "$bin/echo-client" --port "$port" >"$tmp/got"
printf 'HELLO\nWORLD \xc3\xa9T\xc3\xa9\nNO NEWLINE\n' >"$tmp/want"
cmp -s "$tmp/got" "$tmp/want" || fail "echo: got '$(cat "$tmp/got")'"

# A larger input than any socket buffer: the client must not deadlock against backpressure.
for i in $(seq 1 20000); do echo "line $i of some text"; done >"$tmp/big"
"$bin/echo-client" --port "$port" <"$tmp/big" >"$tmp/got"
tr 'a-z' 'A-Z' <"$tmp/big" | cmp -s - "$tmp/got" || fail "large input not echoed exactly"

# A reader that goes away ends the client quietly, 141 as a filter killed by SIGPIPE.
set +e
"$bin/echo-client" --port "$port" <"$tmp/big" 2>"$tmp/err" | head -1 >"$tmp/got"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 141 ] || fail "echo-client | head: exit $rc, not 141: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "echo-client | head said: $(cat "$tmp/err")"
[ "$(cat "$tmp/got")" = "LINE 1 OF SOME TEXT" ] || fail "echo-client | head: '$(cat "$tmp/got")'"

# --- a raw TCP client with no knowledge of the protocol, as nc is
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'raw\r\nclient\n' >&3
read -r -t 30 l1 <&3 || fail "raw client: no reply"
read -r -t 30 l2 <&3 || fail "raw client: no second reply"
[ "$l1" = $'RAW\r' ] && [ "$l2" = "CLIENT" ] || fail "raw client got '$l1' '$l2'"
exec 3<&-

# The classic client people learn from sends a bare word, no newline, and waits for the answer.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'hello' >&3
read -r -t 20 -N 5 word <&3 || fail "a word without a newline got no answer"
[ "$word" = HELLO ] || fail "bare word: got '$word'"
exec 3<&-
stop_server

# --- a closed stdin or stdout is refused: the socket would take its descriptor (it hung)
start_server --mode event
set +e
timeout 60 "$bin/echo-client" --port "$port" <&- >"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "a closed stdin should exit 2, got $rc"
grep -q "standard input is closed" "$tmp/err" || fail "closed stdin: $(cat "$tmp/err")"
set +e
echo hi | timeout 60 "$bin/echo-client" --port "$port" >&- 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "a closed stdout should exit 2, got $rc"
grep -q "standard output is closed" "$tmp/err" || fail "closed stdout: $(cat "$tmp/err")"
stop_server
# The server with stdout and stderr closed still listens and answers.
rm -f "$tmp/pf"
"$bin/echo-server" --port 0 --port-file "$tmp/pf" >&- 2>&- &
server_pid=$!
for _ in $(seq 1 300); do [ -s "$tmp/pf" ] && break; sleep 0.1; done
port=$(cat "$tmp/pf")
[ "$(echo hi | "$bin/echo-client" --port "$port")" = HI ] || fail "server without stdio"
stop_server

# --- IPv6: the address as 'listening on [::1]:PORT' shows it, brackets and all, is taken
start_server --mode event --host '[::1]'
grep -q "listening on \[::1\]:$port" "$tmp/server.log" || fail "IPv6 listen: $(cat "$tmp/server.log")"
[ "$(echo six | "$bin/echo-client" --host '[::1]' --port "$port")" = SIX ] ||
	fail "echo-client --host '[::1]'"
[ "$(echo six | "$bin/echo-client" --host ::1 --port "$port")" = SIX ] || fail "echo-client --host ::1"
stop_server
set +e
"$bin/echo-client" --host '[]' 2>"$tmp/err" </dev/null; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--host '[]' should exit 2, got $rc"

# --- every wait is bounded: a server that accepts but never answers (stopped) times out
start_server --mode event
kill -STOP "$server_pid"
set +e
t0=$SECONDS
printf 'anyone there?\n' | timeout 60 "$bin/echo-client" --port "$port" --timeout 0.5 >"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
kill -CONT "$server_pid"
[ "$rc" -eq 1 ] || fail "a silent server should make the client exit 1, got $rc"
grep -q "no reply from the server within 0.5 s" "$tmp/err" || fail "silent server: $(cat "$tmp/err")"
[ $((SECONDS - t0)) -lt 30 ] || fail "the client waited $((SECONDS - t0)) s for a silent server"

# --- --secret-file against a server without authentication: it sends no challenge
set +e
printf 'x\n' | timeout 60 "$bin/echo-client" --port "$port" --secret-file /dev/null --timeout 0.5 \
	>"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
grep -q "secret file '/dev/null' is empty" "$tmp/err" || fail "empty secret: $(cat "$tmp/err")"
printf 'k\n' >"$tmp/k"
set +e
printf 'x\n' | timeout 60 "$bin/echo-client" --port "$port" --secret-file "$tmp/k" --timeout 0.5 \
	>"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "--secret-file against a plain server should exit 1, got $rc"
grep -q "no challenge from the server within 0.5 s: it does not ask for authentication" \
	"$tmp/err" || fail "secret against a plain server: $(cat "$tmp/err")"
stop_server

# --- busy and too long are reported as refusals, exit 1
start_server --mode thread --max-clients 1 --max-line 10
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'hold\n' >&3
read -r -t 30 l1 <&3 || fail "holder: no reply"
set +e
echo hi | "$bin/echo-client" --port "$port" >"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "busy server should make the client exit 1, got $rc"
grep -q "server refused: busy" "$tmp/err" || fail "busy message: $(cat "$tmp/err")"
exec 3<&-
# The slot frees when the server sees the holder leave; retry until then.
for _ in $(seq 1 300); do
	set +e
	echo 'this line is too long' | "$bin/echo-client" --port "$port" >"$tmp/got" 2>"$tmp/err"; rc=$?
	set -e
	grep -q busy "$tmp/err" || break
	sleep 0.1
done
[ "$rc" -eq 1 ] || fail "too long line should make the client exit 1, got $rc"
grep -q "server refused: line too long" "$tmp/err" || fail "too long message: $(cat "$tmp/err")"
stop_server

# --- out of descriptors, a connection is refused as busy too, not just closed
for mode in event thread; do
	nofile=32 start_server --mode "$mode"
	holders=()
	for _ in $(seq 1 40); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$port"
		holders+=("$fd")
	done
	set +e
	echo hi | timeout 60 "$bin/echo-client" --port "$port" >"$tmp/got" 2>"$tmp/err"; rc=$?
	set -e
	for fd in "${holders[@]}"; do exec {fd}>&-; done
	[ "$rc" -eq 1 ] || fail "$mode: out of descriptors, the client should exit 1, got $rc"
	grep -q "server refused: busy" "$tmp/err" || fail "$mode: out of descriptors: $(cat "$tmp/err")"
	stop_server
done
grep -q "refused a connection: out of file descriptors" "$tmp/server.log" ||
	fail "shedding not logged"

# --- an idle timeout is reported, not taken for a normal end
start_server --mode event --idle-timeout 1
set +e
(echo 'still here'; sleep 5) | "$bin/echo-client" --port "$port" >"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "a server closing before the input ends should exit 1, got $rc"
[ "$(cat "$tmp/got")" = "STILL HERE" ] || fail "idle: got '$(cat "$tmp/got")'"
grep -q "server closed the connection" "$tmp/err" || fail "idle message: $(cat "$tmp/err")"
stop_server

# --- authentication
printf 'correct horse\n' >"$tmp/key"
printf 'battery staple\n' >"$tmp/wrong"
start_server --mode process --secret-file "$tmp/key"
echo 'authenticated line' | "$bin/echo-client" --port "$port" --secret-file "$tmp/key" >"$tmp/got"
[ "$(cat "$tmp/got")" = "AUTHENTICATED LINE" ] || fail "auth echo: '$(cat "$tmp/got")'"
set +e
echo 'x' | "$bin/echo-client" --port "$port" --secret-file "$tmp/wrong" >"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "wrong key should exit 1, got $rc"
grep -q "authentication denied" "$tmp/err" || fail "denied message: $(cat "$tmp/err")"
[ ! -s "$tmp/got" ] || fail "a denied client printed '$(cat "$tmp/got")'"
# No --secret-file against a server that asks for one: its first bytes are a challenge,
# not an echo; reported, never printed, whether input came first or not.
set +e
printf 'hello\n' | timeout 60 "$bin/echo-client" --port "$port" >"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "a client without the key should exit 1, got $rc"
grep -q "the server asks for authentication" "$tmp/err" || fail "no key: $(cat "$tmp/err")"
[ ! -s "$tmp/got" ] || fail "the challenge was printed: '$(od -c "$tmp/got" | head -3)'"
mkfifo "$tmp/idle-input"
exec 4<>"$tmp/idle-input"	# open, but nothing written: a user yet to type
set +e
timeout 60 "$bin/echo-client" --port "$port" <"$tmp/idle-input" >"$tmp/got" 2>"$tmp/err"; rc=$?
set -e
exec 4>&-
[ "$rc" -eq 1 ] || fail "a client without the key and no input yet should exit 1, got $rc"
grep -q "the server asks for authentication" "$tmp/err" || fail "no key, no input: $(cat "$tmp/err")"
[ ! -s "$tmp/got" ] || fail "the challenge was printed"
stop_server
grep -q "refused 127.0.0.1:[0-9]*: denied" "$tmp/server.log" || fail "denial not logged"

# --- no server: a clear error
set +e
echo x | "$bin/echo-client" --port "$port" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "no server should exit 1, got $rc"
grep -q "connect failed" "$tmp/err" || fail "connect message: $(cat "$tmp/err")"
# An IPv6 address is named as the options take it, in brackets: '::1:9' reads as another address.
set +e
echo x | "$bin/echo-client" --host ::1 --port "$port" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "no server on ::1 should exit 1, got $rc"
grep -q "connect failed to \[::1\]:$port: " "$tmp/err" || fail "IPv6 connect message: $(cat "$tmp/err")"
set +e
"$bin/echo-server" --host ::2 --port 0 >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "an address not ours should exit 1, got $rc"
grep -q "bind failed on \[::2\]:0: " "$tmp/err" || fail "IPv6 bind message: $(cat "$tmp/err")"

if grep -q "Sanitizer\|runtime error" "$tmp/server.log"; then
	cat "$tmp/server.log"
	fail "sanitizer report from echo-server"
fi
echo "ok"
