#!/bin/sh
# errors.sh BIN FIXTURES
#
# Bad calls and broken databases: one clear line on stderr naming the culprit, and the
# exit status of SPEC §5 (2 usage, 3 input or database).
set -u
bin=$1 fx=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
log=$fx/quickstart/access.log

# expect STATUS NEEDLE CMD...: runs CMD, checks its exit status and that stderr names NEEDLE
expect() {
	want=$1 needle=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want" ] || ! grep -qF -- "$needle" "$tmp/err"; then
		echo "FAIL: $* → exit $rc (want $want), stderr:"
		cat "$tmp/err"
		echo "  (want it to mention: $needle)"
		fail=1
	else
		echo "ok: $* → $rc: $(head -n 1 "$tmp/err")"
	fi
}

expect 2 "--colour" "$bin" analyze --colour "$log"
expect 2 "--top" "$bin" analyze --top many "$log"
expect 2 "--output" "$bin" analyze --output yaml "$log"
expect 2 "--format" "$bin" analyze --format xml "$log"
expect 2 "no input" "$bin" analyze
expect 2 "$log" "$bin" analyze --policy "$log" "$log"
expect 2 "frobnicate" "$bin" frobnicate
expect 2 "--db" "$bin" report --db
expect 3 "$tmp/missing.log" "$bin" analyze "$tmp/missing.log"
# a missing file fails before anything is counted, even after a good one
expect 3 "$tmp/missing.log" "$bin" ingest --db "$tmp/a.db" "$log" "$tmp/missing.log"
[ ! -s "$tmp/out" ] || { echo "FAIL: output after a failed start"; fail=1; }

# policy files: the file and the field
printf '{"name": "mine", "retryable": [429], "backoff": {"base_ms": 100, "factor": "fast", "cap_ms": 1000}}' >"$tmp/bad.json"
expect 2 "backoff.factor" "$bin" analyze --policy "$tmp/bad.json" "$log"
expect 2 "$tmp/bad.json" "$bin" policies "$tmp/bad.json"
printf '{"name": "mine", ' >"$tmp/broken.json"
expect 2 "not valid JSON" "$bin" analyze --policy "$tmp/broken.json" "$log"

# databases: not a database, a directory, missing for report, newer schema, other policy
printf 'this is not sqlite, just text that goes on for a while ..................................\n' >"$tmp/text.db"
expect 3 "$tmp/text.db" "$bin" ingest --db "$tmp/text.db" "$log"
expect 3 "$tmp/text.db" "$bin" report --db "$tmp/text.db"
mkdir "$tmp/dir.db"
expect 3 "$tmp/dir.db" "$bin" ingest --db "$tmp/dir.db" "$log"
expect 3 "$tmp/none.db" "$bin" report --db "$tmp/none.db"
expect 3 "$tmp/nodir/x.db" "$bin" ingest --db "$tmp/nodir/x.db" "$log"
"$bin" ingest --quiet --db "$tmp/ok.db" "$log" || { echo "FAIL: ingest"; fail=1; }
expect 2 "policy 'default'" "$bin" ingest --db "$tmp/ok.db" --policy leaperone "$log"
if command -v sqlite3 >/dev/null 2>&1; then
	cp "$tmp/ok.db" "$tmp/new.db"
	sqlite3 "$tmp/new.db" "PRAGMA user_version = 999"
	expect 3 "newer retrylens" "$bin" report --db "$tmp/new.db"
else
	echo "skip: sqlite3 shell not installed (newer-schema check)"
fi
# an unwritable database (not as root: root writes anyway)
if [ "$(id -u)" != 0 ]; then
	cp "$tmp/ok.db" "$tmp/ro.db"
	chmod 444 "$tmp/ro.db"
	expect 3 "$tmp/ro.db" "$bin" ingest --db "$tmp/ro.db" "$log"
fi

# a truncated .gz: what was read is reported, the file is named, exit 3
head -c 100000 /dev/zero | tr '\000' 'x' | sed 's/x\{99\}/&\n/g' >"$tmp/filler"
{ cat "$log"; for i in 1 2 3 4 5 6 7 8; do cat "$tmp/filler"; done; } | gzip -1 >"$tmp/t.gz"
size=$(wc -c <"$tmp/t.gz")
head -c $((size / 2)) "$tmp/t.gz" >"$tmp/trunc.gz"
expect 3 "truncated gzip" "$bin" analyze --output json "$tmp/trunc.gz"
grep -q '"attempts": 34' "$tmp/out" || { echo "FAIL: the lines before the cut were not reported"; fail=1; }

