/* test_chain.c - chains, verdicts, outcomes, evidence, rekeyed and lockstep
 * candidates, and saving state between runs, on attempts built by hand. */
#include <stdlib.h>

#include "lib/retry/chain.h"
#include "lib/retry/reorder.h"
#include "tests/check.h"

#define S 1000000LL
#define MS 1000LL

typedef struct tally {
	unsigned chains, retries, blind, unsafe, checked, v[RL_V_COUNT];
	unsigned recovered, gave_up, open, evidence, lockstep, rekeyed;
	unsigned gave_up_single, open_single; /* of those, chains of a single failed attempt */
	unsigned last_violations, last_nsteps, last_attempts;
	char last_target[RL_TARGET_MAX + 8];
	rl_evidence_step steps[RL_EVIDENCE_STEPS];
} tally;

static int on_start(void *ctx, int64_t start, uint64_t client)
{
	(void)start, (void)client;
	((tally *)ctx)->chains++;
	return 0;
}

static int on_retry(void *ctx, const rl_retry_event *ev)
{
	tally *t = ctx;
	t->retries++;
	t->blind += ev->blind;
	t->unsafe += ev->unsafe;
	if (ev->verdict != RL_V_NONE) {
		t->checked++;
		t->v[ev->verdict]++;
	}
	return 0;
}

static int on_outcome(void *ctx, rl_outcome o, int64_t end, uint64_t client, uint32_t attempts)
{
	(void)end, (void)client;
	tally *t = ctx;
	CHECK(attempts >= 1);
	if (o == RL_OUTCOME_RECOVERED) {
		CHECK(attempts >= 2); /* a failure, then the success */
		t->recovered++;
	} else if (o == RL_OUTCOME_GAVE_UP) {
		t->gave_up++;
		t->gave_up_single += attempts == 1;
	} else {
		t->open++;
		t->open_single += attempts == 1;
	}
	return 0;
}

static int on_evidence(void *ctx, const rl_evidence *ev)
{
	tally *t = ctx;
	t->evidence++;
	t->last_violations = ev->violations;
	t->last_nsteps = ev->nsteps;
	t->last_attempts = ev->attempts;
	snprintf(t->last_target, sizeof t->last_target, "%s", ev->target);
	memcpy(t->steps, ev->steps, ev->nsteps * sizeof *ev->steps);
	return 0;
}

static int on_lockstep(void *ctx, unsigned round, int64_t start, uint64_t client)
{
	(void)round, (void)start, (void)client;
	((tally *)ctx)->lockstep++;
	return 0;
}

static int on_rekeyed(void *ctx, int64_t start, uint64_t client)
{
	(void)start, (void)client;
	((tally *)ctx)->rekeyed++;
	return 0;
}

static int64_t res_us = MS; /* the resolution of the one input of these tests */

static int64_t tol(void *ctx, uint16_t source, bool has_duration)
{
	(void)ctx, (void)source, (void)has_duration;
	return res_us;
}

static const char *names[2][4] = {{"", "/v1/x", "/v1/y", ""}, {"", "GET", "POST", ""}};
static const char *name_of(void *ctx, int kind, uint32_t id)
{
	(void)ctx;
	return id < 3 ? names[kind][id] : "";
}
static uint32_t id_of(void *ctx, int kind, const char *name)
{
	(void)ctx;
	for (uint32_t i = 1; i < 3; i++)
		if (!strcmp(names[kind][i], name))
			return i;
	return 0;
}

static rl_policy policy;
static rl_strpool *targets;
static tally T;
static uint64_t seq;

static rl_chain *make(const char *policy_name)
{
	rl_err err;
	memset(&policy, 0, sizeof policy);
	rl_policy_load(&policy, policy_name, &err);
	rl_chain_opts o = {&policy, 120 * S, 60 * S, 0, tol, NULL, {NULL, name_of, id_of}};
	rl_chain_sink sink = {&T, on_start, on_retry, on_outcome, on_evidence, on_lockstep, on_rekeyed};
	rl_chain *c;
	if (rl_chain_new(&c, &o, &sink, targets, &err))
		return NULL;
	memset(&T, 0, sizeof T);
	return c;
}

/* An attempt of client cl: method 1 GET / 2 POST, at start (µs, start = end), status,
 * Retry-After (µs, -1 none), idempotency key (0 none). */
