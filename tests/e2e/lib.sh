# lib.sh - what the end-to-end scripts share; sourced after they set $bin:
#   . "$(dirname "$0")/lib.sh"
# ok/bad print a check's result (bad makes the script fail: it exits $fail);
# report_attempts and analyze_attempts give totals.attempts of a database's report and
# of analyze of a file.
fail=0
ok() { echo "ok: $1"; }
bad() {
	echo "FAIL: $1"
	fail=1
}
# totals.attempts of a JSON report on standard input
json_attempts() { sed -n 's/^    "attempts": \([0-9]*\),$/\1/p' | head -n 1; }
report_attempts() { "$bin" report --db "$1" --output json 2>/dev/null | json_attempts; }
analyze_attempts() { "$bin" analyze --quiet --output json "$1" | json_attempts; }
