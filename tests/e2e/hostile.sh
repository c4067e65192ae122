#!/bin/sh
# hostile.sh BIN JSONSUB
#
# What attackers put in a log must not act on the reader (issue 6):
# - terminal escapes (ESC [31m, OSC titles, BEL, CR, C1 CSI as a raw byte and as UTF-8,
#   bidi overrides) in user agents, targets, client ids and error messages never reach
#   the text report, check-format or stderr raw; the JSON report stays valid JSON;
# - SQL in log fields is data (the store binds every value): the tables survive it;
# - a 100 MB single line (streamed, never stored) is rejected with a reason, in bounded
#   memory and time, plain and gzip-compressed;
# - JSON nested 100,000 deep as a json line, a trace line and a HAR is rejected with a
#   reason, in bounded memory and time;
# - binary garbage and NUL bytes are rejected lines, counted; invalid UTF-8 inside an
#   otherwise good line is an attempt, shown escaped.
# Peak memory is measured with GNU time (/usr/bin/time) where it is installed.
set -u
bin=$1 jsonsub=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}

esc=$(printf '\033') bel=$(printf '\007') cr=$(printf '\r') c1=$(printf '\233') c1u=$(printf '\302\233')
rlo=$(printf '\342\200\256')
# byte patterns of what must never be printed raw: C0 controls but tab and newline,
# DEL, C1 controls (U+0080..U+009F in UTF-8), bidi embeddings/overrides/isolates
ctl_re=$(printf '[\001-\010\013-\037\177]')
c1_re=$(printf '\302[\200-\237]')
bidi_re=$(printf '\342\200[\252-\256]|\342\201[\246-\251]')

# clean WHAT FILE: FILE holds valid UTF-8 without the bytes above
clean() {
	if LC_ALL=C grep -q "$ctl_re" "$2"; then
		bad "$1: raw control bytes: $(LC_ALL=C grep -n "$ctl_re" "$2" | head -n 3 | od -c | head -n 5)"
	elif LC_ALL=C grep -q "$c1_re" "$2" || LC_ALL=C grep -Eq "$bidi_re" "$2"; then
		bad "$1: raw C1 control or bidi override: $(LC_ALL=C grep -En "$c1_re|$bidi_re" "$2" | head -n 3)"
	elif ! iconv -f UTF-8 -t UTF-8 "$2" >/dev/null 2>&1; then
		bad "$1: not valid UTF-8 (a raw byte of invalid UTF-8 got through)"
	else
		echo "ok: $1: no raw control bytes, valid UTF-8"
	fi
}

# --- terminal escapes in every field that is printed ----------------------------------
ua="evil${esc}[31mred${esc}[0m${esc}]0;pwned title${bel}${c1}2J${c1u}31m${rlo}txt.exe${cr}OVERWRITTEN"
for i in 1 2 3; do
	printf '10.0.0.1 - - [29/Nov/2026:10:00:0%s +0000] "GET /v1/%s[2Jx%s?q=%s HTTP/1.1" %s 10 "-" "%s"\n' \
		"$i" "$esc" "$c1u" "$bel" "$([ $i = 1 ] && echo 500 || echo 400)" "$ua"
done >"$tmp/esc.log"
printf '%s[2J%s[31mgarbage line%s%s\n' "$esc" "$esc" "$bel" "$cr" >>"$tmp/esc.log"
"$bin" analyze --output text "$tmp/esc.log" >"$tmp/esc.txt" 2>"$tmp/esc.err" || bad "analyze esc.log"
clean "text report of a combined log with escapes" "$tmp/esc.txt"
clean "stderr of that run" "$tmp/esc.err"
grep -qF 'evil\x1b[3' "$tmp/esc.txt" || bad "the escaped user agent is not shown as \\x1b text"
"$bin" analyze --quiet --output json "$tmp/esc.log" >"$tmp/esc.json" || bad "analyze --output json esc.log"
"$jsonsub" --equal "$tmp/esc.json" "$tmp/esc.json" && echo "ok: JSON report with escapes parses" || bad "the JSON report is not valid JSON"
clean "JSON report" "$tmp/esc.json"
"$bin" check-format "$tmp/esc.log" >"$tmp/cf.txt" 2>&1
clean "check-format on the same log" "$tmp/cf.txt"

