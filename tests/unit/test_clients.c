/* test_clients.c - the per-client table between commits (lib/aggregate/clients.h): rows by hash,
 * names, retry counters and violations, the evidence kept (most violations, ties the
 * earliest chain, as a blob lib/retry/evidence.h decodes), the database order, reset. */
#include <stdlib.h>

#include "lib/aggregate/clients.h"
#include "tests/check.h"

#define T0 1795946400000000LL /* 2026-11-29T10:00:00Z in µs */

static rl_retry_event retry(uint64_t client, bool blind, bool unsafe, rl_verdict v)
{
	rl_retry_event ev;
	memset(&ev, 0, sizeof ev);
	ev.start_us = T0;
	ev.client = client;
	ev.status = 503;
	ev.blind = blind;
	ev.unsafe = unsafe;
	ev.verdict = v;
	return ev;
}

static void test_rows(void)
{
	rl_clients *t = rl_clients_new();
	CHECK(t != NULL);
	CHECK_INT(rl_clients_count(t), 0);
	CHECK(!rl_clients_full(t));
	/* a row per hash, its name copied from the view (n bytes, NUL-terminated) */
	const char line[] = "10.0.0.1 curl/8|rest";
	rl_client_row *r = rl_clients_get(t, 0x1001, line, 15);
	CHECK(r != NULL);
	CHECK(r->hash == 0x1001);
	CHECK_STR(r->name, "10.0.0.1 curl/8");
	CHECK(r->name != line);
	int zero = 1;
	for (int i = 0; i < RL_CL_N; i++)
		zero &= r->v[i] == 0;
	CHECK(zero);
	CHECK(r->evidence == NULL && r->ev_violations == 0);
	r->v[RL_CL_ATTEMPTS] = 4;
	/* the same hash, the same row; a second name does not replace the first */
	r = rl_clients_get(t, 0x1001, "other", 5);
	CHECK_STR(r->name, "10.0.0.1 curl/8");
	CHECK_INT(r->v[RL_CL_ATTEMPTS], 4);
	CHECK_INT(rl_clients_count(t), 1);
	/* created without a name; a name given later fills it */
	r = rl_clients_get(t, 0x2003, NULL, 0);
	CHECK(r->name == NULL);
	r = rl_clients_get(t, 0x2003, "svc-b", 5);
	CHECK_STR(r->name, "svc-b");
	CHECK_INT(rl_clients_count(t), 2);
	/* 5,000 more rows: every row keeps its own counters and name through growth */
	char name[32];
	for (uint64_t i = 0; i < 5000; i++) {
		int n = snprintf(name, sizeof name, "client-%llu", (unsigned long long)i);
		r = rl_clients_get(t, i * 0x10000 + 0x77, name, (size_t)n);
		r->v[RL_CL_ATTEMPTS] = i + 10;
	}
	CHECK_INT(rl_clients_count(t), 5002);
	int ok = 1;
	for (uint64_t i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "client-%llu", (unsigned long long)i);
		r = rl_clients_get(t, i * 0x10000 + 0x77, NULL, 0);
		ok &= r->v[RL_CL_ATTEMPTS] == i + 10 && strcmp(r->name, name) == 0 && r->hash == i * 0x10000 + 0x77;
	}
	CHECK(ok);
	CHECK_INT(rl_clients_count(t), 5002);
	CHECK_INT(rl_clients_get(t, 0x1001, NULL, 0)->v[RL_CL_ATTEMPTS], 4);
	/* rows by position cover each row once */
	uint64_t sum = 0;
	for (size_t i = 0; i < rl_clients_count(t); i++)
		sum += rl_clients_row(t, i)->v[RL_CL_ATTEMPTS];
	CHECK_INT(sum, 4 + (10 + 5009) * 5000 / 2);
	CHECK(!rl_clients_full(t));
	/* reset: no rows; a hash seen before starts over, without a name */
	rl_clients_reset(t);
	CHECK_INT(rl_clients_count(t), 0);
	r = rl_clients_get(t, 0x1001, NULL, 0);
	CHECK(r->name == NULL);
	CHECK_INT(r->v[RL_CL_ATTEMPTS], 0);
	CHECK_INT(rl_clients_count(t), 1);
	rl_clients_free(t);
	rl_clients_free(NULL);
}

