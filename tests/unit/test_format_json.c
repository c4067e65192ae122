/* test_format_json.c - the json format (every profile, exact times, durations in every
 * unit, --field and --client), the shippers' wrappers (envelope.c), non-access records,
 * and the auto sniffer choosing among all formats. The long lines are real ones, copied
 * from ../shared/data (alp: MIT; crowdsec-hub: MIT; lnav: BSD-2-Clause); the short ones
 * are written here. */
#include <stdio.h>
#include <stdlib.h>

#include "lib/format/internal.h" /* a backend test: rl_envelope_format_new, the struct */
#include "lib/base/timestamp.h"
#include "tests/check.h"

static rl_record rec;

static rl_reject parse(rl_format *f, const char *line)
{
	return rl_format_parse(f, line, strlen(line), &rec);
}

static rl_format *make(const char *spec, const char *const *fields, size_t nfields, const char *client)
{
	rl_format_opts o = {.fields = fields, .nfields = nfields, .client = client};
	rl_format *f = NULL;
	rl_err err;
	rl_err_clear(&err);
	int rc = rl_format_new(&f, spec, &o, &err);
	if (rc)
		fprintf(stderr, "rl_format_new(%s): %s\n", spec, err.msg);
	CHECK_INT(rc, 0);
	return f;
}

static rl_format *wrap(const char *kind, rl_format *inner)
{
	rl_format *f = NULL;
	CHECK_INT(rl_envelope_format_new(&f, kind, inner, NULL), 0);
	return f;
}

/* alp/json_access.log:1 */
static const char ALP_1[] =
	"{\"time\":\"2015-09-06T05:58:05+09:00\",\"method\":\"POST\",\"uri\":\"/foo/bar?token=xxx&uuid=12"
	"34\",\"status\":200,\"body_bytes\":12,\"response_time\":0.057,\"ua\":\"UA1\"}";

/* alp/json_access.log:4 */
static const char ALP_4[] =
	"{\"time\":\"2015-09-06T06:00:43+09:00\",\"method\":\"GET\",\"uri\":\"/foo/bar\",\"status\":400,\""
	"body_bytes\":15,\"response_time\":\"-\",\"ua\":\"UA4\"}";

/* peers/crowdsec-hub/caddy-basic-auth-bf.log:1 */
static const char CADDY_401[] =
	"{\"level\":\"error\",\"ts\":1711741827.9626286,\"logger\":\"http.log.access.log0\",\"msg\":\"han"
	"dled request\",\"request\":{\"remote_ip\":\"127.0.0.1\",\"remote_port\":\"54462\",\"client_ip\":"
	"\"127.0.0.1\",\"proto\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"localhost:9080\",\"uri\":\"/\""
	",\"headers\":{\"User-Agent\":[\"curl/7.88.1\"],\"Accept\":[\"*/*\"]}},\"bytes_read\":0,\"user_id"
	"\":\"\",\"duration\":0.000033987,\"size\":0,\"status\":401,\"resp_headers\":{\"Server\":[\"Caddy"
	"\"],\"Www-Authenticate\":[\"Basic realm=\\\"restricted\\\"\"]}}";

/* crowdsec-hub/caddy-logs.log:1 */
static const char CADDY_0[] =
	"{\"level\":\"info\",\"ts\":1693840791.7564995,\"logger\":\"http.log.access\",\"msg\":\"handled r"
	"equest\",\"request\":{\"remote_ip\":\"172.17.0.1\",\"remote_port\":\"44790\",\"client_ip\":\"127"
	".0.0.1\",\"proto\":\"HTTP/1.0\",\"method\":\"GET\",\"host\":\"127.0.0.1:8080\",\"uri\":\"/\",\"h"
	"eaders\":{\"X-Forwarded-Port\":[\"80\"],\"X-Real-Ip\":[\"127.0.0.1\"],\"Forwarded\":[\"for=127.0"
	".0.1\"],\"X-Forwarded-Host\":[\"127.0.0.1\"],\"User-Agent\":[\"curl/7.74.0\"],\"Accept\":[\"*/*\""
	"],\"Connection\":[\"close\"],\"X-Forwarded-For\":[\"127.0.0.1\"],\"X-Forwarded-Proto\":[\"http\""
	"]}},\"bytes_read\":0,\"user_id\":\"\",\"duration\":0.000002701,\"size\":0,\"status\":0,\"resp_he"
	"aders\":{\"Server\":[\"Caddy\"]}}";

/* crowdsec-hub/caddy-logs.log:11 */
static const char CADDY_DEBUG[] =
	"{\"level\":\"debug\",\"ts\":1742400753.0547564,\"logger\":\"http.handlers.reverse_proxy\",\"msg\""
	":\"selected upstream\",\"dial\":\"immich_server:2283\",\"total_upstreams\":1}";

/* lnav/logfile_caddy_log.0:1 */
static const char COMPOSE_START[] =
	"caddy  | {\"level\":\"info\",\"ts\":1761019822.3152757,\"msg\":\"maxprocs: Leaving GOMAXPROCS=12"
	": CPU quota undefined\"}";