# formats: a bad spec names what is wrong, exit 2, before any input is read
expect 2 "has no \$variable" "$bin" analyze --format 'nginx:no variables' "$log"
expect 2 "'\${' without '}'" "$bin" analyze --format 'nginx:${status' "$log"
expect 2 "'{' without '}'" "$bin" analyze --format 'apache:%h %{Referer' "$log"
expect 2 "no time field" "$bin" analyze --format 'regex:(?<status>\d+)' "$log"
expect 2 "bad pattern" "$bin" analyze --format 'regex:(?<time>[' "$log"
expect 2 "--client" "$bin" analyze --format 'nginx:[$time_local] $status' --client x_api_key "$log"
expect 2 "--field" "$bin" analyze --format json --field nonsense "$log"
expect 2 "JSON formats only" "$bin" analyze --format combined --field time=ts "$log"
cat >"$tmp/nginx.conf" <<'CONF'
http {
	log_format a '$remote_addr [$time_local] "$request" $status';
	log_format b '$msec "$request" $status';
}
CONF
expect 2 "choose one with --log-format-name" "$bin" analyze --log-format-file "$tmp/nginx.conf" "$log"
expect 2 "no log_format named c" "$bin" analyze --log-format-file "$tmp/nginx.conf" --log-format-name c "$log"
expect 2 "needs --log-format-file" "$bin" analyze --log-format-name a "$log"
expect 3 "$tmp/none.conf" "$bin" analyze --log-format-file "$tmp/none.conf" "$log"

# a config where a long quoted string with an escaped quote comes first, and a format
# that starts and ends with a literal quote
{
	printf 'http {\n  add_header X "%0300d\\"" always;\n' 0
	printf '  log_format q %s;\n}\n' "'\"\$remote_addr\" [\$time_local] \"\$request\" \$status \"\$http_user_agent\"'"
} >"$tmp/q.conf"
printf '%s\n' '"10.0.0.1" [29/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 "curl"' >"$tmp/q.log"
if "$bin" check-format --log-format-file "$tmp/q.conf" "$tmp/q.log" >"$tmp/cf" 2>&1; then
	echo "ok: a quoted format after a long escaped string in nginx.conf"
else
	echo "FAIL: nginx.conf with a long escaped string / a quoted format:"
	cat "$tmp/q.conf" "$tmp/cf"
	fail=1
fi

# check-format: exit 0 when every line parses, 1 when some do not, and the reason
"$bin" check-format "$fx/common/access_log" >"$tmp/cf" 2>&1 || { echo "FAIL: check-format on a clean log"; cat "$tmp/cf"; fail=1; }
"$bin" check-format "$log" >"$tmp/cf" 2>&1
rc=$?
if [ "$rc" != 1 ] || ! grep -q "^line 34: item 2 (' - ') does not match at byte 4" "$tmp/cf"; then
	echo "FAIL: check-format on quickstart → $rc:"
	cat "$tmp/cf"
	fail=1
else
	echo "ok: check-format names the failing item"
fi
"$bin" check-format --format 'nginx:$remote_addr - $remote_user [$time_local] "$request" $status' "$log" >"$tmp/cf" 2>&1
grep -q "the format ends at byte 79 but the line goes on" "$tmp/cf" || { echo "FAIL: check-format, line goes on"; cat "$tmp/cf"; fail=1; }

# usage and help
"$bin" --version | grep -q '^retrylens [0-9]' || { echo "FAIL: --version"; fail=1; }
for c in analyze ingest report policies check-format; do
	"$bin" $c --help | grep -q "usage: retrylens $c" || { echo "FAIL: $c --help"; fail=1; }
done
"$bin" policies | grep -q leaperone || { echo "FAIL: policies"; fail=1; }
"$bin" policies leaperone | grep -q '"cap_ms": 30000' || { echo "FAIL: policies leaperone"; fail=1; }
exit $fail
