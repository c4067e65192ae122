#!/bin/sh
# shipper_fifo.sh BIN FIXTURES
#
# What a log shipper delivers: Vector and Fluent Bit cannot pipe into a command, so
# users point a file sink at a FIFO. Here a writer plays the shipper: it wraps the
# quickstart log's lines in Fluent Bit's json_lines envelope ({"date":…,"log":"…"}) and
# writes them into a FIFO in two bursts, and `retrylens ingest` reads the FIFO like a
# file. Then the same lines in Vector's envelope ({"message":"…",…}) on stdin. Both must
# count exactly what the plain log counts.
set -u
bin=$1 fx=$2
log=$fx/quickstart/access.log
if ! command -v mkfifo >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	echo "skip: mkfifo or python3 is not installed"
	exit 77 # skipped (ctest SKIP_RETURN_CODE)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
wrap() { # KIND < lines > envelopes
	python3 -c '
import json, sys
kind = sys.argv[1]
for i, line in enumerate(sys.stdin.read().splitlines()):
    if kind == "fluentbit":
        print(json.dumps({"date": 1764410400.5 + i, "log": line}))
    else:
        print(json.dumps({"message": line, "timestamp": "2026-11-29T10:00:00Z", "host": "web-1", "source_type": "file"}))
' "$1"
}
"$bin" analyze --quiet --output json "$log" >"$tmp/plain.json" || exit 1
want=$(grep -E '"(attempts|lines|rejected|retries|chains)"' "$tmp/plain.json" | tr -d ' \n')

wrap fluentbit <"$log" >"$tmp/fb.jsonl"
mkfifo "$tmp/access.fifo"
half=$(($(wc -l <"$tmp/fb.jsonl") / 2))
(
	head -n "$half" "$tmp/fb.jsonl"
	sleep 1 # a shipper writes as lines arrive
	tail -n +"$((half + 1))" "$tmp/fb.jsonl"
) >"$tmp/access.fifo" &
"$bin" ingest --db "$tmp/fifo.db" "$tmp/access.fifo" 2>"$tmp/err" || { echo "FAIL: ingest from a FIFO"; cat "$tmp/err"; fail=1; }
wait
grep -q "format auto: fluentbit>combined" "$tmp/err" || { echo "FAIL: the envelope was not named:"; cat "$tmp/err"; fail=1; }
"$bin" report --db "$tmp/fifo.db" --output json >"$tmp/fifo.json"
got=$(grep -E '"(attempts|lines|rejected|retries|chains)"' "$tmp/fifo.json" | tr -d ' \n')
[ "$got" = "$want" ] && echo "ok: Fluent Bit envelopes through a FIFO count as the plain log" || {
	echo "FAIL: FIFO: $got, want $want"
	fail=1
}

wrap vector <"$log" | "$bin" analyze --output json - >"$tmp/vector.json" 2>"$tmp/err"
got=$(grep -E '"(attempts|lines|rejected|retries|chains)"' "$tmp/vector.json" | tr -d ' \n')
grep -q "format auto: vector>combined" "$tmp/err" || { echo "FAIL: vector envelope not named:"; cat "$tmp/err"; fail=1; }
[ "$got" = "$want" ] && echo "ok: Vector envelopes on stdin count as the plain log" || {
	echo "FAIL: vector: $got, want $want"
	fail=1
}
exit $fail
