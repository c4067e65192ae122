#!/usr/bin/env python3
# retrylens_dask.py - run retrylens over several machines with Dask distributed.
#
#   retrylens_dask.py --scheduler tcp://HOST:PORT --shards N --db OUT.db [--work DIR]
#                     [--retrylens PATH] -- [ingest options] FILE...
#
# Behind a load balancer one client's retries land on different backends, so chains are
# only exact when every attempt of a client is analysed in one place (SPEC §4, "More
# than one machine"). This driver does that shuffle by client in three stages, each a
# set of Dask tasks that run the retrylens binary on a worker:
#
#   1. split, one task per input FILE (K = its place in the list):
#        retrylens split --shards N --out WORK/split-K [input options] FILE
#      writes each line, unchanged, to WORK/split-K/shard-I-of-N.log.gz, I being the
#      client's shard (FNV-1a 64 of the client string, mod N; rejected lines go to 0);
#      the input options are those of the ingest options that split takes too
#      (SPLIT_OPTIONS: how lines parse and who the client is);
#   2. ingest, one task per shard I, over that shard's parts from every split:
#        retrylens ingest --db WORK/shard-I.db --shard I/N [ingest options] PARTS...
#   3. merge, one task:
#        retrylens merge --db OUT.db WORK/shard-0.db ... WORK/shard-<N-1>.db
#
# Why the result is exact: every attempt of a client is in one shard, so each shard
# database sees the whole of its clients' chains, and merging shards that share no
# client equals one process over all the files, lockstep included (merge finds bursts
# over the candidates every shard stored). The report of OUT.db says so with
# "merged": {"mode": "shards", "inputs": N}. One split per file keeps each part one
# input of ingest, as its file was (--clock-skew applies between attempts of different
# inputs as it did). One case is not exact: attempts of one client with equal times in
# two files while a file is out of time order, which one process orders by the merge
# of every client's lines and a shard's ingest by the merge of its own (contrib/dask/
# README.md; `ingest --shard I/N` of the original files has no such case). A task that Dask runs again
# (its worker died) counts nothing twice: split rewrites its parts, ingest reads each
# part once (checkpoints), merge skips a database it has merged already.
#
# Paths: the tasks run on the workers, so every path handed to them (the binary, the
# inputs, WORK, OUT.db, a --policy or --log-format-file) is made absolute here and must
# name the same file on every worker: a shared file system, or a single machine. WORK
# (default OUT.db.work) must be empty or absent; it is left in place afterwards (the
# parts are a copy of the logs: remove it when done).
#
# A task whose command exits nonzero fails the run: the driver prints the command and
# its stderr and exits with its exit code (3 if it died of a signal or could not run).
# Tasks already running elsewhere are cancelled but their processes may finish.
import argparse
import os
import shlex
import shutil
import subprocess
import sys

USAGE = """retrylens_dask.py --scheduler tcp://HOST:PORT --shards N --db OUT.db [--work DIR]
                         [--retrylens PATH] -- [ingest options] FILE..."""

DESCRIPTION = """Runs retrylens split (one task per FILE), ingest --shard I/N (one task
per shard) and merge (one task) on a Dask cluster, so that OUT.db equals one
'retrylens ingest' over every FILE. The ingest options after -- go to ingest, and
those split takes too (--format, --field, --client, --trusted-proxy...) to split.
Every path must be readable at the same place on every worker."""

# Ingest options that take no value; every other option takes one (--opt VALUE or
# --opt=VALUE). The other arguments after -- are the input files.
FLAGS = {"--quiet"}
# The ingest options split takes too: how lines parse and who the client is (the rest,
# such as --policy or --retry-window, go to ingest only).
SPLIT_OPTIONS = {"--format", "--log-format-file", "--log-format-name", "--field", "--client",
                 "--trusted-proxy", "--max-line", "--quiet"}
# Options whose value is (or may be) a file: made absolute for the workers.
PATH_OPTIONS = {"--policy", "--log-format-file"}
# Options the driver sets itself.
OWN_OPTIONS = {"--db", "--shard", "--shards", "--out", "--help"}


class TaskFailed(Exception):
    """A task exited nonzero (or raised): its exit code, command and stderr."""

    def __init__(self, code, cmd, stderr):
        super().__init__(code)
        self.code, self.cmd, self.stderr = code, cmd, stderr


def run(cmd, outputs=()):
    """Runs on a worker: cmd (a list, no shell) with no input. Returns its exit code,
    its stderr, and which of the paths in outputs exist once it is done."""
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, cwd="/")  # every path in cmd is absolute
    made = [path for path in outputs if os.path.exists(path)]
    return done.returncode, done.stderr.decode("utf-8", "replace"), made


