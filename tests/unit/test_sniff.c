/* test_sniff.c - --format auto (lib/input/sniff.h): the format named for a few lines of each
 * kind (combined, common, vcombined, ALB, nginx/Caddy/Envoy/Traefik JSON, traces, CRI
 * and compose envelopes, a HAR from its first bytes), inputs no format reads, blank
 * lines, the 64-line and 32-non-blank limits, and the held lines handed back in order.
 * The sample lines are cut down from fixtures/ and ../shared/data (see SOURCES.md). */
#include <stdlib.h>
#include <unistd.h>

#include "lib/input/sniff.h"
#include "tests/check.h"

static char dir[] = "/tmp/rl-test-sniff-XXXXXX";
static int nfiles;

static const char *write_input(const char *text, size_t n)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/in%d.log", dir, nfiles++);
	FILE *f = fopen(p, "wb");
	fwrite(text, 1, n, f);
	fclose(f);
	return p;
}

/* What auto makes of text, as ingest asks it: a HAR from the first bytes, else the
 * format the lines show (sniffed again after lines that are all blank). The format's
 * name, "(none)" when the input ended without one, or "error N: source: message". */
typedef struct result {
	char name[1024];
	size_t matched, nonblank, held;
	rl_sniff s;
	rl_source *src;
} result;

static const rl_source_opts *source_opts; /* NULL: the defaults */

static const char *sniff_opts(result *r, const char *text, const rl_format_opts *opts)
{
	rl_err err;
	rl_err_clear(&err);
	memset(r, 0, sizeof *r);
	if (rl_source_open(&r->src, write_input(text, strlen(text)), source_opts, &err)) {
		snprintf(r->name, sizeof r->name, "open failed: %s", err.msg);
		return r->name;
	}
	rl_format *fmt = NULL;
	int rc = rl_sniff_document(r->src, opts, &fmt, &err);
	while (!rc && !fmt) {
		rc = rl_sniff_lines(&r->s, r->src, opts, "test", &fmt, &err);
		if (rc || fmt || r->s.ended)
			break;
	}
	if (rc)
		snprintf(r->name, sizeof r->name, "error %d: %s%s%s", rc, err.source, err.source[0] ? ": " : "",
			 err.msg);
	else
		snprintf(r->name, sizeof r->name, "%s", fmt ? rl_format_name(fmt) : "(none)");
	r->matched = r->s.matched;
	r->nonblank = r->s.nonblank;
	r->held = r->s.n;
	rl_format_free(fmt);
	return r->name;
}

static const char *sniff(result *r, const char *text)
{
	return sniff_opts(r, text, NULL);
}

static void done(result *r)
{
	rl_sniff_clear(&r->s);
	rl_source_free(r->src);
}

/* fixtures/quickstart/access.log */
#define COMBINED                                                                                       \
	"203.0.113.10 - - [29/Nov/2026:10:00:01 +0000] \"GET /v1/leads/1001 HTTP/1.1\" 200 512 \"-\" " \
	"\"python-requests/2.31.0\"\n"                                                                 \
	"198.51.100.7 - - [29/Nov/2026:10:00:03 +0000] \"POST /v1/leads HTTP/1.1\" 201 230 \"-\" "     \
	"\"leadey-node/3.2.1\"\n"                                                                      \
	"198.51.100.7 - - [29/Nov/2026:10:00:04 +0000] \"POST /v1/leads HTTP/1.1\" 400 118 \"-\" "     \
	"\"leadey-node/3.2.1\"\n"

