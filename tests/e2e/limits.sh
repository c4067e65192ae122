#!/bin/sh
# limits.sh BIN JSONSUB
#
# The README's Limits table, one cheap check per row that is not tested elsewhere
# (clients: clients_cap.sh; error templates: error_messages.sh; 100 MB lines and deep
# JSON: hostile.sh): each limit holds at its value, one past it is counted and
# reported, never silent.
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
# check WHAT WANT_JSON FILE: FILE holds every value of WANT_JSON
check() {
	printf '%s\n' "$2" >"$tmp/want.json"
	if "$jsonsub" "$tmp/want.json" "$3"; then
		echo "ok: $1"
	else
		bad "$1"
	fi
}
# line STATUS PATH UA [SECOND]: a combined line
line() {
	printf '10.0.0.1 - - [29/Nov/2026:10:00:%02d +0000] "GET %s HTTP/1.1" %s 2 "-" "%s"\n' "${4:-1}" "$2" "$1" "$3"
}
pad() { head -c "$1" /dev/zero | tr '\000' "${2:-u}"; }

# line length: 65,536 bytes (--max-line) is read, 65,537 is "line too long"
short=$(line 200 /x "" | wc -c) # the line and its newline with an empty user agent
{
	line 200 /x "$(pad $((65536 - short + 1)))"
	line 200 /x "$(pad $((65537 - short + 1)))"
} >"$tmp/len.log"
"$bin" analyze --quiet --format combined --output json "$tmp/len.log" >"$tmp/out.json"
check "line length: 65,536 bytes read, 65,537 rejected as too long" \
	'{"totals": {"attempts": 1}, "rejected": {"count": 1, "samples": [{"line": 2, "reason": "line too long (65537 bytes; the limit is 65536)"}]}}' "$tmp/out.json"
"$bin" analyze --quiet --format combined --max-line 100 --output json "$tmp/len.log" >"$tmp/out.json"
check "--max-line 100: both lines too long" '{"totals": {"attempts": 0}, "rejected": {"count": 2}}' "$tmp/out.json"

# a rejected line's sample: its first 160 bytes, marked as cut
"$bin" analyze --quiet --format combined --output json "$tmp/len.log" >"$tmp/out.json"
t=$(grep '"text": ' "$tmp/out.json" | head -n 1 | sed 's/^ *"text": "//; s/"$//; s/\\"/"/g')
[ "$(printf '%s' "$t" | wc -c)" -eq $((160 + 3)) ] && printf '%s' "$t" | grep -q '…$' &&
	echo "ok: a rejected line's sample is cut at 160 bytes and marked …" ||
	bad "sample text: $(printf '%s' "$t" | wc -c) bytes: $t"

# statuses 0..999: 1000 rejects the line (0, a network error, comes from traces)
{
	line 999 /x c
	line 1000 /x c
	line 100 /x c
} >"$tmp/status.log"
"$bin" analyze --quiet --format combined --output json "$tmp/status.log" >"$tmp/out.json"
check "statuses: 100 and 999 counted, 1000 rejected" '{"totals": {"attempts": 2}, "rejected": {"count": 1, "samples": [{"line": 2}]}}' "$tmp/out.json"

# rejected samples: 10 per input per run, the count exact
i=0
while [ $i -lt 15 ]; do
	echo "not a log line $i"
	i=$((i + 1))
done >"$tmp/rej.log"
line 200 /x c >>"$tmp/rej.log"
"$bin" analyze --quiet --format combined --output json "$tmp/rej.log" >"$tmp/out.json"
s=$(grep -c '"reason":' "$tmp/out.json")
check "rejected samples: 15 counted" '{"rejected": {"count": 15}}' "$tmp/out.json"
[ "$s" = 10 ] && echo "ok: rejected samples: 10 kept" || bad "rejected samples: $s kept, want 10"

