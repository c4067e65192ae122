/* test_aggregate.c - in-memory aggregates, histograms and output-safe text. */
#include <stdlib.h>

#include "lib/aggregate/aggregate.h"
#include "lib/retry/backoff.h"
#include "lib/aggregate/histogram.h"
#include "lib/base/text.h"
#include "tests/check.h"

typedef struct seen {
	rl_agg_bucket b[64];
	size_t nb;
	rl_agg_latency l[64];
	size_t nl;
	rl_agg_retry r[64];
	size_t nr;
	rl_agg_minute m[64];
	size_t nm;
} seen;

static int on_retry(void *ctx, const rl_agg_retry *rows, size_t n)
{
	seen *s = ctx;
	for (size_t i = 0; i < n && s->nr < 64; i++)
		s->r[s->nr++] = rows[i];
	return 0;
}

static int on_minute(void *ctx, const rl_agg_minute *rows, size_t n)
{
	seen *s = ctx;
	for (size_t i = 0; i < n && s->nm < 64; i++)
		s->m[s->nm++] = rows[i];
	return 0;
}

static int on_bucket(void *ctx, const rl_agg_bucket *rows, size_t n)
{
	seen *s = ctx;
	for (size_t i = 0; i < n && s->nb < 64; i++)
		s->b[s->nb++] = rows[i];
	return 0;
}

static int on_latency(void *ctx, const rl_agg_latency *rows, size_t n)
{
	seen *s = ctx;
	for (size_t i = 0; i < n && s->nl < 64; i++)
		s->l[s->nl++] = rows[i];
	return 0;
}

static void test_agg(void)
{
	rl_agg *a = rl_agg_new(4);
	CHECK(rl_agg_empty(a));
	rl_agg_add_attempt(a, 100, 2, 1, 404, 0, -1);
	rl_agg_add_attempt(a, 100, 2, 1, 404, 0, 1500);
	rl_agg_add_attempt(a, -5, 1, 1, -1, 0, -1); /* before 1970, status not logged */
	rl_agg_add_attempt(a, 99, 3, 2, 200, 7, 1500);
	CHECK(!rl_agg_full(a));
	rl_agg_add_attempt(a, 101, 3, 2, 0, 0, -1);
	CHECK(rl_agg_full(a));
	rl_agg_add_retry(a, 100, 2, 1, true, false, RL_V_NONE);
	rl_agg_add_retry(a, 100, 2, 1, false, true, RL_V_TOO_FAST);
	rl_agg_add_retry(a, 99, 2, 1, false, false, RL_V_NO_JITTER);
	rl_agg_add_minute(a, 100, RL_AGG_CHAINS, 7);
	rl_agg_add_minute(a, 100, RL_AGG_GAVE_UP, 1);
	seen s = {0};
	rl_agg_sink sink = {&s, on_bucket, on_latency, on_retry, on_minute};
	CHECK_INT(rl_agg_drain(a, &sink), 0);
	CHECK(rl_agg_empty(a));
	CHECK_INT(s.nb, 4);
	/* key order: minute first */
	CHECK_INT(s.b[0].minute, -5);
	CHECK_INT(s.b[0].status, -1);
	CHECK_INT(s.b[1].minute, 99);
	CHECK_INT(s.b[1].code, 7);
	CHECK_INT(s.b[2].minute, 100);
	CHECK_INT(s.b[2].endpoint, 2);
	CHECK_INT(s.b[2].method, 1);
	CHECK_INT(s.b[2].status, 404);
	CHECK_INT(s.b[2].attempts, 2);
	CHECK_INT(s.b[3].status, 0);
	CHECK_INT(s.nl, 2);
	CHECK_INT(s.l[0].minute, 99);
	CHECK_INT(s.l[1].bucket, rl_hist_index(1500));
	CHECK_INT(s.l[1].count, 1);
	CHECK_INT(s.nr, 2);
	CHECK_INT(s.r[0].minute, 99);
	CHECK_INT(s.r[0].v[RL_RC_NO_JITTER], 1);
	CHECK_INT(s.r[0].v[RL_RC_CHECKED], 1);
	CHECK_INT(s.r[1].v[RL_RC_RETRIES], 2);
	CHECK_INT(s.r[1].v[RL_RC_BLIND_4XX], 1);
	CHECK_INT(s.r[1].v[RL_RC_UNSAFE], 1);
	CHECK_INT(s.r[1].v[RL_RC_CHECKED], 1);
	CHECK_INT(s.r[1].v[RL_RC_TOO_FAST], 1);
	CHECK_INT(s.nm, 1);
	CHECK_INT(s.m[0].v[RL_AGG_CHAINS], 7);
	CHECK_INT(s.m[0].v[RL_AGG_GAVE_UP], 1);
	/* a burst past the threshold grows the table instead of failing */
	for (uint32_t i = 0; i < 5000; i++)
		rl_agg_add_attempt(a, i, 1, 1, 200, 0, -1);
	seen g = {0};
	rl_agg_sink gs = {&g, on_bucket, NULL, NULL, NULL};
	rl_agg_drain(a, &gs);
	CHECK_INT(g.nb, 64); /* the first 64 of 5000 kept by the test sink */
	/* usable again after the drain */
	rl_agg_add_attempt(a, 1, 1, 1, 200, 0, -1);
	seen t = {0};
	rl_agg_sink sink2 = {&t, on_bucket, NULL, NULL, NULL};
	rl_agg_drain(a, &sink2);
	CHECK_INT(t.nb, 1);
	rl_agg_free(a);
}