static void test_formats(void)
{
	result r;
	CHECK_STR(sniff(&r, COMBINED), "combined");
	CHECK_INT(r.matched, 3);
	CHECK_INT(r.nonblank, 3);
	done(&r);

	/* fixtures/common/access_log: no referer, no user agent */
	CHECK_STR(sniff(&r, "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326\n"
			    "127.0.0.1 - frank [10/Oct/2000:13:55:37 -0700] \"GET /missing.gif HTTP/1.0\" 404 209\n"
			    "::1 - - [10/Oct/2000:13:56:01 -0700] \"OPTIONS * HTTP/1.0\" 200 -\n"),
		  "common");
	CHECK_INT(r.matched, 3);
	done(&r);

	/* fixtures/vcombined/access.log: a virtual host first */
	CHECK_STR(sniff(&r, "api.example.com:443 198.51.100.7 - - [29/Nov/2026:10:00:03 +0100] \"GET /v1/leads/1 "
			    "HTTP/2.0\" 200 10 \"-\" \"sdk/1\"\n"
			    "api.example.com:443 198.51.100.7 - - [29/Nov/2026:10:00:04 +0100] \"GET /v1/leads/2 "
			    "HTTP/2.0\" 429 10 \"-\" \"sdk/1\"\n"
			    "www.example.com:80 198.51.100.8 - - [29/Nov/2026:10:00:05 +0100] \"GET / HTTP/1.1\" 301 0 "
			    "\"-\" \"Mozilla/5.0\"\n"),
		  "vcombined");
	done(&r);

	/* fixtures/alb-retries/alb.log */
	CHECK_STR(sniff(&r,
			"https 2026-11-29T10:00:00.100000Z app/my-lb/50dc6c495c0c9188 198.51.100.7:40001 "
			"10.0.0.1:80 0.001 0.090 0.000 503 503 120 54 \"GET "
			"https://api.example.com:443/v1/leads/7 HTTP/1.1\" \"sdk/1.0\" ECDHE-RSA-AES128-GCM-SHA256 "
			"TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/t/73e2d6bc24d8a067 "
			"\"Root=1-58337262-36d228ad5d99923122bbe354\" \"api.example.com\" \"-\" 0 "
			"2026-11-29T10:00:00.009000Z \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"503\" \"-\" \"-\"\n"),
		  "alb");
	CHECK_INT(r.matched, 1);
	done(&r);

	/* fixtures/errors-trace/trace.jsonl */
	CHECK_STR(sniff(&r,
			"{\"ts\":\"2026-11-29T10:00:00.000Z\",\"client_id\":\"svc-a\",\"method\":\"GET\",\"url\":\"/"
			"v1/leads/123\",\"status\":404,\"error\":{\"error\":{\"message\":\"Lead 123 not found\"}}}\n"
			"{\"ts\":\"2026-11-29T10:00:01.000Z\",\"client_id\":\"svc-a\",\"method\":\"GET\",\"url\":\"/"
			"v1/leads/456\",\"status\":404}\n"),
		  "trace");
	CHECK_INT(r.matched, 2);
	done(&r);

	/* ../shared/data/alp/json_access.log: nginx escape=json with short keys */
	CHECK_STR(sniff(&r,
			"{\"time\":\"2015-09-06T05:58:05+09:00\",\"method\":\"POST\",\"uri\":\"/foo/bar?token=xxx&"
			"uuid=1234\",\"status\":200,\"body_bytes\":12,\"response_time\":0.057,\"ua\":\"UA1\"}\n"
			"{\"time\":\"2015-09-06T05:58:41+09:00\",\"method\":\"POST\",\"uri\":\"/foo/bar?token=yyy\","
			"\"status\":200,\"body_bytes\":34,\"response_time\":0.100,\"ua\":\"UA2\"}\n"),
		  "json:nginx");
	CHECK_INT(r.matched, 2);
	done(&r);

	/* ../shared/data/crowdsec-hub/caddy-logs.log: a startup line, then an access record */
	CHECK_STR(sniff(&r, "{\"level\":\"info\",\"ts\":1693840791.1,\"msg\":\"using config from file\"}\n"
			    "{\"level\":\"info\",\"ts\":1693840791.7564995,\"logger\":\"http.log.access\",\"msg\":"
			    "\"handled request\",\"request\":{\"remote_ip\":\"172.17.0.1\",\"client_ip\":\"127.0.0.1\","
			    "\"proto\":\"HTTP/1.0\",\"method\":\"GET\",\"host\":\"127.0.0.1:8080\",\"uri\":\"/\","
			    "\"headers\":{\"User-Agent\":[\"curl/7.74.0\"]}},\"duration\":0.000002701,\"size\":0,"
			    "\"status\":200}\n"),
		  "json:caddy");
	CHECK_INT(r.matched, 1);
	CHECK_INT(r.nonblank, 2);
	done(&r);

	/* ../shared/data/crowdsec-hub/traefik_json.log, cut to the fields a profile reads */
	CHECK_STR(sniff(&r,
			"{\"ClientAddr\":\"172.17.0.1:39496\",\"ClientHost\":\"172.17.0.1\",\"DownstreamStatus\":"
			"200,\"Duration\":357313,\"RequestHost\":\"test.docker.localhost\",\"RequestMethod\":\"GET\","
			"\"RequestPath\":\"/594VAEoi.save\",\"RequestProtocol\":\"HTTP/1.1\",\"StartUTC\":"
			"\"2023-03-08T13:28:15.441834567Z\",\"request_User-Agent\":\"curl/7.81.0\"}\n"),
		  "json:traefik");
	done(&r);

	/* ../shared/data/crowdsec-hub/envoy-http-crawl-non_statics.log: Envoy JSON in a CRI envelope */
	CHECK_STR(sniff(&r, "2025-12-31T17:40:00.000000100+01:00 stdout F {\"start_time\":\"2025-12-31T16:40:00.100Z\","
			    "\"method\":\"GET\",\"x-envoy-origin-path\":\"/page-01\",\"response_code\":404,"
			    "\"user-agent\":\"Mozilla/5.0\",\"downstream_remote_address\":\"10.0.0.13:40000\"}\n"
			    "2025-12-31T17:40:00.000000110+01:00 stdout F {\"start_time\":\"2025-12-31T16:40:00.110Z\","
			    "\"method\":\"GET\",\"x-envoy-origin-path\":\"/page-02\",\"response_code\":404,"
			    "\"user-agent\":\"Mozilla/5.0\",\"downstream_remote_address\":\"10.0.0.13:40000\"}\n"),
		  "cri>json:envoy");
	CHECK_INT(r.matched, 2);
	done(&r);

	/* fixtures/cri-partial/container.log: combined lines in a CRI envelope */
	CHECK_STR(sniff(&r,
			"2024-01-01T00:00:00.000000000Z stdout F 10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] \"GET /a "
			"HTTP/1.1\" 200 5 \"-\" \"ua\"\n"
			"2024-01-01T00:00:01.000000000Z stdout F 10.0.0.1 - - [01/Jan/2024:00:00:01 +0000] \"GET /a "
			"HTTP/1.1\" 200 5 \"-\" \"ua\"\n"),
		  "cri>combined");
	done(&r);

	/* docker compose prefix around combined lines (README, "From log shippers") */
	CHECK_STR(sniff(&r,
			"web  | 10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"ua\"\n"
			"web  | 10.0.0.2 - - [01/Jan/2024:00:00:01 +0000] \"GET /b HTTP/1.1\" 503 5 \"-\" \"ua\"\n"),
		  "compose>combined");
	done(&r);
}

