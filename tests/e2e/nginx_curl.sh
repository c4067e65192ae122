#!/bin/sh
# nginx_curl.sh BIN JSONSUB
#
# Real clients against a real server: nginx (Debian's nginx-light) on 127.0.0.1 answers
# the seed envelopes (400, 404, 429 with Retry-After, 500, 503), curl drives it, and
# retrylens reads the access log nginx wrote:
#   curl --retry 3 against 503, 500 and 429     → 3 retries each, all backoff-compliant
#                                                  (curl waits 1, 2, 4 s, or Retry-After)
#   curl --fail --retry 3 --retry-all-errors against 400 → 3 blind 4xx retries (a 4xx
#                                                  is an error to curl only with --fail)
#   curl --retry 3 against 404                   → no retry (curl knows 404 is final)
# (Bodies go to files: curl cannot restart a transfer into /dev/null, and would not
# retry. The readiness probe's location is not logged.) nginx is started and stopped by this test, by PID, on a free port; it skips,
# saying so, where nginx or curl is not installed.
set -u
bin=$1 jsonsub=$2
. "$(dirname "$0")/nginx_lib.sh"
nginx_setup

write_conf() {
	port=$1
	cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
error_log $tmp/error.log;
pid $tmp/nginx.pid;
events { worker_connections 64; }
http {
	access_log $tmp/access.log combined;
	client_body_temp_path $tmp/body;
	proxy_temp_path $tmp/proxy;
	default_type application/json;
	server {
		listen 127.0.0.1:$port;
		location = /ready           { access_log off; return 204; }
		location = /v1/leads        { return 400 '{"error":{"message":"A parameter is missing or invalid.","details":{"field":"email"}}}'; }
		location = /v1/leads/404404 { return 404 '{"error":{"message":"Not found","type":"invalid_request_error","code":"not_found"}}'; }
		location = /v1/limited {
			add_header Retry-After 1 always;
			return 429 '{"error":{"message":"Rate limit exceeded. Please slow down.","type":"rate_limit_error","code":"rate_limit_exceeded"}}';
		}
		location = /v1/broken       { return 500 '{"error":{"message":"Internal error","type":"api_error","code":"internal"}}'; }
		location = /v1/unavailable  { return 503 '{"error":{"message":"Try again later","details":null}}'; }
	}
}
CONF
}
nginx_start
curls=
curl -s -o "$tmp/curl-503.body" -A curl-503 --retry 3 "$url/v1/unavailable" &
curls="$curls $!"
curl -s -o "$tmp/curl-500.body" -A curl-500 --retry 3 "$url/v1/broken" &
curls="$curls $!"
curl -s -o "$tmp/curl-429.body" -A curl-429 --retry 3 "$url/v1/limited" &
curls="$curls $!"
curl -s -o "$tmp/curl-400-all.body" -A curl-400-all --fail --retry 3 --retry-all-errors "$url/v1/leads" &
curls="$curls $!"
curl -s -o "$tmp/curl-404.body" -A curl-404 --retry 3 "$url/v1/leads/404404" &
curls="$curls $!"
for c in $curls; do wait "$c"; done
nginx_stop

"$bin" analyze --output json --policy default "$tmp/access.log" >"$tmp/out.json" || exit 1
cat >"$tmp/want.json" <<'JSON'
{
  "sources": [{"format": "combined", "lines": 17, "rejected": 0}],
  "totals": {"attempts": 17, "success": 0, "errors": 17, "retryable_errors": 12, "non_retryable_errors": 5},
  "retries": {
    "chains": 5, "retries": 12, "blind_4xx_retries": 3, "unsafe_retries": 0,
    "backoff": {"checked": 9, "compliant": 9, "too_fast": 0, "ignored_retry_after": 0, "over_max_retries": 0}
  },
  "clients": [
    {"client": "127.0.0.1 curl-400-all", "attempts": 4, "retries": 3, "blind_4xx_retries": 3, "violations": 3,
     "backoff": {"checked": 0}},
    {"client": "127.0.0.1 curl-429", "attempts": 4, "retries": 3, "violations": 0, "backoff": {"checked": 3, "compliant": 3}},
    {"client": "127.0.0.1 curl-500", "attempts": 4, "retries": 3, "violations": 0, "backoff": {"checked": 3, "compliant": 3}},
    {"client": "127.0.0.1 curl-503", "attempts": 4, "retries": 3, "violations": 0, "backoff": {"checked": 3, "compliant": 3}},
    {"client": "127.0.0.1 curl-404", "attempts": 1, "retries": 0}
  ]
}
JSON
if "$jsonsub" "$tmp/want.json" "$tmp/out.json"; then
	echo "ok: curl --retry is compliant, curl --retry-all-errors on a 400 retries blindly"
else
	echo "the log nginx wrote:"
	cat "$tmp/access.log"
	exit 1
fi
