/* store/writer.h - the transaction that moves what ingest counted into the store.
 *
 * One commit writes, in one SQLite transaction, the aggregates of a flush (names new
 * since the last commit first), the per-source counts, the rejected-line samples and
 * the run row: a database never holds half a flush. Commits run on a writer thread, so
 * the store's per-row cost overlaps the parsing of the next lines on the other core:
 * rl_writer_submit() hands the full tables over (aggregates, clients, lockstep
 * candidates, rekeyed clients) and gives back empty ones, waiting only while the
 * previous commit is still being written.
 *
 * Sharing: the interners (lib/mem/intern.h) are appended to by the parser while the writer
 * reads the entries that existed at submit time and sets their database ids; nothing
 * else is shared. */
#ifndef RL_STORE_WRITER_H
#define RL_STORE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/aggregate/aggregate.h"
#include "lib/aggregate/clients.h"
#include "lib/base/err.h"
#include "lib/classify/error_table.h"
#include "lib/mem/intern.h"
#include "lib/store/store.h"

#define RL_SAMPLE_EXCERPT 160

typedef struct rl_writer_sample {
	size_t src; /* index into the sources array */
	long long line;
	char reason[96];
	char excerpt[RL_SAMPLE_EXCERPT * 4 + 4]; /* rl_text_clean()ed */
} rl_writer_sample;

typedef struct rl_writer rl_writer;

typedef struct rl_writer_candidate {
	unsigned round;
	int64_t start_us;
	uint64_t client;
} rl_writer_candidate;

/* What the parser fills between two commits; rl_writer_submit() takes it and hands
 * back an empty one of the same shape. */
typedef struct rl_writer_work {
	rl_agg *agg;
	rl_clients *clients;
	rl_writer_candidate *cand; /* lockstep candidates */
	size_t ncand, capcand;
	uint64_t *rekeyed; /* clients, one entry per rekeyed attempt */
	size_t nrekeyed, caprekeyed;
	/* the interned ids the tables use are all ≤ these (set by the submitter) */
	uint32_t endpoints_upto, methods_upto, errors_upto;
	/* run in the commit's transaction after the tables (a stream's retry state: the
	 * submitter waits, so what it reads holds still); NULL: none */
	int (*save)(void *ctx, rl_store *st, rl_err *err);
	void *save_ctx;
} rl_writer_work;

/* Appends to the lists of w; RL_ENOMEM when out of memory. */
int rl_writer_work_candidate(rl_writer_work *w, unsigned round, int64_t start_us, uint64_t client);
int rl_writer_work_rekeyed(rl_writer_work *w, uint64_t client);

/* Starts the writer for nsrcs sources and up to max_samples samples per commit. The
 * spare tables get max_keys aggregate keys (lib/aggregate/aggregate.h). errors (may be NULL) names
 * the error codes of the bucket rows, shared like the interners. */
int rl_writer_new(rl_writer **out, rl_store *st, rl_intern *endpoints, rl_intern *methods, rl_error_table *errors,
		  int64_t run_id, size_t nsrcs, size_t max_samples, size_t max_keys, rl_err *err);

typedef struct rl_writer_totals {
	uint64_t lines, attempts, rejected; /* of the run so far */
	const char *status; /* NULL mid-run; "ok" or "failed" at the end */
	/* Run inside the transaction, after everything else (in the last: the saved state). */
	int (*on_final)(void *ctx, rl_store *st, rl_err *err);
	void *final_ctx;
	bool commit; /* ends the transaction (without one transaction for the run) */
} rl_writer_totals;

/* With on (before the first submit), every batch of the run goes into one transaction
 * that the last one (a status in its totals) commits: a run killed midway leaves the
 * database as it was, so the same command again reads every line once (the
 * checkpoints are in that transaction too). Off, a batch whose totals say commit (the
 * parser's timer) commits itself and every batch before it since the last commit, the
 * analysis' included (streams, which cannot be read again: what they delivered is kept,
 * its analysis with it). */
void rl_writer_one_transaction(rl_writer *c, bool on);

/* For a database no report will read by the minute (analyze without --since/--until,
 * whose database goes when it ends): the latency histograms are summed into their
 * all-time rows only, not written per minute as well. */
void rl_writer_all_time_latency(rl_writer *c);

/* Queues a commit of *w, the sources' counts since the last commit (deltas, may be
 * NULL) and the samples; t (may be NULL) updates the run row. *w is replaced by an
 * empty one. Several threads may submit; commits are written one at a time. With wait,
 * returns once it is written. Returns 0, or the error of this or an earlier commit. */
int rl_writer_submit(rl_writer *c, rl_writer_work *w, const rl_store_source_delta *deltas,
		     const rl_writer_sample *samples, size_t nsamples, const rl_writer_totals *t, bool wait,
		     rl_err *err);

/* Waits for the writer and stops it. NULL is fine. */
void rl_writer_free(rl_writer *c);

#endif
