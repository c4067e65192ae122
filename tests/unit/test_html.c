/* test_html.c - the HTML renderer's escaping (lib/render/html.h) and a report rendered
 * from a model built here: nothing from a log becomes markup or acts on the reader. */
#include <stdlib.h>
#include <string.h>

#include "lib/render/html.h"
#include "lib/render/render.h"
#include "tests/check.h"

static char out[1 << 16];

/* What rl_html_put writes of s. */
static const char *put(const char *s, int how, size_t max)
{
	FILE *f = tmpfile();
	size_t n;
	rl_html_put(f, s, how, max);
	rewind(f);
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = 0;
	fclose(f);
	return out;
}

static void test_put(void)
{
	CHECK_STR(put("<script>alert(1)</script>", 0, 0), "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_STR(put("\"><img src=x onerror=alert(1)>", 0, 0), "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	CHECK_STR(put("a & b 'c'", 0, 0), "a &amp; b 'c'");
	CHECK_STR(put("a & b 'c'", RL_HTML_ATTR, 0), "a &amp; b &#39;c&#39;");
	CHECK_STR(put(NULL, 0, 0), "");
	/* controls and ANSI escapes: visible, never raw */
	CHECK_STR(put("\033[31mred\033[0m\a\r\n\t", 0, 0), "\\x1b[31mred\\x1b[0m\\x07\\x0d\\x0a\\x09");
	CHECK_STR(put("\x7f", 0, 0), "\\x7f");
	CHECK_STR(put("\xc2\x9b"
		      "2J",
		      0, 0),
		  "\\u009b2J"); /* C1 CSI as UTF-8 */
	/* bidi overrides, isolates, marks, zero-width and separators */
	CHECK_STR(put("a\xe2\x80\xae"
		      "gpj.exe",
		      0, 0),
		  "a\\u202egpj.exe");
	CHECK_STR(put("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0, 0), "\\u202a\\u202b\\u202c\\u202d");
	CHECK_STR(put("\xe2\x81\xa6x\xe2\x81\xa9\xe2\x81\xa7\xe2\x81\xa8", 0, 0), "\\u2066x\\u2069\\u2067\\u2068");
	CHECK_STR(put("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c\xe2\x80\x8b\xef\xbb\xbf\xe2\x80\xa8", 0, 0),
		  "\\u200e\\u200f\\u061c\\u200b\\ufeff\\u2028");
	CHECK_STR(put("\xe2\x80\xae", RL_HTML_MARK, 0), "<span class=\"ctl\">\\u202e</span>");
	/* other UTF-8 as it is; bytes that are no UTF-8 as U+FFFD */
	CHECK_STR(put("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80 \xe2\x80\xaf", 0, 0),
		  "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80 \xe2\x80\xaf");
	CHECK_STR(put("a\xff\xc0\xaf"
		      "b\xe2\x80",
		      0, 0),
		  "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "b\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(put("\xed\xa0\x80", 0, 0), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* a surrogate */
	/* a cut counts characters, not bytes, and never splits an escape */
	CHECK_STR(put("abcdef", 0, 3), "abc\xe2\x80\xa6");
	CHECK_STR(put("abc", 0, 3), "abc");
	CHECK_STR(put("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0, 2), "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	CHECK_STR(put("<<<<", 0, 2), "&lt;&lt;\xe2\x80\xa6");
}

static void test_numbers(void)
{
	char b[32];
	CHECK_STR(rl_html_num(b, 0), "0");
	CHECK_STR(rl_html_num(b, 999), "999");
	CHECK_STR(rl_html_num(b, 1000), "1,000");
	CHECK_STR(rl_html_num(b, 20000), "20,000");
	CHECK_STR(rl_html_num(b, 18446744073709551615ULL), "18,446,744,073,709,551,615");
	CHECK_STR(rl_html_pct(b, rl_html_ratio(1, 3)), "33.33\xc2\xa0%");
	CHECK_STR(rl_html_pct(b, rl_html_ratio(1, 0)), "\xe2\x80\x93");
}

/* Renders r into out; returns the renderer's result. */
static int render(const rl_report *r)
{
	rl_render_opts o = {.top = 20};
	FILE *f = tmpfile();
	int rc = rl_render_html(r, f, &o);
	size_t n;
	rewind(f);
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = 0;
	fclose(f);
	return rc;
}

static void test_report(void)
{
	rl_policy pol;
	CHECK_INT(rl_policy_load(&pol, "default", NULL), 0);
	rl_report r = {.policy = &pol, .by = RL_BY_MINUTE};
	strcpy(r.generated_at, "2026-11-29T10:05:00Z");

	/* nothing at all: sentences instead of charts */
	CHECK_INT(render(&r), 0);
	CHECK(strstr(out, "<title>retrylens report</title>") != NULL);
	CHECK(strstr(out, "No attempts in this window: there is no timeline to draw.") != NULL);
	CHECK(strstr(out, "<svg") == NULL);
	CHECK(strstr(out, "nan") == NULL && strstr(out, "inf") == NULL);

	/* a hostile policy name, client, target, source and sample (raw: the renderer is the
	 * last line of defence) */
	strcpy(pol.name, "p<script>\xe2\x80\xae");
	rl_report_bucket tl[2] = {{.start_us = 0, .attempts = 5, .errors = 3, .retries = 2, .blind_4xx = 1},
				  {.start_us = 60000000, .attempts = 1}};
	rl_report_status st[2] = {{.status = 200, .count = 3}, {.status = 404, .count = 3, .failure = true}};
	rl_evidence_doc ev = {.attempts = 2, .nsteps = 2, .method = "GET", .target = "/x\"><img src=x onerror=y>"};
	ev.steps[0] = (rl_evidence_step){.start_us = 0, .wait_us = INT32_MIN, .status = 404, .flags = RL_STEP_FIRST};
	ev.steps[1] = (rl_evidence_step){.start_us = 1000, .wait_us = 1000, .status = 404, .flags = RL_STEP_BLIND};
	rl_report_client cl = {.name = "c\033[31m<svg onload=x>", .evidence = &ev};
	cl.v[RL_CL_ATTEMPTS] = 2, cl.v[RL_CL_RETRIES] = 1, cl.v[RL_CL_BLIND_4XX] = 1, cl.v[RL_CL_VIOLATIONS] = 1;
	rl_report_source src = {.name = "a'\"<b>\xe2\x81\xa6.log", .format = "combined", .lines = 7, .rejected = 1};
	rl_report_sample sm = {.source = "a.log", .reason = "bad <line>", .excerpt = "<iframe src=//x>", .line = 7};
	r.timeline = tl, r.ntimeline = 2, r.status = st, r.nstatus = 2, r.clients = &cl, r.nclients = 1;
	r.sources = &src, r.nsources = 1, r.samples = &sm, r.nsamples = 1, r.rejected = 1;
	r.totals.attempts = 6, r.totals.errors = 3, r.totals.success = 3;
	r.retries.count[RL_RC_RETRIES] = 2, r.retries.count[RL_RC_BLIND_4XX] = 1;
	CHECK_INT(render(&r), 0);
	CHECK(strstr(out, "<script") == NULL);
	CHECK(strstr(out, "<img") == NULL && strstr(out, "<svg onload") == NULL && strstr(out, "<iframe") == NULL);
	CHECK(strstr(out, "\xe2\x80\xae") == NULL && strstr(out, "\xe2\x81\xa6") == NULL &&
	      strchr(out, '\033') == NULL);
	CHECK(strstr(out, "p&lt;script&gt;<span class=\"ctl\">\\u202e</span>") != NULL);
	CHECK(strstr(out, "/x&quot;&gt;&lt;img src=x onerror=y&gt;") != NULL);
	CHECK(strstr(out, "c<span class=\"ctl\">\\x1b</span>[31m&lt;svg onload=x&gt;") != NULL);
	CHECK(strstr(out, "aria-label=\"c\\x1b[31m&lt;svg onload=x&gt;: 1\"") != NULL); /* an attribute */
	CHECK(strstr(out, "a'&quot;&lt;b&gt;<span class=\"ctl\">\\u2066</span>.log") != NULL);
	CHECK(strstr(out, "&lt;iframe src=//x&gt;") != NULL);
	CHECK(strstr(out, "<data id=\"kpi-attempts\" value=\"6\">6</data>") != NULL);
	CHECK(strstr(out, "<title>retrylens report</title>") != NULL);
	CHECK(strstr(out, "<title>p") == NULL);

	/* 1,000 minutes from 10:07: bars of 5 minutes aligned to :00, :05…, the first one of
	 * 3 buckets; the table would be too long, a sentence says so */
	static rl_report_bucket many[1000];
	int64_t t0 = 1795946820LL * 1000000; /* 2026-11-29T10:07:00Z */
	for (int i = 0; i < 1000; i++)
		many[i] = (rl_report_bucket){.start_us = t0 + i * 60000000LL, .attempts = 1};
	r.timeline = many, r.ntimeline = 1000;
	CHECK_INT(render(&r), 0);
	CHECK(strstr(out, "Attempts per 5 minutes (UTC)") != NULL);
	CHECK(strstr(out, "<title>2026-11-29T10:05:00Z (5 minutes): 3 attempts,") != NULL);
	CHECK(strstr(out, "<title>2026-11-29T10:10:00Z (5 minutes): 5 attempts,") != NULL);
	CHECK(strstr(out, "1000 buckets: too many for a table") != NULL);

	/* a write that fails: RL_EOUTPUT */
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		rl_render_opts o = {0};
		CHECK_INT(rl_render_html(&r, full, &o), RL_EOUTPUT);
		fclose(full);
	}
}

int main(void)
{
	test_put();
	test_numbers();
	test_report();
	return check_done("test_html");
}
