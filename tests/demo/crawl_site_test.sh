#!/usr/bin/env bash
# crawl_site_test.sh -- demo-site's routes for crawls that follow links: robots.txt options, several
# addresses on one port, /links/, the /calendar/ trap, /slow-page/ and the per-host /_stats
set -u

. "$(dirname "$0")/demo_site_lib.sh"
ROBOTS="${SOURCE_DIR:?SOURCE_DIR not set}/tests/demo/links-robots.txt"

# ---- two addresses, one port ------------------------------------------------------
start two --host 127.0.0.1 --host 127.0.0.2 --robots "$ROBOTS" --pages 50 --quiet
B="http://127.0.0.1:$PORT"
B2="http://127.0.0.2:$PORT"
expect "listening lines" "$(tr '\n' '|' <"$TMP/two.out")" \
	"demo-site listening on $B/|demo-site listening on $B2/|"
expect "second address answers" "$(c -w '%{http_code}' "$B2/page/1.html")" "200 rc=0"
curl -s --max-time 20 -o "$TMP/p3.two" "$B2/page/3.html"
"$BIN" --pages 50 --print-page 3 --base "$B2" | cmp -s - "$TMP/p3.two" &&
	echo "ok: page on the second address names it" || fail "page 3 on $B2 differs"
expect "second address, from its own source address" \
	"$(c --interface 127.0.0.2 -w '%{http_code} %{local_ip}' "$B2/")" "200 127.0.0.2 rc=0"

# ---- robots.txt ---------------------------------------------------------------------
expect "robots.txt served" "$(c -w '%{http_code} %{content_type}' "$B/robots.txt")" \
	"200 text/plain; charset=utf-8 rc=0"
curl -s --max-time 20 "$B/robots.txt" | cmp -s - "$ROBOTS" && echo "ok: robots.txt bytes are the file's" ||
	fail "robots.txt differs from $ROBOTS"
expect "robots.txt on the second address" "$(c -w '%{http_code}' "$B2/robots.txt")" "200 rc=0"
expect "no robots-moved.txt without a redirect" "$(c -w '%{http_code}' "$B/robots-moved.txt")" "404 rc=0"

# ---- /links/ --------------------------------------------------------------------------
for name in index.html a.html b.html A.html area.html nofollow.html d0.html d1.html d2.html d3.html \
	d4.html sub/c.html base.html sub/e.html meta-nofollow.html hidden.html private/secret.html \
	elsewhere.html landed.html; do
	got=$(curl -s --max-time 20 -w '%{http_code} %{content_type}' -o "$TMP/links.page" "$B/links/$name")
	if [ "$got" != "200 text/html; charset=utf-8" ] || ! grep -q '<title>Links: ' "$TMP/links.page"; then
		fail "/links/$name: $got"
	fi
done
echo "ok: 19 /links/ pages with titles"
expect "moved.html redirects to the other host" \
	"$(c -w '%{http_code} %{redirect_url}' "$B/links/moved.html")" "302 $B2/links/landed.html rc=0"
expect "an unnormalised path is not a page" "$(c -w '%{http_code}' "$B/links/%41.html")" "404 rc=0"
expect "where base.html leads without its base" "$(c -w '%{http_code}' "$B/links/e.html")" "404 rc=0"
expect "paths are case-sensitive" \
	"$(curl -s --max-time 20 "$B/links/A.html" "$B/links/a.html" | grep -o '<title>[^<]*</title>' | tr '\n' '|')" \
	"<title>Links: upper-case A</title>|<title>Links: relative</title>|"
# hrefs QUERY-URL: the page's href values in order, separated by spaces
hrefs() {
	curl -s --max-time 20 "$@" | grep -oi 'href="[^"]*"' | sed 's/^[hH][rR][eE][fF]="//; s/"$//' | tr '\n' ' '
}
expect "index links" "$(hrefs "$B/links/index.html")" \
	"a.html ./b.html /links/A.html /links/./A.html /links/%41.html HTTP://127.0.0.1:$PORT/links/A.html A.html#top http://127.0.0.1:$PORT/links/a.html #top d0.html nofollow.html mailto:crawler@example.com javascript:void(0) data:text/html,hello ftp://127.0.0.1:1/file.txt area.html "
grep -c 'rel="nofollow"' <(curl -s --max-time 20 "$B/links/index.html") >/dev/null &&
	echo "ok: rel=nofollow on the index" || fail "no rel=nofollow on the index"
expect "a.html links" "$(hrefs "$B/links/a.html")" \
	"sub/c.html base.html http://127.0.0.2:$PORT/links/elsewhere.html index.html "
