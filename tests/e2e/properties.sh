#!/bin/sh
# properties.sh BIN JSONSUB TIMESORT GENLOG
#
# Properties of the retry analysis (issue 3), on generated logs with real retry traffic:
#   1. input shuffled by up to 55 s (< --max-lag 60 s) gives the same report as the
#      same input sorted by time, nothing late;
#   2. a file ingested in two runs (cut in the middle) gives the same report as one
#      analyze: chains and attempts waiting at the cut carry over in the database;
#   3. lines later than --max-lag are still counted, judged on arrival, and reported in
#      sources[].late.
# For combined (1 s resolution) and trace (ms resolution, Retry-After, idempotency keys,
# lockstep) logs, under default and leaperone.
set -u
bin=$1 jsonsub=$2 timesort=$3 genlog=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
same() { # NAME A B
	if "$jsonsub" --equal "$2" "$3" --ignore generated_at --ignore sources --ignore-field source \
		--ignore-field line; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		fail=1
	fi
}
for fmt in combined trace; do
	"$genlog" --lines 40000 --span 900 --clients 300 --disorder 55 --seed 7 --format $fmt >"$tmp/$fmt.log"
	"$timesort" $fmt "$tmp/$fmt.log" >"$tmp/$fmt.sorted"
	for pol in default leaperone; do
		"$bin" analyze --quiet --output json --top 0 --format $fmt --policy $pol "$tmp/$fmt.log" >"$tmp/a.json"
		"$bin" analyze --quiet --output json --top 0 --format $fmt --policy $pol "$tmp/$fmt.sorted" >"$tmp/b.json"
		same "$fmt/$pol: shuffled by ≤ 55 s = time-sorted" "$tmp/a.json" "$tmp/b.json"
		grep -q '"late": 0' "$tmp/a.json" || { echo "FAIL: $fmt/$pol: late attempts in a ≤ 55 s shuffle"; fail=1; }
		retries=$(tr -d ' \n' <"$tmp/a.json" | sed -n 's/.*"retries":{"chains":[0-9]*,"retries":\([0-9]*\).*/\1/p')
		[ "${retries:-0}" -gt 1000 ] || { echo "FAIL: $fmt/$pol: $retries retries: the test would prove little"; fail=1; }
		n=$(wc -l <"$tmp/$fmt.log")
		head -n $((n / 2)) "$tmp/$fmt.log" >"$tmp/h1"
		tail -n +$((n / 2 + 1)) "$tmp/$fmt.log" >"$tmp/h2"
		rm -f "$tmp/db"*
		"$bin" ingest --quiet --db "$tmp/db" --format $fmt --policy $pol "$tmp/h1" &&
			"$bin" ingest --quiet --db "$tmp/db" --format $fmt --policy $pol "$tmp/h2" &&
			"$bin" report --db "$tmp/db" --output json --top 0 >"$tmp/c.json"
		same "$fmt/$pol: two ingest runs = one analyze" "$tmp/a.json" "$tmp/c.json"
	done
done
# lines later than --max-lag: counted, judged on arrival, reported as late
"$genlog" --lines 2000 --span 300 --disorder 0 --seed 3 --format trace >"$tmp/late.log"
{ tail -n +101 "$tmp/late.log"; head -n 100 "$tmp/late.log"; } >"$tmp/late2.log"
"$bin" analyze --quiet --output json --format trace "$tmp/late2.log" >"$tmp/l.json"
late=$(tr -d ' \n' <"$tmp/l.json" | sed -n 's/.*"late":\([0-9]*\).*/\1/p')
attempts=$(tr -d ' \n' <"$tmp/l.json" | sed -n 's/.*"totals":{"attempts":\([0-9]*\).*/\1/p')
if [ "${late:-0}" -gt 0 ] && [ "$attempts" = 2000 ]; then
	echo "ok: $late of 100 lines moved to the end are late, and all 2000 are counted"
else
	echo "FAIL: late=$late attempts=$attempts"
	fail=1
fi
exit $fail
