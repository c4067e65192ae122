#!/bin/sh
# html.sh BIN FIXTURES OUTDIR
#
# --output html (SPEC §5): one self-contained file in which nothing from a log becomes
# markup. fixtures/html-hostile holds markup, quotes, ANSI escapes and bidi overrides in
# paths, user agents, referers, client ids, error bodies and a rejected line (NOTES.md);
# here a source file name and a policy name carry them too, raw (the store cleans what
# it keeps of a log, so those two reach the renderer as they are). Checked:
# - on the file (python3's html.parser): no <script>, <img>, <iframe>, <object>,
#   <embed>, <link>, <base> element, no on* attribute, no src/href/url( that leaves the
#   file (only "#…" and "data:"), a CSP meta tag with default-src 'none', the fixed
#   <title>; no raw control byte, C1 control or bidi override, valid UTF-8; the hostile
#   strings are there as text; the KPI numbers equal the JSON report's;
# - a report of nothing and of one success: the sentences instead of empty charts;
# - with chromium (Debian's; exit 77 when it is not installed, after the checks above):
#   the same checks on the DOM it builds (--dump-dom), and a screenshot kept as
#   OUTDIR/html-report.png (non-empty, a PNG).
set -u
bin=$1 fx=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed (the checks parse the HTML with html.parser)"
	exit 77
fi

cat >"$tmp/check.py" <<'EOF'
# check.py FILE [JSON]: the safety checks of html.sh on an HTML file (written by
# retrylens, or the DOM chromium built from it); with JSON, the KPI numbers against it.
import html.parser, json, re, sys

data = open(sys.argv[1], 'rb').read()
problems = []
text = data.decode('utf-8', errors='strict')  # raises on invalid UTF-8
raw = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]')
for m in raw.finditer(text):
    problems.append('a raw U+%04X at offset %d' % (ord(m.group()), m.start()))
    break

FORBIDDEN = {'script', 'img', 'iframe', 'frame', 'object', 'embed', 'link', 'base', 'form', 'audio', 'video',
             'source', 'image', 'foreignobject', 'use', 'a'}
URL_ATTRS = {'src', 'href', 'xlink:href', 'action', 'formaction', 'srcset', 'poster', 'data', 'background',
             'ping', 'manifest'}

def local(ref):
    ref = ref.strip().strip('\'"').lower()
    return ref.startswith('#') or ref.startswith('data:')

class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.titles, self.text, self.kpi, self.csp, self.style = [], [], [], {}, None, []
    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN and not (tag == 'a' and all(k != 'href' or local(v or '') for k, v in attrs)):
            problems.append('a <%s> element: %r' % (tag, attrs))
        for k, v in attrs:
            v = v or ''
            if k.startswith('on'):
                problems.append('an event handler attribute %s=%r on <%s>' % (k, v, tag))
            if k in URL_ATTRS and not local(v):
                problems.append('%s=%r on <%s> leaves the file' % (k, v, tag))
            if k == 'style':
                self.style.append(v)
            if tag == 'meta' and k == 'http-equiv' and v.lower() == 'refresh':
                problems.append('a meta refresh')
        a = dict(attrs)
        if tag == 'meta' and (a.get('http-equiv') or '').lower() == 'content-security-policy':
            self.csp = a.get('content') or ''
        if tag == 'data' and a.get('id', '').startswith('kpi-'):
            self.kpi[a['id']] = a.get('value')
        if tag not in ('meta', 'br', 'hr', 'input', 'line', 'rect', 'circle', 'polyline', 'path'):
            self.stack.append(tag)
        if tag == 'title':
            self.titles.append([self.stack[:-1], ''])
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass
    def handle_data(self, d):
        if self.stack and self.stack[-1] == 'title':
            self.titles[-1][1] += d
        if self.stack and self.stack[-1] == 'style':
            self.style.append(d)
        self.text.append(d)

c = Checker()
c.feed(text)
c.close()
head = [t for parents, t in c.titles if 'head' in parents and 'svg' not in parents]
if head != ['retrylens report']:
    problems.append('the document titles are %r, not exactly ["retrylens report"]' % head)
if c.csp is None or "default-src 'none'" not in c.csp or 'script-src' in c.csp:
    problems.append('no strict Content-Security-Policy meta tag: %r' % c.csp)
for s in c.style:
    for u in re.findall(r'url\(([^)]*)\)', s, re.I):
        if not local(u):
            problems.append('url(%s) in a style leaves the file' % u)
    for ext in ('@import', 'http:', 'https:', 'file:'):
        if ext in s.lower():
            problems.append('%s in a style' % ext)
words = ''.join(c.text)
for want in sys.argv[3:]:
    if want not in words:
        problems.append('the text %r is not shown' % want)
if len(sys.argv) > 2 and sys.argv[2] != '-':
    j = json.load(open(sys.argv[2]))
    for kid, want in (('kpi-attempts', j['totals']['attempts']), ('kpi-retries', j['retries']['retries']),
                      ('kpi-blind', j['retries']['blind_4xx_retries'])):
        if c.kpi.get(kid) != str(want):
            problems.append('%s is %r, the JSON says %r' % (kid, c.kpi.get(kid), want))
    for kid, rate in (('kpi-compliance', j['retries']['backoff']['compliance_rate']),
                      ('kpi-retryable-share', j['totals']['retryable_share_of_errors'])):
        got = c.kpi.get(kid)
        if (rate is None) != (got == '') or (rate is not None and abs(float(got) - rate) > 1e-12):
            problems.append('%s is %r, the JSON says %r' % (kid, got, rate))
for p in problems[:10]:
    print('  ' + p)
sys.exit(1 if problems else 0)
EOF