# the same through JSON escapes (\u001b, \u0007, \u009b, \u202e), which decode to raw
# bytes: a json access log, and a trace whose error message and client id carry them
j='\u001b[31m\u0007\u009b2J\u202eX\r'
printf '{"time":"2026-11-29T10:00:01+00:00","remote_addr":"10.0.0.2","request":"GET /j/%s HTTP/1.1","status":503,"http_user_agent":"ua%s"}\n' "$j" "$j" >"$tmp/esc.jsonl"
printf '{"time":"2026-11-29T10:00:05+00:00","remote_addr":"10.0.0.2","request":"GET /j/%s HTTP/1.1","status":503,"http_user_agent":"ua%s"}\n' "$j" "$j" >>"$tmp/esc.jsonl"
"$bin" analyze --format json "$tmp/esc.jsonl" >"$tmp/jl.txt" 2>"$tmp/jl.err" || bad "analyze esc.jsonl"
grep -q "^  attempts  *2$" "$tmp/jl.txt" || bad "esc.jsonl: want 2 attempts: $(grep attempts "$tmp/jl.txt" | head -n 1)"
clean "text report of JSON lines with \\u escapes" "$tmp/jl.txt"
for i in 1 2; do
	printf '{"ts":"2026-11-29T10:00:0%s.000Z","client_id":"svc%s","method":"POST","url":"/t/%s","status":400,"attempt":%s,"request_id":"r1","error":{"error":{"message":"bad %s value","type":"t%s","code":"c%s"}}}\n' \
		"$i" "$j" "$j" "$i" "$j" "$j" "$j"
done >"$tmp/esc.trace"
"$bin" analyze --format trace "$tmp/esc.trace" >"$tmp/tr.txt" 2>"$tmp/tr.err" || bad "analyze esc.trace"
grep -q "Error messages" "$tmp/tr.txt" || bad "esc.trace: no error message section"
clean "text report of a trace with escapes in client, url and error message" "$tmp/tr.txt"
"$bin" analyze --quiet --format trace --output json "$tmp/esc.trace" >"$tmp/tr.json" || bad "analyze --output json esc.trace"
"$jsonsub" --equal "$tmp/tr.json" "$tmp/tr.json" || bad "esc.trace: the JSON report is not valid JSON"
clean "JSON report of that trace" "$tmp/tr.json"

# --- SQL in the log is data ----------------------------------------------------------------
sql="x'); DROP TABLE bucket; DELETE FROM source; --"
for i in 1 2 3; do
	printf '10.0.0.3 - - [29/Nov/2026:10:00:0%s +0000] "GET /v1/%s HTTP/1.1" 404 10 "-" "%s\\" OR 1=1 --"\n' "$i" "$sql" "$sql"
done >"$tmp/sql.log"
"$bin" ingest --quiet --db "$tmp/sql.db" "$tmp/sql.log" || bad "ingest sql.log"
cp "$tmp/sql.log" "$tmp/sql.once" && cat "$tmp/sql.once" >>"$tmp/sql.log" # the same lines again, appended
"$bin" ingest --quiet --db "$tmp/sql.db" "$tmp/sql.log" || bad "ingest sql.log again"
"$bin" report --db "$tmp/sql.db" --output json >"$tmp/sql.json" || bad "report of sql.db"
printf '{"totals": {"attempts": 6}, "sources": [{"lines": 6, "rejected": 0}]}\n' >"$tmp/want.json"
"$jsonsub" "$tmp/want.json" "$tmp/sql.json" && echo "ok: SQL in targets and user agents is stored as text, the tables intact" ||
	bad "SQL in the log changed the database"
grep -qF "DROP TABLE bucket" "$tmp/sql.json" || bad "the SQL text is not in the report as data"

# --- a 100 MB single line -------------------------------------------------------------------
# measure WHAT MAX_S CMD...: runs CMD (stdin from the caller), prints peak RSS (KiB) and
# seconds into $tmp/m; fails when it takes over MAX_S
timer=
[ -x /usr/bin/time ] && /usr/bin/time -f '%M %e' true 2>/dev/null && timer=/usr/bin/time
measure() {
	_what=$1 _max=$2
	shift 2
	if [ -n "$timer" ]; then
		"$timer" -o "$tmp/m" -f '%M %e' "$@"
		_rc=$?
	else
		_t0=$(date +%s)
		"$@"
		_rc=$?
		echo "0 $(($(date +%s) - _t0))" >"$tmp/m"
	fi
	# GNU time puts "Command exited with non-zero status N" first when it did
	tail -n 1 "$tmp/m" >"$tmp/m1" && mv "$tmp/m1" "$tmp/m"
	read -r _kb _s <"$tmp/m"
	echo "  $_what: peak RSS $_kb KiB, $_s s" >&2
	if awk -v s="$_s" -v m="$_max" 'BEGIN { exit !(s > m) }'; then
		bad "$_what took $_s s (limit $_max s)"
	fi
	return $_rc
}
[ -n "$timer" ] || echo "note: no GNU time (/usr/bin/time): peak memory is not measured, only time"

