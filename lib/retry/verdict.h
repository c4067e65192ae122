/* retry/verdict.h - the backoff verdicts and the counters of a retry, written once.
 *
 * Every shape the code needs is generated from the two tables below: the rl_verdict
 * enum and its names, the counter indexes of the in-memory aggregates (RL_RC_*) and of
 * a client (RL_CL_*, lib/aggregate/clients.h), the database columns of the same names (the
 * sql/ files list them in this order; tests/unit/test_verdict.c holds them to it), and
 * the renderers' rows. A verdict is added here, in a migration, and nowhere else. */
#ifndef RL_VERDICT_H
#define RL_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

/* X(ID, name, short heading, what it means): the verdicts in SPEC §3's order after
 * compliant. A retry that follows a retryable error gets exactly one (lib/retry/backoff.h). */
#define RL_VERDICTS(X)                                                                                                 \
	X(COMPLIANT, compliant, "COMPLIANT", "backed off as the policy asks")                                          \
	X(TOO_FAST, too_fast, "TOO_FAST", "waited less than the policy's backoff, or did not wait longer each time")   \
	X(IGNORED_RETRY_AFTER, ignored_retry_after, "IGN_RA", "came back sooner than the Retry-After the server sent") \
	X(OVER_MAX_RETRIES, over_max_retries, "OVER_MAX", "more retries than the policy allows")                       \
	X(NO_JITTER, no_jitter, "NO_JITTER",                                                                           \
	  "waits follow the backoff formula exactly: without jitter, clients retry in step")

/* X(ID, column, short heading, what it means): what is counted of each retry, per
 * bucket (minute × endpoint × method) and per client, in this order everywhere. */
#define RL_RETRY_COUNTERS(X)                                                                      \
	X(RETRIES, retries, "RETRIES", "attempts that repeat a failed request within the window") \
	X(BLIND_4XX, blind_4xx, "BLIND",                                                          \
	  "of attempts: repeated unchanged after a 4xx that says the request must change")        \
	X(UNSAFE, unsafe, "UNSAFE",                                                               \
	  "a non-idempotent call retried without an idempotency key: it may take effect twice")   \
	X(CHECKED, checked, "CHECKED", "retries after a retryable error, judged by the policy:")  \
	RL_VERDICTS(X)

#define RL_VERDICT_ENUM_(id, name, head, help) RL_V_##id,
typedef enum rl_verdict {
	RL_V_NONE = 0,
	/* not backoff-checked */ RL_VERDICTS(RL_VERDICT_ENUM_) RL_V_COUNT
} rl_verdict;
#undef RL_VERDICT_ENUM_

#define RL_RC_ENUM_(id, name, head, help) RL_RC_##id,
enum { RL_RETRY_COUNTERS(RL_RC_ENUM_) RL_RC_N };
#undef RL_RC_ENUM_

/* The counter of a verdict (RL_V_COMPLIANT…). */
#define RL_RC_OF_VERDICT(v) (RL_RC_COMPLIANT + (int)(v) - (int)RL_V_COMPLIANT)

/* "compliant", "too_fast", … ("" for RL_V_NONE and out of range). */
const char *rl_verdict_name(rl_verdict v);

/* The column name, short heading and meaning of counter i (RL_RC_*); NULL out of range. */
const char *rl_retry_counter_name(int i);
const char *rl_retry_counter_head(int i);
const char *rl_retry_counter_help(int i);

/* The counters one retry adds 1 to, as a bit mask over RL_RC_* (the rule of SPEC §3:
 * every retry counts, blind and unsafe when they are, a backoff-checked one counts as
 * checked and under its verdict). */
static inline uint32_t rl_retry_counts(bool blind, bool unsafe, int verdict)
{
	uint32_t m = 1u << RL_RC_RETRIES | (uint32_t)blind << RL_RC_BLIND_4XX | (uint32_t)unsafe << RL_RC_UNSAFE;
	if (verdict >= RL_V_COMPLIANT && verdict < RL_V_COUNT)
		m |= 1u << RL_RC_CHECKED | 1u << RL_RC_OF_VERDICT(verdict);
	return m;
}

/* A retry's violations (SPEC §3): blind + unsafe + a verdict other than compliant. */
static inline unsigned rl_retry_violations(bool blind, bool unsafe, int verdict)
{
	return (unsigned)blind + unsafe + (verdict > RL_V_COMPLIANT && verdict < RL_V_COUNT);
}

/* Adds one retry to v[RL_RC_N]. */
static inline void rl_retry_count(uint64_t *v, bool blind, bool unsafe, int verdict)
{
	for (uint32_t m = rl_retry_counts(blind, unsafe, verdict); m; m &= m - 1)
		v[__builtin_ctz(m)]++;
}

#endif
