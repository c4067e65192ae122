#!/bin/sh
# prometheus.sh BIN FIXTURES
#
# --output prometheus (SPEC §5): on every fixture case (and on a hostile log, an empty
# window, --top 3), the exposition parses, every family has HELP and TYPE, counters end
# in _total and gauges do not, no NaN; retrylens_attempts_total sums to totals.attempts
# and equals the status table; every family equals its number of the JSON report of the
# same run (Python parses both); label values decode back to the JSON's strings (quotes,
# backslashes, newlines in an endpoint, a method and a file name); no client address or
# name of the input appears anywhere; -o FILE replaces the file through a rename and
# leaves no FILE.tmp; a full disk is exit 3. Then, with promtool (Debian's prometheus
# package; exit 77 without it, after the checks above): `promtool check metrics` on
# every output, and fixtures/prometheus/rules.yml through `promtool check rules` and
# `promtool test rules`, its metric names present in the output.
set -u
bin=$1 fx=$(cd "$2" && pwd)
case $bin in
*/*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; # the runs cd into the fixtures
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip: python3 is not installed (it parses the exposition and the JSON)"
	exit 77
fi

# check.py PROM JSON DIR ARG...: the exposition against the JSON report of the same
# run of analyze ARG... in DIR; the ARGs that are files are searched for client
# addresses, --top N says how many endpoint rows to expect
cat >"$tmp/check.py" <<'EOF'
import json, math, os, re, sys
prom_path, json_path, cwd, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
top = 20
if "--top" in args:
    top = int(args[args.index("--top") + 1]) or 20
inputs = [os.path.join(cwd, a) for a in args if os.path.isfile(os.path.join(cwd, a))]
text = open(prom_path, encoding="utf-8").read()
doc = json.load(open(json_path, encoding="utf-8"))
fails = []
def bad(msg):
    fails.append(msg)

# --- parse the text format 0.0.4 -------------------------------------------------
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
help_, type_, samples = {}, {}, []  # samples: (name, {label: value}, float)
def unescape(s, i, quote):
    out = []
    while i < len(s):
        c = s[i]
        if c == "\\":
            n = s[i + 1]
            if n not in ("\\", "n", '"'):
                raise ValueError("bad escape \\" + n)
            out.append({"\\": "\\", "n": "\n", '"': '"'}[n])
            i += 2
        elif quote and c == '"':
            return "".join(out), i + 1
        elif c == "\n":
            raise ValueError("raw newline")
        else:
            out.append(c)
            i += 1
    if quote:
        raise ValueError("unterminated label value")
    return "".join(out), i
for ln, line in enumerate(text.split("\n")[:-1], 1):
    try:
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kind, rest = line[2:6], line[7:]
            name, _, what = rest.partition(" ")
            d = help_ if kind == "HELP" else type_
            if name in d:
                raise ValueError("second " + kind)
            if kind == "TYPE":
                if what not in ("counter", "gauge"):
                    raise ValueError("type " + what)
                if name not in help_:
                    raise ValueError("TYPE before HELP")
            d[name] = unescape(what, 0, False)[0] if kind == "HELP" else what
            continue
        if line.startswith("#"):
            continue
        m = NAME.match(line)
        name, i, labels = m.group(0), m.end(), {}
        if line[i] == "{":
            i += 1
            while line[i] != "}":
                lm = NAME.match(line, i)
                if not lm or line[lm.end():lm.end() + 2] != '="':
                    raise ValueError("bad label at %d" % i)
                v, i = unescape(line, lm.end() + 2, True)
                if lm.group(0) in labels:
                    raise ValueError("label twice")
                labels[lm.group(0)] = v
                if line[i] == ",":
                    i += 1
            i += 1
        if line[i] != " " or " " in line[i + 1:]:
            raise ValueError("a value, then nothing (no timestamps for the textfile collector)")
        val = line[i + 1:]
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?", val):
            raise ValueError("value " + val)
        samples.append((name, labels, float(val)))
    except (ValueError, IndexError, AttributeError) as e:
        bad("line %d: %s: %r" % (ln, e, line))

allowed = {"status", "outcome", "verdict", "source", "endpoint", "method", "percentile", "policy", "version",
           "retry_policy"}
seen = set()
for name, labels, v in samples:
    if name not in type_:
        bad("%s: a sample without HELP and TYPE" % name)
    if not name.startswith("retrylens_"):
        bad("%s: not retrylens_" % name)
    if set(labels) - allowed:
        bad("%s: labels %s" % (name, set(labels) - allowed))
    key = (name, tuple(sorted(labels.items())))
    if key in seen:
        bad("%s%s: twice" % key)
    seen.add(key)
for name, t in type_.items():
    if (t == "counter") != name.endswith("_total"):
        bad("%s: a %s %s _total" % (name, t, "without" if t == "counter" else "with"))
    if name.endswith("_ms") or name.endswith("_milliseconds"):
        bad("%s: not in base units" % name)
if "NaN" in text or "Inf" in text:
    bad("NaN or Inf in the output")

def series(name):
    return [(l, v) for n, l, v in samples if n == name]
def one(name):
    s = series(name)
    if name not in type_:
        bad("%s: no such family" % name)
    if len(s) > 1 or (s and s[0][0]):
        bad("%s: want one unlabelled sample, got %s" % (name, s))
    return s[0][1] if s else None
def eq(name, got, want):
    if want is None:
        if got is not None:
            bad("%s: %r, want no sample (JSON null)" % (name, got))
    elif got is None or not math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12):
        bad("%s: %r, want %r" % (name, got, want))

# --- the numbers of the JSON report -------------------------------------------------
t, re_ = doc["totals"], doc["retries"]
att = series("retrylens_attempts_total")
eq("sum of retrylens_attempts_total", sum(v for _, v in att), t["attempts"])
want = {("unknown" if s["status"] is None else str(s["status"])): s["count"] for s in doc["status"]}
got = {l.get("status"): v for l, v in att}
if got != want:
    bad("retrylens_attempts_total by status: %s, want %s" % (got, want))
for k in ("success", "errors", "unknown_status", "retryable_errors", "non_retryable_errors"):
    eq("retrylens_%s_total" % k, one("retrylens_%s_total" % k), t[k])
for k in ("retryable_rate", "non_retryable_rate", "retryable_share_of_errors"):
    eq("retrylens_" + k, one("retrylens_" + k), t[k])
eq("retrylens_retry_chains_total", one("retrylens_retry_chains_total"), re_["chains"])
for k in ("retries", "blind_4xx_retries", "unsafe_retries"):
    eq("retrylens_%s_total" % k, one("retrylens_%s_total" % k), re_[k])
eq("retrylens_retry_amplification_ratio", one("retrylens_retry_amplification_ratio"), re_["amplification"])
eq("retrylens_blind_4xx_retry_rate", one("retrylens_blind_4xx_retry_rate"), re_["blind_4xx_retry_rate"])
eq("retrylens_unretried_failures_total", one("retrylens_unretried_failures_total"), re_["unretried_failures"])
got = {l["outcome"]: v for l, v in series("retrylens_retry_outcomes_total")}
if got != re_["outcomes"]:
    bad("retrylens_retry_outcomes_total: %s, want %s" % (got, re_["outcomes"]))
bo = dict(re_["backoff"])
eq("retrylens_backoff_checked_total", one("retrylens_backoff_checked_total"), bo.pop("checked"))
eq("retrylens_backoff_compliance_ratio", one("retrylens_backoff_compliance_ratio"), bo.pop("compliance_rate"))
got = {l["verdict"]: v for l, v in series("retrylens_backoff_verdicts_total")}
if got != bo:
    bad("retrylens_backoff_verdicts_total: %s, want %s" % (got, bo))
eq("retrylens_lockstep_retries_total", one("retrylens_lockstep_retries_total"), re_["lockstep"]["retries"])
eq("retrylens_lockstep_clients", one("retrylens_lockstep_clients"), re_["lockstep"]["clients"])
eq("retrylens_rekeyed_attempts_total", one("retrylens_rekeyed_attempts_total"), re_["rekeyed"]["attempts"])
eq("retrylens_rekeyed_clients", one("retrylens_rekeyed_clients"), re_["rekeyed"]["clients"])
eq("retrylens_rejected_lines_total", one("retrylens_rejected_lines_total"), doc["rejected"]["count"])
for fam, k in (("lines", "lines"), ("rejected_lines", "rejected"), ("late_lines", "late"), ("skipped_lines", "skipped")):
    name = "retrylens_source_%s_total" % fam
    want = {}
    for s in doc["sources"]:
        want[s["name"]] = want.get(s["name"], 0) + s[k]
    got = {l["source"]: v for l, v in series(name)}
    if got != want:
        bad("%s: %s, want %s" % (name, got, want))

# endpoints: the top ones as in the JSON, the rest in {other}; each family sums to its total
eps = doc["endpoints"]
for col, total in (("attempts", t["attempts"]), ("errors", t["errors"]), ("retries", re_["retries"]),
                   ("blind_4xx_retries", re_["blind_4xx_retries"])):
    name = "retrylens_endpoint_%s_total" % col
    s = series(name)
    eq("sum of " + name, sum(v for _, v in s), total)
    got = {(l["endpoint"], l["method"]): v for l, v in s}
    for e in eps[:top]:
        eq("%s%s" % (name, (e["endpoint"], e["method"])), got.get((e["endpoint"], e["method"])), e[col])
    extra = set(got) - {(e["endpoint"], e["method"]) for e in eps[:top]} - {("{other}", "{other}")}
    if extra:
        bad("%s: series of no endpoint row: %s" % (name, extra))
    if len(got) > top + 1:
        bad("%s: %d series, more than the top %d and {other}" % (name, len(got), top))
lat = {(l["endpoint"], l["method"], l["percentile"]): v for l, v in series("retrylens_endpoint_latency_seconds")}
for e in eps[:top]:
    for q, k in (("50", "p50_ms"), ("95", "p95_ms"), ("99", "p99_ms")):
        eq("latency %s %s %s" % (e["endpoint"], e["method"], q), lat.get((e["endpoint"], e["method"], q)),
           None if e[k] is None else e[k] / 1000)

# times and the info gauge
def epoch(s):
    import datetime
    if s is None:
        return None
    d = datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    frac = s[19:-1]
    return d.timestamp() + (float(frac) if frac else 0)
eq("retrylens_window_start_timestamp_seconds", one("retrylens_window_start_timestamp_seconds"),
   epoch(doc["window"]["from"]))
eq("retrylens_window_end_timestamp_seconds", one("retrylens_window_end_timestamp_seconds"), epoch(doc["window"]["to"]))
g = one("retrylens_report_generated_timestamp_seconds")
if g is None or abs(g - epoch(doc["generated_at"])) > 5:
    bad("retrylens_report_generated_timestamp_seconds %r, generated_at %s" % (g, doc["generated_at"]))
info = series("retrylens_report_info")
if len(info) != 1 or info[0][1] != 1 or info[0][0].get("policy") != doc["policy"]:
    bad("retrylens_report_info: %s, want policy=%s" % (info, doc["policy"]))

# no client: not the names of the JSON's clients, not an address of the input
names = {c["client"] for c in doc["clients"]}
addrs = set()
for path in inputs:
    addrs |= set(re.findall(rb"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.])", open(path, "rb").read()))
for a in sorted(addrs):
    names.add(a.decode())
for n in sorted(names):
    if n and n in text:
        bad("a client is in the output: %r" % n)

for f in fails[:30]:
    print("  " + f)
print("%d series, %d families, %d clients and addresses kept out" % (len(samples), len(type_), len(names)))
sys.exit(1 if fails else 0)
EOF

# run NAME DIR ARGS...: analyze ARGS in DIR as prometheus and as JSON, then check.py;
# outputs in $tmp/NAME.prom and $tmp/NAME.json
run() {
	name=$1 dir=$2
	shift 2
	(cd "$dir" && "$bin" analyze --quiet --output prometheus "$@") >"$tmp/$name.prom" 2>"$tmp/$name.err" ||
		{ bad "$name: analyze --output prometheus: exit $?: $(head -c 300 "$tmp/$name.err")"; return; }
	(cd "$dir" && "$bin" analyze --quiet --output json "$@") >"$tmp/$name.json" 2>/dev/null ||
		{ bad "$name: analyze --output json"; return; }
	if python3 "$tmp/check.py" "$tmp/$name.prom" "$tmp/$name.json" "$dir" "$@" >"$tmp/$name.check"; then
		ok "$name: $(tail -n 1 "$tmp/$name.check"), equal to the JSON report"
	else
		bad "$name:"
		cat "$tmp/$name.check"
	fi
	echo "$name" >>"$tmp/outputs"
}

# every fixture case that has its inputs stored (generate.sh ones are made at run time);
# under valgrind, whose every run is many times slower, four of them
for d in "$fx"/*/; do
	d=${d%/}
	[ -f "$d/args" ] && [ ! -f "$d/generate.sh" ] || continue
	case $bin in *valgrind*) case $(basename "$d") in quickstart | verdict-too-fast | har-retry-storm | errors-trace) ;; *) continue ;; esac ;; esac
	eval "set -- $(cat "$d/args")"
	run "$(basename "$d")" "$d" "$@"
