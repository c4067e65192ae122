#!/bin/sh
# tests/bench/run.sh [LINES]
#
# The benchmark of the README: builds retrylens (Release), generates the same
# deterministic API access logs every time (tests/bench/genlog.c: one spanning an hour,
# one spanning a week, LINES lines each, default 1,000,000 ≈ 138 MB; and the hour again
# in a custom nginx log_format and as nginx escape=json lines, ≈ 337 MB), and measures on
# the same files, in the same run: wall time (median of 3), lines/s and peak RSS of
#   retrylens analyze            (and pinned to one core with taskset)
#   lnav -n -c ';SELECT sc_status, count(*) FROM access_log GROUP BY sc_status'
#   goaccess --log-format=COMBINED -o out.json
#   barepass: one bare PCRE2-JIT match + fields pass (tests/bench/barepass.c), the floor
# lnav and goaccess are skipped with a note when not installed (apt-get install lnav
# goaccess). Then the memory figures: peak RSS on 1 hour vs 4 hours of the same
# traffic, and the retry state's bytes per open key with LINES distinct clients inside
# one window; then a database of 30 days: report's time, and a cron run of one minute
# into it against one into an empty database; then a re-ingest with nothing new of a
# 1 GB log, and (with BENCH_BASE) ingest's lines/s with the retry state saved in every
# commit against REF's, for a file and for a stream. Results go to stdout as Markdown
# (the rows with a target say whether it is met). Nothing here is a pass/fail test.
#
# BENCH_BASE=REF (a commit, tag or branch) also builds REF and measures it beside the
# work tree on every retrylens row of the first table, in the same run and on the same
# files (REF's row first): the before/after of a refactoring or a speed-up.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lines=${1:-1000000}
out=${BENCH_DIR:-$root/tests/bench/out}
build=$root/build-bench
mkdir -p "$out"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 >/dev/null
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -o "$out/genlog" "$here/genlog.c"
cc -O2 -std=c11 -D_DEFAULT_SOURCE -o "$out/measure" "$here/measure.c"
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -O2 -std=c11 -D_DEFAULT_SOURCE -o "$out/barepass" "$here/barepass.c" $(pkg-config --cflags --libs libpcre2-8)
bin=$build/retrylens
base_bin=
if [ -n "${BENCH_BASE:-}" ]; then
	base_sha=$(git -C "$root" rev-parse --verify "$BENCH_BASE^{commit}")
	base_src=$out/src-$base_sha
	if [ ! -d "$base_src" ]; then
		rm -rf "$base_src.tmp" && mkdir -p "$base_src.tmp"
		git -C "$root" archive "$base_sha" | tar -x -C "$base_src.tmp"
		mv "$base_src.tmp" "$base_src"
	fi
	cmake -S "$base_src" -B "$out/build-base-$base_sha" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	cmake --build "$out/build-base-$base_sha" -j2 >/dev/null
	base_bin=$out/build-base-$base_sha/retrylens
	base_name=$(git -C "$root" rev-parse --short "$base_sha")
fi
[ -s "$out/hour.log" ] && [ "$(wc -l <"$out/hour.log")" = "$lines" ] || "$out/genlog" --lines "$lines" --span 3600 >"$out/hour.log"
[ -s "$out/week.log" ] && [ "$(wc -l <"$out/week.log")" = "$lines" ] || "$out/genlog" --lines "$lines" --span 604800 >"$out/week.log"
cat "$out/hour.log" "$out/week.log" >/dev/null # warm the page cache

row() { # LABEL FILE CMD... (with BENCH_BASE, a retrylens command runs as REF's first)
	case " $* " in *" $bin "*) ours=1 ;; *) ours= ;; esac
	if [ -n "$base_bin" ] && [ -n "$ours" ]; then
		base_row "$@"
		l="$1 (work tree)"
		shift
		one_row "$l" "$@"
	else
		one_row "$@"
	fi
}

base_row() { # LABEL FILE CMD...: CMD with REF's binary in place of the work tree's
	l="$1 ($base_name)" f=$2
	shift 2
	n=$#
	for a in "$@"; do
		[ "$a" = "$bin" ] && a=$base_bin
		set -- "$@" "$a"
	done
	shift "$n"
	one_row "$l" "$f" "$@"
}

