/* store/identity.h - what a database was built with: its uuid, its policy, its window.
 *
 * A database is made by one policy and one retry window (SPEC §3): the first ingest
 * claims them, every later ingest must bring the same, and a report reads them back.
 * The uuid names the database itself (made when the file is created). This is the one
 * module that reads or writes those meta keys. */
#ifndef RL_STORE_IDENTITY_H
#define RL_STORE_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/classify/policy.h"
#include "lib/store/store.h"

typedef struct rl_store_identity {
	char uuid[40]; /* "" in a database made before uuids */
	bool built; /* something was ingested: policy and window below are set */
	rl_policy policy; /* the policy the database was built with */
	int64_t retry_window_us;
	/* a shard's place in its partition (SPEC §4: ingest --shard I/N), n 0 when none */
	uint32_t shard_i, shard_n;
	/* what merge made of it (mode "none" when it merged nothing), and the databases it
	 * merged */
	char merged_mode[8];
	int64_t merged_inputs;
	uint32_t merged_of; /* shards: the N of their I/N (inputs < N: some are missing) */
} rl_store_identity;

/* Gives a new database its uuid; a database that has one keeps it. */
int rl_store_identity_init(rl_store *st, rl_err *err);

/* Reads st's identity into *id. Returns 0, or RL_EDB / RL_EUSAGE (a stored policy that
 * no longer parses) with err filled. */
int rl_store_identity_read(rl_store *st, rl_store_identity *id, rl_err *err);

/* Claims policy and window for st: sets them on a database never built; on a built one
 * returns RL_EUSAGE naming what differs (a changed policy file counts as another
 * policy). Returns 0 when they match or were set. */
int rl_store_identity_claim(rl_store *st, const rl_policy *policy, int64_t retry_window_us, rl_err *err);

/* Claims shard i of n (n ≤ 1: none) for st, before rl_store_identity_claim: sets it on
 * a database never built; on a built one returns RL_EUSAGE unless it is the same (a
 * shard's database holds only its clients, a whole one all of them). */
int rl_store_identity_claim_shard(rl_store *st, uint32_t i, uint32_t n, rl_err *err);

/* "I/N" into *i, *n: 0 ≤ I < N, 1 ≤ N ≤ 65536. False when s is not that. */
bool rl_store_shard_parse(const char *s, uint32_t *i, uint32_t *n);
#endif
