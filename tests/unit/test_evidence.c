/* test_evidence.c - a chain's evidence (lib/retry/evidence.h): the blob round trip, what
 * a damaged blob is, step verdict names and their inverse, waits in ms. */
#include <stdlib.h>

#include "lib/retry/evidence.h"
#include "tests/check.h"

#define T0 1795946400000000LL /* 2026-11-29T10:00:00Z in µs */

static void test_step_verdict(void)
{
	char buf[64];
	rl_evidence_step st = {T0, 0, 503, RL_V_TOO_FAST, 0};
	st.flags = RL_STEP_FIRST | RL_STEP_CHECKED;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "first");
	st.flags = RL_STEP_CHECKED;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "too_fast");
	st.flags = RL_STEP_UNSAFE | RL_STEP_CHECKED;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "unsafe+too_fast");
	st.flags = RL_STEP_BLIND;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "blind_4xx");
	st.flags = RL_STEP_BLIND | RL_STEP_UNSAFE;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "blind_4xx+unsafe");
	st.flags = RL_STEP_UNSAFE;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "unsafe");
	st.flags = 0;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "not_checked");
	st.flags = RL_STEP_EXACT; /* a rule-4 detail, no verdict of its own */
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "not_checked");
	st.flags = RL_STEP_CHECKED | RL_STEP_EXACT;
	st.verdict = RL_V_NO_JITTER;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "no_jitter");
	st.verdict = RL_V_COMPLIANT;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "compliant");
	/* a small buffer is cut, still NUL-terminated */
	st.flags = RL_STEP_BLIND | RL_STEP_UNSAFE | RL_STEP_CHECKED;
	st.verdict = RL_V_IGNORED_RETRY_AFTER;
	CHECK_STR(rl_step_verdict(&st, buf, sizeof buf), "blind_4xx+unsafe+ignored_retry_after");
	char small[8];
	CHECK_STR(rl_step_verdict(&st, small, sizeof small), "blind_4");
}

