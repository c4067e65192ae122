#!/bin/sh
# tests/golden.sh BASE_REF
#
# Holds a refactoring to the unit: builds BASE_REF (a commit, tag or branch) and the
# work tree (Release), runs both on the same inputs and compares every --output json
# report byte for byte, "generated_at" aside, and the exit status of every run:
#   - every fixture (fixtures/*/args, with its generate.sh when it has one), in json
#     and in text;
#   - every file in ../shared/data with --format auto, and each row of
#     tests/e2e/shared_data.sh's table with the format it names (skipped, with a
#     message, when ../shared is absent);
#   - the benchmark logs (tests/bench/genlog.c: hour, week, custom nginx, json lines),
#     under the default and the leaperone policy (the week log in text as well);
#   - ingest in two halves into one database followed by report, on the fixtures' logs
#     and on the benchmark logs;
#   - each fixture ingested by BASE_REF and reported by each build: a database an older
#     version wrote (and the work tree migrates) reads the same.
# Prints each difference and "golden: N reports, D differences"; exits 1 on any.
#   GOLDEN_LINES   lines per benchmark log (default 1000000, as tests/bench/run.sh)
#   GOLDEN_DIR     where builds, logs and reports go (default build-golden/)
#   GOLDEN_FILTER  a command both builds' outputs pass through, to set aside what the
#                  work tree adds on purpose (GOLDEN_FILTER='python3 tests/golden_filter.py
#                  timeline window.by Timeline': the timeline of issue 12)
set -eu
[ $# -eq 1 ] || { echo "usage: tests/golden.sh BASE_REF" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
base_ref=$1
base_sha=$(git -C "$root" rev-parse --verify "$base_ref^{commit}") || { echo "golden: no commit '$base_ref'" >&2; exit 2; }
lines=${GOLDEN_LINES:-1000000}
dir=${GOLDEN_DIR:-$root/build-golden}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# --- the two builds ------------------------------------------------------------------
src=$dir/src-$base_sha
if [ ! -d "$src" ]; then
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	git -C "$root" archive "$base_sha" | tar -x -C "$src.tmp"
	mv "$src.tmp" "$src"
fi
echo "golden: building $base_ref ($base_sha) and the work tree"
cmake -S "$src" -B "$dir/build-base-$base_sha" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$dir/build-base-$base_sha" -j"$(nproc)" >/dev/null
cmake -S "$root" -B "$dir/build-work" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$dir/build-work" -j"$(nproc)" >/dev/null
base_bin=$dir/build-base-$base_sha/retrylens
work_bin=$dir/build-work/retrylens

reports=0 diffs=0
out=$dir/out
rm -rf "$out"
mkdir -p "$out/base" "$out/work" "$out/run"

# run NAME CWD CMD...: runs CMD (where the word "RL" stands for each binary in turn, and
# "RLBASE" for BASE_REF's in both runs) in CWD with both builds, and compares what they
# print on stdout and their exit.
run() {
	name=$1 cwd=$2
	shift 2
	for side in base work; do
		if [ $side = base ]; then bin=$base_bin; else bin=$work_bin; fi
		rm -f "$out/run/"*.db "$out/run/"*.db-wal "$out/run/"*.db-shm
		(
			cd "$cwd"
			first=1
			for a in "$@"; do
				if [ $first = 1 ]; then set --; first=0; fi
				case $a in
				RL) set -- "$@" "$bin" ;;
				RLBASE) set -- "$@" "$base_bin" ;;
				*) set -- "$@" "$a" ;;
				esac
			done
			rc=0
			"$@" >"$out/$side/$name.json" 2>/dev/null || rc=$?
			echo "exit $rc" >>"$out/$side/$name.json"
		)
		sed -i 's/"generated_at": *"[^"]*"/"generated_at": ""/' "$out/$side/$name.json"
		if [ -n "${GOLDEN_FILTER:-}" ]; then
			# shellcheck disable=SC2086 # a command and its words
			$GOLDEN_FILTER <"$out/$side/$name.json" >"$out/$side/$name.filtered" &&
				mv "$out/$side/$name.filtered" "$out/$side/$name.json"
		fi
	done
	reports=$((reports + 1))
	if ! cmp -s "$out/base/$name.json" "$out/work/$name.json"; then
		diffs=$((diffs + 1))
		echo "DIFFERENT: $name"
		diff "$out/base/$name.json" "$out/work/$name.json" | head -n 20
	fi
}

# ingest2 NAME CWD FILE [ARGS...]: FILE's first half, then its second half, ingested
# into one database (ARGS, such as --format and --policy, given to each), then report.
ingest2() {
	name=$1 cwd=$2 file=$3
	shift 3
	n=$(wc -l <"$file")
	half=$(((n + 1) / 2))
	head -n "$half" "$file" >"$out/run/$name.1"
	tail -n +"$((half + 1))" "$file" >"$out/run/$name.2"
	run "$name" "$cwd" bash -c 'bin=$1 d=$2 name=$3
		shift 3
		"$bin" ingest --quiet --db "$d/g.db" "$@" "$d/$name.1" || exit $?
		"$bin" ingest --quiet --db "$d/g.db" "$@" "$d/$name.2" || exit $?
		exec "$bin" report --db "$d/g.db" --output json' bash RL "$out/run" "$name" "$@"
	rm -f "$out/run/$name.1" "$out/run/$name.2"
}

