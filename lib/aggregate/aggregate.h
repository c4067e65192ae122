/* aggregate/aggregate.h - in-memory aggregates between two commits to the store.
 *
 * SQLite costs microseconds per row while a line costs a fraction of one to parse, so
 * lines are counted here and each key reaches the database once per flush (SPEC §4):
 * attempts per minute × endpoint × method × status × error code, latency histogram
 * counts per minute × endpoint × method × bucket, retries and their verdicts per
 * minute × endpoint × method, and chains and outcomes per minute. The tables have a
 * fixed capacity; the caller flushes when rl_agg_full() says so, which keeps memory
 * flat however long the input. */
#ifndef RL_AGGREGATE_H
#define RL_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/store/rows.h"

typedef struct rl_agg rl_agg;

/* Attempts of one minute × endpoint × method × status × error code. */
/* The rows the tables yield are the store's (lib/store/rows.h). */
typedef rl_store_bucket_row rl_agg_bucket;
typedef rl_store_latency_row rl_agg_latency;
typedef rl_store_retry_row rl_agg_retry;
typedef rl_store_minute_row rl_agg_minute;

/* Tables of up to max_keys keys each (0: 4096). NULL on allocation failure. */
rl_agg *rl_agg_new(size_t max_keys);
void rl_agg_free(rl_agg *a);

/* Counts one attempt; duration_us < 0 when not logged. */
void rl_agg_add_attempt(rl_agg *a, int64_t minute, uint32_t endpoint, uint32_t method, int status, uint32_t code,
			int64_t duration_us);

/* Counts one retry with its findings; verdict RL_V_NONE (0) when not backoff-checked,
 * else an rl_verdict from RL_V_COMPLIANT on. */
void rl_agg_add_retry(rl_agg *a, int64_t minute, uint32_t endpoint, uint32_t method, bool blind, bool unsafe,
		      int verdict);

/* Adds n to counter which (RL_AGG_CHAINS…) of a minute. */
void rl_agg_add_minute(rl_agg *a, int64_t minute, int which, uint32_t n);

/* True when a table reached its capacity: flush before adding more. */
bool rl_agg_full(const rl_agg *a);

/* True when nothing was added since the last reset. */
bool rl_agg_empty(const rl_agg *a);

/* Visits every row in key order, in chunks of up to RL_AGG_CHUNK rows, then empties the
 * tables (also when a callback fails). The callbacks return 0 to go on, else that value
 * is returned at once. Any may be NULL. */
#define RL_AGG_CHUNK 256
typedef struct rl_agg_sink {
	void *ctx;
	int (*bucket)(void *ctx, const rl_agg_bucket *rows, size_t n);
	int (*latency)(void *ctx, const rl_agg_latency *rows, size_t n);
	int (*retry)(void *ctx, const rl_agg_retry *rows, size_t n);
	int (*minute)(void *ctx, const rl_agg_minute *rows, size_t n);
} rl_agg_sink;
int rl_agg_drain(rl_agg *a, const rl_agg_sink *sink);

/* Adds every row of from into into (same key, counters summed), and empties from: the
 * tables of a --jobs part folded into its worker's before a commit, so that each key is
 * written once (lib/retry/worker.c). */
void rl_agg_merge(rl_agg *into, rl_agg *from);

/* Empties the tables without visiting them. */
void rl_agg_reset(rl_agg *a);

#endif
