#!/usr/bin/env python3
"""make_corpus.py - writes the seed corpora (corpus/<target>/) and dictionaries (dict/).

Seeds are the first lines of fixtures/ (this repository's own test inputs) and small
hand-made lines; nothing comes from ../shared/data, and fixtures/json-caddy-compose
(which carries lnav's licence) is not used. Run from anywhere; it rewrites the seeds.
"""
import gzip, json, os, pathlib

HERE = pathlib.Path(__file__).resolve().parent
FIX = HERE.parent.parent / "fixtures"


def lines(rel, n=6):
    return (FIX / rel).read_bytes().split(b"\n")[:n]


def seed(target, name, data):
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


CLF = b'10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "GET /a?x=1 HTTP/1.1" 503 5 "-" "ua/1.0"'
CADDY = json.dumps({"level": "info", "ts": 1700000000.5, "logger": "http.log.access",
                    "msg": "handled request", "request": {"remote_ip": "10.0.0.1", "proto": "HTTP/1.1",
                    "method": "GET", "host": "api.example.com", "uri": "/v1/a?x=1",
                    "headers": {"User-Agent": ["curl/8"], "X-Client-Id": ["svc-a"]}},
                    "duration": 0.012, "size": 54, "status": 429,
                    "resp_headers": {"Retry-After": ["2"]}}).encode()
ENVOY = json.dumps({"start_time": "2024-01-02T03:04:05.123Z", "method": "POST",
                    "x-envoy-original-path": "/v1/leads", "protocol": "HTTP/2", "response_code": 503,
                    "bytes_sent": 19, "duration": 57, "user-agent": "sdk/2", "x-client-id": "svc-b",
                    "downstream_remote_address": "10.1.2.3:5555", "x-request-id": "r-1",
                    "idempotency-key": "k-1", "retry-after": "Sun, 06 Nov 1994 08:49:37 GMT"}).encode()
TRAEFIK = json.dumps({"StartUTC": "2024-01-02T03:04:05.123456789Z", "RequestMethod": "GET",
                      "RequestPath": "/v1/a", "RequestProtocol": "HTTP/1.1", "DownstreamStatus": 502,
                      "OriginStatus": 502, "DownstreamContentSize": 11, "Duration": 123456789,
                      "ClientHost": "10.0.0.9", "request_User-Agent": "go", "request_X-Client-Id": "c",
                      "downstream_Retry-After": "3"}).encode()
CLOUDFLARE = json.dumps({"EdgeStartTimestamp": 1700000000123456789, "EdgeEndTimestamp": 1700000000223456789,
                         "ClientRequestMethod": "PUT", "ClientRequestURI": "/v1/x", "ClientRequestProtocol":
                         "HTTP/2", "EdgeResponseStatus": 503, "EdgeResponseBytes": 100,
                         "ClientRequestUserAgent": "ua", "ClientIP": "2001:db8::1",
                         "ClientRequestHost": "h", "RayID": "7f"}).encode()
NGINXJSON = json.dumps({"msec": "1700000000.123", "request": "GET /v1/a HTTP/1.1", "status": "503",
                        "body_bytes_sent": "54", "request_time": "0.042", "http_user_agent": "ua",
                        "remote_addr": "10.0.0.1", "http_x_client_id": "svc", "sent_http_retry_after": "5",
                        "time_local": "01/Jan/2024:00:00:00 +0000"}).encode()

