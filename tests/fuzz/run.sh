#!/usr/bin/env bash
# run.sh SECONDS [TARGET...] - long fuzzing runs of tests/fuzz/ targets.
#
#   CC=clang cmake -S . -B build-fuzz -DRL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   cmake --build build-fuzz -j2 --target fuzz
#   tests/fuzz/run.sh 3600                       # every target, one hour each
#   RL_FUZZ_JOBS=2 tests/fuzz/run.sh 600 fuzz_har fuzz_jscan
#
# Each target runs SECONDS (libFuzzer -max_total_time) on its work corpus,
# $RL_FUZZ_WORK/<target>/ (default build-fuzz/fuzz-work/), which starts as a copy of
# tests/fuzz/corpus/<target>/ and keeps every new entry from run to run; the seeds in
# the tree are read, never written. A crash, hang or sanitizer report leaves its input in
# tests/fuzz/crashes/<target>-crash-… (timeout-…, oom-…, leak-…); reproduce it with
# `build-fuzz/tests/fuzz/<target> FILE`, minimize it with `-minimize_crash=1`, and add
# the minimized input to tests/fuzz/regressions/<target>/ once fixed. Targets run
# RL_FUZZ_JOBS at a time (default 1). The log of each run is $RL_FUZZ_WORK/<target>.log;
# its last lines (libFuzzer's -print_final_stats) are printed at the end.
# Environment: RL_FUZZ_BUILD (build dir, default build-fuzz), RL_FUZZ_WORK, RL_FUZZ_JOBS.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
build=${RL_FUZZ_BUILD:-$root/build-fuzz}
work=${RL_FUZZ_WORK:-$build/fuzz-work}
jobs=${RL_FUZZ_JOBS:-1}
mkdir -p "$work" "$here/crashes"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$here"/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

run_one() {
	local t=$1 bin=$build/tests/fuzz/$1
	if [ ! -x "$bin" ]; then
		echo "$t: not built ($bin): cmake --build $build --target fuzz" >&2
		return 1
	fi
	mkdir -p "$work/$t" "$work/bin"
	# run a copy: a rebuild during a long run must not pull the binary away
	cp "$bin" "$work/bin/$t" || return 1
	bin=$work/bin/$t
	[ -d "$here/corpus/$t" ] && cp -Rn "$here/corpus/$t/." "$work/$t/"
	local dict=()
	[ -f "$here/dict/$t.dict" ] && dict=("-dict=$here/dict/$t.dict")
	(cd "$work" && "$bin" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$here/crashes/$t-" "$work/$t") >"$work/$t.log" 2>&1
	local rc=$?
	echo "== $t (exit $rc, log $work/$t.log)"
	grep -E "^(#[0-9]+[[:space:]]+DONE|stat::|SUMMARY|==[0-9]+==ERROR)" "$work/$t.log" | tail -12
	return $rc
}

status=0
running=0
for t in "${targets[@]}"; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || status=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || status=1
	running=$((running - 1))
done
exit $status
