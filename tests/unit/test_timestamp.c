/* test_timestamp.c - $time_local, ISO 8601 and epoch parsing, civil arithmetic. */
#include "lib/base/timestamp.h"
#include "tests/check.h"

static int64_t clf(const char *s)
{
	int64_t us = -1;
	return rl_timestamp_parse_clf(rl_str_make(s, strlen(s)), &us) ? us : -1;
}

static int64_t iso(const char *s, int64_t *res)
{
	int64_t us = -1;
	return rl_timestamp_parse_iso8601(rl_str_make(s, strlen(s)), &us, res) ? us : -1;
}

static int64_t epoch(const char *s, int64_t unit, int64_t *res)
{
	int64_t us = -1;
	return rl_timestamp_parse_epoch(rl_str_make(s, strlen(s)), unit, &us, res) ? us : -1;
}

static void test_civil(void)
{
	CHECK_INT(rl_days_from_civil(1970, 1, 1), 0);
	CHECK_INT(rl_days_from_civil(2000, 3, 1), 11017);
	CHECK_INT(rl_days_from_civil(1969, 12, 31), -1);
	for (int64_t d = -800000; d < 800000; d += 997) {
		int64_t y;
		unsigned m, dd;
		rl_civil_from_days(d, &y, &m, &dd);
		CHECK_INT(rl_days_from_civil(y, m, dd), d);
	}
	CHECK_INT(rl_days_in_month(2000, 2), 29); /* divisible by 400 */
	CHECK_INT(rl_days_in_month(1900, 2), 28); /* by 100 only */
	CHECK_INT(rl_days_in_month(2024, 2), 29);
	CHECK_INT(rl_days_in_month(2023, 2), 28);
	CHECK_INT(rl_days_in_month(2023, 13), 0);
}