# fuzz_line_formats: one spec byte (the index in fuzz_line_formats.c's table) + lines
LF = {
    0: [lines("quickstart/access.log")],
    1: [lines("common/access_log")],
    2: [lines("vcombined/access.log")],
    3: [lines("alb-retries/alb.log", 3)],
    4: [[CADDY, ENVOY], [NGINXJSON, b'{"level":"debug","msg":"not an access record"}']],
    5: [[CADDY, CADDY.replace(b"429", b"200")]],
    6: [[ENVOY]],
    7: [[TRAEFIK]],
    8: [[CLOUDFLARE]],
    9: [[NGINXJSON]],
    10: [lines("errors-trace/trace.jsonl"), lines("verdict-compliant/trace.jsonl")],
    11: [lines("nginx-custom/access.log")],
    12: [[b'{"t":"1700000000.123","req":"GET /v1/a HTTP/1.1","st":503,"rt":0.05,"ua":"u \\"q\\"","up":"502, 503"}']],
    13: [lines("apache-custom/access_log")],
    14: [lines("regex-app/app.log")],
    15: [lines("cri-partial/container.log", 12),
         [b"2024-01-01T00:00:40.0Z stdout P " + CLF[:40], b"2024-01-01T00:00:40.1Z stdout F " + CLF[40:],
          b"2024-01-01T00:00:41.0Z stderr P half"]],
    16: [[b"2024-01-01T00:00:00.000000000Z stdout F " + CADDY]],
    17: [[json.dumps({"log": CLF.decode() + "\n", "stream": "stdout", "time": "2024-01-01T00:00:00Z"}).encode(),
          json.dumps({"log": CADDY.decode() + "\n", "stream": "stdout"}).encode()]],
    18: [[json.dumps({"message": CLF.decode(), "source_type": "file", "timestamp": "2024-01-01T00:00:00Z"}).encode(),
          json.dumps({"message": CLF.decode()}).encode()]],
    19: [[b"caddy  | " + CADDY, b"caddy-1  | " + ENVOY]],
    20: [[b"app  | " + l for l in lines("errors-trace/trace.jsonl", 3)]],
}
for k, groups in LF.items():
    for i, g in enumerate(groups):
        seed("fuzz_line_formats", f"spec{k:02d}-{i}", bytes([k]) + b"\n".join(g))

# fuzz_format_spec: kind byte + spec text
FS = [
    (0, (FIX / "nginx-custom/args").read_text().split("'")[1][len("nginx:"):]),
    (0, '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'),
    (0, '{"t":"$msec","req":{"u":"$request_uri","m":"$request_method"},"st":$status,"h":"${http_x_client_id}"}'),
    (0, '$remote_addr:$remote_port $upstream_status $upstream_response_time \\"$request\\" $request_time $msec'),
    (1, (FIX / "apache-custom/args").read_text().split("'")[1][len("apache:"):]),
    (1, '%a %{%d/%b/%Y:%H:%M:%S %z}t "%m %U%q %H" %s %B %T %{ms}T %{X-Request-Id}i %{Retry-After}o %v'),
    (2, (FIX / "regex-app/args").read_text().split("'")[1][len("regex:"):]),
    (2, r'^(?<addr>\S+) \[(?<time_local>[^\]]+)\] "(?<request>[^"]*)" (?<status>\d+) (?<duration_s>[\d.]+)'),
    (3, "\nstatus=resp.code\ntime=when:ms\nduration=took:s\nclient=who"),
    (3, "caddy\nclient=request.headers[\"X.Id\"]"),
    (3, "envoy\nretry_after=a[0].b\nattempt=n:start"),
    (4, "combined"), (4, "cri>json:envoy"), (4, "fluentbit>trace"), (4, "json:traefik\tX-Api-Key"),
    (4, "har"), (4, "vector>nginx:$remote_addr $status"),
    (5, "http {\n  log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n"
        "                  '$status $body_bytes_sent \"$http_referer\" $request_time';\n"
        "  access_log /var/log/nginx/access.log main;\n}\n"),
    (5, "log_format combined2 escape=json '{\"t\":\"$msec\",\"s\":$status}';\n# log_format x '$a';\n"),
    (5, "log_format main \"$remote_addr \\\"$request\\\" $status\";\nlog_format other '$msec';\n"),
]
for i, (kind, text) in enumerate(FS):
    seed("fuzz_format_spec", f"seed{i:02d}", bytes([kind]) + text.encode())

# fuzz_evidence: blobs as lib/retry/evidence.c writes them, and step verdict names
import struct


def evidence(attempts, method, target, steps):
    b = struct.pack("<BIB", 1, attempts, len(steps))
    b += struct.pack("<H", len(method)) + method + struct.pack("<H", len(target)) + target
    for start, wait, status, verdict, flags in steps:
        b += struct.pack("<qihBB", start, wait, status, verdict, flags)
    return b


seed("fuzz_evidence", "one", evidence(1, b"GET", b"/", [(1700000000000000, -2**31, 503, 0, 1)]))
seed("fuzz_evidence", "chain", evidence(5, b"POST", b"/v1/leads?id=1", [
    (1700000000000000, -2**31, 503, 0, 1), (1700000000250500, 1500, 503, 2, 4 | 8),
    (1700000001250000, 1000000, -1, 1, 8 | 16), (-1, 2**31 - 1, 429, 5, 2 | 4 | 8)]))
