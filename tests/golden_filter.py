#!/usr/bin/env python3
"""golden_filter.py KEY... - sets aside what a newer build adds to the reports, so that
tests/golden.sh can hold the rest to the unit (GOLDEN_FILTER='python3
tests/golden_filter.py timeline window.by Timeline').

Reads one output of a run (a JSON report or a text report, then golden's "exit N"
line) on stdin. For JSON, drops each dotted KEY ("window.by") and prints it again in one
layout; for text, drops each section whose heading starts with a KEY ("Timeline") up to
the next heading, and the note a windowed report adds."""
import json
import sys

keys = sys.argv[1:]
text = sys.stdin.read()
body, sep, tail = text.rpartition("exit ")
try:
    doc = json.loads(body)
except ValueError:
    doc = None
if doc is not None:
    for k in keys:
        parts = k.split(".")
        o = doc
        for p in parts[:-1]:
            o = o.get(p, {}) if isinstance(o, dict) else {}
        if isinstance(o, dict):
            o.pop(parts[-1], None)
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=False) + "\n" + sep + tail)
    sys.exit(0)
out, skipping = [], False
for line in body.splitlines(keepends=True):
    heading = line[:1].isupper()
    if heading:
        skipping = any(line.startswith(k) for k in keys)
    if not skipping and not line.startswith("(a window:"):
        out.append(line)
sys.stdout.write("".join(out) + sep + tail)
