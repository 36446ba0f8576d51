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

init() {
	"$TICKET" init --store "$STORE" --stock "$1" >/dev/null || fail "init --stock $1"
}

# The store must be whole JSON after every run, whatever happened in it.
check_store() {
	local name=$1 after=$2 text
	text=$(cat "$STORE")
	[[ $text =~ ^\{\"count\":[0-9]+\}$ ]] || fail "$name: store is not {\"count\":N}: '$text'"
	"$TICKET" show --store "$STORE" >"$WORK/show" 2>&1 || fail "$name: show refused the store"
	grep -qx "$STORE: $after tickets left" "$WORK/show" ||
		fail "$name: show says '$(cat "$WORK/show")', want $after left"
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

# Usage and garbage.
"$TICKET" rush --store "$STORE" >/dev/null 2>&1
[ $? -eq 2 ] || fail "rush without --buyers is not a usage error"
"$TICKET" rush --store "$STORE" --buyers 2 --mode thread --crash-buyer 0 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--crash-buyer in thread mode is not a usage error"
"$TICKET" init --store "$STORE" --stock -1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "a negative stock is not a usage error"
printf '{"count":"50"}' >"$STORE"
"$TICKET" rush --store "$STORE" --buyers 3 >/dev/null 2>"$WORK/err"
[ $? -eq 3 ] || fail "rush on a garbled store did not fail"
grep -q '"count" is not an integer' "$WORK/err" || fail "garbled store: $(cat "$WORK/err")"
[ "$(cat "$STORE")" = '{"count":"50"}' ] || fail "a refused store was rewritten"
"$TICKET" --help | grep -q -- '--crash-buyer I' || fail "--help does not document the test hook"

[ "$failures" -eq 0 ] || { echo "$failures failures" >&2; exit 1; }
echo "ok"
