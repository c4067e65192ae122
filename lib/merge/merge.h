/* merge/merge.h - shard and host databases made one (SPEC §4, retrylens merge).
 *
 * Every input is checked before anything is written: a retrylens database, built with
 * the same policy and retry window as the others and as the database merged into. One
 * that database already merged (by uuid) is skipped with a notice; one that holds a
 * database merged here already (a merge of merges) is refused, since its counts would
 * be added twice. Then each input is added in a transaction of its own
 * (lib/store/merge.h), with its uuid: a crash between two leaves the merged ones merged,
 * and the same command again merges the rest.
 *
 * Shards (ingest --shard I/N of every host's logs) hold disjoint clients, so the merge
 * is exact: every chain is whole in one shard, lockstep is settled over the union of
 * candidates, and open chains are judged by the report at the merged end of input.
 * Hosts' databases (one per backend) are exact for attempts and statuses; a client's
 * retries that crossed hosts are chains of their own in each. The database says which
 * it holds (merged_mode, merged_inputs), and the report prints it. */
#ifndef RL_MERGE_MERGE_H
#define RL_MERGE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/store/store.h"

typedef struct rl_merge_opts {
	/* one-line messages for the user: an input skipped, an input merged */
	void (*notice)(void *ctx, const char *source, const char *msg, bool is_error);
	void *notice_ctx;
} rl_merge_opts;

typedef struct rl_merge_stats {
	size_t merged, skipped; /* inputs */
	uint64_t lines, attempts, rejected; /* of the merged inputs */
	uint64_t chains, waiting, apart; /* saved state copied (lib/store/merge.h) */
	char mode[8]; /* what out holds now: none, shards, hosts */
	int64_t leaves; /* the databases whose lines it holds */
	uint32_t shards_of; /* shards: N (leaves < N: some shards are missing) */
} rl_merge_stats;

/* Merges the databases at paths into out (opened as its writer). Returns 0; RL_EUSAGE
 * (nothing written) for an input that does not fit; RL_EDB naming the file. */
int rl_merge_run(rl_store *out, const char *const *paths, size_t n, const rl_merge_opts *o, rl_merge_stats *stats,
		 rl_err *err);

#endif
