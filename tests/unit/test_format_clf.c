/* test_format_clf.c - combined/common/vcombined: every field, real-world variants,
 * malformed lines, and the auto sniffer. */
#include "lib/format/format.h"
#include "lib/base/timestamp.h"
#include "tests/check.h"

static rl_format *fmt;
static rl_record rec;

static rl_reject parse(const char *line)
{
	return rl_format_parse(fmt, line, strlen(line), &rec);
}

static void test_combined_fields(void)
{
	CHECK_INT(parse("83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash/kibana.png "
			"HTTP/1.1\" 200 203023 \"http://semicomplete.com/\" \"Mozilla/5.0 (Macintosh)\""),
		  RL_REJECT_NONE);
	CHECK_VIEW(rec.addr, "83.149.9.216");
	CHECK_VIEW(rec.vhost, NULL);
	CHECK_INT(rec.time_us, 1431857103LL * 1000000);
	CHECK_INT(rec.time_res_us, 1000000);
	CHECK(!rec.time_is_start);
	CHECK_VIEW(rec.method, "GET");
	CHECK_VIEW(rec.target, "/presentations/logstash/kibana.png");
	CHECK_VIEW(rec.protocol, "HTTP/1.1");
	CHECK_INT(rec.status, 200);
	CHECK_INT(rec.bytes, 203023);
	CHECK_VIEW(rec.referer, "http://semicomplete.com/");
	CHECK_VIEW(rec.user_agent, "Mozilla/5.0 (Macintosh)");
	CHECK_INT(rec.duration_us, -1);
	CHECK_INT(rl_record_start_us(&rec), rl_record_end_us(&rec));
}

static void test_variants(void)
{
	/* common form: no referer, no user agent */
	CHECK_INT(parse("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326"), 0);
	CHECK_VIEW(rec.user_agent, NULL);
	CHECK_VIEW(rec.referer, NULL);
	CHECK_INT(rec.time_us, 971211336LL * 1000000);
	/* X-Forwarded-For list where the address goes */
	CHECK_INT(parse("10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] \"GET /ocelot HTTP/1.1\" 200 "
			"571 \"-\" \"Mozilla/5.0\""),
		  0);
	CHECK_VIEW(rec.addr, "10.0.0.2, 10.0.0.1, 127.0.0.1");
	CHECK_VIEW(rec.vhost, NULL);
	/* a leading vhost, with and without :port */
	CHECK_INT(parse("example.com:80 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] \"GET /ocelot HTTP/1.1\" 200 571 "
			"\"-\" \"Mozilla/5.0\""),
		  0);
	CHECK_VIEW(rec.vhost, "example.com:80");
	CHECK_VIEW(rec.addr, "81.2.69.143");
	CHECK_INT(
		parse("www.example.com 1.2.3.4 - theuser [10/Feb/2012:16:41:07 -0500] \"GET / HTTP/1.0\" 200 368 \"-\" "
		      "\"Mozilla/5.0\""),
		0);
	CHECK_VIEW(rec.vhost, "www.example.com");
	CHECK_VIEW(rec.addr, "1.2.3.4");
	/* a vhost, then a forwarded list, then the address */
	CHECK_INT(parse("1.128.3.4 2a02:cf40::8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] \"GET "
			"/test.html HTTP/1.1\" 404 8571 \"-\" \"Facebot\""),
		  0);
	CHECK_VIEW(rec.vhost, "1.128.3.4");
	CHECK_VIEW(rec.addr, "10.2.2.121");
	/* a quoted forwarded list before the address */
	CHECK_INT(parse("\"10.5.102.222, 199.96.1.1\" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] \"GET /a?q=1 "
			"HTTP/1.1\" 200 25507 \"-\" \"Amazon CloudFront\""),
		  0);
	CHECK_VIEW(rec.addr, "10.2.1.185");
	CHECK_VIEW(rec.vhost, NULL);
	/* IPv6, unix: and host names as the address */
	CHECK_INT(parse("::1 - - [01/Jul/2013:06:25:11 -0500] \"OPTIONS * HTTP/1.0\" 200 136 \"-\" \"Apache\""), 0);
	CHECK_VIEW(rec.addr, "::1");
	CHECK_VIEW(rec.target, "*");
	CHECK_INT(parse("unix: - - [26/Feb/2019:15:39:42 +0100] \"hello\" 400 173 \"-\" \"-\""), 0);
	CHECK_VIEW(rec.addr, "unix:");
	CHECK_VIEW(rec.method, NULL); /* "hello" is no request line */
	CHECK_INT(rec.status, 400);
	/* empty request, "-" request, status and bytes "-" */
	CHECK_INT(parse("127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] \"\" 400 0 \"-\" \"-\""), 0);
	CHECK_VIEW(rec.method, NULL);
	CHECK_INT(rec.bytes, 0);
	CHECK_INT(parse("142.250.190.142 - - [01/Jul/2013:06:41:31 -0500] \"-\" 408 0 \"-\" \"-\""), 0);
	CHECK_VIEW(rec.method, NULL);
	CHECK_INT(rec.status, 408);
	CHECK_INT(parse("1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1\" - - \"-\" \"-\""), 0);
	CHECK_INT(rec.status, -1);
	CHECK_INT(rec.bytes, -1);
	/* escaped binary (TLS hello) as nginx writes it */
	CHECK_INT(parse("45.1.2.3 - - [03/Jan/2020:10:00:00 +1100] \"\\x16\\x03\\x01\\x00\\xA5\\x01\" 400 226 \"-\" "
			"\"-\""),
		  0);
	CHECK_VIEW(rec.method, NULL);
	/* Apache's \" inside the user agent */
	CHECK_INT(parse("1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1\" 200 5 \"-\" \"say \\\"hi\\\"\""),
		  0);
	CHECK_VIEW(rec.user_agent, "say \\\"hi\\\"");
	/* a server that did not escape a quote in the request */
	CHECK_INT(parse("1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET /a\"b HTTP/1.1\" 404 5 \"-\" \"ua\""), 0);
	CHECK_VIEW(rec.target, "/a\"b");
	CHECK_INT(rec.status, 404);
	/* extra trailing fields, double spaces, a request without protocol, a stray backslash */
	CHECK_INT(parse("10.1.10.51 -  -  [23/Dec/2014:21:20:35 +0000] \"POST /api/1/rest/foo HTTP/1.1\" 200 - \"-\" "
			"\"-\"  293"),
		  0);
	CHECK_VIEW(rec.method, "POST");
	CHECK_INT(parse("202.32.92.47 - - [01/Jun/1995:00:00:59 -0600] \"GET /~scottp/publish.html\" 200 271"), 0);
	CHECK_VIEW(rec.target, "/~scottp/publish.html");
	CHECK_VIEW(rec.protocol, NULL);
	CHECK_INT(parse("localhost:80 192.168.0.1 - - [01/Jul/2013:06:20:38 -0500] \"GET / HTTP/1.1\" 200 3829 \"-\" "
			"\"Mozilla/5.0\"\\"),
		  0);
	/* two spaces before the protocol (nextcloud) */
	CHECK_INT(parse("1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"PROPFIND /remote.php/dav/files  HTTP/2.0\" 207 5"),
		  0);
	CHECK_VIEW(rec.method, "PROPFIND");
	CHECK_VIEW(rec.target, "/remote.php/dav/files");
	CHECK_VIEW(rec.protocol, "HTTP/2.0");
	/* Python http.server time */
	CHECK_INT(parse("172.18.0.1 - - [29/Aug/2023 22:02:58] \"GET / HTTP/1.1\" 200 -"), 0);
}

