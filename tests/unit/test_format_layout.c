/* test_format_layout.c - nginx:'…', apache:'…', regex:'…' and alb: every mapped field,
 * exact times, the shapes that keep unquoted neighbours apart, --client (hashed when it
 * looks like a key), check-format's diagnosis, and the usage errors. */
#include <stdlib.h>

#include "lib/format/format.h"
#include "lib/format/layout.h"
#include "lib/classify/identity.h"
#include "lib/base/sha256.h"
#include "lib/base/timestamp.h"
#include "tests/check.h"

static rl_format *fmt;
static rl_record rec;

static int use(const char *spec, const rl_format_opts *o)
{
	rl_format_free(fmt);
	fmt = NULL;
	rl_err err;
	rl_err_clear(&err);
	int rc = rl_format_new(&fmt, spec, o, &err);
	if (rc)
		fprintf(stderr, "  (%s: %s)\n", spec, err.msg);
	return rc;
}

static rl_reject parse(const char *line)
{
	return rl_format_parse(fmt, line, strlen(line), &rec);
}

static void test_nginx_custom(void)
{
	CHECK_INT(use("nginx:$remote_addr [$time_local] $msec $request_time \"$request\" $status $body_bytes_sent "
		      "\"$http_x_client_id\" \"$http_idempotency_key\" \"$sent_http_retry_after\" $upstream_status "
		      "\"$http_user_agent\" $unknown_variable",
		      NULL),
		  0);
	CHECK_INT(parse("10.0.0.1 [29/Nov/2026:10:00:01 +0000] 1795946401.234 0.050 \"POST /v1/leads?x=1 HTTP/1.1\" "
			"503 12 \"svc-a\" \"k-1\" \"2\" 502, 503 \"curl/8.0\" whatever it is"),
		  RL_REJECT_NONE);
	/* $msec wins over $time_local (SPEC §3.1.1): ms time, end of the request */
	CHECK_INT(rec.time_us, 1795946401234000LL);
	CHECK_INT(rec.time_res_us, 1000);
	CHECK(!rec.time_is_start);
	CHECK_INT(rec.duration_us, 50000);
	CHECK_INT(rec.duration_res_us, 1000);
	CHECK_VIEW(rec.method, "POST");
	CHECK_VIEW(rec.target, "/v1/leads?x=1");
	CHECK_INT(rec.status, 503);
	CHECK_INT(rec.bytes, 12);
	CHECK_VIEW(rec.client_id, "svc-a");
	CHECK(!rec.client_is_secret);
	CHECK_VIEW(rec.idempotency_key, "k-1");
	CHECK_VIEW(rec.retry_after, "2");
	CHECK_VIEW(rec.user_agent, "curl/8.0");
	CHECK_VIEW(rec.addr, "10.0.0.1");
	/* "-" values are "not logged" */
	CHECK_INT(
		parse("10.0.0.1 [29/Nov/2026:10:00:01 +0000] - - \"GET / HTTP/1.1\" 200 - \"-\" \"-\" \"-\" - \"-\" "),
		RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401000000LL);
	CHECK_INT(rec.time_res_us, 1000000);
	CHECK_INT(rec.duration_us, -1);
	CHECK_VIEW(rec.client_id, NULL);
	CHECK_VIEW(rec.retry_after, NULL);
	CHECK_INT(rec.bytes, -1);
	CHECK_INT(parse("10.0.0.1 [29/Nov/2026:10:00:01 +0000] 1 x \"GET / HTTP/1.1\" 200 0"), RL_REJECT_NO_MATCH);
}