# check WHAT FILE [JSON [TEXT...]]
check() {
	what=$1
	shift
	if python3 "$tmp/check.py" "$@"; then
		ok "$what"
	else
		bad "$what"
	fi
}

# --- the hostile report, written by retrylens ----------------------------------------
esc=$(printf '\033') rlo=$(printf '\342\200\256')
name="$tmp/x\"><img src=x onerror=alert(9)>'${esc}[31m${rlo}gol.log"
cp "$fx/html-hostile/access.log" "$name" || bad "copy the fixture"
"$bin" policies default | sed 's|"name": "default"|"name": "p<script>alert(7)</script>\\u202e\\u001b[1m\\u0007"|' \
	>"$tmp/policy.json"
grep -q 'alert(7)' "$tmp/policy.json" || bad "the hostile policy file"
set -- --quiet --policy "$tmp/policy.json" "$name" "$fx/html-hostile/trace.jsonl"
"$bin" analyze --output html -o "$tmp/r.html" "$@" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ -s "$tmp/r.html" ] && ok "analyze --output html -o: exit 0" ||
	bad "analyze --output html -o: exit $rc: $(cat "$tmp/err")"
"$bin" analyze --output json "$@" >"$tmp/r.json" || bad "analyze --output json"
cp "$tmp/r.html" "$out/html-hostile.html" 2>/dev/null
check "the hostile report: no script, handler, image or outside reference; fixed title; escaped text; \
KPIs equal the JSON" "$tmp/r.html" "$tmp/r.json" \
	'/v1/leads/<script>alert(1)</script>' "/v1/orders/'\"><img src=x onerror=alert(1)>" \
	'p<script>alert(7)</script>\u202e\x1b[1m\x07' "onerror=alert(9)>'\\x1b[31m\\u202egol.log" \
	'<svg onload=alert(1)>' '"><script>alert(4)</script>' "' onmouseover='alert(5)"
# the same bytes as hostile.sh forbids, independently of python
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/r.html" ||
	LC_ALL=C grep -Eq "$(printf '\302[\200-\237]|\342\200[\252-\256]|\342\201[\246-\251]')" "$tmp/r.html"; then
	bad "the HTML holds a raw control byte or bidi override"
else
	ok "no raw control bytes or bidi overrides (grep)"
fi
LC_ALL=C grep -qi '<script' "$tmp/r.html" && bad "'<script' in the file" || ok "no '<script' in the file"
n=$(grep -c '<title>retrylens report</title>' "$tmp/r.html")
[ "$n" -eq 1 ] && ok "one fixed <title>" || bad "<title>retrylens report</title> $n times"

# --- nothing to chart: the sentences instead of empty charts --------------------------
: >"$tmp/empty.log"
"$bin" analyze --quiet --output html -o "$tmp/empty.html" "$tmp/empty.log" || bad "analyze of an empty file"
check "a report of nothing is safe too" "$tmp/empty.html" -
grep -q 'No attempts in this window: there is no timeline to draw.' "$tmp/empty.html" &&
	grep -q 'No client broke the policy' "$tmp/empty.html" && ! grep -qw 'NaN' "$tmp/empty.html" && ! grep -q '<svg' "$tmp/empty.html" &&
	ok "a report of nothing: sentences, no chart, no NaN" || bad "the report of nothing"
head -n 1 "$fx/quickstart/access.log" >"$tmp/one.log"
"$bin" analyze --quiet --output html -o "$tmp/one.html" "$tmp/one.log" || bad "analyze of one line"
grep -q 'No retry followed a retryable error, so no backoff was checked.' "$tmp/one.html" &&
	grep -c '<svg' "$tmp/one.html" | grep -qx 2 && ok "one success: timeline and status charts, no verdicts" ||
	bad "the report of one success"
"$bin" analyze --quiet --output html "$fx/quickstart/access.log" >/dev/full 2>"$tmp/full.err"
rc=$?
[ $rc -eq 3 ] && ok "a full disk: exit 3" || bad "writing to /dev/full: exit $rc"

# --- what a browser makes of it --------------------------------------------------------
chromium=
for c in chromium chromium-browser; do
	command -v $c >/dev/null 2>&1 && chromium=$c && break
done
if [ -z "$chromium" ]; then
	echo "SKIP: chromium is not installed (apt-get install chromium): the DOM and screenshot checks did not run"
	[ $fail -eq 0 ] && exit 77
	exit $fail
fi
mkdir -p "$tmp/home"
browse() { # browse ARGS...: headless chromium on r.html, in a profile of its own
	HOME=$tmp/home timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--no-first-run --user-data-dir="$tmp/profile" "$@" "file://$tmp/r.html" 2>>"$tmp/chromium.err"
}
browse --dump-dom >"$tmp/dom.html"
if [ -s "$tmp/dom.html" ]; then
	check "chromium's DOM: no script, handler, image or outside reference; fixed title; the text shown" \
		"$tmp/dom.html" - '/v1/leads/<script>alert(1)</script>' '<svg onload=alert(1)>' \
		"/v1/orders/'\"><img src=x onerror=alert(1)>"
else
	bad "chromium --dump-dom printed nothing: $(tail -n 3 "$tmp/chromium.err")"
fi
rm -f "$out/html-report.png"
browse --screenshot="$out/html-report.png" --window-size=1280,2400 >/dev/null
if [ -s "$out/html-report.png" ] && [ "$(head -c 4 "$out/html-report.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
	ok "a screenshot: $out/html-report.png ($(wc -c <"$out/html-report.png") bytes)"
else
	bad "no screenshot: $(tail -n 3 "$tmp/chromium.err")"
fi
exit $fail
