#!/bin/sh
# outputs.sh BIN FIXTURES
#
# The report's formats and where they go (SPEC §5, issue 13):
# (A tab or CR cannot start a name from a log: the store writes control bytes as \xNN.)
# - csv: every --table read by Python's csv module equals the rows of the JSON report
#   (columns named as the JSON keys, nested objects flattened with '.', null empty), on
#   several fixtures; a cell that starts with = + - @ or a tab gets a ' first; a comma,
#   a quote or a line break is quoted; a table with no rows is its header.
# - markdown: the pipe tables of Attempts, Status, Endpoints and the timeline hold the
#   JSON's numbers; hostile names (pipes, backticks, <script>, autolinks) neither break
#   a table's columns nor become markup; evidence goes in fenced code blocks.
# - -o FILE: every format written atomically (an existing file replaced, no FILE.tmp
#   left); a FILE that cannot be written exits 3 naming it and keeps what was there.
# - options: --table without csv, an unknown table or format, an -o into a missing
#   directory: exit 2 naming the option.
# - colour only on a terminal (under script(1)), never with NO_COLOR or TERM=dumb, never
#   in a pipe or a file.
# - progress on stderr on a terminal (bytes, %, lines/s, ETA; a rate for stdin), drawn
#   with spaces and cleared at the end; never with --quiet or when stderr is a file.
# - text: a long name is cut in the middle, so two sources that differ at the end differ.
set -u
bin=$1 fx=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || {
	echo "skip: python3 is not installed (apt-get install python3)"
	exit 77
}

# --- a hostile trace: client ids and messages that a spreadsheet would evaluate -------
cat >"$tmp/hostile.jsonl" <<'EOF'
{"ts":"2026-11-29T10:00:00.000Z","client_id":"=HYPERLINK(\"http://evil.example/\",\"x\")","method":"GET","url":"/v1/a","status":404,"error":{"error":{"message":"=1+1 \"quoted\", with a comma","type":"t","code":"c"}}}
{"ts":"2026-11-29T10:00:00.500Z","client_id":"=HYPERLINK(\"http://evil.example/\",\"x\")","method":"GET","url":"/v1/a","status":404}
{"ts":"2026-11-29T10:00:01.000Z","client_id":"+cmd|' /C calc'!A0","method":"POST","url":"/v1/b","status":503}
{"ts":"2026-11-29T10:00:01.200Z","client_id":"+cmd|' /C calc'!A0","method":"POST","url":"/v1/b","status":503}
{"ts":"2026-11-29T10:00:02.000Z","client_id":"-2+3","method":"GET","url":"/v1/c","status":500}
{"ts":"2026-11-29T10:00:02.100Z","client_id":"-2+3","method":"GET","url":"/v1/c","status":200}
{"ts":"2026-11-29T10:00:03.000Z","client_id":"@SUM(A1)","method":"GET","url":"/v1/d","status":429}
{"ts":"2026-11-29T10:00:03.300Z","client_id":"@SUM(A1)","method":"GET","url":"/v1/d","status":429}
{"ts":"2026-11-29T10:00:05.000Z","client_id":"a|b`c`<script>alert(1)</script> *x* [l](http://e.example) www.e.example u@e.example","method":"GET","url":"/v1/f","status":400}
{"ts":"2026-11-29T10:00:05.100Z","client_id":"a|b`c`<script>alert(1)</script> *x* [l](http://e.example) www.e.example u@e.example","method":"GET","url":"/v1/f","status":400}
EOF

# --- csv equals the JSON -----------------------------------------------------------
cat >"$tmp/csv_check.py" <<'EOF'
import csv, json, sys
doc = json.load(open(sys.argv[1]))
table, path = sys.argv[2], sys.argv[3]
rows = doc
for k in path.split('.'):
    rows = rows.get(k, []) if isinstance(rows, dict) else []
with open(sys.argv[4], newline='') as f:
    raw = f.read()
