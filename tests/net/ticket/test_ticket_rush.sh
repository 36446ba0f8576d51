# test_ticket_rush.sh -- ticket init/rush/show end to end: exact sales with a lock, honest arithmetic without
set -u

TICKET="$BUILD_DIR/ticket"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ticket-rush.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
STORE="$WORK/store.json"
LOG="$WORK/sales.log"
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# Value of a "label: N" line of the last report.
field() {
	awk -F': *' -v k="$1" '$1 == k { print $2 + 0 }' "$WORK/out"
}

# Text of a "label: ..." line of the report in file $2 (the last report if none).
raw() {
	sed -n "s/^$1: *//p" "${2:-$WORK/out}"
}

init() {
	"$TICKET" init --store "$STORE" --stock "$1" >/dev/null || fail "init --stock $1"
}

# read_store NAME: sets left, sold and stock from `ticket show`.
read_store() {
	left=-1 sold=-1 stock=-1
	"$TICKET" show --store "$STORE" >"$WORK/show" 2>&1 ||
		{ fail "$1: show refused the store: $(cat "$WORK/show")"; return 1; }
	left=$(sed -n "s|^$STORE: \([0-9]*\) tickets left\$|\1|p" "$WORK/show")
	read -r sold stock < <(sed -n "s|^$STORE: \([0-9]*\) sold of \([0-9]*\)\$|\1 \2|p" "$WORK/show")
	[ -n "$left" ] && [ -n "$sold" ] && [ -n "$stock" ] ||
		{ fail "$1: show says '$(cat "$WORK/show")'"; return 1; }
}

