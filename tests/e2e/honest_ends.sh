#!/bin/sh
# honest_ends.sh BIN FIXTURES
#
# A run tells what went wrong instead of ending as if all were well (issue 12):
#   - an input of which no line parses with the --format given (a JSON log read as
#     combined) exits 3 with the check-format hint; its lines are still counted as
#     rejected;
#   - another --policy than the database's is a usage error (exit 2) that says which to
#     give; a smaller --max-lag than the run that saved waiting attempts is not (they
#     wait for the new run's own clock);
#   - report says when the last run did not finish (killed with -9), and when a run is
#     writing now.
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
rej=$("$bin" report --db "$tmp/w.db" --output json | sed -n 's/^      "rejected": \([0-9]*\),*$/\1/p' | head -n 1)
[ "$rej" = "$n" ] && ok "…and its $n lines are counted as rejected" || bad "rejected: $rej, want $n"
"$bin" analyze --quiet --format trace "$trace" >/dev/null && ok "the right format: exit 0" || bad "trace: failed"

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
exit $fail