assert raw.endswith('\r\n'), 'RFC 4180: CRLF line ends'
got = list(csv.reader(raw.splitlines(keepends=True)))
head, body = got[0], got[1:]
def flat(o, pre=''):
    out = {}
    for k, v in o.items():
        if isinstance(v, dict):
            out.update(flat(v, pre + k + '.'))
        else:
            out[pre + k] = v
    return out
def cell(v):
    if v is None:
        return ''
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, list):
        v = ' '.join(v)
    if isinstance(v, str):
        return "'" + v if v[:1] in ('=', '+', '-', '@', '\t', '\r') else v
    return json.dumps(v)
assert len(body) == len(rows), '%s: %d csv rows, %d json rows' % (table, len(body), len(rows))
for i, (r, c) in enumerate(zip(rows, body)):
    fr = flat(r)
    for h in head:
        assert h in fr, '%s: column %s is not a key of the JSON rows' % (table, h)
    want = [cell(fr[h]) for h in head]
    assert want == c, '%s row %d: csv %r, json %r' % (table, i, c, want)
print(len(body))
EOF
csv_inputs="$fx/quickstart/access.log $fx/errors-trace/trace.jsonl $fx/har-retry-storm/storm.har $fx/verdict-no-jitter/trace.jsonl"
case $bin in *valgrind*) csv_inputs=$fx/quickstart/access.log ;; esac # every run is many times slower there
for input in $csv_inputs "$tmp/hostile.jsonl"; do
	[ -f "$input" ] || continue
	name=$(basename "$input")
	"$bin" analyze --quiet --top 0 --output json "$input" >"$tmp/r.json" || bad "$name: analyze json"
	for t in status:status endpoints:endpoints clients:clients sdks:sdks errors:errors timeline:timeline \
		storms:retries.storms.storms; do
		table=${t%%:*} path=${t#*:}
		"$bin" analyze --quiet --top 0 --output csv --table "$table" "$input" >"$tmp/t.csv" ||
			bad "$name: csv $table exit $?"
		if n=$(python3 "$tmp/csv_check.py" "$tmp/r.json" "$table" "$path" "$tmp/t.csv" 2>"$tmp/err"); then
			ok "$name: csv --table $table equals the JSON ($n rows)"
		else
			bad "$name: csv --table $table: $(tail -n 1 "$tmp/err")"
		fi
	done
done
"$bin" analyze --quiet --output csv "$fx/quickstart/access.log" | head -n 1 | grep -q '^endpoint,method,attempts,' &&
	ok "csv's default table is endpoints" || bad "csv's default table is not endpoints"
"$bin" analyze --quiet --output csv --table clients "$tmp/hostile.jsonl" >"$tmp/h.csv"
grep -q "^\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\"," "$tmp/h.csv" &&
	grep -q "^'+cmd|' /C calc'!A0," "$tmp/h.csv" && grep -q "^'-2+3," "$tmp/h.csv" &&
	grep -q "^'@SUM(A1)," "$tmp/h.csv" &&
	ok "csv: = + - @ cells get a ' first, quotes doubled inside quotes" ||
	bad "csv: formula cells not guarded: $(cat "$tmp/h.csv")"
"$bin" analyze --quiet --output csv --table errors "$tmp/hostile.jsonl" | grep -q "\"'=1+1 \"\"quoted\"\", with a comma\"" &&
	ok "csv: an error message with = a quote and a comma is guarded and quoted" || bad "csv: error message cell"

# --- markdown ----------------------------------------------------------------------
cat >"$tmp/md_check.py" <<'EOF'
import json, re, sys
doc = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
lines = md.split('\n')
# the tables under each heading: lists of cell lists (header first, the --- row dropped)
def split_row(l):
    cells, cur, i = [], '', 1
    while i < len(l):
        c = l[i]
        if c == '\\' and i + 1 < len(l):
            cur += l[i:i + 2]; i += 2; continue
        if c == '|':
            cells.append(cur.strip()); cur = ''
        else:
            cur += c
        i += 1
    return cells
tables, head, fenced = {}, None, None
for l in lines:
    if fenced:
        if l.startswith(fenced) and l.strip() == fenced:
            fenced = None
        continue
    m = re.match(r'^(`{3,})', l)
    if m:
        fenced = m.group(1); continue
    if l.startswith('## '):
        head = l[3:].split(' (')[0]; continue
    if l.startswith('|') and head:
        if re.match(r'^\|(\s*-*:?-+:?\s*\|)+$', l):
            continue
        tables.setdefault(head, []).append(split_row(l))
    # nothing from a log may be raw markup outside code blocks
    for bad in (r'(?<!\\)<script', r'(?<!\\)<img', r'(?<!\\)\]\(http', r'(?<!\\)`c'):
        assert not re.search(bad, l), 'raw markup in: ' + l
for name, rows in tables.items():
    if name in ('Retries',):
        continue  # the lockstep bursts follow as a table of their own width
    for r in rows:
        assert len(r) == len(rows[0]), '%s: a row of %d cells under %d headings: %r' % (name, len(r), len(rows[0]), r)
att = {r[0]: r[1] for r in tables['Attempts'][1:]}
t = doc['totals']
for k, label in (('attempts', 'attempts'), ('success', 'success'), ('errors', 'errors'),
                 ('retryable_errors', 'retryable errors'), ('non_retryable_errors', 'non-retryable errors'),
                 ('unknown_status', 'unknown status')):
    assert att[label] == str(t[k]), 'Attempts %s: %s, json %s' % (label, att[label], t[k])
st = tables['Status'][1:]
assert len(st) == len(doc['status']), 'status rows'
for r, s in zip(st, doc['status']):
    assert r[0] == (str(s['status']) if s['status'] is not None else '–') and r[1] == str(s['count']), r
ep = tables['Endpoints'][1:]
assert len(ep) == len(doc['endpoints']), 'endpoint rows'
for r, e in zip(ep, doc['endpoints']):
    assert [r[2], r[3], r[4], r[5]] == [str(e['attempts']), str(e['errors']), str(e['retries']),
                                        str(e['blind_4xx_retries'])], r
tl = tables.get('Timeline', [[]])[1:]
assert len(tl) == len(doc['timeline']), 'timeline rows'
for r, b in zip(tl, doc['timeline']):
    assert r == [b['start'], str(b['attempts']), str(b['errors']), str(b['retryable_errors']),
                 str(b['retries']), str(b['blind_4xx_retries'])], r
re_ = {r[0]: r[1] for r in tables['Retries'][1:]}
R = doc['retries']
for k, label in (('chains', 'chains'), ('retries', 'retries'), ('blind_4xx_retries', 'blind 4xx retries'),
                 ('unsafe_retries', 'unsafe retries')):
    assert re_[label] == str(R[k]), 'Retries %s' % label
assert re_['gave up'].split()[0] == str(R['outcomes']['gave_up'])
cl = tables['Clients'][1:]
assert len(cl) == len(doc['clients']), 'client rows'
for r in cl:
    assert len(r) == len(tables['Clients'][0]), 'a client row has %d cells: %r' % (len(r), r)
print(sum(len(v) for v in tables.values()))
EOF
md_inputs="$fx/quickstart/access.log $fx/errors-trace/trace.jsonl"
case $bin in *valgrind*) md_inputs=$fx/quickstart/access.log ;; esac
for input in $md_inputs "$tmp/hostile.jsonl"; do
	name=$(basename "$input")
	"$bin" analyze --quiet --top 0 --output json "$input" >"$tmp/r.json"
	"$bin" analyze --quiet --top 0 --output markdown "$input" >"$tmp/r.md" || bad "$name: markdown exit $?"
	if n=$(python3 "$tmp/md_check.py" "$tmp/r.json" "$tmp/r.md" 2>"$tmp/err"); then
		ok "$name: markdown tables hold the JSON's numbers ($n rows)"
	else
		bad "$name: markdown: $(tail -n 1 "$tmp/err")"
	fi
