/* retry/chain.c - chain states, the judging of each attempt, and closing (saving is in
 * chain_saved.c). */
#include "lib/retry/chain.h"

#include <stdlib.h>
#include <string.h>

#include "lib/retry/chain_internal.h"

/* --- the close wheel ----------------------------------------------------------- */

/* A chain closes once the latest start read is past this (SPEC §3.1.8). */
static int64_t due_of(const rl_chain *c, const cstate *s)
{
	return s->last_end + c->o.window_us + c->o.max_lag_us;
}

static void wheel_unlink(rl_chain *c, uint32_t ref)
{
	cstate *s = state(c, ref);
	if (!s->prev)
		return;
	if (s->prev & WHEEL_HEAD)
		c->wheel[s->prev & ~WHEEL_HEAD] = s->next;
	else
		state(c, s->prev)->next = s->next;
	if (s->next)
		state(c, s->next)->prev = s->prev;
	s->prev = s->next = 0;
}

/* (Re)files a state under the second its close is due. Before the first advance the
 * cursor follows the earliest due; after it, a due in a second already walked (a late
 * attempt's chain) goes to the overdue list, which the next advance closes. */
void rl_chain_schedule(rl_chain *c, uint32_t ref)
{
	wheel_unlink(c, ref);
	cstate *s = state(c, ref);
	int64_t sec = rl_floor_div(due_of(c, s), WHEEL_US);
	if (c->latest == INT64_MIN && (c->cursor == INT64_MIN || sec < c->cursor))
		c->cursor = sec;
	uint32_t b = c->latest != INT64_MIN && sec < c->cursor ? (uint32_t)c->nwheel
							       : (uint32_t)((uint64_t)sec & (c->nwheel - 1));
	s->next = c->wheel[b];
	s->prev = WHEEL_HEAD | b;
	if (s->next)
		state(c, s->next)->prev = ref;
	c->wheel[b] = ref;
}

/* --- closing ---------------------------------------------------------------- */

static int emit_retry(rl_chain *c, const cstate *s, int64_t start, int16_t status, uint16_t endpoint, uint8_t method,
		      uint8_t flags, rl_verdict v)
{
	if (!c->sink.retry)
		return 0;
	rl_retry_event ev = {
		start, s->client, endpoint, method, status, (flags & RL_STEP_BLIND) != 0, (flags & RL_STEP_UNSAFE) != 0,
		v};
	return c->sink.retry(c->sink.ctx, &ev);
}

/* Settles the rule-4 retries, reports the outcome and the evidence, frees the state.
 * end_of_input < 0: the chain closes because its window has passed (gave_up). */
static int finalize(rl_chain *c, uint32_t ref, int64_t end_of_input)
{
	cstate *s = state(c, ref);
	cext *x = ext_of(c, s);
	int rc = 0;
	if (x) {
		/* rule 4, chain test: ≥ 3 retries reached it and their offsets span ≤ 5 ms */
		bool all = x->r4_n >= 3 && x->r4_max - x->r4_min <= RL_JITTER_US;
		for (unsigned i = 0; i < x->ndef && !rc; i++) {
			deferred *d = &x->def[i];
			rl_verdict v = all || (d->flags & RL_STEP_EXACT) ? RL_V_NO_JITTER : RL_V_COMPLIANT;
			if (v == RL_V_NO_JITTER)
				x->violations++;
			if (d->step != 0xff)
				x->steps[d->step].verdict = (uint8_t)v;
			rc = emit_retry(c, s, d->start_us, d->status, d->endpoint, d->method, d->flags, v);
		}
		if (x->overflow && !rc) {
			/* past DEFER_MAX: counted with the last deferred retry's minute and status */
			const deferred *d = &x->def[x->ndef - 1];
			for (uint32_t i = 0; i < x->overflow && !rc; i++) {
				rl_verdict v = all || i < x->overflow_exact ? RL_V_NO_JITTER : RL_V_COMPLIANT;
				x->violations += v == RL_V_NO_JITTER;
				rc = emit_retry(c, s, d->start_us, d->status, d->endpoint, d->method,
						d->flags & (RL_STEP_BLIND | RL_STEP_UNSAFE), v);
			}
		}
	}
	if (!rc && (s->flags & CS_SAW_FAILURE) && c->sink.outcome) {
		rl_outcome o = !failed(s->last_status) ? RL_OUTCOME_RECOVERED
			       : end_of_input >= 0 && end_of_input - s->last_end <= c->o.window_us ? RL_OUTCOME_OPEN
												   : RL_OUTCOME_GAVE_UP;
		rc = c->sink.outcome(c->sink.ctx, o, s->last_end, s->client, x ? x->attempts : 1);
	}
	if (!rc && x && x->violations && c->sink.evidence) {
		rl_evidence ev = {s->client,   x->violations, x->first_start,
				  s->endpoint, s->method,     rl_strpool_get(c->targets, s->target),
				  x->nsteps,   x->attempts,   x->steps};
		rc = c->sink.evidence(c->sink.ctx, &ev);
	}
	wheel_unlink(c, ref);
	rl_keyindex_del(&c->index, s->key, ref);
	rl_slab_release(c->exts, s->ext);
	rl_slab_release(c->rids, s->rid);
	rl_strpool_release(c->targets, s->target);
	rl_slab_release(c->states, ref);
	return rc;
}

