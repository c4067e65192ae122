#!/bin/sh
# error_messages.sh BIN JSONSUB SOURCE_DIR
#
# The errors[] table end to end, beyond the hand-counted fixtures/errors-trace case:
#   - a database at schema version 2 (made from sql/migrate/0001 and 0002 as retrylens
#     of that version made it, with a v2-era row) migrates to 3, keeps its counts and
#     then gets the same errors rows as `analyze`;
#   - --top bounds the rows; the text report has its section only when there are rows;
#   - past 1,000 templates new ones count under {other} of their status, the report says
#     the cap was hit, and a later run (the database's rows preloaded) keeps to it.
set -u
bin=$1 jsonsub=$2 src=$3
trace=$src/fixtures/errors-trace/trace.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() {
	echo "FAIL: $1"
	fail=1
}

# the errors rows of a JSON report, one a line, for comparing two reports
rows() { # REPORT.json
	tr -d '\n' <"$1" | sed 's/.*"errors": \[//; s/\],  *"errors_capped".*//' | tr -s ' '
}

"$bin" analyze --quiet --output json --format trace "$trace" >"$tmp/ref.json" || bad "analyze"
rows "$tmp/ref.json" >"$tmp/ref.rows"
grep -q '"Lead {n} not found"' "$tmp/ref.rows" || bad "analyze has no errors rows"

# --- a version 2 database migrates -------------------------------------------------
if command -v sqlite3 >/dev/null 2>&1; then
	{
		cat "$src/sql/migrate/0001_init.sql" "$src/sql/migrate/0002_retries.sql"
		echo "PRAGMA user_version = 2;"
		# what a v2 run left: one 200 of GET /v1/credits in minute 29 396 880 (2025-11-22)
		echo "INSERT INTO endpoint(id, template) VALUES (1, '/v1/credits');"
		echo "INSERT INTO method(id, name) VALUES (1, 'GET');"
		echo "INSERT INTO bucket VALUES (29396880, 1, 1, 200, 0, 1);"
		echo "INSERT INTO bucket_total VALUES (1, 1, 200, 0, 1);"
	} | sqlite3 "$tmp/v2.db" || bad "making a version 2 database"
	if "$bin" ingest --quiet --db "$tmp/v2.db" --format trace "$trace"; then
		v=$(sqlite3 "$tmp/v2.db" "PRAGMA user_version")
		# the latest migration: sql/migrate's highest number
		want=$(ls "$(dirname "$0")/../../sql/migrate" | sed -n 's/^0*\([0-9][0-9]*\)_.*/\1/p' | sort -n | tail -n 1)
		[ "$v" = "$want" ] && ok "version 2 → $v" || bad "user_version $v after the migration, want $want"
		"$bin" report --db "$tmp/v2.db" --output json >"$tmp/v2.json" || bad "report of the migrated database"
		rows "$tmp/v2.json" >"$tmp/v2.rows"
		cmp -s "$tmp/ref.rows" "$tmp/v2.rows" && ok "migrated database: the same errors rows" ||
			bad "migrated database: errors rows differ from analyze"
		grep -q '"attempts": 12,' "$tmp/v2.json" && ok "migrated database: 11 attempts added to 1" ||
			bad "migrated database: totals.attempts is not 12"
	else
		bad "ingest into a version 2 database"
	fi
else
	echo "skip: no sqlite3 shell for the version 2 database"
fi

# --- ingest + report, --top, the text section --------------------------------------
"$bin" ingest --quiet --db "$tmp/a.db" --format trace "$trace" || bad "ingest"
"$bin" report --db "$tmp/a.db" --output json >"$tmp/ir.json"
rows "$tmp/ir.json" >"$tmp/ir.rows"
cmp -s "$tmp/ref.rows" "$tmp/ir.rows" && ok "ingest + report: the same errors rows" || bad "ingest + report differs"
"$bin" report --db "$tmp/a.db" --output json --top 2 >"$tmp/top.json"
n=$(rows "$tmp/top.json" | grep -o '"status"' | wc -l)
[ "$n" -eq 2 ] && ok "--top 2: 2 rows" || bad "--top 2 gave $n rows"
"$bin" report --db "$tmp/a.db" --output text >"$tmp/report.txt"
grep -q '^Error messages' "$tmp/report.txt" && grep -q 'Lead {n} not found' "$tmp/report.txt" &&
	ok "text: an Error messages section" || bad "text: no Error messages section"
"$bin" analyze --quiet --output text "$src/fixtures/quickstart/access.log" >"$tmp/none.txt"
grep -q '^Error messages' "$tmp/none.txt" && bad "text: a section without rows" || ok "text: no section without rows"

# --- the cap: 1,003 templates, then 2 more in a second run -------------------------
gen() { # FIRST LAST: one 500 each with a message no template merges (letters only)
	awk -v a="$1" -v b="$2" 'BEGIN {
		for (i = a; i <= b; i++) {
			w = ""; x = i
			for (k = 0; k < 3; k++) { w = w sprintf("%c", 97 + x % 26); x = int(x / 26) }
			printf "{\"ts\":%d,\"client_id\":\"c%d\",\"method\":\"GET\",\"url\":\"/x\",\"status\":500,", 1764410400000 + i, i
			printf "\"body\":{\"error\":{\"message\":\"failure %s\"}}}\n", w
		}
	}'
}
gen 0 1002 >"$tmp/cap1.jsonl"
gen 1003 1004 >"$tmp/cap2.jsonl"
"$bin" ingest --quiet --db "$tmp/cap.db" --format trace "$tmp/cap1.jsonl" || bad "ingest past the cap"
"$bin" report --db "$tmp/cap.db" --output json --top 0 >"$tmp/cap.json"
cat >"$tmp/want.json" <<'EOF'
{"errors_capped": true}
EOF
"$jsonsub" "$tmp/want.json" "$tmp/cap.json" && ok "cap: errors_capped" || bad "cap: errors_capped is not true"
n=$(rows "$tmp/cap.json" | grep -o '"status"' | wc -l)
[ "$n" -eq 1001 ] && ok "cap: 1,000 templates and {other}" || bad "cap: $n rows, want 1001"
rows "$tmp/cap.json" | grep -q '"message": "{other}", "count": 3,' && ok "cap: 3 under {other}" ||
	bad "cap: {other} does not count 3"
"$bin" ingest --quiet --db "$tmp/cap.db" --format trace "$tmp/cap2.jsonl" || bad "second ingest past the cap"
"$bin" report --db "$tmp/cap.db" --output json --top 0 >"$tmp/cap2.json"
n=$(rows "$tmp/cap2.json" | grep -o '"status"' | wc -l)
[ "$n" -eq 1001 ] && rows "$tmp/cap2.json" | grep -q '"message": "{other}", "count": 5,' &&
	ok "cap: a second run keeps to it (5 under {other})" || bad "cap: the second run went past the cap"
"$bin" report --db "$tmp/cap.db" --output text --top 3 | grep -q 'counted under {other}' &&
	ok "text: the cap is said" || bad "text: the cap is not said"
exit $fail
