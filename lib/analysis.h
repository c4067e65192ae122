/* analysis.h - the retry analysis on its own thread.
 *
 * The parser condenses every record into an rl_attempt and hands it over with
 * rl_analysis_push(), with the few strings that identify it (client, method, target,
 * idempotency key, request id) copied alongside; batches cross to the analysis thread,
 * which hashes the identities (lib/identity.h), counts attempts per client, puts the
 * attempts back in time order (lib/reorder.h), judges them (lib/chain.h) and counts
 * what it finds in tables of its own: retries and verdicts per endpoint and minute,
 * chains and outcomes per minute, per-client counts and evidence, lockstep candidates,
 * rekeyed clients, and late attempts per input. It commits those tables through the same committer as the parser
 * (lib/commit.h), so on two cores parsing, judging and writing overlap.
 *
 * State that outlives a run (chains in progress, attempts still waiting for order) is
 * loaded before the thread starts and saved after it stops, by the same functions the
 * report uses to judge it (rl_analysis_load_state, rl_analysis_save_state). */
#ifndef RL_ANALYSIS_H
#define RL_ANALYSIS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/attempt.h"
#include "lib/chain.h"
#include "lib/commit.h"
#include "lib/intern.h"
#include "lib/record.h"
#include "lib/reorder.h"
#include "lib/store.h"

typedef struct rl_analysis rl_analysis;

typedef struct rl_analysis_opts {
	const rl_policy *policy;
	int64_t window_us, max_lag_us, clock_skew_us;
	int64_t flush_every_us;
	size_t max_keys;
	rl_intern *endpoints, *methods; /* appended to by the parser; read here for ids it handed over */
	rl_commit *commit;
	size_t nsources;
	const char *const *source_names; /* for the late counts; owned by the caller */
	/* per input: time and duration resolution, updated by the parser (relaxed atomics) */
	const _Atomic int64_t *time_res, *dur_res;
} rl_analysis_opts;

int rl_analysis_new(rl_analysis **out, const rl_analysis_opts *o, rl_err *err);

/* Loads the state saved by an earlier run (before rl_analysis_start). */
int rl_analysis_load(rl_analysis *a, rl_store *st, rl_err *err);

/* Starts the thread (or, when that fails, works inline in rl_analysis_push). */
void rl_analysis_start(rl_analysis *a);

/* Hands an attempt of record r over: att has its times, ids, status, flags and seq;
 * the hashes are the thread's to fill. Blocks while the thread is behind. Returns 0, or
 * an error the thread met earlier. */
int rl_analysis_push(rl_analysis *a, const rl_attempt *att, const rl_record *r);

/* Processes everything pushed, commits the thread's last tables, stops the thread.
 * Returns 0 or the first error (err filled). */
int rl_analysis_stop(rl_analysis *a, rl_err *err);

/* After stop: saves the state the next run goes on from, in the current transaction. */
int rl_analysis_save(rl_analysis *a, rl_store *st, rl_err *err);

/* Chains in progress plus attempts waiting for order, and their bytes. */
size_t rl_analysis_active(const rl_analysis *a);
size_t rl_analysis_bytes(const rl_analysis *a);

/* The latest start read (to save), over this and earlier runs. */
int64_t rl_analysis_latest(const rl_analysis *a);

void rl_analysis_free(rl_analysis *a);

/* --- saved state, shared with the report ------------------------------------------ */

/* Loads saved chains and waiting attempts into c and r (latest start restored first).
 * Attempts that become safe are judged through c. */
int rl_analysis_load_state(rl_store *st, rl_chain *c, rl_reorder *r, rl_err *err);

/* Saves c's chains and r's waiting attempts (replacing what was saved). */
int rl_analysis_save_state(rl_store *st, rl_chain *c, rl_reorder *r, rl_err *err);

#endif
