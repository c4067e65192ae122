/* aggregate/clients.h - per-client counts between two commits, and their evidence.
 *
 * Ingest counts each client's attempts as they are read and its retries, verdicts and
 * violations as the chain detector judges them; the commit adds the table to the
 * database's client rows (lib/store/store.h) and empties it, so memory follows the clients of
 * one flush. Each client keeps the evidence of its chain with the most violations
 * (ties: the earliest chain), as a blob (lib/retry/evidence.h). Client names and evidence
 * live in an arena that the table's reset frees. */
#ifndef RL_CLIENTS_H
#define RL_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/retry/chain.h"
#include "lib/store/rows.h" /* RL_CL_*, rl_client_row */
#include "lib/base/defaults.h" /* RL_CLIENTS_CAP: past it, those with the fewest violations, then
			   * attempts, go (at the end of each run, and during one every 2 × cap rows) */

/* The column name and short heading of client counter i (RL_CL_*); NULL out of range. */
const char *rl_client_counter_name(int i);
const char *rl_client_counter_head(int i);

typedef rl_store_client_row rl_client_row; /* lib/store/rows.h */

typedef struct rl_clients rl_clients;

rl_clients *rl_clients_new(void);
void rl_clients_free(rl_clients *t);

/* The row of a client, created (with name, may be NULL) if new; NULL when out of
 * memory. A name given later fills a row created without one. */
rl_client_row *rl_clients_get(rl_clients *t, uint64_t hash, const char *name, size_t n);

/* Adds a judged retry to its client's row. */
int rl_clients_add_retry(rl_clients *t, const rl_retry_event *ev);

/* Whether evidence with violations v from a chain starting at start beats what a row
 * holds (cur_v, cur_start; has: the row has evidence): more violations, or as many and
 * an earlier chain. The store's upsert (sql/write/client.sql) applies the same rule. */
static inline bool rl_evidence_beats(unsigned v, int64_t start, unsigned cur_v, bool has, int64_t cur_start)
{
	return v > cur_v || (v == cur_v && (!has || start < cur_start));
}

/* Offers evidence: kept, as its blob, when it beats the row's (more violations, or as
 * many and an earlier chain). method is the name of ev's method id. */
int rl_clients_add_evidence(rl_clients *t, const rl_evidence *ev, const char *method);

/* Rows in no particular order; the table stays valid until reset. */
size_t rl_clients_count(const rl_clients *t);
rl_client_row *rl_clients_row(rl_clients *t, size_t i);

/* Puts the rows in the database's order (the hash as a signed integer), so that the
 * commit walks the client table's B-tree once instead of jumping around it. */
void rl_clients_sort(rl_clients *t);

/* True when the table or its arena is big enough to flush. */
bool rl_clients_full(const rl_clients *t);

/* Adds every row of from into into (counters summed, the better evidence kept, as the
 * store's upsert does), and empties from. Returns 0 or RL_ENOMEM. */
int rl_clients_merge(rl_clients *into, rl_clients *from);

/* Empties the table and its arena. */
void rl_clients_reset(rl_clients *t);

#endif
