/* rows.h - the rows the store writes, defined by the store.
 *
 * The in-memory tables that fill them (lib/aggregate/aggregate.h, clients.h, and
 * lib/classify/error_table.h) hand these rows over as they are; their column order is
 * the SQL files' (sql/write/, held to it by tests/unit/test_verdict.c). */
#ifndef RL_STORE_ROWS_H
#define RL_STORE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/retry/verdict.h"

typedef struct rl_store_bucket_row {
	int64_t minute; /* minutes since the epoch (UTC) of the attempts' start */
	uint32_t endpoint, method, code; /* interned ids (lib/mem/intern.h); code 0: none */
	int status; /* -1: not logged */
	uint64_t attempts;
} rl_store_bucket_row;

/* The status of minute_status' row of what did not fail (success, redirects, no status
 * logged): the timeline tells only failures apart (SPEC §6). */
#define RL_STATUS_NOT_FAILED (-2)

/* Latency histogram counts of one minute × endpoint × method × histogram bucket. */
typedef struct rl_store_latency_row {
	int64_t minute;
	uint32_t endpoint, method, bucket; /* bucket: lib/aggregate/histogram.h index */
	uint64_t count;
} rl_store_latency_row;

/* Retries of one minute × endpoint × method, counted by the retry's start. */
typedef struct rl_store_retry_row {
	int64_t minute;
	uint32_t endpoint, method;
	uint64_t v[RL_RC_N]; /* RL_RC_* (lib/retry/verdict.h) */
} rl_store_retry_row;

/* Chains by their first attempt's start minute, outcomes by their last attempt's end
 * minute, rekeyed attempts by their start minute (SPEC §3 time attribution). UNRETRIED:
 * of GAVE_UP, the chains of a single failed attempt (never retried), at that attempt's
 * end minute like every outcome (sql/migrate/0009; rows written before it hold 0). The
 * columns of chain_minute are in this order. */
enum { RL_AGG_CHAINS, RL_AGG_RECOVERED, RL_AGG_GAVE_UP, RL_AGG_REKEYED, RL_AGG_UNRETRIED, RL_AGG_NMINUTE };
typedef struct rl_store_minute_row {
	int64_t minute;
	uint64_t v[RL_AGG_NMINUTE];
} rl_store_minute_row;

/* X(ID, column, short heading, what it means): the counters of a client, in this order
 * in memory and in the database: its attempts, the retry counters (lib/retry/verdict.h), its
 * violations and its rekeyed attempts. */
#define RL_CLIENT_COUNTERS(X)                                                                             \
	X(ATTEMPTS, attempts, "ATTEMPTS", "attempts")                                                     \
	RL_RETRY_COUNTERS(X)                                                                              \
	X(VIOLATIONS, violations, "VIOLATIONS", "blind + unsafe + backoff verdicts other than compliant") \
	X(REKEYED, rekeyed, "REKEYED", "attempts retried under a new idempotency key")

#define RL_CL_ENUM_(id, name, head, help) RL_CL_##id,
enum { RL_CLIENT_COUNTERS(RL_CL_ENUM_) RL_CL_N };
#undef RL_CL_ENUM_

/* The client counter of retry counter i (RL_RC_*). */
#define RL_CL_OF_RC(i) (RL_CL_RETRIES + (i))

typedef struct rl_store_client_row {
	uint64_t hash;
	const char *name; /* NULL when not known in this flush (the database has it) */
	uint64_t v[RL_CL_N];
	unsigned ev_violations; /* 0: no evidence */
	int64_t ev_start;
	const void *evidence; /* its blob (lib/retry/evidence.h), NULL when none */
	size_t evidence_len;
	int64_t last_us; /* the latest start of its attempts counted here; INT64_MIN: none */
} rl_store_client_row;

typedef struct rl_store_error_row {
	int status;
	const char *type, *code;
	const char *message; /* the template (lib/classify/error_body.h), or RL_ERROR_TABLE_OTHER */
	const char *sample; /* the first message of the row as sent ("" for a preloaded row) */
	int64_t db_id; /* 0 until the store gives one */
} rl_store_error_row;

#endif
