/* retry/worker.h - the retry analysis on its own thread.
 *
 * The parser hands every record over with rl_worker_push(): its values and the few
 * strings that identify it (client, method, target, idempotency key, request id),
 * copied (lib/retry/attempt.h's rl_attempt_in); batches cross to the analysis thread,
 * which builds each attempt whole (rl_attempt_build: the identity hashes, the target
 * copy), counts attempts per client, puts the
 * attempts back in time order (lib/retry/reorder.h), judges them (lib/retry/chain.h) and counts
 * what it finds in tables of its own: retries and verdicts per endpoint and minute,
 * chains and outcomes per minute, per-client counts and evidence, lockstep candidates,
 * rekeyed clients, and late attempts per input. It commits those tables through the same committer as the parser
 * (lib/store/writer.h), so on two cores parsing, judging and writing overlap.
 *
 * State that outlives a run (chains in progress, attempts still waiting for order) is
 * loaded before the thread starts and saved after it stops, by the same functions the
 * report uses to judge it (lib/retry/saved.h). */
#ifndef RL_RETRY_WORKER_H
#define RL_RETRY_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/retry/attempt.h"
#include "lib/retry/chain.h"
#include "lib/store/writer.h"
#include "lib/mem/intern.h"
#include "lib/format/record.h"
#include "lib/retry/reorder.h"
#include "lib/store/store.h"

typedef struct rl_worker rl_worker;

typedef struct rl_worker_opts {
	const rl_policy *policy;
	int64_t window_us, max_lag_us, clock_skew_us;
	/* --jobs: parts that judge the chains, each those of a share of the clients
	 * (rl_chain_part), beside this thread; ≤ 1: it judges them itself */
	size_t jobs;
	size_t max_keys;
	rl_intern *endpoints, *methods; /* appended to by the parser; read here for ids it handed over */
	rl_writer *commit;
	size_t nsources;
	const char *const *source_names; /* for the late counts; owned by the caller */
	/* per input: time and duration resolution, updated by the parser (relaxed atomics) */
	const _Atomic int64_t *time_res, *dur_res;
	/* the timer's commits save the state too (a stream, which cannot be read again:
	 * after a kill -9 the database holds the chains of what it committed) */
	bool save_every_commit;
	/* go on with the clock of the run that saved the state (a report's view of pending
	 * lines: as if they ended that run's input), not a clock of its own */
	bool continue_clock;
} rl_worker_opts;

int rl_worker_new(rl_worker **out, const rl_worker_opts *o, rl_err *err);

/* Loads the state saved by an earlier run (before rl_worker_start). */
int rl_worker_load(rl_worker *a, rl_store *st, rl_err *err);

/* Starts the thread (or, when that fails, works inline in rl_worker_push). */
void rl_worker_start(rl_worker *a);

/* Hands record r over (its values and identifying strings, lib/retry/attempt.h); the
 * thread builds its attempt. Blocks while the thread is behind. Returns 0, or an error
 * the thread met earlier. */
int rl_worker_push(rl_worker *a, const rl_record *r, const rl_attempt_origin *o);

/* Moves the clock as a record starting at start_us would, without judging it: a record
 * of another shard's client (ingest --shard), so that what is late, and when chains
 * close, follows the whole input as in one process. Returns as rl_worker_push. */
int rl_worker_tick(rl_worker *a, int64_t start_us);

/* Hands over what was pushed so far, however little, and waits until the thread has
 * judged it and handed its tables (and, with save_every_commit, its state) to the
 * writer: the parser's commit that follows holds the analysis of every attempt it
 * counted (a stream's commits: the database stays current while input is idle, and a
 * kill -9 leaves counts and chains that agree). Returns 0, or an error of the thread. */
int rl_worker_flush(rl_worker *a);

/* Processes everything pushed, commits the thread's last tables, stops the thread.
 * Returns 0 or the first error (err filled). */
int rl_worker_stop(rl_worker *a, rl_err *err);

/* After stop: saves the state the next run goes on from, in the current transaction. */
int rl_worker_save(rl_worker *a, rl_store *st, rl_err *err);

/* Chains in progress plus attempts waiting for order, and their bytes (not the fixed
 * hand-over buffers of the threads). */
size_t rl_worker_active(const rl_worker *a);
size_t rl_worker_bytes(const rl_worker *a);

/* The latest start read (to save), over this and earlier runs. */
int64_t rl_worker_latest(const rl_worker *a);

/* Blobs of saved state the run's saves wrote or deleted: what changed (lib/retry/saved.h). */
uint64_t rl_worker_state_writes(const rl_worker *a);

void rl_worker_free(rl_worker *a);

#endif