static rl_attempt at(uint64_t cl, int method, int64_t start, int status, int64_t ra, uint64_t idem)
{
	rl_attempt a;
	memset(&a, 0, sizeof a);
	a.start_us = a.end_us = start;
	a.seq = ++seq;
	a.client = cl;
	a.base = cl * 31 + (uint64_t)method;
	a.idem = idem;
	a.reqkey = idem ? a.base ^ (idem * 7) : a.base;
	a.key = a.reqkey;
	a.retry_after_us = ra;
	a.status = (int16_t)status;
	a.endpoint = 1;
	a.method = (uint8_t)method;
	a.flags = RL_A_HAS_METHOD | (method == 1 ? RL_A_SAFE_METHOD : 0) | (idem ? RL_A_HAS_IDEM : 0);
	if (status >= 400 || status == 0) {
		const char *t = method == 1 ? "/v1/x?id=1" : "/v1/y";
		a.target_ref = rl_strpool_put(targets, t, strlen(t));
	}
	return a;
}

/* Feeds attempts in order and finishes at end (µs; < 0 for far in the future). */
static void run(rl_chain *c, rl_attempt *as, size_t n, int64_t end)
{
	for (size_t i = 0; i < n; i++) {
		rl_chain_advance(c, as[i].start_us);
		CHECK_INT(rl_chain_judge(c, &as[i]), 0);
	}
	CHECK_INT(rl_chain_finish(c, end < 0 ? INT64_MAX / 2 : end), 0);
	CHECK_INT(rl_chain_active(c), 0);
}

static void test_compliant_doubling(void)
{
	/* 1 s resolution: 503, then retries after 1 s, 2 s, 4 s; the last succeeds */
	res_us = S;
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 1, 0, 503, -1, 0), at(1, 1, 1 * S, 503, -1, 0), at(1, 1, 3 * S, 503, -1, 0),
			  at(1, 1, 7 * S, 200, -1, 0)};
	run(c, a, 4, -1);
	CHECK_INT(T.chains, 1);
	CHECK_INT(T.retries, 3);
	CHECK_INT(T.checked, 3);
	CHECK_INT(T.v[RL_V_COMPLIANT], 3);
	CHECK_INT(T.recovered, 1);
	CHECK_INT(T.evidence, 0); /* no violation, no evidence */
	rl_chain_free(c);
	res_us = MS;
}

static void test_too_fast(void)
{
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 1, 0, 503, -1, 0), at(1, 1, 10 * MS, 503, -1, 0), at(1, 1, 20 * MS, 200, -1, 0)};
	run(c, a, 3, -1);
	CHECK_INT(T.v[RL_V_TOO_FAST], 2);
	CHECK_INT(T.recovered, 1);
	CHECK_INT(T.evidence, 1);
	CHECK_INT(T.last_violations, 2);
	CHECK_INT(T.last_nsteps, 3);
	CHECK_INT(T.steps[0].flags, RL_STEP_FIRST);
	CHECK_INT(T.steps[1].wait_us, 10 * MS);
	CHECK_INT(T.steps[1].verdict, RL_V_TOO_FAST);
	CHECK_STR(T.last_target, "/v1/x?id=1");
	CHECK_INT(T.lockstep, 2); /* ms resolution, no Retry-After: both are candidates */
	rl_chain_free(c);
}

static void test_retry_after(void)
{
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 1, 0, 429, 2 * S, 0), at(1, 1, 1 * S, 200, -1, 0)};
	run(c, a, 2, -1);
	CHECK_INT(T.v[RL_V_IGNORED_RETRY_AFTER], 1);
	CHECK_INT(T.lockstep, 0);
	rl_chain_free(c);
}

