/* commit.h - the transaction that moves what ingest counted into the store.
 *
 * One commit writes, in one SQLite transaction, the aggregates of a flush (names new
 * since the last commit first), the per-source counts, the rejected-line samples and
 * the run row: a database never holds half a flush. Commits run on a writer thread, so
 * the store's per-row cost overlaps the parsing of the next lines on the other core:
 * rl_commit_submit() hands the full aggregate tables over and gives back empty ones,
 * waiting only while the previous commit is still being written.
 *
 * Sharing: the interners (lib/intern.h) are appended to by the parser while the writer
 * reads the entries that existed at submit time and sets their database ids; nothing
 * else is shared. */
#ifndef RL_COMMIT_H
#define RL_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/aggregate.h"
#include "lib/err.h"
#include "lib/intern.h"
#include "lib/store.h"

#define RL_SAMPLE_EXCERPT 160

typedef struct rl_commit_sample {
	size_t src; /* index into the sources array */
	long long line;
	char reason[96];
	char excerpt[RL_SAMPLE_EXCERPT * 4 + 4]; /* rl_text_clean()ed */
} rl_commit_sample;

typedef struct rl_commit rl_commit;

/* Starts the writer for nsrcs sources and up to max_samples samples per commit. The
 * spare aggregate tables get max_keys keys (lib/aggregate.h). */
int rl_commit_new(rl_commit **out, rl_store *st, rl_intern *endpoints, rl_intern *methods, int64_t run_id, size_t nsrcs,
		  size_t max_samples, size_t max_keys, rl_err *err);

typedef struct rl_commit_totals {
	uint64_t lines, attempts, rejected; /* of the run so far */
	const char *status; /* NULL mid-run; "ok" or "failed" at the end */
} rl_commit_totals;

/* Queues a commit of *agg, the sources' counts since the last commit and the samples;
 * *agg is replaced by an empty table. With wait, returns once it is written. Returns
 * 0, or the error of this or an earlier commit (RL_EDB). */
int rl_commit_submit(rl_commit *c, rl_agg **agg, const rl_store_source_delta *deltas, const rl_commit_sample *samples,
		     size_t nsamples, const rl_commit_totals *t, bool wait, rl_err *err);

/* Waits for the writer and stops it. NULL is fine. */
void rl_commit_free(rl_commit *c);

#endif