one_row() { # LABEL FILE CMD...
	label=$1 file=$2
	shift 2
	m=$("$out/measure" --runs 3 -- "$@")
	wall=$(echo "$m" | sed 's/.*wall_s=\([0-9.]*\).*/\1/')
	rss=$(echo "$m" | sed 's/.*rss_kib=\([0-9]*\).*/\1/')
	rate=$(awk -v n="$lines" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')
	printf '| %s | %s | %s | %s | %.1f |\n' "$label" "$(basename "$file")" "$wall" "$rate" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
}

echo "retrylens benchmark: $lines lines per file, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| tool | log | wall s | lines/s | peak RSS MiB |"
echo "|---|---|---:|---:|---:|"
for f in "$out/hour.log" "$out/week.log"; do
	row "retrylens analyze" "$f" "$bin" analyze --quiet --output json "$f"
	if command -v taskset >/dev/null; then
		row "retrylens analyze (1 core)" "$f" taskset -c 0 "$bin" analyze --quiet --output json "$f"
	fi
	if command -v lnav >/dev/null; then
		row "lnav $(lnav -V | head -n1 | awk '{print $2}')" "$f" env HOME="$out" lnav -n -c ';SELECT sc_status, count(*) FROM access_log GROUP BY sc_status' "$f"
	else
		echo "| lnav | (not installed) | | | |"
	fi
	if command -v goaccess >/dev/null; then
		row "goaccess $(goaccess -V | head -n1 | sed "s/[^0-9]*\([0-9.]*[0-9]\).*/\1/")" "$f" goaccess --log-format=COMBINED -o "$out/goaccess.json" "$f"
	else
		echo "| goaccess | (not installed) | | | |"
	fi
	row "barepass (one PCRE2-JIT pass, 1 core)" "$f" taskset -c 0 "$out/barepass" "$f"
done
# Custom formats against the built-in one on the same bytes: combined's own layout given
# as an nginx log_format (the issue's target: >= 90 % of combined's speed).
row "retrylens analyze, nginx:'combined layout'" "$out/hour.log" "$bin" analyze --quiet --output json \
	--format 'nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"' "$out/hour.log"
# The same traffic in the README's custom nginx log_format ($msec, $request_time,
# headers, $upstream_status): custom formats' speed (the target: >= 90 % of combined's).
cf=$out/hour.custom
custom_fmt='nginx:$remote_addr [$time_local] $msec $request_time "$request" $status $body_bytes_sent "$http_x_client_id" "$http_idempotency_key" "$sent_http_retry_after" $upstream_status "$http_user_agent"'
[ -s "$cf" ] && [ "$(wc -l <"$cf")" = "$lines" ] || "$out/genlog" --lines "$lines" --span 3600 --format custom >"$cf"
row "retrylens analyze, nginx custom" "$cf" "$bin" analyze --quiet --output json --format "$custom_fmt" "$cf"
if command -v taskset >/dev/null; then
	row "retrylens analyze, nginx custom (1 core)" "$cf" taskset -c 0 "$bin" analyze --quiet --output json --format "$custom_fmt" "$cf"
fi
# The same traffic as hour.log written as nginx escape=json lines (~340 bytes each: the
# json format's speed, SPEC's target is 400,000 lines/s on one core).
js=$out/hour.jsonl
[ -s "$js" ] && [ "$(wc -l <"$js")" = "$lines" ] || "$out/genlog" --lines "$lines" --span 3600 --format json >"$js"
row "retrylens analyze, json" "$js" "$bin" analyze --quiet --output json "$js"
if command -v taskset >/dev/null; then
	row "retrylens analyze, json (1 core)" "$js" taskset -c 0 "$bin" analyze --quiet --output json "$js"
fi

# Memory as the file grows: the same traffic (rate, clients, retry styles) for 1 hour
# and for 4 hours; the retry analysis keeps only what is inside the window, so the peak
# RSS should not follow the file.
long=$out/hour4.log
[ -s "$long" ] && [ "$(wc -l <"$long")" = "$((lines * 4))" ] || "$out/genlog" --lines "$((lines * 4))" --span 14400 >"$long"
echo
echo "| retrylens analyze | log | lines | peak RSS MiB |"
echo "|---|---|---:|---:|"
for f in "$out/hour.log" "$long"; do
	m=$("$out/measure" --runs 1 -- "$bin" analyze --quiet --output json "$f")
	rss=$(echo "$m" | sed 's/.*rss_kib=\([0-9]*\).*/\1/')
	printf '| | %s | %s | %.1f |\n' "$(basename "$f")" "$(wc -l <"$f")" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
done

# The retry state per key, at its worst: LINES distinct clients each fail once within
# 50 s and are all open chains at the end (genlog --distinct). ingest says how many keys
# are open and the bytes the retry analysis holds for them.
dist=$out/distinct.log
[ -s "$dist" ] && [ "$(wc -l <"$dist")" = "$((lines + 65))" ] || "$out/genlog" --distinct --lines "$lines" --span 50 >"$dist"
rm -f "$out/distinct.db" "$out/distinct.db-wal" "$out/distinct.db-shm"
echo
echo "$lines distinct clients failing inside one retry window (genlog --distinct --span 50):"
"$bin" ingest --db "$out/distinct.db" "$dist" 2>&1 | sed -n 's/^retrylens: \(.*retry keys.*\)/  \1/p'
rm -f "$out/distinct.db" "$out/distinct.db-wal" "$out/distinct.db-shm"
m=$("$out/measure" --runs 1 -- "$bin" ingest --quiet --db "$out/distinct.db" "$dist")
echo "  ingest: $(echo "$m" | sed 's/.*wall_s=\([0-9.]*\).*/\1/') s, peak RSS $(echo "$m" | sed 's/.*rss_kib=\([0-9]*\).*/\1/' | awk '{printf "%.1f", $1/1024}') MiB"
rm -f "$out/distinct.db" "$out/distinct.db-wal" "$out/distinct.db-shm"

# A database of 30 days (2 × LINES lines over 30 days of minutes, ingested once): report
# reads it, and a cron run adds one minute of new lines (1,000, right after the 30 days)
# to it and to an empty database (made beforehand; both median of 21 runs) — the two
# should cost the same: a run's cost follows what it reads, not what the database holds.
month=$out/month.log minute=$out/minute.log
[ -s "$month" ] && [ "$(wc -l <"$month")" = "$((lines * 2))" ] ||
	"$out/genlog" --lines "$((lines * 2))" --span 2592000 >"$month"
[ -s "$minute" ] || "$out/genlog" --lines 1000 --span 60 --start $((1700000000 + 2592000)) --seed 7 >"$minute"
for f in month.db month-cron.db empty.db empty0.db; do rm -f "$out/$f" "$out/$f-wal" "$out/$f-shm" "$out/$f.lock"; done
wall_of() { sed 's/.*wall_s=\([0-9.]*\).*/\1/'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# cron_minute DB: the median of 21 runs, each ingesting minute.log into a fresh copy of DB
cron_minute() {
	i=0
	while [ $i -lt 21 ]; do
		rm -f "$out/month-cron.db" "$out/month-cron.db-wal" "$out/month-cron.db-shm"
		cp "$1" "$out/month-cron.db" && sync "$out/month-cron.db" # not the copy's dirty pages
		"$out/measure" -- "$bin" ingest --quiet --db "$out/month-cron.db" "$minute" | wall_of
		i=$((i + 1))
	done | median
}
"$bin" ingest --quiet --db "$out/month.db" "$month"
rows=$(sqlite3 "$out/month.db" 'SELECT count(*) FROM bucket' 2>/dev/null || echo "?")
echo
echo "| 30 days in the database ($rows minute rows) | wall s | target |"
echo "|---|---:|---|"
m=$("$out/measure" --runs 3 -- "$bin" report --db "$out/month.db" --output json)
rep=$(echo "$m" | sed 's/.*wall_s=\([0-9.]*\).*/\1/')
echo "| report, all 30 days | $rep | ≤ 0.200 s: $(awk -v w="$rep" 'BEGIN { print w <= 0.2 ? "met" : "MISSED" }') |"
# a run reads only what is new (the checkpoints): each of the 11 runs gets a fresh copy
: >"$out/nothing.log"
"$bin" ingest --quiet --db "$out/empty0.db" "$out/nothing.log" # made, with nothing in it
full=$(cron_minute "$out/month.db")
empty=$(cron_minute "$out/empty0.db")
echo "| ingest the same minute into an empty database | $empty | the anchor |"
echo "| ingest one minute (1,000 lines) into the 30 days | $full | ≤ 1.25 × the anchor: $(awk -v a="$empty" -v b="$full" \
	'BEGIN { printf "%.2f×, %s", b / a, b <= 1.25 * a ? "met" : "MISSED" }') |"
for f in month.db month-cron.db empty.db empty0.db; do rm -f "$out/$f" "$out/$f-wal" "$out/$f-shm" "$out/$f.lock"; done

# --- checkpoints and the retry state in every commit (issue 12) ---------------------------
# A re-run that finds nothing new on a 1 GB log already read (median of 11): the
# checkpoint matches its first 4 KiB, and nothing past it is read.
gb=$out/gb.log
[ -s "$gb" ] && [ "$(wc -c <"$gb")" -ge 1000000000 ] || "$out/genlog" --lines 7300000 --span 86400 --seed 3 >"$gb"
rm -f "$out/gb.db" "$out/gb.db-wal" "$out/gb.db-shm"
"$bin" ingest --quiet --db "$out/gb.db" "$gb"
noop=$("$out/measure" --runs 11 -- "$bin" ingest --quiet --db "$out/gb.db" "$gb" | wall_of)
echo
echo "| checkpoints | wall s | target |"
echo "|---|---:|---|"
echo "| re-ingest of a $(awk -v b="$(wc -c <"$gb")" 'BEGIN { printf "%.2f", b / 1e9 }') GB log with nothing new | $noop | ≤ 0.050 s: $(awk -v w="$noop" 'BEGIN { print w <= 0.05 ? "met" : "MISSED" }') |"
rm -f "$out/gb.db" "$out/gb.db-wal" "$out/gb.db-shm" "$out/gb.db.lock"
# ingest's lines/s with the state saved in every commit, against BENCH_BASE's: a file (one
# transaction: the state and checkpoints in its commit) and a stream committing every
# second (the state with each timer commit); 9 runs of each, REF's and the work tree's
# in turn (a machine that speeds up or slows down meanwhile slows both alike), medians,
# each run into a new database
if [ -n "$base_bin" ]; then
	echo
	echo "| ingest, week.log ($lines lines) | $base_name lines/s | work tree lines/s | work ÷ $base_name | target |"
	echo "|---|---:|---:|---:|---|"
	for how in file stream; do
		i=0
		while [ $i -lt 9 ]; do
			for b in "$base_bin" "$bin"; do
				if [ $how = file ]; then
					cmd="rm -f '$out/r.db' '$out/r.db-wal' '$out/r.db-shm'; '$b' ingest --quiet --db '$out/r.db' '$out/week.log'"
				else
					cmd="rm -f '$out/r.db' '$out/r.db-wal' '$out/r.db-shm'; cat '$out/week.log' | '$b' ingest --quiet --flush-every 1 --db '$out/r.db' -"
				fi
				printf '%s ' "$("$out/measure" -- sh -c "$cmd" | wall_of)"
			done
			echo
			i=$((i + 1))
		done | awk -v n="$lines" -v how="$how" '{ a[NR] = $1; b[NR] = $2 }
			function median(v, k, i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
				return v[int((k + 1) / 2)] }
			END { ra = n / median(a, NR); rb = n / median(b, NR);
			printf "| %s | %.0f | %.0f | %.2f | ≥ 0.90: %s |\n", how == "file" ? "a file (one transaction)" : "a stream, --flush-every 1",
			ra, rb, rb / ra, (rb / ra >= 0.90 ? "met" : "MISSED") }'
	done
	rm -f "$out/r.db" "$out/r.db-wal" "$out/r.db-shm" "$out/r.db.lock"
fi

# --- beyond one machine (issue 14) -------------------------------------------------------
# --jobs 2 against --jobs 1 on the same logs: analyze, medians of 5 runs of each in turn.
# Then the map step and the reduce step of 16 shards: a log of 16 × LINES lines of 20,000
# clients split in one pass (split's lines/s against a plain ingest of hour.log, medians
# of 3), each part ingested with --shard I/16 (about LINES lines each), and the 16 shard
# databases merged into a new one: merge's time and peak RSS. No target: figures to know.
echo
echo "| --jobs (analyze, $(nproc) cores) | log | --jobs 1 s | --jobs 2 s | 2 ÷ 1 |"
echo "|---|---|---:|---:|---:|"
for f in "$out/hour.log" "$out/week.log"; do
	i=0
	while [ $i -lt 5 ]; do
		for j in 1 2; do
			printf '%s ' "$("$out/measure" -- "$bin" analyze --quiet --jobs $j --output json "$f" | wall_of)"
		done
		echo
		i=$((i + 1))
	done | awk -v file="$(basename "$f")" '{ a[NR] = $1; b[NR] = $2 }
		function median(v, k, i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			return v[int((k + 1) / 2)] }
		END { x = median(a, NR); y = median(b, NR); printf "| | %s | %.3f | %.3f | %.2f |\n", file, x, y, y / x }'
done

big16=$out/clients16.log
n16=$((16 * lines))
[ -s "$big16" ] && [ "$(wc -l <"$big16")" = "$n16" ] || "$out/genlog" --lines "$n16" --clients 20000 --span 57600 >"$big16"
split_s=$("$out/measure" --runs 3 -- sh -c "rm -rf '$out/parts1'; '$bin' split --quiet --shards 16 --out '$out/parts1' '$out/hour.log'" | wall_of)
ingest_s=$("$out/measure" --runs 3 -- sh -c "rm -f '$out/i.db'*; '$bin' ingest --quiet --db '$out/i.db' '$out/hour.log'" | wall_of)
rm -rf "$out/parts1" "$out/i.db" "$out/i.db-wal" "$out/i.db-shm" "$out/i.db.lock"
rm -rf "$out/parts16" "$out/shards16"
mkdir -p "$out/shards16"
split16_s=$("$out/measure" -- "$bin" split --quiet --shards 16 --out "$out/parts16" "$big16" | wall_of)
i=0
while [ $i -lt 16 ]; do
	"$bin" ingest --quiet --db "$out/shards16/s$i.db" --shard $i/16 "$out/parts16/shard-$i-of-16.log.gz"
	i=$((i + 1))
done
shard_lines=$(for d in "$out"/shards16/s*.db; do "$bin" report --db "$d" --output json | sed -n 's/^    "attempts": \([0-9]*\),$/\1/p' | head -n 1; done |
	awk '{ s += $1; if ($1 < lo || !lo) lo = $1; if ($1 > hi) hi = $1 } END { printf "%d..%d lines each", lo, hi }')
m=$("$out/measure" -- sh -c "rm -f '$out/m16.db'*; '$bin' merge --quiet --db '$out/m16.db' '$out'/shards16/s*.db")
echo
echo "| shards | lines | wall s | lines/s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|"
awk -v n="$lines" -v w="$ingest_s" 'BEGIN { printf "| ingest hour.log (the anchor) | %d | %.3f | %.0f | |\n", n, w, n / w }'
awk -v n="$lines" -v w="$split_s" -v a="$ingest_s" 'BEGIN { printf "| split --shards 16 hour.log | %d | %.3f | %.0f (%.2f × ingest'"'"'s) | |\n", n, w, n / w, a / w }'
awk -v n="$n16" -v w="$split16_s" 'BEGIN { printf "| split --shards 16 of %d lines | %d | %.3f | %.0f | |\n", n, n, w, n / w }'
echo "$m" | awk -v n="$n16" -v each="$shard_lines" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	END { printf "| merge 16 shard databases (%s) | %d | %.3f | %.0f | %.1f |\n", each, n, v["wall_s"], n / v["wall_s"], v["rss_kib"] / 1024 }'
rm -rf "$out/parts16" "$out/shards16" "$out/m16.db" "$out/m16.db-wal" "$out/m16.db-shm" "$out/m16.db.lock"

# --- near the limit (issue 15) -------------------------------------------------------------
# A .gz input against the same file plain (gzip -1 of hour.log; analyze, medians of 5
# runs of each in turn): the target is ≤ 1.25×.
[ -s "$out/hour.log.gz" ] && [ "$out/hour.log.gz" -nt "$out/hour.log" ] || gzip -1 -c "$out/hour.log" >"$out/hour.log.gz"
echo
echo "| gzip (analyze) | plain s | .gz s | .gz ÷ plain | target |"
echo "|---|---:|---:|---:|---|"
i=0
while [ $i -lt 5 ]; do
	for f in "$out/hour.log" "$out/hour.log.gz"; do
		printf '%s ' "$("$out/measure" -- "$bin" analyze --quiet --output json "$f" | wall_of)"
	done
	echo
	i=$((i + 1))
done | awk '{ a[NR] = $1; b[NR] = $2 }
	function median(v, k, i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((k + 1) / 2)] }
	END { x = median(a, NR); y = median(b, NR); printf "| hour.log | %.3f | %.3f | %.2f× | ≤ 1.25×: %s |\n", x, y, y / x, y <= 1.25 * x ? "met" : "MISSED" }'

# --- issue 15's figures, each beside its anchor, in this one run ---------------------
# Wall times are medians of 5 runs of each command in turn; instructions are callgrind's
# "I refs" (all threads, the whole 1 M-line file) divided by its lines; peak RSS is the
# largest of every log above; bytes per open key are ingest's own figure on distinct.log.
# A violation-rich log: genlog --violations (20,000 clients, 30 % failures, blind 4xx
# retries, outages every two minutes).
viol=$out/violations.log
[ -s "$viol" ] && [ "$(wc -l <"$viol")" = "$lines" ] || "$out/genlog" --lines "$lines" --span 3600 --violations >"$viol"
# pair A B: the medians of 5 runs of the shell commands A and B (sh -c, reading the
# RL_* variables below), in turn: "a b"
pair() {
	i=0
	while [ $i -lt 5 ]; do
		echo "$("$out/measure" -- sh -c "$1" | wall_of) $("$out/measure" -- sh -c "$2" | wall_of)"
		i=$((i + 1))
	done | awk '{ a[NR] = $1; b[NR] = $2 }
		function median(v, k, i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			return v[int((k + 1) / 2)] }
		END { printf "%.4f %.4f\n", median(a, NR), median(b, NR) }'
}
h=$out/hour.log
lq=';SELECT sc_status, count(*) FROM access_log GROUP BY sc_status'
export RL_BIN="$bin" RL_BASE="$base_bin" RL_H="$h" RL_CF="$cf" RL_JS="$js" RL_CUSTOM="$custom_fmt" RL_OUT="$out" RL_LQ="$lq"
ours='"$RL_BIN" analyze --quiet --output json "$RL_H"'
# figure A B FIGURE TARGET WHAT: a row; every wall time must be there, else MISSED
figure() {
	awk -v a="$1" -v b="$2" -v what="$3" -v op="$4" -v t="$5" 'BEGIN {
		ok = a > 0 && b > 0; x = ok ? (op == "le" ? b / a : a / b) : 0
		met = ok && (op == "le" ? x <= t : x >= t)
		printf "| %s | %.3f s | %.3f s | %.2f× | %s %s×: %s |\n", what, a, b, x, op == "le" ? "≤" : "≥", t, (met ? "met" : "MISSED") }'
}
echo
echo "| issue 15 (hour.log unless named) | anchor | retrylens | figure | target |"
echo "|---|---:|---:|---:|---|"
if command -v lnav >/dev/null; then
	set -- $(pair 'HOME="$RL_OUT" lnav -n -c "$RL_LQ" "$RL_H"' "$ours") 0 0 # a pair that failed reads 0 0: MISSED
	figure "$1" "$2" "2 cores: lnav ÷ retrylens" ge 6.7
	set -- $(pair 'HOME="$RL_OUT" taskset -c 0 lnav -n -c "$RL_LQ" "$RL_H"' "taskset -c 0 $ours") 0 0 # a pair that failed reads 0 0: MISSED
	figure "$1" "$2" "1 core: retrylens ÷ lnav" le 0.25
