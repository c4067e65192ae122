/* test_trusted_proxy.c - --trusted-proxy: ranges as the option reads them, the walk
 * from the right that finds the client (lib/format/proxy.h), and the formats that apply
 * it to their records. */
#include "lib/format/format.h"
#include "lib/format/proxy.h"
#include "tests/check.h"

static rl_str S(const char *s)
{
	return s ? rl_str_make(s, strlen(s)) : RL_STR_NULL;
}

/* A table of the given ranges (NULL-terminated); every one must read. */
static rl_proxy_table table(const char *const *cidrs)
{
	rl_proxy_table t = {.n = 0};
	rl_err err;
	for (; *cidrs; cidrs++) {
		rl_err_clear(&err);
		int rc = rl_proxy_table_add(&t, *cidrs, &err);
		if (rc)
			fprintf(stderr, "rl_proxy_table_add(%s): %s\n", *cidrs, err.msg);
		CHECK_INT(rc, 0);
	}
	return t;
}

/* The message for a range that does not read ("" when it reads). */
static const char *bad(const char *cidr)
{
	static rl_err err;
	rl_proxy_table t = {.n = 0};
	rl_err_clear(&err);
	if (rl_proxy_table_add(&t, cidr, &err) == 0)
		return "";
	CHECK_INT(err.code, RL_EUSAGE);
	CHECK_STR(err.source, "--trusted-proxy");
	return err.msg;
}