/* lnav/logfile_caddy_log.0:39 */
static const char COMPOSE_ACCESS[] =
	"caddy  | {\"level\":\"info\",\"ts\":1761019957.9247544,\"logger\":\"http.log.access\",\"msg\":\""
	"handled request\",\"request\":{\"remote_ip\":\"172.19.0.1\",\"remote_port\":\"37882\",\"client_i"
	"p\":\"172.19.0.1\",\"proto\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"localhost\",\"uri\":\"/i"
	"ndex.html\",\"headers\":{\"Accept-Language\":[\"en-US,en;q=0.5\"],\"Cookie\":[\"REDACTED\"],\"Up"
	"grade-Insecure-Requests\":[\"1\"],\"Sec-Fetch-Mode\":[\"navigate\"],\"User-Agent\":[\"Mozilla/5."
	"0 (X11; Ubuntu; Linux x86_64; rv:142.0) Gecko/20100101 Firefox/142.0\"],\"Sec-Fetch-Site\":[\"no"
	"ne\"],\"Priority\":[\"u=0, i\"],\"Accept\":[\"text/html,application/xhtml+xml,application/xml;q="
	"0.9,*/*;q=0.8\"],\"Accept-Encoding\":[\"gzip, deflate, br, zstd\"],\"Connection\":[\"keep-alive\""
	"],\"Sec-Fetch-Dest\":[\"document\"],\"Sec-Fetch-User\":[\"?1\"]}},\"bytes_read\":0,\"user_id\":\""
	"\",\"duration\":0.000073649,\"size\":188,\"status\":200,\"resp_headers\":{\"Server\":[\"Caddy\"]"
	",\"Vary\":[\"Accept-Encoding\"],\"Etag\":[\"\\\"ddnp8sh5vg3i58\\\"\"],\"Content-Type\":[\"text/h"
	"tml; charset=utf-8\"],\"Last-Modified\":[\"Tue, 21 Oct 2025 04:01:45 GMT\"],\"Accept-Ranges\":[\""
	"bytes\"],\"Content-Length\":[\"188\"]}}";

/* crowdsec-hub/envoy-http-crawl-non_statics.log:1 */
static const char ENVOY_CRAWL[] =
	"2025-12-31T17:40:00.000000100+01:00 stdout F {\"start_time\":\"2025-12-31T16:40:00.100Z\",\"meth"
	"od\":\"GET\",\"x-envoy-origin-path\":\"/page-01\",\"response_code\":404,\"user-agent\":\"Mozilla"
	"/5.0\",\"downstream_remote_address\":\"10.0.0.13:40000\",\":authority\":\"crawl.internal\"}";

/* crowdsec-hub/envoy.log:6 */
static const char ENVOY_V6[] =
	"2026-01-24T01:34:36.743000000+00:00 stdout F {\":authority\":\"example.com\",\"bytes_received\":"
	"0,\"bytes_sent\":0,\"connection_termination_details\":null,\"downstream_local_address\":\"[fd00:"
	"1234:5678::e18]:10080\",\"downstream_remote_address\":\"[fd00:1234:5678::5a24]:43000\",\"duratio"
	"n\":0,\"method\":\"GET\",\"protocol\":\"HTTP/1.1\",\"requested_server_name\":null,\"response_cod"
	"e\":301,\"response_code_details\":\"direct_response\",\"response_flags\":\"-\",\"route_name\":\""
	"httproute/namespace/route-name/rule/0/match/0/*\",\"start_time\":\"2026-01-24T01:34:36.743Z\",\""
	"upstream_cluster\":null,\"upstream_host\":null,\"upstream_local_address\":null,\"upstream_transp"
	"ort_failure_reason\":null,\"user-agent\":\"curl/8.10.1\",\"x-envoy-origin-path\":\"/\",\"x-envoy"
	"-upstream-service-time\":null,\"x-forwarded-for\":\"fd00:1234:5678::5a24\",\"x-request-id\":\"6d"
	"6e08ba-02a3-4a26-968a-2183aa33a56d\"}";

/* crowdsec-hub/traefik_json.log:1 */
static const char TRAEFIK[] =
	"{\"ClientAddr\":\"172.17.0.1:39496\",\"ClientHost\":\"172.17.0.1\",\"ClientPort\":\"39496\",\"Cl"
	"ientUsername\":\"-\",\"DownstreamContentSize\":357,\"DownstreamStatus\":200,\"Duration\":357313,"
	"\"OriginContentSize\":357,\"OriginDuration\":324669,\"OriginStatus\":200,\"Overhead\":32644,\"Re"
	"questAddr\":\"test.docker.localhost\",\"RequestContentSize\":0,\"RequestCount\":190,\"RequestHos"
	"t\":\"test.docker.localhost\",\"RequestMethod\":\"GET\",\"RequestPath\":\"/594VAEoi.save\",\"Req"
	"uestPort\":\"-\",\"RequestProtocol\":\"HTTP/1.1\",\"RequestScheme\":\"http\",\"RetryAttempts\":0"
	",\"RouterName\":\"test@docker\",\"ServiceAddr\":\"172.17.0.3:80\",\"ServiceName\":\"test@docker\""
	",\"ServiceURL\":{\"Scheme\":\"http\",\"Opaque\":\"\",\"User\":null,\"Host\":\"172.17.0.3:80\",\""
	"Path\":\"\",\"RawPath\":\"\",\"ForceQuery\":false,\"RawQuery\":\"\",\"Fragment\":\"\",\"RawFragm"
	"ent\":\"\"},\"StartLocal\":\"2021-12-08T14:02:43.587782192Z\",\"StartUTC\":\"2021-12-08T14:02:43"
	".587782192Z\",\"downstream_Content-Length\":\"357\",\"downstream_Content-Type\":\"text/plain; ch"
	"arset=utf-8\",\"downstream_Date\":\"Wed, 08 Dec 2021 14:02:43 GMT\",\"entryPointName\":\"http\","
	"\"level\":\"info\",\"msg\":\"\",\"origin_Content-Length\":\"357\",\"origin_Content-Type\":\"text"
	"/plain; charset=utf-8\",\"origin_Date\":\"Wed, 08 Dec 2021 14:02:43 GMT\",\"request_Connection\""
	":\"Keep-Alive\",\"request_User-Agent\":\"Nikto\",\"request_X-Forwarded-Host\":\"test.docker.loca"
	"lhost\",\"request_X-Forwarded-Port\":\"80\",\"request_X-Forwarded-Proto\":\"http\",\"request_X-F"
	"orwarded-Server\":\"8f4adf27f2ad\",\"request_X-Real-Ip\":\"172.17.0.1\",\"time\":\"2021-12-08T14"
	":02:43Z\"}";

