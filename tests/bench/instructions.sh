#!/bin/sh
# tests/bench/instructions.sh BIN [BIN...]
#
# Instructions (valgrind --tool=callgrind, "I refs") of `BIN analyze --output json` on a
# log where every chain has a violation: 100,000 clients each sending one POST three
# times within a second, all 503, no idempotency key (300,000 lines; every chain has
# unsafe retries, so every chain reports its evidence). Counts do not vary from run to run as wall time
# does, so two builds compare to the percent. Nothing here is a pass/fail test.
set -eu
[ $# -ge 1 ] || { echo "usage: tests/bench/instructions.sh BIN [BIN...]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "skip: valgrind is not installed" >&2; exit 0; }
here=$(cd "$(dirname "$0")" && pwd)
out=${BENCH_DIR:-$here/out}
mkdir -p "$out"
log=$out/violations.log
[ -s "$log" ] || awk 'BEGIN {
	for (i = 0; i < 100000; i++)
		for (k = 0; k < 3; k++)
			printf "10.%d.%d.%d - - [14/Nov/2023:22:13:%02d +0000] \"POST /v1/leads/%d HTTP/1.1\" 503 12 \"-\" \"client-%d\"\n",
				int(i / 65536) % 256, int(i / 256) % 256, i % 256, int(i / 30) % 60, i, i
}' >"$log"
echo "| build | log | instructions |"
echo "|---|---|---:|"
for bin in "$@"; do
	ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" analyze --quiet --output json "$log" 2>&1 >/dev/null |
		sed -n 's/.*I *refs: *//p' | tr -d ,)
	echo "| $bin | violations.log | $ir |"
done