expect "b.html links" "$(hrefs "$B/links/b.html")" \
	"meta-nofollow.html moved.html private/secret.html nofollow.html ./index.html "
expect "sub/c.html links" "$(hrefs "$B/links/sub/c.html")" \
	"../a.html ./../b.html /../links/sub/./c.html ../sub/../A.html ../../links/index.html "
expect "base.html base and links" "$(hrefs "$B/links/base.html")" "/links/sub/ e.html ../a.html "
curl -s --max-time 20 "$B/links/meta-nofollow.html" | grep -qF '<meta name="robots" content="nofollow">' &&
	echo "ok: meta robots nofollow" || fail "meta robots nofollow"
expect "chain" "$(for i in 0 1 2 3 4; do hrefs "$B/links/d$i.html"; done)" \
	"d1.html d2.html d3.html d4.html index.html "
expect "absolute links follow Host" "$(hrefs -H 'Host: localhost:1' "$B/links/a.html")" \
	"sub/c.html base.html http://127.0.0.2:$PORT/links/elsewhere.html index.html "
expect "absolute links on the second address" "$(hrefs "$B2/links/index.html" | grep -o "http://[^/]*/links/a.html")" \
	"http://127.0.0.2:$PORT/links/a.html"

# ---- the calendar trap ------------------------------------------------------------------
# month PATH: "STATUS|TITLE|HREF HREF"
month() {
	local code
	code=$(curl -s --max-time 20 -o "$TMP/month" -w '%{http_code}' "$B/calendar/$1")
	echo "$code|$(grep -o '<title>[^<]*' "$TMP/month" | cut -c8-)|$(hrefs "$B/calendar/$1")"
}
expect "calendar month" "$(month 2024-01.html)" "200|Calendar 2024-01|2023-12.html 2024-02.html "
expect "calendar wraps forward" "$(month 9999-12.html)" "200|Calendar 9999-12|9999-11.html 0000-01.html "
expect "calendar wraps back" "$(month 0000-01.html)" "200|Calendar 0000-01|9999-12.html 0000-02.html "
grep -q '29 days' <(curl -s --max-time 20 "$B/calendar/2024-02.html") && echo "ok: leap February" ||
	fail "2024-02 is not 29 days"
for bad in 2024-13.html 2024-00.html 2024-1.html 2024-01.htm 20x4-01.html 2024-01.html/x; do
	code=$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$B/calendar/$bad")
	[ "$code" = 404 ] || fail "/calendar/$bad: $code, expected 404"
done
echo "ok: calendar refuses malformed months"
# 60 hops along "next month": the trap never ends
url="$B/calendar/2024-11.html"
for ((i = 0; i < 60; i++)); do
	next=$(curl -s --max-time 20 "$url" | grep -o 'href="[^"]*">next' | cut -d'"' -f2)
	[ -n "$next" ] || break
	url="$B/calendar/$next"
done
expect "60 months on" "$url" "$B/calendar/2029-11.html"

# ---- /slow-page/ ----------------------------------------------------------------------------
expect "slow page links carry ms" "$(hrefs "$B/slow-page/0.html?ms=20")" "1.html?ms=20 2.html?ms=20 "
expect "slow page near the end" "$(hrefs "$B/slow-page/39.html?ms=0")" "40.html?ms=0 "
expect "last slow page" "$(hrefs "$B/slow-page/40.html?ms=0")" ""
expect "slow page title" "$(curl -s --max-time 20 "$B/slow-page/7.html?ms=0" | grep -o '<title>[^<]*</title>')" \
	"<title>Slow page 7</title>"
expect "slow page with other parameters" "$(hrefs "$B/slow-page/3.html?ms=0&x=1")" "4.html?ms=0 5.html?ms=0 "
expect "slow page past the end" "$(c -w '%{http_code}' "$B/slow-page/41.html")" "404 rc=0"
t=$(curl -s --max-time 20 -o /dev/null -w '%{time_total}' "$B/slow-page/5.html")
expect_range "slow page default wait (ms)" "$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')" 295 10000

# ---- /_stats ---------------------------------------------------------------------------------
curl -s --max-time 20 -o /dev/null "$B/_stats?reset"
expect "stats after reset" "$(curl -s --max-time 20 "$B/_stats")" "{}"
expect "stats type" "$(c -w '%{http_code} %{content_type}' "$B/_stats")" "200 application/json rc=0"
curl -s --max-time 20 -o /dev/null -o /dev/null "$B/links/index.html" "$B/robots.txt"
curl -s --max-time 20 -o /dev/null "$B/nope"
curl -s --max-time 20 -o /dev/null "$B2/links/a.html"
STATS=$(curl -s --max-time 20 "$B/_stats")
expect "requests counted per host, robots.txt and 404 included, /_stats not" \
	"$(stat_of "127.0.0.1:$PORT" requests) $(stat_of "127.0.0.2:$PORT" requests)" "3 1"
