#!/bin/sh
# logrotate.sh BIN JSONSUB FIXTURES
#
# The way to run retrylens from logrotate today (README, Cron): every rotated file is
# ingested once, by logrotate's own postrotate, the moment it is rotated. With Debian's
# logrotate (its own config and state file in $tmp; create + compress + delaycompress,
# the Debian default for nginx), a log grows in three steps and is rotated after each
# (logrotate -f): the database then equals `analyze` of every line rotated, on every
# number, whatever logrotate compressed meanwhile. A rotation with nothing new
# (notifempty) ingests nothing. A second rotation run while an ingest holds the
# database waits for it (the one-writer lock) and still counts each file once.
set -u
bin=$1 jsonsub=$2 fx=$3
log=$fx/quickstart/access.log
logrotate=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$logrotate" ] || { echo "skip: logrotate is not installed (apt-get install logrotate)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
cat >"$tmp/rotate.conf" <<CONF
$tmp/app.log {
  rotate 10
  compress
  delaycompress
  missingok
  notifempty
  create 0644
  postrotate
    $bin ingest --quiet --db $tmp/api.db $tmp/app.log.1
  endscript
}
CONF
rotate() { "$logrotate" -f -s "$tmp/state" "$tmp/rotate.conf" || bad "logrotate failed"; }
same() { # NAME FILE...: the database against analyze of FILEs' lines
	name=$1
	shift
	cat "$@" >"$tmp/all.log"
	"$bin" analyze --quiet --output json --top 0 "$tmp/all.log" >"$tmp/ref.json"
	"$bin" report --db "$tmp/api.db" --output json --top 0 >"$tmp/got.json"
	# (a rejected line's number is its line in the rotated file it was read from)
	if "$jsonsub" --equal "$tmp/ref.json" "$tmp/got.json" --ignore generated_at --ignore sources --ignore-field source \
		--ignore-field line; then
		ok "$name"
	else
		bad "$name: the database differs from analyze"
	fi
}
: >"$tmp/app.log"
head -n 12 "$log" >"$tmp/part1"
sed -n 13,24p "$log" >"$tmp/part2"
tail -n +25 "$log" >"$tmp/part3"
cat "$tmp/part1" >>"$tmp/app.log"
rotate
same "first rotation: its file ingested once" "$tmp/part1"
cat "$tmp/part2" >>"$tmp/app.log"
rotate
[ -f "$tmp/app.log.2.gz" ] && ok "delaycompress: the previous file is now app.log.2.gz" || bad "no app.log.2.gz"
same "second rotation: the new file, not the compressed one" "$tmp/part1" "$tmp/part2"
rotate # nothing new: notifempty
same "a rotation with nothing new changes nothing" "$tmp/part1" "$tmp/part2"
cat "$tmp/part3" >>"$tmp/app.log"
# a run holds the database while logrotate rotates: its ingest waits, then counts
if command -v mkfifo >/dev/null 2>&1; then
	mkfifo "$tmp/hold.fifo"
	"$bin" ingest --quiet --db "$tmp/api.db" "$tmp/hold.fifo" &
	p=$!
	exec 3>"$tmp/hold.fifo"
	i=0
	while [ "$(cat "$tmp/api.db.lock" 2>/dev/null)" != "$p" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
	(
		exec 3>&- # not inherited: the holder must see its writer go
		rotate
	) &
	r=$!
	sleep 1
	exec 3>&- # the holder ends (it read nothing)
	wait $p
	wait $r
else
	rotate
fi
same "third rotation, after a run that held the database: every line once" "$tmp/part1" "$tmp/part2" "$tmp/part3"
exit $fail
