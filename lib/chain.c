/* chain.c - chain states, the judging of each attempt, closing and saving. */
#include "lib/chain.h"

#include <stdlib.h>
#include <string.h>

#include "lib/blob.h"
#include "lib/u64map.h"

#define DEFER_MAX 12 /* rule-4 retries whose verdict waits for the chain's close */

enum {
	CS_RID = 1, /* chained by request_id and attempt number */
	CS_SAW_FAILURE = 2, /* the chain has had a failure: it gets an outcome */
	CS_LAST_HAS_DUR = 4, /* the last attempt logged a duration */
};

typedef struct deferred {
	int64_t start_us;
	int16_t status;
	uint16_t endpoint;
	uint8_t method;
	uint8_t flags; /* RL_STEP_BLIND | RL_STEP_UNSAFE | RL_STEP_EXACT */
	uint8_t step; /* its evidence step, 0xff when past the kept steps */
} deferred;

/* Allocated at a chain's first retry. */
typedef struct cext {
	rl_evidence_step steps[RL_EVIDENCE_STEPS];
	deferred def[DEFER_MAX];
	uint16_t nsteps, ndef;
	uint32_t attempts; /* in the chain */
	uint32_t overflow; /* rule-4 retries past DEFER_MAX, of which exact: */
	uint32_t overflow_exact;
} cext;

typedef struct cstate {
	uint64_t key, client, last_reqkey;
	int64_t first_start, last_start, last_end;
	int64_t last_ra; /* Retry-After of the last response, -1 none */
	int64_t prev_wait; /* the client's own previous wait (SPEC §3.1.7), -1 none */
	int64_t r4_min, r4_max;
	uint32_t ext, target, gen, last_src_hash;
	int32_t last_tol, last_attempt_no;
	uint32_t n; /* retries so far */
	uint32_t violations;
	uint16_t r4_n, r4_exact;
	uint16_t last_source, endpoint;
	int16_t last_status;
	uint8_t method, flags;
} cstate;

typedef struct rekey {
	int64_t last_end;
	uint64_t idem;
} rekey;

typedef struct due {
	int64_t at; /* close when the latest start passes this */
	uint32_t ref, gen;
} due;

struct rl_chain {
	rl_chain_opts o;
	rl_chain_sink sink;
	rl_slab *targets; /* shared with the caller */
	rl_slab *states, *exts, *rekeys;
	rl_u64map index, rekey_index;
	due *heap;
	size_t nheap, capheap;
	uint32_t gen;
};

/* --- helpers ---------------------------------------------------------------- */

static bool failed(int status)
{
	return status >= 0 && rl_status_is_failure(status);
}

static int64_t tol_of(rl_chain *c, const rl_attempt *a)
{
	if (a->source == RL_SOURCE_SAVED)
		return a->tol_us;
	return c->o.tol(c->o.tol_ctx, a->source, a->flags & RL_A_HAS_DURATION);
}

static int32_t clamp32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN + 1 ? INT32_MIN + 1 : (int32_t)v;
}

static cstate *state(rl_chain *c, uint32_t ref)
{
	return rl_slab_get(c->states, ref);
}

/* --- the close heap --------------------------------------------------------- */