static void test_retries(void)
{
	rl_clients *t = rl_clients_new();
	const uint64_t c = 0xabc1;
	rl_retry_event evs[] = {
		retry(c, true, false, RL_V_NONE), /* blind 4xx: 1 violation, not checked */
		retry(c, false, false, RL_V_COMPLIANT), /* checked, no violation */
		retry(c, false, true, RL_V_TOO_FAST), /* unsafe and too fast: 2 violations */
		retry(c, false, false, RL_V_IGNORED_RETRY_AFTER),
		retry(c, false, false, RL_V_OVER_MAX_RETRIES),
		retry(c, false, false, RL_V_NO_JITTER),
		retry(c, false, false, RL_V_COMPLIANT),
		retry(c, false, true, RL_V_NONE), /* unsafe, not checked: 1 violation */
	};
	for (size_t i = 0; i < sizeof evs / sizeof *evs; i++)
		CHECK_INT(rl_clients_add_retry(t, &evs[i]), 0);
	/* another client's retry goes to its own row */
	rl_retry_event other = retry(0xdef1, true, true, RL_V_TOO_FAST);
	CHECK_INT(rl_clients_add_retry(t, &other), 0);
	rl_client_row *r = rl_clients_get(t, c, NULL, 0);
	CHECK_INT(r->v[RL_CL_ATTEMPTS], 0); /* attempts are counted by the caller */
	CHECK_INT(r->v[RL_CL_RETRIES], 8);
	CHECK_INT(r->v[RL_CL_BLIND_4XX], 1);
	CHECK_INT(r->v[RL_CL_UNSAFE], 2);
	CHECK_INT(r->v[RL_CL_CHECKED], 6);
	CHECK_INT(r->v[RL_CL_COMPLIANT], 2);
	CHECK_INT(r->v[RL_CL_TOO_FAST], 1);
	CHECK_INT(r->v[RL_CL_IGNORED_RETRY_AFTER], 1);
	CHECK_INT(r->v[RL_CL_OVER_MAX_RETRIES], 1);
	CHECK_INT(r->v[RL_CL_NO_JITTER], 1);
	/* blind 1 + unsafe 2 + backoff verdicts other than compliant 4 */
	CHECK_INT(r->v[RL_CL_VIOLATIONS], 7);
	CHECK_INT(r->v[RL_CL_REKEYED], 0);
	r = rl_clients_get(t, 0xdef1, NULL, 0);
	CHECK_INT(r->v[RL_CL_RETRIES], 1);
	CHECK_INT(r->v[RL_CL_VIOLATIONS], 3);
	CHECK_INT(rl_clients_count(t), 2);
	rl_clients_free(t);
}

/* The attempts of a row's evidence blob; -1 when it has none or it does not decode. */
static long long ev_attempts(const rl_client_row *r)
{
	rl_evidence_doc *d = r->evidence ? rl_evidence_decode(r->evidence, r->evidence_len, NULL) : NULL;
	long long n = d ? (long long)d->attempts : -1;
	free(d);
	return n;
}