expect "one at a time" "$(stat_of "127.0.0.1:$PORT" max_concurrent) $(stat_of "127.0.0.1:$PORT" in_flight)" "1 0"
expect "single request has no gap" "$(stat_of "127.0.0.2:$PORT" min_gap_ms)" "-1"
STATS=$(curl -s --max-time 20 "$B/_stats?reset")
expect "reset answers the table before clearing it" "$(stat_of "127.0.0.1:$PORT" requests)" "3"
expect "reset clears" "$(curl -s --max-time 20 "$B/_stats")" "{}"
# the host is the Host header's, lower-cased; with no Host, the address connected to
curl -s --max-time 20 -o /dev/null -H 'Host: LocalHost:1' "$B/links/a.html"
exec {raw}<>"/dev/tcp/127.0.0.2/$PORT"
printf 'GET /links/a.html HTTP/1.0\r\n\r\n' >&"$raw"
timeout 10 cat <&"$raw" >/dev/null
exec {raw}>&-
STATS=$(curl -s --max-time 20 "$B/_stats?reset")
expect "keys: Host, else the local address" \
	"$(stat_of localhost:1 requests) $(stat_of "127.0.0.2:$PORT" requests)" "1 1"

# the least gap between two starts
curl -s --max-time 20 -o /dev/null "$B/links/b.html"
sleep 0.3
curl -s --max-time 20 -o /dev/null "$B/links/b.html"
STATS=$(curl -s --max-time 20 "$B/_stats?reset")
expect_range "min_gap_ms after a 300 ms pause" "$(stat_of "127.0.0.1:$PORT" min_gap_ms)" 300 10000

# in progress at once: 5 slow requests to one address, 2 to the other, all in flight together
pids=()
for i in 1 2 3 4 5; do
	curl -s --max-time 20 -o /dev/null "$B/slow-page/$i.html?ms=3000" &
	pids+=($!)
done
for i in 1 2; do
	curl -s --max-time 20 -o /dev/null "$B2/slow-page/$i.html?ms=3000" &
	pids+=($!)
done
for ((i = 0; i < 100; i++)); do # a slow page counts while it sleeps
	STATS=$(curl -s --max-time 20 "$B/_stats")
	[ "$(stat_of "127.0.0.1:$PORT" in_flight)" = 5 ] && [ "$(stat_of "127.0.0.2:$PORT" in_flight)" = 2 ] && break
	sleep 0.02
done
expect "in flight while sleeping" "$(stat_of "127.0.0.1:$PORT" in_flight) $(stat_of "127.0.0.2:$PORT" in_flight)" "5 2"
wait "${pids[@]}"
STATS=$(curl -s --max-time 20 "$B/_stats")
expect "max_concurrent per host" \
	"$(stat_of "127.0.0.1:$PORT" max_concurrent) $(stat_of "127.0.0.2:$PORT" max_concurrent)" "5 2"
expect "all answered" \
	"$(stat_of "127.0.0.1:$PORT" requests) $(stat_of "127.0.0.1:$PORT" in_flight) $(stat_of "127.0.0.2:$PORT" in_flight)" \
	"5 0 0"
# in sequence on one keep-alive connection: one at a time
curl -s --max-time 20 "$B/_stats?reset" -o /dev/null
curl -s --max-time 20 -o /dev/null -o /dev/null -o /dev/null \
	"$B/slow-page/1.html?ms=50" "$B/slow-page/2.html?ms=50" "$B/slow-page/3.html?ms=50"
STATS=$(curl -s --max-time 20 "$B/_stats")
expect "sequential requests" "$(stat_of "127.0.0.1:$PORT" requests) $(stat_of "127.0.0.1:$PORT" max_concurrent)" "3 1"
expect_range "sequential gap (ms)" "$(stat_of "127.0.0.1:$PORT" min_gap_ms)" 45 10000