done
run quickstart-top3 "$fx/quickstart" --top 3 access.log
grep -q '^retrylens_endpoint_attempts_total{endpoint="{other}",method="{other}"} [1-9]' "$tmp/quickstart-top3.prom" &&
	ok "--top 3: the other endpoints in one {other} series" || bad "--top 3: no {other} series"

# a hostile log: a quote, a backslash and a control byte (stored as \x09 text) in a
# target, in a method, and a file name with a quote, a backslash and a newline
mkdir "$tmp/h"
hostile="$tmp/h/$(printf 'acc"ess\\log\nnew line.jsonl')"
cat >"$hostile" <<'EOF'
{"time":"2026-11-29T10:00:01+00:00","remote_addr":"198.18.0.1","request":"GET /v1/we\"ird\\pa\tth/\u00e9\\\"} HTTP/1.1","status":503,"http_user_agent":"sdk/1.0"}
{"time":"2026-11-29T10:00:03+00:00","remote_addr":"198.18.0.1","request":"GET /v1/we\"ird\\pa\tth/\u00e9\\\"} HTTP/1.1","status":200,"http_user_agent":"sdk/1.0"}
{"time":"2026-11-29T10:00:05+00:00","remote_addr":"198.18.0.2","request":"P\"O\\ST /v1/x HTTP/1.1","status":400,"http_user_agent":"sdk/1.0"}
EOF
run hostile "$tmp/h" --format json "$hostile"
grep -qF 'endpoint="/v1/we\"ird\\pa' "$tmp/hostile.prom" && grep -qF '\"}' "$tmp/hostile.prom" &&
	grep -qF 'source="'"$tmp"'/h/acc\"ess\\log\nnew line.jsonl"' "$tmp/hostile.prom" &&
	ok "hostile: quotes, backslashes and a newline escaped in label values" ||
	bad "hostile: labels: $(grep -E 'endpoint_attempts|source_lines' "$tmp/hostile.prom")"