/* Closes every state of bucket b that is due before latest (a bucket holds the states
 * of every lap of the wheel: those of a later lap stay). */
static int walk_bucket(rl_chain *c, size_t b, int64_t latest)
{
	uint32_t ref = c->wheel[b];
	while (ref) {
		const cstate *s = state(c, ref);
		uint32_t next = s->next;
		if (due_of(c, s) < latest) {
			int rc = finalize(c, ref, -1);
			if (rc)
				return rc;
		}
		ref = next;
	}
	return 0;
}

int rl_chain_advance(rl_chain *c, int64_t latest_us)
{
	if (latest_us <= c->latest)
		return 0;
	if (c->cursor == INT64_MIN) {
		/* the clock starts: the chains loaded before it that it is past close now */
		c->latest = latest_us;
		c->cursor = rl_floor_div(latest_us, WHEEL_US);
		return rl_chain_close_due(c, latest_us);
	}
	c->latest = latest_us;
	/* the overdue list: due in a second walked before, so before latest */
	int rc = walk_bucket(c, c->nwheel, latest_us);
	if (rc)
		return rc;
	/* the seconds that ended by latest; every state due in them is due before it */
	int64_t upto = rl_floor_div(latest_us, WHEEL_US);
	if (c->cursor == INT64_MIN || c->cursor >= upto) {
		/* nothing to walk; from now on the cursor never passes the latest second, so
		 * a state filed before it is due by the next advance */
		c->cursor = upto;
		return 0;
	}
	uint64_t span = (uint64_t)(upto - c->cursor);
	size_t n = span < c->nwheel ? (size_t)span : c->nwheel;
	for (size_t i = 0; i < n && !rc; i++)
		rc = walk_bucket(c, (size_t)((uint64_t)(c->cursor + (int64_t)i) & (c->nwheel - 1)), latest_us);
	c->cursor = upto;
	return rc;
}

/* qsort has no context argument in C11: sort pairs instead. */
typedef struct keyed_ref {
	int64_t first_start;
	uint64_t key;
	uint32_t ref;
} keyed_ref;

typedef struct collect_order {
	const rl_chain *c;
	keyed_ref *end;
} collect_order;

static void collect_keyed(void *ctx, uint32_t ref)
{
	collect_order *k = ctx;
	const cstate *s = state(k->c, ref);
	*k->end++ = (keyed_ref){first_start(k->c, s), s->key, ref};
}