else
	echo "| lnav ratios | (lnav is not installed: apt-get install lnav) | | | |"
fi
set -- $(pair 'taskset -c 0 "$RL_OUT/barepass" "$RL_H"' "$ours") 0 0 # a pair that failed reads 0 0: MISSED
awk -v a="$1" -v b="$2" 'BEGIN { printf "| retrylens (2 cores) ÷ one bare PCRE2-JIT pass (1 core) | %.3f s | %.3f s | %.2f× | (the floor) |\n", a, b, (a > 0 ? b / a : 0) }'
set -- $(pair "$ours" '"$RL_BIN" analyze --quiet --output json --format "$RL_CUSTOM" "$RL_CF"') 0 0 # a pair that failed reads 0 0: MISSED
figure "$1" "$2" "nginx custom (hour.custom) ÷ combined" le 1.2
if [ -n "$base_bin" ]; then
	set -- $(pair '"$RL_BASE" analyze --quiet --output json "$RL_JS"' '"$RL_BIN" analyze --quiet --output json "$RL_JS"') 0 0 # a pair that failed reads 0 0: MISSED
	figure "$1" "$2" "json lines (hour.jsonl): work tree's lines/s ÷ $base_name's" ge 2
else
	echo "| json lines against today's lines/s | (needs BENCH_BASE=REF) | | | |"
