/* retry/chain.h - retry chains and their verdicts (SPEC §3, §3.1).
 *
 * rl_chain takes attempts in time order (lib/retry/reorder.h releases them so; late ones come
 * as they arrive) and keeps one state per chain in progress: the chain's last attempt,
 * its retry count, the client's own previous wait, the rule-4 offsets, and for chains
 * with retries a short evidence log. It tells a sink what it finds: chains started,
 * each retry with its verdict, outcomes, evidence of chains with violations, lockstep
 * candidates and rekeyed attempts. Verdicts reach the sink when final: at once for
 * rules 1–3 and blind/unsafe, at the chain's close for the retries that reached rule 4
 * (the chain test needs the whole chain).
 *
 * A chain closes when the latest start read − max_lag is past its last end + window:
 * no attempt, however late, can still join it. At the end of an ingest run the states
 * are saved with rl_chain_save() and the next run (or a report) loads them, so a chain
 * split between runs is judged as in one run. rl_chain_finish() judges what is left as
 * if input ended there (open or gave_up). Memory follows the chains in progress, not
 * the length of the input. */
#ifndef RL_CHAIN_H
#define RL_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/retry/attempt.h"
#include "lib/retry/backoff.h"
#include "lib/retry/evidence.h" /* rl_evidence, its steps */
#include "lib/base/err.h"
#include "lib/classify/policy.h"
#include "lib/mem/strpool.h"

typedef enum rl_outcome { RL_OUTCOME_RECOVERED, RL_OUTCOME_GAVE_UP, RL_OUTCOME_OPEN } rl_outcome;

typedef struct rl_retry_event {
	int64_t start_us; /* of the retry: it counts in that minute */
	uint64_t client;
	uint16_t endpoint;
	uint8_t method;
	int16_t status;
	bool blind, unsafe;
	rl_verdict verdict; /* RL_V_NONE: not backoff-checked */
} rl_retry_event;

typedef struct rl_chain_sink {
	void *ctx;
	/* Each returns 0 to go on; any other value stops the call that made it. */
	int (*chain_start)(void *ctx, int64_t start_us, uint64_t client);
	int (*retry)(void *ctx, const rl_retry_event *ev);
	/* attempts: the chain's (1: a single failed attempt, never retried) */
	int (*outcome)(void *ctx, rl_outcome o, int64_t end_us, uint64_t client, uint32_t attempts);
	int (*evidence)(void *ctx, const rl_evidence *ev);
	int (*lockstep)(void *ctx, unsigned round, int64_t start_us, uint64_t client);
	int (*rekeyed)(void *ctx, int64_t start_us, uint64_t client);
} rl_chain_sink;

/* Names of interned ids, to save states, and ids of names, to load them. */
typedef struct rl_chain_names {
	void *ctx;
	const char *(*name)(void *ctx, int kind, uint32_t id); /* kind 0 endpoint, 1 method */
	uint32_t (*id)(void *ctx, int kind, const char *name);
} rl_chain_names;

typedef struct rl_chain_opts {
	const rl_policy *policy;
	int64_t window_us; /* --retry-window */
	int64_t max_lag_us; /* --max-lag */
	int64_t clock_skew_us; /* --clock-skew: added to tol between different inputs */
	/* Resolution (time, and duration when logged) of an input of this run. */
	int64_t (*tol)(void *ctx, uint16_t source, bool has_duration);
	void *tol_ctx;
	rl_chain_names names;
} rl_chain_opts;

typedef struct rl_chain rl_chain;

/* targets is the pool that attempts' target_ref point into (shared with the caller). */
int rl_chain_new(rl_chain **out, const rl_chain_opts *o, const rl_chain_sink *sink, rl_strpool *targets, rl_err *err);
void rl_chain_free(rl_chain *c);

/* Judges a (its target copy passes to the chain). Returns 0, a sink's value, or
 * RL_ENOMEM. */
int rl_chain_judge(rl_chain *c, const rl_attempt *a);

/* Closes the chains that no attempt can join once the latest start read is latest_us
 * (within a second: a chain found due when an attempt comes is closed then). The clock
 * is the run's own (SPEC §3.1.8): its first advance closes the loaded chains it is past. */
int rl_chain_advance(rl_chain *c, int64_t latest_us);

/* Closes, without moving the clock, the chains due before t: after loading the states
 * a run saved, those its clock (t, its latest start) had closed in the exact reading. */
int rl_chain_close_due(rl_chain *c, int64_t t);

/* The start of the last attempt of key's chain in progress: false when it has none. */
bool rl_chain_last_start(const rl_chain *c, uint64_t key, int64_t *start);

/* Closes every chain as if input ended at end_of_input_us: a chain that ends in failure
 * is open while end of input − its last end ≤ window, else gave_up. */
int rl_chain_finish(rl_chain *c, int64_t end_of_input_us);

/* Saved state: blobs of a kind, each under a 64-bit key (little-endian fields, names
 * instead of this run's ids, see lib/base/blob.h). */
enum { RL_CHAIN_STATE = 1, RL_CHAIN_REKEY = 2, RL_CHAIN_ATTEMPT = 3 };
typedef int (*rl_chain_put)(void *ctx, int kind, uint64_t key, const void *blob, size_t n);

/* Saves every chain state and rekey entry through put; loads one (RL_EDB if damaged). */
int rl_chain_save(rl_chain *c, rl_chain_put put, void *ctx);
int rl_chain_load(rl_chain *c, int kind, uint64_t key, const void *blob, size_t n, rl_err *err);

/* The client a saved blob of kind belongs to, read without loading it; false when the
 * blob does not say (a rekey entry saved before version 2). */
bool rl_chain_blob_client(int kind, const void *blob, size_t n, uint64_t *client);

/* Which of n chains (a run's --jobs workers, lib/retry/worker.h) owns client's keys. */
static inline size_t rl_chain_part(uint64_t client, size_t n)
{
	uint64_t x = client ^ client >> 31;
	x *= 0x7fb5d329728ea185ULL;
	return n > 1 ? (size_t)((x ^ x >> 27) % n) : 0;
}

/* The same for an attempt waiting in the reorder buffer (key: its seq). A loaded attempt
 * keeps the resolution it had (source RL_SOURCE_SAVED) and its own target copy. */
int rl_chain_save_attempt(rl_chain *c, const rl_attempt *a, rl_chain_put put, void *ctx);
int rl_chain_load_attempt(rl_chain *c, const void *blob, size_t n, rl_attempt *out, rl_err *err);

/* Chains in progress, and bytes held by their states. */
size_t rl_chain_active(const rl_chain *c);
size_t rl_chain_bytes(const rl_chain *c);

#endif
