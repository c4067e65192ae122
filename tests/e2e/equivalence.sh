#!/bin/sh
# equivalence.sh BIN JSONSUB LOG...
#
# The same lines must give the same report whichever way they arrive: `analyze FILE`,
# `analyze FILE.gz`, `cat FILE | analyze -`, and `ingest` into a database followed by
# `report`, and (for several files) ingest in two runs. Only generated_at and the
# source names may differ.
set -u
bin=$1 jsonsub=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
same() { # NAME FILE
	if "$jsonsub" --equal "$tmp/ref.json" "$2" --ignore generated_at --ignore sources --ignore-field source; then
		echo "ok: $1"
	else
		echo "FAIL: $1 differs from analyze FILE"
		fail=1
	fi
}
for log in "$@"; do
	[ -f "$log" ] || { echo "skip: $log is absent"; continue; }
	echo "== $log"
	"$bin" analyze --quiet --output json --top 0 "$log" >"$tmp/ref.json" || { echo "FAIL: analyze"; exit 1; }
	gzip -c "$log" >"$tmp/log.gz"
	"$bin" analyze --quiet --output json --top 0 "$tmp/log.gz" >"$tmp/gz.json"
	same "analyze FILE.gz" "$tmp/gz.json"
	"$bin" analyze --quiet --output json --top 0 - <"$log" >"$tmp/stdin.json"
	same "cat FILE | analyze -" "$tmp/stdin.json"
	rm -f "$tmp/db"*
	"$bin" ingest --quiet --db "$tmp/db" "$log" && "$bin" report --db "$tmp/db" --output json --top 0 >"$tmp/ir.json"
	same "ingest + report" "$tmp/ir.json"
	# the file split in two, ingested by two runs: the same numbers (rejected samples
	# name other files and line numbers)
	n=$(wc -l <"$log")
	head -n $((n / 2)) "$log" >"$tmp/part1"
	tail -n +$((n / 2 + 1)) "$log" >"$tmp/part2"
	rm -f "$tmp/db"*
	"$bin" ingest --quiet --db "$tmp/db" "$tmp/part1" && "$bin" ingest --quiet --db "$tmp/db" "$tmp/part2" &&
		"$bin" report --db "$tmp/db" --output json --top 0 >"$tmp/halves.json"
	"$jsonsub" --equal "$tmp/ref.json" "$tmp/halves.json" --ignore generated_at --ignore sources \
		--ignore-field source --ignore-field line &&
		echo "ok: two ingest runs" || { echo "FAIL: two ingest runs"; fail=1; }
done
exit $fail
