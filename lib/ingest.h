/* ingest.h - the pipeline: sources → format → aggregate → store.
 *
 * rl_ingest reads inputs line by line, parses each with the source's format (sniffed
 * when the spec is "auto"), merges the inputs by time, counts attempts in memory
 * (lib/aggregate/aggregate.h), runs the retry analysis (lib/retry/reorder.h, lib/retry/chain.h) and commits to
 * the store in one transaction per flush: aggregates, findings, per-source counts,
 * rejected-line samples and the run row together, so a database never holds half a
 * flush. A flush happens when the in-memory tables fill, every flush_every_us of wall
 * time (streams), and at the end, when the chains in progress are saved for the next
 * run. Bad lines are counted and sampled; only system failures are errors.
 *
 * Threads. Three (more with --jobs), and the rule is written here once:
 *   - the parser thread (the caller of rl_ingest_run) owns the readers
 *     (lib/input/reader.h), the merge, the per-source deltas and rejected samples, the
 *     attempt counts of aggregates and client rows (rl_writer_work), and the interners
 *     of endpoints, methods and error templates, which only it appends to;
 *   - the retry worker (lib/retry/worker.h) owns the reorder buffer, the chains and its own
 *     rl_writer_work; it meets the parser in rl_worker_push() (batches of records'
 *     values and strings handed over under a lock, lib/retry/attempt.h's rl_attempt_in;
 *     the worker builds each attempt from one) and reads each source's resolution from two atomics
 *     the readers publish (relaxed: a coarser value only widens a tolerance early);
 *   - the writer (lib/store/writer.h) owns the store between rl_store_begin and commit; it
 *     meets the others in rl_writer_submit(), which swaps full tables for empty ones,
 *     and reads interner entries that existed at submit time (they never move);
 *   - with --jobs N > 1, N - 1 parts (lib/retry/worker.c) beside the retry worker, each
 *     owning the chains of a share of the clients (rl_chain_part) and its own tables; the
 *     worker hands them attempts and clock moves in batches, and at a commit waits for
 *     them to be idle, folds their tables into its own and saves their chains.
 * Every object is built on the thread that owns it; nothing else is shared. */
#ifndef RL_INGEST_H
#define RL_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/format/format.h"
#include "lib/classify/policy.h"
#include "lib/store/store.h"

typedef struct rl_ingest rl_ingest;

/* Where a run is, for a progress line: lines read, and bytes read of the inputs' sizes
 * (compressed for gzip). */
typedef struct rl_ingest_progress {
	uint64_t lines;
	uint64_t bytes, total_bytes; /* total_bytes 0: a stream among the inputs (no end known) */
	bool done; /* the run's last call: the line can go */
} rl_ingest_progress;

typedef struct rl_ingest_opts {
	const char *command; /* recorded in the run row: "analyze", "ingest" */
	const char *format; /* a format spec or "auto" (NULL: auto) */
	rl_format_opts format_opts; /* --field, --client */
	const rl_policy *policy; /* required */
	int64_t retry_window_us; /* --retry-window, part of the database's identity (0: 120 s) */
	int64_t max_lag_us; /* --max-lag: disorder put back in order (< 0: 60 s) */
	int64_t clock_skew_us; /* --clock-skew: added to the tolerance between inputs */
	size_t max_line; /* 0: 64 KiB */
	int64_t flush_every_us; /* 0: 10 s; a stream commits this often even when idle */
	size_t max_samples; /* rejected-line samples kept per source and run (0: 10) */
	size_t max_keys; /* in-memory aggregate keys before a flush (0: 4096) */
	/* ingest --shard I/N (SPEC §4): only the clients whose FNV-1a 64 of the client
	 * string, mod N, is I; lines that hold no record are shard 0's. n ≤ 1: every client.
	 * Part of the database's identity. */
	uint32_t shard_i, shard_n;
	/* --jobs: the retry analysis judges the chains in this many parts, each those of a
	 * share of the clients, beside its own thread (lib/retry/worker.h); ≤ 1: one */
	size_t jobs;
	/* ingest: a plain file's last line without its newline yet is pending (SPEC §4): not
	 * counted, kept in its checkpoint for the next run (analyze, whose input ends, counts
	 * it) */
	bool keep_pending;
	/* analyze without a window: no report reads this database by the minute, so its
	 * latency histograms are written for all time only (rl_writer_all_time_latency) */
	bool all_time_latency;
	/* ingest: a run of files in which an input parsed nothing with its format (the
	 * wrong --format) writes nothing, so that the same command with the right format
	 * reads every line once; analyze reports what it read */
	bool wrong_format_writes_nothing;
	/* Called with one-line messages for the user: notices ("format auto: combined")
	 * and, with is_error, an input that failed midway (it is not repeated in err). */
	void (*notice)(void *ctx, const char *source, const char *msg, bool is_error);
	void *notice_ctx;
	/* Called with where the run is at most every 100 ms while it reads, and once at
	 * its end (done); NULL: never. */
	void (*progress)(void *ctx, const rl_ingest_progress *p);
	void *progress_ctx;
} rl_ingest_opts;

typedef struct rl_ingest_stats {
	uint64_t lines, attempts, rejected, sources;
	uint64_t skipped; /* lines that are not access records (JSON logs' other records) */
	uint64_t bytes; /* bytes read from the inputs (compressed for gzip) */
	uint64_t active_keys; /* chains in progress + attempts waiting for order, at the end */
	uint64_t analysis_bytes; /* memory of the retry analysis at the end */
	uint64_t state_writes; /* blobs of saved state written or deleted: what changed */
	int stopped; /* the why given to rl_ingest_stop (a signal number), 0 when input ended */
	uint64_t dropped; /* bytes of stream lines without their newline when stopped: not counted */
} rl_ingest_stats;

/* Prepares an ingest into st, checking that the database's identity (policy, retry
 * window) matches opts, or recording it in a new database. Errors: RL_EUSAGE for a
 * mismatch, RL_EDB. */
int rl_ingest_new(rl_ingest **out, rl_store *st, const rl_ingest_opts *opts, rl_err *err);

/* Reads every path ("-" is stdin) and commits. All inputs are opened first, so a
 * missing file fails before anything is counted (RL_EINPUT, err filled). An input that
 * fails midway (a truncated .gz) keeps what was read before the failure, is reported
 * through the notice callback, the others are still read, and RL_EINPUT is returned
 * at the end with err->code 0. */
int rl_ingest_run(rl_ingest *ing, const char *const *paths, size_t n, rl_err *err);

/* A report's view of the pending last lines (SPEC §4): on a copy of the database (a
 * report writes nothing to it), counts each checkpoint's pending line as the last line
 * of its source, as if input ended there, and commits. Returns as rl_ingest_run. */
int rl_ingest_run_pending(rl_ingest *ing, rl_err *err);

/* Ends a run early, as if every input ended after the line it is reading: what was read
 * is counted and committed, the retry state saved, and rl_ingest_run returns as usual
 * with stats.stopped = why (≠ 0). Safe in a signal handler, from any thread. */
void rl_ingest_stop(rl_ingest *ing, int why);

void rl_ingest_get_stats(const rl_ingest *ing, rl_ingest_stats *out);

void rl_ingest_free(rl_ingest *ing);

#endif