static void test_ranges(void)
{
	rl_proxy_table t = table((const char *const[]){"10.0.0.0/8", "192.168.1.7", "172.16.0.0/12", "2001:db8::/32",
						       "::1", "fe80::/10", NULL});
	CHECK_INT(t.n, 6);
	CHECK(rl_proxy_table_has(&t, S("10.1.2.3")));
	CHECK(rl_proxy_table_has(&t, S("10.255.255.255")));
	CHECK(!rl_proxy_table_has(&t, S("11.0.0.0")));
	CHECK(!rl_proxy_table_has(&t, S("9.255.255.255")));
	CHECK(rl_proxy_table_has(&t, S("192.168.1.7"))); /* a bare address is /32 */
	CHECK(!rl_proxy_table_has(&t, S("192.168.1.8")));
	CHECK(rl_proxy_table_has(&t, S("172.31.255.255"))); /* a prefix inside a byte */
	CHECK(!rl_proxy_table_has(&t, S("172.32.0.0")));
	CHECK(!rl_proxy_table_has(&t, S("172.15.255.255")));
	CHECK(rl_proxy_table_has(&t, S("2001:db8:ffff::1")));
	CHECK(rl_proxy_table_has(&t, S("2001:0DB8::")));
	CHECK(!rl_proxy_table_has(&t, S("2001:db9::1")));
	CHECK(rl_proxy_table_has(&t, S("::1"))); /* /128 */
	CHECK(!rl_proxy_table_has(&t, S("::2")));
	CHECK(rl_proxy_table_has(&t, S("febf::1")));
	CHECK(!rl_proxy_table_has(&t, S("fec0::1")));
	/* ports, brackets and IPv4-mapped IPv6 */
	CHECK(rl_proxy_table_has(&t, S("10.1.2.3:5678")));
	CHECK(rl_proxy_table_has(&t, S("[2001:db8::1]:443")));
	CHECK(rl_proxy_table_has(&t, S("[2001:db8::1]")));
	CHECK(rl_proxy_table_has(&t, S("::ffff:10.1.2.3")));
	CHECK(rl_proxy_table_has(&t, S("[::ffff:10.1.2.3]:80")));
	CHECK(rl_proxy_table_has(&t, S("::ffff:a01:203"))); /* the same address in hex */
	CHECK(!rl_proxy_table_has(&t, S("::ffff:11.1.2.3")));
	/* not addresses */
	CHECK(!rl_proxy_table_has(&t, S("")));
	CHECK(!rl_proxy_table_has(&t, S("unknown")));
	CHECK(!rl_proxy_table_has(&t, S("10.1.2")));
	CHECK(!rl_proxy_table_has(&t, S("10.1.2.3.4")));
	CHECK(!rl_proxy_table_has(&t, S("10.1.2.256")));
	CHECK(!rl_proxy_table_has(&t, S("010.1.2.3")));
	CHECK(!rl_proxy_table_has(&t, S("10.1.2.3:")));
	CHECK(!rl_proxy_table_has(&t, S("10.1.2.3:x")));
	CHECK(!rl_proxy_table_has(&t, S("[2001:db8::1")));
	CHECK(!rl_proxy_table_has(&t, S("[2001:db8::1]x")));
	CHECK(!rl_proxy_table_has(&t, S("2001:db8::1%eth0")));
	CHECK(!rl_proxy_table_has(&t, S("unix:"))); /* not trusted unless named */

	/* the families stay apart: 0.0.0.0/0 is every IPv4 address, ::/0 every IPv6 one */
	rl_proxy_table v4 = table((const char *const[]){"0.0.0.0/0", NULL});
	CHECK(rl_proxy_table_has(&v4, S("203.0.113.1")));
	CHECK(rl_proxy_table_has(&v4, S("::ffff:203.0.113.1")));
	CHECK(!rl_proxy_table_has(&v4, S("2001:db8::1")));
	rl_proxy_table v6 = table((const char *const[]){"::/0", NULL});
	CHECK(rl_proxy_table_has(&v6, S("2001:db8::1")));
	CHECK(!rl_proxy_table_has(&v6, S("203.0.113.1")));
	/* IPv4-mapped ranges are IPv4 ranges: ::ffff:0:0/96 is all of IPv4 */
	rl_proxy_table m = table((const char *const[]){"::ffff:10.0.0.0/104", NULL});
	CHECK(m.range[0].v4);
	CHECK_INT(m.range[0].bits, 8);
	CHECK(rl_proxy_table_has(&m, S("10.9.9.9")));
	CHECK(!rl_proxy_table_has(&m, S("11.9.9.9")));
	rl_proxy_table all4 = table((const char *const[]){"::ffff:0:0/96", NULL});
	CHECK(rl_proxy_table_has(&all4, S("198.51.100.1")));
	CHECK(!rl_proxy_table_has(&all4, S("2001:db8::1")));
	rl_proxy_table wide = table((const char *const[]){"::ffff:0:0/95", NULL}); /* wider: IPv6 */
	CHECK(!wide.range[0].v4);
	CHECK(!rl_proxy_table_has(&wide, S("198.51.100.1")));
	/* bits past the prefix are ignored */
	rl_proxy_table host = table((const char *const[]){"10.1.2.3/8", "2001:db8::1/32", NULL});
	CHECK(rl_proxy_table_has(&host, S("10.200.0.1")));
	CHECK(rl_proxy_table_has(&host, S("2001:db8:1::")));
	/* unix: */
	rl_proxy_table ux = table((const char *const[]){"unix:", NULL});
	CHECK(ux.unix_socket);
	CHECK(rl_proxy_table_has(&ux, S("unix:")));
	CHECK(!rl_proxy_table_has(&ux, S("127.0.0.1")));
}

