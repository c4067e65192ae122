/* saved.h - the retry engine's state across runs.
 *
 * At the end of a run, the chains still open and the attempts still waiting for order
 * are saved to the store (saved_state rows of versioned blobs, chain_saved.c, and meta
 * latest_start_us, the clock of the run that saved them); the next run loads them
 * before its first attempt, and a report loads them to judge what is open (finish.h).
 * Both go through these functions. */
#ifndef RL_RETRY_SAVED_H
#define RL_RETRY_SAVED_H

#include "lib/base/err.h"
#include "lib/mem/u64map.h"
#include "lib/retry/chain.h"
#include "lib/retry/reorder.h"
#include "lib/store/store.h"

/* What the database's saved_state holds, as this run knows it: per kind, each blob's
 * key and a hash of its bytes. A save then writes only what changed since: the blobs
 * that are new or differ, and deletes of those whose chain closed or whose attempt was
 * judged (SPEC §4: the state in every commit, incrementally). Filled by the load. */
typedef struct rl_saved_entry {
	uint64_t hash;
	uint32_t pass; /* the last save that saw it */
} rl_saved_entry;

typedef struct rl_saved_mirror {
	rl_u64map index[3]; /* key → entry + 1, for RL_CHAIN_STATE, _REKEY, _ATTEMPT */
	rl_saved_entry *e;
	size_t n, cap;
	uint32_t *free_; /* entries to reuse */
	size_t nfree, capfree;
	uint32_t pass;
	uint64_t written; /* blobs written or deleted by the saves so far */
} rl_saved_mirror;

void rl_saved_mirror_free(rl_saved_mirror *m);

/* Brings st's saved state to the open chains of chains[0..nchains) (one, or a run's
 * --jobs workers, each a part of the clients: rl_chain_part) and r's waiting attempts
 * (c names and holds their targets), writing what changed since the state m mirrors
 * (m may be NULL when st holds none). Returns 0, RL_EDB or RL_ENOMEM. */
int rl_saved_save(rl_store *st, rl_chain *c, rl_chain *const *chains, size_t nchains, rl_reorder *r, rl_saved_mirror *m,
		  rl_err *err);

/* Called, while loading, with the key and start of each stored attempt: the last of
 * each chain in progress, and each waiting one. Non-zero: out of memory. */
typedef int (*rl_saved_stored)(void *ctx, uint64_t key, int64_t start_us);

/* Loads st's saved state into fresh chains and r: each chain and rekey entry into
 * chains[rl_chain_part(its client, nchains)], the waiting attempts (through c) held in r (rl_reorder_hold: this run's clock is its own), and closes the chains the
 * saving run's clock had passed. stored (may be NULL) sees every stored attempt; m (may
 * be NULL) learns what the database holds. Returns 0, RL_EDB or RL_ENOMEM. */
int rl_saved_load(rl_store *st, rl_chain *c, rl_chain *const *chains, size_t nchains, rl_reorder *r,
		  rl_saved_stored stored, void *stored_ctx, rl_saved_mirror *m, rl_err *err);

/* Whether every saved chain and rekey entry of st names its client, so that more than
 * one chain can load them (a rekey entry saved before version 2 does not). */
int rl_saved_routable(rl_store *st, bool *routable, rl_err *err);

#endif
