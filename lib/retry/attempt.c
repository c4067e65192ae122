/* retry/attempt.c - a record's hand-over and the attempt built from it (lib/retry/attempt.h). */
#include "lib/retry/attempt.h"

#include <string.h>

#include "lib/base/err.h"
#include "lib/classify/identity.h"
#include "lib/classify/policy.h"
#include "lib/retry/evidence.h"

static char *put(char *dst, rl_str s, size_t max, size_t *n)
{
	*n = s.n < max ? s.n : max;
	if (*n)
		memcpy(dst, s.p, *n);
	return dst + *n;
}

size_t rl_attempt_in_from_record(rl_attempt_in *in, const rl_record *r, const rl_attempt_origin *o, char *buf)
{
	in->start_us = rl_record_start_us(r);
	in->end_us = rl_record_end_us(r);
	in->retry_after_us = r->retry_after.n ? rl_retry_after_us(r->retry_after, in->end_us) : -1;
	in->seq = o->seq;
	in->src_hash = o->src_hash;
	in->attempt_no = r->attempt;
	in->status = (int16_t)r->status;
	in->source = o->source;
	in->endpoint = (uint16_t)o->endpoint;
	in->method = (uint8_t)o->method;
	bool rid = r->attempt > 0 && r->request_id.n; /* chained by request id (SPEC §3.1.9) */
	in->flags = (uint8_t)((r->method.n ? RL_A_HAS_METHOD : 0) | (o->safe_method ? RL_A_SAFE_METHOD : 0) |
			      (r->idempotency_key.n ? RL_A_HAS_IDEM : 0) | (rid ? RL_A_REQUEST_ID : 0) |
			      (r->duration_us >= 0 ? RL_A_HAS_DURATION : 0));
	size_t n;
	char *q = buf + rl_identity_client(r, buf, RL_CLIENT_MAX);
	in->client_n = (uint16_t)(q - buf);
	q = put(q, r->method, RL_ATTEMPT_METHOD_MAX, &n);
	in->method_n = (uint8_t)n;
	q = put(q, r->target, RL_ATTEMPT_TARGET_MAX, &n);
	in->target_n = (uint32_t)n;
	q = put(q, r->idempotency_key, RL_ATTEMPT_IDEM_MAX, &n);
	in->idem_n = (uint16_t)n;
	q = put(q, r->request_id, RL_ATTEMPT_RID_MAX, &n);
	in->rid_n = (uint16_t)n;
	return (size_t)(q - buf);
}

int rl_attempt_build(rl_attempt *a, const rl_attempt_in *in, const char *buf, rl_strpool *targets, rl_str *client)
{
	rl_str c = rl_str_make(buf, in->client_n), method = rl_str_make(c.p + c.n, in->method_n);
	rl_str target = rl_str_make(method.p + method.n, in->target_n);
	rl_str idem = rl_str_make(target.p + target.n, in->idem_n), rid = rl_str_make(idem.p + idem.n, in->rid_n);
	rl_identity_keys k;
	rl_identity_hash(c, method, target, idem, rid, &k);
	a->start_us = in->start_us;
	a->end_us = in->end_us;
	a->seq = in->seq;
	a->key = (in->flags & RL_A_REQUEST_ID) ? k.rid : k.reqkey;
	a->reqkey = k.reqkey;
	a->base = k.base;
	a->client = k.client;
	a->idem = k.idem;
	a->retry_after_us = in->retry_after_us;
	a->src_hash = in->src_hash;
	a->tol_us = 0;
	a->attempt_no = in->attempt_no;
	a->status = in->status;
	a->source = in->source;
	a->endpoint = in->endpoint;
	a->method = in->method;
	a->flags = in->flags;
	/* a failure may start a chain: its target is kept as evidence */
	a->target_ref = 0;
	if ((in->status < 0 || rl_status_is_failure(in->status)) &&
	    !(a->target_ref = rl_strpool_put(targets, target.p, target.n < RL_TARGET_MAX ? target.n : RL_TARGET_MAX)))
		return RL_ENOMEM;
	if (client)
		*client = c;
	return 0;
}