static void test_over_max_and_jitter(void)
{
	/* leaperone, 7 retries with jittered waits: retries 6 and 7 are over the 5 allowed */
	rl_chain *c = make("leaperone");
	int64_t waits[] = {1300, 2700, 4100, 8900, 16500, 30200, 30800};
	rl_attempt a[8];
	int64_t t = 0;
	a[0] = at(1, 1, 0, 503, -1, 0);
	for (int i = 0; i < 7; i++) {
		t += waits[i] * MS;
		a[i + 1] = at(1, 1, t, i == 6 ? 200 : 503, -1, 0);
	}
	run(c, a, 8, -1);
	CHECK_INT(T.retries, 7);
	CHECK_INT(T.v[RL_V_COMPLIANT], 5);
	CHECK_INT(T.v[RL_V_OVER_MAX_RETRIES], 2);
	CHECK_INT(T.recovered, 1);
	rl_chain_free(c);

	/* exact 1000·2^n gaps: each within 5 ms of the nominal wait */
	c = make("leaperone");
	rl_attempt b[] = {at(2, 1, 0, 503, -1, 0), at(2, 1, 1000 * MS, 503, -1, 0), at(2, 1, 3000 * MS, 503, -1, 0),
			  at(2, 1, 7000 * MS, 200, -1, 0)};
	run(c, b, 4, -1);
	CHECK_INT(T.v[RL_V_NO_JITTER], 3);
	CHECK_INT(T.evidence, 1);
	CHECK_INT(T.last_violations, 3);
	CHECK_INT(T.steps[2].verdict, RL_V_NO_JITTER);
	rl_chain_free(c);

	/* the formula plus a constant 300 ms: no wait is within 5 ms of its nominal one, but
	 * the offsets span 2 ms over 3 retries: all no_jitter */
	c = make("leaperone");
	rl_attempt d[] = {at(3, 1, 0, 503, -1, 0), at(3, 1, 1300 * MS, 503, -1, 0), at(3, 1, 3602 * MS, 503, -1, 0),
			  at(3, 1, 7903 * MS, 200, -1, 0)};
	run(c, d, 4, -1);
	CHECK_INT(T.v[RL_V_NO_JITTER], 3);
	rl_chain_free(c);

	/* two such retries are not enough for the chain test */
	c = make("leaperone");
	rl_attempt e[] = {at(4, 1, 0, 503, -1, 0), at(4, 1, 1300 * MS, 503, -1, 0), at(4, 1, 3602 * MS, 200, -1, 0)};
	run(c, e, 3, -1);
	CHECK_INT(T.v[RL_V_NO_JITTER], 0);
	CHECK_INT(T.v[RL_V_COMPLIANT], 2);
	rl_chain_free(c);
}

static void test_unsafe_blind(void)
{
	/* POST retried without an idempotency key: unsafe; with one: fine */
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 2, 0, 503, -1, 0), at(1, 2, 1 * S, 201, -1, 0), at(2, 2, 0, 503, -1, 77),
			  at(2, 2, 1 * S, 201, -1, 77)};
	run(c, a, 4, -1);
	CHECK_INT(T.retries, 2);
	CHECK_INT(T.unsafe, 1);
	CHECK_INT(T.v[RL_V_COMPLIANT], 2);
	rl_chain_free(c);
	/* leadey names no idempotency header: a key makes nothing safe */
	c = make("leadey");
	rl_attempt b[] = {at(2, 2, 0, 503, -1, 77), at(2, 2, 1 * S, 201, -1, 77)};
	run(c, b, 2, -1);
	CHECK_INT(T.unsafe, 1);
	rl_chain_free(c);
	/* 400 retried unchanged: blind, not backoff-checked; the chain gives up */
	c = make("default");
	rl_attempt d[] = {at(1, 1, 0, 400, -1, 0), at(1, 1, 0, 400, -1, 0), at(1, 1, 2 * S, 400, -1, 0)};
	run(c, d, 3, -1);
	CHECK_INT(T.retries, 2);
	CHECK_INT(T.blind, 2);
	CHECK_INT(T.checked, 0);
	CHECK_INT(T.gave_up, 1);
	CHECK_INT(T.last_violations, 2);
	rl_chain_free(c);
}

static void test_outcomes(void)
{
	/* 429 then 200: recovered */
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 1, 0, 429, -1, 0), at(1, 1, 1 * S, 200, -1, 0)};
	run(c, a, 2, -1);
	CHECK_INT(T.recovered, 1);
	CHECK_INT(T.chains, 1);
	rl_chain_free(c);
	/* 500 × 6: gave_up once the window has passed by the end of input, else open */
	for (int k = 0; k < 2; k++) {
		c = make("default");
		rl_attempt b[6];
		for (int i = 0; i < 6; i++)
			b[i] = at(1, 1, (int64_t)i * (1LL << i) * S, 500, -1, 0);
		int64_t last = b[5].end_us;
		run(c, b, 6, k ? last + 120 * S : last + 120 * S + 1);
		CHECK_INT(T.retries, 5);
		CHECK_INT(T.gave_up, k ? 0 : 1);
		CHECK_INT(T.open, k ? 1 : 0);
		rl_chain_free(c);
	}
	/* a success first: a chain of one, no outcome; the window is inclusive */
	c = make("default");
	rl_attempt d[] = {at(1, 1, 0, 200, -1, 0), at(1, 1, 1 * S, 503, -1, 0), at(1, 1, 121 * S, 503, -1, 0),
			  at(1, 1, 241 * S + 1, 503, -1, 0)};
	run(c, d, 4, -1);
	CHECK_INT(T.chains, 3); /* 200 | 503, 503 (at exactly 120 s) | 503 (1 µs past) */
	CHECK_INT(T.retries, 1);
	CHECK_INT(T.recovered + T.gave_up + T.open, 2);
	rl_chain_free(c);
}

