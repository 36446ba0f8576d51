#!/usr/bin/env bash
# port_files.sh -- echo-server and demo-site write --port-file safely: atomically, through no symlink
set -u

bin=${BUILD_DIR:?}
tmp=$(mktemp -d /tmp/port-files.XXXXXX)
pids=()
failures=0

cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# start_planted DIR PORTFILE TARGET PROGRAM ARGS...: plants symlinks to TARGET at the port
# file's path and at every name a writer could predict beside it (PORTFILE.tmp,
# PORTFILE.tmp.PID), then runs PROGRAM (same pid, so PID is known in advance) on port 0.
start_planted() {
	local dir=$1 portfile=$2 target=$3
	shift 3
	bash -c 'for n in "$1" "$1.tmp" "$1.tmp.$$"; do ln -s "$2" "$n" || exit 99; done
		shift 2; exec "$@"' planter "$portfile" "$target" "$@" --port 0 --port-file "$portfile" \
		>"$dir/out" 2>"$dir/err" &
	pid=$!
	pids+=("$pid")
}

# wait_port_file FILE: until FILE is a file of its own (not a link) or the server died.
wait_port_file() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ -f "$1" ] && [ ! -L "$1" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# check NAME PROGRAM ARGS...: the server must replace the link at the port file's path with a
# file of its own holding the port, write nothing through any link, and leave no temporary
# file behind.
check() {
	local name=$1 dir="$tmp/$1" port before
	shift
	mkdir "$dir"
	printf 'precious\n' >"$dir/victim"
	start_planted "$dir" "$dir/port" "$dir/victim" "$@"
	wait_port_file "$dir/port" || fail "$name: the port file is not a file of its own: $(cat "$dir/err")"
	port=$(cat "$dir/port" 2>/dev/null)
	[[ $port =~ ^[1-9][0-9]*$ ]] || fail "$name: port file holds '$port'"
	[ "$(cat "$dir/victim")" = precious ] || fail "$name: a symlink's target was written"
	[ "$(stat -c %a "$dir/port")" = 644 ] || fail "$name: port file mode $(stat -c %a "$dir/port")"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null

	# Dangling links: following one would create the file it names.
	start_planted "$dir" "$dir/port2" "$dir/created-through-link" "$@"
	wait_port_file "$dir/port2" || fail "$name: port2 is not a file of its own: $(cat "$dir/err")"
	[ ! -e "$dir/created-through-link" ] || fail "$name: a file was created through a link"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	# Nothing but what the test made: the planted links, the victim, the port files, logs.
	before=$(ls -A "$dir" | grep -v -x -e victim -e port -e port2 -e out -e err \
		-e 'port2\?\.tmp' -e 'port2\?\.tmp\.[0-9]*')
	[ -z "$before" ] || fail "$name: files left behind: $before"
	[ "$failures" -eq 0 ] && echo "ok: $name"
}

check echo-server "$bin/echo-server" --quiet
check demo-site "$bin/demo-site" --pages 20 --quiet

# A port file in a directory that does not exist is an error, not a crash.
"$bin/echo-server" --port 0 --port-file "$tmp/missing/port" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "echo-server with an unwritable port file did not exit 1"
grep -q "cannot create a temporary file beside '$tmp/missing/port'" "$tmp/err" ||
	fail "unwritable port file: $(cat "$tmp/err")"

[ "$failures" -eq 0 ] || { echo "$failures failures" >&2; exit 1; }
echo "ok"
