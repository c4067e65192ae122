#!/bin/sh
# pending.sh BIN JSONSUB FIXTURES [SHARED_DATA]
#
# A file's last line without its newline yet (SPEC §4): ingest does not count it, its
# checkpoint stops before it, and report counts it as if input ended there, so
# `ingest` + `report` equals `analyze` of the file as it is, sources and samples
# included. Once the line is finished (here cut in the middle of its request, as a
# writer caught mid-line leaves it), the next run reads it whole: equal to `analyze` of
# the finished file. A compressed copy cannot grow: its last line counts. With
# ../shared present, every data file without a final newline is checked the same way.
set -u
bin=$1 jsonsub=$2 fx=$3 shared=${4:-}
log=$fx/quickstart/access.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
same() { # NAME DB FILE [JSONSUB OPTIONS]: the database's report against analyze of FILE
	n=$1 db=$2 f=$3
	shift 3
	"$bin" analyze --quiet --output json --top 0 "$f" >"$tmp/ref.json" 2>/dev/null
	"$bin" report --db "$db" --output json --top 0 >"$tmp/got.json" 2>"$tmp/report.err"
	if "$jsonsub" --equal "$tmp/ref.json" "$tmp/got.json" --ignore generated_at --ignore-field source \
		--ignore-field name "$@" 2>"$tmp/diff"; then
		ok "$n"
	else
		bad "$n: differs from analyze"
		head -n 8 "$tmp/diff"
	fi
}

# the quickstart log, its last line cut in the middle of its request
head -n 35 "$log" >"$tmp/a.log"
last=$(tail -n 1 "$log")
printf '%s' "$last" | head -c 60 >>"$tmp/a.log"
"$bin" ingest --db "$tmp/a.db" "$tmp/a.log" 2>"$tmp/a.err" || bad "ingest a.log"
grep -q "its last line (60 bytes) has no newline yet" "$tmp/a.err" && ok "ingest says the last line waits" ||
	bad "no notice of the pending line: $(cat "$tmp/a.err")"
[ "$(sqlite3 "$tmp/a.db" 'SELECT lines FROM source' 2>/dev/null || echo 35)" = 35 ] && ok "…and does not count it" ||
	bad "ingest counted the pending line"
same "a cut last line: ingest + report equals analyze of the file as it is" "$tmp/a.db" "$tmp/a.log"
# the writer finishes the line, and writes one more
printf '%s\n' "$(printf '%s' "$last" | tail -c +61)" >>"$tmp/a.log"
echo '203.0.113.10 - - [29/Nov/2026:10:02:40 +0000] "GET /v1/leads/1001 HTTP/1.1" 200 2 "-" "python-requests/2.31.0"' >>"$tmp/a.log"
[ "$(tail -n 2 "$tmp/a.log" | head -n 1)" = "$last" ] || bad "the test did not rebuild the line"
"$bin" ingest --quiet --db "$tmp/a.db" "$tmp/a.log" || bad "ingest the finished line"
same "the line finished: read whole by the next run, equal to analyze of the finished file" "$tmp/a.db" "$tmp/a.log"
"$bin" ingest --quiet --db "$tmp/a.db" "$tmp/a.log" && same "a further run changes nothing" "$tmp/a.db" "$tmp/a.log"

# rotated and compressed while its last line waits: the compressed copy's last line counts
head -c -1 "$log" >"$tmp/b.log" # no final newline
"$bin" ingest --quiet --db "$tmp/b.db" "$tmp/b.log" || bad "ingest b.log"
gzip -c "$tmp/b.log" >"$tmp/b.log.1.gz" && rm "$tmp/b.log"
"$bin" ingest --quiet --db "$tmp/b.db" "$tmp/b.log.1.gz" || bad "ingest b.log.1.gz"
[ "$(sqlite3 "$tmp/b.db" 'SELECT count(*) FROM checkpoint WHERE pending IS NOT NULL' 2>/dev/null || echo 0)" = 0 ] &&
	ok "the compressed copy's last line is final: nothing pending" || bad "still pending after compression"
gunzip -c "$tmp/b.log.1.gz" >"$tmp/b.all"
same "rotated and compressed: equal to analyze of every line (two names: sources aside)" "$tmp/b.db" "$tmp/b.all" \
	--ignore sources

# a CRI log whose last line is a part (P) of a line whose end (F) has not come yet: the
# part is pending like a line without its newline (not counted, its checkpoint before
# it); the report counts it as analyze does (a lost part: one rejected line); once the F
# line comes, the next run reads both: one attempt, no reject, equal to analyze
cri=$fx/cri-partial/$(ls "$fx/cri-partial" | grep -v -e NOTES -e args -e expected | head -n 1)
cp "$cri" "$tmp/e.log"
"$bin" ingest --db "$tmp/e.db" "$tmp/e.log" 2>"$tmp/e.err" || bad "ingest e.log"
grep -q "its last line (.* bytes) is a part of a record whose end has not come yet" "$tmp/e.err" &&
	ok "ingest says the last CRI part waits for its end" || bad "no notice of the held part: $(cat "$tmp/e.err")"