small='10.0.0.9 - - [29/Nov/2026:10:00:01 +0000] "GET /ok HTTP/1.1" 200 2 "-" "curl"'
printf '%s\n' "$small" | measure "baseline (one line)" 10 "$bin" analyze --quiet --output json - >/dev/null
read -r base_kb _ <"$tmp/m"

# 100,000,000 bytes of a request that never ends, then a good line
huge() {
	printf '10.0.0.9 - - [29/Nov/2026:10:00:00 +0000] "GET /'
	head -c 100000000 /dev/zero | tr '\000' 'a'
	printf ' HTTP/1.1" 200 2 "-" "curl"\n%s\n' "$small"
}
# (read as json or trace, the one short line, a combined one, does not parse either:
# those runs end with exit 3 and say so; the limits below are what is checked)
for fmt in auto json trace; do
	if [ $fmt = auto ]; then
		huge | measure "100 MB line, --format $fmt" 20 "$bin" analyze --quiet --output json - >"$tmp/huge.json"
	else
		huge | measure "100 MB line, --format $fmt" 20 "$bin" analyze --quiet --format $fmt --output json - >"$tmp/huge.json"
	fi
	read -r kb _ <"$tmp/m"
	[ $((kb - base_kb)) -lt 102400 ] || bad "100 MB line ($fmt): $kb KiB peak, baseline $base_kb KiB"
	grep -q '"reason": "line too long (100000075 bytes; the limit is 65536)"' "$tmp/huge.json" ||
		bad "100 MB line ($fmt): no 'line too long' reject with its size: $(grep -A3 '"samples"' "$tmp/huge.json" | head -n 5)"
	grep -q '"lines": 2,' "$tmp/huge.json" || bad "100 MB line ($fmt): want 2 lines"
done
echo "ok: a 100 MB line is rejected as too long (plain, json, trace)"
huge | gzip -1 >"$tmp/huge.gz"
measure "100 MB line in a .gz ($(wc -c <"$tmp/huge.gz") bytes)" 20 "$bin" analyze --quiet --output json "$tmp/huge.gz" >"$tmp/huge.json"
read -r kb _ <"$tmp/m"
[ $((kb - base_kb)) -lt 102400 ] || bad "100 MB line (gzip): $kb KiB peak, baseline $base_kb KiB"
grep -q '"reason": "line too long (100000075 bytes; the limit is 65536)"' "$tmp/huge.json" || bad "100 MB line (gzip): no 'line too long' reject"
grep -q '"attempts": 1,' "$tmp/huge.json" || bad "100 MB line (gzip): the good line after it is not counted"
rm -f "$tmp/huge.gz"