static void test_histogram(void)
{
	/* exact below 128 µs; every bucket at most 1/128 of its values wide */
	for (int64_t v = 0; v < 128; v++)
		CHECK_INT(rl_hist_upper_us(rl_hist_index(v)), v);
	int64_t prev_upper = 127;
	for (uint32_t i = 128; i < 128 * 30; i++) {
		int64_t up = rl_hist_upper_us(i);
		int64_t lo = prev_upper + 1;
		CHECK_INT(rl_hist_index(lo), i);
		CHECK_INT(rl_hist_index(up), i);
		if (!((up - lo + 1) * 100 <= lo)) /* width ≤ 1 % of the bucket's smallest value */
			CHECK(0);
		prev_upper = up;
	}
	CHECK_INT(rl_hist_index(-5), 0);
	CHECK(rl_hist_index(INT64_MAX) < RL_HIST_MAX_INDEX);
	/* nearest rank */
	rl_hist_bin bins[] = {{rl_hist_index(10), 50}, {rl_hist_index(20), 45}, {rl_hist_index(1000), 5}};
	CHECK_INT(rl_hist_percentile(bins, 3, 50), 10);
	CHECK_INT(rl_hist_percentile(bins, 3, 51), 20);
	CHECK_INT(rl_hist_percentile(bins, 3, 95), 20);
	CHECK_INT(rl_hist_percentile(bins, 3, 96), rl_hist_upper_us(rl_hist_index(1000)));
	CHECK_INT(rl_hist_percentile(bins, 0, 50), -1);
	rl_hist_bin one[] = {{rl_hist_index(123000), 1}};
	int64_t p = rl_hist_percentile(one, 1, 99);
	CHECK(p >= 123000 && p <= 123000 * 101 / 100);
}

static void test_clean(void)
{
	char out[64];
	rl_text_clean(out, sizeof out, "plain", 5);
	CHECK_STR(out, "plain");
	rl_text_clean(out, sizeof out, "a\x1b[31mb", 7);
	CHECK_STR(out, "a\\x1b[31mb");
	rl_text_clean(out, sizeof out, "caf\xc3\xa9 \xff\xfe", 8);
	CHECK_STR(out, "caf\xc3\xa9 \\xff\\xfe");
	rl_text_clean(out, sizeof out, "\xc2\x9b", 2); /* C1 CSI */
	CHECK_STR(out, "\\xc2\\x9b");
	rl_text_clean(out, sizeof out, "\xed\xa0\x80", 3); /* a surrogate */
	CHECK_STR(out, "\\xed\\xa0\\x80");
	rl_text_clean(out, 8, "abcdefghijkl", 12);
	CHECK_STR(out, "abcd\xe2\x80\xa6");
	rl_text_clean(out, 8, "abcdefg", 7);
	CHECK_STR(out, "abcdefg");
	uint64_t v;
	CHECK(rl_parse_u64(rl_str_make("12345", 5), &v) && v == 12345);
	CHECK(!rl_parse_u64(rl_str_make("12a", 3), &v));
	CHECK(!rl_parse_u64(rl_str_make("", 0), &v));
	CHECK(rl_hash_bytes("abc", 3, 0) != rl_hash_bytes("abd", 3, 0));
	CHECK_INT(rl_fnv1a64("", 0), (long long)0xcbf29ce484222325ULL);
	CHECK_INT(rl_fnv1a64("a", 1), (long long)0xaf63dc4c8601ec8cULL);
}

int main(void)
{
	test_agg();
	test_histogram();
	test_clean();
	return check_done("aggregate");
}