seed("fuzz_evidence", "none", evidence(0, b"-", b"", []))
for i, v in enumerate(["first", "not_checked", "blind_4xx+unsafe+too_fast", "unsafe+no_jitter",
                       "ignored_retry_after", "over_max_retries"]):
    seed("fuzz_evidence", f"verdict{i}", v)

# fuzz_timestamp
for i, t in enumerate(["10/Oct/2000:13:55:36 -0700", "10/Oct/2000 13:55:36", "29/Feb/2024:23:59:59 +1400",
                       "2000-10-10T13:55:36Z", "2000-10-10 13:55:36.123456789+05:30", "1969-12-31T23:59:59.5-0100",
                       "1136214245.123", "1700000000123", "0.000001", "Sun, 06 Nov 1994 08:49:37 GMT",
                       "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "120", "2.5",
                       "GET /v1/a?x=1 HTTP/1.1", "\x16\x03\x01\x02\x00", "-", "POST  /x"]):
    seed("fuzz_timestamp", f"seed{i:02d}", t)

# fuzz_har
seed("fuzz_har", "page.har", (FIX / "har-merge/page.har").read_bytes())
seed("fuzz_har", "storm.har", (FIX / "har-retry-storm/storm.har").read_bytes()[:6000])
seed("fuzz_har", "minified.har", json.dumps(json.loads((FIX / "har-merge/page.har").read_bytes())))
seed("fuzz_har", "bom.har", b"\xef\xbb\xbf" + (FIX / "har-merge/page.har").read_bytes())

# fuzz_policy
for f in sorted((HERE.parent.parent / "lib/policies").glob("*.json")):
    seed("fuzz_policy", f.name, f.read_bytes())
seed("fuzz_policy", "minimal.json", '{"name":"x","retryable":["5xx"],"backoff":null,"max_retries":-1}')

# fuzz_source
seed("fuzz_source", "lines", b"a\nbb\r\n\nccc" + b"x" * 100 + b"\nlast")
seed("fuzz_source", "access", b"\n".join(lines("quickstart/access.log", 4)))
seed("fuzz_source", "gzip", gzip.compress(b"one\ntwo\r\nthree") + gzip.compress(b"\nfour\n"))
seed("fuzz_source", "long", b"y" * 700 + b"\r\nshort\n")

# fuzz_errmsg
for i, b in enumerate([
        '{"error":{"message":"Lead 123 not found","type":"invalid_request_error","code":"lead_not_found"}}',
        '{"error":"invalid_grant","error_description":"Token 9f8e7d6c5b4a expired at 2024-01-01"}',
        '{"errors":[{"message":"Rate limit for user@example.com","extensions":{"code":"THROTTLED"}}]}',
        '{"message":"Validation Failed","errors":[{"code":"missing_field","resource":"Issue"}]}',
        '{"type":"https://example.com/probs/out-of-credit","title":"Out of credit","detail":"Balance 30, cost 50"}',
        '{"error":{"message":"Request 550e8400-e29b-41d4-a716-446655440000 for \'cus_9s6XKzkNRiz8i3\' failed after 30s',
        '<html><head><title>503 Service Unavailable</title></head><body><h1>Down</h1></body></html>',
        'upstream connect error or disconnect/reset before headers. reset reason: overflow\n',
        '"a bare \\u00e9 string \\ud83d\\ude00 \\ud800"', "can't parse v2 OAuth2 sha256 1.5 42 0xdeadbeef"]):
    seed("fuzz_errmsg", f"seed{i:02d}", b)

# fuzz_jscan
for i, b in enumerate([CADDY, ENVOY, b'{"a":[1,{"b":"x"},{"b":"\\u00e9\\n"}],"headers":{"X.Client-Id":"q"}}',
                       b' {"deep":{"er":{"and":{"deeper":{"still":{"eight":{"steps":{"x":true}}}}}}}} ',
                       b'#a.b c[1] d["e.f"] g[x\n{"a":{"b":null},"c":[0,1e5,-2.5E-3],"d":{"e.f":"v"}}',
                       b'[1,2]', b'{"status":"\\"","status":503}']):
    seed("fuzz_jscan", f"seed{i:02d}", b)