static int heap_push(rl_chain *c, int64_t at, uint32_t ref, uint32_t gen)
{
	if (c->nheap == c->capheap) {
		size_t nc = c->capheap ? c->capheap * 2 : 1024;
		due *h = realloc(c->heap, nc * sizeof *h);
		if (!h)
			return RL_ENOMEM;
		c->heap = h;
		c->capheap = nc;
	}
	size_t i = c->nheap++;
	while (i > 0 && c->heap[(i - 1) / 2].at > at) {
		c->heap[i] = c->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	c->heap[i] = (due){at, ref, gen};
	return 0;
}

static due heap_pop(rl_chain *c)
{
	due top = c->heap[0], last = c->heap[--c->nheap];
	size_t i = 0;
	for (;;) {
		size_t k = 2 * i + 1;
		if (k >= c->nheap)
			break;
		if (k + 1 < c->nheap && c->heap[k + 1].at < c->heap[k].at)
			k++;
		if (c->heap[k].at >= last.at)
			break;
		c->heap[i] = c->heap[k];
		i = k;
	}
	if (c->nheap)
		c->heap[i] = last;
	return top;
}

static int schedule(rl_chain *c, uint32_t ref)
{
	cstate *s = state(c, ref);
	if (++c->gen == 0) /* 0 marks a closed state */
		++c->gen;
	s->gen = c->gen;
	return heap_push(c, s->last_end + c->o.window_us + c->o.max_lag_us, ref, s->gen);
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
	cext *x = s->ext ? rl_slab_get(c->exts, s->ext) : NULL;
	int rc = 0;
	/* rule 4, chain test: ≥ 3 retries reached it and their offsets span ≤ 5 ms */
	bool all = s->r4_n >= 3 && s->r4_max - s->r4_min <= RL_JITTER_US;
	for (unsigned i = 0; x && i < x->ndef && !rc; i++) {
		deferred *d = &x->def[i];
		rl_verdict v = all || (d->flags & RL_STEP_EXACT) ? RL_V_NO_JITTER : RL_V_COMPLIANT;
		if (v == RL_V_NO_JITTER)
			s->violations++;
		if (d->step != 0xff)
			x->steps[d->step].verdict = (uint8_t)v;
		rc = emit_retry(c, s, d->start_us, d->status, d->endpoint, d->method, d->flags, v);
	}
	if (x && x->overflow && !rc) {
		/* past DEFER_MAX: counted with the last deferred retry's minute and status */
		const deferred *d = &x->def[x->ndef - 1];
		for (uint32_t i = 0; i < x->overflow && !rc; i++) {
			rl_verdict v = all || i < x->overflow_exact ? RL_V_NO_JITTER : RL_V_COMPLIANT;
			s->violations += v == RL_V_NO_JITTER;
			rc = emit_retry(c, s, d->start_us, d->status, d->endpoint, d->method,
					d->flags & (RL_STEP_BLIND | RL_STEP_UNSAFE), v);
		}
	}
	if (!rc && (s->flags & CS_SAW_FAILURE) && c->sink.outcome) {
		rl_outcome o = !failed(s->last_status) ? RL_OUTCOME_RECOVERED
			       : end_of_input >= 0 && end_of_input - s->last_end <= c->o.window_us ? RL_OUTCOME_OPEN
												   : RL_OUTCOME_GAVE_UP;
		rc = c->sink.outcome(c->sink.ctx, o, s->last_end, s->client);
	}
	if (!rc && s->violations && x && c->sink.evidence) {
		const char *t = s->target ? (const char *)rl_slab_get(c->targets, s->target) : "";
		rl_evidence ev = {s->client, s->violations, s->first_start, s->endpoint, s->method,
				  t,	     x->nsteps,	    x->attempts,    x->steps};
		rc = c->sink.evidence(c->sink.ctx, &ev);
	}
	rl_u64map_del(&c->index, s->key);
	rl_slab_release(c->exts, s->ext);
	rl_slab_release(c->targets, s->target);
	s->gen = 0; /* stale close entries of this slot no longer match */
	rl_slab_release(c->states, ref);
	return rc;
}

int rl_chain_advance(rl_chain *c, int64_t latest_us)
{
	/* closes when latest − max_lag > last_end + window, i.e. latest > due */
	while (c->nheap && c->heap[0].at < latest_us) {
		due d = heap_pop(c);
		if (state(c, d.ref)->gen != d.gen)
			continue; /* closed already (gen 0), or rescheduled (a newer gen) */
		int rc = finalize(c, d.ref, -1);
		if (rc)
			return rc;
	}
	return 0;
}

typedef struct collect {
	uint32_t *refs;
	size_t n;
} collect;

static void collect_ref(void *ctx, uint64_t key, uint32_t value)
{
	(void)key;
	collect *k = ctx;
	k->refs[k->n++] = value;
}

/* qsort has no context argument in C11: sort pairs instead. */
typedef struct keyed_ref {
	int64_t first_start;
	uint64_t key;
	uint32_t ref;
} keyed_ref;

static int cmp_keyed(const void *x, const void *y)
{
	const keyed_ref *a = x, *b = y;
	if (a->first_start != b->first_start)
		return a->first_start < b->first_start ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

int rl_chain_finish(rl_chain *c, int64_t end_of_input_us)
{
	size_t n = c->index.count;
	if (!n)
		return 0;
	uint32_t *refs = malloc(n * sizeof *refs);
	keyed_ref *order = malloc(n * sizeof *order);
	if (!refs || !order) {
		free(refs);
		free(order);
		return RL_ENOMEM;
	}
	collect k = {refs, 0};
	rl_u64map_each(&c->index, collect_ref, &k);
	for (size_t i = 0; i < n; i++) {
		const cstate *s = state(c, refs[i]);
		order[i] = (keyed_ref){s->first_start, s->key, refs[i]};
	}
	/* a fixed order, so that what reaches the sink does not depend on the hash table */
	qsort(order, n, sizeof *order, cmp_keyed);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = finalize(c, order[i].ref, end_of_input_us < 0 ? 0 : end_of_input_us);
	free(refs);
	free(order);
	c->nheap = 0;
	return rc;
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
	s->last_reqkey = a->reqkey;
	s->last_source = a->source;
	s->last_src_hash = a->src_hash;
	s->last_tol = clamp32(tol_of(c, a));
	s->last_attempt_no = a->attempt_no;
	s->flags = (uint8_t)((s->flags & ~CS_LAST_HAS_DUR) | ((a->flags & RL_A_HAS_DURATION) ? CS_LAST_HAS_DUR : 0));
	if (failed(a->status))
		s->flags |= CS_SAW_FAILURE;
}

static void keep_target(rl_chain *c, cstate *s, const rl_attempt *a)
{
	if (!s->target)
		s->target = a->target_ref;
	else
		rl_slab_release(c->targets, a->target_ref);
}

static int start_chain(rl_chain *c, const rl_attempt *a)
{
	int rc = c->sink.chain_start ? c->sink.chain_start(c->sink.ctx, a->start_us, a->client) : 0;
	if (rc)
		return rc;
	bool rid = (a->flags & RL_A_REQUEST_ID) != 0;
	if (!rid && !failed(a->status)) {
		/* a first-time success: a chain of one, no outcome, nothing to keep */
		rl_slab_release(c->targets, a->target_ref);
		return 0;
	}
	uint32_t ref = rl_slab_alloc(c->states);
	if (!ref || rl_u64map_put(&c->index, a->key, ref)) {
		rl_slab_release(c->states, ref);
		rl_slab_release(c->targets, a->target_ref);
		return RL_ENOMEM;
	}
	cstate *s = state(c, ref);
	s->key = a->key;
	s->client = a->client;
	s->first_start = a->start_us;
	s->prev_wait = -1;
	s->endpoint = a->endpoint;
	s->method = a->method;
	s->flags = rid ? CS_RID : 0;
	s->target = a->target_ref;
	set_last(c, s, a);
	return schedule(c, ref);
}

static void add_step(cext *x, int64_t start, int64_t wait, int16_t status, uint8_t verdict, uint8_t flags)
{
	x->attempts++;
	if (x->nsteps < RL_EVIDENCE_STEPS)
		x->steps[x->nsteps++] = (rl_evidence_step){start, wait == INT64_MIN ? INT32_MIN : clamp32(wait), status,
							   verdict, flags};
}

/* Judges a as retry n of the chain in s (SPEC §3: blind, unsafe, backoff). */
static int judge_retry(rl_chain *c, uint32_t ref, const rl_attempt *a)
{
	cstate *s = state(c, ref);
	const rl_policy *p = c->o.policy;
	if (!s->ext) {
		if (!(s->ext = rl_slab_alloc(c->exts)))
			return RL_ENOMEM;
		add_step(rl_slab_get(c->exts, s->ext), s->first_start, INT64_MIN, s->last_status, RL_V_NONE,
			 RL_STEP_FIRST);
	}
	cext *x = rl_slab_get(c->exts, s->ext);
	unsigned n = s->n + 1;
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
	    (!(s->flags & CS_RID) || a->reqkey == s->last_reqkey))
		flags |= RL_STEP_BLIND;
	if ((a->flags & RL_A_HAS_METHOD) && !(a->flags & RL_A_SAFE_METHOD) &&
	    !((a->flags & RL_A_HAS_IDEM) && p->idempotency_header[0]))
		flags |= RL_STEP_UNSAFE;
	rl_verdict v = RL_V_NONE;
	bool defer = false;
	int rc = 0;
	if (prev_retryable) {
		flags |= RL_STEP_CHECKED;
		rl_backoff_in in = {n, wait, tol, s->last_ra, s->prev_wait};
		rl_backoff_out out = rl_backoff_judge(p, &in);
		if (out.own_backoff)
			s->prev_wait = wait;
		v = out.verdict;
		if (out.jitter_checked) {
			defer = true;
			if (out.jitter_exact)
				flags |= RL_STEP_EXACT;
			if (!s->r4_n || out.offset_us < s->r4_min)
				s->r4_min = out.offset_us;
			if (!s->r4_n || out.offset_us > s->r4_max)
				s->r4_max = out.offset_us;
			if (s->r4_n < UINT16_MAX)
				s->r4_n++;
		}
		/* lockstep candidate: ms resolution, and the server named no wait */
		if (tol <= 1000 && s->last_ra < 0 && c->sink.lockstep)
			rc = c->sink.lockstep(c->sink.ctx, n, a->start_us, s->client);
	}
	s->violations += ((flags & RL_STEP_BLIND) != 0) + ((flags & RL_STEP_UNSAFE) != 0) +
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
	s->n = n;
	set_last(c, s, a);
	keep_target(c, s, a);
	if (rc)
		return rc;
	if (!(s->flags & CS_RID) && !failed(a->status))
		return finalize(c, ref, -1); /* recovered: a success ends the chain */
	return schedule(c, ref);
}

int rl_chain_judge(rl_chain *c, const rl_attempt *a)
{
	int rc = rekey_step(c, a);
	if (rc) {
		rl_slab_release(c->targets, a->target_ref);
		return rc;
	}
	uint32_t ref = rl_u64map_get(&c->index, a->key);
	if (ref) {
		cstate *s = state(c, ref);
		bool goes_on;
		if (s->flags & CS_RID)
			goes_on = a->attempt_no != 1 && a->attempt_no > s->last_attempt_no;
		else
			goes_on = failed(s->last_status) && a->start_us - s->last_end <= c->o.window_us;
		if (goes_on)
			return judge_retry(c, ref, a);
		/* the chain is over: a late attempt after its window, or a request_id restarted */
		if ((rc = finalize(c, ref, -1))) {
			rl_slab_release(c->targets, a->target_ref);
			return rc;
		}
	}
	return start_chain(c, a);
}

/* --- life cycle ----------------------------------------------------------------- */

int rl_chain_new(rl_chain **out, const rl_chain_opts *o, const rl_chain_sink *sink, rl_slab *targets, rl_err *err)
{
	*out = NULL;
	rl_chain *c = calloc(1, sizeof *c);
	if (!c)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	c->o = *o;
	c->sink = *sink;
	c->targets = targets;
	c->states = rl_slab_new(sizeof(cstate));
	c->exts = rl_slab_new(sizeof(cext));
	c->rekeys = rl_slab_new(sizeof(rekey));
	if (!c->states || !c->exts || !c->rekeys) {
		rl_chain_free(c);
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	}
	*out = c;
	return 0;
}

static void release_target(void *ctx, uint64_t key, uint32_t ref)
{
	(void)key;
	rl_chain *c = ctx;
	rl_slab_release(c->targets, state(c, ref)->target);
}

void rl_chain_free(rl_chain *c)
{
	if (!c)
		return;
	if (c->states)
		rl_u64map_each(&c->index, release_target, c); /* the target slab is shared */
	rl_slab_free(c->states);
	rl_slab_free(c->exts);
	rl_slab_free(c->rekeys);
	rl_u64map_free(&c->index);
	rl_u64map_free(&c->rekey_index);
	free(c->heap);
	free(c);
}

size_t rl_chain_active(const rl_chain *c)
{
	return c->index.count;
}

size_t rl_chain_bytes(const rl_chain *c)
{
	return rl_slab_bytes(c->states) + rl_slab_bytes(c->exts) + rl_slab_bytes(c->rekeys) +
	       (c->index.cap + c->rekey_index.cap) * sizeof(struct rl_u64map_slot) + c->capheap * sizeof(due);
}

/* --- saving ------------------------------------------------------------------- */

#define BLOB_VERSION 1
#define BLOB_MAX 4096

static void put_name(rl_chain *c, rl_blob *b, int kind, uint32_t id)
{
	const char *s = c->o.names.name ? c->o.names.name(c->o.names.ctx, kind, id) : NULL;
	s = s ? s : "";
	rl_blob_put_str(b, s, strlen(s));
}

static uint32_t get_name(rl_chain *c, rl_blob *b, int kind)
{
	char name[512];
	rl_blob_get_str(b, name, sizeof name);
	return c->o.names.id ? c->o.names.id(c->o.names.ctx, kind, name) : 0;
}

static void put_target(rl_chain *c, rl_blob *b, uint32_t ref)
{
	const char *t = ref ? rl_slab_get(c->targets, ref) : "";
	rl_blob_put_str(b, t, strlen(t));
}

/* A target copy from a blob, 0 when empty. */
static uint32_t get_target(rl_chain *c, rl_blob *b)
{
	char t[RL_TARGET_MAX + 8];
	rl_blob_get_str(b, t, sizeof t);
	if (!t[0])
		return 0;
	uint32_t ref = rl_slab_alloc(c->targets);
	if (ref)
		memcpy(rl_slab_get(c->targets, ref), t, strlen(t) + 1);
	return ref;
}

typedef struct save_ctx {
	rl_chain *c;
	rl_chain_put put;
	void *ctx;
	int rc;
} save_ctx;

static void save_state(void *ctx, uint64_t key, uint32_t ref)
{
	save_ctx *sc = ctx;
	if (sc->rc)
		return;
	rl_chain *c = sc->c;
	const cstate *s = state(c, ref);
	unsigned char buf[BLOB_MAX];
	rl_blob b = {buf, 0, sizeof buf, true};
	rl_blob_put(&b, BLOB_VERSION, 1);
	rl_blob_put(&b, s->key, 8);
	rl_blob_put(&b, s->client, 8);
	rl_blob_put(&b, s->last_reqkey, 8);
	rl_blob_put(&b, (uint64_t)s->first_start, 8);
	rl_blob_put(&b, (uint64_t)s->last_start, 8);
	rl_blob_put(&b, (uint64_t)s->last_end, 8);
	rl_blob_put(&b, (uint64_t)s->last_ra, 8);
	rl_blob_put(&b, (uint64_t)s->prev_wait, 8);
	rl_blob_put(&b, (uint64_t)s->r4_min, 8);
	rl_blob_put(&b, (uint64_t)s->r4_max, 8);
	rl_blob_put(&b, s->last_src_hash, 4);
	rl_blob_put(&b, (uint32_t)s->last_tol, 4);
	rl_blob_put(&b, (uint32_t)s->last_attempt_no, 4);
	rl_blob_put(&b, s->n, 4);
	rl_blob_put(&b, s->violations, 4);
	rl_blob_put(&b, s->r4_n, 2);
	rl_blob_put(&b, s->r4_exact, 2);
	rl_blob_put(&b, (uint16_t)s->last_status, 2);
	rl_blob_put(&b, s->flags, 1);
	put_name(c, &b, 0, s->endpoint);
	put_name(c, &b, 1, s->method);
	put_target(c, &b, s->target);
	const cext *x = s->ext ? rl_slab_get(c->exts, s->ext) : NULL;
	rl_blob_put(&b, x != NULL, 1);
	if (x) {
		rl_blob_put(&b, x->attempts, 4);
		rl_blob_put(&b, x->overflow, 4);
		rl_blob_put(&b, x->overflow_exact, 4);
		rl_blob_put(&b, x->nsteps, 1);
		for (unsigned i = 0; i < x->nsteps; i++) {
			const rl_evidence_step *st = &x->steps[i];
			rl_blob_put(&b, (uint64_t)st->start_us, 8);
			rl_blob_put(&b, (uint32_t)st->wait_us, 4);
			rl_blob_put(&b, (uint16_t)st->status, 2);
			rl_blob_put(&b, st->verdict, 1);
			rl_blob_put(&b, st->flags, 1);
		}
		rl_blob_put(&b, x->ndef, 1);
		for (unsigned i = 0; i < x->ndef; i++) {
			const deferred *d = &x->def[i];
			rl_blob_put(&b, (uint64_t)d->start_us, 8);
			rl_blob_put(&b, (uint16_t)d->status, 2);
			put_name(c, &b, 0, d->endpoint);
			put_name(c, &b, 1, d->method);
			rl_blob_put(&b, d->flags, 1);
			rl_blob_put(&b, d->step, 1);
		}
	}
	sc->rc = b.ok ? sc->put(sc->ctx, RL_CHAIN_STATE, key, buf, b.n) : RL_ENOMEM;
}

static void save_rekey(void *ctx, uint64_t key, uint32_t ref)
{
	save_ctx *sc = ctx;
	if (sc->rc)
		return;
	const rekey *r = rl_slab_get(sc->c->rekeys, ref);
	unsigned char buf[32];
	rl_blob b = {buf, 0, sizeof buf, true};
	rl_blob_put(&b, BLOB_VERSION, 1);
	rl_blob_put(&b, (uint64_t)r->last_end, 8);
	rl_blob_put(&b, r->idem, 8);
	sc->rc = sc->put(sc->ctx, RL_CHAIN_REKEY, key, buf, b.n);
}

int rl_chain_save(rl_chain *c, rl_chain_put put, void *ctx)
{
	save_ctx sc = {c, put, ctx, 0};
	rl_u64map_each(&c->index, save_state, &sc);
	if (!sc.rc)
		rl_u64map_each(&c->rekey_index, save_rekey, &sc);
	return sc.rc;
}

static int load_chain(rl_chain *c, rl_blob *b, rl_err *err)
{
	uint32_t ref = rl_slab_alloc(c->states);
	if (!ref)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	cstate *s = state(c, ref);
	s->key = rl_blob_get(b, 8);
	s->client = rl_blob_get(b, 8);
	s->last_reqkey = rl_blob_get(b, 8);
	s->first_start = (int64_t)rl_blob_get(b, 8);
	s->last_start = (int64_t)rl_blob_get(b, 8);
	s->last_end = (int64_t)rl_blob_get(b, 8);
	s->last_ra = (int64_t)rl_blob_get(b, 8);
	s->prev_wait = (int64_t)rl_blob_get(b, 8);
	s->r4_min = (int64_t)rl_blob_get(b, 8);
	s->r4_max = (int64_t)rl_blob_get(b, 8);
	s->last_src_hash = (uint32_t)rl_blob_get(b, 4);
	s->last_tol = (int32_t)(uint32_t)rl_blob_get(b, 4);
	s->last_attempt_no = (int32_t)(uint32_t)rl_blob_get(b, 4);
	s->n = (uint32_t)rl_blob_get(b, 4);
	s->violations = (uint32_t)rl_blob_get(b, 4);
	s->r4_n = (uint16_t)rl_blob_get(b, 2);
	s->r4_exact = (uint16_t)rl_blob_get(b, 2);
	s->last_status = (int16_t)(uint16_t)rl_blob_get(b, 2);
	s->flags = (uint8_t)rl_blob_get(b, 1);
	s->last_source = RL_SOURCE_SAVED;
	s->endpoint = (uint16_t)get_name(c, b, 0);
	s->method = (uint8_t)get_name(c, b, 1);
	s->target = get_target(c, b);
	if (rl_blob_get(b, 1)) {
		if (!(s->ext = rl_slab_alloc(c->exts)))
			return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		cext *x = rl_slab_get(c->exts, s->ext);
		x->attempts = (uint32_t)rl_blob_get(b, 4);
		x->overflow = (uint32_t)rl_blob_get(b, 4);
		x->overflow_exact = (uint32_t)rl_blob_get(b, 4);
		x->nsteps = (uint16_t)rl_blob_get(b, 1);
		if (x->nsteps > RL_EVIDENCE_STEPS)
			b->ok = false, x->nsteps = 0;
		for (unsigned i = 0; i < x->nsteps; i++) {
			rl_evidence_step *st = &x->steps[i];
			st->start_us = (int64_t)rl_blob_get(b, 8);
			st->wait_us = (int32_t)(uint32_t)rl_blob_get(b, 4);
			st->status = (int16_t)(uint16_t)rl_blob_get(b, 2);
			st->verdict = (uint8_t)rl_blob_get(b, 1);
			st->flags = (uint8_t)rl_blob_get(b, 1);
		}
		x->ndef = (uint16_t)rl_blob_get(b, 1);
		if (x->ndef > DEFER_MAX)
			b->ok = false, x->ndef = 0;
		for (unsigned i = 0; i < x->ndef; i++) {
			deferred *d = &x->def[i];
			d->start_us = (int64_t)rl_blob_get(b, 8);
			d->status = (int16_t)(uint16_t)rl_blob_get(b, 2);
			d->endpoint = (uint16_t)get_name(c, b, 0);
			d->method = (uint8_t)get_name(c, b, 1);
			d->flags = (uint8_t)rl_blob_get(b, 1);
			d->step = (uint8_t)rl_blob_get(b, 1);
		}
	}
	if (!b->ok || !s->key || rl_u64map_get(&c->index, s->key)) {
		rl_slab_release(c->exts, s->ext);
		rl_slab_release(c->targets, s->target);
		rl_slab_release(c->states, ref);
		return rl_err_set(err, RL_EDB, NULL, 0, "a saved chain state is damaged");
	}
	if (rl_u64map_put(&c->index, s->key, ref))
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	return schedule(c, ref) ? rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory") : 0;
}

static int load_rekey(rl_chain *c, uint64_t key, rl_blob *b, rl_err *err)
{
	int64_t last_end = (int64_t)rl_blob_get(b, 8);
	uint64_t idem = rl_blob_get(b, 8);
	if (!b->ok || !key)
		return rl_err_set(err, RL_EDB, NULL, 0, "a saved rekey state is damaged");
	uint32_t ref = rl_slab_alloc(c->rekeys);
	if (!ref || rl_u64map_put(&c->rekey_index, key, ref))
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	rekey *r = rl_slab_get(c->rekeys, ref);
	r->last_end = last_end;
	r->idem = idem;
	return 0;
}

int rl_chain_load(rl_chain *c, int kind, uint64_t key, const void *blob, size_t n, rl_err *err)
{
	rl_blob b = {(unsigned char *)blob, 0, n, true};
	if (rl_blob_get(&b, 1) != BLOB_VERSION)
		return rl_err_set(err, RL_EDB, NULL, 0, "saved state of an unknown version");
	if (kind == RL_CHAIN_STATE)
		return load_chain(c, &b, err);
	if (kind == RL_CHAIN_REKEY)
		return load_rekey(c, key, &b, err);
	return rl_err_set(err, RL_EDB, NULL, 0, "saved state of an unknown kind");
}

int rl_chain_save_attempt(rl_chain *c, const rl_attempt *a, rl_chain_put put, void *ctx)
{
	unsigned char buf[BLOB_MAX];
	rl_blob b = {buf, 0, sizeof buf, true};
	rl_blob_put(&b, BLOB_VERSION, 1);
	rl_blob_put(&b, (uint64_t)a->start_us, 8);
	rl_blob_put(&b, (uint64_t)a->end_us, 8);
	rl_blob_put(&b, a->seq, 8);
	rl_blob_put(&b, a->key, 8);
	rl_blob_put(&b, a->reqkey, 8);
	rl_blob_put(&b, a->base, 8);
	rl_blob_put(&b, a->client, 8);
	rl_blob_put(&b, a->idem, 8);
	rl_blob_put(&b, (uint64_t)a->retry_after_us, 8);
	rl_blob_put(&b, a->src_hash, 4);
	rl_blob_put(&b, (uint32_t)clamp32(tol_of(c, a)), 4);
	rl_blob_put(&b, (uint32_t)a->attempt_no, 4);
	rl_blob_put(&b, (uint16_t)a->status, 2);
	rl_blob_put(&b, a->flags, 1);
	put_name(c, &b, 0, a->endpoint);
	put_name(c, &b, 1, a->method);
	put_target(c, &b, a->target_ref);
	return b.ok ? put(ctx, RL_CHAIN_ATTEMPT, a->seq, buf, b.n) : RL_ENOMEM;
}

int rl_chain_load_attempt(rl_chain *c, const void *blob, size_t n, rl_attempt *a, rl_err *err)
{
	rl_blob b = {(unsigned char *)blob, 0, n, true};
	memset(a, 0, sizeof *a);
	if (rl_blob_get(&b, 1) != BLOB_VERSION)
		return rl_err_set(err, RL_EDB, NULL, 0, "saved attempt of an unknown version");
	a->start_us = (int64_t)rl_blob_get(&b, 8);
	a->end_us = (int64_t)rl_blob_get(&b, 8);
	a->seq = rl_blob_get(&b, 8);
	a->key = rl_blob_get(&b, 8);
	a->reqkey = rl_blob_get(&b, 8);
	a->base = rl_blob_get(&b, 8);
	a->client = rl_blob_get(&b, 8);
	a->idem = rl_blob_get(&b, 8);
	a->retry_after_us = (int64_t)rl_blob_get(&b, 8);
	a->src_hash = (uint32_t)rl_blob_get(&b, 4);
	a->tol_us = (int32_t)(uint32_t)rl_blob_get(&b, 4);
	a->attempt_no = (int32_t)(uint32_t)rl_blob_get(&b, 4);
	a->status = (int16_t)(uint16_t)rl_blob_get(&b, 2);
	a->flags = (uint8_t)rl_blob_get(&b, 1);
	a->source = RL_SOURCE_SAVED;
	a->endpoint = (uint16_t)get_name(c, &b, 0);
	a->method = (uint8_t)get_name(c, &b, 1);
	a->target_ref = get_target(c, &b);
	if (!b.ok || !a->key) {
		rl_slab_release(c->targets, a->target_ref);
		return rl_err_set(err, RL_EDB, NULL, 0, "a saved attempt is damaged");
	}
	return 0;
}
