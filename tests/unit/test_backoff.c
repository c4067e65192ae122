/* test_backoff.c - nominal waits, floors and every verdict of SPEC §3, worked by hand. */
#include "lib/retry/backoff.h"
#include "tests/check.h"

static rl_policy load(const char *name)
{
	rl_policy p;
	rl_err err;
	memset(&p, 0, sizeof p);
	if (rl_policy_load(&p, name, &err))
		fprintf(stderr, "%s: %s\n", name, err.msg);
	return p;
}

static rl_policy parse(const char *json)
{
	rl_policy p;
	rl_err err;
	memset(&p, 0, sizeof p);
	if (rl_policy_parse(&p, json, strlen(json), "test", &err))
		fprintf(stderr, "%s\n", err.msg);
	return p;
}

#define S 1000000LL
#define MS 1000LL

static rl_verdict judge(const rl_policy *p, unsigned n, int64_t wait, int64_t tol, int64_t ra, int64_t prev)
{
	rl_backoff_in in = {n, wait, tol, ra, prev};
	return rl_backoff_judge(p, &in).verdict;
}

static void test_nominal(void)
{
	rl_policy lp = load("leaperone");
	/* min(1000·2^n, 30000) ms for n = 0, 1, …: retries 1..7 */
	int64_t want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
	for (unsigned n = 1; n <= 7; n++) {
		CHECK_INT(rl_backoff_nominal_us(&lp, n), want[n - 1] * MS);
		CHECK_INT(rl_backoff_floor_us(&lp, n), want[n - 1] * MS); /* add, lo 0 */
	}
	CHECK_INT(rl_backoff_nominal_us(&lp, 1000), 30000 * MS);
	/* gRPC connection backoff numbers: 1 s × 1.6^(n−1), cap 120 s, floor × 0.8 */
	rl_policy g = parse("{\"name\":\"g\",\"retryable\":[503],\"backoff\":{\"base_ms\":1000,\"factor\":1.6,"
			    "\"cap_ms\":120000,\"jitter\":{\"kind\":\"mul\",\"lo\":0.8,\"hi\":1.2}}}");
	int64_t gn[] = {1000000, 1600000, 2560000, 4096000, 6553600, 10485760, 16777216};
	for (unsigned n = 1; n <= 7; n++)
		CHECK_INT(rl_backoff_nominal_us(&g, n), gn[n - 1]);
	CHECK_INT(rl_backoff_floor_us(&g, 4), 3276800);
	CHECK_INT(rl_backoff_nominal_us(&g, 11), 109951162); /* 1.6^10 s = 109.9511627776 s, rounded down */
	CHECK_INT(rl_backoff_nominal_us(&g, 12), 120000000); /* 1.6^11 s = 175.9 s: the cap */
	/* a factor that does not divide: 100 ms × 1.333333^n rounds down exactly */
	rl_policy t = parse("{\"name\":\"t\",\"retryable\":[503],\"backoff\":{\"base_ms\":100,\"factor\":1.333333,"
			    "\"cap_ms\":100000}}");
	CHECK_INT(rl_backoff_nominal_us(&t, 2), 133333); /* 133333.3 */
	CHECK_INT(rl_backoff_nominal_us(&t, 3), 177777); /* 177777.6888… */
	CHECK_INT(rl_backoff_nominal_us(&t, 4), 237036); /* 237036.8 (100000·1.333333³ = 237036.740… ) */
	/* Google Cloud: add 0–1000 ms, cap 32 s; floor = nominal + 0 */
	rl_policy gc = load("google-cloud");
	CHECK_INT(rl_backoff_floor_us(&gc, 1), 1000 * MS);
	CHECK_INT(rl_backoff_floor_us(&gc, 6), 32000 * MS);
	/* add with lo > 0: min(nominal + lo, cap) */
	rl_policy a = parse("{\"name\":\"a\",\"retryable\":[503],\"backoff\":{\"base_ms\":1000,\"factor\":2,"
			    "\"cap_ms\":3000,\"jitter\":{\"kind\":\"add\",\"lo\":250.5,\"hi\":500}}}");
	CHECK_INT(rl_backoff_floor_us(&a, 1), 1250500);
	CHECK_INT(rl_backoff_floor_us(&a, 2), 2250500);
	CHECK_INT(rl_backoff_floor_us(&a, 3), 3000000);
	/* AWS full jitter: mul 0–1, so the floor is 0 */
	rl_policy aws = load("aws-full-jitter");
	CHECK_INT(rl_backoff_floor_us(&aws, 1), 0);
	CHECK_INT(rl_backoff_nominal_us(&aws, 3), 4000 * MS);
}