# --- JSON nested 100,000 deep -----------------------------------------------------------------
# nest N: N '[' then N ']'
nest() {
	awk -v n="$1" 'BEGIN { s = "[[[[[[[[[["; t = "]]]]]]]]]]"; for (i = 0; i < n / 10; i++) printf "%s", s; for (i = 0; i < n / 10; i++) printf "%s", t }'
}
{
	printf '{"time":"2026-11-29T10:00:00+00:00","remote_addr":"10.0.0.4","request":"GET /d HTTP/1.1","status":200,"x":'
	nest 100000
	printf '}\n{"time":"2026-11-29T10:00:01+00:00","remote_addr":"10.0.0.4","request":"GET /d HTTP/1.1","status":200}\n'
} >"$tmp/deep.jsonl"
{
	printf '{"ts":"2026-11-29T10:00:00.000Z","client_id":"a","method":"GET","url":"/d","status":500,"attempt":1,"x":'
	nest 100000
	printf '}\n{"ts":"2026-11-29T10:00:01.000Z","client_id":"a","method":"GET","url":"/d","status":200,"attempt":2}\n'
} >"$tmp/deep.trace"
{
	printf '{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[{"startedDateTime":"2026-11-29T10:00:00.000Z","time":5,"request":{"method":"GET","url":"http://h/d","headers":[]},"response":{"status":200,"headers":[],"content":{"text":"x"}},"x":'
	nest 100000
	printf '}]}}\n'
} >"$tmp/deep.har"
for c in json:deep.jsonl trace:deep.trace; do
	f=$tmp/${c#*:}
	# as a long line (the default --max-line), and read whole by the parser
	measure "100,000-deep ${c%%:*} line" 10 "$bin" analyze --quiet --format "${c%%:*}" --output json "$f" >"$tmp/d.json"
	grep -q '"reason": "line too long' "$tmp/d.json" || bad "deep ${c%%:*}: not rejected as too long"
	measure "100,000-deep ${c%%:*} line, --max-line 1000000" 10 "$bin" analyze --quiet --max-line 1000000 --format "${c%%:*}" --output json "$f" >"$tmp/d.json"
	read -r kb _ <"$tmp/m"
	[ $((kb - base_kb)) -lt 102400 ] || bad "deep ${c%%:*}: $kb KiB peak, baseline $base_kb KiB"
	printf '{"totals": {"attempts": 1}, "rejected": {"count": 1, "samples": [{"line": 1, "reason": "JSON nested too deep"}]}}\n' >"$tmp/want.json"
	"$jsonsub" "$tmp/want.json" "$tmp/d.json" || bad "deep ${c%%:*} line: not rejected with a reason, or the next line lost"
done
measure "100,000-deep HAR" 10 "$bin" analyze --quiet --output json "$tmp/deep.har" >"$tmp/d.json"
printf '{"totals": {"attempts": 0}, "rejected": {"count": 1, "samples": [{"reason": "unreadable document (format har)"}]}}\n' >"$tmp/want.json"
"$jsonsub" "$tmp/want.json" "$tmp/d.json" || bad "deep HAR: not rejected with a reason"
echo "ok: JSON nested 100,000 deep is rejected (json line, trace line, HAR)"

# --- binary garbage, NUL bytes, invalid UTF-8 ---------------------------------------------
# 2,000 lines of pseudo-random bytes (no newline, each line starts with 0xff so none is
# blank), lines with NUL bytes, and a good line whose user agent is invalid UTF-8
awk 'BEGIN {
	srand(6)
	for (i = 0; i < 2000; i++) {
		printf "%c", 255
		n = 1 + int(rand() * 300)
		for (j = 0; j < n; j++) { c = 1 + int(rand() * 255); if (c == 10) c = 11; printf "%c", c }
		printf "\n"
	}
}' >"$tmp/garbage.log"
printf 'abc\000def\000\n\000\000\000\n' >>"$tmp/garbage.log"
printf '10.0.0.5 - - [29/Nov/2026:10:00:01 +0000] "GET /u HTTP/1.1" 200 2 "-" "bad \377\376\303( utf8"\n' >>"$tmp/garbage.log"
lines=$(wc -l <"$tmp/garbage.log" | tr -d ' ')
"$bin" analyze --format combined --output json "$tmp/garbage.log" >"$tmp/g.json" 2>"$tmp/g.err" || bad "analyze garbage.log"
printf '{"totals": {"attempts": 1}, "rejected": {"count": %s}, "sources": [{"lines": %s, "rejected": %s}]}\n' \
	$((lines - 1)) "$lines" $((lines - 1)) >"$tmp/want.json"
"$jsonsub" "$tmp/want.json" "$tmp/g.json" && echo "ok: $((lines - 1)) lines of garbage and NUL bytes rejected and counted, the good line an attempt" ||
	bad "garbage.log: not every garbage line counted as rejected"
grep -qF 'bad \\xff\\xfe\\xc3( utf8' "$tmp/g.json" || bad "the invalid UTF-8 user agent is not shown escaped"
"$bin" analyze --format combined "$tmp/garbage.log" >"$tmp/g.txt" 2>&1
clean "text report of garbage" "$tmp/g.txt"
"$bin" analyze "$tmp/garbage.log" >"$tmp/g.txt" 2>"$tmp/g.err"
rc=$?
[ $rc = 3 ] && grep -qF "$tmp/garbage.log: cannot tell the format" "$tmp/g.err" &&
	echo "ok: --format auto on garbage: exit 3, names the file and asks for --format" ||
	bad "--format auto on garbage → $rc: $(cat "$tmp/g.err")"

# --- a control byte in a target: its retries stay on its endpoint -------------------------
# (a chain still open at the end names its endpoint as the run interned it, raw; the
# database holds the name cleaned: the report's judgment of open chains matches them)
for st in 503 200; do
	printf '{"time":"2026-11-29T10:00:0%s+00:00","remote_addr":"198.18.0.1","request":"GET /v1/a\tb HTTP/1.1","status":%s,"http_user_agent":"sdk/1.0"}\n' \
		$([ $st = 503 ] && echo 1 || echo 3) $st
done >"$tmp/ctl.jsonl"
"$bin" analyze --quiet --format json --output json "$tmp/ctl.jsonl" >"$tmp/ctl.json"
r=$("$jsonsub" --get "$tmp/ctl.json" retries.retries 2>/dev/null)
e=$("$jsonsub" --get "$tmp/ctl.json" endpoints.0.retries 2>/dev/null)
[ "$r" = 1 ] && [ "$e" = 1 ] && echo "ok: a tab in a target: its open chain's retry counts on its endpoint" ||
	bad "a tab in a target: retries $r, its endpoint's $e"

exit $fail
