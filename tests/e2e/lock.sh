#!/bin/sh
# lock.sh BIN FIXTURES GENLOG
#
# One writer per database (SPEC §4). A run that holds the database (an ingest reading a
# FIFO no one writes yet) makes a second ingest wait, under any name of the database (a
# symlink shares the lock): with --wait 1 it gives up with
# exit 3 naming the holder's PID; with a longer wait it says it waits, then runs once
# the holder is done, and both runs' lines are counted. A report reads meanwhile. A
# holder killed with -9 frees the lock at once. Two ingests racing to create a new
# database both succeed, ten times over. Two concurrent ingests of the same large file
# count it once (the second waits, says so, then finds it read), and two of different
# files count both, exactly as analyze does.
set -u
bin=$1 fx=$2 genlog=$3
log=$fx/quickstart/access.log
if ! command -v mkfifo >/dev/null 2>&1; then
	echo "skip: mkfifo is not installed"
	exit 77
fi
tmp=$(mktemp -d)
trap 'exec 3>&-; kill $holder 2>/dev/null; rm -rf "$tmp"' EXIT
holder=
. "$(dirname "$0")/lib.sh"
one=$(analyze_attempts "$log")
[ -n "$one" ] && [ "$one" -gt 0 ] || bad "analyze of the quickstart log"