# ---- robots.txt status, delay, redirect -----------------------------------------------------
start status --robots-status 503 --robots-delay-ms 400 --quiet
S="http://127.0.0.1:$PORT"
out=$(curl -s --max-time 20 -o "$TMP/robots.503" -w '%{http_code} %{content_type} %{time_total}' "$S/robots.txt")
read -r code type charset t <<<"$out"
expect "robots status" "$code $type $charset" "503 text/plain; charset=utf-8"
expect "robots status body" "$(cat "$TMP/robots.503")" "# demo-site: /robots.txt answers 503, no rules here"
expect_range "robots delay (ms)" "$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')" 395 10000
expect "other pages are not late" "$(curl -s --max-time 0.35 -o /dev/null -w '%{http_code}' "$S/links/a.html")" "200"
STATS=$(curl -s --max-time 20 "$S/_stats")
expect "robots requests counted" "$(stat_of "127.0.0.1:$PORT" requests)" "2"
start delay404 --robots-delay-ms 300 --quiet
t=$(curl -s --max-time 20 -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/robots.txt")
expect "delay alone: still a 404" "${t% *}" "404"
expect_range "delay alone (ms)" "$(awk -v t="${t#* }" 'BEGIN { printf "%d", t * 1000 }')" 295 10000
start moved --robots-status 301 --robots "$ROBOTS" --quiet
M="http://127.0.0.1:$PORT"
expect "robots redirect" "$(c -w '%{http_code} %{redirect_url}' "$M/robots.txt")" "301 $M/robots-moved.txt rc=0"
curl -s -L --max-time 20 "$M/robots.txt" | cmp -s - "$ROBOTS" && echo "ok: redirected robots.txt is the file" ||
	fail "redirected robots.txt differs"
start plain --quiet
expect "no robots options: 404" "$(c -w '%{http_code} %{content_type}' "http://127.0.0.1:$PORT/robots.txt")" \
	"404 text/html; charset=utf-8 rc=0"

# ---- options --------------------------------------------------------------------------------------
"$BIN" --help >"$TMP/help"
for opt in '--host HOST' 'repeat it' '--robots FILE' '--robots-status N' '--robots-delay-ms N' '/_stats'; do
	grep -qF -- "$opt" "$TMP/help" || fail "--help lacks '$opt'"
done
echo "ok: --help lists the new options"
# refused ARGS... -- EXIT MESSAGE: the server does not start, with that exit status and message
refused() {
	local args=() want_rc want_msg
	while [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	want_rc=$2 want_msg=$3
	timeout 10 "$BIN" --port 0 "${args[@]}" >/dev/null 2>"$TMP/refused.err"
	expect "${args[*]}: exit" "$?" "$want_rc"
	grep -qF -- "$want_msg" "$TMP/refused.err" && echo "ok: ${args[*]}: message" ||
		fail "${args[*]}: message: $(cat "$TMP/refused.err")"
}
refused --robots-status 199 -- 2 "invalid --robots-status '199': use a number from 200 to 599"
refused --robots-delay-ms 120001 -- 2 "invalid --robots-delay-ms '120001': use a number from 0 to 120000"
refused --robots "$TMP/absent.txt" -- 1 "cannot open robots file '$TMP/absent.txt'"
refused --robots "$TMP" -- 1 "not a regular file"
refused --host 127.0.0.1 --host 127.0.0.1 -- 1 "is the address of '127.0.0.1' again"
refused --host 127.0.0.1 --host 10.1.2.3 -- 1 "refusing to listen on '10.1.2.3': not a loopback address"
refused --host 127.0.0.1 --host 127.0.0.2 --host 127.0.0.3 --host 127.0.0.4 --host 127.0.0.5 \
	--host 127.0.0.6 --host 127.0.0.7 --host 127.0.0.8 --host 127.0.0.9 -- 2 "--host given more than 8 times"
# a fixed port taken on the second address only: no partial start
start holder --host 127.0.0.3 --quiet
refused --host 127.0.0.1 --host 127.0.0.3 --port "$PORT" -- 1 "127.0.0.3"
start eight --host 127.0.0.1 --host 127.0.0.2 --host 127.0.0.3 --host 127.0.0.4 --host 127.0.0.5 \
	--host 127.0.0.6 --host 127.0.0.7 --host 127.0.0.8 --quiet
expect "eight addresses" "$(wc -l <"$TMP/eight.out")" "8"
expect "the eighth answers" "$(c -w '%{http_code}' "http://127.0.0.8:$PORT/links/index.html")" "200 rc=0"

# every server stops cleanly on SIGTERM; then their stderr is complete (leak reports included)
for pid in "${SERVERS[@]}"; do
	kill -TERM "$pid"
	wait "$pid"
	expect "server $pid exit status" "$?" "0"
done
SERVERS=()
sanitizer_check
exit "$FAILED"
