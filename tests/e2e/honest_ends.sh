#!/bin/sh
# honest_ends.sh BIN FIXTURES
#
# A run tells what went wrong instead of ending as if all were well (issue 12):
#   - an input of which no line parses with the --format given (a JSON log read as
#     combined) exits 3 with the check-format hint; ingest then writes nothing of the run
#     (the run with the right format reads every line once), analyze reports the lines
#     as rejected;
#   - another --policy than the database's is a usage error (exit 2) that says which to
#     give; a smaller --max-lag than the run that saved waiting attempts is not (they
#     wait for the new run's own clock);
#   - report says when the last run did not finish (killed with -9), and when a run is
#     writing now;
#   - a stream and a file in one ingest are a usage error (a stream's run commits as it
#     goes, a run of files once: a crash would read the file again);
#   - a compressed copy that cannot be read up to its checkpoint (bad gzip data) is an
#     input error (exit 3, its checkpoint kept), not "nothing new";
#   - report checks --since/--until/--by before it opens the database (exit 2, not 3);
#   - a timeline of more than 1,000,000 buckets is refused with --by's name (exit 2).
set -u
bin=$1 fx=$2
log=$fx/quickstart/access.log
trace=$fx/errors-trace/trace.jsonl
tmp=$(mktemp -d)
trap 'exec 3>&-; kill $p 2>/dev/null; rm -rf "$tmp"' EXIT
p=
. "$(dirname "$0")/lib.sh"

# --- the wrong format ------------------------------------------------------------------
"$bin" ingest --db "$tmp/w.db" --format combined "$trace" 2>"$tmp/w.err"
rc=$?
n=$(grep -c . "$trace")
[ $rc -eq 3 ] && ok "a JSON log read as combined: exit 3" || bad "a JSON log read as combined: exit $rc"
grep -q "none of its $n lines parse as combined: is it another format? 'retrylens check-format $trace'" \
	"$tmp/w.err" && ok "…with the check-format hint" || bad "no hint: $(cat "$tmp/w.err")"
grep -q "nothing of this run was written (1 input had the wrong format): the same command with the right --format reads every line once" \
	"$tmp/w.err" && ok "…and ingest writes nothing of the run" || bad "no word of the rollback: $(cat "$tmp/w.err")"
"$bin" ingest --quiet --db "$tmp/w.db" --format combined "$log" "$trace" 2>/dev/null
"$bin" ingest --quiet --db "$tmp/w.db" --format trace "$trace" || bad "the right format: ingest failed"
"$bin" ingest --quiet --db "$tmp/w.db" --format combined "$log" || bad "the log's own format: ingest failed"
"$bin" analyze --quiet --output json "$log" >"$tmp/w1.json"
"$bin" analyze --quiet --output json --format trace "$trace" >"$tmp/w2.json"
want=$(($(json_attempts <"$tmp/w1.json") + $(json_attempts <"$tmp/w2.json")))
[ "$(report_attempts "$tmp/w.db")" = "$want" ] &&
	[ "$(sqlite3 "$tmp/w.db" 'SELECT sum(lines) FROM source' 2>/dev/null || echo "$((n + 36))")" = "$((n + 36))" ] &&
	ok "…then each input with its own format: every line counted once ($want attempts)" ||
	bad "after the wrong format: $(report_attempts "$tmp/w.db") attempts, want $want"
rej=$("$bin" analyze --format combined --output json "$trace" 2>/dev/null | sed -n 's/^      "rejected": \([0-9]*\),*$/\1/p' | head -n 1)
[ "$rej" = "$n" ] && ok "analyze with the wrong format reports its $n lines as rejected" || bad "analyze rejected: $rej, want $n"

# --- options against the stored state ---------------------------------------------------
"$bin" ingest --quiet --db "$tmp/l.db" "$log" || bad "ingest"
"$bin" ingest --quiet --db "$tmp/l.db" --policy leadey "$log" 2>"$tmp/l.err"
rc=$?
[ $rc -eq 2 ] && grep -q "this database was built with policy 'default'; ingest with --policy default" "$tmp/l.err" &&
	ok "another --policy than the database's: exit 2, saying which to give" || bad "--policy leadey: exit $rc: $(cat "$tmp/l.err")"
# a smaller --max-lag than the run that saved the waiting attempts is no conflict: they
# wait for this run's own clock (SPEC §3.1.8)
head -n 20 "$log" >"$tmp/lag.log"
"$bin" ingest --quiet --db "$tmp/lag.db" "$tmp/lag.log" || bad "ingest the first 20 lines"
tail -n +21 "$log" >>"$tmp/lag.log"
"$bin" ingest --quiet --db "$tmp/lag.db" --max-lag 5 "$tmp/lag.log" 2>"$tmp/l.err" && ok "--max-lag 5 after 60: taken" ||
	bad "--max-lag 5 after 60: $(cat "$tmp/l.err")"
[ "$(report_attempts "$tmp/lag.db")" = "$(analyze_attempts "$log")" ] && ok "…and every attempt counted once" ||
	bad "--max-lag 5 after 60: $(report_attempts "$tmp/lag.db") attempts, want $(analyze_attempts "$log")"