static void test_verdict_parse(void)
{
	/* every name rl_step_verdict makes parses back to the same name */
	char buf[64], again[64];
	int names = 0, ok = 1;
	for (unsigned flags = 0; flags < 32; flags++)
		for (int v = RL_V_COMPLIANT; v < RL_V_COUNT; v++) {
			rl_evidence_step st = {T0, 0, 503, (uint8_t)v, (uint8_t)flags}, back;
			rl_step_verdict(&st, buf, sizeof buf);
			ok &= rl_step_verdict_parse(buf, &back);
			ok &= strcmp(rl_step_verdict(&back, again, sizeof again), buf) == 0;
			names++;
		}
	CHECK(ok);
	CHECK_INT(names, 32 * (RL_V_COUNT - RL_V_COMPLIANT));
	rl_evidence_step st;
	CHECK(rl_step_verdict_parse("blind_4xx+unsafe+too_fast", &st));
	CHECK_INT(st.flags, RL_STEP_BLIND | RL_STEP_UNSAFE | RL_STEP_CHECKED);
	CHECK_INT(st.verdict, RL_V_TOO_FAST);
	CHECK(rl_step_verdict_parse("first", &st));
	CHECK_INT(st.flags, RL_STEP_FIRST);
	CHECK(rl_step_verdict_parse("not_checked", &st));
	CHECK_INT(st.flags, 0);
	/* what no version wrote */
	const char *bad[] = {"",
			     "+",
			     "too_fast+",
			     "unsafe+blind_4xx",
			     "too_fast+unsafe",
			     "compliant+too_fast",
			     "blind_4xx+blind_4xx",
			     "late",
			     "first+unsafe",
			     "too_fastx"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (rl_step_verdict_parse(bad[i], &st)) {
			fprintf(stderr, "parsed \"%s\"\n", bad[i]);
			CHECK(0);
		}
}

static void test_wait(void)
{
	double ms = -1;
	bool is_int = false;
	rl_evidence_step first = {T0, INT32_MIN, 503, RL_V_NONE, RL_STEP_FIRST};
	CHECK(!rl_step_wait_ms(&first, &ms, &is_int));
	rl_evidence_step st = {T0, 1500, 503, RL_V_TOO_FAST, RL_STEP_CHECKED};
	CHECK(rl_step_wait_ms(&st, &ms, &is_int));
	CHECK(!is_int && ms == 1.5);
	st.wait_us = 2000000;
	CHECK(rl_step_wait_ms(&st, &ms, &is_int));
	CHECK(is_int && ms == 2000.0);
	st.wait_us = -250;
	CHECK(rl_step_wait_ms(&st, &ms, &is_int));
	CHECK(!is_int && ms == -0.25);
}

static const rl_evidence_step steps[] = {
	{T0, INT32_MIN, 503, RL_V_NONE, RL_STEP_FIRST},
	{T0 + 250500, 1500, 503, RL_V_TOO_FAST, RL_STEP_UNSAFE | RL_STEP_CHECKED},
	{T0 + 1250000, 1000000, -1, RL_V_COMPLIANT, RL_STEP_CHECKED | RL_STEP_EXACT},
	{-T0, INT32_MAX, INT16_MAX, RL_V_NO_JITTER, RL_STEP_CHECKED},
};

static void test_round_trip(void)
{
	rl_evidence ev = {0x51, 2, T0, 1, 2, "/v1/leads?id=1", 4, 5, steps};
	unsigned char blob[1024];
	size_t n = rl_evidence_encode(&ev, "POST", blob, sizeof blob);
	CHECK_INT(n, 1 + 4 + 1 + 2 + 4 + 2 + 14 + 4 * 16);
	/* too small a buffer: only the length */
	CHECK_INT(rl_evidence_encode(&ev, "POST", blob, n - 1), n);
	CHECK_INT(rl_evidence_encode(&ev, "POST", blob, sizeof blob), n);
	bool damaged = true;
	rl_evidence_doc *d = rl_evidence_decode(blob, n, &damaged);
	CHECK(d != NULL && !damaged);
	if (!d)
		return;
	CHECK_INT(d->attempts, 5);
	CHECK_INT(d->nsteps, 4);
	CHECK_STR(d->method, "POST");
	CHECK_STR(d->target, "/v1/leads?id=1");
	CHECK(memcmp(d->steps, steps, sizeof steps) == 0);
	/* the doc encodes to the same bytes */
	unsigned char again[1024];
	CHECK_INT(rl_evidence_encode_doc(d, again, sizeof again), n);
	CHECK(memcmp(again, blob, n) == 0);
	free(d);

	/* no method name: "-"; the target is cleaned once, here; no steps */
	rl_evidence ev2 = {0x51, 1, T0, 1, 2, "/a\x01", 0, 1, NULL};
	n = rl_evidence_encode(&ev2, NULL, blob, sizeof blob);
	d = rl_evidence_decode(blob, n, NULL);
	CHECK(d != NULL);
	if (d) {
		CHECK_STR(d->method, "-");
		CHECK_STR(d->target, "/a\\x01");
		CHECK_INT(d->nsteps, 0);
		CHECK_INT(d->attempts, 1);
	}
	free(d);

	/* a long method needs a second call with the room the first asked for */
	char method[3000];
	memset(method, 'M', sizeof method - 1);
	method[sizeof method - 1] = 0;
	size_t need = rl_evidence_encode(&ev, method, blob, sizeof blob);
	CHECK(need > sizeof blob);
	unsigned char *big = malloc(need);
	CHECK_INT(rl_evidence_encode(&ev, method, big, need), need);
	d = rl_evidence_decode(big, need, NULL);
	CHECK(d != NULL && strcmp(d->method, method) == 0);
	free(d);
	free(big);
}

static void test_damaged(void)
{
	rl_evidence ev = {0x51, 2, T0, 1, 2, "/x", 4, 9, steps};
	unsigned char blob[256];
	size_t n = rl_evidence_encode(&ev, "GET", blob, sizeof blob - 1);
	/* every cut, and a byte too many */
	int ok = 1;
	for (size_t k = 0; k < n; k++) {
		bool damaged = false;
		ok &= rl_evidence_decode(blob, k, &damaged) == NULL && damaged;
	}
	CHECK(ok);
	blob[n] = 0;
	CHECK(rl_evidence_decode(blob, n + 1, NULL) == NULL);
	/* another version */
	blob[0] = 2;
	CHECK(rl_evidence_decode(blob, n, NULL) == NULL);
	blob[0] = RL_EVIDENCE_VERSION;
	/* more steps than are kept */
	blob[5] = RL_EVIDENCE_STEPS + 1;
	CHECK(rl_evidence_decode(blob, n, NULL) == NULL);
	blob[5] = 4;
	rl_evidence_doc *d = rl_evidence_decode(blob, n, NULL);
	CHECK(d != NULL);
	free(d);
}

int main(void)
{
	test_step_verdict();
	test_verdict_parse();
	test_wait();
	test_round_trip();
	test_damaged();
	return check_done("evidence");
}