static void test_bad_ranges(void)
{
	CHECK_STR(bad("10.0.0.0/33"), "'10.0.0.0/33': an IPv4 prefix length is 0 to 32");
	CHECK_STR(bad("2001:db8::/129"), "'2001:db8::/129': an IPv6 prefix length is 0 to 128");
	CHECK_STR(bad("::ffff:10.0.0.0/129"), "'::ffff:10.0.0.0/129': an IPv6 prefix length is 0 to 128");
	CHECK_STR(bad("10.0.0.0/1000"), "'10.0.0.0/1000': an IPv4 prefix length is 0 to 32");
	CHECK_STR(bad("10.0.0.0/99999999999999999999"),
		  "'10.0.0.0/99999999999999999999': an IPv4 prefix length is 0 to 32");
	CHECK_STR(bad("10.0.0.0/"), "'10.0.0.0/': the prefix length '' is not a number");
	CHECK_STR(bad("10.0.0.0/-1"), "'10.0.0.0/-1': the prefix length '-1' is not a number");
	CHECK_STR(bad("10.0.0.0/8/9"), "'10.0.0.0/8/9': the prefix length '8/9' is not a number");
	CHECK_STR(bad("10.0.0.0/ 8"), "'10.0.0.0/ 8': the prefix length ' 8' is not a number");
	CHECK_STR(bad("10.0.0.256/8"), "'10.0.0.256/8': '10.0.0.256' is not an IPv4 or IPv6 address (give ADDRESS "
				       "or ADDRESS/BITS: 10.0.0.0/8, 2001:db8::/32)");
	CHECK_STR(bad("10.0.0/8"), "'10.0.0/8': '10.0.0' is not an IPv4 or IPv6 address (give ADDRESS or "
				   "ADDRESS/BITS: 10.0.0.0/8, 2001:db8::/32)");
	CHECK(strstr(bad(""), "'' is not an IPv4 or IPv6 address") != NULL);
	CHECK(strstr(bad("/8"), "'' is not an IPv4 or IPv6 address") != NULL);
	CHECK(strstr(bad("01.2.3.4"), "is not an IPv4") != NULL);
	CHECK(strstr(bad("1.2.3.4:80"), "is not an IPv4") != NULL); /* a range has no port */
	CHECK(strstr(bad("[::1]"), "is not an IPv4") != NULL);
	CHECK(strstr(bad("2001:db8::1%eth0"), "is not an IPv4") != NULL);
	CHECK(strstr(bad("localhost"), "'localhost' is not an IPv4") != NULL);
	CHECK_STR(bad("10.0.0.0/8,192.168.0.0/16"),
		  "'10.0.0.0/8,192.168.0.0/16': one range per option (repeat --trusted-proxy)");
	/* a full table */
	rl_proxy_table t = {.n = 0};
	rl_err err;
	for (int i = 0; i < RL_PROXY_MAX; i++)
		CHECK_INT(rl_proxy_table_add(&t, "10.0.0.0/8", &err), 0);
	CHECK_INT(rl_proxy_table_add(&t, "10.0.0.0/8", &err), RL_EUSAGE);
	CHECK_STR(err.msg, "'10.0.0.0/8': more than 64 ranges");
}

/* The client the walk finds, as a C string (static). */
static const char *client(const rl_proxy_table *t, const char *addr, const char *xff)
{
	static char buf[256];
	rl_str c = rl_proxy_client(t, S(addr), S(xff));
	if (!c.p)
		return "(unset)";
	snprintf(buf, sizeof buf, "%.*s", (int)c.n, c.p);
	return buf;
}

