/* finish.h - what a database's last run left open, judged as if input ended there.
 *
 * Ingest saves the chains still open and the attempts still waiting for order at the
 * end of each run, and judges them when the next run goes on. A report cannot wait: it
 * loads that saved state with the retry engine's own functions (chain_saved.c, the
 * worker's load), puts the waiting attempts in order, closes every chain at the end of
 * input, and counts what it finds through the same tally as ingest (tally.h). The
 * report then sums those tables with the database's; nothing is judged twice and no
 * second engine exists. */
#ifndef RL_RETRY_FINISH_H
#define RL_RETRY_FINISH_H

#include <stdbool.h>

#include "lib/base/err.h"
#include "lib/mem/intern.h"
#include "lib/retry/tally.h"
#include "lib/store/store.h"
#include "lib/store/writer.h"

typedef struct rl_retry_finish {
	bool judged; /* the database has an identity: the rest is set */
	char policy[64]; /* the policy it was judged with (the database's) */
	bool require_jitter; /* that policy asks for jitter (backoff rule 4 applies) */
	rl_writer_work work; /* the findings, in interned ids */
	rl_tally tally; /* tally.open: chains still open at the end */
	rl_intern *endpoints, *methods; /* the database's names: rl_intern_db_id maps an id */
} rl_retry_finish;

/* Judges st's saved state into *f. Returns 0 (f->judged false for an empty database),
 * RL_EDB, RL_EUSAGE (a stored policy that no longer parses) or RL_ENOMEM. */
int rl_retry_finish_run(rl_retry_finish *f, rl_store *st, rl_err *err);

void rl_retry_finish_free(rl_retry_finish *f);

#endif