/* lnav/logfile_cloudflare.1:1 */
static const char CLOUDFLARE_NS[] =
	"{\"ClientIP\":\"89.163.242.206\",\"ClientRequestHost\":\"www.example.com\",\"ClientRequestMethod"
	"\":\"GET\",\"ClientRequestURI\":\"/\",\"ClientRequestUserAgent\":\"Mozilla/5.0 (Windows NT 10.0;"
	" Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\",\"ClientReq"
	"uestReferer\":\"\",\"EdgeEndTimestamp\":1712790000123000000,\"EdgeResponseBytes\":12480,\"EdgeRe"
	"sponseStatus\":200,\"EdgeStartTimestamp\":1712790000100000000,\"RayID\":\"87a1b2c3d4e5f001\",\"C"
	"acheCacheStatus\":\"miss\",\"CacheResponseStatus\":200,\"ClientCountry\":\"US\",\"ClientRequestP"
	"rotocol\":\"HTTP/2\",\"EdgeColoCode\":\"SEA\",\"WAFAction\":\"allow\",\"WAFRuleID\":\"\",\"Firew"
	"allMatchesActions\":[],\"FirewallMatchesRuleIDs\":[]}";

/* lnav/logfile_cloudflare.json:1 */
static const char CLOUDFLARE_ISO[] =
	"{\"ClientIP\":\"87.226.160.250\",\"ClientRequestHost\":\"www.ripe.net\",\"ClientRequestMethod\":"
	"\"HEAD\",\"ClientRequestURI\":\"/\",\"EdgeEndTimestamp\":\"2022-10-30T00:00:02Z\",\"EdgeResponse"
	"Bytes\":570,\"EdgeResponseStatus\":301,\"EdgeStartTimestamp\":\"2022-10-30T00:00:02Z\",\"RayID\""
	":\"761fde4e984e5ab2\",\"CacheCacheStatus\":\"unknown\",\"CacheTieredFill\":false,\"CacheResponse"
	"Bytes\":0,\"CacheResponseStatus\":0,\"FirewallMatchesActions\":[],\"FirewallMatchesRuleIDs\":[],"
	"\"FirewallMatchesSources\":[],\"OriginResponseBytes\":0,\"OriginResponseDurationMs\":0,\"OriginR"
	"esponseHTTPExpires\":\"\",\"OriginResponseHTTPLastModified\":\"\",\"OriginResponseHeaderReceiveD"
	"urationMs\":0,\"OriginResponseStatus\":0,\"OriginResponseTime\":0,\"OriginDNSResponseTimeMs\":0,"
	"\"OriginIP\":\"\",\"OriginRequestHeaderSendDurationMs\":0,\"OriginSSLProtocol\":\"unknown\",\"Or"
	"iginTCPHandshakeDurationMs\":0,\"OriginTLSHandshakeDurationMs\":0,\"WAFAction\":\"unknown\",\"WA"
	"FFlags\":\"0\",\"WAFMatchedVar\":\"\",\"WAFProfile\":\"unknown\",\"WAFRuleID\":\"\",\"WAFRuleMes"
	"sage\":\"\",\"ClientASN\":12389,\"ClientCountry\":\"ru\",\"ClientDeviceType\":\"desktop\",\"Clie"
	"ntIPClass\":\"noRecord\",\"ClientRequestBytes\":567,\"ClientRequestPath\":\"/\",\"ClientRequestP"
	"rotocol\":\"HTTP/1.1\",\"ClientRequestUserAgent\":\"\",\"ClientRequestReferer\":\"\",\"ClientReq"
	"uestScheme\":\"http\",\"ClientRequestSource\":\"eyeball\"}";