static int cmp_keyed(const void *x, const void *y)
{
	const keyed_ref *a = x, *b = y;
	if (a->first_start != b->first_start)
		return a->first_start < b->first_start ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* Finalizes, in a fixed order (so that what reaches the sink does not depend on the
 * hash table), every chain (all) or those due before t, with end_of_input (-1: closed,
 * not ended). */
static int close_in_order(rl_chain *c, bool all, int64_t t, int64_t end_of_input)
{
	size_t n = c->index.count;
	if (!n)
		return 0;
	keyed_ref *order = malloc(n * sizeof *order);
	if (!order)
		return RL_ENOMEM;
	collect_order k = {c, order};
	rl_keyindex_each(&c->index, collect_keyed, &k);
	qsort(order, n, sizeof *order, cmp_keyed);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		if (all || due_of(c, state(c, order[i].ref)) < t)
			rc = finalize(c, order[i].ref, end_of_input);
	free(order);
	return rc;
}

int rl_chain_close_due(rl_chain *c, int64_t t)
{
	return close_in_order(c, false, t, -1);
}

int rl_chain_finish(rl_chain *c, int64_t end_of_input_us)
{
	return close_in_order(c, true, 0, end_of_input_us < 0 ? 0 : end_of_input_us);
}

bool rl_chain_last_start(const rl_chain *c, uint64_t key, int64_t *start)
{
	uint32_t ref = rl_keyindex_get(&c->index, key, key_of, c);
	if (ref)
		*start = state(c, ref)->last_start;
	return ref != 0;
}

/* --- rekeyed retries ---------------------------------------------------------- */

/* An attempt of the same client, method and target as the previous one, which failed
 * and ended ≤ window before, both with an idempotency key, and the keys differ. */
static int rekey_step(rl_chain *c, const rl_attempt *a)
{
	bool has = (a->flags & RL_A_HAS_IDEM) != 0;
	if (!has && !c->rekey_index.count)
		return 0;
	uint32_t ref = rl_u64map_get(&c->rekey_index, a->base);
	int rc = 0;
	if (ref) {
		rekey *r = rl_slab_get(c->rekeys, ref);
		if (has && r->idem != a->idem && a->start_us - r->last_end <= c->o.window_us && c->sink.rekeyed)
			rc = c->sink.rekeyed(c->sink.ctx, a->start_us, a->client);
	}
	if (has && failed(a->status)) {
		if (!ref) {
			if (!(ref = rl_slab_alloc(c->rekeys)) || rl_u64map_put(&c->rekey_index, a->base, ref))
				return RL_ENOMEM;
		}
		rekey *r = rl_slab_get(c->rekeys, ref);
		r->last_end = a->end_us;
		r->idem = a->idem;
		r->client = a->client;
	} else if (ref) {
		rl_u64map_del(&c->rekey_index, a->base);
		rl_slab_release(c->rekeys, ref);
	}
	return rc;
}

/* --- judging ------------------------------------------------------------------ */

static void set_last(rl_chain *c, cstate *s, const rl_attempt *a)
{
	s->last_start = a->start_us;
	s->last_end = a->end_us;
	s->last_status = a->status;
	s->last_ra = a->retry_after_us;
	s->last_src_hash = a->src_hash;
	s->last_tol = clamp32(tol_of(c, a));
	if (s->rid) {
		crid *r = rl_slab_get(c->rids, s->rid);
		r->last_reqkey = a->reqkey;
		r->last_attempt_no = a->attempt_no;
	}
	s->flags = (uint8_t)((s->flags & ~CS_LAST_HAS_DUR) | ((a->flags & RL_A_HAS_DURATION) ? CS_LAST_HAS_DUR : 0));
	if (failed(a->status))
		s->flags |= CS_SAW_FAILURE;
}

static int start_chain(rl_chain *c, const rl_attempt *a)
{
	int rc = c->sink.chain_start ? c->sink.chain_start(c->sink.ctx, a->start_us, a->client) : 0;
	if (rc) {
		rl_strpool_release(c->targets, a->target_ref);
		return rc;
	}
	bool rid = (a->flags & RL_A_REQUEST_ID) != 0;
	if (!rid && !failed(a->status)) {
		/* a first-time success: a chain of one, no outcome, nothing to keep */
		rl_strpool_release(c->targets, a->target_ref);
		return 0;
	}
	uint32_t ref = rl_slab_alloc(c->states);
	uint32_t rref = rid ? rl_slab_alloc(c->rids) : 0;
	if (!ref || ref >= WHEEL_HEAD || (rid && !rref) || rl_keyindex_put(&c->index, a->key, ref)) {
		rl_slab_release(c->states, ref);
		rl_slab_release(c->rids, rref);
		rl_strpool_release(c->targets, a->target_ref);
		return RL_ENOMEM;
	}
	cstate *s = state(c, ref);
	s->key = a->key;
	s->client = a->client;
	s->endpoint = a->endpoint;
	s->method = a->method;
	s->flags = rid ? CS_RID : 0;
	s->rid = rref;
	s->target = a->target_ref; /* the evidence shows the first attempt's target */
	set_last(c, s, a);
	rl_chain_schedule(c, ref);
	return 0;
}

static void add_step(cext *x, int64_t start, int64_t wait, int16_t status, uint8_t verdict, uint8_t flags)
{
	x->attempts++;
	if (x->nsteps < RL_EVIDENCE_STEPS)
		x->steps[x->nsteps++] = (rl_evidence_step){start, wait == INT64_MIN ? INT32_MIN : clamp32(wait), status,
							   verdict, flags};
}

/* The extension of a chain at its first retry: the first attempt becomes step 0. */
static cext *extend(rl_chain *c, cstate *s)
{
	if (s->ext)
		return rl_slab_get(c->exts, s->ext);
	if (!(s->ext = rl_slab_alloc(c->exts)))
		return NULL;
	cext *x = rl_slab_get(c->exts, s->ext);
	x->first_start = s->last_start;
	x->prev_wait = -1;
	add_step(x, s->last_start, INT64_MIN, s->last_status, RL_V_NONE, RL_STEP_FIRST);
	return x;
}

/* Judges a as retry n of the chain in s (SPEC §3: blind, unsafe, backoff). */
static int judge_retry(rl_chain *c, uint32_t ref, const rl_attempt *a)
{
	cstate *s = state(c, ref);
	const rl_policy *p = c->o.policy;
	cext *x = extend(c, s);
	if (!x) {
		rl_strpool_release(c->targets, a->target_ref);
		return RL_ENOMEM;
	}
	unsigned n = x->n + 1;
	int64_t wait = a->start_us - s->last_end;
	int64_t tol = tol_of(c, a);
	if (s->last_tol > tol)
		tol = s->last_tol;
	if (a->src_hash != s->last_src_hash)
		tol += c->o.clock_skew_us;
	int prev = s->last_status;
	bool prev_retryable = failed(prev) && rl_policy_retryable(p, prev);
	uint8_t flags = 0;
	if (failed(prev) && !prev_retryable && prev >= 400 && prev <= 499 &&
	    (!s->rid || a->reqkey == ((const crid *)rl_slab_get(c->rids, s->rid))->last_reqkey))
		flags |= RL_STEP_BLIND;
	if ((a->flags & RL_A_HAS_METHOD) && !(a->flags & RL_A_SAFE_METHOD) &&
	    !((a->flags & RL_A_HAS_IDEM) && p->idempotency_header[0]))
		flags |= RL_STEP_UNSAFE;
	rl_verdict v = RL_V_NONE;
	bool defer = false;
	int rc = 0;
	if (prev_retryable) {
		flags |= RL_STEP_CHECKED;
		rl_backoff_in in = {n, wait, tol, s->last_ra, x->prev_wait};
		rl_backoff_out out = rl_backoff_judge(p, &in);
		if (out.own_backoff)
			x->prev_wait = wait;
		v = out.verdict;
		if (out.jitter_checked) {
			defer = true;
			if (out.jitter_exact)
				flags |= RL_STEP_EXACT;
			if (!x->r4_n || out.offset_us < x->r4_min)
				x->r4_min = out.offset_us;
			if (!x->r4_n || out.offset_us > x->r4_max)
				x->r4_max = out.offset_us;
			if (x->r4_n < UINT16_MAX)
				x->r4_n++;
		}
		/* lockstep candidate: ms resolution, and the server named no wait */
		if (tol <= 1000 && s->last_ra < 0 && c->sink.lockstep)
			rc = c->sink.lockstep(c->sink.ctx, n, a->start_us, s->client);
	}
	x->violations += ((flags & RL_STEP_BLIND) != 0) + ((flags & RL_STEP_UNSAFE) != 0) +
			 (!defer && v != RL_V_NONE && v != RL_V_COMPLIANT);
	unsigned step = x->nsteps < RL_EVIDENCE_STEPS ? x->nsteps : 0xff;
	add_step(x, a->start_us, wait, a->status, defer ? RL_V_COMPLIANT : (uint8_t)v, flags);
	if (!rc && defer) {
		if (x->ndef < DEFER_MAX) {
			x->def[x->ndef++] =
				(deferred){a->start_us,
					   a->status,
					   a->endpoint,
					   a->method,
					   (uint8_t)(flags & (RL_STEP_BLIND | RL_STEP_UNSAFE | RL_STEP_EXACT)),
					   (uint8_t)step};
		} else {
			x->overflow++;
			x->overflow_exact += (flags & RL_STEP_EXACT) != 0;
		}
	} else if (!rc) {
		rc = emit_retry(c, s, a->start_us, a->status, a->endpoint, a->method, flags, v);
	}
	x->n = n;
	set_last(c, s, a);
	if (!s->target)
		s->target = a->target_ref;
	else
		rl_strpool_release(c->targets, a->target_ref);
	if (rc)
		return rc;
	if (!(s->flags & CS_RID) && !failed(a->status))
		return finalize(c, ref, -1); /* recovered: a success ends the chain */
	rl_chain_schedule(c, ref);
	return 0;
}

int rl_chain_judge(rl_chain *c, const rl_attempt *a)
{
	int rc = rekey_step(c, a);
	if (rc) {
		rl_strpool_release(c->targets, a->target_ref);
		return rc;
	}
	uint32_t ref = rl_keyindex_get(&c->index, a->key, key_of, c);
	if (ref) {
		cstate *s = state(c, ref);
		bool goes_on;
		if (c->latest > due_of(c, s))
			goes_on = false; /* closed already, in the exact reading; the wheel is late by < 1 s */
		else if (s->rid)
			goes_on = a->attempt_no != 1 &&
				  a->attempt_no > ((const crid *)rl_slab_get(c->rids, s->rid))->last_attempt_no;
		else
			goes_on = failed(s->last_status) && a->start_us - s->last_end <= c->o.window_us;
		if (goes_on)
			return judge_retry(c, ref, a);
		/* the chain is over: a late attempt after its window, or a request_id restarted */
		if ((rc = finalize(c, ref, -1))) {
			rl_strpool_release(c->targets, a->target_ref);
			return rc;
		}
	}
	return start_chain(c, a);
}

/* --- life cycle ----------------------------------------------------------------- */

int rl_chain_new(rl_chain **out, const rl_chain_opts *o, const rl_chain_sink *sink, rl_strpool *targets, rl_err *err)
{
	*out = NULL;
	rl_chain *c = calloc(1, sizeof *c);
	if (!c)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	c->o = *o;
	c->sink = *sink;
	c->targets = targets;
	c->cursor = c->latest = INT64_MIN;
	/* a bucket per second of window + max lag (a later due waits a lap), at most 2^16 */
	int64_t secs = (o->window_us + o->max_lag_us) / WHEEL_US + 2;
	c->nwheel = 64;
	while ((int64_t)c->nwheel < secs && c->nwheel < (1u << 16))
		c->nwheel <<= 1;
	c->wheel = calloc(c->nwheel + 1, sizeof *c->wheel); /* + the overdue list */
	c->states = rl_slab_new(sizeof(cstate));
	c->exts = rl_slab_new(sizeof(cext));
	c->rids = rl_slab_new(sizeof(crid));
	c->rekeys = rl_slab_new(sizeof(rekey));
	if (!c->wheel || !c->states || !c->exts || !c->rids || !c->rekeys) {
		rl_chain_free(c);
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	}
	*out = c;
	return 0;
}

static void release_target(void *ctx, uint32_t ref)
{
	rl_chain *c = ctx;
	rl_strpool_release(c->targets, state(c, ref)->target);
}

void rl_chain_free(rl_chain *c)
{
	if (!c)
		return;
	if (c->states)
		rl_keyindex_each(&c->index, release_target, c); /* the target pool is shared */
	rl_slab_free(c->states);
	rl_slab_free(c->exts);
	rl_slab_free(c->rids);
	rl_slab_free(c->rekeys);
	rl_keyindex_free(&c->index);
	rl_u64map_free(&c->rekey_index);
	free(c->wheel);
	free(c);
}

size_t rl_chain_active(const rl_chain *c)
{
	return c->index.count;
}

size_t rl_chain_bytes(const rl_chain *c)
{
	return sizeof *c + rl_slab_bytes(c->states) + rl_slab_bytes(c->exts) + rl_slab_bytes(c->rids) +
	       rl_slab_bytes(c->rekeys) + rl_keyindex_bytes(&c->index) +
	       c->rekey_index.cap * sizeof(struct rl_u64map_slot) + (c->nwheel + 1) * sizeof *c->wheel;
}