def run_stage(client, name, tasks):
    """Submits tasks [(cmd, outputs)] at once and reports each one done on stderr as it
    completes. Returns each task's existing outputs, in the order of tasks; raises
    TaskFailed on the first task that fails (cancelling the others)."""
    from distributed import as_completed

    futures = {client.submit(run, cmd, outputs, pure=False): i
               for i, (cmd, outputs) in enumerate(tasks)}
    made = [None] * len(tasks)
    try:
        for n, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            if future.status == "error":
                code, stderr = 3, "the task did not run: %r\n" % (future.exception(),)
            else:
                code, stderr, made[i] = future.result()
            if code != 0:
                raise TaskFailed(code if 0 < code < 256 else 3, tasks[i][0], stderr)
            print("%s %d/%d done" % (name, n, len(tasks)), file=sys.stderr, flush=True)
    except BaseException:
        client.cancel(list(futures))
        raise
    return made


def parse_inputs(args, parser):
    """Splits the arguments after -- into (ingest options, split options, input files),
    with the paths in them made absolute."""
    options, split_options, files = [], [], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in OWN_OPTIONS:
                parser.error("%s after --: the driver sets it" % name)
            if name in FLAGS:
                option = [arg]
            else:
                if not eq:
                    if i + 1 >= len(args):
                        parser.error("%s after -- needs a value" % name)
                    i += 1
                    value = args[i]
                if name in PATH_OPTIONS and (name != "--policy" or os.path.exists(value)):
                    value = os.path.abspath(value)
                option = [name, value]
            options += option
            if name in SPLIT_OPTIONS:
                split_options += option
        elif arg == "-":
            parser.error("standard input cannot be read by a worker: give files")
        else:
            files.append(os.path.abspath(arg))
        i += 1
    if not files:
        parser.error("no input FILE after --")
    return options, split_options, files


def main(argv):
    parser = argparse.ArgumentParser(prog="retrylens_dask.py", usage=USAGE,
                                     description=DESCRIPTION)
    parser.add_argument("--scheduler", required=True, metavar="tcp://HOST:PORT",
                        help="the Dask scheduler's address")
    parser.add_argument("--shards", required=True, type=int, metavar="N",
                        help="how many client shards (ingest tasks)")
    parser.add_argument("--db", required=True, metavar="OUT.db",
                        help="the merged database (merge adds to it if it exists)")
    parser.add_argument("--work", metavar="DIR",
                        help="where the parts and shard databases go (default OUT.db.work)")
    parser.add_argument("--retrylens", metavar="PATH",
                        help="the retrylens binary (default: retrylens on PATH)")
    # the driver's own options come before --, the ingest options and files after it
    split_at = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split_at])
    if split_at == len(argv):
        parser.error("the ingest options and input files go after --")
    if args.shards < 1:
        parser.error("--shards must be at least 1")
    options, split_options, files = parse_inputs(argv[split_at + 1:], parser)

    binary = args.retrylens or shutil.which("retrylens")
    if not binary or not os.access(binary, os.X_OK):
        parser.error("no retrylens binary %s: give --retrylens PATH"
                     % ("at " + binary if binary else "on PATH"))
    binary = os.path.abspath(binary)
    out_db = os.path.abspath(args.db)
    work = os.path.abspath(args.work or out_db + ".work")
    if os.path.isdir(work) and os.listdir(work):
        parser.error("%s holds an earlier run's files: remove it or give another --work" % work)
    os.makedirs(work, exist_ok=True)

    try:
        from distributed import Client
    except ImportError:
        print("retrylens_dask.py: needs the Python package distributed "
              "(Debian: apt-get install python3-distributed)", file=sys.stderr)
        return 3
    try:
        client = Client(args.scheduler, timeout=30)
    except Exception as e:  # distributed raises OSError, TimeoutError or its own
        print("retrylens_dask.py: cannot reach the scheduler %s: %s" % (args.scheduler, e),
              file=sys.stderr)
        return 3

    n = args.shards
    try:
        with client:
            splits = []
            for k, path in enumerate(files):
                out = os.path.join(work, "split-%d" % k)
                parts = [os.path.join(out, "shard-%d-of-%d.log.gz" % (i, n)) for i in range(n)]
                cmd = [binary, "split", "--shards", str(n), "--out", out] + split_options + [path]
                splits.append((cmd, parts))
            made = run_stage(client, "split", splits)

            ingests, shard_dbs = [], []
            for i in range(n):
                suffix = "shard-%d-of-%d.log.gz" % (i, n)
                parts = [p for split_parts in made for p in split_parts if p.endswith(suffix)]
                if not parts:  # no client fell in this shard
                    print("shard %d/%d has no lines" % (i, n), file=sys.stderr)
                    continue
                db = os.path.join(work, "shard-%d.db" % i)
                cmd = [binary, "ingest", "--db", db, "--shard", "%d/%d" % (i, n)] + options + parts
                ingests.append((cmd, ()))
                shard_dbs.append(db)
            run_stage(client, "ingest", ingests)

            run_stage(client, "merge", [([binary, "merge", "--db", out_db] + shard_dbs, ())])
    except TaskFailed as e:
        print("retrylens_dask.py: this task failed (exit %d): %s\n%s"
              % (e.code, shlex.join(e.cmd), e.stderr.rstrip("\n")), file=sys.stderr)
        return e.code
    print("wrote %s (the parts and shard databases are in %s)" % (out_db, work), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
