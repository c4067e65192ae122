#!/bin/bash
# dask.sh BIN GENLOG DRIVER
#
# contrib/dask/retrylens_dask.py (SPEC §4, "More than one machine") on a real Dask
# cluster on this machine: a scheduler and two single-thread workers, bound to 127.0.0.1.
# A generated log is dealt line by line to three files, as a load balancer deals one
# client's requests to three backends; the driver splits each, ingests 4 shards and
# merges them, and the merged database's report must equal `analyze` of the three files
# in every number (generated_at and sources aside; rejected samples name their part),
# with "merged": {"mode": "shards", "inputs": 4, "of": 4}. Twice: a combined log with two bad
# lines (rejected lines go to shard 0) and options for ingest only (--policy,
# --retry-window: split does not take them), and a JSONL trace log with lockstep bursts
# (found across shards by merge). Then a failing task fails the run: a missing input
# (split exits 3) and an OUT.db made under another retry window (merge exits 2): the
# driver exits with the task's code and shows its command and stderr.
#
# Skips (77) without a python3 that imports distributed (Debian: python3-distributed).
# The scheduler and workers run as `python3 -m distributed.cli.dask_scheduler` and
# `... dask_worker` (what `dask scheduler` / `dask worker` run) so that they use the
# same interpreter as the driver. They are stopped by PID on exit; should this script be
# killed outright, the scheduler quits when idle and the workers when it is gone.
set -u
bin=$1 genlog=$2 driver=$3
case $bin in *valgrind*)
	# every task would run the binary under memcheck (minutes of a worker each): split,
	# ingest --shard and merge are memchecked by e2e/shards, which runs them alike
	echo "skip: under valgrind (e2e/shards memchecks the commands the driver runs)"
	exit 77
	;;
esac
py=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import distributed' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -z "$py" ]; then
	echo "skip: no python3 that imports distributed (Debian: apt-get install python3-distributed)"
	exit 77
fi
tmp=$(mktemp -d)
pids=
stop_cluster() { # TERM, up to 10 s to go, then KILL; always reaped
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pids=
}
trap 'stop_cluster; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
. "$(dirname "$0")/lib.sh"
export DASK_TEMPORARY_DIRECTORY=$tmp/dask

# --- the cluster ------------------------------------------------------------------
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr=tcp://127.0.0.1:$port
"$py" -m distributed.cli.dask_scheduler --host 127.0.0.1 --port "$port" \
	--dashboard-address 127.0.0.1:0 --idle-timeout 600 >"$tmp/scheduler.log" 2>&1 &
pids="$pids $!"
for w in 1 2; do
	"$py" -m distributed.cli.dask_worker "$addr" --host 127.0.0.1 --nthreads 1 --no-nanny \
		--dashboard-address 127.0.0.1:0 --death-timeout 60 \
		--local-directory "$tmp/worker-$w" >"$tmp/worker-$w.log" 2>&1 &
	pids="$pids $!"
done
if "$py" - "$addr" <<'PY'; then
import sys
from distributed import Client
with Client(sys.argv[1], timeout=60) as client:
    client.wait_for_workers(2, timeout=60)
PY
	ok "a scheduler at $addr with 2 workers"
