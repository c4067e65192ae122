#!/bin/sh
# streams.sh BIN JSONSUB FIXTURES
#
# Streams (SPEC §4): commits happen on a timer whether or not input arrives, and a
# signal ends a run cleanly.
#   - A FIFO held open gets the quickstart log in three bursts with idle time between:
#     after each burst the database holds every line so far within 2 × --flush-every.
#     Then a line without its newline, then SIGTERM: exit 0, the message says what was
#     committed and that the cut line was not counted, and the report equals `analyze`
#     of the whole lines.
#   - The same lines, then kill -9 once a timer commit passed: the database, open
#     chains and waiting attempts included, equals `analyze` of them.
#   - `tail -F` of a file that grows and is rotated (renamed, a new one created) into
#     `ingest -`: once every line is in, SIGTERM; the database equals `analyze` of every
#     line written. SIGINT and SIGHUP end a run the same way; analyze, stopped by
#     SIGINT, prints the report of what it read.
set -u
bin=$1 jsonsub=$2 fx=$3
log=$fx/quickstart/access.log
for c in mkfifo tail; do
	command -v $c >/dev/null 2>&1 || { echo "skip: $c is not installed"; exit 77; }
done
# under valgrind (RL_VALGRIND: BIN is a wrapper) every run is many times slower
flush=1
case $bin in *valgrind*) flush=4 ;; esac
tmp=$(mktemp -d)
pids=
trap 'exec 3>&-; for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
same() { # NAME REF.json DB
	"$bin" report --db "$3" --output json --top 0 >"$tmp/got.json"
	if "$jsonsub" --equal "$2" "$tmp/got.json" --ignore generated_at --ignore sources --ignore-field source; then
		ok "$1"
	else
		bad "$1 differs from analyze"
	fi
}

# --- a FIFO in bursts ------------------------------------------------------------------
mkfifo "$tmp/in.fifo"
"$bin" ingest --db "$tmp/f.db" --flush-every $flush "$tmp/in.fifo" 2>"$tmp/f.err" &
p=$!
pids="$pids $p"
exec 3>"$tmp/in.fifo"
n=$(wc -l <"$log")
for k in 12 24 $n; do
	sed -n "$((k - 11)),${k}p" "$log" >&3
	head -n "$k" "$log" >"$tmp/first.log"
	want=$(analyze_attempts "$tmp/first.log")
	sleep $((2 * flush)) # 2 × --flush-every
	got=$(report_attempts "$tmp/f.db")
	[ "$got" = "$want" ] && ok "burst to line $k: the database holds its $want attempts within $((2 * flush)) s" ||
		bad "burst to line $k: the database holds $got attempts, want $want"
done
printf '10.9.9.9 - - [29/Nov/2026:10:00:00 +0000] "GET /cut' >&3
sleep $flush
kill -TERM $p
wait $p
rc=$?
exec 3>&-
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
grep -q "stopped by SIGTERM: committed every whole line read ($n lines)" "$tmp/f.err" && ok "SIGTERM: says so" ||
	bad "SIGTERM: no message: $(cat "$tmp/f.err")"
grep -q "a last line of 51 bytes had no newline yet" "$tmp/f.err" && ok "the cut line: not counted, and said" ||
	bad "the cut line: $(cat "$tmp/f.err")"
[ "$(sqlite3 "$tmp/f.db" 'SELECT status FROM run' 2>/dev/null || echo ok)" = ok ] && ok "the run is recorded ok" ||
	bad "the run's status is not ok"
"$bin" analyze --quiet --output json --top 0 "$log" >"$tmp/ref.json"
same "the FIFO's database equals analyze of its lines" "$tmp/ref.json" "$tmp/f.db"

# --- kill -9 of a stream after a timer commit: its retry state was committed with it ------
mkfifo "$tmp/k.fifo"
"$bin" ingest --quiet --db "$tmp/k.db" --flush-every $flush "$tmp/k.fifo" 2>"$tmp/k.err" &
p=$!
pids="$pids $p"
exec 3>"$tmp/k.fifo"
cat "$log" >&3
sleep $((2 * flush))
kill -9 $p
wait $p 2>/dev/null
exec 3>&-
same "kill -9 of a stream 2 × --flush-every after its lines: the database (chains included) equals analyze" \
	"$tmp/ref.json" "$tmp/k.db"