done
"$bin" analyze --quiet --output markdown "$tmp/hostile.jsonl" >"$tmp/h.md"
grep -qF 'a\|b\`c\`\<script\>alert(1)\</script\> \*x\* \[l\](http\://e.example) www\.e.example u\@e.example' "$tmp/h.md" &&
	ok "markdown: a hostile name is escaped (pipes, backticks, tags, emphasis, links, autolinks)" ||
	bad "markdown: hostile name: $(grep -F 'alert' "$tmp/h.md" | head -n 2)"
"$bin" analyze --quiet --output markdown "$fx/quickstart/access.log" | grep -q '^```text$' &&
	ok "markdown: evidence chains are fenced code blocks" || bad "markdown: no evidence code block"

# --- -o FILE, atomically, for every format -------------------------------------------
for fmt in text json csv markdown html prometheus; do
	echo stale >"$tmp/out.$fmt"
	"$bin" analyze --quiet --output $fmt -o "$tmp/out.$fmt" "$fx/quickstart/access.log"
	rc=$?
	"$bin" analyze --quiet --output $fmt "$fx/quickstart/access.log" >"$tmp/stdout.$fmt"
	if [ $rc -eq 0 ] && [ ! -e "$tmp/out.$fmt.tmp" ] && ! grep -q '^stale$' "$tmp/out.$fmt" &&
		[ -s "$tmp/out.$fmt" ] && [ "$(grep -cv generated "$tmp/out.$fmt")" = "$(grep -cv generated "$tmp/stdout.$fmt")" ]; then
		ok "-o: $fmt replaces the file, as stdout would print it, no .tmp left"
	else
		bad "-o: $fmt: exit $rc, $(ls "$tmp" | grep "out.$fmt")"
	fi