# --- a run that fails is recorded failed, not taken for one that was killed ------------
"$bin" ingest --quiet --db "$tmp/l.db" "$tmp/no-such.log" 2>/dev/null
if command -v sqlite3 >/dev/null 2>&1; then
	[ "$(sqlite3 "$tmp/l.db" 'SELECT status FROM run ORDER BY id DESC LIMIT 1')" = failed ] &&
		ok "a missing input: the run is recorded failed" || bad "a missing input: the run is not recorded failed"
fi
"$bin" report --db "$tmp/l.db" >/dev/null 2>"$tmp/r0.err"
grep -q "did not finish" "$tmp/r0.err" && bad "report takes a failed run for a killed one" ||
	ok "report does not take a failed run for a killed one"

# --- report after a run that died, and during one ----------------------------------------
if command -v mkfifo >/dev/null 2>&1; then
	mkfifo "$tmp/in.fifo"
	"$bin" ingest --quiet --flush-every 1 --db "$tmp/k.db" "$tmp/in.fifo" &
	p=$!
	exec 3>"$tmp/in.fifo"
	cat "$log" >&3
	sleep 2.5
	"$bin" report --db "$tmp/k.db" >/dev/null 2>"$tmp/r1.err"
	grep -q "an ingest is writing to it: the report holds its commits so far" "$tmp/r1.err" &&
		ok "report during a run says one is writing" || bad "report during a run: $(cat "$tmp/r1.err")"
	kill -9 $p
	wait $p 2>/dev/null
	p=
	exec 3>&-
	"$bin" report --db "$tmp/k.db" >/dev/null 2>"$tmp/r2.err"
	grep -q "the last run (ingest, started .*) did not finish: it was killed or crashed; the report holds what it committed (36 lines)" \
		"$tmp/r2.err" && ok "report after kill -9 says the last run did not finish" ||
		bad "report after kill -9: $(cat "$tmp/r2.err")"
	"$bin" report --db "$tmp/l.db" >/dev/null 2>"$tmp/r3.err"
	[ ! -s "$tmp/r3.err" ] && ok "report after runs that finished: nothing to say" || bad "$(cat "$tmp/r3.err")"
fi
# --- a stream and a file in one ingest ----------------------------------------------------
printf '' | "$bin" ingest --db "$tmp/m.db" - "$log" 2>"$tmp/m.err"
rc=$?
[ $rc = 2 ] && grep -q "ingest: - (standard input) is a stream and $log a file: ingest them in two runs" "$tmp/m.err" &&
	[ ! -e "$tmp/m.db" ] && ok "a stream and a file in one ingest: exit 2, says to run them apart" ||
	bad "a stream and a file: exit $rc: $(cat "$tmp/m.err")"

# --- a compressed copy unreadable before its checkpoint ------------------------------------
awk '{ for (i = 0; i < 200; i++) print }' "$log" >"$tmp/big.log"
gzip -c "$tmp/big.log" >"$tmp/big.log.1.gz"
"$bin" ingest --quiet --db "$tmp/g.db" "$tmp/big.log" || bad "ingest big.log"
size=$(wc -c <"$tmp/big.log.1.gz")
# the deflate data half-way through is garbage: the first 4 KiB still inflate (the same source)
printf 'garbage-garbage-garbage-garbage-garbage' | dd of="$tmp/big.log.1.gz" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$bin" ingest --db "$tmp/g.db" "$tmp/big.log.1.gz" 2>"$tmp/g.err"
rc=$?
[ $rc = 3 ] && grep -q "big.log.1.gz" "$tmp/g.err" && ! grep -q "nothing new" "$tmp/g.err" &&
	ok "a compressed copy unreadable before its checkpoint: exit 3 naming it" ||
	bad "a corrupt compressed copy: exit $rc: $(cat "$tmp/g.err")"

# --- report's options before its database ---------------------------------------------------
"$bin" report --db "$tmp/none.db" --since junk 2>"$tmp/w.err"
rc=$?
[ $rc = 2 ] && grep -q -- "--since 'junk'" "$tmp/w.err" && ok "report --since junk on a missing database: exit 2 naming --since" ||
	bad "report --since junk: exit $rc: $(cat "$tmp/w.err")"

# --- a timeline too long to hold ----------------------------------------------------------
printf '%s\n' '192.0.2.1 - - [01/Jan/2020:00:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "x"' \
	'192.0.2.1 - - [01/Jan/2026:00:00:00 +0000] "GET /a HTTP/1.1" 200 1 "-" "x"' >"$tmp/span.log"
"$bin" analyze --quiet --by minute "$tmp/span.log" >/dev/null 2>"$tmp/s.err"
rc=$?
[ $rc = 2 ] && grep -q -- "--by: the traffic spans 3156481 minutes: more than 1000000 buckets" "$tmp/s.err" &&
	ok "--by minute over six years: exit 2, says to give --by hour or day" || bad "a long timeline: exit $rc: $(cat "$tmp/s.err")"
"$bin" analyze --quiet --output json "$tmp/span.log" >"$tmp/s.json" && grep -q '"by": "day"' "$tmp/s.json" &&
	ok "the same traffic without --by: a timeline of days" || bad "six years without --by"
exit $fail