fi
if command -v valgrind >/dev/null; then
	for f in "$h" "$viol"; do
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" analyze --quiet --output json "$f" 2>&1 >/dev/null |
			sed -n 's/.*I *refs: *//p' | tr -d ,)
		t=3500
		[ "$f" = "$viol" ] && t=4500
		awk -v ir="$ir" -v n="$lines" -v t="$t" -v f="$(basename "$f")" 'BEGIN { x = ir / n; printf "| %s: instructions per line (callgrind, all threads) | | %.0f | | ≤ %d: %s |\n", f, x, t, (x <= t ? "met" : "MISSED") }'
	done
else
	echo "| instructions per line | (valgrind not installed) | | | |"
fi
peak=0
for f in "$h" "$out/week.log" "$cf" "$js" "$viol" "$out/hour.log.gz" "$long"; do
	case $f in "$cf") fa="--format $custom_fmt" ;; *) fa= ;; esac
	if [ -n "$fa" ]; then
		m=$("$out/measure" -- "$bin" analyze --quiet --output json --format "$custom_fmt" "$f")
	else
		m=$("$out/measure" -- "$bin" analyze --quiet --output json "$f")
	fi
	k=$(echo "$m" | sed 's/.*rss_kib=\([0-9]*\).*/\1/')
	[ "$k" -gt "$peak" ] && peak=$k
done
awk -v k="$peak" 'BEGIN { printf "| peak RSS, the largest of every log above | | %.1f MiB | | ≤ 32 MiB: %s |\n", k / 1024, (k <= 32768 ? "met" : "MISSED") }'
rm -f "$out/distinct.db" "$out/distinct.db-wal" "$out/distinct.db-shm"
bpk=$("$bin" ingest --db "$out/distinct.db" "$dist" 2>&1 | sed -n 's/.*MiB in memory, \([0-9]*\) B per key.*/\1/p')
rm -f "$out/distinct.db" "$out/distinct.db-wal" "$out/distinct.db-shm" "$out/distinct.db.lock"
awk -v b="$bpk" 'BEGIN { printf "| bytes per open key (distinct.log) | | %d B | | ≤ 128 B: %s |\n", b, (b <= 128 ? "met" : "MISSED") }'

