#!/bin/sh
# nginx_formats.sh BIN
#
# One real nginx (Debian's nginx-light) on 127.0.0.1 writes the same requests to three
# access logs at once: combined, a custom log_format with $msec $request_time
# $http_x_client_id $http_idempotency_key $sent_http_retry_after $upstream_status, and
# an escape=json one. The front server proxies to a backend server (so there is an
# upstream status) that answers 503 with Retry-After, 500, 400 and 200. curl drives it
# as three clients. retrylens reads each log with the format from the config
# (--log-format-file/--log-format-name, as a user would) and the three must give the
# same attempts, statuses, chains and per-client attempt counts; the custom and JSON
# logs must give ms times and the Retry-After the backend sent, the combined one 1 s.
# nginx is started and stopped by this test, by PID; it skips, saying so, where nginx
# or curl is not installed.
set -u
bin=$1
. "$(dirname "$0")/nginx_lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip: python3 is not installed (it compares the three reports)"
	exit 77 # skipped (ctest SKIP_RETURN_CODE)
fi
nginx_setup

write_conf() {
	port=$1 back=$(($1 + 1))
	cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
error_log $tmp/error.log;
pid $tmp/nginx.pid;
events { worker_connections 64; }
http {
	log_format api '\$msec \$request_time "\$request" \$status \$body_bytes_sent "\$http_x_client_id" '
	               '"\$http_idempotency_key" "\$sent_http_retry_after" \$upstream_status "\$http_user_agent"';
	log_format apijson escape=json '{"ts":"\$msec","client":"\$http_x_client_id","remote":"\$remote_addr",'
	    '"request":"\$request","status":\$status,"bytes":\$body_bytes_sent,"rt":"\$request_time",'
	    '"idem":"\$http_idempotency_key","retry_after":"\$sent_http_retry_after",'
	    '"upstream":"\$upstream_status","ua":"\$http_user_agent"}';
	client_body_temp_path $tmp/body;
	proxy_temp_path $tmp/proxy;
	default_type application/json;
	server {
		listen 127.0.0.1:$port;
		access_log $tmp/combined.log combined;
		access_log $tmp/api.log api;
		access_log $tmp/api.json apijson;
		location = /ready { access_log off; return 204; }
		location / { proxy_pass http://127.0.0.1:$back; }
	}
	server {
		listen 127.0.0.1:$back;
		access_log off;
		location = /v1/unavailable {
			add_header Retry-After 1 always;
			return 503 '{"error":{"message":"Try again later","details":null}}';
		}
		location = /v1/broken { return 500 '{"error":{"message":"Internal error","type":"api_error","code":"internal"}}'; }
		location = /v1/leads  { return 400 '{"error":{"message":"A parameter is missing or invalid.","details":null}}'; }
		location = /v1/ok     { return 200 '{"ok":true}'; }
	}
}
CONF
}
nginx_start
# client a: a 503 with Retry-After, retried twice by curl; then a success
curl -s -o "$tmp/a1" -A client-a -H 'X-Client-Id: svc-a' --retry 2 "$url/v1/unavailable" &
c1=$!
# client b: a 500, retried twice (curl waits 1 s, 2 s)
curl -s -o "$tmp/b1" -A client-b -H 'X-Client-Id: svc-b' --retry 2 "$url/v1/broken" &
c2=$!
# client c: a POST with an idempotency key that gets a 400 (curl does not retry it)
curl -s -o "$tmp/c1" -A client-c -H 'X-Client-Id: svc-c' -H 'Idempotency-Key: key-1' -d '{}' "$url/v1/leads" &
c3=$!
wait $c1 $c2 $c3
curl -s -o "$tmp/a2" -A client-a -H 'X-Client-Id: svc-a' "$url/v1/ok"
nginx_stop

fail=0
for f in combined:combined.log api:api.log apijson:api.json; do
	name=${f%%:*} file=${f#*:}
	if ! "$bin" analyze --output json --quiet --log-format-file "$tmp/nginx.conf" --log-format-name "$name" \
		"$tmp/$file" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
		echo "FAIL: $name: retrylens failed:"
		cat "$tmp/$name.err"
		fail=1
	fi
done
[ "$fail" = 0 ] || exit 1
python3 - "$tmp" <<'PY' || fail=1
import json, sys
tmp = sys.argv[1]
rep = {n: json.load(open(f"{tmp}/{n}.out")) for n in ("combined", "api", "apijson")}
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok &= bool(cond)
def shape(r):
    return {
        "attempts": r["totals"]["attempts"],
        "status": sorted((s["status"], s["count"]) for s in r["status"]),
        "chains": r["retries"]["chains"],
        "retries": r["retries"]["retries"],
        "clients": sorted(c["attempts"] for c in r["clients"]),
        "rejected": r["rejected"]["count"],
    }
# chains: a 503×3, a /v1/ok, b 500×3, c 400; retries: 2 + 2
want = {"attempts": 8, "status": [(200, 1), (400, 1), (500, 3), (503, 3)], "chains": 4, "retries": 4,
        "clients": [1, 3, 4], "rejected": 0}
for n, r in rep.items():
    check(shape(r) == want, f"{n}: {shape(r)}")
check(rep["combined"]["sources"][0]["time_resolution_ms"] == 1000, "combined: times to the second")
for n in ("api", "apijson"):
    r = rep[n]
    check(r["sources"][0]["time_resolution_ms"] == 1, f"{n}: times to the ms")
    names = sorted(c["client"] for c in r["clients"])
    check(names == ["svc-a", "svc-b", "svc-c"], f"{n}: clients from X-Client-Id: {names}")
    # client a's two retries wait a flat 1 s after 503s that said Retry-After: 1. At ms
    # resolution a flat wait is "not growing" (too_fast) unless the Retry-After was read
    # (rule 1), so 4 of 4 compliant shows that it was.
    b = r["retries"]["backoff"]
    check(b["checked"] == 4 and b["compliant"] == 4 and b["too_fast"] == 0, f"{n}: backoff {b}")
sys.exit(0 if ok else 1)
PY
if [ "$fail" != 0 ]; then
	for f in combined.log api.log api.json; do
		echo "--- $f"
		cat "$tmp/$f"
	done
	exit 1
fi