# dictionaries: each entry is raw bytes, escaped here for libFuzzer (\\, \" and \xNN)
D = HERE / "dict"
D.mkdir(exist_ok=True)


def esc(t):
    b = t if isinstance(t, bytes) else t.encode()
    out = "".join("\\" + chr(c) if chr(c) in '"\\' else chr(c) if 32 <= c < 127 else "\\x%02x" % c for c in b)
    return '"' + out + '"\n'


def write_dict(name, toks):
    (D / f"{name}.dict").write_text("".join(esc(t) for t in toks))


jsonkeys = ['"' + k + '"' for k in ["status", "ts", "msec", "request", "headers", "method", "uri", "duration",
            "resp_headers", "Retry-After", "User-Agent", "X-Client-Id", "log", "message", "stream", "time",
            "start_time", "response_code", "StartUTC", "DownstreamStatus", "EdgeStartTimestamp",
            "ClientRequestMethod", "client_id", "url", "error", "attempt", "logger", "http.log.access",
            "request_time", "time_local", "\\u00", "\\ud83d\\ude00"]]
jsonkeys += ["true", "false", "null", "1e309", "-0.0", "[", "]", "{", "}", ":", ","]
common = [" HTTP/1.1", "GET ", "POST ", "[01/Jan/2024:00:00:00 +0000]", "2024-01-01T00:00:00.000Z",
          " stdout F ", " stderr P ", "  | ", '\\"', "-"]
write_dict("fuzz_line_formats", jsonkeys + common)
write_dict("fuzz_jscan", jsonkeys)
write_dict("fuzz_har", ['"' + k + '"' for k in ["log", "entries", "version", "creator", "startedDateTime",
                        "time", "request", "response", "method", "url", "httpVersion", "headers", "name", "value",
                        "status", "content", "text", "encoding", "base64", "timings", "wait", "_resourceType",
                        "serverIPAddress", "queryString", "cookies", "bodySize"]]
           + [b"\xef\xbb\xbf", "null", "true", "-1"])
write_dict("fuzz_policy", ['"' + k + '"' for k in ["name", "description", "source", "retryable",
                           "non_retryable", "4xx", "5xx", "retry_safe_methods", "idempotency_header", "backoff",
                           "base_ms", "factor", "cap_ms", "jitter", "kind", "lo", "hi", "add", "mul", "none",
                           "max_retries", "honor_retry_after", "require_jitter"]]
           + ["null", "true", "1.000001", "1e3", "9223372036854775807"])
nginx_vars = ["$" + v for v in ["remote_addr", "remote_user", "time_local", "time_iso8601", "msec", "request",
              "status", "body_bytes_sent", "bytes_sent", "request_time", "upstream_status",
              "upstream_response_time", "http_user_agent", "http_referer", "http_x_forwarded_for",
              "http_x_client_id", "sent_http_retry_after", "request_method", "request_uri", "uri", "args",
              "host", "request_id", "http_idempotency_key", "http_x_retry_attempt", "remote_port"]]
apache = ["%h", "%l", "%u", "%t", "%r", "%>s", "%s", "%b", "%B", "%D", "%T", "%{ms}T", "%{X-Client-Id}i",
          "%{Retry-After}o", "%{%d/%b/%Y:%H:%M:%S %z}t", "%a", "%m", "%U", "%q", "%H", "%v", "%%"]
regex = ["(?<status>", "(?<time_iso8601>", "(?<duration_ms>", "(?<client>", "(?<request>", "\\S+", "\\d+",
         "(?:", ")*+", '[^"]*', "(?<time_start>", "(?<msec>"]
spec = ["log_format ", " escape=json ", "';\n", "nginx:", "apache:", "regex:", "json:", "cri>", ">", "\t",
        "=", ":ms", ":s", ":start", "time=", "client=", "status="]
write_dict("fuzz_format_spec", nginx_vars + apache + regex + spec)
write_dict("fuzz_timestamp", ["Jan", "Feb", "Nov", "GMT", "Sun, ", "Sunday, ", "+0000", "-07:00", "T", "Z", ".",
                              "HTTP/1.1"])
write_dict("fuzz_errmsg", ['{"error":', '"message":', '"type":', '"code":', '"errors":[', '"detail":',
                           '"title":', "<title>", "<h1>", "\\u", "\\ud83d", "550e8400-e29b-41d4-a716-446655440000",
                           "a@b.co", "\u2026", "\x1b["])