# endpoint templates: 1,000 per database, then {other}; the report says so
awk 'BEGIN { for (i = 0; i < 1005; i++) printf "10.0.0.1 - - [29/Nov/2026:10:00:01 +0000] \"GET /e%dx HTTP/1.1\" 200 2 \"-\" \"c\"\n", i }' >"$tmp/ep.log"
"$bin" analyze --quiet --top 0 --output json "$tmp/ep.log" >"$tmp/out.json"
check "endpoint templates: past 1,000, {other}, endpoints_capped" '{"endpoints_capped": true, "totals": {"attempts": 1005}}' "$tmp/out.json"
grep -A3 '"endpoint": "{other}"' "$tmp/out.json" | grep -q '"attempts": 5,' && echo "ok: endpoint templates: 5 attempts under {other}" ||
	bad "endpoint templates: {other} does not hold 5 attempts"
"$bin" analyze --quiet "$tmp/ep.log" | grep -q "{other}" || bad "endpoint templates: the text report does not say so"

# template length: 256 bytes, longer ones cut
line 200 "/$(pad 400 z)" c >"$tmp/tl.log"
"$bin" analyze --quiet --output json "$tmp/tl.log" >"$tmp/out.json"
e=$(sed -n 's/.*"endpoint": "\(\/z*\).*/\1/p' "$tmp/out.json" | head -n 1)
[ ${#e} -le 256 ] && [ ${#e} -ge 200 ] && echo "ok: template length: cut to ${#e} bytes" || bad "template length: ${#e}"

# methods: 64 distinct, further ones under {other}
awk 'BEGIN { for (i = 0; i < 70; i++) printf "10.0.0.1 - - [29/Nov/2026:10:00:01 +0000] \"M%d /x HTTP/1.1\" 200 2 \"-\" \"c\"\n", i }' >"$tmp/m.log"
"$bin" analyze --quiet --top 0 --output json "$tmp/m.log" >"$tmp/out.json"
grep -A3 '"method": "{other}"' "$tmp/out.json" | grep -q '"attempts": 6,' && echo "ok: methods: 64 kept, 6 attempts under {other}" ||
	bad "methods: {other} does not hold 6 attempts"

# client strings: 512 bytes; two that agree on them are one client
{
	line 500 /x "$(pad 600)A" 1
	line 500 /x "$(pad 600)B" 2
} >"$tmp/cl.log"
"$bin" analyze --quiet --output json "$tmp/cl.log" >"$tmp/out.json"
check "client strings: cut at 512 bytes (two user agents that differ after byte 600 are one client)" \
	'{"retries": {"retries": 1}}' "$tmp/out.json"

# JSON nesting: 128 levels for json lines, 2,048 for traces (jansson)
nested() { # nested KIND DEPTH: a record whose member x holds DEPTH-1 nested arrays
	awk -v k="$1" -v d="$2" 'BEGIN {
		if (k == "json") printf "{\"time\":\"2026-11-29T10:00:01+00:00\",\"remote_addr\":\"10.0.0.2\",\"request\":\"GET /j HTTP/1.1\",\"status\":200,\"x\":"
		else printf "{\"ts\":\"2026-11-29T10:00:01.000Z\",\"client_id\":\"a\",\"method\":\"GET\",\"url\":\"/d\",\"status\":200,\"attempt\":1,\"x\":"
		for (i = 1; i < d; i++) printf "["
		for (i = 1; i < d; i++) printf "]"
		printf "}\n"
	}'
}
for c in json:128 trace:2048; do
	k=${c%%:*} d=${c#*:}
	{
		nested "$k" "$d"
		nested "$k" $((d + 1))
	} >"$tmp/n.log"
	"$bin" analyze --quiet --format "$k" --output json "$tmp/n.log" >"$tmp/out.json"
	check "JSON nesting ($k): $d levels read, $((d + 1)) rejected" \
		'{"totals": {"attempts": 1}, "rejected": {"count": 1, "samples": [{"line": 2, "reason": "JSON nested too deep"}]}}' "$tmp/out.json"
done

# --field: 32 options
args=
i=0
while [ $i -lt 33 ]; do
	args="$args --field status=s$i"
	i=$((i + 1))
done
# shellcheck disable=SC2086 # the options are words
"$bin" analyze --format json $args "$tmp/n.log" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "more than 32 times" "$tmp/err" && echo "ok: --field: 33 is a usage error" || bad "--field ×33 → $rc: $(cat "$tmp/err")"

exit $fail
