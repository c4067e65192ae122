#!/bin/sh
# clock.sh BIN JSONSUB GENLOG
#
# The run's own clock (SPEC §3.1.8). Host B's log ingested after host A's, for the same
# hours, chains B's attempts as a run of B alone would: the database equals one
# `analyze` of both logs together, on every number (their clients differ). Lateness is
# per key against the last stored attempt: an attempt more than --max-lag before its
# key's last stored attempt is late; one of a key the database does not hold is not,
# however far it is before the other host's latest.
set -u
bin=$1 jsonsub=$2 genlog=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

n=50000
case $bin in *valgrind*) n=10000 ;; esac # every run is many times slower there
"$genlog" --lines $n --span 7200 --clients 300 --seed 1 >"$tmp/a.log" || exit 1
"$genlog" --lines $n --span 7200 --clients 300 --seed 2 | sed 's/^10\./11./' >"$tmp/b.log" # other clients
"$bin" ingest --quiet --db "$tmp/ab.db" "$tmp/a.log" || bad "ingest host A"
"$bin" ingest --quiet --db "$tmp/ab.db" "$tmp/b.log" || bad "ingest host B"
"$bin" analyze --quiet --output json --top 0 "$tmp/a.log" "$tmp/b.log" >"$tmp/ref.json"
"$bin" report --db "$tmp/ab.db" --output json --top 0 >"$tmp/got.json"
"$jsonsub" --equal "$tmp/ref.json" "$tmp/got.json" --ignore generated_at --ignore sources --ignore-field source &&
	ok "host B after host A, same hours: the database equals analyze of both together" ||
	bad "host B after host A differs from analyze of both"

# hand-worked: A leaves 10.0.0.1's GET /x open at 10:05:00; B has that key at 10:00:00
# (300 s before it: late) and another client at 10:00:00 and 10:00:01 (no stored
# attempt: not late, a chain of its own: 503 then 200, recovered)
cat >"$tmp/a2.log" <<'LOG'
10.0.0.1 - - [29/Nov/2026:10:04:58 +0000] "GET /x HTTP/1.1" 503 10 "-" "a"
10.0.0.1 - - [29/Nov/2026:10:05:00 +0000] "GET /x HTTP/1.1" 503 10 "-" "a"
LOG
cat >"$tmp/b2.log" <<'LOG'
10.0.0.1 - - [29/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 200 10 "-" "a"
10.0.0.9 - - [29/Nov/2026:10:00:00 +0000] "GET /z HTTP/1.1" 503 10 "-" "z"
10.0.0.9 - - [29/Nov/2026:10:00:01 +0000] "GET /z HTTP/1.1" 200 10 "-" "z"
LOG
"$bin" ingest --quiet --db "$tmp/c.db" "$tmp/a2.log" && "$bin" ingest --quiet --db "$tmp/c.db" "$tmp/b2.log" ||
	bad "ingest the hand-worked logs"
"$bin" report --db "$tmp/c.db" --output json >"$tmp/c.json"
cat >"$tmp/want.json" <<WANT
{"sources": [{"name": "$tmp/a2.log", "late": 0}, {"name": "$tmp/b2.log", "late": 1}],
 "retries": {"outcomes": {"recovered": 1, "open": 1}}}
WANT
"$jsonsub" "$tmp/want.json" "$tmp/c.json" && ok "late per key: B's attempt of A's open key is late, B's own key is not" ||
	bad "late per key"
"$bin" report --db "$tmp/c.db" >"$tmp/c.txt"
grep -q "late" "$tmp/c.txt" && ok "the text report shows the late count" || bad "the text report does not show late"
exit $fail