# --- tail -F of a growing, rotating file -------------------------------------------------
: >"$tmp/app.log"
tail -n +1 -F "$tmp/app.log" 2>/dev/null | "$bin" ingest --db "$tmp/t.db" --flush-every $flush - 2>"$tmp/t.err" &
pids="$pids $!"
i=0
while [ $i -lt 50 ] && ! pgrep -f "ingest --db $tmp/t.db" >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
rp=$(pgrep -f "ingest --db $tmp/t.db" | head -n 1)
: >"$tmp/all.log"
k=0
while IFS= read -r line; do
	k=$((k + 1))
	printf '%s\n' "$line" >>"$tmp/app.log"
	printf '%s\n' "$line" >>"$tmp/all.log"
	if [ $k -eq 18 ]; then # logrotate's create: rename, then a new file under the old name
		sleep 1.5
		mv "$tmp/app.log" "$tmp/app.log.1"
		: >"$tmp/app.log"
		sleep 1.5
	fi
	[ $((k % 6)) -eq 0 ] && sleep 0.2
done <"$log"
want=$(analyze_attempts "$tmp/all.log")
deadline=$(($(date +%s) + 20 * flush))
while [ "$(date +%s)" -lt $deadline ] && [ "$(report_attempts "$tmp/t.db")" != "$want" ]; do sleep 0.2; done
[ -n "$rp" ] && kill -TERM "$rp"
i=0
while [ $i -lt 100 ] && kill -0 "$rp" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
grep -q "stopped by SIGTERM" "$tmp/t.err" && ok "tail -F: SIGTERM ends the run cleanly" ||
	bad "tail -F: $(cat "$tmp/t.err")"
"$bin" analyze --quiet --output json --top 0 "$tmp/all.log" >"$tmp/ref2.json"
same "tail -F through a rotation: the database equals analyze of every line written" "$tmp/ref2.json" "$tmp/t.db"

# --- SIGINT and SIGHUP ------------------------------------------------------------------
for sig in INT HUP; do
	rm -f "$tmp/s.fifo"
	mkfifo "$tmp/s.fifo"
	"$bin" ingest --db "$tmp/$sig.db" "$tmp/s.fifo" 2>"$tmp/$sig.err" &
	p=$!
	exec 3>"$tmp/s.fifo"
	cat "$log" >&3
	sleep $flush
	kill -$sig $p
	wait $p
	rc=$?
	exec 3>&-
	[ $rc -eq 0 ] && grep -q "stopped by SIG$sig" "$tmp/$sig.err" && ok "SIG$sig: exit 0, said" ||
		bad "SIG$sig: exit $rc: $(cat "$tmp/$sig.err")"
	same "SIG$sig: the database equals analyze" "$tmp/ref.json" "$tmp/$sig.db"
done
# --- a signal while the FIFO waits for its writer: a clean, empty run ----------------
rm -f "$tmp/s.fifo"
mkfifo "$tmp/s.fifo"
"$bin" ingest --db "$tmp/open.db" "$tmp/s.fifo" 2>"$tmp/open.err" &
p=$!
sleep $flush
kill -TERM $p
wait $p
rc=$?
[ $rc -eq 0 ] && grep -q "stopped by SIGTERM: committed every whole line read (0 lines)" "$tmp/open.err" &&
	ok "SIGTERM while a FIFO has no writer yet: exit 0, said" || bad "SIGTERM during open: exit $rc: $(cat "$tmp/open.err")"

# --- a first burst of two lines (under 512 bytes), then silence: counted on time ----------
rm -f "$tmp/s.fifo"
mkfifo "$tmp/s.fifo"
"$bin" ingest --quiet --db "$tmp/two.db" --flush-every $flush "$tmp/s.fifo" &
p=$!
exec 3>"$tmp/s.fifo"
head -n 2 "$log" >&3
sleep $((2 * flush + 1))
got=$(report_attempts "$tmp/two.db")
[ "$got" = 2 ] && ok "two lines then silence: both committed within $((2 * flush + 1)) s" ||
	bad "two lines then silence: $got attempts committed"
kill -TERM $p
wait $p
exec 3>&-

# --- analyze stops the same way and prints the report of what it read ----------------
rm -f "$tmp/s.fifo"
mkfifo "$tmp/s.fifo"
"$bin" analyze --output json --top 0 "$tmp/s.fifo" >"$tmp/an.json" 2>"$tmp/an.err" &
p=$!
exec 3>"$tmp/s.fifo"
cat "$log" >&3
sleep $flush
kill -INT $p
wait $p
rc=$?
exec 3>&-
[ $rc -eq 0 ] && grep -q "stopped by SIGINT: the report covers every whole line read" "$tmp/an.err" &&
	ok "analyze: SIGINT exits 0 and says so" || bad "analyze: SIGINT: exit $rc: $(cat "$tmp/an.err")"
if "$jsonsub" --equal "$tmp/ref.json" "$tmp/an.json" --ignore generated_at --ignore sources --ignore-field source; then
	ok "analyze: SIGINT prints the report of what was read"
else
	bad "analyze: the report after SIGINT differs"
fi
exit $fail
