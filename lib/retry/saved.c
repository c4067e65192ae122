/* retry/saved.c - the retry engine's state across runs, in the store (retry/saved.h). */
#include "lib/retry/saved.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/base/text.h"

typedef struct state_io {
	rl_store *st;
	rl_chain *c; /* attempts' names and targets */
	rl_chain *const *chains; /* the chains in progress, by rl_chain_part of their client */
	size_t nchains;
	rl_reorder *r;
	rl_err *err;
	rl_saved_stored stored;
	void *stored_ctx;
	rl_saved_mirror *m;
} state_io;

/* --- the mirror ------------------------------------------------------------------------ */

void rl_saved_mirror_free(rl_saved_mirror *m)
{
	for (int k = 0; k < 3; k++)
		rl_u64map_free(&m->index[k]);
	free(m->e);
	free(m->free_);
	memset(m, 0, sizeof *m);
}

static rl_u64map *index_of(rl_saved_mirror *m, int kind)
{
	return kind >= RL_CHAIN_STATE && kind <= RL_CHAIN_ATTEMPT ? &m->index[kind - RL_CHAIN_STATE] : NULL;
}

/* Notes that the database holds key's blob of this hash: 1 when that is news (a blob
 * to write), 0 when it held it already, RL_ENOMEM. */
static int mirror_note(rl_saved_mirror *m, int kind, uint64_t key, uint64_t hash)
{
	rl_u64map *x = index_of(m, kind);
	if (!x || !key)
		return 1; /* not mirrored: always written */
	uint32_t i = rl_u64map_get(x, key);
	if (i) {
		rl_saved_entry *e = &m->e[i - 1];
		e->pass = m->pass;
		if (e->hash == hash)
			return 0;
		e->hash = hash;
		return 1;
	}
	if (m->nfree) {
		i = m->free_[--m->nfree];
	} else {
		if (m->n >= UINT32_MAX - 1 || rl_array_grow((void **)&m->e, &m->cap, m->n, sizeof *m->e))
			return RL_ENOMEM;
		i = (uint32_t)++m->n;
	}
	m->e[i - 1] = (rl_saved_entry){hash, m->pass};
	return rl_u64map_put(x, key, i) ? RL_ENOMEM : 1;
}

typedef struct stale {
	rl_saved_mirror *m;
	uint64_t *keys;
	size_t n, cap;
	bool oom;
} stale;

static void collect_stale(void *ctx, uint64_t key, uint32_t i)
{
	stale *s = ctx;
	if (s->m->e[i - 1].pass == s->m->pass || s->oom)
		return;
	if (rl_array_grow((void **)&s->keys, &s->cap, s->n, sizeof *s->keys))
		s->oom = true;
	else
		s->keys[s->n++] = key;
}

/* Deletes the blobs the last save did not see: chains closed, attempts judged. */
static int drop_stale(state_io *io)
{
	rl_saved_mirror *m = io->m;
	int rc = 0;
	for (int kind = RL_CHAIN_STATE; kind <= RL_CHAIN_ATTEMPT && !rc; kind++) {
		rl_u64map *x = index_of(m, kind);
		stale s = {m, NULL, 0, 0, false};
		rl_u64map_each(x, collect_stale, &s);
		if (s.oom)
			rc = RL_ENOMEM;
		for (size_t i = 0; i < s.n && !rc; i++) {
			uint32_t e = rl_u64map_get(x, s.keys[i]);
			if ((rc = rl_store_state_delete(io->st, kind, s.keys[i], io->err)))
				break;
			m->written++;
			rl_u64map_del(x, s.keys[i]);
			if (rl_array_grow((void **)&m->free_, &m->capfree, m->nfree, sizeof *m->free_))
				rc = RL_ENOMEM;
			else
				m->free_[m->nfree++] = e;
		}
		free(s.keys);
	}
	return rc;
}

/* --- saving ---------------------------------------------------------------------------- */

static int put_blob(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	state_io *io = ctx;
	int news = io->m ? mirror_note(io->m, kind, key, rl_fnv1a64(blob, n)) : 1;
	if (news <= 0)
		return news;
	if (io->m)
		io->m->written++;
	return rl_store_state_put(io->st, kind, key, blob, n, io->err);
}

