/* retry/lockstep.c - clients retrying in step (lib/retry/lockstep.h). */
#include "lib/retry/lockstep.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/mem/u64map.h"
#include "lib/retry/backoff.h"

static int cmp_cand(const void *x, const void *y)
{
	const rl_writer_candidate *a = x, *b = y;
	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	return a->client < b->client ? -1 : a->client > b->client;
}

static int cmp_burst(const void *x, const void *y)
{
	const rl_lockstep_burst *a = x, *b = y;
	if (a->clients != b->clients)
		return a->clients > b->clients ? -1 : 1;
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	return a->round < b->round ? -1 : a->round > b->round;
}

/* Distinct clients among cand[lo, hi): counted with a scratch map. */
static uint64_t distinct(const rl_writer_candidate *cand, size_t lo, size_t hi, rl_u64map *seen)
{
	rl_u64map_clear(seen);
	uint64_t n = 0;
	for (size_t i = lo; i < hi; i++)
		if (!rl_u64map_get(seen, cand[i].client | 1)) {
			rl_u64map_put(seen, cand[i].client | 1, 1);
			n++;
		}
	return n;
}

/* SPEC §3 lockstep: a candidate is in lockstep when candidates of its round from ≥ 3
 * distinct clients start within ±5 ms of it; bursts join a round's lockstep retries
 * with gaps ≤ 5 ms. */
int rl_lockstep_find(rl_writer_candidate *cand, size_t ncand, rl_lockstep *out)
{
	memset(out, 0, sizeof *out);
	if (!ncand)
		return 0;
	qsort(cand, ncand, sizeof *cand, cmp_cand);
	bool *in = calloc(ncand, sizeof *in);
	rl_u64map seen = {0}, clients = {0};
	rl_lockstep_burst *bursts = NULL;
	size_t nb = 0, capb = 0;
	if (!in)
		return RL_ENOMEM;
	size_t lo = 0, hi = 0;
	for (size_t i = 0; i < ncand; i++) {
		const rl_writer_candidate *x = &cand[i];
		while (cand[lo].round != x->round || cand[lo].start_us < x->start_us - RL_JITTER_US)
			lo++;
		if (hi < i)
			hi = i;
		while (hi < ncand && cand[hi].round == x->round && cand[hi].start_us <= x->start_us + RL_JITTER_US)
			hi++;
		in[i] = hi - lo >= 3 && distinct(cand, lo, hi, &seen) >= 3;
	}
	int rc = 0;
	for (size_t i = 0; i < ncand && !rc;) {
		if (!in[i]) {
			i++;
			continue;
		}
		/* a burst: this round's lockstep retries joined by gaps ≤ 5 ms */
		size_t j = i + 1, last = i;
		rl_u64map_clear(&seen);
		uint64_t nclients = 0;
		for (size_t k = i;; k = j++) {
			if (in[k]) {
				out->retries++;
				if (!rl_u64map_get(&clients, cand[k].client | 1)) {
					rl_u64map_put(&clients, cand[k].client | 1, 1);
					out->clients++;
				}
				if (!rl_u64map_get(&seen, cand[k].client | 1)) {
					rl_u64map_put(&seen, cand[k].client | 1, 1);
					nclients++;
				}
				last = k;
			}
			if (j >= ncand || cand[j].round != cand[i].round ||
			    cand[j].start_us - cand[last].start_us > RL_JITTER_US)
				break;
		}
		if (rl_array_grow((void **)&bursts, &capb, nb, sizeof *bursts))
			rc = RL_ENOMEM;
		else
			bursts[nb++] = (rl_lockstep_burst){cand[i].start_us, cand[i].round, nclients};
		i = j;
	}
	if (nb) {
		qsort(bursts, nb, sizeof *bursts, cmp_burst);
		out->nbursts = nb < RL_LOCKSTEP_BURSTS ? nb : RL_LOCKSTEP_BURSTS;
		memcpy(out->bursts, bursts, out->nbursts * sizeof *bursts);
	}
	free(bursts);
	free(in);
	rl_u64map_free(&seen);
	rl_u64map_free(&clients);
	return rc;
}