# migrated NAME CWD ARGS...: BASE_REF ingests ARGS into a database, then each build
# reports it: the work tree reads (and migrates) what BASE_REF wrote as BASE_REF does.
migrated() {
	name=$1 cwd=$2
	shift 2
	run "$name" "$cwd" bash -c 'base=$1 bin=$2 d=$3
		shift 3
		"$base" ingest --quiet --db "$d/m.db" "$@" || exit $?
		exec "$bin" report --db "$d/m.db" --output json' bash RLBASE RL "$out/run" "$@"
}

# --- fixtures ------------------------------------------------------------------------
for d in "$root"/fixtures/*/; do
	[ -f "$d/args" ] || continue
	case_=$(basename "$d")
	cwd=$d
	if [ -f "$d/generate.sh" ]; then
		cwd=$out/gen-$case_
		mkdir -p "$cwd"
		(cd "$cwd" && sh "$d/generate.sh") >/dev/null
	fi
	eval "set -- $(cat "$d/args")"
	run "fixture-$case_" "$cwd" RL analyze --output json "$@"
	run "fixture-$case_.leaperone" "$cwd" RL analyze --output json --policy leaperone "$@"
	run "fixture-$case_.text" "$cwd" RL analyze --output text "$@"
	migrated "migrated-$case_" "$cwd" "$@"
	# the fixture's line inputs in two halves: every argument that names a file with lines
	seen=
	for a in "$@"; do
		case " $seen " in *" $a "*) continue ;; esac
		seen="$seen $a"
		if [ -f "$cwd/$a" ] && [ "$(wc -l <"$cwd/$a")" -ge 2 ]; then
			case "$a" in *.gz | *.har) continue ;; esac
			fmt=auto
			prev=
			for b in "$@"; do
				[ "$prev" = --format ] && fmt=$b
				prev=$b
			done
			ingest2 "halves-$case_-$(basename "$a")" "$cwd" "$cwd/$a" --format "$fmt"
		fi
	done
done

# --- ../shared/data ------------------------------------------------------------------
data=$root/../shared/data
if [ -d "$data" ]; then
	find "$data" -type f ! -name '*.md' ! -name 'LICENSE*' ! -name 'NOTICE*' | sort >"$out/data-files"
	while IFS= read -r f; do
		rel=${f#"$data"/}
		run "data-auto-$(echo "$rel" | tr '/' '_')" "$data" RL analyze --output json "$rel"
	done <"$out/data-files"
	sed -n "/^done <<'TABLE'$/,/^TABLE$/p" "$root/tests/e2e/shared_data.sh" | sed '1d;$d' >"$out/data-table"
	i=0
	while IFS= read -r row; do
		case "$row" in '' | \#*) continue ;; esac
		file=${row%%|*} rest=${row#*|}
		rest=${rest%|*} rest=${rest%|*} fmt=${rest%|*}
		i=$((i + 1))
		run "data-table-$i-$(echo "$file" | tr '/' '_')" "$data" RL analyze --output json --format "$fmt" "$file"
	done <"$out/data-table"
else
	echo "golden: $data is absent: the shared data is not compared"
fi

# --- the benchmark logs --------------------------------------------------------------
logs=$dir/logs-$lines
mkdir -p "$logs"
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -o "$logs/genlog" "$root/tests/bench/genlog.c"
[ -s "$logs/hour.log" ] || "$logs/genlog" --lines "$lines" --span 3600 >"$logs/hour.log"
[ -s "$logs/week.log" ] || "$logs/genlog" --lines "$lines" --span 604800 >"$logs/week.log"
[ -s "$logs/hour.custom" ] || "$logs/genlog" --lines "$lines" --span 3600 --format custom >"$logs/hour.custom"
[ -s "$logs/hour.jsonl" ] || "$logs/genlog" --lines "$lines" --span 3600 --format json >"$logs/hour.jsonl"
custom_fmt='nginx:$remote_addr [$time_local] $msec $request_time "$request" $status $body_bytes_sent "$http_x_client_id" "$http_idempotency_key" "$sent_http_retry_after" $upstream_status "$http_user_agent"'
for pol in default leaperone; do
	run "bench-hour.$pol" "$logs" RL analyze --output json --policy $pol hour.log
	run "bench-week.$pol" "$logs" RL analyze --output json --policy $pol week.log
	run "bench-week.$pol.text" "$logs" RL analyze --output text --policy $pol week.log
	run "bench-custom.$pol" "$logs" RL analyze --output json --policy $pol --format "$custom_fmt" hour.custom
	run "bench-json.$pol" "$logs" RL analyze --output json --policy $pol hour.jsonl
	ingest2 "halves-bench-hour.$pol" "$logs" "$logs/hour.log" --policy $pol
	migrated "migrated-bench-hour.$pol" "$logs" "$logs/hour.log" --policy $pol
	ingest2 "halves-bench-custom.$pol" "$logs" "$logs/hour.custom" --policy $pol --format "$custom_fmt"
	ingest2 "halves-bench-json.$pol" "$logs" "$logs/hour.jsonl" --policy $pol
done

echo "golden: $reports reports, $diffs differences ($base_ref against the work tree)"
[ "$diffs" = 0 ]
