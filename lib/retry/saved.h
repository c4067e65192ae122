/* saved.h - the retry engine's state across runs.
 *
 * At the end of a run, the chains still open and the attempts still waiting for order
 * are saved to the store (saved_state rows of versioned blobs, chain_saved.c, and meta
 * latest_start_us, the clock of the run that saved them); the next run loads them
 * before its first attempt, and a report
 * loads them to judge what is open (finish.h). Both go through these two functions. */
#ifndef RL_RETRY_SAVED_H
#define RL_RETRY_SAVED_H

#include "lib/base/err.h"
#include "lib/retry/chain.h"
#include "lib/retry/reorder.h"
#include "lib/store/store.h"

/* Replaces st's saved state with c's open chains and r's waiting attempts. Returns 0,
 * RL_EDB or RL_ENOMEM. */
int rl_saved_save(rl_store *st, rl_chain *c, rl_reorder *r, rl_err *err);

/* Called, while loading, with the key and start of each stored attempt: the last of
 * each chain in progress, and each waiting one. Non-zero: out of memory. */
typedef int (*rl_saved_stored)(void *ctx, uint64_t key, int64_t start_us);

/* Loads st's saved state into a fresh c and r: the chains into c, the waiting attempts
 * held in r (rl_reorder_hold: this run's clock is its own), and closes the chains the
 * saving run's clock had passed. stored (may be NULL) sees every stored attempt. Returns
 * 0, RL_EDB or RL_ENOMEM. */
int rl_saved_load(rl_store *st, rl_chain *c, rl_reorder *r, rl_saved_stored stored, void *stored_ctx, rl_err *err);

#endif
