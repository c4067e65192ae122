#!/bin/sh
# prune.sh BIN FIXTURES
#
# retrylens prune --older-than (SPEC §4). The quickstart log spans 10:00:01 to 10:02:31
# on 2026-11-29 (fixtures/quickstart/NOTES.md); 19 of its 34 attempts start at 10:01 or
# later. Pruning what is older than 10:01:00Z leaves exactly those attempts: the totals
# and the status table equal analyze of those lines. Pruning "yesterday" (any time after
# the log) leaves no attempts and no clients. A bad --older-than exits 2, a missing
# database 3 (and leaves no lock file), and prune waits for a writer like ingest does.
set -u
bin=$1 fx=$2
log=$fx/quickstart/access.log
tmp=$(mktemp -d)
trap 'exec 3>&-; kill $p 2>/dev/null; rm -rf "$tmp"' EXIT
p=
. "$(dirname "$0")/lib.sh"
section() { # REPORT.json KEY: the lines of that top-level key's value
	sed -n "/^  \"$2\": /,/^  \"/p" "$1" | sed '$d'
}

"$bin" ingest --quiet --db "$tmp/a.db" "$log" || bad "ingest"
"$bin" prune --db "$tmp/a.db" --older-than 2026-11-29T10:01:00Z 2>"$tmp/p.err"
rc=$?
[ $rc -eq 0 ] && ok "prune: exit 0" || bad "prune: exit $rc: $(cat "$tmp/p.err")"
grep -q "pruned $tmp/a.db of what is older than 2026-11-29T10:01:00Z: " "$tmp/p.err" && ok "prune says what it dropped" ||
	bad "prune's summary: $(cat "$tmp/p.err")"
grep "29/Nov/2026:10:0[12]:" "$log" >"$tmp/after.log"
"$bin" analyze --quiet --output json "$tmp/after.log" >"$tmp/want.json"
"$bin" report --db "$tmp/a.db" --output json >"$tmp/got.json"
for key in totals status; do
	section "$tmp/want.json" $key >"$tmp/want.$key"
	section "$tmp/got.json" $key >"$tmp/got.$key"
	if [ -s "$tmp/want.$key" ] && cmp -s "$tmp/want.$key" "$tmp/got.$key"; then
		ok "after prune, $key equals analyze of the lines from 10:01 on"
	else
		bad "after prune, $key differs:"
		diff "$tmp/want.$key" "$tmp/got.$key" | head -n 10
	fi
done
grep -q '"attempts": 19,' "$tmp/got.json" && ok "19 attempts are left" || bad "not 19 attempts left"
grep -q '"from": "2026-11-29T10:01:00Z"' "$tmp/got.json" && ok "the window starts at the cutoff" ||
	bad "the window: $(grep -A2 '"window"' "$tmp/got.json")"

"$bin" prune --quiet --db "$tmp/a.db" --older-than yesterday || bad "prune yesterday"
"$bin" report --db "$tmp/a.db" --output json >"$tmp/none.json"
grep -q '"attempts": 0,' "$tmp/none.json" && ok "prune yesterday: no attempts left" || bad "attempts left"
# the retry state (chains still open at the run's end) stays, and a report still judges
# it: what it names are client hashes, the rows with their names and counts are gone
section "$tmp/none.json" clients >"$tmp/none.clients"
if grep -q '"attempts": [1-9]' "$tmp/none.clients" || grep -q '"client": "[^c]' "$tmp/none.clients"; then
	bad "prune yesterday: client rows left"
else
	ok "prune yesterday: no client rows left"
fi

"$bin" prune --db "$tmp/a.db" --older-than soon 2>"$tmp/e.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- "--older-than: 'soon' is not a time" "$tmp/e.err" && ok "a bad --older-than: exit 2" ||
	bad "a bad --older-than: exit $rc: $(cat "$tmp/e.err")"
"$bin" prune --db "$tmp/none.db" --older-than 30d 2>"$tmp/m.err"
rc=$?
[ $rc -eq 3 ] && [ ! -e "$tmp/none.db.lock" ] && [ ! -e "$tmp/none.db" ] &&
	ok "a missing database: exit 3, nothing created" || bad "a missing database: exit $rc, $(ls "$tmp")"

if command -v mkfifo >/dev/null 2>&1; then
	mkfifo "$tmp/in.fifo"
	"$bin" ingest --quiet --db "$tmp/a.db" "$tmp/in.fifo" &
	p=$!
	exec 3>"$tmp/in.fifo"
	i=0
	while [ "$(cat "$tmp/a.db.lock" 2>/dev/null)" != "$p" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	"$bin" prune --db "$tmp/a.db" --older-than 30d --wait 1 2>"$tmp/w.err"
	rc=$?
	[ $rc -eq 3 ] && grep -q "PID $p) is still writing" "$tmp/w.err" && ok "prune waits for a writer, then gives up" ||
		bad "prune against a writer: exit $rc: $(cat "$tmp/w.err")"
	exec 3>&-
	wait $p
	p=
fi
exit $fail
