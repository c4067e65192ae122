#!/bin/sh
# shards.sh BIN GENLOG
#
# Beyond one machine (SPEC §4): the numbers of one process, however the work is cut.
# genlog writes a client-trace log of several hundred clients with ms times, disorder
# (several writers), outages whose herds retry in lockstep, and clients that change
# their idempotency key on each retry (rekeyed); it is cut into two files, as two hosts
# would write them. One `analyze` of both is the reference, and every number of its JSON
# report must come out of:
#   - 4 databases ingested with --shard I/4 from both files, then merged;
#   - split --shards 4 of both files, each part ingested with --shard I/4, then merged
#     (sources[] are then the parts: their lines add up to the files');
#   - analyze --jobs 1, 2 and 4 (the same JSON, byte for byte, generated_at aside);
#   - two halves ingested with --jobs 4 and then 2.
# Host databases (one per file) merged are exact for attempts and statuses, and say so.
# Merging a database again changes nothing; another policy or window is exit 2 with
# nothing written; a merge of merges that would count a database twice is exit 2; a
# shard's database takes only its own --shard.
set -u
bin=$1 genlog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || {
	echo "skip: python3 is not installed (apt-get install python3)"
	exit 77
}
diff_json() { python3 "$(dirname "$0")/report_diff.py" "$@"; }
value() { # REPORT.json DOTTED.PATH
	python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(json.dumps(v))' "$1" "$2"
}

n=40000 full=1
# under valgrind every run is many times slower: a smaller log (lockstep, rekeyed and open
# chains still in it) and the runs that go through new code only once
case $bin in *valgrind*) n=6000 full= ;; esac
"$genlog" --lines $n --clients 300 --format trace --disorder 3 --seed 7 >"$tmp/all.log"
awk 'NR % 3 != 0' "$tmp/all.log" >"$tmp/a.log"
awk 'NR % 3 == 0' "$tmp/all.log" >"$tmp/b.log"
"$bin" analyze --quiet --jobs 1 --output json "$tmp/a.log" "$tmp/b.log" >"$tmp/one.json" || bad "analyze"
# the log holds what the exactness is about, or the checks below prove little
lock=$(value "$tmp/one.json" retries.lockstep.retries)
rekeyed=$(value "$tmp/one.json" retries.rekeyed.attempts)
open=$(value "$tmp/one.json" retries.outcomes.open)
[ "$lock" -gt 0 ] && [ "$rekeyed" -gt 0 ] && [ "$open" -gt 0 ] &&
	ok "the log has lockstep ($lock), rekeyed ($rekeyed) and open chains ($open)" ||
	bad "the log lacks lockstep ($lock), rekeyed ($rekeyed) or open chains ($open)"

# 4 shards, each ingested from every file, merged
for i in 0 1 2 3; do
	"$bin" ingest --quiet --db "$tmp/s$i.db" --shard $i/4 "$tmp/a.log" "$tmp/b.log" || bad "ingest --shard $i/4"
done
"$bin" merge --db "$tmp/m.db" "$tmp/s0.db" "$tmp/s1.db" "$tmp/s2.db" "$tmp/s3.db" 2>"$tmp/merge.err" ||
	bad "merge: $(cat "$tmp/merge.err")"
grep -q "4 shards, exact" "$tmp/merge.err" && ok "merge says it merged 4 shards" || bad "merge: $(cat "$tmp/merge.err")"
"$bin" report --db "$tmp/m.db" --output json >"$tmp/m.json"
diff_json "$tmp/one.json" "$tmp/m.json" --ignore merged >"$tmp/d" && ok "4 shards merged: every number of one run" ||
	bad "4 shards merged differ from one run: $(cat "$tmp/d")"
[ "$(value "$tmp/m.json" merged)" = '{"mode": "shards", "inputs": 4, "of": 4}' ] && ok "merged: shards, 4 inputs of 4" ||
	bad "merged: $(value "$tmp/m.json" merged)"
"$bin" report --db "$tmp/m.db" | grep -q "Merged from 4 shard databases" && ok "the text report says it" ||
	bad "the text report does not say it was merged"