# --- a holder, a second run that gives up, a third that waits -----------------------
mkfifo "$tmp/in.fifo"
"$bin" ingest --quiet --db "$tmp/a.db" "$tmp/in.fifo" 2>"$tmp/holder.err" &
holder=$!
i=0
while [ ! -s "$tmp/a.db.lock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ "$(cat "$tmp/a.db.lock" 2>/dev/null)" = "$holder" ] && ok "the lock file names the holder" ||
	bad "the lock file holds '$(cat "$tmp/a.db.lock" 2>/dev/null)', want $holder"
"$bin" ingest --db "$tmp/a.db" --wait 1 "$log" 2>"$tmp/second.err"
rc=$?
[ $rc -eq 3 ] && ok "--wait 1 against a holder: exit 3" || bad "--wait 1 against a holder: exit $rc, want 3"
grep -q "PID $holder) is still writing" "$tmp/second.err" && ok "the message names the holder's PID" ||
	{ bad "no PID in: $(cat "$tmp/second.err")"; }
"$bin" report --db "$tmp/a.db" --output json >/dev/null && ok "report reads while the holder writes" ||
	bad "report failed while a writer held the database"
"$bin" ingest --db "$tmp/a.db" --wait 30 "$log" 2>"$tmp/third.err" &
third=$!
i=0 # until it waits (under valgrind it takes a while to get there)
while ! grep -q "waiting up to" "$tmp/third.err" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
cat "$log" >"$tmp/in.fifo" # the holder reads its input and finishes
wait $holder
hrc=$?
holder=
wait $third
trc=$?
[ $hrc -eq 0 ] && [ $trc -eq 0 ] && ok "holder and waiter both exit 0" || bad "holder exit $hrc, waiter exit $trc"
grep -q "is writing to it: waiting up to 30 s" "$tmp/third.err" && ok "the waiting run says so" ||
	bad "the waiting run did not say it waits: $(cat "$tmp/third.err")"
n=$(report_attempts "$tmp/a.db")
[ "$n" = $((2 * one)) ] && ok "both runs counted: $n attempts" || bad "$n attempts, want $((2 * one))"

# --- two concurrent ingests: of the same file, and of two files -------------------------
big=300000
case $bin in *valgrind*) big=20000 ;; esac # every run is many times slower there
"$genlog" --lines $big --seed 21 >"$tmp/big.log" || exit 1
"$genlog" --lines $big --seed 22 --start 1700090000 >"$tmp/big2.log" || exit 1
concurrent() { # DB FILE1 FILE2: two ingests, the second started once the first holds DB
	"$bin" ingest --quiet --db "$1" "$2" 2>"$tmp/c1.err" &
	c1=$!
	i=0
	while [ "$(cat "$1.lock" 2>/dev/null)" != "$c1" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
	"$bin" ingest --db "$1" "$3" 2>"$tmp/c2.err" &
	c2=$!
	wait $c1
	r1=$?
	wait $c2
	r2=$?
	[ $r1 = 0 ] && [ $r2 = 0 ] || bad "concurrent ingests into $1: exits $r1 and $r2: $(cat "$tmp/c1.err" "$tmp/c2.err")"
}
concurrent "$tmp/same.db" "$tmp/big.log" "$tmp/big.log"
[ "$(report_attempts "$tmp/same.db")" = $big ] && ok "two concurrent ingests of one file: counted once ($big)" ||
	bad "two concurrent ingests of one file: $(report_attempts "$tmp/same.db") attempts, want $big"
if grep -q "waiting up to" "$tmp/c2.err"; then
	grep -q "nothing new" "$tmp/c2.err" && ok "…the second waited, said so, and found nothing new" ||
		bad "the second run waited but did not say it found nothing new: $(cat "$tmp/c2.err")"
else
	echo "note: the first ingest of the same file finished before the second asked for the lock"
fi
concurrent "$tmp/two.db" "$tmp/big.log" "$tmp/big2.log"
want=$(($(analyze_attempts "$tmp/big.log") + $(analyze_attempts "$tmp/big2.log")))
[ "$(report_attempts "$tmp/two.db")" = "$want" ] && ok "two concurrent ingests of two files: both counted ($want)" ||
	bad "two concurrent ingests of two files: $(report_attempts "$tmp/two.db") attempts, want $want"

# --- two names of one database share its lock -------------------------------------------
mkdir "$tmp/real"
"$bin" ingest --quiet --db "$tmp/real/s.db" "$log" || bad "ingest into real/s.db"
ln -s "$tmp/real/s.db" "$tmp/link.db"
mkfifo "$tmp/s.fifo"
"$bin" ingest --quiet --db "$tmp/link.db" "$tmp/s.fifo" &
holder=$!
exec 3>"$tmp/s.fifo"
i=0
while [ "$(cat "$tmp/real/s.db.lock" 2>/dev/null)" != "$holder" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
"$bin" ingest --quiet --db "$tmp/real/s.db" --wait 0 "$log" 2>"$tmp/sym.err"
rc=$?
[ $rc -eq 3 ] && ok "a symlink to a database shares its lock" || bad "a symlink's writer did not hold the database: exit $rc"
exec 3>&-
wait $holder
holder=

# --- kill -9 frees the lock at once -------------------------------------------------
mkfifo "$tmp/k.fifo"
"$bin" ingest --quiet --db "$tmp/k.db" "$tmp/k.fifo" &
holder=$!
exec 3>"$tmp/k.fifo" # a writer that writes nothing: the holder waits for lines
i=0
while [ ! -s "$tmp/k.db.lock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $holder
wait $holder 2>/dev/null
holder=
exec 3>&-
if "$bin" ingest --quiet --db "$tmp/k.db" --wait 0 "$log"; then
	ok "after kill -9 of the holder, --wait 0 runs at once"
else
	bad "the lock outlived its holder"
fi
[ "$(report_attempts "$tmp/k.db")" = "$one" ] && ok "…and counts its lines" || bad "wrong count after the killed holder"

# --- two runs racing to create a database -------------------------------------------
races=0
r=0
while [ $r -lt 10 ]; do
	"$bin" ingest --quiet --db "$tmp/race$r.db" "$log" 2>"$tmp/race1.err" &
	p1=$!
	"$bin" ingest --quiet --db "$tmp/race$r.db" "$log" 2>"$tmp/race2.err" &
	p2=$!
	wait $p1
	rc1=$?
	wait $p2
	rc2=$?
	if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ "$(report_attempts "$tmp/race$r.db")" = "$one" ]; then
		races=$((races + 1))
	else
		echo "race $r: exits $rc1 $rc2: $(cat "$tmp/race1.err" "$tmp/race2.err")"
	fi
	r=$((r + 1))
done
[ $races -eq 10 ] && ok "10 races to create a database: no error, the same file counted once" ||
	bad "$((10 - races)) of 10 races to create a database failed"

# --- a report that opens a database while an ingest creates it ---------------------
# (the report migrates too: a migration must not run twice)
bad_races=0
r=0
while [ $r -lt 10 ]; do
	"$bin" ingest --quiet --db "$tmp/mr$r.db" "$log" 2>"$tmp/mi.err" &
	p1=$!
	"$bin" report --db "$tmp/mr$r.db" >/dev/null 2>"$tmp/mr.err"
	rc2=$?
	wait $p1
	rc1=$?
	if [ $rc1 -ne 0 ] || { [ $rc2 -ne 0 ] && ! grep -q "no such database" "$tmp/mr.err"; }; then
		bad_races=$((bad_races + 1))
		echo "race $r: ingest exit $rc1, report exit $rc2: $(cat "$tmp/mi.err" "$tmp/mr.err")"
	fi
	r=$((r + 1))
done
[ $bad_races -eq 0 ] && ok "10 reports racing an ingest that creates the database: no error" ||
	bad "$bad_races of 10 report/ingest races failed"

# --- a bad --wait is a usage error --------------------------------------------------
"$bin" ingest --db "$tmp/u.db" --wait soon "$log" 2>"$tmp/u.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--wait" "$tmp/u.err" && ok "--wait soon: exit 2 naming the option" ||
	bad "--wait soon: exit $rc: $(cat "$tmp/u.err")"
exit $fail
