#!/bin/sh
# faults.sh BIN JSONSUB GENLOG FIXTURES
#
# Faults around a database and its inputs (issue 6): a database that may not be written,
# a missing or read-only directory, a full disk (RLIMIT_FSIZE and a small tmpfs), a
# corrupt or truncated database, a newer schema, truncated and corrupt .gz, a file that
# shrinks or vanishes while it is read, SIGKILL during commits. Each case checks the
# exit status (3; 2 for usage), a message on stderr that names the file, and that the
# database afterwards passes PRAGMA integrity_check and holds exactly what the runs
# that got through committed: the sums of source, run, bucket_total and the report's
# totals agree, and equal what the successful runs read.
#
# Needs the sqlite3 shell (without it: a message and exit 77, which ctest counts as
# skipped). Cases that need another user (setpriv), mount or /proc skip with a message
# where they are not available.
set -u
bin=$1 jsonsub=$2 genlog=$3 fx=$4
tmp=$(mktemp -d)
mnt=
cleanup() {
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	chmod -R u+w "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail=0
log=$fx/quickstart/access.log # 36 lines, 34 attempts, 1 rejected

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "skip: the sqlite3 shell is not installed (apt-get install sqlite3): no fault test can check a database"
	exit 77
fi

bad() {
	echo "FAIL: $*"
	fail=1
}

q() { sqlite3 -batch "$1" "$2"; }

# run OUT CMD...: runs CMD with stdout in OUT.out, stderr in OUT.err; sets rc
run() {
	out=$1
	shift
	"$@" >"$out.out" 2>"$out.err"
	rc=$?
}

# expect WHAT STATUS NEEDLE...: the last run exited STATUS, was not killed by a signal,
# and its stderr holds every NEEDLE
expect() {
	_what=$1 _want=$2
	shift 2
	_ok=1
	[ "$rc" = "$_want" ] || _ok=0
	for _n in "$@"; do
		grep -qF -- "$_n" "$out.err" || _ok=0
	done
	if [ $_ok = 1 ]; then
		echo "ok: $_what → $rc: $(grep -v 'format auto' "$out.err" | head -n 1)"
	else
		bad "$_what → exit $rc (want $_want$([ "$rc" -gt 128 ] 2>/dev/null && echo ", killed by signal $((rc - 128))")), stderr:"
		sed 's/^/    /' "$out.err"
		echo "  (want it to mention: $*)"
	fi
}

# intact WHAT DB [LINES [ATTEMPTS]]: integrity_check says ok; the per-input counts, the
# runs' counts, the attempt buckets and the report's totals agree with each other (and
# with LINES and ATTEMPTS, in all inputs together, when given)
intact() {
	_what=$1 _db=$2
	_ic=$(q "$_db" 'PRAGMA integrity_check' 2>&1)
	if [ "$_ic" != ok ]; then
		bad "$_what: integrity_check: $_ic"
		return
	fi
	_src=$(q "$_db" 'SELECT coalesce(sum(lines),0), coalesce(sum(attempts),0), coalesce(sum(rejected),0) FROM source')
	_runs=$(q "$_db" 'SELECT coalesce(sum(lines),0), coalesce(sum(attempts),0), coalesce(sum(rejected),0) FROM run')
	_buckets=$(q "$_db" 'SELECT (SELECT coalesce(sum(attempts),0) FROM bucket_total), (SELECT coalesce(sum(attempts),0) FROM bucket)')
	_retries=$(q "$_db" 'SELECT (SELECT coalesce(sum(retries),0) FROM retry_total), (SELECT coalesce(sum(retries),0) FROM retry_bucket)')
	_a=$(echo "$_src" | cut -d'|' -f2)
	[ "$_src" = "$_runs" ] || bad "$_what: source sums $_src, run sums $_runs (lines|attempts|rejected)"
	[ "$_buckets" = "$_a|$_a" ] || bad "$_what: $_a attempts in source, bucket_total|bucket hold $_buckets"
	[ "$(echo "$_retries" | cut -d'|' -f1)" = "$(echo "$_retries" | cut -d'|' -f2)" ] ||
		bad "$_what: retry_total|retry_bucket retries $_retries"
	if [ $# -ge 3 ] && [ "$(echo "$_src" | cut -d'|' -f1)" != "$3" ]; then
		bad "$_what: want $3 lines; source holds $_src"
	fi
	if [ $# -ge 4 ] && [ "$_a" != "$4" ]; then
		bad "$_what: want $4 attempts; source holds $_src"
	fi
	if "$bin" report --db "$_db" --output json >"$tmp/report.json" 2>"$tmp/report.err"; then
		printf '{"totals": {"attempts": %s}}\n' "$_a" >"$tmp/want.json"
		"$jsonsub" "$tmp/want.json" "$tmp/report.json" || bad "$_what: the report's totals differ from the database's"
	else
		bad "$_what: report fails: $(cat "$tmp/report.err")"
	fi
	echo "ok: $_what: integrity ok, lines|attempts|rejected $_src"
}

# lines_of DB NAME: "lines|attempts" of one input
lines_of() { q "$1" "SELECT lines, attempts FROM source WHERE name = '$2'"; }

sum_file() { cksum <"$1"; }

# the generated logs: 200,000 lines (27 MB) and a 600,000-line stream for the kills
"$genlog" --lines 200000 --span 86400 >"$tmp/big.log" || exit 1
big_lines=200000

# a reference database: the quickstart log, committed
"$bin" ingest --quiet --db "$tmp/ref.db" "$log" || exit 1
intact "reference database" "$tmp/ref.db" 36 34

# --- a database that may not be written -----------------------------------------
# CI runs as root, who writes anyway: run these cases as nobody where setpriv can
asuser=
if [ "$(id -u)" != 0 ]; then
	asuser=" "
elif command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	chmod 755 "$tmp"
	cp "$bin" "$tmp/rl" && chmod 755 "$tmp/rl"
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/rl" --version >/dev/null 2>&1; then
		asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
	fi
fi
if [ -n "$asuser" ]; then
	rbin=$bin
	[ "$asuser" = " " ] || rbin=$tmp/rl
	# shellcheck disable=SC2086 # $asuser is a command prefix
	mkdir "$tmp/w" && chmod 1777 "$tmp/w"
	cp "$tmp/ref.db" "$tmp/w/ro.db" && chmod 444 "$tmp/w/ro.db"
	before=$(sum_file "$tmp/w/ro.db")
	run "$tmp/ro" $asuser "$rbin" ingest --db "$tmp/w/ro.db" "$log"
	expect "ingest into a read-only database file (chmod 444)" 3 "$tmp/w/ro.db" "readonly database" "may write"
	[ "$(sum_file "$tmp/w/ro.db")" = "$before" ] || bad "the read-only database changed"
	chmod 644 "$tmp/w/ro.db"
	intact "read-only database afterwards" "$tmp/w/ro.db" 36 34

	mkdir "$tmp/rodir" && chmod 555 "$tmp/rodir"
	run "$tmp/rodir" $asuser "$rbin" ingest --db "$tmp/rodir/new.db" "$log"
	expect "a new database in a read-only directory" 3 "$tmp/rodir/new.db" "cannot create the lock file" "may you write there"
	[ -z "$(ls -A "$tmp/rodir")" ] || bad "files were left in the read-only directory: $(ls -A "$tmp/rodir")"

	# an existing, writable database in a read-only directory: its lock file (and SQLite's
	# -wal and -shm) cannot be made beside it
	mkdir "$tmp/rodir2" && cp "$tmp/ref.db" "$tmp/rodir2/x.db"
	[ "$asuser" = " " ] || chown 65534 "$tmp/rodir2/x.db"
	chmod 555 "$tmp/rodir2"
	run "$tmp/rodir2" $asuser "$rbin" ingest --db "$tmp/rodir2/x.db" "$log"
	expect "a writable database in a read-only directory" 3 "$tmp/rodir2/x.db" "cannot create the lock file" "may you write there"
	chmod 755 "$tmp/rodir2"
	intact "database in a read-only directory afterwards" "$tmp/rodir2/x.db" 36 34
else
	echo "skip: cannot run as another user (not root with setpriv): unwritable-database cases"
fi

# --- a directory that does not exist ------------------------------------------------
run "$tmp/nodir" "$bin" ingest --db "$tmp/nodir/sub/x.db" "$log"
expect "a database in a missing directory" 3 "$tmp/nodir/sub/x.db" "does its directory exist"
[ ! -e "$tmp/nodir" ] || bad "the missing directory was created"
run "$tmp/nodir" "$bin" report --db "$tmp/nodir/x.db"
expect "report of a database in a missing directory" 3 "$tmp/nodir/x.db" "no such database"

# --- disk full: RLIMIT_FSIZE ------------------------------------------------------------
# SQLite's write fails with EFBIG; the process must not die of SIGXFSZ, and the
# database keeps its last complete commit (with --flush-every 0.02, some of big.log)
cp "$tmp/ref.db" "$tmp/fsize.db"
(
	ulimit -f 1200 # 600 KB in sh's 512-byte blocks (1.2 MB in bash's): the database is ~100 KB
	exec "$bin" ingest --db "$tmp/fsize.db" --flush-every 0.02 "$tmp/big.log" >"$tmp/fsize.out" 2>"$tmp/fsize.err"
)
rc=$? out=$tmp/fsize
expect "ingest past ulimit -f" 3 "$tmp/fsize.db" "file size limit"
intact "database after ulimit -f" "$tmp/fsize.db"
[ "$(lines_of "$tmp/fsize.db" "$log")" = "36|34" ] || bad "ulimit -f: the committed quickstart counts changed"
got=$(lines_of "$tmp/fsize.db" "$tmp/big.log")
echo "  big.log committed before the disk filled: ${got:-nothing} (lines|attempts) of $big_lines"
if [ -n "$got" ]; then
	l=${got%|*} a=${got#*|}
	[ "$l" -le $big_lines ] && [ $((l - a)) -ge 0 ] && [ $((l - a)) -le 1 ] ||
		bad "ulimit -f: big.log counts $got are not a prefix (lines ≥ attempts, one record at most in flight)"
fi
grep -q "ingested" "$tmp/fsize.err" && bad "ulimit -f: a summary of lines 'ingested' after the failure"
# afterwards, without the limit, the same command reads big.log whole, once, and the
# quickstart log (read before) not again
"$bin" ingest --quiet --db "$tmp/fsize.db" "$tmp/big.log" "$log" || bad "ingest after ulimit -f"
[ "$(lines_of "$tmp/fsize.db" "$log")" = "36|34" ] || bad "ingest after ulimit -f: quickstart counts $(lines_of "$tmp/fsize.db" "$log")"
[ "$(lines_of "$tmp/fsize.db" "$tmp/big.log")" = "$big_lines|$big_lines" ] ||
	bad "ingest after ulimit -f: big.log counts $(lines_of "$tmp/fsize.db" "$tmp/big.log"), want $big_lines once"
intact "database after ulimit -f, then one more run" "$tmp/fsize.db"

# a new database that cannot even be created whole
(
	ulimit -f 40
	exec "$bin" ingest --db "$tmp/tiny.db" "$log" >"$tmp/tiny.out" 2>"$tmp/tiny.err"
)
rc=$? out=$tmp/tiny
expect "creating a database past ulimit -f" 3 "$tmp/tiny.db" "file size limit"
"$bin" ingest --quiet --db "$tmp/tiny.db" "$log" || bad "ingest into a database whose creation failed"
intact "database whose creation failed, then one run" "$tmp/tiny.db" 36 34

# --- disk full: a 512 KB tmpfs ----------------------------------------------------------------
mkdir "$tmp/mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=512k retrylens-faults "$tmp/mnt" 2>/dev/null; then
	mnt=$tmp/mnt
	cp "$tmp/ref.db" "$mnt/full.db"
	run "$tmp/full" "$bin" ingest --db "$mnt/full.db" --flush-every 0.02 "$tmp/big.log"
	expect "ingest onto a full tmpfs" 3 "$mnt/full.db" "disk is full"
	intact "database on a full disk" "$mnt/full.db"
	[ "$(lines_of "$mnt/full.db" "$log")" = "36|34" ] || bad "full tmpfs: the committed quickstart counts changed"
	echo "  big.log committed before the disk filled: $(lines_of "$mnt/full.db" "$tmp/big.log") of $big_lines"
	umount "$mnt" && mnt=
else
	echo "skip: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): full-disk case on tmpfs"
fi

# --- a corrupt database ----------------------------------------------------------------
"$bin" ingest --quiet --db "$tmp/good.db" "$tmp/big.log" || bad "ingest big.log"
intact "database of big.log" "$tmp/good.db" $big_lines $big_lines
pages=$(q "$tmp/good.db" 'PRAGMA page_count')
cp "$tmp/good.db" "$tmp/corrupt.db"
# a quarter of the pages in the middle overwritten, and those of the saved retry state,
# which every ingest reads whole (which pages of the middle a small ingest reads depends
# on where the rows fell)
yes 'this page was overwritten' | head -c $((pages / 4 * 4096)) |
	dd of="$tmp/corrupt.db" bs=4096 seek=$((pages * 3 / 8)) conv=notrunc 2>/dev/null
for pg in $(q "$tmp/good.db" "SELECT pageno FROM dbstat WHERE name = 'saved_state'"); do
	yes 'this page was overwritten' | head -c 4096 | dd of="$tmp/corrupt.db" bs=4096 seek=$((pg - 1)) conv=notrunc 2>/dev/null
done
run "$tmp/corrupt" "$bin" ingest --db "$tmp/corrupt.db" "$log"
expect "ingest into a database with overwritten pages" 3 "$tmp/corrupt.db" "malformed" "restore it from a backup"
grep -q "ingested" "$tmp/corrupt.err" && bad "corrupt database: a summary of lines 'ingested' after the failure"
run "$tmp/corrupt" "$bin" report --db "$tmp/corrupt.db"
expect "report of a database with overwritten pages" 3 "$tmp/corrupt.db" "malformed"
cp "$tmp/good.db" "$tmp/trunc.db"
truncate -s $((pages / 2 * 4096)) "$tmp/trunc.db"
run "$tmp/trunc" "$bin" ingest --db "$tmp/trunc.db" "$log"
expect "ingest into a truncated database" 3 "$tmp/trunc.db" "malformed"
run "$tmp/trunc" "$bin" report --db "$tmp/trunc.db"
expect "report of a truncated database" 3 "$tmp/trunc.db" "malformed"
: >"$tmp/empty.db"
"$bin" ingest --quiet --db "$tmp/empty.db" "$log" || bad "an empty file as --db (SQLite reads it as a new database)"
intact "an empty file as --db" "$tmp/empty.db" 36 34

# --- a newer schema ---------------------------------------------------------------------
cp "$tmp/ref.db" "$tmp/newer.db"
q "$tmp/newer.db" 'PRAGMA user_version = 999'
before=$(sum_file "$tmp/newer.db")
run "$tmp/newer" "$bin" ingest --db "$tmp/newer.db" "$log"
expect "ingest into a database of schema 999" 3 "$tmp/newer.db" "newer retrylens"
run "$tmp/newer" "$bin" report --db "$tmp/newer.db"
expect "report of a database of schema 999" 3 "$tmp/newer.db" "newer retrylens"
[ "$(sum_file "$tmp/newer.db")" = "$before" ] || bad "the newer database was changed"
[ "$(q "$tmp/newer.db" 'PRAGMA user_version')" = 999 ] || bad "the newer database's version changed"

# --- truncated and corrupt .gz: what was read counts ----------------------------------------
# what zlib inflates before the damage is what gzip -dc writes: its whole lines count
head -n 50000 "$tmp/big.log" | gzip -6 >"$tmp/g.gz"
gsize=$(wc -c <"$tmp/g.gz")
head -c $((gsize / 2)) "$tmp/g.gz" >"$tmp/trunc.gz"
cp "$tmp/g.gz" "$tmp/flip.gz"
printf '\377\000\377\000\377\000\377\000' | dd of="$tmp/flip.gz" bs=1 seek=$((gsize / 2)) conv=notrunc 2>/dev/null
cp "$tmp/g.gz" "$tmp/crc.gz" # the CRC32 of the trailer zeroed: every byte inflates, the check fails
printf '\000\000\000\000' | dd of="$tmp/crc.gz" bs=1 seek=$((gsize - 8)) conv=notrunc 2>/dev/null
for c in trunc:"truncated gzip" flip:"corrupt gzip" crc:"incorrect data check"; do
	f=$tmp/${c%%:*}.gz
	want=$(gzip -dc "$f" 2>/dev/null | wc -l | tr -d ' ')
	cp "$tmp/ref.db" "$tmp/gz.db"
	run "$tmp/gz" "$bin" ingest --db "$tmp/gz.db" "$f"
	expect "ingest ${c%%:*}.gz" 3 "$f" "${c#*:}"
	got=$(lines_of "$tmp/gz.db" "$f")
	l=${got%|*}
	[ "$l" = "$want" ] || bad "${c%%:*}.gz: $l lines counted, gzip -dc gives $want whole lines"
	intact "database after ${c%%:*}.gz ($l lines read)" "$tmp/gz.db" $((36 + want))
	[ "$(q "$tmp/gz.db" 'SELECT status FROM run ORDER BY id DESC LIMIT 1')" = failed ] || bad "${c%%:*}.gz: the run is not marked failed"
done
[ "$(gzip -dc "$tmp/crc.gz" 2>/dev/null | wc -l)" -eq 50000 ] || bad "crc.gz does not inflate whole"

# --- a file that shrinks or vanishes while it is read --------------------------------------
# ingest is stopped (SIGSTOP) once it has read part of the file; /proc says how far it
# got; the file is truncated or unlinked; ingest goes on (SIGCONT)

# pos_of PID FILE: the read offset of PID's descriptor of FILE, "" if none
pos_of() {
	for fd in /proc/"$1"/fd/*; do
		if [ "$(readlink "$fd" 2>/dev/null)" = "$2" ]; then
			sed -n 's/^pos:[[:space:]]*//p' /proc/"$1"/fdinfo/"${fd##*/}"
			return
		fi
	done
}

# stop_midway PID FILE: stops PID once it has read some but not all of FILE; prints
# the offset, or nothing if it could not
stop_midway() {
	size=$(wc -c <"$2")
	i=0
	while [ $i -lt 2000 ] && kill -0 "$1" 2>/dev/null; do
		p=$(pos_of "$1" "$2")
		if [ -n "$p" ] && [ "$p" -gt 4096 ]; then
			kill -STOP "$1"
			p=$(pos_of "$1" "$2")
			if [ "$p" -lt "$size" ]; then
				echo "$p"
				return
			fi
			kill -CONT "$1"
			return
		fi
		i=$((i + 1))
	done
}

if [ -r /proc/self/fdinfo/0 ]; then
	for case in shrink vanish; do
		done_case=0
		for try in 1 2 3; do
			f=$tmp/$case.log
			cp "$tmp/big.log" "$f"
			rm -f "$tmp/$case.db"*
			"$bin" ingest --db "$tmp/$case.db" "$f" >"$tmp/$case.out" 2>"$tmp/$case.err" &
			pid=$!
			pos=$(stop_midway $pid "$f")
			if [ -z "$pos" ]; then
				wait $pid
				continue # it read the whole file before it could be stopped: again
			fi
			if [ $case = shrink ]; then
				truncate -s 1000 "$f"
			else
				rm -f "$f"
			fi
			kill -CONT $pid
			wait $pid
			rc=$? out=$tmp/$case
			if [ $case = shrink ]; then
				want=$(head -c "$pos" "$tmp/big.log" | wc -l | tr -d ' ')
				expect "a file truncated to 1000 bytes after $pos bytes were read" 3 "$f" "shrank"
			else
				want=$big_lines
				expect "a file unlinked after $pos bytes were read" 0
			fi
			intact "database after the $case" "$tmp/$case.db" "$want" "$want"
			done_case=1
			break
		done
		[ $done_case = 1 ] || echo "skip: ingest read the whole file before it could be stopped (3 tries): $case case"
	done
else
	echo "skip: no /proc/PID/fdinfo: shrinking and vanishing file cases"
fi

# --- SIGKILL during commits --------------------------------------------------------------
# A stream committed every 0.02 s, killed at random moments after its first commit (and
# once before it). After each kill the database is intact and holds a prefix: each
# killed run's lines at most the stream's, its attempts those lines but the one record
# in flight, and every table agrees. A file's run is one transaction: killed, it leaves
# the database as it was, and the same command again counts the file exactly once
# (tests/e2e/kill9.sh kills one at 20 moments).
seed=$(date +%s)
echo "  kill moments from seed $seed"
stream=600000
cp "$tmp/ref.db" "$tmp/kill.db"
runs_before() { q "$tmp/kill.db" 'SELECT count(*) FROM run WHERE lines > 0'; }
# kill_after_commit PID N0 T: kill -9 PID T seconds after its run's first commit (once
# more than N0 runs have lines), or 0.05 s after the start for T=early; returns its status
kill_after_commit() {
	if [ "$3" = early ]; then
		sleep 0.05
	else
		_j=0
		while [ $_j -lt 500 ] && [ "$(runs_before)" = "$2" ] && kill -0 "$1" 2>/dev/null; do
			sleep 0.01
			_j=$((_j + 1))
		done
		sleep "$3"
	fi
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
i=0
for t in $(awk -v s="$seed" 'BEGIN { srand(s); printf "early "; for (i = 0; i < 5; i++) printf "%.3f ", rand() * 0.5 }'); do
	i=$((i + 1))
	n0=$(runs_before)
	"$genlog" --lines $stream --span 86400 --seed $i 2>/dev/null | "$bin" ingest --quiet --db "$tmp/kill.db" --flush-every 0.02 - 2>"$tmp/kill.err" &
	pid=$!
	kill_after_commit $pid "$n0" "$t"
	rc=$?
	last=$(q "$tmp/kill.db" 'SELECT lines, attempts, rejected, status FROM run ORDER BY id DESC LIMIT 1')
	echo "  kill $i ($([ "$t" = early ] && echo "0.05 s after the start" || echo "$t s after the first commit")): exit $rc, the run's row: $last (lines|attempts|rejected|status)"
	l=$(echo "$last" | cut -d'|' -f1) a=$(echo "$last" | cut -d'|' -f2) r=$(echo "$last" | cut -d'|' -f3)
	[ "$l" -le $stream ] && [ $((l - a - r)) -ge 0 ] && [ $((l - a - r)) -le 1 ] ||
		bad "kill $i: the run's counts $last are not a prefix of the stream"
	[ $rc = 0 ] && [ "$l" != $stream ] && bad "kill $i: the run finished but counted $l of $stream lines"
	intact "database after kill -9 number $i" "$tmp/kill.db"
	[ "$(lines_of "$tmp/kill.db" "$log")" = "36|34" ] || bad "kill $i: the quickstart counts changed"
done
# a file, killed once: nothing of its run is kept (or, when it finished first, all of it),
# and the same command again counts it exactly once
before=$(q "$tmp/kill.db" 'SELECT sum(lines), sum(attempts) FROM source')
"$bin" ingest --quiet --db "$tmp/kill.db" --flush-every 0.02 "$tmp/big.log" &
pid=$!
sleep 0.1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
rc=$?
last=$(q "$tmp/kill.db" 'SELECT lines, attempts, rejected, status FROM run ORDER BY id DESC LIMIT 1')
echo "  kill of big.log's ingest 0.1 s after its start: exit $rc, the run's row: $last"
intact "database after kill -9 of a file's ingest" "$tmp/kill.db"
now=$(q "$tmp/kill.db" 'SELECT sum(lines), sum(attempts) FROM source')
if [ "${last##*|}" = ok ]; then # it committed before the kill (perhaps while it exited)
	[ "$now" = "$((${before%|*} + big_lines))|$((${before#*|} + big_lines))" ] || bad "big.log's finished run: $now after $before"
else
	[ "$now" = "$before" ] || bad "kill -9 of a file's ingest: the database changed ($before before, $now after)"
	[ "${last##*|}" = running ] || bad "the killed run's row says ${last##*|}, not running"
fi
"$bin" ingest --quiet --db "$tmp/kill.db" "$tmp/big.log" "$log" || bad "ingest after the kills"
intact "database after the kills and one more run" "$tmp/kill.db" $((${before%|*} + big_lines)) $((${before#*|} + big_lines))

exit $fail