if [ -n "$full" ]; then
	# the shards' lines add up to the files', and each shard is only its clients
	lines=0
	for i in 0 1 2 3; do
		"$bin" report --db "$tmp/s$i.db" --output json >"$tmp/s$i.json"
		k=$(value "$tmp/s$i.json" totals.attempts)
		[ "$k" -gt 0 ] || bad "shard $i holds no attempt"
		lines=$((lines + k))
	done
	[ "$lines" = "$(value "$tmp/one.json" totals.attempts)" ] && ok "the shards' attempts add up ($lines)" ||
		bad "the shards' attempts: $lines"
	[ "$(value "$tmp/s2.json" shard)" = '{"index": 2, "of": 4}' ] && ok "a shard's report names its shard" ||
		bad "shard: $(value "$tmp/s2.json" shard)"
fi

# merging again changes nothing
"$bin" merge --db "$tmp/m.db" "$tmp/s1.db" 2>"$tmp/again.err"
rc=$?
[ $rc -eq 0 ] && grep -q "merged already" "$tmp/again.err" && ok "a database merged again is skipped (exit 0)" ||
	bad "merge again: exit $rc: $(cat "$tmp/again.err")"
"$bin" report --db "$tmp/m.db" --output json >"$tmp/m2.json"
diff_json "$tmp/m.json" "$tmp/m2.json" >"$tmp/d" && ok "... and the report is unchanged" ||
	bad "merging again changed: $(cat "$tmp/d")"
if [ -n "$full" ]; then
	# 3 of 4 shards say so; merging into a shard's database makes it the union
	"$bin" merge --quiet --db "$tmp/m3.db" "$tmp/s0.db" "$tmp/s1.db" "$tmp/s2.db" || bad "merge 3 shards"
	"$bin" report --db "$tmp/m3.db" | grep -q "Merged from 3 of 4 shard databases: the clients of the missing shard" &&
		ok "3 of 4 shards: the report says one is missing" || bad "3 of 4 shards not said"
	cp "$tmp/s3.db" "$tmp/into3.db"
	"$bin" merge --quiet --db "$tmp/into3.db" "$tmp/s0.db" "$tmp/s1.db" "$tmp/s2.db" || bad "merge into shard 3's database"
	"$bin" report --db "$tmp/into3.db" --output json >"$tmp/into3.json"
	diff_json "$tmp/one.json" "$tmp/into3.json" --ignore merged >"$tmp/d" && ok "shards merged into a shard's database: one run" ||
		bad "merged into shard 3's database: $(cat "$tmp/d")"
	"$bin" ingest --quiet --db "$tmp/into3.db" --shard 3/4 "$tmp/a.log" 2>/dev/null
	[ $? -eq 2 ] && ok "... which is no longer shard 3 (ingest --shard 3/4: exit 2)" || bad "into3.db still takes --shard 3/4"
	# a merge of merges that holds one of them already would count it twice
	"$bin" merge --quiet --db "$tmp/m01.db" "$tmp/s0.db" "$tmp/s1.db" || bad "merge s0 s1"
	"$bin" merge --db "$tmp/m.db" "$tmp/m01.db" 2>"$tmp/twice.err"
	rc=$?
	[ $rc -eq 2 ] && grep -q "added twice" "$tmp/twice.err" && ok "a merge holding a merged database: exit 2" ||
		bad "merge of merges: exit $rc: $(cat "$tmp/twice.err")"
	# mismatched policy or window: exit 2, nothing written
	"$bin" ingest --quiet --db "$tmp/leadey.db" --policy leadey "$tmp/a.log" || bad "ingest --policy leadey"
	"$bin" ingest --quiet --db "$tmp/w60.db" --retry-window 60 "$tmp/a.log" || bad "ingest --retry-window 60"
	for x in leadey w60; do
		"$bin" merge --db "$tmp/m.db" "$tmp/$x.db" 2>"$tmp/mis.err"
		rc=$?
		[ $rc -eq 2 ] && grep -q "nothing was written" "$tmp/mis.err" && ok "merge of $x.db: exit 2" ||
			bad "merge of $x.db: exit $rc: $(cat "$tmp/mis.err")"
	done
	"$bin" merge --quiet --db "$tmp/new.db" "$tmp/s0.db" "$tmp/leadey.db" 2>/dev/null
	[ $? -eq 2 ] && [ ! -e "$tmp/new.db" ] && ok "a refused merge into a new database leaves none" ||
		bad "a refused merge left $tmp/new.db"
	"$bin" report --db "$tmp/m.db" --output json >"$tmp/m3.json"
	diff_json "$tmp/m.json" "$tmp/m3.json" >"$tmp/d" && ok "the refused merges wrote nothing" ||
		bad "a refused merge changed: $(cat "$tmp/d")"
	# a shard's database is its shard's
	"$bin" ingest --quiet --db "$tmp/s0.db" "$tmp/a.log" 2>/dev/null
	[ $? -eq 2 ] && ok "ingest without --shard into a shard: exit 2" || bad "ingest without --shard into a shard"
	"$bin" ingest --quiet --db "$tmp/s0.db" --shard 1/4 "$tmp/a.log" 2>/dev/null
	[ $? -eq 2 ] && ok "ingest of another shard: exit 2" || bad "ingest of another shard"
	for s in 4/4 1/0 x/2 -1/3 2; do
		"$bin" ingest --quiet --db "$tmp/bad.db" --shard "$s" "$tmp/a.log" 2>/dev/null
		[ $? -eq 2 ] || bad "--shard $s is not exit 2"
	done