static void test_nginx(void)
{
	rl_format *f = make("json", NULL, 0, NULL);
	CHECK_STR(f->name, "json");
	CHECK_INT(parse(f, ALP_1), RL_REJECT_NONE);
	CHECK_STR(f->name, "json:nginx");
	CHECK_INT(rec.time_us, 1441486685000000LL);
	CHECK_INT(rec.time_res_us, 1000000);
	CHECK(!rec.time_is_start);
	CHECK_VIEW(rec.method, "POST");
	CHECK_VIEW(rec.target, "/foo/bar?token=xxx&uuid=1234");
	CHECK_INT(rec.status, 200);
	CHECK_INT(rec.bytes, 12);
	CHECK_INT(rec.duration_us, 57000);
	CHECK_INT(rec.duration_res_us, 1000);
	CHECK_VIEW(rec.user_agent, "UA1");
	CHECK_VIEW(rec.addr, NULL);
	CHECK_INT(parse(f, ALP_4), RL_REJECT_NONE);
	CHECK_INT(rec.status, 400);
	CHECK_INT(rec.duration_us, -1); /* "response_time":"-" */
	/* nginx escape=json as users write it: $msec wins over $time_local, $request is
	 * split, every value quoted, headers as $http_… variables */
	CHECK_INT(
		parse(f,
		      "{\"time_local\":\"29/Nov/2025:10:00:00 +0000\",\"msec\":\"1764410400.123\","
		      "\"remote_addr\":\"203.0.113.7\",\"request\":\"POST /v1/leads?x=1 HTTP/1.1\",\"status\":\"503\","
		      "\"body_bytes_sent\":\"0\",\"request_time\":\"0.250\",\"http_referer\":\"\","
		      "\"http_user_agent\":\"sdk/1.0\",\"http_x_forwarded_for\":\"198.51.100.1, 10.0.0.1\","
		      "\"http_x_client_id\":\"svc-a\",\"http_x_request_id\":\"r-1\",\"request_id\":\"nginx-own\","
		      "\"http_idempotency_key\":\"k-9\",\"sent_http_retry_after\":\"2\"}"),
		RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1764410400123000LL); /* a double would give …122999 */
	CHECK_INT(rec.time_res_us, 1000);
	CHECK_VIEW(rec.method, "POST");
	CHECK_VIEW(rec.target, "/v1/leads?x=1");
	CHECK_VIEW(rec.protocol, "HTTP/1.1");
	CHECK_INT(rec.status, 503);
	CHECK_INT(rec.bytes, 0);
	CHECK_INT(rec.duration_us, 250000);
	CHECK_INT(rec.duration_res_us, 1000);
	CHECK_VIEW(rec.referer, NULL);
	CHECK_VIEW(rec.addr, "203.0.113.7");
	CHECK_VIEW(rec.forwarded_for, "198.51.100.1, 10.0.0.1");
	CHECK_VIEW(rec.client_id, "svc-a");
	CHECK(!rec.client_is_secret);
	CHECK_VIEW(rec.request_id, "r-1");
	CHECK_VIEW(rec.idempotency_key, "k-9");
	CHECK_VIEW(rec.retry_after, "2");
	/* $uri and $args make the target; $time_iso8601; numbers unquoted */
	CHECK_INT(parse(f, "{\"time_iso8601\":\"2025-11-29T11:00:00+01:00\",\"request_method\":\"GET\","
			   "\"uri\":\"/v1/leads/7\",\"args\":\"expand=owner\",\"status\":429,\"bytes_sent\":12}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1764410400000000LL);
	CHECK_VIEW(rec.target, "/v1/leads/7?expand=owner");
	CHECK_INT(rec.status, 429);
	/* escapes are decoded: nginx writes \" and \xNN-free UTF-8 as \u00XX */
	CHECK_INT(parse(f, "{\"msec\":1764410400.5,\"request\":\"GET /caf\\u00e9 HTTP/1.1\",\"status\":200,"
			   "\"http_user_agent\":\"a \\\"quoted\\\" \\ud83d\\ude00 \\/ua\"}"),
		  RL_REJECT_NONE);
	CHECK_VIEW(rec.target, "/caf\xc3\xa9");
	CHECK_VIEW(rec.user_agent, "a \"quoted\" \xf0\x9f\x98\x80 /ua");
	CHECK_INT(rec.time_us, 1764410400500000LL);
	CHECK_INT(rec.time_res_us, 100000);
	/* bytes nginx does not escape (invalid UTF-8) are kept, not a reject */
	CHECK_INT(parse(f, "{\"msec\":\"1764410400.000\",\"request\":\"GET /\xff\xfe HTTP/1.1\",\"status\":\"400\"}"),
		  RL_REJECT_NONE);
	CHECK_VIEW(rec.target, "/\xff\xfe");
	rl_format_free(f);
}

static void test_rejects(void)
{
	rl_format *f = make("json:nginx", NULL, 0, NULL);
	CHECK_STR(f->name, "json:nginx");
	CHECK_INT(parse(f, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "{\"status\":200,"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "{\"status\":200} trailing"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "{\"status\":200,}"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "{\"status\":01}"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "{\"status\":\"bad \\x escape\"}"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "[{\"status\":200}]"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "{\"level\":\"info\",\"msg\":\"started\"}"), RL_REJECT_NOT_ACCESS);
	CHECK_INT(parse(f, "\xef\xbb\xbf{\"msec\":1,\"status\":200}"), RL_REJECT_NONE); /* a BOM */
	CHECK_INT(parse(f, "{\"status\":200,\"request\":\"GET / HTTP/1.1\"}"), RL_REJECT_NO_TIME);
	CHECK_INT(parse(f, "{\"msec\":\"yesterday\",\"status\":200}"), RL_REJECT_BAD_TIME);
	CHECK_INT(parse(f, "{\"msec\":\"1764410400.1\",\"status\":\"OK\"}"), RL_REJECT_BAD_STATUS);
	CHECK_INT(parse(f, "{\"msec\":\"1764410400.1\",\"status\":1000}"), RL_REJECT_BAD_STATUS);
	CHECK_INT(parse(f, "  {\"msec\":\"1764410400.1\",\"status\":\"-\",\"request\":\"GET /\"}  \r"), RL_REJECT_NONE);
	CHECK_INT(rec.status, -1);
	CHECK_INT(parse(f, "{\"msec\":\"1764410400.1\",\"status\":\"400\",\"request\":\"-\"}"), RL_REJECT_NONE);
	CHECK_VIEW(rec.method, NULL);
	CHECK_VIEW(rec.target, NULL);
	CHECK_INT(parse(f, "{\"msec\":\"1764410400.1\",\"status\":\"-\",\"request\":\"-\"}"), RL_REJECT_NOT_ACCESS);
	/* nesting past the scanner's depth is rejected as such */
	char deep[600] = "{\"msec\":1,\"status\":200,\"x\":";
	for (int i = 0; i < 200; i++)
		strcat(deep, "[");
	for (int i = 0; i < 200; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	CHECK_INT(parse(f, deep), RL_REJECT_TOO_DEEP);
	rl_format_free(f);
	/* an unknown profile is a usage error */
	rl_err err;
	rl_err_clear(&err);
	CHECK_INT(rl_format_new(&f, "json:apache", NULL, &err), RL_EUSAGE);
	CHECK(strstr(err.msg, "caddy") != NULL);
}

static void test_caddy(void)
{
	rl_format *f = make("json", NULL, 0, NULL);
	CHECK_INT(parse(f, CADDY_DEBUG), RL_REJECT_NOT_ACCESS); /* a logger other than http.log.access */
	CHECK_STR(f->name, "json");
	CHECK_INT(parse(f, CADDY_401), RL_REJECT_NONE);
	CHECK_STR(f->name, "json:caddy");
	CHECK_INT(rec.time_us, 1711741827962628LL); /* 7 digits: the 7th is below 1 µs */
	CHECK_INT(rec.time_res_us, 1);
	CHECK(!rec.time_is_start);
	CHECK_INT(rec.duration_us, 33);
	CHECK_INT(rec.duration_res_us, 1);
	CHECK_INT(rec.status, 401);
	CHECK_INT(rec.bytes, 0);
	CHECK_VIEW(rec.method, "GET");
	CHECK_VIEW(rec.target, "/");
	CHECK_VIEW(rec.protocol, "HTTP/1.1");
	CHECK_VIEW(rec.vhost, "localhost:9080");
	CHECK_VIEW(rec.addr, "127.0.0.1");
	CHECK_VIEW(rec.user_agent, "curl/7.88.1"); /* the first of the header's values */
	CHECK_INT(parse(f, CADDY_0), RL_REJECT_NONE);
	CHECK_INT(rec.status, 0); /* Caddy wrote no status */
	CHECK_VIEW(rec.forwarded_for, "127.0.0.1");
	CHECK_INT(rec.duration_us, 2);
	CHECK_INT(parse(f, CADDY_DEBUG), RL_REJECT_NOT_ACCESS);
	/* without a logger, a request and a status make an access record; Retry-After */
	CHECK_INT(parse(f, "{\"ts\":1700000000.000007,\"request\":{\"method\":\"GET\",\"uri\":\"/a\","
			   "\"headers\":{\"User-Agent\":[\"x\",\"y\"],\"X-Client-Id\":[\"svc-b\"]}},\"status\":503,"
			   "\"duration\":1.5e-3,\"resp_headers\":{\"Retry-After\":[\"3\"]}}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1700000000000007LL); /* a double holds …0.0000069 */
	CHECK_INT(rec.duration_us, 1500);
	CHECK_INT(rec.duration_res_us, 100);
	CHECK_VIEW(rec.user_agent, "x");
	CHECK_VIEW(rec.client_id, "svc-b");
	CHECK_VIEW(rec.retry_after, "3");
	CHECK_INT(parse(f, "{\"ts\":1700000000.5,\"status\":503}"), RL_REJECT_NOT_ACCESS);
	CHECK_INT(parse(f, "{\"ts\":1700000000.5,\"logger\":\"admin\",\"request\":{\"method\":\"GET\"},\"status\":1}"),
		  RL_REJECT_NOT_ACCESS);
	rl_format_free(f);
}

static void test_envoy_traefik_cloudflare(void)
{
	rl_format *f = wrap("cri", make("json", NULL, 0, NULL));
	CHECK_STR(f->name, "cri>json");
	CHECK_INT(parse(f, ENVOY_CRAWL), RL_REJECT_NONE);
	CHECK_STR(f->name, "cri>json:envoy");
	CHECK_INT(rec.time_us, 1767199200100000LL);
	CHECK_INT(rec.time_res_us, 1000);
	CHECK(rec.time_is_start);
	CHECK_VIEW(rec.method, "GET");
	CHECK_VIEW(rec.target, "/page-01");
	CHECK_INT(rec.status, 404);
	CHECK_VIEW(rec.addr, "10.0.0.13"); /* :40000 dropped */
	CHECK_VIEW(rec.vhost, "crawl.internal");
	CHECK_INT(rec.duration_us, -1);
	CHECK_INT(parse(f, ENVOY_V6), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1769218476743000LL);
	CHECK_VIEW(rec.addr, "fd00:1234:5678::5a24");
	CHECK_VIEW(rec.forwarded_for, "fd00:1234:5678::5a24");
	CHECK_VIEW(rec.request_id, "6d6e08ba-02a3-4a26-968a-2183aa33a56d");
	CHECK_VIEW(rec.user_agent, "curl/8.10.1");
	CHECK_INT(rec.duration_us, 0);
	CHECK_INT(rec.duration_res_us, 1000); /* integer ms */
	CHECK_INT(rec.status, 301);
	rl_format_free(f);

	f = make("json", NULL, 0, NULL);
	CHECK_INT(parse(f, TRAEFIK), RL_REJECT_NONE);
	CHECK_STR(f->name, "json:traefik");
	CHECK_INT(rec.time_us, 1638972163587782LL); /* ns fraction, floored */
	CHECK_INT(rec.time_res_us, 1);
	CHECK(rec.time_is_start);
	CHECK_INT(rec.duration_us, 357); /* 357313 ns */
	CHECK_INT(rec.duration_res_us, 1);
	CHECK_INT(rec.status, 200);
	CHECK_INT(rec.bytes, 357);
	CHECK_VIEW(rec.addr, "172.17.0.1");
	CHECK_VIEW(rec.user_agent, "Nikto");
	CHECK_VIEW(rec.target, "/594VAEoi.save");
	CHECK_VIEW(rec.vhost, "test.docker.localhost");
	rl_format_free(f);

	f = make("json:cloudflare", NULL, 0, NULL);
	CHECK_INT(parse(f, CLOUDFLARE_NS), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1712790000100000LL); /* epoch ns */
	CHECK_INT(rec.time_res_us, 1);
	CHECK(rec.time_is_start);
	CHECK_INT(rec.duration_us, 23000); /* EdgeEndTimestamp − EdgeStartTimestamp */
	CHECK_INT(rec.duration_res_us, 1);
	CHECK_VIEW(rec.request_id, "87a1b2c3d4e5f001");
	CHECK_VIEW(rec.addr, "89.163.242.206");
	CHECK_VIEW(rec.referer, NULL);
	CHECK_INT(rec.bytes, 12480);
	CHECK_INT(parse(f, CLOUDFLARE_ISO), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1667088002000000LL);
	CHECK_INT(rec.time_res_us, 1000000);
	CHECK_INT(rec.duration_us, 0);
	CHECK_INT(rec.duration_res_us, 1000000);
	CHECK_VIEW(rec.method, "HEAD");
	CHECK_VIEW(rec.user_agent, NULL);
	rl_format_free(f);
}

static void test_fields(void)
{
	/* every duration unit, and the time's end */
	static const struct {
		const char *field, *value;
		long long us, res;
	} dur[] = {
		{"duration=d", "1.5", 1500000, 100000},
		{"duration=d:s", "0.000250", 250, 1},
		{"duration=d:ms", "12", 12000, 1000},
		{"duration=d:ms", "12.5", 12500, 100},
		{"duration=d:us", "1234", 1234, 1},
		{"duration=d:ns", "1234567", 1234, 1},
		{"duration=d:ns", "999", 0, 1},
		{"duration=d:ms", "\"1.5s\"", 1500000, 100000},
		{"duration=d", "\"350\xc2\xb5s\"", 350, 1},
		{"duration=d:s", "\"2ms\"", 2000, 1000},
	};
	for (size_t i = 0; i < sizeof dur / sizeof dur[0]; i++) {
		const char *fields[] = {"time=t:start", dur[i].field};
		rl_format *f = make("json", fields, 2, NULL);
		char line[200];
		snprintf(line, sizeof line, "{\"t\":1700000000,\"status\":200,\"method\":\"GET\",\"d\":%s}",
			 dur[i].value);
		CHECK_INT(parse(f, line), RL_REJECT_NONE);
		CHECK_INT(rec.duration_us, dur[i].us);
		CHECK_INT(rec.duration_res_us, dur[i].res);
		CHECK(rec.time_is_start);
		CHECK_INT(rec.time_us, 1700000000000000LL);
		rl_format_free(f);
	}
	/* time text of every kind, epoch units by their digits */
	static const struct {
		const char *value;
		long long us, res;
	} times[] = {
		{"\"14/Nov/2023:22:13:20 +0000\"", 1700000000000000, 1000000},
		{"\"2023-11-14T22:13:20.25Z\"", 1700000000250000, 10000},
		{"1700000000", 1700000000000000, 1000000},
		{"1700000000123", 1700000000123000, 1000},
		{"1700000000123456", 1700000000123456, 1},
		{"1700000000123456789", 1700000000123456, 1},
		{"\"1700000000.5\"", 1700000000500000, 100000},
		{"1.7e9", 1700000000000000, 100000000000000},
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		const char *fields[] = {"time=when.at"};
		rl_format *f = make("json", fields, 1, NULL);
		char line[200];
		snprintf(line, sizeof line, "{\"when\":{\"at\":%s},\"status\":200}", times[i].value);
		CHECK_INT(parse(f, line), RL_REJECT_NONE);
		CHECK_INT(rec.time_us, times[i].us);
		CHECK_INT(rec.time_res_us, times[i].res);
		CHECK(!rec.time_is_start);
		rl_format_free(f);
	}
	/* the other fields: arrays by index, keys with a dot, the body as JSON text */
	const char *fields[] = {"time=ts:end",	       "status=res.code", "method=req.m",
				"target=req.u",	       "addr=peers[1]",	  "user_agent=h[\"user.agent\"]",
				"request_id=ids[0].v", "attempt=n",	  "idempotency_key=ik",
				"retry_after=ra",      "body=res.err",	  "bytes=sz"};
	rl_format *f = make("json:envoy", fields, sizeof fields / sizeof fields[0], "h.Authorization");
	CHECK_INT(
		parse(f,
		      "{\"ts\":\"2023-11-14T22:13:20Z\",\"res\":{\"code\":\"429\",\"err\":{\"error\":{\"message\":"
		      "\"slow down\"}}},\"req\":{\"m\":\"POST\",\"u\":\"/v1/x\"},\"peers\":[\"10.0.0.1\",\"10.0.0.2\"],"
		      "\"h\":{\"user.agent\":\"ua/1\",\"Authorization\":\"Bearer abc\"},\"ids\":[{\"v\":77}],\"n\":2,"
		      "\"ik\":\"k-1\",\"ra\":1.5,\"sz\":\"12\",\"start_time\":\"2000-01-01T00:00:00Z\"}"),
		RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1700000000000000LL);
	CHECK(!rec.time_is_start); /* the override replaced envoy's start_time */
	CHECK_INT(rec.status, 429);
	CHECK_VIEW(rec.method, "POST");
	CHECK_VIEW(rec.target, "/v1/x");
	CHECK_VIEW(rec.addr, "10.0.0.2");
	CHECK_VIEW(rec.user_agent, "ua/1");
	CHECK_VIEW(rec.request_id, "77");
	CHECK_INT(rec.attempt, 2);
	CHECK_VIEW(rec.idempotency_key, "k-1");
	CHECK_VIEW(rec.retry_after, "1.5");
	CHECK_VIEW(rec.body, "{\"error\":{\"message\":\"slow down\"}}");
	CHECK_INT(rec.bytes, 12);
	CHECK_VIEW(rec.client_id, "Bearer abc");
	CHECK(rec.client_is_secret); /* --client names an Authorization header */
	rl_format_free(f);
	/* of two overrides of one field the later wins; --client after --field client= */
	const char *twice[] = {"status=a", "status=b", "client=c"};
	f = make("json:nginx", twice, 3, "$http_x_api_key");
	CHECK_INT(parse(f, "{\"msec\":1,\"a\":500,\"b\":200,\"c\":\"x\",\"http_x_api_key\":\"secret\"}"), 0);
	CHECK_INT(rec.status, 200);
	CHECK_VIEW(rec.client_id, "secret");
	CHECK(rec.client_is_secret);
	rl_format_free(f);
}

static void test_field_errors(void)
{
	static const char *const bad[] = {
		"time", /* no '=' */
		"colour=x", /* no such field */
		"status=", /* no path */
		"time=t:middle", /* time takes :start or :end */
		"duration=d:min", /* no such unit */
		"status=a..b", /* empty key */
		"status=a[x]", /* bad index */
		"status=[0]", /* the line is an object */
		"status=a[\"b", /* unclosed */
		"status=a.b.c.d.e.f.g.h.i", /* deeper than 8 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rl_format_opts o = {.fields = &bad[i], .nfields = 1};
		rl_format *f = NULL;
		rl_err err;
		rl_err_clear(&err);
		int rc = rl_format_new(&f, "json", &o, &err);
		CHECK_INT(rc, RL_EUSAGE);
		CHECK_STR(err.source, "--field");
		CHECK(f == NULL);
		if (rc != RL_EUSAGE)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
	}
	/* a ':' that is no unit belongs to the path */
	const char *ok[] = {"client=a:b", "time=[\"x:y\"]"};
	rl_format *f = make("json", ok, 2, NULL);
	CHECK_INT(parse(f, "{\"x:y\":\"2023-11-14T22:13:20Z\",\"a:b\":\"c\",\"status\":1}"), 0);
	CHECK_VIEW(rec.client_id, "c");
	rl_format_free(f);
}

static void test_wrappers(void)
{
	CHECK_STR(rl_envelope_detect(ENVOY_CRAWL, strlen(ENVOY_CRAWL)), "cri");
	CHECK_STR(rl_envelope_detect(COMPOSE_START, strlen(COMPOSE_START)), "compose");
	CHECK(rl_envelope_detect(CADDY_401, strlen(CADDY_401)) == NULL);
	CHECK(rl_envelope_detect(ALP_1, strlen(ALP_1)) == NULL);
	const char *clf = "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2";
	CHECK(rl_envelope_detect(clf, strlen(clf)) == NULL);
	const char *bad_time = "2024-13-45T00:00:00Z stdout F x";
	CHECK(rl_envelope_detect(bad_time, strlen(bad_time)) == NULL);

	/* compose: startup records are skipped, access records read */
	rl_format *f = wrap("compose", make("json", NULL, 0, NULL));
	CHECK_INT(parse(f, COMPOSE_START), RL_REJECT_NOT_ACCESS);
	CHECK_INT(parse(f, COMPOSE_ACCESS), RL_REJECT_NONE);
	CHECK_STR(f->name, "compose>json:caddy");
	CHECK_INT(rec.time_us, 1761019957924754LL);
	CHECK_INT(rec.duration_us, 73); /* 7.3649e-05 s in the original */
	CHECK_VIEW(rec.target, "/index.html");
	CHECK_INT(rec.bytes, 188);
	CHECK_INT(parse(f, "web-1  |"), RL_REJECT_NOT_ACCESS); /* an empty inner line: skipped, as a blank line */
	CHECK_INT(parse(f, "no prefix here"), RL_REJECT_NO_MATCH);
	rl_format_free(f);

	/* CRI: P parts are joined up to the F line, per stream */
	f = wrap("cri", make("combined", NULL, 0, NULL));
	CHECK_INT(parse(f, "2024-01-01T00:00:00.123456789Z stdout P 10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "),
		  RL_REJECT_PENDING);
	CHECK_INT(parse(f, "2024-01-01T00:00:00.123456789Z stderr F garbage"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(f, "2024-01-01T00:00:00.123456789Z stdout P \"GET /long HTTP/1.1\" "), RL_REJECT_PENDING);
	CHECK_INT(parse(f, "2024-01-01T00:00:00.2Z stdout F 503 7 \"-\" \"curl/8\""), RL_REJECT_NONE);
	CHECK_VIEW(rec.addr, "10.0.0.1");
	CHECK_VIEW(rec.target, "/long");
	CHECK_INT(rec.status, 503);
	CHECK_VIEW(rec.user_agent, "curl/8");
	CHECK_INT(parse(f, "2024-01-01T00:00:01Z stderr F 10.0.0.2 - - [01/Jan/2024:00:00:01 +0000] \"GET / HTTP/1.1\" "
			   "200 1 \"-\" \"-\""),
		  RL_REJECT_NONE);
	CHECK_VIEW(rec.addr, "10.0.0.2");
	CHECK_INT(parse(f, "2024-01-01T00:00:01Z stdout X 10.0.0.2"), RL_REJECT_NO_MATCH);
	/* a partial line whose F never comes is lost at the end of input, and said so */
	CHECK_INT(rl_format_end(f), RL_REJECT_NONE);
	CHECK_INT(parse(f, "2024-01-01T00:00:02Z stdout P 10.0.0.3 - - "), RL_REJECT_PENDING);
	CHECK_INT(rl_format_end(f), RL_REJECT_PARTIAL);
	CHECK_INT(rl_format_end(f), RL_REJECT_NONE);
	rl_format_free(f);

	/* Vector: the line is the "message" string; Fluent Bit and Docker: "log" */
	f = wrap("vector", make("combined", NULL, 0, NULL));
	const char *vec = "{\"host\":\"web-1\",\"message\":\"10.0.0.3 - - [01/Jan/2024:00:00:02 +0000] \\\"GET /v "
			  "HTTP/1.1\\\" 429 0 \\\"-\\\" \\\"sdk \\\\\\\"q\\\\\\\"\\\"\",\"source_type\":\"file\","
			  "\"timestamp\":\"2024-01-01T00:00:02.5Z\"}";
	CHECK_STR(rl_envelope_detect(vec, strlen(vec)), "vector");
	CHECK_INT(parse(f, vec), RL_REJECT_NONE);
	CHECK_STR(f->name, "vector>combined");
	CHECK_VIEW(rec.target, "/v");
	CHECK_INT(rec.status, 429);
	CHECK_VIEW(rec.user_agent, "sdk \\\"q\\\"");
	CHECK_INT(parse(f, "{\"host\":\"web-1\",\"source_type\":\"internal_metrics\"}"), RL_REJECT_NOT_ACCESS);
	CHECK_INT(parse(f, "{\"message\":"), RL_REJECT_NO_MATCH);
	rl_format_free(f);
	f = wrap("fluentbit", make("json", NULL, 0, NULL));
	const char *fb =
		"{\"date\":1700000000.123,\"log\":\"{\\\"msec\\\":\\\"1700000000.120\\\",\\\"status\\\":\\\"502\\\","
		"\\\"request\\\":\\\"GET /up HTTP/1.1\\\"}\\n\",\"stream\":\"stdout\"}";
	CHECK_STR(rl_envelope_detect(fb, strlen(fb)), "fluentbit");
	CHECK_INT(parse(f, fb), RL_REJECT_NONE);
	CHECK_STR(f->name, "fluentbit>json:nginx");
	CHECK_INT(rec.time_us, 1700000000120000LL);
	CHECK_INT(rec.status, 502);
	CHECK_VIEW(rec.target, "/up");
	rl_format_free(f);

	rl_err err;
	rl_err_clear(&err);
	CHECK_INT(rl_envelope_format_new(&f, "syslog", make("json", NULL, 0, NULL), &err), RL_EUSAGE);
	CHECK(f == NULL);
}

/* sniff: the sample lines, the format chosen, how many parsed */
static void sniffs(const char *const *lines, size_t n, const char *want, size_t want_matched)
{
	rl_str v[16];
	for (size_t i = 0; i < n; i++)
		v[i] = rl_str_make(lines[i], strlen(lines[i]));
	rl_format *f = NULL;
	size_t matched = 99;
	rl_err err;
	rl_err_clear(&err);
	int rc = rl_format_sniff(&f, v, n, NULL, &matched, "sample", &err);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  %s\n", err.msg);
	CHECK_STR(f ? f->name : NULL, want);
	CHECK_INT(matched, want_matched);
	rl_format_free(f);
}

static void test_sniff(void)
{
	const char *nginx[] = {ALP_1, ALP_4};
	sniffs(nginx, 2, "json:nginx", 2);
	const char *caddy[] = {CADDY_DEBUG, CADDY_0, CADDY_401};
	sniffs(caddy, 3, "json:caddy", 2);
	const char *compose[] = {COMPOSE_START, COMPOSE_START, COMPOSE_ACCESS};
	sniffs(compose, 3, "compose>json:caddy", 1);
	const char *startup[] = {COMPOSE_START}; /* only startup records yet: json, its profile later */
	sniffs(startup, 1, "compose>json", 0);
	const char *cri[] = {ENVOY_CRAWL, ENVOY_V6};
	sniffs(cri, 2, "cri>json:envoy", 2);
	const char *other[] = {TRAEFIK, CLOUDFLARE_NS};
	sniffs(other, 1, "json:traefik", 1);
	sniffs(other + 1, 1, "json:cloudflare", 1);
	const char *trace[] = {"{\"ts\":\"2026-11-29T10:00:00.123Z\",\"client_id\":\"a\",\"method\":\"GET\","
			       "\"url\":\"/x\",\"status\":503,\"attempt\":1,\"request_id\":\"r\"}"};
	sniffs(trace, 1, "trace", 1);
	const char *clf[] = {"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2 \"-\" \"curl\""};
	sniffs(clf, 1, "combined", 1);
	/* docker compose around combined: the wrapper, not a virtual host "web" */
	const char *wclf[] = {"web  | 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2"};
	sniffs(wclf, 1, "compose>common", 1);

	rl_str junk[] = {{"hello", 5}, {"{\"a\":1}", 7}};
	rl_format *f = NULL;
	size_t matched;
	rl_err err;
	rl_err_clear(&err);
	CHECK_INT(rl_format_sniff(&f, junk, 1, NULL, &matched, "sample", &err), RL_EINPUT);
	CHECK(strstr(err.msg, "combined, common, vcombined, alb, json, trace") != NULL);
	rl_str cri_junk[] = {{"2024-01-01T00:00:00Z stdout F hello", 35}};
	CHECK_INT(rl_format_sniff(&f, cri_junk, 1, NULL, &matched, "sample", &err), RL_EINPUT);
	CHECK(strstr(err.msg, "cri>combined") != NULL && strstr(err.msg, "cri>json") != NULL);
	if (!strstr(err.msg, "cri>json"))
		fprintf(stderr, "  %s\n", err.msg);
	/* a JSON object that is no access record is still JSON's */
	CHECK_INT(rl_format_sniff(&f, junk + 1, 1, NULL, &matched, "sample", &err), 0);
	CHECK_STR(f ? f->name : NULL, "json");
	rl_format_free(f);
}

static void explains(rl_format *f, const char *line, const char *want)
{
	char why[512];
	rl_format_explain(f, line, strlen(line), why, sizeof why);
	CHECK(strstr(why, want) != NULL);
	if (!strstr(why, want))
		fprintf(stderr, "  explain: %s\n", why);
}

static void test_explain(void)
{
	rl_format *f = make("json:caddy", NULL, 0, NULL);
	explains(f, "hello", "not a JSON object");
	explains(f, "{\"ts\":", "not valid JSON");
	explains(f, CADDY_DEBUG, "its logger 'http.handlers.reverse_proxy' is not http.log.access");
	explains(f, "{\"request\":{\"method\":\"GET\"},\"status\":200}", "none of ts");
	explains(f, "{\"ts\":\"soon\",\"request\":{\"method\":\"GET\"},\"status\":200}", "time 'ts' is 'soon'");
	explains(f, "{\"ts\":1,\"request\":{\"method\":\"GET\"},\"status\":\"x\"}", "status 'status' is 'x'");
	rl_format_free(f);
	f = wrap("cri", make("json", NULL, 0, NULL));
	explains(f, "caddy  | {}", "no CRI prefix");
	explains(f, "2024-01-01T00:00:00Z stdout P {", "a partial line");
	explains(f, "2024-01-01T00:00:00Z stdout F [2016-04-15T20:17:00.310Z] \"GET / HTTP/1.1\"",
		 "not a JSON object: the line starts with '[2016");
	rl_format_free(f);
}

int main(void)
{
	test_nginx();
	test_rejects();
	test_caddy();
	test_envoy_traefik_cloudflare();
	test_fields();
	test_field_errors();
	test_wrappers();
	test_sniff();
	test_explain();
	return check_done("test_format_json");
}
