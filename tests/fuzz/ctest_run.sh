#!/bin/sh
# ctest_run.sh BINARY FUZZDIR SECONDS - one ctest fuzz test: replays every file of
# FUZZDIR/regressions/<target>/ (each must pass), then fuzzes a temporary copy of
# FUZZDIR/corpus/<target>/ for SECONDS (the source tree is never written). A crash
# leaves its input in the temporary directory, whose path is printed.
set -eu
bin=$1 dir=$2 secs=$3
name=$(basename "$bin")
work=$(mktemp -d "${TMPDIR:-/tmp}/rl-$name.XXXXXX")
keep=0
trap '[ $keep = 1 ] || rm -rf "$work"' EXIT
dict=
[ -f "$dir/dict/$name.dict" ] && dict="-dict=$dir/dict/$name.dict"
opts="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1"

if [ -d "$dir/regressions/$name" ] && [ -n "$(ls "$dir/regressions/$name")" ]; then
	# shellcheck disable=SC2086
	"$bin" $opts "$dir"/regressions/"$name"/* || { echo "regression input failed"; exit 1; }
fi

mkdir "$work/corpus"
[ -d "$dir/corpus/$name" ] && cp -R "$dir/corpus/$name/." "$work/corpus/"
# shellcheck disable=SC2086
if ! (cd "$work" && "$bin" $opts $dict -max_total_time="$secs" "$work/corpus"); then
	keep=1
	echo "fuzzing found a failure: inputs kept in $work"
	exit 1
fi