static void test_walk(void)
{
	rl_proxy_table t = table((const char *const[]){"10.0.0.0/8", "2001:db8:ffff::/48", NULL});
	/* an untrusted address is the client, whatever the header says (it can be forged) */
	CHECK_STR(client(&t, "203.0.113.9", "198.51.100.7"), "203.0.113.9");
	CHECK_STR(client(&t, "203.0.113.9", "10.0.0.1"), "203.0.113.9");
	/* behind a trusted proxy: the right-most entry outside the ranges */
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7"), "198.51.100.7");
	CHECK_STR(client(&t, "10.0.0.1", "1.1.1.1, 198.51.100.7, 10.0.0.3"), "198.51.100.7");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7,10.0.0.3,10.2.2.2"), "198.51.100.7");
	/* ports, brackets, blanks, empty entries; the client is the address alone */
	CHECK_STR(client(&t, "10.0.0.1", " 198.51.100.7:5678 ,  [2001:db8::7]:443 , 10.0.0.3 "), "2001:db8::7");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7:5678"), "198.51.100.7");
	CHECK_STR(client(&t, "10.0.0.1", "[2001:db8::7]"), "2001:db8::7");
	CHECK_STR(client(&t, "10.0.0.1", "2001:db8::7, [2001:db8:ffff::1]:80"), "2001:db8::7");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7,, ,10.0.0.4,"), "198.51.100.7");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.6 198.51.100.7"), "198.51.100.7"); /* blanks split too */
	CHECK_STR(client(&t, "10.0.0.1", "\t198.51.100.7\t"), "198.51.100.7");
	/* IPv4-mapped: matched as IPv4, kept as logged */
	CHECK_STR(client(&t, "::ffff:10.0.0.1", "198.51.100.7"), "198.51.100.7");
	CHECK_STR(client(&t, "10.0.0.1", "::ffff:198.51.100.7, ::ffff:10.9.9.9"), "::ffff:198.51.100.7");
	CHECK_STR(client(&t, "[2001:db8:ffff::2]:4000", "198.51.100.7"), "198.51.100.7");
	/* every hop trusted: the left-most */
	CHECK_STR(client(&t, "10.0.0.1", "10.0.0.5, 10.0.0.4"), "10.0.0.5");
	CHECK_STR(client(&t, "10.0.0.1", "10.0.0.5:99"), "10.0.0.5");
	CHECK_STR(client(&t, "10.0.0.1", NULL), "10.0.0.1");
	CHECK_STR(client(&t, "10.0.0.1", "-"), "10.0.0.1");
	CHECK_STR(client(&t, "10.0.0.1", ""), "10.0.0.1");
	CHECK_STR(client(&t, "10.0.0.1", " , "), "10.0.0.1");
	/* an entry that is no address ends the walk: the trusted hop to its right */
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7, unknown, 10.0.0.4"), "10.0.0.4");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7, unknown"), "10.0.0.1");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7, _hidden"), "10.0.0.1");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7, 10.0.0.4:port"), "10.0.0.1");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7, \"1.2.3.4\""), "10.0.0.1");
	CHECK_STR(client(&t, "10.0.0.1", "198.51.100.7, -"), "10.0.0.1");
	/* past an untrusted hop nothing more is read, garbage or not */
	CHECK_STR(client(&t, "10.0.0.1", "unknown, 198.51.100.7"), "198.51.100.7");
	/* no logged address ("-" or none): the header's entries are the hops */
	CHECK_STR(client(&t, "-", "198.51.100.7, 10.0.0.4"), "198.51.100.7");
	CHECK_STR(client(&t, NULL, "198.51.100.7, 10.0.0.4"), "198.51.100.7");
	CHECK_STR(client(&t, NULL, "10.0.0.4"), "10.0.0.4");
	CHECK_STR(client(&t, NULL, "unknown, 10.0.0.4"), "10.0.0.4");
	CHECK_STR(client(&t, NULL, NULL), "(unset)");
	CHECK_STR(client(&t, "-", NULL), "-");
	/* a list where the address goes is read the same way, its right-most entry nearest */
	CHECK_STR(client(&t, "198.51.100.7, 10.0.0.2, 10.0.0.1", NULL), "198.51.100.7");
	CHECK_STR(client(&t, "10.0.0.3, 10.0.0.2, 10.0.0.1", NULL), "10.0.0.3");
	CHECK_STR(client(&t, "10.0.0.3, 10.0.0.2, 85.181.35.98", NULL), "85.181.35.98");
	CHECK_STR(client(&t, "198.51.100.9, 10.0.0.2", "198.51.100.1"), "198.51.100.9");
	CHECK_STR(client(&t, "10.0.0.3, 10.0.0.2", "198.51.100.1, 10.9.9.9"), "198.51.100.1");
	/* an address that is no IP: no proxy of ours, the client as logged */
	CHECK_STR(client(&t, "unix:", "198.51.100.7"), "unix:");
	CHECK_STR(client(&t, "www.example.com", "198.51.100.7"), "www.example.com");
	CHECK_STR(client(&t, "unknown", NULL), "unknown");
	rl_proxy_table ux = table((const char *const[]){"unix:", NULL});
	CHECK_STR(client(&ux, "unix:", "198.51.100.7"), "198.51.100.7");
	CHECK_STR(client(&ux, "unix:", NULL), "unix:");
	/* the client is a view into the inputs */
	const char *xff = "198.51.100.7:1, 10.0.0.4";
	rl_str c = rl_proxy_client(&t, S("10.0.0.1"), S(xff));
	CHECK(c.p == xff && c.n == 12);
	/* an empty table trusts nothing: the logged address is the client */
	rl_proxy_table none = {.n = 0};
	CHECK_STR(client(&none, "10.0.0.1", "198.51.100.7"), "10.0.0.1");
	CHECK_STR(client(&none, "198.51.100.7, 10.0.0.1", NULL), "10.0.0.1");
}