static void test_evidence_kept(void)
{
	rl_clients *t = rl_clients_new();
	rl_evidence_step st[] = {{T0, INT32_MIN, 503, RL_V_NONE, RL_STEP_FIRST}};
	/* attempts tells the offers apart */
	rl_evidence ev = {0x61, 2, T0 + 100, 1, 1, "/x", 1, 1, st};
	CHECK_INT(rl_clients_add_evidence(t, &ev, "GET"), 0);
	rl_client_row *r = rl_clients_get(t, 0x61, NULL, 0);
	CHECK_INT(r->ev_violations, 2);
	CHECK_INT(r->ev_start, T0 + 100);
	CHECK_INT(ev_attempts(r), 1);
	/* fewer violations: not kept */
	ev.violations = 1, ev.first_start_us = T0, ev.attempts = 2;
	rl_clients_add_evidence(t, &ev, "GET");
	CHECK_INT(r->ev_violations, 2);
	CHECK_INT(ev_attempts(r), 1);
	/* as many, a later chain: not kept */
	ev.violations = 2, ev.first_start_us = T0 + 200, ev.attempts = 3;
	rl_clients_add_evidence(t, &ev, "GET");
	CHECK_INT(ev_attempts(r), 1);
	/* as many, the same start: the first one stays */
	ev.violations = 2, ev.first_start_us = T0 + 100, ev.attempts = 4;
	rl_clients_add_evidence(t, &ev, "GET");
	CHECK_INT(ev_attempts(r), 1);
	/* as many, an earlier chain: kept */
	ev.violations = 2, ev.first_start_us = T0 + 50, ev.attempts = 5;
	rl_clients_add_evidence(t, &ev, "GET");
	CHECK_INT(ev_attempts(r), 5);
	CHECK_INT(r->ev_start, T0 + 50);
	/* more violations, however late: kept */
	ev.violations = 3, ev.first_start_us = T0 + 9000, ev.attempts = 6;
	rl_clients_add_evidence(t, &ev, "GET");
	CHECK_INT(ev_attempts(r), 6);
	CHECK_INT(r->ev_violations, 3);
	CHECK_INT(r->ev_start, T0 + 9000);
	/* evidence of a client not seen yet makes its row */
	ev.client = 0x71;
	CHECK_INT(rl_clients_add_evidence(t, &ev, "GET"), 0);
	CHECK_INT(rl_clients_count(t), 2);
	CHECK(rl_clients_get(t, 0x71, NULL, 0)->evidence != NULL);
	rl_clients_free(t);
}

static void test_sort(void)
{
	/* the database's order: the hash as a signed integer; lookups still work after */
	rl_clients *t = rl_clients_new();
	uint64_t h[] = {5, 0x8000000000000001ULL, 3, UINT64_MAX, 7, 0x7fffffffffffffffULL};
	for (int i = 0; i < 6; i++)
		rl_clients_get(t, h[i], NULL, 0)->v[RL_CL_ATTEMPTS] = (uint64_t)i + 1;
	rl_clients_sort(t);
	uint64_t want[] = {0x8000000000000001ULL, UINT64_MAX, 3, 5, 7, 0x7fffffffffffffffULL};
	int ok = 1;
	for (size_t i = 0; i < 6; i++)
		ok &= rl_clients_row(t, i)->hash == want[i];
	CHECK(ok);
	for (int i = 0; i < 6; i++)
		CHECK_INT(rl_clients_get(t, h[i], NULL, 0)->v[RL_CL_ATTEMPTS], i + 1);
	CHECK_INT(rl_clients_count(t), 6);
	rl_clients_free(t);
}

static void test_full(void)
{
	/* a table fills up: it says so before it has grown without bound, and a reset
	 * empties it */
	rl_clients *t = rl_clients_new();
	size_t n = 0;
	while (!rl_clients_full(t) && n < 1000000)
		rl_clients_get(t, (uint64_t)n++ * 2 + 1, "x", 1);
	CHECK(rl_clients_full(t));
	CHECK(n < 1000000);
	CHECK_INT(rl_clients_count(t), n);
	rl_clients_reset(t);
	CHECK(!rl_clients_full(t));
	rl_clients_free(t);
}

int main(void)
{
	test_rows();
	test_retries();
	test_evidence_kept();
	test_sort();
	test_full();
	return check_done("clients");
}