static void test_har(void)
{
	/* a HAR is told from its first bytes, and no line is read for it */
	result r;
	const char *har =
		"{\"log\":{\"creator\":{\"name\":\"Polly.JS\",\"version\":\"6.0.6\"},\"entries\":[{"
		"\"startedDateTime\":\"2026-11-29T10:03:00.000Z\",\"time\":10,\"request\":{\"method\":\"GET\","
		"\"url\":\"http://localhost:3000/v1/b\",\"headers\":[]},\"response\":{\"status\":200,"
		"\"headers\":[],\"content\":{\"size\":2,\"text\":\"{}\"}}}]}}\n";
	CHECK_STR(sniff(&r, har), "har");
	CHECK_INT(r.held, 0);
	done(&r);
	/* pretty-printed, after a UTF-8 BOM (../shared/data/mitmproxy/charles.har) */
	CHECK_STR(sniff(&r, "\xef\xbb\xbf{\n    \"log\": {\n        \"version\": \"1.2\",\n        \"creator\": {\n"
			    "            \"name\": \"Charles Proxy\"\n        },\n        \"entries\": []\n    }\n}\n"),
		  "har");
	done(&r);
	/* --field is for JSON formats: with a HAR it is a usage error */
	const char *fields[] = {"time=ts"};
	rl_format_opts o = {.fields = fields, .nfields = 1};
	CHECK_STR(sniff_opts(&r, har, &o), "error -1: --field: applies to JSON formats only, and this input is a HAR");
	done(&r);
	/* {"log": that is not a HAR object goes to the line formats */
	CHECK(strncmp(sniff(&r, "{\"log\":\"started\",\"level\":\"info\"}\n"), "har", 3) != 0);
	done(&r);
}