static void test_nginx_upstream_and_uri(void)
{
	/* no $status: the last upstream status stands for it */
	CHECK_INT(use("nginx:$time_iso8601 $request_method $uri $args $upstream_status", NULL), 0);
	CHECK_INT(parse("2026-11-29T10:00:01+01:00 GET /v1/a b=2 502, 502 : 504"), RL_REJECT_NONE);
	CHECK_INT(rec.status, 504);
	CHECK_VIEW(rec.target, "/v1/a?b=2");
	CHECK_INT(rec.time_us, 1795942801000000LL);
	CHECK_INT(parse("2026-11-29T10:00:01Z GET /v1/a - 200"), RL_REJECT_NONE);
	CHECK_VIEW(rec.target, "/v1/a");
	CHECK_INT(rec.status, 200);
	/* ${var} and escapes as written in nginx.conf */
	CHECK_INT(use("nginx:${remote_addr}\\t[$time_local] \\\"$request\\\" $status", NULL), 0);
	CHECK_INT(parse("::1\t[29/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200"), RL_REJECT_NONE);
	CHECK_VIEW(rec.addr, "::1");
	/* vhost:port before the address, a word stops at the next literal */
	CHECK_INT(use("nginx:$host:$server_port $remote_addr [$time_local] \"$request\" $status", NULL), 0);
	CHECK_INT(parse("api.example.com:443 10.0.0.1 [29/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200"), 0);
	CHECK_VIEW(rec.vhost, "api.example.com");
}

