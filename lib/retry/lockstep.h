/* lockstep.h - clients that retry in step (SPEC §3).
 *
 * The chains name lockstep candidates as they judge (a retry's round and start);
 * whether a candidate is in lockstep needs every candidate of its round from every run,
 * so it is settled over the whole set: a candidate is in lockstep when candidates of its
 * round from ≥ 3 distinct clients start within ±5 ms of it, and a round's lockstep
 * retries with gaps ≤ 5 ms form a burst. */
#ifndef RL_RETRY_LOCKSTEP_H
#define RL_RETRY_LOCKSTEP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/store/writer.h" /* rl_writer_candidate */

#define RL_LOCKSTEP_BURSTS 10 /* the largest bursts kept */

typedef struct rl_lockstep_burst {
	int64_t start_us;
	unsigned round;
	uint64_t clients;
} rl_lockstep_burst;

typedef struct rl_lockstep {
	uint64_t retries, clients; /* lockstep retries, and the distinct clients they come from */
	rl_lockstep_burst bursts[RL_LOCKSTEP_BURSTS]; /* by clients, then start, then round */
	size_t nbursts;
} rl_lockstep;

/* Sorts cand (round, start, client) and settles lockstep over it into *out. Returns 0
 * or RL_ENOMEM. */
int rl_lockstep_find(rl_writer_candidate *cand, size_t ncand, rl_lockstep *out);

#endif
