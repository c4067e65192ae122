/* test_attempt.c - a record handed over and the attempt built from it (lib/retry/attempt.h):
 * times from time and duration, the Retry-After wait, flags, the chain key (the retry key,
 * or client + request id with an attempt number), the target kept for failures only, and
 * the caps of the strings handed over. Expected values are worked by hand. */
#include <stdlib.h>

#include "lib/retry/attempt.h"
#include "lib/retry/evidence.h"
#include "tests/check.h"

#define T0 1795946400000000LL /* 2026-11-29T10:00:00Z in µs */

static rl_str s_(const char *s)
{
	return rl_str_make(s, strlen(s));
}

static rl_record record(void)
{
	rl_record r;
	rl_record_reset(&r);
	r.time_us = T0;
	r.time_res_us = 1000;
	r.status = 503;
	r.method = s_("POST");
	r.target = s_("/v1/leads?id=7");
	r.addr = s_("10.0.0.1");
	r.user_agent = s_("curl/8");
	return r;
}

static char buf[RL_ATTEMPT_IN_STR_MAX];

/* Hands r over and builds its attempt; the client string goes to client (NUL-terminated). */
static int build(const rl_record *r, const rl_attempt_origin *o, rl_strpool *pool, rl_attempt *a, char *client)
{
	rl_attempt_in in;
	size_t n = rl_attempt_in_from_record(&in, r, o, buf);
	CHECK(n <= RL_ATTEMPT_IN_STR_MAX);
	rl_str c;
	int rc = rl_attempt_build(a, &in, buf, pool, &c);
	if (!rc && client) {
		memcpy(client, c.p, c.n);
		client[c.n] = 0;
	}
	return rc;
}

static void test_values(void)
{
	rl_strpool *pool = rl_strpool_new();
	rl_attempt_origin o = {42, 0xabcd, 3, 7, 2, false};
	rl_record r = record();
	r.duration_us = 250000; /* the time is the end (nginx): start = end − duration */
	r.retry_after = s_("2");
	rl_attempt a;
	char client[RL_CLIENT_MAX];
	CHECK_INT(build(&r, &o, pool, &a, client), 0);
	CHECK_STR(client, "10.0.0.1 curl/8");
	CHECK_INT(a.start_us, T0 - 250000);
	CHECK_INT(a.end_us, T0);
	CHECK_INT(a.retry_after_us, 2000000);
	CHECK_INT(a.seq, 42);
	CHECK_INT(a.src_hash, 0xabcd);
	CHECK_INT(a.source, 3);
	CHECK_INT(a.endpoint, 7);
	CHECK_INT(a.method, 2);
	CHECK_INT(a.status, 503);
	CHECK_INT(a.tol_us, 0);
	CHECK_INT(a.flags, RL_A_HAS_METHOD | RL_A_HAS_DURATION);
	/* the hashes are those of the identity module, the key the retry key */
	rl_identity_keys k;
	rl_identity_hash(s_("10.0.0.1 curl/8"), s_("POST"), s_("/v1/leads?id=7"), RL_STR_NULL, RL_STR_NULL, &k);
	CHECK(a.client == k.client && a.reqkey == k.reqkey && a.base == k.base && a.idem == 0);
	CHECK(a.key == k.reqkey);
	/* a failure keeps its target */
	CHECK(a.target_ref != 0);
	CHECK_STR(rl_strpool_get(pool, a.target_ref), "/v1/leads?id=7");

	/* the time is the start (Apache %t): end = start + duration; a success keeps no target */
	r.time_is_start = true;
	r.status = 200;
	r.retry_after = RL_STR_NULL;
	CHECK_INT(build(&r, &o, pool, &a, NULL), 0);
	CHECK_INT(a.start_us, T0);
	CHECK_INT(a.end_us, T0 + 250000);
	CHECK_INT(a.retry_after_us, -1);
	CHECK_INT(a.target_ref, 0);
	/* no status logged counts as a failure (a chain may start there) */
	r.status = -1;
	CHECK_INT(build(&r, &o, pool, &a, NULL), 0);
	CHECK(a.target_ref != 0);
	CHECK_INT(a.status, -1);

	/* without a duration, start = end; an explicit client, an idempotency key, a safe method */
	r = record();
	r.client_id = s_("tenant-9");
	r.idempotency_key = s_("k-1");
	o.safe_method = true;
	CHECK_INT(build(&r, &o, pool, &a, client), 0);
	CHECK_STR(client, "tenant-9");
	CHECK_INT(a.start_us, T0);
	CHECK_INT(a.end_us, T0);
	CHECK_INT(a.flags, RL_A_HAS_METHOD | RL_A_SAFE_METHOD | RL_A_HAS_IDEM);
	rl_identity_hash(s_("tenant-9"), s_("POST"), s_("/v1/leads?id=7"), s_("k-1"), RL_STR_NULL, &k);
	CHECK(a.key == k.reqkey && a.idem == k.idem && a.idem != 0);

	/* a request id with an attempt number chains by client + request id (SPEC §3.1.9);
	 * a request id alone does not */
	r = record();
	r.request_id = s_("req-5");
	o.safe_method = false;
	CHECK_INT(build(&r, &o, pool, &a, NULL), 0);
	rl_identity_hash(s_("10.0.0.1 curl/8"), s_("POST"), s_("/v1/leads?id=7"), RL_STR_NULL, s_("req-5"), &k);
	CHECK(a.key == k.reqkey);
	CHECK(!(a.flags & RL_A_REQUEST_ID));
	r.attempt = 2;
	CHECK_INT(build(&r, &o, pool, &a, NULL), 0);
	CHECK(a.key == k.rid && k.rid != 0);
	CHECK_INT(a.attempt_no, 2);
	CHECK(a.flags & RL_A_REQUEST_ID);

	/* no method: flag clear, the method hashes as empty */
	r = record();
	r.method = RL_STR_NULL;
	CHECK_INT(build(&r, &o, pool, &a, NULL), 0);
	CHECK_INT(a.flags & RL_A_HAS_METHOD, 0);
	rl_strpool_free(pool);
}

