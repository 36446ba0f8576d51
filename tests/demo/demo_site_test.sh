#!/usr/bin/env bash
# demo_site_test.sh -- runs demo-site on loopback and checks its routes, limits and shutdown with curl
set -u

. "$(dirname "$0")/demo_site_lib.sh"

# ---- a server with short fault times --------------------------------------
start main --pages 200 --fault-seconds 2 --quiet
B="http://127.0.0.1:$PORT"
expect "listening line" "$(cat "$TMP/main.out")" "demo-site listening on $B/"

# ---- generated pages ---------------------------------------------------------
curl -s --max-time 20 -o "$TMP/p7" "$B/page/7.html"
"$BIN" --pages 200 --print-page 7 --base "$B" >"$TMP/p7.expect"
cmp -s "$TMP/p7" "$TMP/p7.expect" && echo "ok: page 7 bytes equal sitegen's" ||
	fail "page 7 differs from --print-page"
"$BIN" --pages 200 --print-page 7 >"$TMP/p7.export"
expect "page size independent of origin" "$(wc -c <"$TMP/p7")" "$(wc -c <"$TMP/p7.export")"
curl -s --max-time 20 -H "Host: localhost:1" -o "$TMP/p7.other" "$B/page/7.html"
"$BIN" --pages 200 --print-page 7 --base http://localhost:1 >"$TMP/p7.other.expect"
cmp -s "$TMP/p7.other" "$TMP/p7.other.expect" && echo "ok: absolute links follow Host" ||
	fail "page 7 with another Host differs"
expect "page headers" "$(c -w '%{http_code} %{content_type}' "$B/page/199.html")" \
	"200 text/html; charset=utf-8 rc=0"
expect "page out of range" "$(c -w '%{http_code}' "$B/page/200.html")" "404 rc=0"
expect "leading zero is not a page" "$(c -w '%{http_code}' "$B/page/07.html")" "404 rc=0"
expect "index" "$(c -w '%{http_code}' "$B/")" "200 rc=0"
expect "robots.txt" "$(c -w '%{http_code}' "$B/robots.txt")" "404 rc=0"
expect "unknown route" "$(c -w '%{http_code}' "$B/nope")" "404 rc=0"
expect "HEAD has no body" "$(c -I -w '%{http_code} %{size_download}' "$B/page/3.html")" "200 0 rc=0"
expect "keep-alive reuse" \
	"$(curl -s --max-time 20 -o /dev/null -o /dev/null -w '%{num_connects} ' "$B/page/1.html" "$B/page/2.html")" \
	"1 0 "

# ---- status, redirects ---------------------------------------------------------
expect "status 503" "$(c -w '%{http_code}' "$B/fault/status/503")" "503 rc=0"
curl -s --max-time 20 "$B/fault/status/418" | grep -q '<title>Status 418</title>' &&
	echo "ok: status page title" || fail "status page title"
expect "status 204" "$(c -w '%{http_code} %{size_download}' "$B/fault/status/204")" "204 0 rc=0"
expect "1xx is not a status route" "$(c -w '%{http_code}' "$B/fault/status/101")" "404 rc=0"
expect "redirect chain" "$(c -L -w '%{http_code} %{num_redirects} %{url_effective}' "$B/fault/redirect/3")" \
	"200 3 $B/page/0.html rc=0"
expect "redirect/0" "$(c -L -w '%{http_code} %{num_redirects}' "$B/fault/redirect/0")" "200 0 rc=0"
expect "redirect loop" "$(c -L --max-redirs 5 -w '%{num_redirects}' "$B/fault/redirect-loop")" "5 rc=47"
expect "redirect to file" "$(c -L -w '%{http_code}' "$B/fault/redirect-file")" "302 rc=1"
expect "redirect to file (location)" "$(c -w '%{redirect_url}' "$B/fault/redirect-file")" \
	"file:///etc/passwd rc=0"
expect "redirect to ftp, refused" "$(c -L --proto-redir =http,https -w '%{http_code}' "$B/fault/redirect-ftp")" \
	"302 rc=1"

