#!/bin/sh
# rotation.sh BIN JSONSUB GENLOG
#
# Cron and logrotate, as users run them (README, Cron): `retrylens ingest --db api.db
# access.log*` every few minutes, over a log that Debian's logrotate rotates between
# the runs. Three configs, each on its own log and database:
#   create:       create + compress + delaycompress (Debian's nginx default);
#   copytruncate: copytruncate + compress (the log is copied, then truncated in place);
#   dateext:      dateext + create + compress (rotated files are named by date).
# Each log grows in steps: lines, a cron run, more lines (written after the run and
# before the rotation: they live only in the rotated, perhaps compressed, copy), a
# rotation; one run of each log is killed with -9 at a random moment and run again. At
# the end the database's report equals one `analyze` of every line written, on every
# number, each line was read exactly once, and a further run changes nothing.
set -u
bin=$1 jsonsub=$2 genlog=$3
logrotate=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$logrotate" ] || { echo "skip: logrotate is not installed (apt-get install logrotate)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# the lines: in time order, cut into the steps' chunks; a large one for the killed run
"$genlog" --lines 90000 --span 172800 --clients 400 --seed 7 >"$tmp/lines" || exit 1
chunk() { sed -n "$1,$2p" "$tmp/lines"; } # FROM TO
seed=$(date +%s)
echo "kill moments from seed $seed"

style() { # NAME: the logrotate options of a style
	case $1 in
	create) printf '  create 0644\n  compress\n  delaycompress\n' ;;
	copytruncate) printf '  copytruncate\n  compress\n' ;;
	dateext) printf '  create 0644\n  dateext\n  dateformat -%%Y%%m%%d-%%s\n  compress\n' ;;
	esac
}

for name in create copytruncate dateext; do
	d=$tmp/$name
	mkdir "$d"
	log=$d/access.log
	db=$d/api.db
	: >"$log"
	{
		echo "$log {"
		echo "  rotate 20"
		echo "  missingok"
		echo "  notifempty"
		style $name
		echo "}"
	} >"$d/rotate.conf"
	cron() { "$bin" ingest --quiet --db "$db" "$d"/access.log* 2>>"$d/err" || bad "$name: ingest failed: $(tail -n 3 "$d/err")"; }
	rotate() {
		[ $name = dateext ] && sleep 1 # one rotated name per second
		"$logrotate" -f -s "$d/state" "$d/rotate.conf" 2>>"$d/err" || bad "$name: logrotate failed: $(tail -n 3 "$d/err")"
	}
	at=1
	add() { # N: the next N lines, appended to the log
		chunk $at $((at + $1 - 1)) >>"$log"
		at=$((at + $1))
	}
	for step in 1 2 3 4; do
		if [ $step = 3 ]; then
			add 60000
			"$bin" ingest --quiet --db "$db" "$d"/access.log* 2>>"$d/err" &
			p=$!
			t=$(awk -v s="$seed" -v n=$name 'BEGIN { srand(s + length(n)); printf "%.3f", rand() * 0.06 }')
			sleep "$t"
			kill -9 $p 2>/dev/null
			wait $p
			echo "$name: the run of 60,000 new lines, kill -9 after $t s: exit $?"
		else
			add 2500
		fi
		cron
		add 1500 # after the run, before the rotation
		rotate
	done
	add 2000
	cron
	written=$((at - 1))
	chunk 1 $written >"$d/all.log"
	"$bin" analyze --quiet --output json --top 0 "$d/all.log" >"$d/ref.json"
	"$bin" report --db "$db" --output json --top 0 >"$d/got.json"
	if "$jsonsub" --equal "$d/ref.json" "$d/got.json" --ignore generated_at --ignore sources \
		--ignore-field source --ignore-field line; then
		ok "$name: the database equals analyze of the $written lines written ($(ls "$d" | grep -c '^access\.log') files now)"
	else
		bad "$name: the database differs from analyze of the $written lines written; files: $(ls "$d" | tr '\n' ' ')"
	fi
	read=$(sqlite3 -batch "$db" 'SELECT sum(lines) FROM source' 2>/dev/null || echo "?")
	[ "$read" = "$written" ] || [ "$read" = "?" ] && ok "$name: $read lines read, each once" ||
		bad "$name: $read lines read for $written written"
	cron
	"$bin" report --db "$db" --output json --top 0 >"$d/again.json"
	"$jsonsub" --equal "$d/got.json" "$d/again.json" --ignore generated_at && ok "$name: a further run changes nothing" ||
		bad "$name: a further run changed the report"
done
exit $fail
