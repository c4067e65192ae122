/* retry/saved.c - the retry engine's state across runs, in the store (retry/saved.h). */
#include "lib/retry/saved.h"

#include <stdio.h>

typedef struct state_io {
	rl_store *st;
	rl_chain *c;
	rl_reorder *r;
	rl_err *err;
	rl_saved_stored stored;
	void *stored_ctx;
} state_io;

static int put_blob(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	state_io *io = ctx;
	return rl_store_state_put(io->st, kind, key, blob, n, io->err);
}

static int put_attempt(void *ctx, const rl_attempt *att)
{
	state_io *io = ctx;
	return rl_chain_save_attempt(io->c, att, put_blob, io);
}

int rl_saved_save(rl_store *st, rl_chain *c, rl_reorder *r, rl_err *err)
{
	state_io io = {st, c, r, err, NULL, NULL};
	int rc;
	/* a run that read nothing keeps the clock of the one before */
	if ((rl_reorder_latest(r) != INT64_MIN &&
	     (rc = rl_store_meta_set_i64(st, "latest_start_us", rl_reorder_latest(r), err))) ||
	    (rc = rl_store_meta_set_i64(st, "max_lag_us", rl_reorder_max_lag(r), err)) ||
	    (rc = rl_store_state_clear(st, err)))
		return rc;
	if ((rc = rl_chain_save(c, put_blob, &io)) || (rc = rl_reorder_each(r, put_attempt, &io)))
		return rc == RL_EDB ? rc
				    : rl_err_set(err, RL_ENOMEM, rl_store_path(st), 0, "cannot save the retry state");
	return 0;
}

static int load_one(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	state_io *io = ctx;
	int rc;
	if (kind != RL_CHAIN_ATTEMPT) {
		int64_t last;
		if ((rc = rl_chain_load(io->c, kind, key, blob, n, io->err)))
			return rc;
		if (kind != RL_CHAIN_STATE || !io->stored || !rl_chain_last_start(io->c, key, &last))
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

int rl_saved_load(rl_store *st, rl_chain *c, rl_reorder *r, rl_saved_stored stored, void *stored_ctx, rl_err *err)
{
	int64_t latest;
	int has = rl_store_meta_get_i64(st, "latest_start_us", &latest, err);
	if (has < 0)
		return has;
	state_io io = {st, c, r, err, stored, stored_ctx};
	int rc = rl_store_state_each(st, load_one, &io, err);
	/* what the saving run's clock had closed, in the exact reading (its wheel walks a
	 * second late) */
	if (!rc && has == 1 && (rc = rl_chain_close_due(c, latest)))
		rl_err_set(err, rc, NULL, 0, "out of memory");
	if (rc && err && !err->source[0])
		snprintf(err->source, sizeof err->source, "%s", rl_store_path(st));
	return rc;
}