# ---- broken transfers ------------------------------------------------------------
expect "no reply" "$(c -w '%{size_download}' "$B/fault/no-reply")" "0 rc=52"
expect "bad status line" "$(c -w '%{size_download}' "$B/fault/bad-status")" "0 rc=1"
expect "reset mid-body" "$(c -w '%{http_code} %{size_download}' "$B/fault/reset")" "200 5000 rc=56"
expect "truncated" "$(c -w '%{http_code} %{size_download}' "$B/fault/truncated")" "200 10 rc=18"
expect "huge refused by size" "$(c --max-filesize 10M -w '%{http_code} %{size_download}' "$B/fault/huge")" \
	"200 0 rc=63"
expect "endless chunked" "$(curl -s --max-time 20 "$B/fault/endless" | head -c 1000000 | wc -c)" "1000000"
expect "endless cut by the reader" \
	"$(curl -s --max-time 20 "$B/fault/endless" | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}")" "23"
expect "endless links, nothing between them" \
	"$(curl -s --max-time 20 "$B/fault/endless-links" | head -c 65536 | tr -d '\n' |
		sed 's|<a href="/page/0.html" id=x></a>||g' | wc -c)" "0"
expect "garbage status line" "$(c -w '%{size_download}' "$B/fault/garbage-status")" "0 rc=1"
head_bytes() { # PATH: "LINES BYTES" of its response head, read raw (curl's own caps vary)
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/${B##*:}"
	printf 'GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$1" >&"$fd"
	timeout 20 cat <&"$fd" | LC_ALL=C sed -n '/^\r$/q;p' | wc -lc | awk '{ print $1, $2 }'
	exec {fd}>&-
}
read -r lines bytes <<<"$(head_bytes /fault/huge-header)"
expect "huge header line" "$lines $((bytes >> 20))" "5 2"
read -r lines bytes <<<"$(head_bytes '/fault/huge-header?lines=1')"
expect "huge head of many lines" "$lines $((bytes >> 20))" "2052 2"
read -r lines bytes <<<"$(head_bytes '/fault/huge-header?status=1')"
expect "huge status line" "$lines $((bytes >> 20))" "3 2"
expect "bad chunk size" "$(c -w '%{http_code}' "$B/fault/bad-chunk")" "200 rc=56"
expect "redirect to an international name" "$(c -w '%{http_code} %{redirect_url}' "$B/fault/redirect-idn")" \
	"302 http://b$(printf '\xc3\xbc')cher.localhost:${B##*:}/page/0.html rc=0"

# ---- odd bodies --------------------------------------------------------------------
curl -s --max-time 20 -I "$B/fault/gzip-bomb" | tr -d '\r' >"$TMP/bomb.head"
grep -qx 'Content-Encoding: gzip' "$TMP/bomb.head" && echo "ok: bomb is gzip" || fail "bomb encoding"
bomb_len=$(sed -n 's/^Content-Length: //p' "$TMP/bomb.head")
expect_range "bomb wire size" "${bomb_len:-0}" 900000 1200000
curl -s --max-time 20 -o "$TMP/bomb" "$B/fault/gzip-bomb"
expect "bomb raw download" "$(wc -c <"$TMP/bomb")" "$bomb_len"
gzip -dc <"$TMP/bomb" 2>/dev/null | head -c 5000000 >"$TMP/bomb.part"
expect "bomb inflates past its size, to zeros" \
	"$(wc -c <"$TMP/bomb.part") $(tr -d '\0' <"$TMP/bomb.part" | wc -c)" "5000000 0"
curl -s --max-time 20 -o "$TMP/bin1" "$B/fault/binary"
curl -s --max-time 20 -o "$TMP/bin2" "$B/fault/binary"
expect "binary size" "$(wc -c <"$TMP/bin1")" "1048576"
cmp -s "$TMP/bin1" "$TMP/bin2" && echo "ok: binary is deterministic" || fail "binary differs"
expect_range "binary has NULs" "$(tr -cd '\0' <"$TMP/bin1" | wc -c)" 1000 10000
curl -s --max-time 20 -o "$TMP/deep" "$B/fault/deep"
expect "deep size" "$(wc -c <"$TMP/deep")" "1100143"
head -c 300 "$TMP/deep" | grep -q '<title>Deep page</title>' && echo "ok: deep title" || fail "deep title"
expect "deep links" "$(grep -o '<a href' "$TMP/deep" | wc -l)" "1"
expect "deep?depth=10" "$(c -w '%{size_download}' "$B/fault/deep?depth=10")" "253 rc=0"
expect "latin1 type" "$(c -w '%{content_type}' "$B/fault/latin1")" "text/html; charset=iso-8859-1 rc=0"
LC_ALL=C grep -q "$(printf '<title>Caf\xe9 Z\xfcrich</title>')" <(curl -s --max-time 20 "$B/fault/latin1") &&
	echo "ok: latin1 title bytes" || fail "latin1 title bytes"
expect "latin1-c1 type" "$(c -w '%{content_type}' "$B/fault/latin1-c1")" "text/html; charset=iso-8859-1 rc=0"
expect "latin1-c1 has the five bytes windows-1252 lacks" \
	"$(curl -s --max-time 20 "$B/fault/latin1-c1" | LC_ALL=C tr -cd '\201\215\217\220\235' | wc -c)" "10"
expect "empty" "$(c -w '%{http_code} %{size_download} %{content_type}' "$B/fault/empty")" \
	"200 0 text/html; charset=utf-8 rc=0"
expect "not-html" "$(c -w '%{http_code} %{content_type}' "$B/fault/not-html")" "200 text/plain; charset=utf-8 rc=0"
curl -s --max-time 20 "$B/fault/csv-title" | tr '\n' '|' | grep -q '<title>Commas, "quotes"|and more</title>' &&
	echo "ok: csv-title" || fail "csv-title"
curl -s --max-time 20 "$B/fault/formula" | grep -qF '<title>=HYPERLINK("http://127.0.0.1/","x")</title>' &&
	echo "ok: formula" || fail "formula"
slow=$(curl -s --max-time 20 -o "$TMP/slow" -w '%{time_total}' "$B/fault/slow?ms=400")
expect_range "slow waits (ms)" "$(awk -v t="$slow" 'BEGIN { printf "%d", t * 1000 }')" 390 15000
expect "slow page" "$(grep -c '<title>Slow page</title>' "$TMP/slow") $(grep -o '<a href' "$TMP/slow" | wc -l)" "1 3"

# ---- slow faults, in parallel: each bounded by curl or by --fault-seconds 2 -----------
timed() { # NAME CURL-ARGS...: "BYTES rc=N ELAPSED_MS" into $TMP/NAME.t
	local name=$1 start end out
	shift
	start=$(date +%s%N)
	out=$(c -w '%{size_download}' "$@")
	end=$(date +%s%N)
	echo "$out $(((end - start) / 1000000))" >"$TMP/$name.t"
}
jobs_pids=()
for route in drip stall silent; do
	timed "${route}_capped" --max-time 1 "$B/fault/$route" &
	jobs_pids+=($!)
	timed "${route}_bound" "$B/fault/$route" &
	jobs_pids+=($!)
done
wait "${jobs_pids[@]}"
read -r bytes rc ms <"$TMP/drip_capped.t"
expect "drip, client timeout" "$rc" "rc=28"
expect_range "drip bytes in 1 s" "$bytes" 1 3
read -r bytes rc ms <"$TMP/drip_bound.t"
expect "drip ends at the server's limit" "$rc" "rc=0"
expect_range "drip bytes in 2 s" "$bytes" 3 5
expect_range "drip duration (ms)" "$ms" 1500 10000
read -r bytes rc ms <"$TMP/stall_capped.t"
expect "stall, client timeout" "$bytes $rc" "0 rc=28"
read -r bytes rc ms <"$TMP/stall_bound.t"
expect "stall closes at the server's limit" "$bytes $rc" "0 rc=18"
expect_range "stall duration (ms)" "$ms" 1500 10000
read -r bytes rc ms <"$TMP/silent_capped.t"
expect "silent, client timeout" "$bytes $rc" "0 rc=28"
read -r bytes rc ms <"$TMP/silent_bound.t"
expect "silent closes at the server's limit" "$bytes $rc" "0 rc=52"
expect_range "silent duration (ms)" "$ms" 1500 10000

# ---- raw HTTP: pipelining, HTTP/1.0, errors ---------------------------------------------
# raw REQUEST-TEXT: sends it on one connection, prints what comes back until the server closes
raw() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
	printf '%b' "$1" >&"$fd"
	timeout 10 cat <&"$fd" | tr -d '\r'
	exec {fd}>&-
}
raw 'GET /page/1.html HTTP/1.1\r\nHost: a\r\n\r\nHEAD /page/2.html HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' >"$TMP/pipe"
expect "pipelined answers" "$(grep -a '^HTTP/1.1 ' "$TMP/pipe" | tr '\n' '|')" \
	"HTTP/1.1 200 OK|HTTP/1.1 200 OK|HTTP/1.1 404 Not Found|"