fi

# split, ingest each part as its shard, merge
"$bin" split --shards 4 --out "$tmp/parts" "$tmp/a.log" "$tmp/b.log" 2>"$tmp/split.err" ||
	bad "split: $(cat "$tmp/split.err")"
for i in 0 1 2 3; do
	"$bin" ingest --quiet --db "$tmp/p$i.db" --shard $i/4 "$tmp/parts/shard-$i-of-4.log.gz" || bad "ingest part $i"
done
"$bin" merge --quiet --db "$tmp/pm.db" "$tmp/p0.db" "$tmp/p1.db" "$tmp/p2.db" "$tmp/p3.db" || bad "merge parts"
"$bin" report --db "$tmp/pm.db" --output json >"$tmp/pm.json"
diff_json "$tmp/one.json" "$tmp/pm.json" --ignore merged --ignore sources >"$tmp/d" &&
	ok "split + shard ingests + merge: every number of one run" || bad "split + merge differ: $(cat "$tmp/d")"
sum_lines() { python3 -c 'import json,sys; print(sum(s["lines"] for s in json.load(open(sys.argv[1]))["sources"]))' "$1"; }
[ "$(sum_lines "$tmp/pm.json")" = "$(sum_lines "$tmp/one.json")" ] && ok "the parts' lines add up to the files'" ||
	bad "parts' lines $(sum_lines "$tmp/pm.json") against $(sum_lines "$tmp/one.json")"
sum=$(for i in 0 1 2 3; do gzip -dc "$tmp/parts/shard-$i-of-4.log.gz"; done | sort | cksum)
[ "$sum" = "$(sort "$tmp/a.log" "$tmp/b.log" | cksum)" ] && ok "the parts hold every line, unchanged" ||
	bad "the parts' lines are not the files' lines"

# hosts: one database per file
"$bin" ingest --quiet --db "$tmp/ha.db" "$tmp/a.log" || bad "ingest a"
"$bin" ingest --quiet --db "$tmp/hb.db" "$tmp/b.log" || bad "ingest b"
"$bin" merge --db "$tmp/h.db" "$tmp/ha.db" "$tmp/hb.db" 2>"$tmp/h.err" || bad "merge hosts"
grep -q "retries that crossed hosts undercounted" "$tmp/h.err" && ok "merge says hosts undercount retries" ||
	bad "merge hosts: $(cat "$tmp/h.err")"