static void test_caps(void)
{
	rl_strpool *pool = rl_strpool_new();
	rl_attempt_origin o = {1, 1, 0, 1, 1, false};
	rl_record r = record();
	/* every string at its longest: the buffer holds them, each cut at its cap */
	static char big[80 * 1024];
	memset(big, 'a', sizeof big);
	r.client_id = rl_str_make(big, 2000);
	r.method = rl_str_make(big, 40);
	r.target = rl_str_make(big, sizeof big);
	r.idempotency_key = rl_str_make(big, 900);
	r.request_id = rl_str_make(big, 900);
	rl_attempt_in in;
	size_t n = rl_attempt_in_from_record(&in, &r, &o, buf);
	CHECK_INT(in.client_n, RL_CLIENT_MAX - 1);
	CHECK_INT(in.method_n, RL_ATTEMPT_METHOD_MAX);
	CHECK_INT(in.target_n, RL_ATTEMPT_TARGET_MAX);
	CHECK_INT(in.idem_n, RL_ATTEMPT_IDEM_MAX);
	CHECK_INT(in.rid_n, RL_ATTEMPT_RID_MAX);
	CHECK(n <= RL_ATTEMPT_IN_STR_MAX);
	CHECK_INT(n, RL_CLIENT_MAX - 1 + RL_ATTEMPT_METHOD_MAX + RL_ATTEMPT_TARGET_MAX + RL_ATTEMPT_IDEM_MAX +
			     RL_ATTEMPT_RID_MAX);
	/* the hashes see what was kept: a method longer than the cap is the same method */
	rl_attempt a, b;
	CHECK_INT(rl_attempt_build(&a, &in, buf, pool, NULL), 0);
	r.method = rl_str_make(big, RL_ATTEMPT_METHOD_MAX);
	rl_attempt_in_from_record(&in, &r, &o, buf);
	CHECK_INT(rl_attempt_build(&b, &in, buf, pool, NULL), 0);
	CHECK(a.key == b.key);
	/* the evidence keeps RL_TARGET_MAX bytes of the target */
	CHECK_INT(strlen(rl_strpool_get(pool, a.target_ref)), RL_TARGET_MAX);
	rl_strpool_free(pool);
}

int main(void)
{
	test_values();
	test_caps();
	return check_done("attempt");
}