static int put_attempt(void *ctx, const rl_attempt *att)
{
	state_io *io = ctx;
	return rl_chain_save_attempt(io->c, att, put_blob, io);
}

int rl_saved_save(rl_store *st, rl_chain *c, rl_chain *const *chains, size_t nchains, rl_reorder *r, rl_saved_mirror *m,
		  rl_err *err)
{
	state_io io = {st, c, chains, nchains, r, err, NULL, NULL, m};
	int rc;
	/* a run that read nothing keeps the clock of the one before */
	if ((rl_reorder_latest(r) != INT64_MIN &&
	     (rc = rl_store_meta_set_i64(st, "latest_start_us", rl_reorder_latest(r), err))) ||
	    (rc = rl_store_meta_set_i64(st, "max_lag_us", rl_reorder_max_lag(r), err)))
		return rc;
	if (m)
		m->pass++;
	for (size_t i = 0; i < nchains && !rc; i++)
		rc = rl_chain_save(chains[i], put_blob, &io);
	if (rc || (rc = rl_reorder_each(r, put_attempt, &io)) || (m && (rc = drop_stale(&io))))
		return rc == RL_EDB ? rc
				    : rl_err_set(err, RL_ENOMEM, rl_store_path(st), 0, "cannot save the retry state");
	return 0;
}

static int load_one(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	state_io *io = ctx;
	int rc;
	if (io->m && mirror_note(io->m, kind, key, rl_fnv1a64(blob, n)) < 0)
		return rl_err_set(io->err, RL_ENOMEM, NULL, 0, "out of memory");
	if (kind != RL_CHAIN_ATTEMPT) {
		int64_t last;
		uint64_t client = 0;
		if (io->nchains > 1 && !rl_chain_blob_client(kind, blob, n, &client))
			return rl_err_set(io->err, RL_EDB, NULL, 0, "a saved state names no client");
		rl_chain *c = io->chains[rl_chain_part(client, io->nchains)];
		if ((rc = rl_chain_load(c, kind, key, blob, n, io->err)))
			return rc;
		if (kind != RL_CHAIN_STATE || !io->stored || !rl_chain_last_start(c, key, &last))
			return 0;
		rc = io->stored(io->stored_ctx, key, last);
	} else {
		rl_attempt att;
		if ((rc = rl_chain_load_attempt(io->c, blob, n, &att, io->err)))
			return rc;
		/* still waiting for order: they go out as this run's clock passes them */
		if (!(rc = rl_reorder_hold(io->r, &att)) && io->stored)
			rc = io->stored(io->stored_ctx, att.key, att.start_us);
	}
	return rc ? rl_err_set(io->err, RL_ENOMEM, NULL, 0, "out of memory") : 0;
}

int rl_saved_load(rl_store *st, rl_chain *c, rl_chain *const *chains, size_t nchains, rl_reorder *r,
		  rl_saved_stored stored, void *stored_ctx, rl_saved_mirror *m, rl_err *err)
{
	int64_t latest;
	int has = rl_store_meta_get_i64(st, "latest_start_us", &latest, err);
	if (has < 0)
		return has;
	state_io io = {st, c, chains, nchains, r, err, stored, stored_ctx, m};
	int rc = rl_store_state_each(st, load_one, &io, err);
	/* what the saving run's clock had closed, in the exact reading (its wheel walks a
	 * second late) */
	for (size_t i = 0; !rc && has == 1 && i < nchains; i++)
		if ((rc = rl_chain_close_due(chains[i], latest)))
			rl_err_set(err, rc, NULL, 0, "out of memory");
	if (rc && err && !err->source[0])
		snprintf(err->source, sizeof err->source, "%s", rl_store_path(st));
	return rc;
}

static int check_routable(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	(void)key;
	uint64_t client;
	if (kind != RL_CHAIN_ATTEMPT && !rl_chain_blob_client(kind, blob, n, &client))
		*(bool *)ctx = false;
	return 0;
}

int rl_saved_routable(rl_store *st, bool *routable, rl_err *err)
{
	*routable = true;
	return rl_store_state_each(st, check_routable, routable, err);
}
