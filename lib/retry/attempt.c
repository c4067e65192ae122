/* retry/attempt.c - a record condensed into an attempt (lib/retry/attempt.h). */
#include "lib/retry/attempt.h"

#include "lib/classify/identity.h"

static rl_str cut(rl_str s, size_t max)
{
	return s.n > max ? rl_str_make(s.p, max) : s;
}

size_t rl_attempt_from_record(rl_attempt *a, const rl_record *r, const rl_attempt_origin *o, char *client)
{
	a->start_us = rl_record_start_us(r);
	a->end_us = rl_record_end_us(r);
	a->seq = o->seq;
	bool rid = r->attempt > 0 && r->request_id.n; /* chained by request id (SPEC §3.1.9) */
	size_t client_n = rl_identity_client(r, client, RL_CLIENT_MAX);
	rl_identity_keys k;
	rl_identity_hash(rl_str_make(client, client_n), cut(r->method, RL_ATTEMPT_METHOD_MAX),
			 cut(r->target, RL_ATTEMPT_TARGET_MAX), cut(r->idempotency_key, RL_ATTEMPT_KEY_MAX),
			 cut(r->request_id, RL_ATTEMPT_KEY_MAX), &k);
	a->key = rid ? k.rid : k.reqkey;
	a->reqkey = k.reqkey;
	a->base = k.base;
	a->client = k.client;
	a->idem = k.idem;
	a->retry_after_us = r->retry_after.n ? rl_retry_after_us(r->retry_after, a->end_us) : -1;
	a->src_hash = o->src_hash;
	a->tol_us = 0;
	a->attempt_no = r->attempt;
	a->status = (int16_t)r->status;
	a->source = o->source;
	a->endpoint = (uint16_t)o->endpoint;
	a->method = (uint8_t)o->method;
	a->flags = (uint8_t)((r->method.n ? RL_A_HAS_METHOD : 0) | (o->safe_method ? RL_A_SAFE_METHOD : 0) |
			     (r->idempotency_key.n ? RL_A_HAS_IDEM : 0) | (rid ? RL_A_REQUEST_ID : 0) |
			     (r->duration_us >= 0 ? RL_A_HAS_DURATION : 0));
	a->target_ref = 0;
	return client_n;
}