expect "pipelined close" "$(grep -ac '^Connection: close' "$TMP/pipe")" "1"
raw 'GET /page/1.html HTTP/1.0\r\n\r\n' >"$TMP/http10"
expect "HTTP/1.0 closes" "$(grep -a -e '^HTTP/' -e '^Connection' "$TMP/http10" | tr '\n' '|')" \
	"HTTP/1.1 200 OK|Connection: close|"
raw 'POST /page/1.html HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello' >"$TMP/post"
expect "POST refused" "$(grep -a -e '^HTTP/' -e '^Allow' "$TMP/post" | tr '\n' '|')" \
	"HTTP/1.1 405 Method Not Allowed|Allow: GET, HEAD|"
expect "garbage" "$(raw 'BLAH\r\n\r\n' | head -1)" "HTTP/1.1 400 Bad Request"
expect "HTTP/2 request line" "$(raw 'GET / HTTP/2.0\r\n\r\n' | head -1)" "HTTP/1.1 505 HTTP Version Not Supported"
big=$(head -c 20000 /dev/zero | tr '\0' 'a')
expect "huge head" "$(raw "GET / HTTP/1.1\r\nX-Big: $big\r\n\r\n" | head -1)" \
	"HTTP/1.1 431 Request Header Fields Too Large"