# report from a database, as the cron recipe runs it (the last hour), a window of its
# own, and a day after the log (no attempts: every rate null, so no sample and no NaN)
"$bin" ingest --quiet --db "$tmp/q.db" "$fx/quickstart/access.log" || bad "ingest quickstart"
for w in 1h 2026-11-29T10:01:00Z 2026-11-30; do
	"$bin" report --db "$tmp/q.db" --since "$w" --output prometheus >"$tmp/since.prom" || bad "report --since $w"
	"$bin" report --db "$tmp/q.db" --since "$w" --output json >"$tmp/since.json" || bad "report --since $w json"
	if python3 "$tmp/check.py" "$tmp/since.prom" "$tmp/since.json" "$fx/quickstart" access.log >"$tmp/since.check"; then
		ok "report --since $w: $(tail -n 1 "$tmp/since.check")"
	else
		bad "report --since $w:"
		cat "$tmp/since.check"
	fi
	cp "$tmp/since.prom" "$tmp/since-$(echo "$w" | tr -c 'a-z0-9\n' _).prom"
	echo "since-$(echo "$w" | tr -c 'a-z0-9\n' _)" >>"$tmp/outputs"
done
if grep -q '^retrylens_[a-z0-9_]*_\(rate\|ratio\|share_of_errors\) ' "$tmp/since-2026_11_30.prom"; then
	bad "--since 2026-11-30: a sample of a null rate: $(grep -E '_(rate|ratio|share_of_errors) ' "$tmp/since-2026_11_30.prom")"
