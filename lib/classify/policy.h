/* classify/policy.h - an API's retry policy, as data (SPEC §1).
 *
 * A policy says which failed statuses a client may retry, which methods are safe to
 * retry, which header makes a non-idempotent request safe, and how retries must back
 * off. Built-in policies are JSON files in lib/policies/ embedded in the binary; users
 * write their own in the same form (--policy FILE). Decimal numbers (factor, jitter
 * bounds) are kept as fixed-point integers (× RL_DEC_ONE), never as floats. */
#ifndef RL_POLICY_H
#define RL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/err.h"

#define RL_DEC_ONE 1000000LL /* fixed point: 6 decimal places */
#define RL_POLICY_MAX_LIST 64
#define RL_POLICY_MAX_METHODS 16

typedef enum rl_jitter_kind { RL_JITTER_NONE, RL_JITTER_ADD, RL_JITTER_MUL } rl_jitter_kind;

typedef struct rl_policy {
	char name[64];
	char description[512];
	char source[256]; /* where the policy comes from (a URL), "" if not given */

	/* classification, as written */
	int retryable[RL_POLICY_MAX_LIST];
	size_t n_retryable;
	int non_retryable[RL_POLICY_MAX_LIST];
	size_t n_non_retryable;
	bool retryable_4xx, retryable_5xx, non_retryable_4xx, non_retryable_5xx;

	char safe_methods[RL_POLICY_MAX_METHODS][16];
	size_t n_safe_methods;
	char idempotency_header[64]; /* "" when null: a key makes nothing safe */

	bool has_backoff; /* false when "backoff": null (no numbers published) */
	int64_t base_ms;
	int64_t factor; /* × RL_DEC_ONE */
	int64_t cap_ms;
	rl_jitter_kind jitter;
	int64_t jitter_lo; /* × RL_DEC_ONE: ms for add, a fraction for mul */
	int64_t jitter_hi;

	int max_retries; /* -1: no limit */
	bool honor_retry_after;
	bool require_jitter;

	unsigned char retryable_by_status[1000]; /* derived: 1 when a failure with that status is retryable */
} rl_policy;

/* Loads a built-in policy by name, else reads the JSON file at name_or_path. Returns 0,
 * or RL_EUSAGE with err naming the file and the field at fault. */
int rl_policy_load(rl_policy *out, const char *name_or_path, rl_err *err);

/* Parses policy JSON text; source names it in errors. */
int rl_policy_parse(rl_policy *out, const char *text, size_t len, const char *source, rl_err *err);

/* The built-in policy names, NULL-terminated, in a static array. */
const char *const *rl_policy_builtin_names(void);

/* The policy as canonical JSON (malloc'd, caller frees), or NULL on allocation failure. */
char *rl_policy_to_json(const rl_policy *p, bool pretty);

/* A failure (SPEC §3, §3.1.5): status ≥ 400, or 0 (network error). 499 is ≥ 400. */
static inline bool rl_status_is_failure(int status)
{
	return status >= 400 || status == 0;
}

/* For a failure, whether the policy calls it retryable. */
static inline bool rl_policy_retryable(const rl_policy *p, int status)
{
	return status >= 0 && status < 1000 && p->retryable_by_status[status];
}

/* Whether method (n bytes) is in the policy's retry-safe set. */
bool rl_policy_method_safe(const rl_policy *p, const char *method, size_t n);

#endif