done
mkdir "$tmp/adir"
"$bin" analyze --quiet --output json -o "$tmp/adir" "$fx/quickstart/access.log" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && grep -q "$tmp/adir: cannot write the report" "$tmp/err" && [ ! -e "$tmp/adir.tmp" ] && [ -d "$tmp/adir" ] &&
	ok "-o onto a directory: exit 3, names it, leaves it as it was" || bad "-o onto a directory: exit $rc: $(cat "$tmp/err")"

# --- option errors -----------------------------------------------------------------
expect2() { # WHAT GREP ARGS...
	what=$1 pat=$2
	shift 2
	"$bin" "$@" 2>"$tmp/err" >/dev/null
	rc=$?
	[ $rc -eq 2 ] && grep -q -- "$pat" "$tmp/err" && ok "$what: exit 2 naming it" || bad "$what: exit $rc: $(cat "$tmp/err")"
}
expect2 "--table without csv" "--table chooses" analyze --table status "$fx/quickstart/access.log"
expect2 "an unknown table" "--table: unknown table 'nope' (known: status, endpoints" analyze --output csv --table nope "$fx/quickstart/access.log"
expect2 "an unknown format" "--output: unknown format 'xml' (known: text, json, csv, markdown, html, prometheus)" analyze --output xml "$fx/quickstart/access.log"
expect2 "-o into a missing directory" "-o $tmp/no/such: cannot write in $tmp/no" analyze -o "$tmp/no/such" "$fx/quickstart/access.log"
"$bin" ingest --quiet --db "$tmp/r.db" "$fx/quickstart/access.log"
expect2 "report: an unknown table" "--table: unknown table" report --db "$tmp/r.db" --output csv --table x

# --- colour ------------------------------------------------------------------------
esc=$(printf '\033')
if command -v script >/dev/null && script -qc true /dev/null >/dev/null 2>&1; then
	tty_run() { # ENV... : the report on a terminal, through script(1)
		env "$@" script -qec "'$bin' analyze --quiet '$fx/quickstart/access.log'" /dev/null
	}
	tty_run TERM=xterm NO_COLOR= | grep -q "$esc\[1m" && ok "colour on a terminal" || bad "no colour on a terminal"
	tty_run TERM=xterm NO_COLOR=1 | grep -q "$esc\[" && bad "colour with NO_COLOR" || ok "no escapes with NO_COLOR"
	tty_run TERM=dumb NO_COLOR= | grep -q "$esc\[" && bad "colour with TERM=dumb" || ok "no escapes with TERM=dumb"
	env TERM=xterm script -qec "'$bin' analyze --quiet -o '$tmp/tty.txt' '$fx/quickstart/access.log'" /dev/null >/dev/null
	grep -q "$esc" "$tmp/tty.txt" && bad "colour in an -o file" || ok "no escapes in an -o file, even from a terminal"