else
	ok "--since 2026-11-30: no attempts, no rate samples"
fi

# -o FILE: the collector sees the old file or the new one; no FILE.tmp stays
mkdir "$tmp/tf"
out=$tmp/tf/retrylens.prom
echo "old" >"$out"
old_inode=$(ls -i "$out" | cut -d' ' -f1)
"$bin" report --db "$tmp/q.db" --output prometheus -o "$out" 2>"$tmp/o.err" || bad "-o: exit $?: $(cat "$tmp/o.err")"
"$bin" report --db "$tmp/q.db" --output prometheus | grep -v '^retrylens_report_generated_timestamp_seconds ' >"$tmp/o.want.body"
if [ -f "$out.tmp" ]; then
	bad "-o left $out.tmp"
elif [ "$(ls -i "$out" | cut -d' ' -f1)" = "$old_inode" ]; then
	bad "-o wrote into the old file instead of renaming a new one over it"
elif ! grep -v '^retrylens_report_generated_timestamp_seconds ' "$out" | cmp -s - "$tmp/o.want.body"; then
	bad "-o: the file differs from standard output"
else
	ok "-o FILE: replaced through a rename, no FILE.tmp, the same as standard output"
fi
[ "$(ls "$tmp/tf")" = retrylens.prom ] || bad "-o: the directory holds $(ls "$tmp/tf")"
if [ -w /dev/full ]; then
	"$bin" report --db "$tmp/q.db" --output prometheus >/dev/full 2>"$tmp/full.err"
	rc=$?
	[ $rc -eq 3 ] && ok "a full disk: exit 3" || bad "a full disk: exit $rc: $(cat "$tmp/full.err")"