# The store must be whole JSON after every run, whatever happened in it.
check_store() {
	local name=$1 after=$2 text left sold stock
	text=$(cat "$STORE")
	[[ $text =~ ^\{\"count\":[0-9]+,\"sold\":[0-9]+,\"stock\":[0-9]+\}$ ]] ||
		fail "$name: store is not {\"count\":N,\"sold\":S,\"stock\":T}: '$text'"
	read_store "$name" || return
	[ "$left" -eq "$after" ] || fail "$name: show says $left left, want $after"
	# Left and sold are written together: they add up to the stock, lost updates or not.
	[ $((left + sold)) -eq "$stock" ] || fail "$name: $left left + $sold sold != stock $stock"
	# No temporary file survives a run, even one with a dead buyer.
	[ -z "$(find "$WORK" -name 'store.json.tmp.*')" ] || fail "$name: temporary files left"
}

# rush NAME ARGS...: runs a rush and checks the report's arithmetic against the
# sales log, line for line, and its exit status against the report: 1 exactly
# when it oversold.
rush() {
	local name=$1 rc sold before after oversold lost away failed crashed logged
	shift
	timeout 120 "$TICKET" rush --store "$STORE" --sales-log "$LOG" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	sold=$(field sold) before=$(field "stock before") after=$(field "stock after")
	oversold=$(field oversold) lost=$(field "lost updates") away=$(field "turned away")
	failed=$(field failed) crashed=$(field crashed)
	logged=$(wc -l <"$LOG")
	[ "$sold" -eq "$logged" ] || fail "$name: report sold $sold, sales log has $logged"
	[ "$oversold" -eq $((sold > before ? sold - before : 0)) ] ||
		fail "$name: oversold $oversold for $sold sold from $before"
	[ "$lost" -eq $((sold - (before - after))) ] ||
		fail "$name: lost updates $lost for $sold sold, $before -> $after"
	# Alone on the store: no one else sold, and the report says nothing of others.
	[ "$(raw "sold by others")" = 0 ] && [ "$(raw "lost updates")" = "$lost" ] &&
		! grep -q '^note:' "$WORK/out" ||
		fail "$name: a rush alone on the store saw others: $(cat "$WORK/out")"
	[ $((sold + away + failed + crashed)) -eq "$(field buyers)" ] ||
		fail "$name: outcomes do not add up to the buyers"
	[ "$failed" -eq 0 ] || fail "$name: $failed buyers failed"
	[ "$rc" -eq $((oversold > 0 ? 1 : 0)) ] ||
		fail "$name: exit $rc with oversold $oversold; $(cat "$WORK/err")"
	check_store "$name" "$after"
}

# rush_exact NAME SOLD AFTER ARGS...: a locked rush sells exactly and loses nothing.
rush_exact() {
	local name=$1 want_sold=$2 want_after=$3
	shift 3
	rush "$name" "$@"
	[ "$(field sold)" -eq "$want_sold" ] || fail "$name: sold $(field sold), want $want_sold"
	[ "$(field "stock after")" -eq "$want_after" ] ||
		fail "$name: stock after $(field "stock after"), want $want_after"
	[ "$(field "lost updates")" -eq 0 ] || fail "$name: lost updates under a lock"
	[ "$(field crashed)" -eq 0 ] || fail "$name: a buyer crashed"
}

for mode in process thread; do
	for lock in flock mutex; do
		init 50
		rush_exact "$mode/$lock 200x50" 50 0 --buyers 200 --mode "$mode" --lock "$lock"
		init 50
		rush_exact "$mode/$lock 20x50" 20 30 --buyers 20 --mode "$mode" --lock "$lock" \
			--delay-ms 1
	done
	# Without a lock the outcome is up to the race; the report must still add up.
	init 50
	rush "$mode/none" --buyers 200 --mode "$mode" --lock none --delay-ms 2
	echo "lock none, $mode mode: sold $(field sold) of 50, oversold $(field oversold)," \
		"lost updates $(field "lost updates")"
done

# A buyer killed holding the lock (between temp write and rename) stalls no one.
for lock in flock mutex; do
	init 50
	rush "crash/$lock 20x50" --buyers 20 --lock "$lock" --crash-buyer 3 --delay-ms 1
	[ "$(field sold)" -eq 19 ] && [ "$(field "stock after")" -eq 31 ] ||
		fail "crash/$lock: sold $(field sold), stock after $(field "stock after")"
	[ "$(field crashed)" -eq 1 ] || fail "crash/$lock: crashed $(field crashed), want 1"
	grep -q "temporary file of dead buyer 3" "$WORK/err" ||
		fail "crash/$lock: the dead buyer's temporary file was not cleaned up"
	[ "$lock" = flock ] || [ "$(field "locks recovered")" -eq 1 ] ||
		fail "crash/mutex: locks recovered $(field "locks recovered"), want 1"
	init 50
	rush "crash/$lock 200x50" --buyers 200 --lock "$lock" --crash-buyer 7
	[ "$(field sold)" -eq 50 ] && [ "$(field "stock after")" -eq 0 ] ||
		fail "crash/$lock 200: sold $(field sold), stock after $(field "stock after")"
	[ "$(field crashed)" -eq 1 ] || fail "crash/$lock 200: crashed $(field crashed), want 1"
	# The next holder (the parent, if no buyer came after) finds the mutex abandoned.
	[ "$lock" = flock ] || [ "$(field "locks recovered")" -eq 1 ] ||
		fail "crash/mutex: locks recovered $(field "locks recovered"), want 1"
done

# Processes of session $1 still running (zombies waiting for init do not count).
session_alive() {
	ps -e -o sid=,stat= | awk -v s="$1" '$1 == s && $2 !~ /^Z/' | wc -l
}

# kill_rush NAME SALES ARGS...: kills a rush with SIGKILL once the store shows SALES sales.
# Its buyers must die with it, the store must still add up, and the next run must clear the
# temporary files the dead left behind (and only theirs).
kill_rush() {
	local name=$1 sales=$2 pid deadline logged left sold stock
	shift 2
	init 100
	# a rush killed before it opens the log would leave the last run's lines to be counted
	: >"$LOG"
	setsid "$TICKET" rush --store "$STORE" --sales-log "$LOG" --buyers 150 --delay-ms 20 \
		"$@" >/dev/null 2>"$WORK/err" &
	pid=$!
	deadline=$((SECONDS + 60))
	while read_store "$name" && [ "$sold" -lt "$sales" ]; do
		[ $SECONDS -lt $deadline ] || { fail "$name: not $sales sales within 60 s"; break; }
		sleep 0.01
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	deadline=$((SECONDS + 30))
	while [ "$(session_alive "$pid")" -gt 0 ]; do
		[ $SECONDS -lt $deadline ] || { fail "$name: buyers outlived their killed rush"; break; }
		sleep 0.02
	done
	read_store "$name" || return
	[ "$stock" -eq 100 ] && [ $((sold + left)) -eq 100 ] ||
		fail "$name: killed after $sales sales: $sold sold + $left left != stock 100"
	# Killed with 60 or more still to sell at 20 ms each: no buyer carried on alone.
	[ "$sold" -lt 100 ] || fail "$name: the rush sold out after it was killed"
	# The log follows the store by at most the sale of the buyer killed in between.
	logged=$(wc -l <"$LOG")
	[ "$logged" -le "$sold" ] && [ "$logged" -ge $((sold - 1)) ] ||
		fail "$name: sales log has $logged lines for $sold sales"
	echo "killed after $sales sales ($name): $sold sold, $left left," \
		"$(find "$WORK" -name 'store.json.tmp.*' | wc -l) temporary files"

	# The next run removes what the dead left, and keeps what a live process is writing.
	: >"$STORE.tmp.999999999.dEaD00"
	: >"$STORE.tmp.$$.LiVe00"
	timeout 120 "$TICKET" rush --store "$STORE" --buyers 2 >/dev/null 2>"$WORK/err" ||
		fail "$name: the next rush failed: $(cat "$WORK/err")"
	[ "$(find "$WORK" -name 'store.json.tmp.*')" = "$STORE.tmp.$$.LiVe00" ] ||
		fail "$name: after the next run: $(find "$WORK" -name 'store.json.tmp.*')"
	grep -q "removed [0-9]* temporary files left by a killed rush" "$WORK/err" ||
		fail "$name: the next run did not report the leftovers: $(cat "$WORK/err")"
	rm -f "$STORE.tmp.$$.LiVe00"
	read_store "$name" && [ $((sold + left)) -eq 100 ] ||
		fail "$name: next run: $sold sold + $left left != 100"
}

kill_rush "kill/flock at once" 0 --lock flock
kill_rush "kill/flock 1" 1 --lock flock
kill_rush "kill/flock 10" 10 --lock flock
kill_rush "kill/flock 40" 40 --lock flock
kill_rush "kill/mutex 10" 10 --lock mutex
kill_rush "kill/thread 10" 10 --lock flock --mode thread

# Two rushes at once on one store. With flock both are exact: each sold what it says, the
# other the rest, nothing lost, and the two add up to the store. With mutex each guards only
# its own buyers: a report that sees the other's writes says so and counts no lost updates
# it cannot know, and no figure is ever negative.
two_rushes() {
	local lock=$1 a b rc_a rc_b sold_a sold_b r
	init 100
	"$TICKET" rush --store "$STORE" --buyers 100 --lock "$lock" --delay-ms 1 \
		>"$WORK/a" 2>"$WORK/a.err" &
	a=$!
	"$TICKET" rush --store "$STORE" --buyers 100 --lock "$lock" --delay-ms 1 \
		>"$WORK/b" 2>"$WORK/b.err"
	rc_b=$?
	wait "$a"
	rc_a=$?
	for r in a b; do
		! grep -Eq ':  *(at least )?-' "$WORK/$r" ||
			fail "two/$lock: a negative figure: $(cat "$WORK/$r")"
		! grep -q "lost updates: *at least 0\|sold by others: *at least 0" "$WORK/$r" ||
			fail "two/$lock: 'at least 0': $(cat "$WORK/$r")"
	done
	[ "$rc_a" -eq 0 ] && [ "$rc_b" -eq 0 ] ||
		fail "two/$lock: exit $rc_a and $rc_b; $(cat "$WORK/a.err" "$WORK/b.err")"
	read_store "two/$lock" || return
	[ "$sold" -eq 100 ] && [ "$left" -eq 0 ] || fail "two/$lock: store $sold sold, $left left"
	if [ "$lock" = flock ]; then
		sold_a=$(raw sold "$WORK/a") sold_b=$(raw sold "$WORK/b")
		[ $((sold_a + sold_b)) -eq 100 ] || fail "two/flock: sold $sold_a + $sold_b != 100"
		for r in a b; do
			[ "$(raw "lost updates" "$WORK/$r")" = 0 ] ||
				fail "two/flock: lost updates $(raw "lost updates" "$WORK/$r")"
		done
		[ "$(raw "sold by others" "$WORK/a")" = "$sold_b" ] &&
			[ "$(raw "sold by others" "$WORK/b")" = "$sold_a" ] ||
			fail "two/flock: others $(raw "sold by others" "$WORK/a") and" \
				"$(raw "sold by others" "$WORK/b") for sold $sold_a and $sold_b"
		# Unless one ran wholly before the other, each saw the other's sales.
		if [ "$sold_a" -gt 0 ] && [ "$sold_b" -gt 0 ]; then
			grep -q "^note: .*other processes sold $sold_b of the" "$WORK/a" &&
				grep -q "^note: .*other processes sold $sold_a of the" "$WORK/b" ||
				fail "two/flock: no note on the other's sales:" \
					"$(cat "$WORK/a" "$WORK/b")"
		fi
		echo "two flock rushes: sold $sold_a + $sold_b"
		return
	fi
	# mutex: when the two sold more than the store shows, at least one report must say why.
	[ $(($(raw sold "$WORK/a") + $(raw sold "$WORK/b"))) -le 100 ] ||
		grep -q "^note: *the store was changed by another process" "$WORK/a" "$WORK/b" ||
		fail "two/mutex: neither report saw the other: $(cat "$WORK/a" "$WORK/b")"
	for r in a b; do
		if grep -q "^note:" "$WORK/$r"; then
			[ "$(raw "lost updates" "$WORK/$r")" = unknown ] ||
				[[ $(raw "lost updates" "$WORK/$r") =~ ^at\ least\ [1-9] ]] ||
				fail "two/mutex: lost updates" \
					"'$(raw "lost updates" "$WORK/$r")' with others"
			grep -q "Lock mutex guards only this rush's own buyers" "$WORK/$r" ||
				fail "two/mutex: the note does not say what mutex guards"
		fi
	done
	echo "two mutex rushes: sold $(raw sold "$WORK/a") + $(raw sold "$WORK/b")" \
		"for 100 in the store"
}
two_rushes flock
two_rushes flock
two_rushes mutex

# Errors name what the user typed: the store, not its lock file.
"$TICKET" init --store "$WORK/missing/x.json" --stock 3 >/dev/null 2>"$WORK/err"
[ $? -eq 3 ] || fail "init in a missing directory did not fail"
grep -qxF "ticket: cannot create store '$WORK/missing/x.json': No such file or directory" \
	"$WORK/err" || fail "init in a missing directory: $(cat "$WORK/err")"
# A number past int64 is shown as too large, not as json-c's clamped 9223372036854775807.
printf '{"count":99999999999999999999}' >"$STORE"
"$TICKET" show --store "$STORE" >/dev/null 2>"$WORK/err"
[ $? -eq 3 ] || fail "show on a huge count did not fail"
grep -qxF "ticket: store '$STORE': \"count\" is too large: out of range 0..1000000000" \
	"$WORK/err" || fail "huge count: $(cat "$WORK/err")"

# Usage and garbage.
"$TICKET" rush --store "$STORE" >/dev/null 2>&1
[ $? -eq 2 ] || fail "rush without --buyers is not a usage error"
"$TICKET" rush --store "$STORE" --buyers 2 --mode thread --crash-buyer 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--crash-buyer in thread mode is not a usage error"
"$TICKET" init --store "$STORE" --stock -1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "a negative stock is not a usage error"
# bad_number WANTED-MESSAGE COMMAND-ARGS...: exit 2 and the message, the store untouched.
# Each of these values was once taken: spaces and signs skipped.
bad_number() {
	local want=$1 before
	shift
	before=$(cat "$STORE")
	"$TICKET" "$@" >/dev/null 2>"$WORK/err"
	[ $? -eq 2 ] || fail "ticket $*: not a usage error"
	grep -qxF "ticket: $want" "$WORK/err" || fail "ticket $*: said '$(head -1 "$WORK/err")'"
	[ "$(cat "$STORE")" = "$before" ] || fail "ticket $*: the store changed"
}
bad_number "invalid --stock ' 5': use a number from 0 to 1000000000" init --store "$STORE" --stock " 5"
bad_number "invalid --stock '+5': use a number from 0 to 1000000000" init --store "$STORE" --stock "+5"
bad_number "invalid --stock '': use a number from 0 to 1000000000" init --store "$STORE" --stock ""
bad_number "invalid --buyers '2 ': use a number from 1 to 10000" rush --store "$STORE" --buyers "2 "
bad_number "invalid --delay-ms ' -0': use a number from 0 to 10000" \
	rush --store "$STORE" --buyers 2 --delay-ms " -0"
bad_number "invalid --crash-buyer '-1': use a number from 0 to 9999" \
	rush --store "$STORE" --buyers 2 --crash-buyer -1
# An empty --store is a usage error; init made ".lock" in the current directory.
for cmd in init show; do
	args=(--store "")
	[ "$cmd" = init ] && args+=(--stock 5)
	(cd "$WORK" && "$TICKET" "$cmd" "${args[@]}" >/dev/null 2>"$WORK/err")
	[ $? -eq 2 ] || fail "$cmd --store '': not a usage error"
	grep -qxF "ticket: --store is empty: name a file" "$WORK/err" ||
		fail "$cmd --store '': $(head -1 "$WORK/err")"
done
[ ! -e "$WORK/.lock" ] || fail "init --store '' made .lock"
printf '{"count":"50"}' >"$STORE"
"$TICKET" rush --store "$STORE" --buyers 3 >/dev/null 2>"$WORK/err"
[ $? -eq 3 ] || fail "rush on a garbled store did not fail"
grep -q '"count" is not an integer' "$WORK/err" || fail "garbled store: $(cat "$WORK/err")"
[ "$(cat "$STORE")" = '{"count":"50"}' ] || fail "a refused store was rewritten"
# A repeated key is refused, not read as its last value.
printf '{"count":50,"count":7}' >"$STORE"
"$TICKET" show --store "$STORE" >/dev/null 2>"$WORK/err"
[ $? -eq 3 ] || fail "show on a store with a repeated key did not fail"
grep -q 'an object repeats a key' "$WORK/err" || fail "repeated key: $(cat "$WORK/err")"
"$TICKET" rush --store "$STORE" --buyers 3 >/dev/null 2>"$WORK/err"
[ $? -eq 3 ] || fail "rush on a store with a repeated key did not fail"
[ "$(cat "$STORE")" = '{"count":50,"count":7}' ] || fail "a refused store was rewritten"
# A FIFO or a directory as the store is refused at once (a FIFO hung show and rush for ever).
mkfifo "$WORK/fifo.json"
mkdir "$WORK/dir.json"
for cmd in show rush; do
	args=(--store "$WORK/fifo.json")
	[ "$cmd" = rush ] && args+=(--buyers 2)
	timeout 30 "$TICKET" "$cmd" "${args[@]}" >/dev/null 2>"$WORK/err"
	rc=$?
	[ "$rc" -eq 3 ] || fail "$cmd on a FIFO: exit $rc (124: it hung)"
	grep -qxF "ticket: store '$WORK/fifo.json' is not a regular file" "$WORK/err" ||
		fail "$cmd on a FIFO: $(cat "$WORK/err")"
done
for cmd in show init; do
	args=(--store "$WORK/dir.json")
	[ "$cmd" = init ] && args+=(--stock 5)
	"$TICKET" "$cmd" "${args[@]}" >/dev/null 2>"$WORK/err"
	[ $? -eq 3 ] || fail "$cmd on a directory did not fail"
	grep -qxF "ticket: store '$WORK/dir.json' is a directory, not a file" "$WORK/err" ||
		fail "$cmd on a directory: $(cat "$WORK/err")"
done
# init does not put a store in place of what is not one: as root, /dev/null was replaced.
"$TICKET" init --store "$WORK/fifo.json" --stock 5 >/dev/null 2>"$WORK/err"
[ $? -eq 3 ] || fail "init on a FIFO did not fail"
grep -qxF "ticket: store '$WORK/fifo.json' is not a regular file" "$WORK/err" ||
	fail "init on a FIFO: $(cat "$WORK/err")"
[ -p "$WORK/fifo.json" ] || fail "init replaced a FIFO with a store"
# A sales log that is the store (or its lock file) is refused, nothing touched: it was emptied.
"$TICKET" init --store "$STORE" --stock 5 >/dev/null
before=$(cat "$STORE")
for log in "$STORE" "$WORK/./$(basename "$STORE")" "$STORE.lock"; do
	"$TICKET" rush --store "$STORE" --buyers 2 --sales-log "$log" >/dev/null 2>"$WORK/err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "--sales-log '$log': exit $rc, not a usage error"
	grep -q "^ticket: --sales-log '$log' is the store" "$WORK/err" ||
		fail "--sales-log '$log': $(cat "$WORK/err")"
	[ "$(cat "$STORE")" = "$before" ] || fail "--sales-log '$log': the store changed"
done
# A store in a directory the user cannot write: one error before any buyer starts, not one per
# buyer. Root writes anywhere, so it runs this as nobody.
as_user=()
[ "$(id -u)" -ne 0 ] || as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ "${#as_user[@]}" -eq 0 ] || command -v setpriv >/dev/null; then
	ro=$(mktemp -d "${TMPDIR:-/tmp}/ticket-ro.XXXXXX")
	"$TICKET" init --store "$ro/s.json" --stock 5 >/dev/null
	chmod 555 "$ro"
	"${as_user[@]}" "$TICKET" rush --store "$ro/s.json" --buyers 20 --lock none >/dev/null \
		2>"$WORK/err"
	rc=$?
	[ "$rc" -eq 3 ] || fail "rush in a read-only directory: exit $rc"
	[ "$(cat "$WORK/err")" = "ticket: cannot write store '$ro/s.json': Permission denied" ] ||
		fail "rush in a read-only directory said: $(head -3 "$WORK/err")"
	chmod 755 "$ro"
	rm -rf "$ro"
fi
"$TICKET" --help | grep -q -- '--crash-buyer I' || fail "--help does not document the test hook"

[ "$failures" -eq 0 ] || { echo "$failures failures" >&2; exit 1; }
echo "ok"
