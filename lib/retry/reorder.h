/* retry/reorder.h - puts attempts back in time order, up to --max-lag of disorder.
 *
 * Several nginx workers, or several files, write lines out of order. The retry
 * analysis must see each key's attempts by (start, end, input order) (SPEC §3.1.3), so
 * attempts wait here until no attempt read later can start before them: an attempt is
 * released once its start ≤ latest start read − max_lag. One that arrives already
 * older than that is "late": it is not kept, the caller judges it on arrival and counts
 * it in sources[].late.
 *
 * A wheel of one-second buckets holds the waiting attempts: adding one is an append;
 * a bucket is sorted only when it is released, and only if it is out of order. Memory
 * follows the traffic of max_lag seconds, not the length of the input. */
#ifndef RL_REORDER_H
#define RL_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/retry/attempt.h"

typedef struct rl_reorder rl_reorder;

/* Called with each released attempt, in order; a non-zero return stops and is returned. */
typedef int (*rl_reorder_cb)(void *ctx, const rl_attempt *a);

rl_reorder *rl_reorder_new(int64_t max_lag_us);
void rl_reorder_free(rl_reorder *r);

/* Adds a copy of a and releases what became safe. Returns 1 when a is late (not kept:
 * the caller judges it), 0 when kept, a callback's non-zero value, or RL_ENOMEM. */
int rl_reorder_push(rl_reorder *r, const rl_attempt *a, rl_reorder_cb cb, void *ctx);

/* Moves the clock as an attempt starting at start_us would, without adding one (an
 * attempt of another shard's client, ingest --shard: every shard keeps the clock of the
 * whole input, SPEC §3.1.3), and releases what became safe. */
int rl_reorder_advance(rl_reorder *r, int64_t start_us, rl_reorder_cb cb, void *ctx);

/* Releases every attempt still waiting, in order (end of input). */
int rl_reorder_drain(rl_reorder *r, rl_reorder_cb cb, void *ctx);

/* Adds an attempt an earlier run saved still waiting. It does not move the clock (the
 * latest start read is this run's own, SPEC §3.1.8) and is never late: it goes out in
 * order with the others once this run's clock passes it by max_lag, or at the drain. */
int rl_reorder_hold(rl_reorder *r, const rl_attempt *a);

/* The latest start read in this run (INT64_MIN before the first), and setting it to go
 * on with another run's clock (before any push). */
int64_t rl_reorder_latest(const rl_reorder *r);
void rl_reorder_set_latest(rl_reorder *r, int64_t latest_us);

/* The max_lag it was made with, in µs. */
int64_t rl_reorder_max_lag(const rl_reorder *r);

/* Visits the waiting attempts in no particular order (to save them). */
int rl_reorder_each(const rl_reorder *r, rl_reorder_cb cb, void *ctx);

/* Attempts waiting, and bytes held. */
size_t rl_reorder_count(const rl_reorder *r);
size_t rl_reorder_bytes(const rl_reorder *r);

#endif