static void test_no_numbers(void)
{
	rl_policy d = load("default");
	/* at 1 s resolution: doubling 1, 2, 4 s is compliant */
	CHECK_INT(judge(&d, 1, 1 * S, S, -1, -1), RL_V_COMPLIANT);
	CHECK_INT(judge(&d, 2, 2 * S, S, -1, 1 * S), RL_V_COMPLIANT);
	CHECK_INT(judge(&d, 3, 4 * S, S, -1, 2 * S), RL_V_COMPLIANT);
	/* at 1 s resolution an immediate retry cannot be shown: 0 + 1 s ≥ 100 ms */
	CHECK_INT(judge(&d, 1, 0, S, -1, -1), RL_V_COMPLIANT);
	/* at ms resolution it can */
	CHECK_INT(judge(&d, 1, 99 * MS - 1000, MS, -1, -1), RL_V_TOO_FAST); /* 98 + 1 < 100 */
	CHECK_INT(judge(&d, 1, 99 * MS, MS, -1, -1), RL_V_COMPLIANT); /* 99 + 1 = 100 */
	/* not growing at ms resolution: a fixed 1 s delay is too fast from retry 2 */
	CHECK_INT(judge(&d, 2, 1 * S, MS, -1, 1 * S), RL_V_TOO_FAST);
	/* 10 × (w + tol) < 11 × (prev − tol): the boundary is exact */
	CHECK_INT(judge(&d, 2, 1099 * MS, MS, -1, 1001 * MS), RL_V_COMPLIANT); /* 11000 ≥ 11000 */
	CHECK_INT(judge(&d, 2, 1099 * MS - 1, MS, -1, 1001 * MS), RL_V_TOO_FAST);
	/* at 1 s resolution fixed delays under ~21 s pass: 20 + 1 ≥ 1.1 × 19 */
	CHECK_INT(judge(&d, 2, 20 * S, S, -1, 20 * S), RL_V_COMPLIANT);
	CHECK_INT(judge(&d, 2, 22 * S, S, -1, 22 * S), RL_V_TOO_FAST); /* 230 < 231 */
	/* over max_retries (5): retry 6 */
	CHECK_INT(judge(&d, 6, 30 * S, S, -1, 16 * S), RL_V_OVER_MAX_RETRIES);
	CHECK_INT(judge(&d, 5, 30 * S, S, -1, 16 * S), RL_V_COMPLIANT);
	/* too_fast comes before over_max */
	CHECK_INT(judge(&d, 6, 0, MS, -1, -1), RL_V_TOO_FAST);
}

static void test_retry_after(void)
{
	rl_policy d = load("default");
	/* Retry-After: 2 answered after 1 s (1 s resolution: 1 + 1 = 2, not below) */
	CHECK_INT(judge(&d, 1, 1 * S, S, 2 * S, -1), RL_V_COMPLIANT);
	/* at ms resolution it is ignored */
	CHECK_INT(judge(&d, 1, 1 * S, MS, 2 * S, -1), RL_V_IGNORED_RETRY_AFTER);
	CHECK_INT(judge(&d, 1, 1999 * MS, MS, 2 * S, -1), RL_V_COMPLIANT);
	CHECK_INT(judge(&d, 1, 1998 * MS, MS, 2 * S, -1), RL_V_IGNORED_RETRY_AFTER);
	/* with Retry-After only rules 1 and 3 apply: a flat wait that honours it is fine */
	CHECK_INT(judge(&d, 3, 2 * S, MS, 2 * S, 2 * S), RL_V_COMPLIANT);
	CHECK_INT(judge(&d, 7, 2 * S, MS, 2 * S, 2 * S), RL_V_OVER_MAX_RETRIES);
	rl_backoff_in in = {1, 2 * S, MS, 2 * S, -1};
	CHECK(!rl_backoff_judge(&d, &in).own_backoff);
	/* honor_retry_after false: Retry-After is ignored, rules 2–4 apply */
	rl_policy n = parse("{\"name\":\"n\",\"retryable\":[429],\"honor_retry_after\":false}");
	CHECK_INT(judge(&n, 1, 50 * MS, MS, 10 * S, -1), RL_V_TOO_FAST);
	CHECK_INT(judge(&n, 1, 150 * MS, MS, 10 * S, -1), RL_V_COMPLIANT);
}

static void test_leaperone(void)
{
	rl_policy lp = load("leaperone");
	/* floor of retry 2 is 2 s: 1998 + 1 < 2000; 1999 + 1 is not below it (and sits
	 * 1 ms from the nominal wait: no_jitter) */
	CHECK_INT(judge(&lp, 2, 1998 * MS, MS, -1, -1), RL_V_TOO_FAST);
	CHECK_INT(judge(&lp, 2, 1999 * MS, MS, -1, -1), RL_V_NO_JITTER);
	CHECK_INT(judge(&lp, 2, 1998 * MS, 1 * S, -1, -1), RL_V_COMPLIANT); /* 1 s resolution */
	/* a wait at or above the cap is never too fast */
	CHECK_INT(judge(&lp, 5, 30 * S, MS, -1, -1), RL_V_COMPLIANT);
	/* no_jitter: within 5 ms of the nominal wait, at ms resolution only */
	rl_backoff_in in = {2, 2000 * MS + 5 * MS, MS, -1, -1};
	rl_backoff_out o = rl_backoff_judge(&lp, &in);
	CHECK_INT(o.verdict, RL_V_NO_JITTER);
	CHECK(o.jitter_checked && o.jitter_exact);
	CHECK_INT(o.offset_us, 5 * MS);
	in.wait_us = 2000 * MS + 5 * MS + 1;
	o = rl_backoff_judge(&lp, &in);
	CHECK_INT(o.verdict, RL_V_COMPLIANT);
	CHECK(o.jitter_checked && !o.jitter_exact);
	in.tol_us = 1 * S; /* 1 s resolution: rule 4 cannot be judged */
	in.wait_us = 2000 * MS;
	o = rl_backoff_judge(&lp, &in);
	CHECK_INT(o.verdict, RL_V_COMPLIANT);
	CHECK(!o.jitter_checked);
	/* over max_retries beats no_jitter */
	CHECK_INT(judge(&lp, 6, 30000 * MS, MS, -1, -1), RL_V_OVER_MAX_RETRIES);
	CHECK_STR(rl_verdict_name(RL_V_IGNORED_RETRY_AFTER), "ignored_retry_after");
}

int main(void)
{
	test_nominal();
	test_no_numbers();
	test_retry_after();
	test_leaperone();
	return check_done("backoff");
}