fi

# the metric names of the rules exist in the output
rules=$fx/prometheus/rules.yml
for m in $(grep -v '^ *#' "$rules" | grep -o 'retrylens_[a-z0-9_]*' | sort -u); do
	grep -q "^$m[ {]" "$tmp/quickstart.prom" && ok "rules.yml: $m is in the output" ||
		bad "rules.yml names $m, which the output does not have"
done

if ! command -v promtool >/dev/null 2>&1; then
	[ $fail -ne 0 ] && exit 1
	echo "skip: promtool is not installed (Debian: apt-get install prometheus); the checks above passed"
	exit 77
fi
while read -r name; do
	if promtool check metrics <"$tmp/$name.prom" >"$tmp/pt.out" 2>&1; then
		ok "$name: promtool check metrics"
	else
		bad "$name: promtool check metrics:"
		head -n 20 "$tmp/pt.out"
	fi
done <"$tmp/outputs"
promtool check rules "$rules" >"$tmp/rules.out" 2>&1 && ok "promtool check rules rules.yml" ||
	{ bad "promtool check rules:" && cat "$tmp/rules.out"; }
(cd "$fx/prometheus" && promtool test rules rules_test.yml) >"$tmp/rt.out" 2>&1 && ok "promtool test rules" ||
	{ bad "promtool test rules:" && cat "$tmp/rt.out"; }
exit $fail
