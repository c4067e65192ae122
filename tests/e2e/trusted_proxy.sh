#!/bin/sh
# trusted_proxy.sh fixture BIN JSONSUB FIXTURES
# trusted_proxy.sh data BIN DATA_DIR
#
# --trusted-proxy CIDR (SPEC §2): the client's address is the right-most X-Forwarded-For
# entry outside the trusted ranges.
#
# fixture: fixtures/trusted-proxy (an API behind a load balancer, nginx's "main" format;
# its NOTES.md has the hand-worked counts) without and with the option, through
# --log-format-file and --format auto; the exact client lists; bad ranges (exit 2 naming
# the option, for analyze, ingest and check-format); the notice for a format that logs no
# X-Forwarded-For; ingest + report equals analyze.
#
# data: real logs of ../shared/data with X-Forwarded-For lists (where the address goes,
# quoted before it, as nginx's last field, in Envoy's JSON): the clients retrylens finds,
# without and with the ranges of the proxies in them, are the ones an independent
# python3 reading of the same rule finds (ipaddress), and their number changes as that
# reading says. Skips (exit 77) without the data folder or python3.
set -u
mode=$1
shift
fail=0
ok() { echo "ok: $1"; }
bad() {
	echo "FAIL: $1"
	fail=1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "$mode" = fixture ]; then
	bin=$1 jsonsub=$2 dir=$3/trusted-proxy
	trust="--trusted-proxy 10.0.0.0/16 --trusted-proxy fd00:10::/64"
	# run NAME ARGS...: analyze --output json --top 0 into $tmp/NAME.json
	run() {
		name=$1
		shift
		"$bin" analyze --quiet --output json --top 0 "$@" >"$tmp/$name.json" 2>"$tmp/$name.err" ||
			bad "$name: exit $?: $(cat "$tmp/$name.err")"
	}
	# the sorted client names of report $1
	clients() {
		n=$("$jsonsub" --get "$1" clients.#) i=0
		while [ "$i" -lt "$n" ]; do
			"$jsonsub" --get "$1" "clients.$i.client"
			i=$((i + 1))
		done | tr -d '"' | LC_ALL=C sort
	}
	cd "$dir" || exit 1
	run plain --log-format-file nginx.conf access.log
	run trusted --log-format-file nginx.conf $trust access.log
	run auto_trusted $trust access.log
	cat >"$tmp/want_plain.json" <<'JSON'
{"totals": {"attempts": 13}, "sources": [{"format": "nginx:'$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\"'"}],
 "retries": {"chains": 11, "retries": 2, "unsafe_retries": 1, "outcomes": {"recovered": 2, "gave_up": 0, "open": 2},
             "backoff": {"checked": 2}}}
JSON
	cat >"$tmp/want_trusted.json" <<'JSON'
{"totals": {"attempts": 13},
 "retries": {"chains": 10, "retries": 3, "unsafe_retries": 1, "outcomes": {"recovered": 3, "gave_up": 0, "open": 1},
             "backoff": {"checked": 3}}}
JSON
	"$jsonsub" "$tmp/want_plain.json" "$tmp/plain.json" && ok "without --trusted-proxy: 11 chains, 2 retries (NOTES.md)" ||
		bad "without --trusted-proxy"
	"$jsonsub" "$tmp/want_trusted.json" "$tmp/trusted.json" && ok "with --trusted-proxy: 10 chains, 3 retries" ||
		bad "with --trusted-proxy"
	"$jsonsub" --equal "$tmp/trusted.json" "$tmp/auto_trusted.json" --ignore sources --ignore generated_at &&
		ok "--format auto (combined reads the last quoted field) gives the same report" ||
		bad "--format auto differs from --log-format-file"
	clients "$tmp/plain.json" >"$tmp/plain.txt"
	clients "$tmp/trusted.json" >"$tmp/trusted.txt"
	LC_ALL=C sort >"$tmp/want_plain.txt" <<'EOF'
10.0.1.10 ELB-HealthChecker/2.0
10.0.1.10 acme-sdk/2.1
10.0.2.20 ELB-HealthChecker/2.0
10.0.2.20 acme-sdk/2.1
10.0.2.20 legacy/1.0
198.51.100.99 acme-sdk/2.1
::ffff:10.0.2.20 acme-sdk/2.1
fd00:10::5 acme-sdk/2.1
EOF
	LC_ALL=C sort >"$tmp/want_trusted.txt" <<'EOF'
10.0.1.10 ELB-HealthChecker/2.0
10.0.2.20 ELB-HealthChecker/2.0
10.0.3.3 legacy/1.0
192.0.2.55 acme-sdk/2.1
198.51.100.20 acme-sdk/2.1
198.51.100.99 acme-sdk/2.1
2001:db8:b::9 acme-sdk/2.1
203.0.113.10 acme-sdk/2.1
203.0.113.40 acme-sdk/2.1
EOF
	for k in plain trusted; do
		if cmp -s "$tmp/want_$k.txt" "$tmp/$k.txt"; then
			ok "$k: the $(wc -l <"$tmp/$k.txt") clients of NOTES.md"
		else
			bad "$k: clients differ from NOTES.md:"
			diff "$tmp/want_$k.txt" "$tmp/$k.txt"
		fi
	done

	# bad ranges: exit 2, the option and the range named, before any input is read
	for cmd in analyze ingest check-format; do
		for row in "10.0.0.0/33|an IPv4 prefix length is 0 to 32" "2001:db8::/129|an IPv6 prefix length is 0 to 128" \
			"10.0.0.256|'10.0.0.256' is not an IPv4 or IPv6 address" "10.0.0.0/x|the prefix length 'x' is not a number" \
			"10.0.0.0/8,10.1.0.0/16|one range per option (repeat --trusted-proxy)"; do
			cidr=${row%%|*} why=${row#*|}
			set -- # ingest: a database that must not be made
			[ "$cmd" = ingest ] && set -- --db "$tmp/bad.db"
			"$bin" "$cmd" "$@" --trusted-proxy 10.0.0.0/8 --trusted-proxy "$cidr" /nonexistent >"$tmp/out" 2>"$tmp/err"
			rc=$?
			want="retrylens $cmd: --trusted-proxy '$cidr': $why"
			if [ $rc = 2 ] && grep -qF -- "$want" "$tmp/err"; then
				ok "$cmd --trusted-proxy '$cidr': exit 2"
			else
				bad "$cmd --trusted-proxy '$cidr': exit $rc, want 2 and \"$want\"; stderr: $(cat "$tmp/err")"
			fi
		done
	done
	[ ! -e "$tmp/bad.db" ] && ok "no database made for a bad range" || bad "a bad range made a database"

	# a named format that logs no X-Forwarded-For: said once, the report unchanged
	printf 'https 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 10.0.0.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0"\n' >"$tmp/alb.log"
	"$bin" analyze --output json --format alb --trusted-proxy 10.0.0.0/8 "$tmp/alb.log" >"$tmp/alb.json" 2>"$tmp/alb.err"
	n=$(grep -c 'does not log X-Forwarded-For' "$tmp/alb.err")
	if [ "$n" = 1 ] && grep -qF -- "retrylens: --trusted-proxy: alb does not log X-Forwarded-For: the client is the address as logged" "$tmp/alb.err" &&
		grep -qF '"client": "10.0.0.39 curl/7.46.0"' "$tmp/alb.json"; then
		ok "alb: one notice, the client as logged"
	else
		bad "alb notice: $(cat "$tmp/alb.err")"
	fi
	"$bin" analyze --quiet --format alb --trusted-proxy 10.0.0.0/8 "$tmp/alb.log" >/dev/null 2>"$tmp/alb.err"
	[ ! -s "$tmp/alb.err" ] && ok "--quiet silences the notice" || bad "--quiet: $(cat "$tmp/alb.err")"
	"$bin" analyze --log-format-file nginx.conf $trust access.log >/dev/null 2>"$tmp/main.err"
	grep -q 'X-Forwarded-For' "$tmp/main.err" && bad "a notice for a format that logs the header" ||
		ok "no notice for nginx's main format"

	# check-format takes the option; ingest + report equals analyze
	"$bin" check-format --log-format-file nginx.conf $trust access.log >"$tmp/cf.out" 2>&1 &&
		grep -q '13 parse, 0 do not' "$tmp/cf.out" && ok "check-format with --trusted-proxy" ||
		bad "check-format: $(cat "$tmp/cf.out")"
	"$bin" ingest --quiet --db "$tmp/t.db" --log-format-file nginx.conf $trust access.log &&
		"$bin" report --db "$tmp/t.db" --output json --top 0 >"$tmp/report.json" || bad "ingest/report failed"
	"$jsonsub" "$tmp/want_trusted.json" "$tmp/report.json" &&
		[ "$(clients "$tmp/report.json")" = "$(cat "$tmp/want_trusted.txt")" ] &&
		ok "ingest + report: the same clients and counts as analyze" || bad "ingest + report differs from analyze"
	exit $fail
fi

# --- data ------------------------------------------------------------------------------
bin=$1 data=$2
if [ ! -d "$data" ]; then
	echo "skip: $data is absent (the shared test data only exists in the project's workspace)"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip: python3 is not installed (it reads the logs independently)"
	exit 77
fi
cat >"$tmp/indep.py" <<'PY'
# The same rule, read independently: python's ipaddress for addresses and ranges.
# indep.py clf|envoy FILE [CIDR...] prints the distinct clients ("address user-agent").
import ipaddress, json, re, sys

def hop_address(h):
    """(ip or 'unix', text) of one hop; None when it is no address"""
    if h == 'unix:':
        return ('unix', h)
    m = re.fullmatch(r'\[([^\]]*)\](?::(\d+))?', h)
    if m:
        text = m.group(1)
    elif h.count(':') == 1:  # IPv4 and a port
        text, port = h.split(':')
        if not port.isdigit() or '.' not in text:
            return None
    else:
        text = h
    if '%' in text:
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip, text)

def trusted(ip, nets):
    return ip != 'unix' and any(ip.version == n.version and ip in n for n in nets)

def entries(s):
    return [] if s in (None, '-') else [e for e in re.split(r'[,\s]+', s) if e]

def client_addr(addr, xff, nets):
    """nginx realip, real_ip_recursive on: from the right, past trusted hops (without
    ranges, the address as logged, a list where it goes included)"""
    if not nets:
        return addr
    hops = entries(addr)[::-1] + entries(xff)[::-1]
    if not hops:
        return addr
    first = hop_address(hops[0])
    if first is None:
        return hops[0]
    ip, text = first
    for h in hops[1:]:
        if not trusted(ip, nets):
            break
        nxt = hop_address(h)
        if nxt is None:
            break
        ip, text = nxt
    return text

Q = r'"((?:[^"\\]|\\.)*)"'
CLF = re.compile(r'^([^\[]*)\[[^\]]{1,40}\][ \t]+"(?:(?:[^"\\]|\\.)*|.*?)"[ \t]+(?:\d{3}|-)[ \t]+(?:\d+|-)'
                 r'(?:[ \t]+' + Q + r'(?:[ \t]+' + Q + r'(?:[ \t]+' + Q + r')?)?)?')

def clf_prefix(prefix):
    """(address, forwarded list) of "[vhost] [list] address ident user" """
    toks = prefix.split()[:-2]
    i = len(toks) - 1
    while i > 0 and toks[i - 1].endswith(','):
        i -= 1
    addr, rest = ' '.join(toks[i:]), toks[:i]
    if rest and not rest[0].startswith('"') and not rest[0].endswith(','):
        rest = rest[1:]  # the virtual host
    fwd = ' '.join(rest)
    if len(fwd) >= 2 and fwd[0] == '"' and fwd[-1] == '"':
        fwd = fwd[1:-1]
    return addr, (fwd or None)

def clf_clients(path, nets):
    out = set()
    for line in open(path, encoding='utf-8', errors='surrogateescape'):
        m = CLF.match(line.rstrip('\n'))
        if m:
            addr, fwd = clf_prefix(m.group(1))
            if m.group(4) is not None:  # nginx's main format: the header last
                fwd = m.group(4)
            out.add(client_addr(addr, fwd, nets) + ' ' + (m.group(3) if m.group(3) is not None else '-'))
    return out

def envoy_clients(path, nets):
    out = set()
    for line in open(path, encoding='utf-8'):
        body = line.split(' ', 3)[3] if ' F ' in line[:60] else line  # the CRI prefix
        if body.startswith('{'):
            r = json.loads(body)
            a = r.get('downstream_remote_address') or '-'
            a = a[1:a.index(']')] if a.startswith('[') else a.rsplit(':', 1)[0]
            ua = r.get('user-agent') or r.get('user_agent') or '-'
            out.add(client_addr(a, r.get('x-forwarded-for'), nets) + ' ' + ua)
    return out

nets = [ipaddress.ip_network(c, strict=False) for c in sys.argv[3:]]
for c in sorted((clf_clients if sys.argv[1] == 'clf' else envoy_clients)(sys.argv[2], nets)):
    print(c)
PY
cat >"$tmp/clients.py" <<'PY'
import json, sys
for c in sorted(c['client'] for c in json.load(open(sys.argv[1]))['clients']):
    print(c)
PY
main='nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"'
# file | kind | format | the proxies' ranges | clients without | clients with (hand-checked)
while IFS='|' read -r file kind fmt ranges n0 n1; do
	case "$file" in '' | \#*) continue ;; esac
	[ "$fmt" = main ] && fmt=$main
	set -- # the ranges as options
	for c in $ranges; do set -- "$@" --trusted-proxy "$c"; done
	for k in 0 1; do
		if [ $k = 0 ]; then
			"$bin" analyze --quiet --output json --top 0 --format "$fmt" "$data/$file" >"$tmp/r.json"
			python3 "$tmp/indep.py" "$kind" "$data/$file" >"$tmp/py.txt"
			want=$n0
		else
			"$bin" analyze --quiet --output json --top 0 --format "$fmt" "$@" "$data/$file" >"$tmp/r.json"
			python3 "$tmp/indep.py" "$kind" "$data/$file" $ranges >"$tmp/py.txt"
			want=$n1
		fi
		python3 "$tmp/clients.py" "$tmp/r.json" >"$tmp/rl.txt" || bad "$file: no report"
		LC_ALL=C sort "$tmp/rl.txt" >"$tmp/rl.s"
		LC_ALL=C sort "$tmp/py.txt" >"$tmp/py.s"
		got=$(wc -l <"$tmp/rl.s" | tr -d ' ')
		what="$file ($([ $k = 1 ] && echo "trusting $ranges" || echo "no --trusted-proxy"))"
		if cmp -s "$tmp/rl.s" "$tmp/py.s" && [ "$got" = "$want" ]; then
			ok "$what: $got clients, as python3 reads them"
		else
			bad "$what: $got clients (want $want); retrylens < > python3:"
			diff "$tmp/rl.s" "$tmp/py.s" | head -20
		fi
		[ $k = 0 ] && cp "$tmp/rl.s" "$tmp/before.s"
	done
	cmp -s "$tmp/before.s" "$tmp/rl.s" && bad "$file: --trusted-proxy changed no client"
done <<'TABLE'
# lists where the address goes, quoted lists before it (nginx behind CloudFront)
elastic-beats/nginx-access-test.log|clf|auto|10.0.0.0/8 127.0.0.1|7|7
elastic-beats/nginx-test-with-host.log|clf|auto|10.0.0.0/8 127.0.0.1|10|9
# nginx's main format: 13 requests through Google's proxies (66.249.83.x) for 103.28.132.65
lnav/logfile_shop_access_log.0|clf|main|66.249.64.0/19|110|105
lnav/logfile_shop_access_log.0|clf|auto|66.249.64.0/19|110|105
# Envoy (Gateway API) in CRI lines: x-forwarded-for behind 10.42.0.1 and fd00:1234:5678::1
crowdsec-hub/envoy.log|envoy|auto|10.42.0.0/16 fd00:1234:5678::1|6|5
TABLE
exit $fail
