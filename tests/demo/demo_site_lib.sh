# demo_site_lib.sh -- what the demo-site test scripts share: a temp dir, servers on port 0, curl and checks
# Sourced by demo_site_test.sh and crawl_site_test.sh; sets BIN, TMP, SERVERS, FAILED.

BIN="${BUILD_DIR:?BUILD_DIR not set}/demo-site"
TMP=$(mktemp -d)
SERVERS=()
FAILED=0

cleanup() {
	local pid
	for pid in "${SERVERS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	FAILED=1
}

# expect DESCRIPTION ACTUAL WANTED
expect() {
	if [ "$2" != "$3" ]; then
		fail "$1: got '$2', expected '$3'"
	else
		echo "ok: $1"
	fi
}

# expect_range DESCRIPTION ACTUAL MIN MAX (integers)
expect_range() {
	if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		fail "$1: got $2, expected $3..$4"
	else
		echo "ok: $1 ($2)"
	fi
}

# start NAME ARGS...: starts a server on a free port; sets PID and PORT.
start() {
	local name=$1 i
	shift
	"$BIN" --port 0 --port-file "$TMP/$name.port" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	PID=$!
	SERVERS+=("$PID")
	for ((i = 0; i < 400; i++)); do
		[ -s "$TMP/$name.port" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	PORT=$(cat "$TMP/$name.port" 2>/dev/null)
	if [ -z "$PORT" ]; then
		cat "$TMP/$name.err" >&2
		echo "FAIL: $name did not start" >&2
		exit 1
	fi
}

# c ARGS...: curl quietly, output discarded, printing -w's text then " rc=N"
c() {
	local out rc
	out=$(curl -s -o /dev/null --max-time 20 "$@")
	rc=$?
	echo "$out rc=$rc"
}

# stat_of KEY FIELD [JSON]: one number of /_stats output (default: $STATS), or "none"
stat_of() {
	local obj
	obj=$(printf '%s' "${3:-$STATS}" | grep -o "\"$1\":{[^}]*}")
	printf '%s' "$obj" | grep -o "\"$2\":-\{0,1\}[0-9]*" | cut -d: -f2 | grep . || echo none
}

# sanitizer_check: sanitizer builds report on stderr; any report is a failure
sanitizer_check() {
	if grep -l -e 'Sanitizer' -e 'runtime error' "$TMP"/*.err >/dev/null 2>&1; then
		fail "sanitizer report: $(cat "$TMP"/*.err)"
	fi
}
