#!/bin/sh
# windows.sh BIN JSONSUB GENLOG FIXTURES
#
# Time windows and the timeline (SPEC §3 time attribution, §5 --since/--until/--by, §6
# timeline). The quickstart log's timeline, counted by hand from its status table
# (fixtures/quickstart/NOTES.md) and its times: 10:00 has 15 attempts, 10 errors, 4 of
# them retryable; 10:01 15, 9, 6; 10:02 4, 3, 0 (the two 400s of the unparsed requests
# and the 410). Windows that split a database sum to the whole on every additive number
# (an ingest, whose open chains the report judges, and analyze), and so do the timeline's
# buckets. A bad time, an empty window and an unknown --by are usage errors.
set -u
bin=$1 jsonsub=$2 genlog=$3 fx=$4
log=$fx/quickstart/access.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
get() { "$jsonsub" --get "$@"; }

"$bin" analyze --quiet --output json "$log" >"$tmp/q.json" || bad "analyze quickstart"
[ "$(get "$tmp/q.json" window.by timeline.# | tr '\n' ' ')" = '"minute" 3 ' ] &&
	ok "quickstart: a 2.5-minute log gets 3 minute buckets" || bad "quickstart: $(get "$tmp/q.json" window.by timeline.#)"
row() { get "$tmp/q.json" timeline."$1".start timeline."$1".attempts timeline."$1".errors timeline."$1".retryable_errors | tr '\n' ' '; }
[ "$(row 0)" = '"2026-11-29T10:00:00Z" 15 10 4 ' ] && [ "$(row 1)" = '"2026-11-29T10:01:00Z" 15 9 6 ' ] &&
	[ "$(row 2)" = '"2026-11-29T10:02:00Z" 4 3 0 ' ] && ok "quickstart: the timeline's attempts, errors, retryable errors by hand" ||
	bad "quickstart timeline: $(row 0) / $(row 1) / $(row 2)"

# the additive numbers of a report, one per line
numbers() {
	get "$1" totals.attempts totals.errors totals.retryable_errors totals.success retries.chains retries.retries \
		retries.blind_4xx_retries retries.unsafe_retries retries.outcomes.recovered retries.outcomes.gave_up \
		retries.outcomes.open retries.unretried_failures retries.backoff.checked retries.backoff.compliant retries.backoff.too_fast \
		retries.backoff.ignored_retry_after retries.backoff.over_max_retries retries.backoff.no_jitter \
		retries.rekeyed.attempts
}
# the timeline's sums, in the order of timeline_totals
timeline_sums() {
	n=$(get "$1" timeline.#)
	i=0
	while [ $i -lt "$n" ]; do
		get "$1" timeline.$i.attempts timeline.$i.errors timeline.$i.retryable_errors timeline.$i.retries \
			timeline.$i.blind_4xx_retries | tr '\n' ' '
		echo
		i=$((i + 1))
	done | awk '{ for (k = 1; k <= 5; k++) s[k] += $k } END { printf "%d %d %d %d %d\n", s[1], s[2], s[3], s[4], s[5] }'
}
timeline_totals() { get "$1" totals.attempts totals.errors totals.retryable_errors retries.retries retries.blind_4xx_retries | tr '\n' ' ' | sed 's/ $//'; }
# sums WANT.json PART.json...: every number of numbers() of the parts sums to WANT's
sums() {
	what=$1 want=$2
	shift 2
	for p in "$@"; do numbers "$p" >"$p.n"; done
	numbers "$want" >"$tmp/want.n"
	paste "$tmp/want.n" $(for p in "$@"; do echo "$p.n"; done) | awk '{ s = 0; for (k = 2; k <= NF; k++) s += $k; if (s != $1) bad = 1 } END { exit bad }' &&
		ok "$what: the windows sum to the whole ($(tr '\n' ' ' <"$tmp/want.n"))" ||
		bad "$what: the windows do not sum to the whole: $(paste "$tmp/want.n" $(for p in "$@"; do echo "$p.n"; done) | tr '\t' ' ' | tr '\n' ';')"
	[ "$(timeline_sums "$want")" = "$(timeline_totals "$want")" ] && ok "$what: the timeline sums to the totals" ||
		bad "$what: timeline sums $(timeline_sums "$want"), totals $(timeline_totals "$want")"
}

"$bin" ingest --quiet --db "$tmp/q.db" "$log" || bad "ingest quickstart"
"$bin" report --db "$tmp/q.db" --output json >"$tmp/all.json"
"$bin" report --db "$tmp/q.db" --output json --until 2026-11-29T10:01:00Z >"$tmp/a.json"
"$bin" report --db "$tmp/q.db" --output json --since 2026-11-29T10:01:00Z >"$tmp/b.json"
sums "quickstart, ingest + report (6 chains still open)" "$tmp/all.json" "$tmp/a.json" "$tmp/b.json"

# three days of traffic: by day, and analyze with the same windows
"$genlog" --lines 60000 --span 259200 --clients 300 --seed 5 --start 1764460800 >"$tmp/d.log" || exit 1
"$bin" ingest --quiet --db "$tmp/d.db" "$tmp/d.log" || bad "ingest 3 days"
"$bin" report --db "$tmp/d.db" --output json >"$tmp/d.json"
[ "$(get "$tmp/d.json" window.by)" = '"hour"' ] && ok "3 days: hour buckets by default" || bad "3 days: by $(get "$tmp/d.json" window.by)"
"$bin" report --db "$tmp/d.db" --output json --by day >"$tmp/dd.json"
[ "$(get "$tmp/dd.json" timeline.# timeline.0.start | tr '\n' ' ')" = '3 "2025-11-30T00:00:00Z" ' ] &&
	ok "--by day: 3 UTC days" || bad "--by day: $(get "$tmp/dd.json" timeline.# timeline.0.start | tr '\n' ' ')"
"$bin" report --db "$tmp/d.db" --output json --until 2025-12-01 >"$tmp/d1.json"
"$bin" report --db "$tmp/d.db" --output json --since 2025-12-01 --until 2025-12-02T00:00:00Z >"$tmp/d2.json"
"$bin" report --db "$tmp/d.db" --output json --since 2025-12-02 >"$tmp/d3.json"
sums "3 days, by day" "$tmp/d.json" "$tmp/d1.json" "$tmp/d2.json" "$tmp/d3.json"
"$bin" analyze --quiet --output json "$tmp/d.log" >"$tmp/e.json"
"$bin" analyze --quiet --output json --since 2025-12-01T12:00:00Z "$tmp/d.log" >"$tmp/e2.json"
"$bin" analyze --quiet --output json --until 2025-12-01T12:00:00Z "$tmp/d.log" >"$tmp/e1.json"
sums "3 days, analyze split at noon" "$tmp/e.json" "$tmp/e1.json" "$tmp/e2.json"

# usage errors
for args in "--since 10:00" "--since 2026-11-29T10:00:30Z" "--by week" \
	"--since 2026-11-29T11:00:00Z --until 2026-11-29T10:00:00Z"; do
	# shellcheck disable=SC2086 # the arguments are words
	"$bin" report --db "$tmp/q.db" $args >/dev/null 2>"$tmp/u.err"
	rc=$?
	[ $rc = 2 ] && grep -q -- "${args%% *}" "$tmp/u.err" && ok "$args: exit 2, naming the option" ||
		bad "$args: exit $rc: $(cat "$tmp/u.err")"
done
exit $fail
