#!/bin/sh
# fail_on.sh BIN FIXTURES
#
# --fail-on (SPEC §5) on analyze and report, against the quickstart log's hand count
# (fixtures/quickstart/NOTES.md: 34 attempts, 5 blind 4xx retries of 34 → 0.147):
# a crossed threshold exits 1 with one line per threshold on stderr and still prints
# the report; an uncrossed one exits 0 silently; an unknown metric exits 2 before any
# input is read and names the closest ones; a null value never crosses and warns; an
# input error (exit 3) wins over a crossed threshold (1).
set -u
bin=$1 fx=$2
log=$fx/quickstart/access.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
expect() { # NAME WANT_EXIT [GREP_STDERR]
	if [ "$rc" -ne "$2" ]; then
		bad "$1: exit $rc, want $2 ($(cat "$tmp/err"))"
	elif [ $# -ge 3 ] && ! grep -q -- "$3" "$tmp/err"; then
		bad "$1: stderr lacks '$3': $(cat "$tmp/err")"
	else
		ok "$1"
	fi
}
run() { # ARGS...: rc, stdout in $tmp/out, stderr in $tmp/err
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

run analyze --quiet --output json --fail-on 'blind_4xx_retry_rate>0.01' "$log"
expect "crossed: exit 1" 1 "--fail-on 'blind_4xx_retry_rate>0.01' crossed: retries.blind_4xx_retry_rate is 0.14"
grep -q '"schema": "retrylens.report/1"' "$tmp/out" && ok "crossed: the report is still printed" ||
	bad "crossed: no report on stdout"
run analyze --quiet --fail-on 'blind_4xx_retry_rate>0.5' --fail-on 'totals.attempts>=34' --fail-on 'attempts!=34' "$log"
expect "one of three crossed: exit 1" 1 "'totals.attempts>=34' crossed: totals.attempts is 34 (>= 34)"
[ "$(grep -c 'crossed' "$tmp/err")" -eq 1 ] && ok "one line per crossed threshold" ||
	bad "$(grep -c crossed "$tmp/err") lines for one crossed threshold"
run analyze --quiet --fail-on 'blind_4xx_retry_rate>0.5' --fail-on 'attempts<34' "$log"
expect "not crossed: exit 0" 0
[ ! -s "$tmp/err" ] && ok "not crossed: nothing on stderr" || bad "not crossed: $(cat "$tmp/err")"
run analyze --quiet --fail-on 'blind_retry_rate>0.01' "$log"
expect "unknown metric: exit 2" 2 "did you mean retries.blind_4xx_retry_rate"
[ ! -s "$tmp/out" ] && ok "unknown metric: no report" || bad "unknown metric: a report was printed"
run analyze --quiet --fail-on 'attempts=>1' "$log"
expect "bad operator: exit 2" 2 "--fail-on"
: >"$tmp/empty.log"
run analyze --quiet --fail-on 'compliance_rate<0.9' "$tmp/empty.log"
expect "null: exit 0 with a warning" 0 "retries.backoff.compliance_rate is null (nothing to measure): not crossed"
gzip -c "$log" | head -c 400 >"$tmp/cut.gz"
run analyze --quiet --fail-on 'attempts>=0' "$tmp/cut.gz"
expect "input error and a crossed threshold: exit 3" 3 "truncated gzip"
"$bin" ingest --quiet --db "$tmp/a.db" "$log"
run report --db "$tmp/a.db" --fail-on 'blind_4xx_retries>=5'
expect "report: crossed: exit 1" 1 "retries.blind_4xx_retries is 5"
run report --db "$tmp/a.db" --fail-on 'blind_4xx_retries>5'
expect "report: not crossed: exit 0" 0
run report --db "$tmp/a.db" --fail-on 'nope>1'
expect "report: unknown metric: exit 2" 2 "no metric nope"
exit $fail