static void test_unknown(void)
{
	result r;
	/* garbage: no format parses any line; the lines stay held */
	const char *name = sniff(&r, "hello world\nthis is not a log\n\x01\x02\x03\n");
	CHECK(strncmp(name, "error -2: test: cannot tell the format: none of ", 48) == 0);
	CHECK(strstr(name, "combined") && strstr(name, "alb") && strstr(name, "json") && strstr(name, "trace"));
	CHECK(strstr(name, "of the first 3 lines") != NULL);
	CHECK_INT(r.held, 3);
	CHECK_INT(r.matched, 0);
	done(&r);

	/* CloudFront (../shared/data/crowdsec-hub/aws-cloudfront-logs.log) is no format of
	 * SPEC §2: auto names none for it */
	name = sniff(&r,
		     "#Version: 1.0\n"
		     "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status\n"
		     "2024-03-12\t15:22:28\tCDG50-P2\t703\t1.2.3.4\tGET\td6rcaj0q1hys9.cloudfront.net\t/testseb\t400"
		     "\t-\tcurl/7.81.0\tquery_param=42\t-\tError\n");
	CHECK(strncmp(name, "error -2: test: cannot tell the format", 38) == 0);
	done(&r);

	/* one good line among garbage is enough, and matched says how many parsed */
	CHECK_STR(sniff(&r, "garbage\n" COMBINED "more garbage\n"), "combined");
	CHECK_INT(r.matched, 3);
	CHECK_INT(r.nonblank, 5);
	done(&r);

	/* an empty input: no format, no error, ended */
	CHECK_STR(sniff(&r, ""), "(none)");
	CHECK_INT(r.held, 0);
	CHECK(r.s.ended);
	done(&r);
}

static void test_blank_lines(void)
{
	CHECK(rl_line_is_blank("", 0));
	CHECK(rl_line_is_blank(" \t\r ", 4));
	CHECK(!rl_line_is_blank(" x ", 3));
	CHECK(!rl_line_is_blank("\v", 1));
	CHECK(!rl_line_is_blank(" \0", 2));
	CHECK(rl_line_is_blank("  x", 2)); /* only n bytes count */

	/* blank lines are held but not looked at */
	result r;
	CHECK_STR(sniff(&r, "\n  \n\t\r\n" COMBINED "\n"), "combined");
	CHECK_INT(r.nonblank, 3);
	CHECK_INT(r.held, 7);
	done(&r);

	/* only blank lines, and the input ends: no format, no error */
	CHECK_STR(sniff(&r, "\n \n\t\n"), "(none)");
	CHECK_INT(r.held, 3);
	CHECK_INT(r.nonblank, 0);
	CHECK(r.s.ended);
	done(&r);
}

