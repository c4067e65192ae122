/* tally.h - what the chains find, counted: the one sink behind every judging.
 *
 * Ingest's retry worker and the report (judging what the last run left open, see
 * finish.h) count the same events into the same tables: an rl_writer_work holds the
 * retries per minute × endpoint × method with their findings and verdicts, chains per
 * start minute, outcomes per end minute, rekeyed attempts, per-client counts with their
 * evidence, lockstep candidates and rekeyed clients. The worker commits those tables;
 * the report sums them with what the database holds. A tally belongs to the thread
 * that judges. */
#ifndef RL_RETRY_TALLY_H
#define RL_RETRY_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/mem/intern.h"
#include "lib/retry/chain.h"
#include "lib/store/writer.h"

/* A chain still open at the end of input: never stored, so a report counts it where
 * its outcome would count (its last end minute), and whether it was retried. */
typedef struct rl_tally_open {
	int64_t minute; /* of its last end */
	bool single; /* a single failed attempt, not retried (yet) */
} rl_tally_open;

typedef struct rl_tally {
	rl_writer_work *work; /* where the findings go */
	const rl_intern *methods; /* the names of method ids, for evidence */
	uint32_t max_endpoint, max_method; /* the highest ids the tables use */
	uint64_t open; /* chains still open when they closed (only a finish has them) */
	rl_tally_open *opens; /* each one's, in the order they closed (malloc'd; free it) */
	size_t open_cap;
	/* chains started per minute go through a one-minute cache: nearly every attempt
	 * starts a chain, and time-ordered input stays in one minute for a while */
	int64_t chain_minute;
	uint32_t chain_count;
} rl_tally;

void rl_tally_init(rl_tally *t, rl_writer_work *work, const rl_intern *methods);

/* The chain sink that counts into t (lib/retry/chain.h). */
rl_chain_sink rl_tally_sink(rl_tally *t);

/* Notes ids the tables will use (rl_tally's max_endpoint, max_method). */
void rl_tally_note_ids(rl_tally *t, uint32_t endpoint, uint32_t method);

/* Moves the cached chain count into the tables: before the tables are read. */
void rl_tally_settle(rl_tally *t);

#endif