/* --- the formats apply it ---------------------------------------------------------- */

static rl_format *make(const char *spec, const char *const *trusted)
{
	size_t n = 0;
	while (trusted && trusted[n])
		n++;
	rl_format_opts o = {.trusted_proxies = trusted, .ntrusted_proxies = n};
	rl_format *f = NULL;
	rl_err err;
	rl_err_clear(&err);
	int rc = rl_format_new(&f, spec, &o, &err);
	if (rc)
		fprintf(stderr, "rl_format_new(%s): %s: %s\n", spec, err.source, err.msg);
	CHECK_INT(rc, 0);
	return f;
}

static const char *const lan[] = {"10.0.0.0/8", "127.0.0.1", "fd00::/8", NULL};

static void test_formats(void)
{
	rl_record rec;
	const char *line;
	/* nginx $http_x_forwarded_for, and the same format without --trusted-proxy */
	const char *spec = "nginx:$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
			   "\"$http_referer\" \"$http_user_agent\" \"$http_x_forwarded_for\"";
	rl_format *f = make(spec, lan), *plain = make(spec, NULL);
	CHECK(rl_format_logs_forwarded_for(f));
	line = "10.0.0.9 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"sdk/1\" \"203.0.113.5, "
	       "10.1.1.1\"";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "203.0.113.5");
	CHECK_VIEW(rec.forwarded_for, "203.0.113.5, 10.1.1.1");
	CHECK_INT(rl_format_parse(plain, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "10.0.0.9");
	line = "198.51.100.2 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"sdk/1\" \"203.0.113.5\"";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "198.51.100.2"); /* not behind our proxy: the header could be forged */
	line = "10.0.0.9 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5 \"-\" \"sdk/1\" \"-\"";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "10.0.0.9");
	rl_format_free(f);
	rl_format_free(plain);

	/* $proxy_add_x_forwarded_for, the header with $remote_addr appended */
	f = make("nginx:$proxy_add_x_forwarded_for [$time_local] \"$request\" $status", lan);
	CHECK(rl_format_logs_forwarded_for(f));
	line = "203.0.113.5, 10.0.0.9 [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "203.0.113.5");
	rl_format_free(f);

	/* a log_format without the header: nothing changes */
	f = make("nginx:$remote_addr [$time_local] \"$request\" $status", lan);
	CHECK(!rl_format_logs_forwarded_for(f));
	line = "10.0.0.9 [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "10.0.0.9");
	rl_format_free(f);

	/* combined: a list where the address goes, a forwarded list before the address */
	f = make("combined", lan);
	CHECK(rl_format_logs_forwarded_for(f));
	line = "10.0.0.2, 10.0.0.1, 85.181.35.98 - - [07/Dec/2016:11:05:07 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" "
	       "\"ua\"";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "85.181.35.98");
	line = "10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "10.0.0.2");
	line = "\"10.5.102.222, 199.96.1.1, 204.246.1.1\" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] \"GET / "
	       "HTTP/1.1\" 200 5 \"-\" \"Amazon CloudFront\"";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.forwarded_for, "10.5.102.222, 199.96.1.1, 204.246.1.1");
	CHECK_VIEW(rec.addr, "204.246.1.1");
	CHECK_VIEW(rec.vhost, NULL);
	line = "example.com:80 \"10.5.102.222, 10.9.9.9\" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] \"GET / "
	       "HTTP/1.1\" 200 5";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.vhost, "example.com:80");
	CHECK_VIEW(rec.forwarded_for, "10.5.102.222, 10.9.9.9");
	CHECK_VIEW(rec.addr, "10.5.102.222"); /* every hop trusted: the left-most */
	line = "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "
	       "\"GET / HTTP/1.1\" 404 5";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.vhost, NULL);
	CHECK_VIEW(rec.forwarded_for, "2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17");
	CHECK_VIEW(rec.addr, "2a03:0000:10ff:f00f:0000:0000:0:8000");
	line = "1.128.3.4 2a02:cf40::8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] \"GET / "
	       "HTTP/1.1\" 404 5";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.vhost, "1.128.3.4");
	CHECK_VIEW(rec.addr, "2a02:cf40::8000");
	line = "www.example.com 1.2.3.4 - theuser [10/Feb/2012:16:41:07 -0500] \"GET / HTTP/1.0\" 200 368";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.vhost, "www.example.com");
	CHECK_VIEW(rec.forwarded_for, NULL);
	CHECK_VIEW(rec.addr, "1.2.3.4");
	rl_format_free(f);

	/* JSON: Envoy's downstream address (port dropped) and x-forwarded-for, in CRI lines */
	f = make("cri>json:envoy", lan);
	CHECK(rl_format_logs_forwarded_for(f));
	line = "2026-01-24T01:36:00.000000000+00:00 stdout F "
	       "{\"downstream_remote_address\":\"[fd00:1234:5678::1]:54321\""
	       ",\"method\":\"POST\",\"path\":\"/p\",\"response_code\":201,\"start_time\":\"2026-01-24T01:36:00.000Z\","
	       "\"x-forwarded-for\":\"2001:db8::5a24, [fd00:1234:5678::1]:54321\"}";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "2001:db8::5a24");
	rl_format_free(f);
	/* json with the profile chosen by the first line; traefik's header */
	f = make("json", lan);
	CHECK(rl_format_logs_forwarded_for(f));
	line = "{\"ClientHost\":\"10.0.0.7\",\"RequestMethod\":\"GET\",\"RequestPath\":\"/\",\"DownstreamStatus\":200,"
	       "\"StartUTC\":\"2021-12-08T14:02:43.587782192Z\",\"request_X-Forwarded-For\":\"198.51.100.3\"}";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "198.51.100.3");
	rl_format_free(f);

	/* formats that log no X-Forwarded-For */
	const char *none[] = {"alb", "json:cloudflare", "trace", "har", "common"};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		f = make(none[i], lan);
		CHECK(!f || rl_format_logs_forwarded_for(f) == (strcmp(none[i], "common") == 0));
		rl_format_free(f);
	}
	f = make("alb", lan);
	line = "https 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 10.0.0.39:2817 10.0.0.1:80 0.086 0.048 "
	       "0.037 200 200 0 57 \"GET https://www.example.com:443/ HTTP/1.1\" \"curl/7.46.0\"";
	CHECK_INT(rl_format_parse(f, line, strlen(line), &rec), 0);
	CHECK_VIEW(rec.addr, "10.0.0.39"); /* trusted, but nothing logged behind it */
	rl_format_free(f);

	/* a bad range makes no format */
	rl_format_opts o = {.trusted_proxies = (const char *const[]){"10.0.0.0/33"}, .ntrusted_proxies = 1};
	rl_err err;
	rl_err_clear(&err);
	f = NULL;
	CHECK_INT(rl_format_new(&f, "combined", &o, &err), RL_EUSAGE);
	CHECK(f == NULL);
	CHECK_STR(err.source, "--trusted-proxy");
	CHECK_STR(err.msg, "'10.0.0.0/33': an IPv4 prefix length is 0 to 32");
}

int main(void)
{
	test_ranges();
	test_bad_ranges();
	test_walk();
	test_formats();
	return check_done("test_trusted_proxy");
}