static void test_limits_and_replay(void)
{
	/* 100 combined lines: sniffing stops at 32 that are not blank; the rest is the source's */
	static char text[100 * 120 + 64 * 2];
	size_t k = 0;
	for (int i = 0; i < 100; i++)
		k += (size_t)snprintf(text + k, sizeof text - k,
				      "10.0.0.%d - - [01/Jan/2024:00:00:%02d +0000] \"GET /a/%d HTTP/1.1\" 200 5 \"-\" "
				      "\"ua\"\n",
				      i % 250, i % 60, i);
	result r;
	/* a 512-byte read block: the source's buffer has moved on by the time the held
	 * lines are handed back, so they must be copies */
	rl_source_opts small = {.buffer_size = 512, .max_line = 256};
	source_opts = &small;
	CHECK_STR(sniff(&r, text), "combined");
	source_opts = NULL;
	CHECK_INT(r.held, 32);
	CHECK_INT(r.nonblank, 32);
	CHECK_INT(r.matched, 32);
	CHECK(!r.s.ended);
	/* the held lines come back in order, whole, then the source goes on at line 33 */
	rl_line ln;
	int ok = 1;
	char want[128];
	for (int i = 0; i < 32; i++) {
		int n = snprintf(
			want, sizeof want,
			"10.0.0.%d - - [01/Jan/2024:00:00:%02d +0000] \"GET /a/%d HTTP/1.1\" 200 5 \"-\" \"ua\"",
			i % 250, i % 60, i);
		ok &= rl_sniff_next(&r.s, &ln) && ln.lineno == i + 1 && ln.n == (size_t)n &&
		      memcmp(ln.p, want, ln.n) == 0;
	}
	CHECK(ok);
	CHECK(!rl_sniff_next(&r.s, &ln));
	rl_err err;
	CHECK_INT(rl_source_next(r.src, &ln, &err), 1);
	CHECK_INT(ln.lineno, 33);
	CHECK(ln.n > 20 && memcmp(ln.p, "10.0.0.32 - - ", 14) == 0);
	done(&r);

	/* 40 blank lines then lines that parse: 64 lines at most, so 24 are looked at */
	k = 0;
	for (int i = 0; i < 40; i++)
		text[k++] = '\n';
	for (int i = 0; i < 30; i++)
		k += (size_t)snprintf(text + k, sizeof text - k,
				      "10.0.0.1 - - [01/Jan/2024:00:00:%02d +0000] \"GET /b HTTP/1.1\" 200 5\n", i);
	text[k] = 0;
	CHECK_STR(sniff(&r, text), "common");
	CHECK_INT(r.held, 64);
	CHECK_INT(r.nonblank, 24);
	CHECK_INT(r.matched, 24);
	done(&r);

	/* 70 blank lines first: the first call holds 64 and names nothing (the input goes
	 * on); after they are taken, the next call reads on */
	k = 0;
	for (int i = 0; i < 70; i++)
		text[k++] = ' ', text[k++] = '\n';
	memcpy(text + k, COMBINED, sizeof COMBINED);
	rl_source *src;
	CHECK_INT(rl_source_open(&src, write_input(text, strlen(text)), NULL, &err), 0);
	rl_sniff s;
	memset(&s, 0, sizeof s);
	rl_format *fmt = NULL;
	CHECK_INT(rl_sniff_lines(&s, src, NULL, "test", &fmt, &err), 0);
	CHECK(fmt == NULL);
	CHECK_INT(s.n, 64);
	CHECK(!s.ended);
	size_t taken = 0;
	while (rl_sniff_next(&s, &ln))
		taken++;
	CHECK_INT(taken, 64);
	CHECK_INT(rl_sniff_lines(&s, src, NULL, "test", &fmt, &err), 0);
	CHECK(fmt != NULL);
	CHECK_STR(fmt ? rl_format_name(fmt) : "", "combined");
	CHECK_INT(s.n, 9); /* 6 blank lines and 3 that parse, then the end */
	CHECK_INT(s.nonblank, 3);
	CHECK(s.ended);
	CHECK(rl_sniff_next(&s, &ln));
	CHECK_INT(ln.lineno, 65);
	rl_format_free(fmt);
	rl_sniff_clear(&s);
	CHECK(s.lines == NULL && s.n == 0);
	rl_sniff_clear(&s); /* twice is fine */
	rl_source_free(src);
}

static void test_byte_limit(void)
{
	/* lines of 60,000 bytes: the 18th crosses 1 MiB (18 × 60,000 = 1,080,000), is
	 * kept whole, and sniffing stops after it */
	enum { L = 60000, N = 20 };
	char *text = malloc((size_t)N * (L + 1) + 1);
	const char *head = "10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] \"GET /";
	const char *tail = " HTTP/1.1\" 200 5 \"-\" \"ua\"\n";
	size_t hn = strlen(head), tn = strlen(tail), k = 0;
	for (int i = 0; i < N; i++) {
		memcpy(text + k, head, hn);
		memset(text + k + hn, 'a' + i % 26, L - hn - (tn - 1));
		memcpy(text + k + L - (tn - 1), tail, tn);
		k += L + 1;
	}
	text[k] = 0;
	result r;
	CHECK_STR(sniff(&r, text), "combined");
	CHECK_INT(r.held, 18);
	CHECK_INT(r.matched, 18);
	rl_line ln;
	for (int i = 0; i < 18; i++)
		rl_sniff_next(&r.s, &ln);
	CHECK_INT(ln.lineno, 18);
	CHECK_INT(ln.n, L);
	CHECK(!ln.overlong);
	CHECK(memcmp(ln.p, text + 17 * (L + 1), L) == 0);
	rl_err err;
	CHECK_INT(rl_source_next(r.src, &ln, &err), 1);
	CHECK_INT(ln.lineno, 19);
	done(&r);
	free(text);
}

static void cleanup(void)
{
	char p[256];
	for (int i = 0; i < nfiles; i++) {
		snprintf(p, sizeof p, "%s/in%d.log", dir, i);
		unlink(p);
	}
	rmdir(dir);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_formats();
	test_har();
	test_unknown();
	test_blank_lines();
	test_limits_and_replay();
	test_byte_limit();
	cleanup();
	return check_done("sniff");
}