static void test_nginx_json_template(void)
{
	/* escape=json: keys take the fields of their variables; $msec wins over an earlier
	 * $time_local, $http_x_request_id over $request_id */
	CHECK_INT(use("nginx:{\"tl\":\"$time_local\",\"ts\":\"$msec\",\"rid\":\"$request_id\","
		      "\"xrid\":\"$http_x_request_id\",\"req\":\"$request\",\"st\":$status,\"rt\":\"$request_time\"}",
		      NULL),
		  0);
	CHECK_INT(parse("{\"tl\":\"29/Nov/2026:10:00:01 +0000\",\"ts\":\"1795946401.250\",\"rid\":\"nginx-1\","
			"\"xrid\":\"client-1\",\"req\":\"GET /a?b=1 HTTP/1.1\",\"st\":503,\"rt\":\"0.250\"}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401250000LL);
	CHECK_INT(rec.time_res_us, 1000);
	CHECK(!rec.time_is_start);
	CHECK_VIEW(rec.request_id, "client-1");
	CHECK_VIEW(rec.method, "GET");
	CHECK_VIEW(rec.target, "/a?b=1");
	CHECK_INT(rec.status, 503);
	CHECK_INT(rec.duration_us, 250000);
	/* nested members, $uri, a value mixing text and variables (left out) */
	CHECK_INT(use("nginx:{\"t\":\"$msec\",\"req\":{\"m\":\"$request_method\",\"p\":\"$uri\"},"
		      "\"url\":\"$scheme://$host$request_uri\",\"st\":$status,\"list\":[\"$request_id\"]}",
		      NULL),
		  0);
	CHECK_INT(parse("{\"t\":\"1795946401.250\",\"req\":{\"m\":\"GET\",\"p\":\"/v1/a\"},"
			"\"url\":\"https://h/v1/a?x=1\",\"st\":503,\"list\":[\"r1\"]}"),
		  RL_REJECT_NONE);
	CHECK_VIEW(rec.method, "GET");
	CHECK_VIEW(rec.target, "/v1/a");
	CHECK_INT(rec.status, 503);
	CHECK_VIEW(rec.request_id, NULL);
	/* an unquoted variable right before a closing brace, nested or not */
	CHECK_INT(use("nginx:{\"q\":{\"s\":$status},\"t\":\"$time_iso8601\",\"r\":\"$request\"}", NULL), 0);
	CHECK_INT(parse("{\"q\":{\"s\":503},\"t\":\"2026-11-29T10:00:01Z\",\"r\":\"GET /a HTTP/1.1\"}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.status, 503);
	CHECK_VIEW(rec.target, "/a");
	/* ECS-style dotted keys, a key with a colon, written as in a double-quoted nginx.conf
	 * string (\" escapes) */
	CHECK_INT(use("nginx:{\\\"@timestamp\\\":\\\"$time_iso8601\\\",\\\"http.response.status_code\\\":$status,"
		      "\\\"req:line\\\":\\\"$request\\\",\\\"event.duration\\\":\\\"$request_time\\\"}",
		      NULL),
		  0);
	CHECK_INT(parse("{\"@timestamp\":\"2026-11-29T10:00:01Z\",\"http.response.status_code\":429,"
			"\"req:line\":\"POST /b HTTP/1.1\",\"event.duration\":\"0.250\"}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.status, 429);
	CHECK_VIEW(rec.method, "POST");
	CHECK_INT(rec.duration_us, 250000);
	/* members nested deeper than a path can go are left out, and the ones after them
	 * keep their own paths */
	CHECK_INT(
		use("nginx:{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"s\":\"$status\"}}}}}}}}},"
		    "\"s\":\"$status\",\"t\":\"$msec\"}",
		    NULL),
		0);
	CHECK_INT(parse("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":{\"s\":\"200\"}}}}}}}}},"
			"\"s\":\"503\",\"t\":\"1795946401.000\"}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.status, 503);
	/* an envelope spec names both */
	CHECK_INT(use("fluentbit>combined", NULL), 0);
	CHECK_INT(parse("{\"date\":1.5,\"log\":\"10.0.0.1 - - [29/Nov/2026:10:00:01 +0000] \\\"GET / HTTP/1.1\\\" 200 "
			"5\"}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.status, 200);
	CHECK_INT(use("nowhere>combined", NULL), RL_EUSAGE);
}

static void test_apache(void)
{
	CHECK_INT(use("apache:%h %l %u %t \"%r\" %>s %b %D \"%{Referer}i\" \"%{User-agent}i\" \"%{X-Client-Id}i\" "
		      "%{Retry-After}o",
		      NULL),
		  0);
	CHECK_INT(parse("2001:db8::1 - - [29/Nov/2026:10:00:01 +0000] \"GET /a HTTP/1.1\" 429 - 1500 \"-\" \"ua x\" "
			"\"svc\" 3"),
		  RL_REJECT_NONE);
	CHECK_VIEW(rec.addr, "2001:db8::1");
	CHECK(rec.time_is_start); /* Apache %t marks the start */
	CHECK_INT(rec.time_us, 1795946401000000LL);
	CHECK_INT(rec.duration_us, 1500);
	CHECK_INT(rec.duration_res_us, 1);
	CHECK_INT(rec.status, 429);
	CHECK_INT(rec.bytes, -1);
	CHECK_VIEW(rec.user_agent, "ua x");
	CHECK_VIEW(rec.client_id, "svc");
	CHECK_VIEW(rec.retry_after, "3");
	/* %T in whole seconds, %{ms}T, modifiers, %% and epoch times */
	CHECK_INT(use("apache:%{msec}t %400,501{User-Agent}i %m %U%q %s %{ms}T 100%%", NULL), 0);
	CHECK_INT(parse("1795946401234 curl GET /x?y=1 200 15 100%"), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401234000LL);
	CHECK_INT(rec.time_res_us, 1000);
	CHECK_VIEW(rec.target, "/x?y=1");
	CHECK_INT(rec.duration_us, 15000);
	CHECK(rec.time_is_start);
	CHECK_INT(use("apache:%{end:usec}t %m %U %s", NULL), 0);
	CHECK_INT(parse("1795946401234567 GET /x 200"), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401234567LL);
	CHECK_INT(rec.time_res_us, 1);
	CHECK(!rec.time_is_start);
	/* no status at all (mod_ssl's request log): attempts with status unknown */
	CHECK_INT(use("apache:%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \"%r\" %b", NULL), 0);
	CHECK_INT(parse("[29/Nov/2026:10:00:01 +0000] 10.0.0.1 TLSv1.2 ECDHE \"GET / HTTP/1.1\" 5"), RL_REJECT_NONE);
	CHECK_INT(rec.status, -1);
	/* trailers (%{…}^ti) are matched and ignored */
	CHECK_INT(use("apache:%t \"%r\" %>s %{X-Trailer}^ti", NULL), 0);
	CHECK_INT(parse("[29/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 t1"), RL_REJECT_NONE);
	/* an unquoted forwarded-for list, with or without a space after the comma */
	CHECK_INT(use("nginx:[$time_local] $http_x_forwarded_for \"$request\" $status", NULL), 0);
	CHECK_INT(parse("[29/Nov/2026:10:00:01 +0000] 1.2.3.4,5.6.7.8 \"GET / HTTP/1.1\" 200"), RL_REJECT_NONE);
	CHECK_VIEW(rec.forwarded_for, "1.2.3.4,5.6.7.8");
	CHECK_INT(parse("[29/Nov/2026:10:00:01 +0000] 1.2.3.4, 5.6.7.8 \"GET / HTTP/1.1\" 200"), RL_REJECT_NONE);
	CHECK_VIEW(rec.forwarded_for, "1.2.3.4, 5.6.7.8");
	CHECK_INT(use("apache:%h %{Referer", NULL), RL_EUSAGE);
	CHECK_INT(use("apache:no directives", NULL), RL_EUSAGE);
}

static void test_regex_and_alb(void)
{
	CHECK_INT(use("regex:^(?<time>\\S+) (?<client>\\S+) (?<method>\\S+) (?<target>\\S+) (?<status>\\d+) "
		      "(?<duration_ms>\\d+)$",
		      NULL),
		  0);
	CHECK_INT(parse("2026-11-29T10:00:01.5Z svc-a GET /v1/x 503 12"), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401500000LL);
	CHECK_INT(rec.time_res_us, 100000);
	CHECK_VIEW(rec.client_id, "svc-a");
	CHECK_INT(rec.duration_us, 12000);
	CHECK_INT(use("regex:(?<status>\\d+)", NULL), RL_EUSAGE); /* no time */
	CHECK_INT(use("regex:(?<time>[", NULL), RL_EUSAGE);
	CHECK_INT(use("alb", NULL), 0);
	CHECK_INT(parse("https 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 "
			"10.0.0.1:80 0.086 0.048 0.037 502 - 0 57 \"GET https://www.example.com:443/v1/x?a=1 "
			"HTTP/1.1\" \"curl/7.46.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:x \"Root=1-58\" \"-\""),
		  RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1530570180186641LL);
	CHECK_INT(rec.time_res_us, 1);
	CHECK_VIEW(rec.addr, "192.168.131.39");
	CHECK_INT(rec.status, 502);
	CHECK_VIEW(rec.method, "GET");
}

/* adjacent free fields backtrack exponentially on a line that almost matches: the match
 * limit turns that into a reject with its own reason, in bounded time */
static void test_match_limit(void)
{
	CHECK_INT(use("nginx:$a$b$c$d$e$f [$time_local]", NULL), 0);
	char line[600];
	size_t o = 0;
	for (int i = 0; i < 200; i++)
		o += (size_t)snprintf(line + o, sizeof line - o, "a ");
	snprintf(line + o, sizeof line - o, "[29/Nov/2026:10:00:01 +0000 x]");
	CHECK_INT(parse(line), RL_REJECT_TOO_COMPLEX);
	CHECK_INT(parse("a b [29/Nov/2026:10:00:01 +0000]"), RL_REJECT_NONE);
	/* ... while a well-formed 60 KB line matches a backtracking regex: the limit grows
	 * with the line, and JIT's stack running out falls back to the interpreter */
	size_t big = 61000;
	char *l = malloc(big + 100);
	int k = snprintf(l, 100, "[29/Nov/2026:10:00:01 +0000] \"");
	memset(l + k, 'r', 30000);
	memcpy(l + k + 30000, "\" \"", 3);
	memset(l + k + 30003, 'u', 30000);
	strcpy(l + k + 60003, "\"");
	CHECK_INT(use("regex:^\\[(?<time_local>[^\\]]+)\\] \"(?<referer>.*)\" \"(?<user_agent>(?:[^\"\\\\]|\\\\.)*)\"$",
		      NULL),
		  0);
	CHECK_INT(parse(l), RL_REJECT_NONE);
	CHECK_INT((int)rec.user_agent.n, 30000);
	free(l);
}

static void test_client_option(void)
{
	/* --client names a header: a key-like name is hashed (SPEC §3) */
	rl_format_opts o = {.client = "X-Api-Key"};
	CHECK_INT(use("nginx:[$time_local] \"$request\" $status $http_x_api_key $http_x_client_id", &o), 0);
	CHECK_INT(parse("[29/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 sk_live_123 svc"), RL_REJECT_NONE);
	CHECK_VIEW(rec.client_id, "sk_live_123");
	CHECK(rec.client_is_secret);
	char buf[RL_CLIENT_MAX];
	size_t n = rl_identity_client(&rec, buf, sizeof buf);
	CHECK_INT(n, 23);
	CHECK(strncmp(buf, "sha256:", 7) == 0);
	CHECK(strstr(buf, "sk_live") == NULL);
	rl_format_opts o2 = {.client = "$http_x_client_id"};
	CHECK_INT(use("nginx:[$time_local] \"$request\" $status $http_x_api_key $http_x_client_id", &o2), 0);
	CHECK_INT(parse("[29/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 sk_live_123 svc"), RL_REJECT_NONE);
	CHECK_VIEW(rec.client_id, "svc");
	CHECK(!rec.client_is_secret);
	rl_format_opts o3 = {.client = "x_nothing"};
	CHECK_INT(use("nginx:[$time_local] $status", &o3), RL_EUSAGE);
	/* a trace's member */
	rl_format_opts o4 = {.client = "api_key"};
	CHECK_INT(use("trace", &o4), 0);
	CHECK_INT(parse("{\"ts\":\"2026-11-29T10:00:00Z\",\"api_key\":\"sk_live_1\",\"client_id\":\"svc\",\"status\":"
			"200}"),
		  RL_REJECT_NONE);
	CHECK_VIEW(rec.client_id, "sk_live_1");
	CHECK(rec.client_is_secret);
	CHECK(rl_format_name_is_secret("Authorization", 13));
	CHECK(rl_format_name_is_secret("http_x_api_key", 14));
	CHECK(!rl_format_name_is_secret("http_x_client_id", 16));
}

static void test_sha256(void)
{
	static const struct {
		const char *in, *hex;
	} v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t d[32];
		char hex[65];
		rl_sha256(v[i].in, strlen(v[i].in), d);
		for (int k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		CHECK_STR(hex, v[i].hex);
	}
}

static void test_explain(void)
{
	char why[256];
	CHECK_INT(use("nginx:$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent", NULL),
		  0);
	const char *extra = "10.0.0.1 - - [29/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" 200 5 \"-\"";
	rl_format_explain(fmt, extra, strlen(extra), why, sizeof why);
	CHECK(strstr(why, "the line goes on") != NULL);
	const char *bad = "10.0.0.1 - - [29/Nov/2026:10:00:01 +0000] \"GET / HTTP/1.1\" OK 5";
	rl_format_explain(fmt, bad, strlen(bad), why, sizeof why);
	CHECK(strstr(why, "$status") != NULL);
	CHECK(strstr(why, "'OK 5'") != NULL);
	CHECK_INT(use("combined", NULL), 0);
	const char *noident = "192.168.202.254 [20/Jul/2009:22:59:29 +0000] \"GET / HTTP/1.0\" 404 4 \"-\" \"x\"";
	rl_format_explain(fmt, noident, strlen(noident), why, sizeof why);
	CHECK(strstr(why, "item 2 (' - ')") != NULL);
}

int main(void)
{
	test_nginx_custom();
	test_nginx_upstream_and_uri();
	test_nginx_json_template();
	test_apache();
	test_regex_and_alb();
	test_match_limit();
	test_client_option();
	test_sha256();
	test_explain();
	rl_format_free(fmt);
	return check_done("format_layout");
}