static void test_clf(void)
{
	/* Apache's documentation example: 13:55:36 at -0700 is 20:55:36 UTC */
	CHECK_INT(clf("10/Oct/2000:13:55:36 -0700"), 971211336LL * 1000000);
	CHECK_INT(clf("10/Oct/2000:20:55:36 +0000"), 971211336LL * 1000000);
	/* +0330 (Tehran, as in lnav's shop log) */
	CHECK_INT(clf("22/Jan/2019:03:56:14 +0330"), 1548116774LL * 1000000);
	/* every month name, any case */
	const char *months[] = {"Jan", "feb", "MAR", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	for (int m = 0; m < 12; m++) {
		char buf[40];
		snprintf(buf, sizeof buf, "01/%s/2021:00:00:00 +0000", months[m]);
		CHECK_INT(clf(buf), rl_days_from_civil(2021, (unsigned)m + 1, 1) * 86400 * 1000000);
	}
	/* leap days */
	CHECK_INT(clf("29/Feb/2024:12:00:00 +0000"), (rl_days_from_civil(2024, 2, 29) * 86400 + 43200) * 1000000);
	CHECK_INT(clf("29/Feb/2000:00:00:00 +0000"), rl_days_from_civil(2000, 2, 29) * 86400 * 1000000);
	CHECK_INT(clf("29/Feb/2023:12:00:00 +0000"), -1);
	CHECK_INT(clf("29/Feb/1900:12:00:00 +0000"), -1);
	/* a zone that moves the date across midnight and a year boundary */
	CHECK_INT(clf("31/Dec/2020:23:30:00 -0100"),
		  rl_days_from_civil(2021, 1, 1) * 86400 * 1000000 + 1800LL * 1000000);
	CHECK_INT(clf("01/Jan/2021:00:30:00 +0100"),
		  rl_days_from_civil(2020, 12, 31) * 86400 * 1000000 + 84600LL * 1000000);
	/* Python http.server: space after the year, no zone (UTC) */
	CHECK_INT(clf("29/Aug/2023 22:02:58"), (rl_days_from_civil(2023, 8, 29) * 86400 + 79378) * 1000000);
	/* bad values */
	CHECK_INT(clf("32/Jan/2021:00:00:00 +0000"), -1);
	CHECK_INT(clf("00/Jan/2021:00:00:00 +0000"), -1);
	CHECK_INT(clf("31/Apr/2021:00:00:00 +0000"), -1);
	CHECK_INT(clf("01/Foo/2021:00:00:00 +0000"), -1);
	CHECK_INT(clf("01/Jan/2021:24:00:00 +0000"), -1);
	CHECK_INT(clf("01/Jan/2021:23:60:00 +0000"), -1);
	CHECK_INT(clf("01/Jan/2021:23:59:61 +0000"), -1);
	CHECK_INT(clf("01/Jan/2021:00:00:00 +2400"), -1);
	CHECK_INT(clf("01/Jan/2021:00:00:00 +0060"), -1);
	CHECK_INT(clf("01/Jan/2021:00:00:00 0000"), -1);
	CHECK_INT(clf("01/Jan/2021:00:00:00 +00"), 1609459200LL * 1000000); /* +hh */
	CHECK_INT(clf("01/Jan/2021:00:00:00 Z"), -1);
	CHECK_INT(clf("1/Jan/2021:00:00:00 +0000"), -1);
	CHECK_INT(clf("01/Jan/21:00:00:00 +0000"), -1);
	CHECK_INT(clf(""), -1);
	CHECK_INT(clf("01/Jan/2021:00:00:0x +0000"), -1);
	/* the view is not NUL-terminated: the parser must stop at n */
	const char *s = "10/Oct/2000:13:55:36 -0700garbage";
	int64_t us;
	CHECK(rl_timestamp_parse_clf(rl_str_make(s, 26), &us));
	CHECK(!rl_timestamp_parse_clf(rl_str_make(s, 27), &us));
}

/* The cached parser agrees with the plain one on every line, cache hits or not. */
static void test_clf_cache(void)
{
	rl_clf_cache c;
	memset(&c, 0, sizeof c);
	const char *lines[] = {
		"10/Oct/2000:13:55:36 -0700", "10/Oct/2000:13:55:37 -0700", "10/Oct/2000:23:59:59 -0700",
		"10/Oct/2000:00:00:00 -0700", "10/Oct/2000:00:00:00 +0000", "11/Oct/2000:00:00:01 +0000",
		"10/Oct/2000:24:00:00 +0000", "10/Oct/2000:13:5x:36 +0000", "10/Oct/2000:13:55:36",
		"10/Oct/2000 13:55:36",	      "10/Oct/2000:13:55:36 -0700",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		int64_t a = -1, b = -1;
		bool ra = rl_timestamp_parse_clf(rl_str_make(lines[i], strlen(lines[i])), &a);
		bool rb = rl_timestamp_parse_clf_cached(&c, rl_str_make(lines[i], strlen(lines[i])), &b);
		CHECK_INT(ra, rb);
		if (ra && rb)
			CHECK_INT(a, b);
	}
	/* runs of the same text (the last-text hit), texts one byte apart, zones of every
	 * length: in a random order */
	static const char *const mixed[] = {
		"14/Nov/2023:22:13:20 +0000", "14/Nov/2023:22:13:21 +0000", "14/Nov/2023:22:13:20 +0100",
		"14/Nov/2023:22:13:20 -0000", "15/Nov/2023:22:13:20 +0000", "14/Nov/2023:22:13:20",
		"14/Nov/2023:22:13:2x +0000", "14/Nov/2023:22:14:20 +0000", "14/Nov/2023:22:13:20 +000",
		"14/Nov/2024:22:13:20 +0000", "14/Dec/2023:22:13:20 +0000", "14/Nov/2023:23:13:20 +0000",
	};
	uint64_t x = 88172645463325252ULL;
	bool all = true;
	for (int t = 0; t < 20000; t++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		const char *l = mixed[(x >> 8) % 3 == 0 ? (x >> 16) % (sizeof mixed / sizeof mixed[0]) : 0];
		int64_t a = -1, b = -1;
		bool ra = rl_timestamp_parse_clf(rl_str_make(l, strlen(l)), &a);
		bool rb = rl_timestamp_parse_clf_cached(&c, rl_str_make(l, strlen(l)), &b);
		all &= ra == rb && (!ra || a == b);
	}
	CHECK(all);
}

static void test_iso(void)
{
	int64_t res = 0;
	CHECK_INT(iso("2000-10-10T20:55:36Z", &res), 971211336LL * 1000000);
	CHECK_INT(res, 1000000);
	CHECK_INT(iso("2000-10-10T13:55:36-07:00", &res), 971211336LL * 1000000);
	CHECK_INT(iso("2000-10-10T13:55:36-0700", &res), 971211336LL * 1000000);
	CHECK_INT(iso("2000-10-10 20:55:36.123Z", &res), 971211336123000LL);
	CHECK_INT(res, 1000);
	CHECK_INT(iso("2000-10-10T20:55:36.123456+00:00", &res), 971211336123456LL);
	CHECK_INT(res, 1);
	CHECK_INT(iso("2000-10-10T20:55:36.123456789Z", &res), 971211336123456LL); /* ns truncated */
	CHECK_INT(res, 1);
	CHECK_INT(iso("2000-10-10T20:55:36.1+01", &res), 971207736100000LL);
	CHECK_INT(res, 100000);
	CHECK_INT(iso("2000-10-10T20:55:36", &res), 971211336LL * 1000000); /* no zone: UTC */
	CHECK_INT(iso("2000-02-30T00:00:00Z", &res), -1);
	CHECK_INT(iso("2000-10-10T20:55:36.Z", &res), -1);
	CHECK_INT(iso("2000-10-10X20:55:36Z", &res), -1);
	CHECK_INT(iso("2000-10-10T20:55:36+25:00", &res), -1);
	CHECK_INT(iso("2000-10-10T20:55:36Zjunk", &res), -1);
}

static void test_epoch(void)
{
	int64_t res = 0;
	CHECK_INT(epoch("1136214245.123", 1000000, &res), 1136214245123000LL);
	CHECK_INT(res, 1000);
	CHECK_INT(epoch("1136214245", 1000000, &res), 1136214245000000LL);
	CHECK_INT(res, 1000000);
	CHECK_INT(epoch("1136214245123", 1000, &res), 1136214245123000LL);
	CHECK_INT(res, 1000);
	CHECK_INT(epoch("1136214245.1234567", 1000000, &res), 1136214245123456LL);
	CHECK_INT(res, 1);
	CHECK_INT(epoch("12a", 1000000, &res), -1);
	CHECK_INT(epoch("", 1000000, &res), -1);
	CHECK_INT(epoch(".5", 1000000, &res), -1);
	CHECK_INT(epoch("5.", 1000000, &res), -1);
	int64_t us;
	CHECK(rl_duration_parse(rl_str_make("0.004", 5), 1000000, &us, &res));
	CHECK_INT(us, 4000);
	CHECK_INT(res, 1000);
	CHECK(rl_duration_parse(rl_str_make("250", 3), 1, &us, &res));
	CHECK_INT(us, 250);
	CHECK(!rl_duration_parse(rl_str_make("-1", 2), 1000000, &us, &res));
}

static void test_http_date(void)
{
	/* RFC 9110's three forms of the same instant */
	int64_t want = 784111777LL * 1000000, us = -1;
	const char *forms[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
			       "Sun Nov  6 08:49:37 1994"};
	for (int i = 0; i < 3; i++) {
		us = -1;
		CHECK(rl_timestamp_parse_http_date(rl_str_make(forms[i], strlen(forms[i])), &us));
		CHECK_INT(us, want);
	}
	const char *bad[] = {"Sun, 06 Nov 1994 08:49:37 UTC", "06 Nov 1994 08:49:37 GMT",
			     "Sun, 31 Feb 1994 08:49:37 GMT", "soon", ""};
	for (int i = 0; i < 5; i++)
		CHECK(!rl_timestamp_parse_http_date(rl_str_make(bad[i], strlen(bad[i])), &us));
}

static void test_format(void)
{
	char buf[32];
	CHECK_STR(rl_timestamp_format(971211336LL * 1000000, buf), "2000-10-10T20:55:36Z");
	CHECK_STR(rl_timestamp_format(971211336123000LL, buf), "2000-10-10T20:55:36.123Z");
	CHECK_STR(rl_timestamp_format(971211336123456LL, buf), "2000-10-10T20:55:36.123456Z");
	CHECK_STR(rl_timestamp_format(-1, buf), "1969-12-31T23:59:59.999999Z");
}

static void test_when(void)
{
	int64_t now = 1795946400000000LL + 3723 * RL_US_PER_S; /* 2026-11-29T11:02:03Z */
	int64_t us = 0, day = 1795946400000000LL - 10 * 3600 * RL_US_PER_S; /* 2026-11-29T00:00:00Z */
	CHECK(rl_timestamp_parse_when("today", now, &us) && us == day);
	CHECK(rl_timestamp_parse_when("yesterday", now, &us) && us == day - 86400 * RL_US_PER_S);
	CHECK(rl_timestamp_parse_when("30d", now, &us) && us == now - 30 * 86400 * RL_US_PER_S);
	CHECK(rl_timestamp_parse_when("24h", now, &us) && us == now - 86400 * RL_US_PER_S);
	CHECK(rl_timestamp_parse_when("90m", now, &us) && us == now - 5400 * RL_US_PER_S);
	CHECK(rl_timestamp_parse_when("45s", now, &us) && us == now - 45 * RL_US_PER_S);
	CHECK(rl_timestamp_parse_when("2w", now, &us) && us == now - 14 * 86400 * RL_US_PER_S);
	CHECK(rl_timestamp_parse_when("0d", now, &us) && us == now);
	CHECK(rl_timestamp_parse_when("2026-11-29", now, &us) && us == day);
	CHECK(rl_timestamp_parse_when("2026-11-29T10:00:00Z", now, &us) && us == 1795946400000000LL);
	CHECK(rl_timestamp_parse_when("2026-11-29T12:00:00+02:00", now, &us) && us == 1795946400000000LL);
	const char *bad[] = {"",
			     "d",
			     "30",
			     "30x",
			     "-3d",
			     "3.5d",
			     "tomorrow",
			     "2026-13-01",
			     "2026-11-29T25:00:00Z",
			     "99999999999999999d",
			     "2026/11/29"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (rl_timestamp_parse_when(bad[i], now, &us)) {
			fprintf(stderr, "parsed '%s'\n", bad[i]);
			CHECK(0);
		}
}

int main(void)
{
	test_when();
	test_civil();
	test_clf();
	test_clf_cache();
	test_iso();
	test_epoch();
	test_http_date();
	test_format();
	return check_done("timestamp");
}
