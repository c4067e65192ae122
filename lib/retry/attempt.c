/* retry/attempt.c - a record condensed into an attempt (lib/retry/attempt.h). */
#include "lib/retry/attempt.h"

void rl_attempt_from_record(rl_attempt *a, const rl_record *r, const rl_attempt_origin *o)
{
	a->start_us = rl_record_start_us(r);
	a->end_us = rl_record_end_us(r);
	a->seq = o->seq;
	bool rid = r->attempt > 0 && r->request_id.n; /* chained by request id (SPEC §3.1.9) */
	a->key = a->reqkey = a->base = a->client = a->idem = 0; /* the retry worker hashes */
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
}