else
	bad "the cluster did not come up"
	tail -n 20 "$tmp"/*.log
	exit 1
fi

# run_driver OUT.db [driver options] -- [ingest options] FILE...: its stderr in OUT.err
run_driver() {
	local out=$1
	shift
	timeout 300 "$py" "$driver" --scheduler "$addr" --retrylens "$bin" --db "$out" "$@" 2>"$out.err"
}

# same_report WANT.json GOT.json SHARDS: GOT equals WANT but for generated_at, sources
# and merged (which says shards/SHARDS), and the place of rejected samples
same_report() {
	"$py" - "$@" <<'PY'
import json, math, sys
want, got = (json.load(open(path)) for path in sys.argv[1:3])
shards = int(sys.argv[3])
problems = []
if got.get("merged") != {"mode": "shards", "inputs": shards, "of": shards}:
    problems.append("merged: want mode shards, %d inputs, got %r" % (shards, got.get("merged")))
lines = [sum(s["lines"] for s in doc["sources"]) for doc in (want, got)]
if lines[0] != lines[1]:
    problems.append("sources: %d lines read, want %d" % (lines[1], lines[0]))
for doc in (want, got):
    for key in ("generated_at", "sources", "merged"):
        doc.pop(key, None)
    for sample in doc["rejected"]["samples"]:
        sample.pop("source", None)
        sample.pop("line", None)

def compare(path, a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            compare(path + "." + key, a.get(key, "(missing)"), b.get(key, "(missing)"))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            compare("%s.%d" % (path, i), x, y)
    elif isinstance(a, float) and isinstance(b, (int, float)):
        if not math.isclose(a, b, rel_tol=1e-12):
            problems.append("%s: want %r, got %r" % (path, a, b))
    elif a != b or type(a) != type(b):
        problems.append("%s: want %.200r, got %.200r" % (path, a, b))

compare("", want, got)
for p in problems[:20]:
    print("  " + p)
sys.exit(1 if problems else 0)
PY
}

# check_merged NAME [ingest options] -- FILE...: driver with --shards 4 vs analyze
check_merged() {
	local name=$1 opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	local out=$tmp/$name.db
	if run_driver "$out" --shards 4 -- "${opts[@]}" "$@"; then
		ok "$name: the driver ran"
	else
		bad "$name: the driver failed:"
		cat "$out.err"
		return
	fi
	grep -q '^split 3/3 done$' "$out.err" && grep -q '^ingest 4/4 done$' "$out.err" &&
		grep -q '^merge 1/1 done$' "$out.err" && ok "$name: progress on stderr" ||
		bad "$name: progress: $(cat "$out.err")"
	"$bin" analyze --quiet --output json --top 0 "${opts[@]}" "$@" >"$tmp/$name.want.json" ||
		bad "$name: analyze"
	"$bin" report --db "$out" --output json --top 0 >"$tmp/$name.got.json" || bad "$name: report"
	if same_report "$tmp/$name.want.json" "$tmp/$name.got.json" 4; then
		ok "$name: the merged report equals analyze of the files, merged: shards/4"
	else
		bad "$name: the merged report differs from analyze (above)"
	fi
}

# jget FILE.json '["key"]...': that value of the document
jget() { "$py" -c "import json, sys; print(json.load(open(sys.argv[1]))$2)" "$1" 2>/dev/null; }

# deal FILE: its lines to FILE.0, FILE.1, FILE.2 in turn, as three backends get them
deal() { awk -v f="$1" '{ print > (f "." (NR - 1) % 3) }' "$1"; }

# --disorder 0: with lines out of order and 1 s times, analyze of the three files orders
# one client's attempts of the same second from two files by how the time merge met the
# other clients' lines, not by command-line order, so the shard parts (other clients
# gone) can order them otherwise (3 lines show it: a.log "Y :30", "X :20 503"; b.log
# "X :20 200"). The trace log keeps genlog's disorder: its ms times do not tie.
"$genlog" --lines 20000 --clients 300 --disorder 0 >"$tmp/combined" || exit 1
printf 'not a log line\n\001\002 garbage\n' >>"$tmp/combined"
deal "$tmp/combined"
check_merged combined --format combined --quiet --retry-window 90 --policy leaperone -- "$tmp"/combined.[012]
rejected=$(jget "$tmp/combined.got.json" '["rejected"]["count"]')
[ "$rejected" = 2 ] && ok "combined: the 2 bad lines are rejected" || bad "combined: $rejected rejected lines, not 2"

"$genlog" --lines 20000 --clients 300 --format trace >"$tmp/trace" || exit 1
deal "$tmp/trace"
check_merged trace --format trace -- "$tmp"/trace.[012]
lockstep=$(jget "$tmp/trace.got.json" '["retries"]["lockstep"]["retries"]')
[ "${lockstep:-0}" -gt 0 ] && ok "trace: $lockstep lockstep retries found across shards" ||
	bad "trace: no lockstep retries: the test would prove little"

# --- a failing task fails the run -------------------------------------------------
# after_failure FILE.err: the lines after the driver's failure line (the task's stderr)
after_failure() { awk 'shown; /^retrylens_dask.py: this task failed/ { shown = 1 }' "$1"; }
run_driver "$tmp/missing.db" --shards 4 -- "$tmp/combined.0" "$tmp/no-such.log"
rc=$?
[ $rc -eq 3 ] && grep -q "this task failed (exit 3): .* split .*$tmp/no-such.log" "$tmp/missing.db.err" &&
	after_failure "$tmp/missing.db.err" | grep -q "no-such.log" &&
	ok "a missing input: exit 3, the split command and its error shown" ||
	bad "a missing input: exit $rc: $(cat "$tmp/missing.db.err")"

"$bin" ingest --quiet --db "$tmp/window.db" --retry-window 30 "$tmp/combined.0" || bad "ingest --retry-window 30"
run_driver "$tmp/window.db" --shards 2 --work "$tmp/window.work" -- "$tmp/combined.1"
rc=$?
[ $rc -eq 2 ] && grep -q "this task failed (exit 2): .* merge --db $tmp/window.db" "$tmp/window.db.err" &&
	after_failure "$tmp/window.db.err" | grep -qi "window" &&
	ok "merge into a database of another window: exit 2, the merge command and its error shown" ||
	bad "another window: exit $rc: $(cat "$tmp/window.db.err")"

stop_cluster
exit $fail