else
	echo "note: script(1) cannot make a terminal here: colour checks on a TTY not run"
fi
TERM=xterm "$bin" analyze --quiet "$fx/quickstart/access.log" | grep -q "$esc" && bad "colour in a pipe" || ok "no escapes in a pipe"

# --- long names are cut in the middle: both ends stay ---------------------------------------
d="$tmp/a-very-long-directory-name-for-the-logs/nginx-production-frontend"
mkdir -p "$d"
head -n 18 "$fx/quickstart/access.log" >"$d/access.log.1"
tail -n 18 "$fx/quickstart/access.log" >"$d/access.log"
"$bin" analyze --quiet "$d/access.log.1" "$d/access.log" | sed -n '/^Sources/,/^$/p' >"$tmp/src.txt"
grep -q "…rontend/access.log.1 " "$tmp/src.txt" && grep -q "…-frontend/access.log " "$tmp/src.txt" &&
	grep -q "^  $(echo "$tmp" | cut -c 1-12)" "$tmp/src.txt" && ok "long source names are cut in the middle: access.log.1 and access.log stay apart" ||
	bad "long names: $(cat "$tmp/src.txt")"

# --- progress: on a terminal's stderr, at most 10 a second, cleared; never in a pipe -----
copies=80000 # about 2.9 million lines: a second or more of reading
case $bin in *valgrind*) copies=1000 ;; esac
awk -v n=$copies '{ for (i = 0; i < n; i++) print }' "$fx/quickstart/access.log" >"$tmp/big.log"
if command -v script >/dev/null && script -qc true /dev/null >/dev/null 2>&1; then
	TERM=dumb script -qec "'$bin' analyze '$tmp/big.log' >/dev/null" /dev/null >"$tmp/tty.err"
	grep -q "lines/s · ETA" "$tmp/tty.err" && grep -q " of .*MiB (.*%)" "$tmp/tty.err" &&
		ok "progress on a terminal: bytes, %, lines/s, ETA" || bad "no progress on a terminal: $(head -c 300 "$tmp/tty.err")"
	grep -q "$esc" "$tmp/tty.err" && bad "progress with escapes on TERM=dumb" || ok "progress draws with spaces, no escapes"
	draws=$(tr '\r' '\n' <"$tmp/tty.err" | grep -c "lines/s")
	took=$(TERM=dumb script -qec "'$bin' analyze --quiet '$tmp/big.log' >/dev/null" /dev/null | wc -c)
	[ "$took" = 0 ] && ok "--quiet: no progress on a terminal" || bad "--quiet still shows $took bytes"
	echo "progress drew $draws times"
	tail -c 200 "$tmp/tty.err" | tr '\r' '\n' | tail -n 1 | grep -q "lines/s" && bad "the progress line is left at the end" ||
		ok "the progress line is cleared at the end"
	printf '' | TERM=dumb script -qec "cat '$tmp/big.log' | '$bin' analyze - >/dev/null" /dev/null >"$tmp/stdin.err"
	grep -q "MiB read · .* lines · .* lines/s" "$tmp/stdin.err" && ! grep -q "ETA" "$tmp/stdin.err" &&
		ok "progress of stdin: a rate, no ETA" || bad "stdin progress: $(head -c 300 "$tmp/stdin.err")"
fi
"$bin" analyze "$tmp/big.log" 2>"$tmp/pipe.err" >/dev/null
grep -q "lines/s" "$tmp/pipe.err" && bad "progress when stderr is not a terminal" || ok "no progress when stderr is a file"
exit $fail