static void test_close_by_time(void)
{
	/* advance() closes a failed chain once latest − max_lag > last_end + window */
	rl_chain *c = make("default");
	rl_attempt a = at(1, 1, 0, 503, -1, 0);
	CHECK_INT(rl_chain_judge(c, &a), 0);
	rl_chain_advance(c, 180 * S);
	CHECK_INT(rl_chain_active(c), 1);
	/* 1 µs later it is closed: a late attempt inside its window starts a new chain */
	rl_chain_advance(c, 180 * S + 1);
	rl_attempt late = at(1, 1, 119 * S, 503, -1, 0);
	CHECK_INT(rl_chain_judge(c, &late), 0);
	CHECK_INT(T.retries, 0);
	CHECK_INT(T.chains, 2);
	CHECK_INT(T.gave_up, 1);
	CHECK_INT(rl_chain_active(c), 1);
	/* the wheel closes what is due once the second has passed */
	rl_chain_advance(c, 299 * S);
	CHECK_INT(rl_chain_active(c), 1);
	rl_chain_advance(c, 300 * S);
	CHECK_INT(rl_chain_active(c), 0);
	CHECK_INT(T.gave_up, 2);
	rl_chain_free(c);
}

static void test_close_wheel(void)
{
	/* memory follows the window: a first failure due an hour ahead (a long request)
	 * must not hold back the closing of the chains behind it */
	rl_chain *c = make("default");
	rl_chain_advance(c, 0);
	rl_attempt a = at(1, 1, 0, 504, -1, 0);
	a.end_us = 3600 * S;
	CHECK_INT(rl_chain_judge(c, &a), 0);
	for (int64_t t = 1; t <= 1800; t++) {
		rl_chain_advance(c, t * S);
		rl_attempt b = at(100 + (uint64_t)t, 1, t * S, 503, -1, 0);
		CHECK_INT(rl_chain_judge(c, &b), 0);
	}
	/* key t closes once latest > t + 180 s: at 1800 s, keys 1..1619 are gone */
	CHECK_INT(T.gave_up, 1619);
	CHECK_INT(rl_chain_active(c), 1800 - 1619 + 1);
	CHECK_INT(rl_chain_finish(c, 1800 * S), 0);
	CHECK_INT(T.open, 122); /* key 1 and keys 1680..1800: ended ≤ 120 s before the end */
	CHECK_INT(T.gave_up, 1619 + 60);
	rl_chain_free(c);

	/* states filed before the first advance (a reload) close on time */
	c = make("default");
	for (int64_t t = 0; t < 100; t++) {
		rl_attempt b = at(100 + (uint64_t)t, 1, t * S, 503, -1, 0);
		CHECK_INT(rl_chain_judge(c, &b), 0);
	}
	rl_chain_advance(c, 250 * S);
	rl_chain_advance(c, 251 * S);
	CHECK_INT(T.gave_up, 71); /* due 180..250 s: closed once latest passes them */
	rl_chain_free(c);
}

static void test_rekeyed(void)
{
	/* POST with key 5 fails; the client retries under key 6: a new chain, and rekeyed */
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 2, 0, 503, -1, 5), at(1, 2, 1 * S, 201, -1, 6), at(1, 2, 2 * S, 503, -1, 7),
			  at(1, 2, 200 * S, 201, -1, 8)};
	run(c, a, 4, -1);
	CHECK_INT(T.rekeyed, 1); /* the last is more than the window after */
	CHECK_INT(T.chains, 4);
	CHECK_INT(T.retries, 0);
	rl_chain_free(c);
}

