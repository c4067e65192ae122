/* retry/attempt.h - an attempt as the retry analysis keeps it: fixed size, no views.
 *
 * Records (lib/format/record.h) point into a line buffer that the next line overwrites; the
 * retry analysis must hold attempts longer (out-of-order input waits up to --max-lag in
 * lib/retry/reorder.h), so ingest condenses each record into an rl_attempt: times, hashes of
 * the identities that matter (client, retry key, …), small ids, and for failures a
 * copy of the target kept in a slab for evidence. */
#ifndef RL_ATTEMPT_H
#define RL_ATTEMPT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/format/record.h"

enum {
	RL_A_HAS_METHOD = 1, /* the request line had a method */
	RL_A_SAFE_METHOD = 2, /* … in the policy's retry-safe set */
	RL_A_HAS_IDEM = 4, /* an idempotency key was logged */
	RL_A_REQUEST_ID = 8, /* chained by (client, request_id) and attempt number, SPEC §3.1.9 */
	RL_A_HAS_DURATION = 16 /* the duration was logged: its resolution counts in tol */
};

#define RL_SOURCE_SAVED 0xffff

typedef struct rl_attempt {
	int64_t start_us, end_us;
	uint64_t seq; /* input order, over all inputs */
	uint64_t key; /* the chain key: retry key, or client + request_id */
	uint64_t reqkey; /* client + method + target + idempotency key (the retry key) */
	uint64_t base; /* client + method + target (for rekeyed retries) */
	uint64_t client; /* FNV-1a 64 of the client string */
	uint64_t idem; /* hash of the idempotency key, 0 when none */
	int64_t retry_after_us; /* the wait the response asked for, -1 when none */
	uint32_t target_ref; /* slab copy of the target (failures only), 0 when none */
	uint32_t src_hash; /* identifies the input across runs (clock skew applies between inputs) */
	int32_t tol_us; /* resolution of time and duration, frozen when saved across runs */
	int32_t attempt_no; /* client-side attempt number, 0 when not logged */
	int16_t status; /* -1 not logged, 0 network error */
	uint16_t source; /* input index of this run (its resolution), RL_SOURCE_SAVED if from an earlier run */
	uint16_t endpoint; /* interned template id */
	uint8_t method; /* interned method id */
	uint8_t flags; /* RL_A_* */
} rl_attempt;

/* Where a record came from and what ingest made of its names. */
typedef struct rl_attempt_origin {
	uint64_t seq; /* input order */
	uint32_t src_hash; /* the input's name, hashed */
	uint16_t source; /* the input's index */
	uint32_t endpoint, method; /* interned ids */
	bool safe_method; /* the method is in the policy's retry-safe set */
} rl_attempt_origin;

/* The half of an attempt the parser thread fills from a record: times, status, ids,
 * flags. The keys and hashes stay 0: the retry worker computes them (lib/retry/worker.h). */
void rl_attempt_from_record(rl_attempt *a, const rl_record *r, const rl_attempt_origin *o);

#endif
