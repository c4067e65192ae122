/* retry/attempt.h - an attempt as the retry analysis keeps it: fixed size, no views.
 *
 * Records (lib/format/record.h) point into a line buffer that the next line overwrites; the
 * retry analysis must hold attempts longer (out-of-order input waits up to --max-lag in
 * lib/retry/reorder.h), so each record becomes an rl_attempt: times, hashes of the
 * identities that matter (client, retry key, …), small ids, and for failures a copy of
 * the target kept in a pool for evidence. The parser hands a record's values and strings
 * over (rl_attempt_in); the retry thread builds the attempt from them (rl_attempt_build). */
#ifndef RL_ATTEMPT_H
#define RL_ATTEMPT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/classify/identity.h" /* RL_CLIENT_MAX */
#include "lib/format/record.h"
#include "lib/mem/strpool.h"

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

/* What crosses from the parser thread to the retry thread for one record: its values,
 * and the strings that identify it copied back to back (a record's views die with the
 * next line). It is not an attempt yet: rl_attempt_build() makes the attempt, whole, on
 * the retry thread, so hashing and copying the target stay off the parser's path. */
typedef struct rl_attempt_in {
	int64_t start_us, end_us;
	int64_t retry_after_us; /* -1 when none */
	uint64_t seq;
	uint32_t src_hash;
	int32_t attempt_no;
	int16_t status;
	uint16_t source, endpoint;
	uint8_t method, flags; /* interned id; RL_A_* */
	/* lengths of the strings: client, method, target, idempotency key, request id */
	uint16_t client_n, idem_n, rid_n;
	uint8_t method_n;
	uint32_t target_n;
} rl_attempt_in;

/* Bytes of each string handed over (the identity hashes see what is kept) and the most
 * that rl_attempt_in_from_record() writes to its buffer. The client string is cut at
 * RL_CLIENT_MAX - 1 (lib/classify/identity.h); a line is ≤ 64 KiB. */
#define RL_ATTEMPT_METHOD_MAX 32
#define RL_ATTEMPT_TARGET_MAX (64 * 1024)
#define RL_ATTEMPT_IDEM_MAX 512
#define RL_ATTEMPT_RID_MAX 512
#define RL_ATTEMPT_IN_STR_MAX \
	(RL_CLIENT_MAX + RL_ATTEMPT_METHOD_MAX + RL_ATTEMPT_TARGET_MAX + RL_ATTEMPT_IDEM_MAX + RL_ATTEMPT_RID_MAX)

/* Parser thread: fills in from record r and its origin, and copies r's identifying
 * strings into buf (RL_ATTEMPT_IN_STR_MAX bytes). Returns the bytes written. */
size_t rl_attempt_in_from_record(rl_attempt_in *in, const rl_record *r, const rl_attempt_origin *o, char *buf);

/* Retry thread: the attempt of in, whose strings are at buf: its chain key and identity
 * hashes (lib/classify/identity.h) and, for a failure, a copy of its target in targets
 * (evidence shows it). *client (may be NULL) gets the client string, a view into buf.
 * Returns 0 or RL_ENOMEM. */
int rl_attempt_build(rl_attempt *a, const rl_attempt_in *in, const char *buf, rl_strpool *targets, rl_str *client);

#endif