static void test_request_id(void)
{
	/* attempt and request_id chain regardless of target; no window test while open */
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 1, 0, 503, -1, 0), at(1, 1, 2 * S, 503, -1, 0), at(1, 1, 5 * S, 200, -1, 0),
			  at(1, 1, 6 * S, 503, -1, 0)};
	for (int i = 0; i < 4; i++) {
		a[i].flags |= RL_A_REQUEST_ID;
		a[i].key = 4242;
		a[i].attempt_no = i < 3 ? i + 1 : 1;
	}
	a[1].reqkey ^= 1; /* the client changed the request: not blind */
	run(c, a, 4, -1);
	CHECK_INT(T.chains, 2); /* attempt 1 again starts a new one */
	CHECK_INT(T.retries, 2);
	CHECK_INT(T.recovered, 1);
	CHECK_INT(T.gave_up, 1);
	rl_chain_free(c);
}

typedef struct saved {
	int kind[64];
	uint64_t key[64];
	unsigned char data[64][512];
	size_t n[64], count;
} saved;

static int put(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	saved *s = ctx;
	if (s->count == 64 || n > 512)
		return -1;
	s->kind[s->count] = kind;
	s->key[s->count] = key;
	memcpy(s->data[s->count], blob, n);
	s->n[s->count++] = n;
	return 0;
}

static void test_single_attempts(void)
{
	/* input over long ago: a lone 404, 400 retried once, 429 then 200, a first-time 200,
	 * and a 503 whose second try came after the window (two chains of one) */
	rl_chain *c = make("default");
	rl_attempt a[] = {at(1, 1, 0, 404, -1, 0),     at(2, 1, 0, 400, -1, 0),	     at(3, 1, 0, 429, -1, 0),
			  at(4, 1, 0, 200, -1, 0),     at(5, 1, 0, 503, -1, 0),	     at(2, 1, 1 * S, 400, -1, 0),
			  at(3, 1, 1 * S, 200, -1, 0), at(5, 1, 200 * S, 503, -1, 0)};
	run(c, a, 8, -1);
	CHECK_INT(T.chains, 6);
	CHECK_INT(T.recovered, 1);
	CHECK_INT(T.gave_up, 4);
	CHECK_INT(T.gave_up_single, 3); /* the 404 and both 503s */
	CHECK_INT(T.open, 0);
	rl_chain_free(c);

	/* input ends at 150 s: the 404 at 0 gave up, the one at 50 s is open, alone; the
	 * 503 retried at 51 s is open after a retry */
	c = make("default");
	rl_attempt b[] = {at(3, 1, 0, 404, -1, 0), at(1, 1, 50 * S, 404, -1, 0), at(2, 1, 50 * S, 503, -1, 0),
			  at(2, 1, 51 * S, 503, -1, 0)};
	run(c, b, 4, 150 * S);
	CHECK_INT(T.gave_up, 1);
	CHECK_INT(T.gave_up_single, 1);
	CHECK_INT(T.open, 2);
	CHECK_INT(T.open_single, 1);
	rl_chain_free(c);

	/* by request_id: attempt 1 failed and nothing followed */
	c = make("default");
	rl_attempt d[] = {at(1, 1, 0, 503, -1, 0)};
	d[0].flags |= RL_A_REQUEST_ID;
	d[0].key = 77;
	d[0].attempt_no = 1;
	run(c, d, 1, -1);
	CHECK_INT(T.gave_up_single, 1);
	rl_chain_free(c);

	/* across a saved state: the 404 stays single, the 503 gets its retry after the load */
	rl_attempt e[] = {at(1, 1, 0, 404, -1, 0), at(2, 1, 0, 503, -1, 0), at(2, 1, 2 * S, 503, -1, 0)};
	c = make("default");
	for (int i = 0; i < 2; i++)
		CHECK_INT(rl_chain_judge(c, &e[i]), 0);
	saved sv = {0};
	CHECK_INT(rl_chain_save(c, put, &sv), 0);
	rl_chain_free(c);
	c = make("default");
	rl_err err;
	for (size_t i = 0; i < sv.count; i++)
		CHECK_INT(rl_chain_load(c, sv.kind[i], sv.key[i], sv.data[i], sv.n[i], &err), 0);
	CHECK_INT(rl_chain_judge(c, &e[2]), 0);
	CHECK_INT(rl_chain_finish(c, INT64_MAX / 2), 0);
	CHECK_INT(T.gave_up, 2);
	CHECK_INT(T.gave_up_single, 1);
	rl_chain_free(c);
}

