/* store/merge.h - another database's rows added to this one (SPEC §4, retrylens merge).
 *
 * The other database is attached as "src" and read with the statements of sql/merge/:
 * its names mapped to this database's by name, every aggregate summed into its row,
 * its lockstep candidates and rejected samples added, its sources summed by name. Its
 * saved state (chains in progress, attempts waiting for order) is copied so that a
 * report judges it at the merged end of input, as one process would have at the end of
 * everything (lib/retry/finish.h): waiting attempts get this database's next input
 * order, and a chain whose key this database already holds (one client seen by two
 * hosts) is kept apart under a key of its own. lib/merge/merge.h decides what to merge;
 * this is how. */
#ifndef RL_STORE_MERGE_H
#define RL_STORE_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/store/store.h"

/* Attaches the database at path as src (outside a transaction), and detaches it. */
int rl_store_attach(rl_store *st, const char *path, rl_err *err);
void rl_store_detach(rl_store *st);

typedef struct rl_store_merge_in {
	const char *uuid; /* src's */
	const char *shard; /* src's "I/N", NULL for a whole database */
	bool leaf; /* src holds lines of its own (it is no merge of others) */
	int64_t run_id; /* this merge's run: the samples' */
} rl_store_merge_in;

typedef struct rl_store_merged {
	uint64_t lines, attempts, rejected; /* src's sources' */
	uint64_t chains, waiting; /* saved chains in progress and waiting attempts copied */
	uint64_t apart; /* chains kept apart under a key of their own (the key was here already) */
	uint64_t pending; /* src's files whose last line had no newline yet: not merged */
} rl_store_merged;

/* In st's current transaction: adds src's rows (see above), records src's uuid and
 * those it had merged, and moves the meta keys of the end of input, the clock and the
 * input order on. Returns 0, RL_EDB (err names the file) or RL_ENOMEM. */
int rl_store_merge_attached(rl_store *st, const rl_store_merge_in *in, rl_store_merged *out, rl_err *err);

/* Records uuid (shard "I/N" or NULL) among st's merged inputs: st's own lines, as a
 * leaf, when a database built by ingest is first merged into. */
int rl_store_merged_note(rl_store *st, const char *uuid, const char *shard, bool leaf, rl_err *err);

/* Calls cb with each uuid st has merged (leaf or not) and its shard ("" for none). */
int rl_store_merged_each(rl_store *st, int (*cb)(void *ctx, const char *uuid, const char *shard, bool leaf), void *ctx,
			 rl_err *err);

/* What st's merged inputs make it: mode "shards" when every leaf is a shard of one N and
 * no two are the same shard (*shards_of = N; fewer leaves than N: some are missing),
 * "hosts" when it merged anything else, "none" when nothing; leaves: how many. */
int rl_store_merged_mode(rl_store *st, char mode[8], int64_t *leaves, uint32_t *shards_of, rl_err *err);

#endif
