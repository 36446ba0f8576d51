#!/usr/bin/env bash
# compare_demo.sh -- `crawlpool compare` on the demo site: the table, CSV and chart agree
set -euo pipefail
crawlpool=$BUILD_DIR/crawlpool
work=$(mktemp -d)
site_pid=
cleanup() {
  [ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null && wait "$site_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BUILD_DIR/demo-site" --port 0 --port-file "$work/port" --quiet &
site_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "demo-site did not start"
base=http://127.0.0.1:$(cat "$work/port")

"$BUILD_DIR/demo-site" --list-urls 40 --base "$base" > "$work/list.txt"
printf '%s\n' "$base/fault/status/404" "$base/fault/no-reply" >> "$work/list.txt"

# Usage errors come back as exit 2 with a message, before any crawl.
for args in "--mode thread" "--repeat 0" "--workers 0" "--modes fiber" "-o x.csv" "$work/missing.txt"; do
  set +e
  # shellcheck disable=SC2086
  "$crawlpool" compare $args "$work/list.txt" > /dev/null 2> "$work/err"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "compare $args: exit $rc, expected 2"
  grep -q "crawlpool compare:" "$work/err" || fail "compare $args: no error message"
done

"$crawlpool" compare --modes process,thread,event,process --workers 2,3,2 --repeat 1 --out-dir "$work/out" "$work/list.txt" \
  > "$work/table.txt" 2> "$work/log.txt" || fail "compare failed: $(cat "$work/log.txt")"
cat "$work/table.txt"
grep -q "^crawlpool compare: run 1/1: process, 2 workers$" "$work/log.txt" \
  || fail "compare does not say which run it is at: $(cat "$work/log.txt")"

csv=$work/out/compare.csv
svg=$work/out/compare.svg
[ -s "$csv" ] && [ -s "$svg" ] || fail "compare.csv or compare.svg missing"
[ "$(wc -l < "$csv")" = 7 ] || fail "expected a header and 6 rows in compare.csv"
grep -q '^<svg' "$svg" && grep -q '</svg>' "$svg" || fail "compare.svg is not an SVG document"

# Every mode and count once, in the order given, a repeat dropped.
[ "$(cut -d, -f1 "$csv" | uniq | tr '\n' ' ')" = "mode process thread event " ] \
  || fail "compare.csv modes: $(cut -d, -f1 "$csv" | tr '\n' ' ')"
fastest=0
while IFS=, read -r mode workers runs urls wall pps user sys mib p50 p95 p99 errors speed best cpu_us; do
  [ "$mode" = mode ] && continue
  [ "$urls" = 42 ] || fail "$mode/$workers: $urls rows, expected 42"
  [ "$errors" = 1 ] || fail "$mode/$workers: $errors errors, expected 1 (no-reply)"
  [ "$runs" = 1 ] || fail "$mode/$workers: $runs runs"
  rows=$work/out/rows-$mode-w$workers-r1.jsonl
  [ "$(wc -l < "$rows")" = 42 ] || fail "$rows does not hold 42 rows"
  # The table and the chart show the CSV's numbers.
  grep -Eq "^$mode +$workers +[0-9.]+ +$pps +[0-9.]+ +[0-9.]+ +$cpu_us " "$work/table.txt" \
    || fail "table lacks $mode/$workers at $pps pages/s and $cpu_us µs of CPU a page"
  grep -q "data-pages-per-s=\"$pps\"" "$svg" || fail "chart lacks $pps pages/s"
  grep -q "data-cpu-us-per-page=\"$cpu_us\"" "$svg" || fail "chart lacks $cpu_us µs of CPU a page"
  # One run: CPU per page is its user+sys over its rows (the CSV rounds seconds to 1 ms).
  awk -v u="$user" -v s="$sys" -v n="$urls" -v c="$cpu_us" \
    'BEGIN { d = (u + s) * 1e6 / n - c; exit !(c > 0 && d < 1e3 / n + 0.1 && -d < 1e3 / n + 0.1) }' \
    || fail "$mode/$workers: $cpu_us µs a page does not match ${user}+${sys} s over $urls rows"
  grep -q "data-peak-mib=\"$mib\"" "$svg" || fail "chart lacks $mib MiB"
  awk -v w="$wall" -v u="$urls" -v p="$pps" 'BEGIN { r = u / w; exit !(r / p > 0.95 && r / p < 1.05) }' \
    || fail "$mode/$workers: pages/s $pps does not match $urls rows in $wall s"
  [ "$best" = yes ] && fastest=$((fastest + 1))
done < "$csv"
[ "$fastest" = 1 ] || fail "expected exactly one fastest row, got $fastest"
grep -q ' \*$' "$work/table.txt" || fail "the table does not mark the fastest row"

# -q: no progress lines; the table, its files and the errors stay.
"$crawlpool" compare -q --modes thread --workers 2 --repeat 1 --out-dir "$work/quiet" "$work/list.txt" \
  > "$work/quiet.txt" 2> "$work/quiet.log" || fail "compare -q failed: $(cat "$work/quiet.log")"
[ ! -s "$work/quiet.log" ] || fail "compare -q said: $(cat "$work/quiet.log")"
grep -q "42 URLs from .*, medians of 1 run$" "$work/quiet.txt" || fail "compare -q: $(cat "$work/quiet.txt")"
grep -q "^\* fastest. Table: $work/quiet/compare.csv" "$work/quiet.txt" || fail "compare -q: no table files"
[ -s "$work/quiet/compare.csv" ] || fail "compare -q wrote no compare.csv"
set +e
"$crawlpool" compare -q --modes thread --workers 1 --repeat 1 --out-dir "$work/quiet" \
  --cacert "$work/missing.pem" "$work/list.txt" > /dev/null 2> "$work/quiet.err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "cannot read CA bundle" "$work/quiet.err" \
  || fail "compare -q kept no error: exit $rc, $(cat "$work/quiet.err")"

# A list with no URLs (blank lines and comments only), named or on stdin: nothing to compare,
# exit 2 before any run, no table.
printf '\n# nothing yet\n   \n' > "$work/empty.txt"
for from in file stdin; do
  set +e
  if [ "$from" = file ]; then
    "$crawlpool" compare --repeat 1 --out-dir "$work/empty" "$work/empty.txt" > "$work/empty.out" 2> "$work/empty.err"
  else
    "$crawlpool" compare --repeat 1 --out-dir "$work/empty" - < "$work/empty.txt" > "$work/empty.out" 2> "$work/empty.err"
  fi
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "compare of an empty list ($from): exit $rc, expected 2: $(cat "$work/empty.out")"
  grep -q "^crawlpool compare: no URLs in .*: nothing to compare$" "$work/empty.err" \
    || fail "compare of an empty list ($from): $(cat "$work/empty.err")"
  ! grep -q "run 1/1" "$work/empty.err" || fail "compare of an empty list ($from) ran a crawl"
  [ ! -e "$work/empty/compare.csv" ] || fail "compare of an empty list ($from) wrote a table"
done
# crawl itself takes an empty list: a header and no rows
"$crawlpool" crawl -q -o - "$work/empty.txt" > "$work/empty.csv" || fail "crawl of an empty list failed"
[ "$(wc -l < "$work/empty.csv")" = 1 ] || fail "crawl of an empty list: $(cat "$work/empty.csv")"

# Names planted in --out-dir, symlinks to a file of the user's, are replaced and never followed;
# no temporary file is left behind, there or in TMPDIR.
mkdir "$work/trap" "$work/tmp"
echo keep > "$work/victim"
for name in rows-thread-w2-r1.jsonl compare.csv compare.svg; do
  ln -s "$work/victim" "$work/trap/$name"
done
TMPDIR=$work/tmp "$crawlpool" compare --modes thread --workers 2 --repeat 1 --out-dir "$work/trap" \
  "$work/list.txt" > /dev/null 2> "$work/trap.log" || fail "compare into planted names: $(cat "$work/trap.log")"
[ "$(cat "$work/victim")" = keep ] || fail "compare wrote through a symlink"
for name in rows-thread-w2-r1.jsonl compare.csv compare.svg; do
  [ -f "$work/trap/$name" ] && [ ! -L "$work/trap/$name" ] || fail "$name is not a file of its own"
done
[ "$(wc -l < "$work/trap/rows-thread-w2-r1.jsonl")" = 42 ] || fail "the planted rows name does not hold 42 rows"
[ "$(ls -A "$work/trap" | wc -l)" = 3 ] || fail "files left in --out-dir: $(ls -A "$work/trap" | tr '\n' ' ')"

# The list itself where a table file would go: refused, the list untouched.
mkdir "$work/self"
cp "$work/list.txt" "$work/self/compare.csv"
set +e
"$crawlpool" compare --repeat 1 --out-dir "$work/self" "$work/self/compare.csv" > /dev/null 2> "$work/self.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "compare over its own list: exit $rc, expected 2"
grep -q "is the url list" "$work/self.err" || fail "compare over its own list: $(cat "$work/self.err")"
cmp -s "$work/list.txt" "$work/self/compare.csv" || fail "compare replaced its own list"

# --version prints it and runs nothing; a crawl option compare sets itself names what to use;
# one that cannot apply to runs of the whole list, or a URL for a list, is refused before any run.
mkdir "$work/version"
cp "$work/list.txt" "$work/version/urls.txt"
(cd "$work/version" && "$crawlpool" compare --version > version.txt) || fail "compare --version failed"
grep -q "^crawlpool [0-9]" "$work/version/version.txt" || fail "compare --version: $(cat "$work/version/version.txt")"
[ ! -e "$work/version/compare.csv" ] || fail "compare --version ran the list"
expect_refused() {	# expect_refused NEEDLE ARGS...: exit 2, NEEDLE on stderr
	local needle=$1 rc
	shift
	set +e
	"$crawlpool" compare --repeat 1 "$@" > /dev/null 2> "$work/refused.err"
	rc=$?
	set -e
	[ "$rc" = 2 ] || fail "compare $*: exit $rc, expected 2"
	grep -qF -- "$needle" "$work/refused.err" || fail "compare $*: $(cat "$work/refused.err")"
}
expect_refused "use --workers N[,N...]" -w 4 "$work/list.txt"
expect_refused "use --modes LIST" --mode thread "$work/list.txt"
expect_refused "'--resume' is not for compare" --resume "$work/list.txt"
expect_refused "is a URL: compare crawls a list file" "$base/page/1.html"
# Where the table or a run's rows could not be written is found out before any run, not after
# them all: an --out-dir that is a file, a TMPDIR that is one, a current directory removed.
expect_refused "cannot write in '$work/list.txt': Not a directory" --out-dir "$work/list.txt" "$work/list.txt"
TMPDIR=$work/list.txt expect_refused "cannot write in '$work/list.txt'" "$work/list.txt"
mkdir "$work/gone"
(cd "$work/gone" && rmdir "$work/gone" && expect_refused "cannot write in '.'" "$work/list.txt")
grep -q "run 1/1" "$work/refused.err" && fail "compare ran before refusing its directory"

# The list from stdin is read by every run, and leaves nothing in TMPDIR.
TMPDIR=$work/tmp "$crawlpool" compare --modes event --workers 2 --repeat 2 --out-dir "$work/stdin" - \
  < "$work/list.txt" > "$work/stdin.txt" 2> "$work/stdin.log" || fail "compare from stdin: $(cat "$work/stdin.log")"
grep -q "42 URLs from stdin, medians of 2 runs" "$work/stdin.txt" || fail "compare from stdin: $(cat "$work/stdin.txt")"
[ "$(wc -l < "$work/stdin/rows-event-w2-r2.jsonl")" = 42 ] || fail "the second run from stdin lacks rows"
[ -z "$(ls -A "$work/tmp")" ] || fail "files left in TMPDIR: $(ls -A "$work/tmp" | tr '\n' ' ')"

# A list of one URL is one URL in the heading.
head -1 "$work/list.txt" > "$work/one.txt"
"$crawlpool" compare -q --modes thread --workers 1 --repeat 1 --out-dir "$work/one" "$work/one.txt" \
  > "$work/one.out" 2>&1 || fail "compare of one URL: $(cat "$work/one.out")"
grep -q "compare: 1 URL from .*one.txt, medians of 1 run$" "$work/one.out" || fail "compare of one URL: $(cat "$work/one.out")"

# Ctrl-C (SIGINT to compare and its crawl, as a terminal sends it), or a closed terminal (SIGHUP
# to both), before any run finished: said so, exit 130, no table.
printf '%s\n' "$base/fault/slow?ms=2000" > "$work/slow.txt"
interrupt_compare() {
  "$crawlpool" compare --modes thread --workers 1 --repeat 1 --out-dir "$work/int-$1" "$work/slow.txt" \
    > "$work/int.out" 2> "$work/int.err" &
  compare_pid=$!
  crawl_pid=
  for _ in $(seq 200); do crawl_pid=$(pgrep -P "$compare_pid" || true); [ -n "$crawl_pid" ] && break; sleep 0.05; done
  [ -n "$crawl_pid" ] || fail "compare started no crawl"
  kill -"$1" "$compare_pid" "$crawl_pid"
  set +e
  wait "$compare_pid"
  rc=$?
  set -e
  [ "$rc" = 130 ] || fail "compare after SIG$1: exit $rc, expected 130: $(cat "$work/int.err")"
  grep -q "^crawlpool compare: interrupted before any run finished$" "$work/int.err" \
    || fail "compare after SIG$1 does not say so: $(cat "$work/int.err")"
  [ ! -e "$work/int-$1/compare.csv" ] || fail "compare after SIG$1 wrote a table"
}
interrupt_compare INT
interrupt_compare HUP
echo "compare_demo: ok"
