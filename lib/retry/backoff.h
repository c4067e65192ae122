/* retry/backoff.h - the backoff rules of SPEC §3, as pure functions of a policy.
 *
 * A retry that follows a retryable error gets exactly one verdict, the first rule that
 * applies: ignored_retry_after, too_fast, over_max_retries, no_jitter, compliant. All
 * arithmetic is integer µs; the policy's decimals are fixed point (lib/classify/policy.h), and
 * "rounding down" is exact (SPEC §1). The tolerance tol (the coarser resolution of the
 * two attempts' times and durations, SPEC §3.1.1) always favours the client (§3.1.6).
 * The chain-level part of no_jitter (≥ 3 retries with offsets within 5 ms) needs the
 * whole chain and lives in lib/retry/chain.c. */
#ifndef RL_BACKOFF_H
#define RL_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/classify/policy.h"
#include "lib/retry/verdict.h" /* rl_verdict */

#define RL_IMMEDIATE_US 100000 /* "immediate": a wait under 100 ms */
#define RL_JITTER_US 5000 /* no_jitter and lockstep: within 5 ms */

/* Nominal wait of retry n (1-based): min(base·factor^(n−1), cap) in µs, exactly
 * rounded down. Requires p->has_backoff. */
int64_t rl_backoff_nominal_us(const rl_policy *p, unsigned n);

/* Floor of retry n: min(nominal + lo, cap) for jitter add, min(nominal·lo, cap) for
 * mul, the nominal for none. Requires p->has_backoff. */
int64_t rl_backoff_floor_us(const rl_policy *p, unsigned n);

typedef struct rl_backoff_in {
	unsigned n; /* retry number, 1-based */
	int64_t wait_us; /* start of this attempt − end of the previous (may be < 0) */
	int64_t tol_us; /* tolerance (resolution, plus clock skew across sources) */
	int64_t retry_after_us; /* what the previous response asked, -1 when none */
	int64_t prev_wait_us; /* wait_(n−1) per SPEC §3.1.7, -1 when none */
} rl_backoff_in;

typedef struct rl_backoff_out {
	rl_verdict verdict; /* RL_V_COMPLIANT here may still become no_jitter: see jitter_checked */
	bool jitter_checked; /* the retry reached rule 4 (policy requires jitter, ms resolution) */
	bool jitter_exact; /* … and sits within 5 ms of the nominal wait: no_jitter on its own */
	int64_t offset_us; /* wait − nominal, for the chain test */
	bool own_backoff; /* checked without a Retry-After: its wait becomes the next wait_(n−1) */
} rl_backoff_out;

/* Judges one retry that follows a retryable error (rules 1–4 of SPEC §3). With
 * jitter_exact the verdict is RL_V_NO_JITTER. */
rl_backoff_out rl_backoff_judge(const rl_policy *p, const rl_backoff_in *in);

#endif