"$bin" report --db "$tmp/h.db" --output json >"$tmp/h.json"
for k in totals status sources errors rejected.count; do
	[ "$(value "$tmp/h.json" $k)" = "$(value "$tmp/one.json" $k)" ] && ok "hosts: $k exact" || bad "hosts: $k differs"
done
[ "$(value "$tmp/h.json" merged)" = '{"mode": "hosts", "inputs": 2}' ] && ok "merged: hosts, 2 inputs" ||
	bad "merged: $(value "$tmp/h.json" merged)"
"$bin" report --db "$tmp/h.db" | grep -q "Merged from 2 host databases: attempts and statuses exact" &&
	ok "the text report labels the hosts merge" || bad "the text report does not label the hosts merge"

if [ -n "$full" ]; then
	# into a database ingest built: its own lines are one of the leaves
	cp "$tmp/ha.db" "$tmp/own.db"
	"$bin" merge --quiet --db "$tmp/own.db" "$tmp/hb.db" || bad "merge into a database ingest built"
	"$bin" report --db "$tmp/own.db" --output json >"$tmp/own.json"
	diff_json "$tmp/h.json" "$tmp/own.json" >"$tmp/d" && ok "merging into a database ingest built: as merging both" ||
		bad "merge into own.db: $(cat "$tmp/d")"
	"$bin" report --db "$tmp/m.db" --output markdown | grep -q "Merged from 4 shard databases" &&
		ok "markdown says it too" || bad "markdown does not say it was merged"
	# one writer: a merge waits for the database's holder (an ingest reading a FIFO)
	if command -v mkfifo >/dev/null 2>&1; then
		mkfifo "$tmp/in.fifo"
		"$bin" ingest --quiet --db "$tmp/held.db" "$tmp/in.fifo" &
		holder=$!
		i=0
		while [ ! -s "$tmp/held.db.lock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		"$bin" merge --db "$tmp/held.db" --wait 1 "$tmp/s0.db" 2>"$tmp/held.err"
		rc=$?
		[ $rc -eq 3 ] && grep -q "PID $holder" "$tmp/held.err" && ok "merge against a holder: exit 3 naming its PID" ||
			bad "merge against a holder: exit $rc: $(cat "$tmp/held.err")"
		: >"$tmp/in.fifo"
		wait $holder
	fi
fi

# more disorder than --max-lag: late attempts (counted, judged on arrival) come out the
# same, since every shard keeps the clock of the whole input
"$genlog" --lines $((n / 2)) --clients 300 --format trace --disorder 90 --seed 5 >"$tmp/late.log"
"$bin" analyze --quiet --output json "$tmp/late.log" >"$tmp/late.json"
late=$(value "$tmp/late.json" sources.0.late)
for i in 0 1 2 3; do
	"$bin" ingest --quiet --db "$tmp/l$i.db" --shard $i/4 "$tmp/late.log" || bad "ingest late --shard $i/4"
done
"$bin" merge --quiet --db "$tmp/lm.db" "$tmp/l0.db" "$tmp/l1.db" "$tmp/l2.db" "$tmp/l3.db" || bad "merge late"
"$bin" report --db "$tmp/lm.db" --output json >"$tmp/lm.json"
[ "$late" -gt 0 ] && diff_json "$tmp/late.json" "$tmp/lm.json" --ignore merged >"$tmp/d" &&
	ok "$late late attempts: 4 shards merged give one run's numbers" || bad "late attempts ($late): $(cat "$tmp/d")"
"$bin" analyze --quiet --jobs 3 --output json "$tmp/late.log" >"$tmp/late3.json"
diff_json "$tmp/late.json" "$tmp/late3.json" >"$tmp/d" && ok "... and --jobs 3" || bad "late, --jobs 3: $(cat "$tmp/d")"

# one host's log, then another's for the same hours, each a run of its own (SPEC §3.1.8:
# attempts late for their key's stored attempt): the shards run after run as one database
"$genlog" --lines $((n / 4)) --clients 200 --format trace --disorder 120 --seed 11 >"$tmp/hA.log"
"$genlog" --lines $((n / 4)) --clients 200 --format trace --disorder 120 --seed 12 >"$tmp/hB.log"
"$bin" ingest --quiet --db "$tmp/ab.db" "$tmp/hA.log" && "$bin" ingest --quiet --db "$tmp/ab.db" "$tmp/hB.log" ||
	bad "ingest A then B"
for i in 0 1 2 3; do
	"$bin" ingest --quiet --db "$tmp/ab$i.db" --shard $i/4 "$tmp/hA.log" &&
		"$bin" ingest --quiet --db "$tmp/ab$i.db" --shard $i/4 "$tmp/hB.log" || bad "ingest A then B, shard $i"
done
"$bin" merge --quiet --db "$tmp/abm.db" "$tmp/ab0.db" "$tmp/ab1.db" "$tmp/ab2.db" "$tmp/ab3.db" || bad "merge A then B"
"$bin" report --db "$tmp/ab.db" --output json >"$tmp/ab.json"
"$bin" report --db "$tmp/abm.db" --output json >"$tmp/abm.json"
diff_json "$tmp/ab.json" "$tmp/abm.json" --ignore merged >"$tmp/d" &&
	ok "two runs (host A, then host B): the shards merged equal one database" || bad "A then B: $(cat "$tmp/d")"

# what split cannot route is refused, with nothing left written
"$genlog" --lines 500 --clients 20 --seed 3 >"$tmp/mix.log"
"$bin" split --quiet --shards 2 --out "$tmp/mixp" "$tmp/mix.log" "$tmp/a.log" 2>"$tmp/mix.err"
rc=$?
[ $rc -eq 2 ] && grep -q "a part holds one format" "$tmp/mix.err" && [ -z "$(ls "$tmp/mixp")" ] &&
	ok "split of two formats: exit 2, no part written" || bad "split of two formats: exit $rc: $(cat "$tmp/mix.err")"
printf '%s\n' '2024-01-01T00:00:40.0Z stdout P 10.0.0.2 - - [01/Jan/2024:00:00:40 +0000] ' \
	'2024-01-01T00:00:40.1Z stdout F "GET /b HTTP/1.1" 503 5 "-" "ua"' >"$tmp/cri.log"
"$bin" split --quiet --shards 2 --out "$tmp/crip" "$tmp/cri.log" 2>"$tmp/cri.err"
rc=$?
[ $rc -eq 2 ] && grep -q "ingest it with --shard" "$tmp/cri.err" && ok "split of CRI partial lines: exit 2" ||
	bad "split of CRI partial lines: exit $rc: $(cat "$tmp/cri.err")"

# --jobs: one process's parts
for j in ${full:+2} 4; do
	"$bin" analyze --quiet --jobs $j --output json "$tmp/a.log" "$tmp/b.log" >"$tmp/j$j.json" || bad "analyze --jobs $j"
	grep -v '"generated_at"' "$tmp/one.json" >"$tmp/one.cut"
	grep -v '"generated_at"' "$tmp/j$j.json" >"$tmp/j$j.cut"
	cmp -s "$tmp/one.cut" "$tmp/j$j.cut" && ok "--jobs $j: the JSON of --jobs 1, byte for byte" ||
		bad "--jobs $j differs: $(diff_json "$tmp/one.json" "$tmp/j$j.json")"
done
head -n $((n / 2)) "$tmp/all.log" >"$tmp/h1.log"
tail -n +$((n / 2 + 1)) "$tmp/all.log" >"$tmp/h2.log"
"$bin" analyze --quiet --output json "$tmp/all.log" >"$tmp/all.json"
"$bin" ingest --quiet --jobs 4 --db "$tmp/halves.db" "$tmp/h1.log" && "$bin" ingest --quiet --jobs 2 --db "$tmp/halves.db" "$tmp/h2.log" ||
	bad "ingest halves"
"$bin" report --db "$tmp/halves.db" --output json >"$tmp/halves.json"
diff_json "$tmp/all.json" "$tmp/halves.json" --ignore sources >"$tmp/d" &&
	ok "two halves with --jobs 4 then 2: one run's numbers" || bad "halves differ: $(cat "$tmp/d")"
exit $fail
