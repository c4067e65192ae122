#!/bin/sh
# clients_cap.sh BIN JSONSUB GENLOG
#
# The client table is capped (10,000 rows): 30,000 distinct clients that each fail once
# (genlog --distinct), plus one client that makes 65 requests. Every count but the
# per-client rows stays exact; the heavy client survives the cap at the top; the report
# keeps exactly 10,000 clients and says it dropped some.
set -u
bin=$1 jsonsub=$2 genlog=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$genlog" --distinct --lines 30000 --span 50 >"$tmp/log" || exit 1
"$bin" analyze --quiet --output json --top 1 "$tmp/log" >"$tmp/out.json" || exit 1
cat >"$tmp/want.json" <<'JSON'
{
  "totals": {"attempts": 30065, "success": 65, "errors": 30000},
  "retries": {"chains": 30065, "retries": 0, "outcomes": {"recovered": 0, "gave_up": 0, "open": 30000}},
  "clients_capped": true,
  "clients": [{"client": "10.117.48.1 python-requests/2.31.0", "attempts": 65, "retries": 0, "violations": 0}]
}
JSON
"$jsonsub" "$tmp/want.json" "$tmp/out.json" || exit 1
"$bin" analyze --quiet --output json --top 0 "$tmp/log" >"$tmp/all.json" || exit 1
n=$(grep -c '"client": ' "$tmp/all.json")
if [ "$n" != 10000 ]; then
	echo "want 10000 clients in the report, got $n"
	exit 1
fi
echo "ok: 30,001 clients capped to 10,000, the heavy one first, totals exact"
