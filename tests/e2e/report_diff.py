#!/usr/bin/env python3
"""report_diff.py A.json B.json [--ignore KEY]... - every difference between two JSON
reports (retrylens.report/1), by dotted path; exit 1 when there is one. generated_at is
always ignored; --ignore drops a top-level key (or a dotted path) from both."""
import json
import sys


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            p = path + [k]
            if k not in a or k not in b:
                out.append("%s: only in %s" % (".".join(p), "A" if k in a else "B"))
            else:
                walk(a[k], b[k], p, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: %d rows against %d" % (".".join(path), len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, path + [str(i)], out)
    elif a != b or type(a) != type(b):
        out.append("%s: %r against %r" % (".".join(path), a, b))


def drop(doc, dotted):
    keys = dotted.split(".")
    for k in keys[:-1]:
        doc = doc.get(k, {}) if isinstance(doc, dict) else {}
    if isinstance(doc, dict):
        doc.pop(keys[-1], None)


def main():
    args = sys.argv[1:]
    ignore = ["generated_at"]
    files = []
    while args:
        a = args.pop(0)
        if a == "--ignore":
            ignore.append(args.pop(0))
        else:
            files.append(a)
    docs = [json.load(open(f)) for f in files]
    for d in docs:
        for k in ignore:
            drop(d, k)
    out = []
    walk(docs[0], docs[1], [], out)
    for line in out[:40]:
        print(line)
    if len(out) > 40:
        print("... %d differences in all" % len(out))
    sys.exit(1 if out else 0)


main()