static void test_save_load(void)
{
	/* one run vs the same attempts split in two runs, the state saved in between */
	rl_attempt a[] = {at(1, 1, 0, 503, -1, 0),	   at(1, 1, 1000 * MS, 503, -1, 0),
			  at(1, 1, 3000 * MS, 503, -1, 0), at(1, 1, 7000 * MS, 200, -1, 0),
			  at(1, 2, 0, 503, -1, 5),	   at(1, 2, 1 * S, 201, -1, 6)};
	rl_chain *c = make("leaperone");
	rl_attempt copy[6];
	memcpy(copy, a, sizeof a);
	for (int i = 0; i < 6; i++) /* targets are owned by the chain once judged */
		if (copy[i].target_ref) {
			const char *t = rl_strpool_get(targets, a[i].target_ref);
			copy[i].target_ref = rl_strpool_put(targets, t, strlen(t));
		}
	int order[] = {0, 4, 1, 2, 5, 3};
	for (int i = 0; i < 6; i++)
		rl_chain_judge(c, &a[order[i]]);
	rl_chain_finish(c, INT64_MAX / 2);
	tally one = T;
	rl_chain_free(c);

	c = make("leaperone");
	for (int i = 0; i < 3; i++)
		rl_chain_judge(c, &copy[order[i]]);
	saved sv = {0};
	CHECK_INT(rl_chain_save(c, put, &sv), 0);
	CHECK_INT(sv.count, 3); /* the two open chains and the rekey entry */
	tally half = T;
	rl_chain_free(c);
	c = make("leaperone");
	rl_err err;
	for (size_t i = 0; i < sv.count; i++)
		CHECK_INT(rl_chain_load(c, sv.kind[i], sv.key[i], sv.data[i], sv.n[i], &err), 0);
	for (int i = 3; i < 6; i++)
		rl_chain_judge(c, &copy[order[i]]);
	rl_chain_finish(c, INT64_MAX / 2);
	CHECK_INT(half.chains + T.chains, one.chains);
	CHECK_INT(half.retries + T.retries, one.retries);
	CHECK_INT(half.v[RL_V_NO_JITTER] + T.v[RL_V_NO_JITTER], one.v[RL_V_NO_JITTER]);
	CHECK_INT(one.v[RL_V_NO_JITTER], 3);
	CHECK_INT(half.rekeyed + T.rekeyed, one.rekeyed);
	CHECK_INT(one.rekeyed, 1);
	CHECK_INT(T.evidence, one.evidence);
	CHECK_INT(T.last_violations, one.last_violations);
	/* a damaged blob is refused */
	CHECK_INT(rl_chain_load(c, RL_CHAIN_STATE, 0, sv.data[0], 10, &err), RL_EDB);
	rl_chain_free(c);
}

static int release_cb(void *ctx, const rl_attempt *a)
{
	uint64_t *out = ctx;
	out[++out[0]] = a->seq;
	return 0;
}

static void test_reorder(void)
{
	/* released in (start, end, seq) order once start ≤ latest − max_lag */
	rl_reorder *r = rl_reorder_new(60 * S);
	uint64_t got[32] = {0};
	int64_t starts[] = {10 * S, 5 * S, 70 * S, 9 * S, 71 * S, 69 * S + 500000, 200 * S, 130 * S, 1000 * S};
	int late[] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
	for (int i = 0; i < 9; i++) {
		rl_attempt a;
		memset(&a, 0, sizeof a);
		a.start_us = a.end_us = starts[i];
		a.seq = (uint64_t)i + 1;
		late[i] = rl_reorder_push(r, &a, release_cb, got);
	}
	/* 9 s arrives when latest is 70 s, 130 s when it is 200 s: both late */
	int want_late[] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
	for (int i = 0; i < 9; i++)
		CHECK_INT(late[i], want_late[i]);
	rl_reorder_drain(r, release_cb, got);
	/* 5 s (seq 2) before 10 s (seq 1); 69.5 s (seq 6) before 70 s and 71 s */
	uint64_t want[] = {2, 1, 6, 3, 5, 7, 9};
	CHECK_INT(got[0], 7);
	for (int i = 0; i < 7; i++)
		CHECK_INT(got[i + 1], want[i]);
	CHECK_INT(rl_reorder_count(r), 0);
	rl_reorder_free(r);
}

int main(void)
{
	targets = rl_strpool_new();
	test_compliant_doubling();
	test_too_fast();
	test_retry_after();
	test_over_max_and_jitter();
	test_unsafe_blind();
	test_outcomes();
	test_close_by_time();
	test_close_wheel();
	test_rekeyed();
	test_request_id();
	test_save_load();
	test_single_attempts();
	test_reorder();
	CHECK_INT(rl_strpool_used(targets), 0); /* every target copy came back */
	rl_strpool_free(targets);
	return check_done("chain");
}
