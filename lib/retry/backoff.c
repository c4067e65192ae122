/* retry/backoff.c - nominal waits, floors and the verdict cascade. */
#include "lib/retry/backoff.h"

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

int64_t rl_backoff_nominal_us(const rl_policy *p, unsigned n)
{
	const __int128 cap = (__int128)p->cap_ms * 1000;
	/* base·(F/10^6)^(n−1) with F/10^6 reduced to num/den: exact while it fits 127 bits,
	 * and once a step reaches the cap every later one does (factor ≥ 1) */
	uint64_t g = gcd((uint64_t)p->factor, (uint64_t)RL_DEC_ONE);
	__int128 num = (__int128)p->base_ms * 1000, den = 1;
	const __int128 fnum = p->factor / (int64_t)g, fden = RL_DEC_ONE / (int64_t)g;
	const __int128 limit = (((__int128)1) << 120);
	for (unsigned k = 1; k < n; k++) {
		if (num / den >= cap)
			return (int64_t)cap;
		if (num > limit / fnum || den > limit / fden) {
			/* too big to stay exact: go on rounding down at each step (within n µs) */
			num = num / den;
			den = 1;
			if (num > limit / fnum)
				return (int64_t)cap;
		}
		num *= fnum;
		den *= fden;
	}
	__int128 v = num / den;
	return (int64_t)(v < cap ? v : cap);
}

int64_t rl_backoff_floor_us(const rl_policy *p, unsigned n)
{
	int64_t nominal = rl_backoff_nominal_us(p, n), cap = p->cap_ms * 1000, f;
	switch (p->jitter) {
	case RL_JITTER_ADD:
		/* lo is in ms × 10^6: µs = lo / 1000, rounded down */
		f = nominal + p->jitter_lo / 1000;
		break;
	case RL_JITTER_MUL:
		f = (int64_t)((__int128)nominal * p->jitter_lo / RL_DEC_ONE);
		break;
	default:
		f = nominal;
	}
	return f < cap ? f : cap;
}

rl_backoff_out rl_backoff_judge(const rl_policy *p, const rl_backoff_in *in)
{
	rl_backoff_out o = {RL_V_COMPLIANT, false, false, 0, false};
	const int64_t w = in->wait_us, tol = in->tol_us;
	const bool over_max = p->max_retries >= 0 && in->n > (unsigned)p->max_retries;
	if (in->retry_after_us >= 0 && p->honor_retry_after) {
		/* the server named the wait: only rules 1 and 3 apply */
		if (w + tol < in->retry_after_us)
			o.verdict = RL_V_IGNORED_RETRY_AFTER;
		else if (over_max)
			o.verdict = RL_V_OVER_MAX_RETRIES;
		return o;
	}
	o.own_backoff = true;
	/* rule 2 */
	bool too_fast;
	if (p->has_backoff) {
		too_fast = w + tol < rl_backoff_floor_us(p, in->n);
	} else {
		too_fast = w + tol < RL_IMMEDIATE_US;
		if (!too_fast && in->prev_wait_us >= 0) {
			/* not growing: wait_n + tol < 1.1 × max(0, wait_(n−1) − tol), exactly */
			int64_t prev = in->prev_wait_us - tol > 0 ? in->prev_wait_us - tol : 0;
			too_fast = (__int128)10 * (w + tol) < (__int128)11 * prev;
		}
	}
	if (too_fast) {
		o.verdict = RL_V_TOO_FAST;
		return o;
	}
	/* rule 3 */
	if (over_max) {
		o.verdict = RL_V_OVER_MAX_RETRIES;
		return o;
	}
	/* rule 4: only where the policy requires jitter, and at ms resolution */
	if (p->require_jitter && p->has_backoff && tol <= 1000) {
		o.jitter_checked = true;
		o.offset_us = w - rl_backoff_nominal_us(p, in->n);
		o.jitter_exact = o.offset_us <= RL_JITTER_US && o.offset_us >= -RL_JITTER_US;
		if (o.jitter_exact)
			o.verdict = RL_V_NO_JITTER;
	}
	return o;
}