same "a CRI part without its end: ingest + report equals analyze" "$tmp/e.db" "$tmp/e.log"
echo '2024-01-01T00:00:41.1Z stdout F "GET /v1/x HTTP/1.1" 200 5 "-" "curl/8"' >>"$tmp/e.log"
"$bin" ingest --db "$tmp/e.db" "$tmp/e.log" 2>"$tmp/e.err" || bad "ingest e.log with its end"
grep -q "ingested 2 lines (1 attempts, 0 rejected" "$tmp/e.err" && ok "…its end come, the next run reads the part and its end: one attempt" ||
	bad "the part and its end: $(cat "$tmp/e.err")"
same "…equal to analyze of the finished log" "$tmp/e.db" "$tmp/e.log"

# the report counts a pending line with the format and options the database was
# ingested with: --client (a JSON field) and a custom format longer than a format's name
# keeps (255 bytes)
for i in 1 2 3 4; do
	printf '{"ts":"2026-11-29T10:00:0%d.000Z","key":"k%d","method":"POST","uri":"/v1/leads","status":503,"ua":"sdk/1"}\n' \
		$i $((i % 2)) >>"$tmp/c.log"
done
printf '{"ts":"2026-11-29T10:00:09.000Z","key":"k1","method":"POST","uri":"/v1/leads","status":503,"ua":"sdk/1"}' >>"$tmp/c.log"
copt="--format json --field time=ts:start --field target=uri --field user_agent=ua --client key"
# shellcheck disable=SC2086
"$bin" ingest --quiet --db "$tmp/c.db" $copt "$tmp/c.log" || bad "ingest c.log"
"$bin" analyze --quiet --output json --top 0 $copt "$tmp/c.log" >"$tmp/ref.json"
"$bin" report --db "$tmp/c.db" --output json --top 0 >"$tmp/got.json"
"$jsonsub" --equal "$tmp/ref.json" "$tmp/got.json" --ignore generated_at --ignore-field source --ignore-field name \
	2>"$tmp/diff" && ok "a pending line counts with the database's --client and --field" ||
	{ bad "pending with --client: differs from analyze"; head -n 8 "$tmp/diff"; }
pad=$(printf '%0200d' 0)
long="nginx:'\$remote_addr - \$remote_user [\$time_local] \"\$request\" \$status \$body_bytes_sent \"\$http_referer\" \"\$http_user_agent\" \"$pad\"'"
awk -v pad="$pad" '{ print $0 " \"" pad "\"" }' "$log" | head -c -1 >"$tmp/d.log"
"$bin" ingest --quiet --db "$tmp/d.db" --format "$long" "$tmp/d.log" || bad "ingest d.log with a long format"
"$bin" analyze --quiet --output json --top 0 --format "$long" "$tmp/d.log" >"$tmp/ref.json"
"$bin" report --db "$tmp/d.db" --output json --top 0 >"$tmp/got.json"
[ "$(json_attempts <"$tmp/ref.json")" -ge 30 ] || bad "the long format does not read d.log"
"$jsonsub" --equal "$tmp/ref.json" "$tmp/got.json" --ignore generated_at --ignore-field source --ignore-field name \
	2>"$tmp/diff" && ok "a pending line counts with a custom format of ${#long} bytes" ||
	{ bad "pending with a long format: differs from analyze"; head -n 8 "$tmp/diff"; }

# every shared data file without a final newline
case $bin in *valgrind*) shared= ;; esac # many runs: the other builds check them
if [ -n "$shared" ] && [ -d "$shared" ]; then
	n=0 differ=0
	for f in $(find "$shared" -type f | sort); do
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] && continue
		"$bin" analyze --quiet --output json --top 0 "$f" >"$tmp/s.ref" 2>/dev/null || continue
		n=$((n + 1))
		rm -f "$tmp/s.db" "$tmp/s.db-wal" "$tmp/s.db-shm"
		"$bin" ingest --quiet --db "$tmp/s.db" "$f" 2>/dev/null
		"$bin" report --db "$tmp/s.db" --output json --top 0 >"$tmp/s.got" 2>/dev/null
		"$jsonsub" --equal "$tmp/s.ref" "$tmp/s.got" --ignore generated_at --ignore-field source >/dev/null 2>&1 || {
			differ=$((differ + 1))
			echo "  differs: $f"
		}
	done
	[ $differ = 0 ] && ok "$n shared data files without a final newline: ingest + report equals analyze" ||
		bad "$differ of $n shared data files without a final newline differ"
else
	echo "skip: ../shared/data is absent (or this is the valgrind build): the shared files without a final newline"
fi
exit $fail