static void test_malformed(void)
{
	/* ident and user missing (lnav's bad access log) */
	CHECK_INT(parse("192.168.202.254 [20/Jul/2009:22:59:29 +0000] \"GET /vmw/vSphere/default/vmkboot.gz HTTP/1.0\" "
			"404 46210 \"-\" \"gPXE/0.9.7\""),
		  RL_REJECT_NO_MATCH);
	CHECK_INT(parse("xxxxxxxxxxxx"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse(""), RL_REJECT_NO_MATCH);
	CHECK_INT(parse("1.2.3.4 - - [99/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1\" 200 5"), RL_REJECT_BAD_TIME);
	CHECK_INT(parse("1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1\" 2000 5"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse("1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1"), RL_REJECT_NO_MATCH);
	CHECK_INT(parse("Oct 20 10:00:00 host nginx: error"), RL_REJECT_NO_MATCH);
	/* binary garbage, NUL bytes included: views need no terminator */
	const char bin[] = "\x00\xff\xfe[\x01\x02] \"\x80\" 200 1";
	CHECK_INT(rl_format_parse(fmt, bin, sizeof bin - 1, &rec), RL_REJECT_NO_MATCH);
}

static void test_sniff(void)
{
	const char *combined[] = {
		"1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"",
		"garbage",
		"1.2.3.5 - - [01/Jul/2013:06:41:32 -0500] \"GET /x HTTP/1.1\" 404 5 \"-\" \"ua\"",
	};
	const char *common[] = {
		"1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1\" 200 5",
		"1.2.3.5 - - [01/Jul/2013:06:41:32 -0500] \"GET /x HTTP/1.1\" 404 5",
	};
	const char *vcombined[] = {
		"a.com:80 1.2.3.4 - - [01/Jul/2013:06:41:31 -0500] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"",
		"b.com:443 1.2.3.5 - - [01/Jul/2013:06:41:32 -0500] \"GET /x HTTP/1.1\" 404 5 \"-\" \"ua\"",
	};
	const char *junk[] = {"hello", "world"};
	struct {
		const char **lines;
		size_t n;
		const char *want;
		size_t matched;
	} cases[] = {
		{combined, 3, "combined", 2},
		{common, 2, "common", 2},
		{vcombined, 2, "vcombined", 2},
		{junk, 2, NULL, 0},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		rl_str v[4];
		for (size_t i = 0; i < cases[c].n; i++)
			v[i] = rl_str_make(cases[c].lines[i], strlen(cases[c].lines[i]));
		rl_format *f = NULL;
		size_t matched = 99;
		rl_err err;
		int rc = rl_format_sniff(&f, v, cases[c].n, NULL, &matched, "sample", &err);
		if (cases[c].want) {
			CHECK_INT(rc, 0);
			CHECK_STR(f ? rl_format_name(f) : NULL, cases[c].want);
			CHECK_INT(matched, cases[c].matched);
		} else {
			CHECK_INT(rc, RL_EINPUT);
			CHECK(strstr(err.msg, "combined") != NULL);
		}
		rl_format_free(f);
	}
}

int main(void)
{
	rl_err err;
	if (rl_format_new(&fmt, "combined", NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	test_combined_fields();
	test_variants();
	test_malformed();
	rl_format_free(fmt);
	test_sniff();
	CHECK_INT(rl_format_new(&fmt, "nonsense", NULL, &err), RL_EUSAGE);
	CHECK(strstr(err.msg, "nonsense") != NULL);
	return check_done("format_clf");
}