expect "GET with a body" "$(raw 'GET /page/1.html HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n' |
	grep -a '^HTTP/' | tr '\n' '|')" "HTTP/1.1 200 OK|HTTP/1.1 404 Not Found|"

# ---- limits: connections, idle timeout, verbose log -------------------------------------------
start limits --max-conns 2 --idle-timeout 2 --verbose
L="http://127.0.0.1:$PORT"
exec {c1}<>"/dev/tcp/127.0.0.1/$PORT"
exec {c2}<>"/dev/tcp/127.0.0.1/$PORT"
refused=$(curl -s --max-time 20 -w ' %{http_code}' "$L/page/1.html" | tr -d '\n')
expect "third connection refused" "$refused" "demo-site: too many connections (limit 2) 503"
start_ms=$(date +%s%N)
timeout 10 cat <&"$c1" >/dev/null
expect "idle connection closed" "$?" "0"
expect_range "idle timeout (ms)" "$((($(date +%s%N) - start_ms) / 1000000))" 0 5000
exec {c1}>&- {c2}>&-
for ((i = 0; i < 100; i++)); do
	code=$(curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$L/page/1.html")
	[ "$code" = 200 ] && break
	sleep 0.05
done
expect "served again once connections closed" "$code" "200"
# the server logs a request after answering it: give the line a moment to land
for ((i = 0; i < 100; i++)); do
	grep -q "GET /page/1.html 200" "$TMP/limits.err" && break
	sleep 0.05
done
grep -q "GET /page/1.html 200" "$TMP/limits.err" && echo "ok: --verbose logs requests" ||
	fail "--verbose log: $(cat "$TMP/limits.err")"
kill -TERM "$PID"
wait "$PID"
expect "limits server exit status" "$?" "0"
SERVERS=("${SERVERS[0]}")

# ---- other modes and usage -------------------------------------------------------------------
"$BIN" --export "$TMP/site" --pages 30 --quiet
expect "export files" "$(find "$TMP/site" -type f | wc -l)" "31"
"$BIN" --pages 30 --print-page 7 | cmp -s - "$TMP/site/page/7.html" && echo "ok: exported page" ||
	fail "exported page 7 differs"
grep -q 'http://' "$TMP/site/page/7.html" && fail "export has absolute links" || echo "ok: export is relative"
expect "list-urls" "$("$BIN" --list-urls 4 --pages 3 --base http://h:1/ | tr '\n' ' ')" \
	"http://h:1/page/0.html http://h:1/page/1.html http://h:1/page/2.html http://h:1/page/0.html "
expect "list-urls default base" "$("$BIN" --list-urls 1)" "http://127.0.0.1:8931/page/0.html"
"$BIN" --pages 0 2>/dev/null
expect "bad --pages exit" "$?" "2"
"$BIN" --bogus 2>/dev/null
expect "unknown option exit" "$?" "2"
# bad_number OPTION VALUE RANGE [ARGS...]: exit 2, the option and its range named. Each
# value here was once taken: spaces and signs skipped, or 2^64 - 1 URLs listed.
bad_number() {
	local opt=$1 value=$2 range=$3
	shift 3
	timeout 10 "$BIN" "$@" "$opt" "$value" >/dev/null 2>"$TMP/number.err"
	expect "bad $opt '$value' exit" "$?" "2"
	grep -qxF "demo-site: invalid $opt '$value': use a number from $range" "$TMP/number.err" &&
		echo "ok: bad $opt '$value' message" || fail "bad $opt '$value' message: $(cat "$TMP/number.err")"
}
bad_number --pages " 5" "1 to 10000000" --list-urls 1
bad_number --list-urls " -1" "0 to 9223372036854775807" --pages 3
bad_number --list-urls 9223372036854775808 "0 to 9223372036854775807" --pages 3
bad_number --print-page " 1" "0 to 4294967295" --pages 3
bad_number --cache-mb "+1" "0 to 1048576" --list-urls 1
bad_number --port "" "0 to 65535" --list-urls 1
bad_number --max-conns "1e3" "1 to 100000" --list-urls 1
"$BIN" --host 10.1.2.3 --port 0 2>"$TMP/nonloop.err"
expect "non-loopback host exit" "$?" "1"
grep -q 'not a loopback address' "$TMP/nonloop.err" && echo "ok: non-loopback refused" || fail "non-loopback message"
"$BIN" --help | grep -q -- '--export DIR' && echo "ok: --help" || fail "--help"

# ---- SIGTERM with a connection held open: exit 0, promptly -------------------------------------
main_pid=${SERVERS[0]}
curl -s --max-time 30 -D "$TMP/held.head" -o /dev/null "$B/fault/stall" &
held=$!
for ((i = 0; i < 400; i++)); do # until the head arrived: the server now holds the connection
	grep -q '^HTTP/1.1 200' "$TMP/held.head" 2>/dev/null && break
	sleep 0.05
done
start_ms=$(date +%s%N)
kill -TERM "$main_pid"
wait "$main_pid"
expect "SIGTERM exit status" "$?" "0"
expect_range "SIGTERM stop time (ms)" "$((($(date +%s%N) - start_ms) / 1000000))" 0 5000
wait "$held"
expect "held connection closed at stop (partial body)" "$?" "18"
[ -e "$TMP/main.port" ] && fail "port file left behind" || echo "ok: port file removed"
SERVERS=()

# sanitizer builds report on stderr; any report is a failure
if grep -l -e 'Sanitizer' -e 'runtime error' "$TMP"/*.err >/dev/null 2>&1; then
	fail "sanitizer report: $(cat "$TMP"/*.err)"
fi
exit "$FAILED"
