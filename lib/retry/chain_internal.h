/* retry/chain_internal.h - what chain.c and chain_saved.c share: a chain's state and the
 * detector's tables. Nothing outside those two files includes it. */
#ifndef RL_CHAIN_INTERNAL_H
#define RL_CHAIN_INTERNAL_H

#include "lib/retry/chain.h"

#include "lib/mem/keyindex.h"
#include "lib/mem/slab.h"
#include "lib/base/timestamp.h"
#include "lib/mem/u64map.h"

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

/* What only chains with retries need, allocated at the first retry. */
typedef struct cext {
	int64_t first_start;
	int64_t prev_wait; /* the client's own previous wait (SPEC §3.1.7), -1 none */
	int64_t r4_min, r4_max; /* offsets of the retries that reached rule 4 */
	uint32_t n; /* retries so far */
	uint32_t violations;
	uint32_t attempts; /* in the chain */
	uint32_t overflow; /* rule-4 retries past DEFER_MAX, of which exact: */
	uint32_t overflow_exact;
	uint16_t r4_n, r4_exact;
	uint16_t nsteps, ndef;
	rl_evidence_step steps[RL_EVIDENCE_STEPS];
	deferred def[DEFER_MAX];
} cext;

/* What a chain by request_id needs besides (SPEC §3.1.9). */
typedef struct crid {
	uint64_t last_reqkey;
	int32_t last_attempt_no;
} crid;

/* One per open chain, so every byte counts: a million keys inside one window are a
 * million of these (tests/bench measures bytes per key). Packed to 4-byte alignment:
 * 76 bytes. A chain without retries has no ext: its first attempt is its last. */
typedef struct __attribute__((packed, aligned(4))) cstate {
	uint64_t key, client;
	int64_t last_start, last_end;
	int64_t last_ra; /* Retry-After of the last response, -1 none */
	uint32_t ext, rid, target; /* 0: none */
	uint32_t next, prev; /* the close wheel's list (prev 0: not in it) */
	uint32_t last_src_hash;
	int32_t last_tol;
	int16_t last_status;
	uint16_t endpoint;
	uint8_t method, flags;
} cstate;

typedef struct rekey {
	int64_t last_end;
	uint64_t idem;
	uint64_t client; /* whose: a run with --jobs gives the entry to its client's worker */
} rekey;

#define WHEEL_US RL_US_PER_S /* a second per wheel bucket */
#define WHEEL_HEAD 0x80000000u /* prev of a bucket's first state: the bucket, tagged */

struct rl_chain {
	rl_chain_opts o;
	rl_chain_sink sink;
	rl_strpool *targets; /* shared with the caller */
	rl_slab *states, *exts, *rids, *rekeys;
	rl_keyindex index;
	rl_u64map rekey_index;
	/* the close wheel: a state sits in the bucket of the second its close is due
	 * (last end + window + max lag); wheel[nwheel] is the overdue list */
	uint32_t *wheel;
	size_t nwheel;
	int64_t cursor; /* a second: those before it have been walked; INT64_MIN at first */
	int64_t latest; /* the latest start advanced to; INT64_MIN before */
};

/* --- helpers ---------------------------------------------------------------- */

static inline bool failed(int status)
{
	return status >= 0 && rl_status_is_failure(status);
}

static inline int64_t tol_of(rl_chain *c, const rl_attempt *a)
{
	if (a->source == RL_SOURCE_SAVED)
		return a->tol_us;
	return c->o.tol(c->o.tol_ctx, a->source, a->flags & RL_A_HAS_DURATION);
}

static inline int32_t clamp32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN + 1 ? INT32_MIN + 1 : (int32_t)v;
}

static inline cstate *state(const rl_chain *c, uint32_t ref)
{
	return rl_slab_get(c->states, ref);
}

static inline cext *ext_of(const rl_chain *c, const cstate *s)
{
	return s->ext ? rl_slab_get(c->exts, s->ext) : NULL;
}

static inline uint64_t key_of(const void *ctx, uint32_t ref)
{
	return state(ctx, ref)->key;
}

static inline int64_t first_start(const rl_chain *c, const cstate *s)
{
	const cext *x = ext_of(c, s);
	return x ? x->first_start : s->last_start;
}

/* Puts state ref in the close wheel's bucket of the second its close is due. */
void rl_chain_schedule(rl_chain *c, uint32_t ref);

#endif
