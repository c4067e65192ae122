#!/bin/sh
# rsyslog.sh BIN JSONSUB FIXTURES
#
# A real log shipper in front of retrylens: Debian's rsyslog, run in the foreground with
# a config and a work directory of its own (no system socket, nothing outside $tmp),
# tails a log with imfile and pipes each line to `retrylens ingest -` with omprog. The
# quickstart log is appended in two bursts: after each, the database holds its lines
# within a few seconds (--flush-every 1, imfile polls every second), while rsyslog
# runs. Then rsyslog is stopped by its PID; the database equals `analyze` of the log
# (but for line numbers: rsyslog drops the log's blank line).
set -u
bin=$1 jsonsub=$2 fx=$3
log=$fx/quickstart/access.log
rsyslogd=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
mods=/usr/lib/x86_64-linux-gnu/rsyslog
[ -x "$rsyslogd" ] || { echo "skip: rsyslogd is not installed (apt-get install rsyslog)"; exit 77; }
for m in imfile omprog; do
	[ -e "$mods/$m.so" ] || [ -n "$(find /usr/lib -name "$m.so" -path '*rsyslog*' 2>/dev/null | head -n 1)" ] ||
		{ echo "skip: rsyslog's $m module is not installed"; exit 77; }
done
flush=1
case $bin in *valgrind*) flush=4 ;; esac
tmp=$(mktemp -d)
trap '[ -s "$tmp/rs.pid" ] && kill "$(cat "$tmp/rs.pid")" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
attempts() { report_attempts "$tmp/r.db"; }
wait_for() { # WANT SECONDS: until the database holds WANT attempts
	_end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt $_end ]; do
		[ "$(attempts)" = "$1" ] && return 0
		sleep 0.3
	done
	return 1
}
mkdir "$tmp/work"
: >"$tmp/app.log"
cat >"$tmp/rsyslog.conf" <<CONF
global(workDirectory="$tmp/work")
module(load="omprog")
module(load="imfile" mode="polling" PollingInterval="1")
template(name="line" type="string" string="%msg%\n")
ruleset(name="retrylens") {
  action(type="omprog" binary="$bin ingest --quiet --db $tmp/r.db --flush-every $flush -" template="line")
}
input(type="imfile" File="$tmp/app.log" Tag="app" ruleset="retrylens")
CONF
"$rsyslogd" -n -f "$tmp/rsyslog.conf" -i "$tmp/rs.pid" >"$tmp/rsyslog.out" 2>&1 &
i=0
while [ ! -s "$tmp/rs.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$tmp/rs.pid" ] || { bad "rsyslogd did not start: $(cat "$tmp/rsyslog.out")"; exit 1; }
head -n 20 "$log" >>"$tmp/app.log"
want=$(analyze_attempts "$tmp/app.log")
wait_for "$want" $((15 * flush)) && ok "first burst: its $want attempts are committed while rsyslog runs" ||
	bad "first burst: $(attempts) attempts committed, want $want"
tail -n +21 "$log" >>"$tmp/app.log"
want=$(analyze_attempts "$log")
wait_for "$want" $((15 * flush)) && ok "second burst: all $want attempts committed" ||
	bad "second burst: $(attempts) attempts committed, want $want"
rs=$(cat "$tmp/rs.pid")
kill "$rs"
i=0
while kill -0 "$rs" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
i=0 # omprog's child ends when its pipe closes
while pgrep -f "ingest --quiet --db $tmp/r.db" >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$bin" analyze --quiet --output json --top 0 "$log" >"$tmp/ref.json"
"$bin" report --db "$tmp/r.db" --output json --top 0 >"$tmp/got.json"
# (imfile does not pass the log's blank line on, so a rejected line's number is one less)
if "$jsonsub" --equal "$tmp/ref.json" "$tmp/got.json" --ignore generated_at --ignore sources --ignore-field source \
	--ignore-field line; then
	ok "after rsyslog stops, the database equals analyze of every line written"
else
	bad "the database differs from analyze"
fi
exit $fail
