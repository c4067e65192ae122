/* retry/saved.c - the retry engine's state across runs, in the store (retry/saved.h). */
#include "lib/retry/saved.h"

#include <stdio.h>

typedef struct state_io {
	rl_store *st;
	rl_chain *c;
	rl_reorder *r;
	rl_err *err;
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
	state_io io = {st, c, r, err};
	int rc;
	if ((rc = rl_store_meta_set_i64(st, "latest_start_us", rl_reorder_latest(r), err)) ||
	    (rc = rl_store_meta_set_i64(st, "max_lag_us", rl_reorder_max_lag(r), err)) ||
	    (rc = rl_store_state_clear(st, err)))
		return rc;
	if ((rc = rl_chain_save(c, put_blob, &io)) || (rc = rl_reorder_each(r, put_attempt, &io)))
		return rc == RL_EDB ? rc
				    : rl_err_set(err, RL_ENOMEM, rl_store_path(st), 0, "cannot save the retry state");
	return 0;
}

static int judge_cb(void *ctx, const rl_attempt *att)
{
	return rl_chain_judge(ctx, att);
}

static int load_one(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	state_io *io = ctx;
	if (kind != RL_CHAIN_ATTEMPT)
		return rl_chain_load(io->c, kind, key, blob, n, io->err);
	rl_attempt att;
	int rc = rl_chain_load_attempt(io->c, blob, n, &att, io->err);
	if (rc)
		return rc;
	/* saved attempts all wait: latest is restored first, so none is late, unless this
	 * run puts less disorder back in order than the run that saved them */
	rc = rl_reorder_push(io->r, &att, judge_cb, io->c);
	if (rc == 1) {
		int64_t saved = 0;
		rl_err ignored = {0};
		if (rl_store_meta_get_i64(io->st, "max_lag_us", &saved, &ignored) != 1)
			saved = 0;
		if (saved > 0)
			return rl_err_set(io->err, RL_EUSAGE, rl_store_path(io->st), 0,
					  "its retry state was saved with --max-lag %g (attempts still wait to be put "
					  "in order): give --max-lag %g or more",
					  saved / 1e6, saved / 1e6);
		return rl_err_set(io->err, RL_EUSAGE, rl_store_path(io->st), 0,
				  "its retry state was saved with a larger --max-lag (attempts still wait to be put "
				  "in order): give the --max-lag it was ingested with, or more");
	}
	return rc < 0 ? rl_err_set(io->err, RL_ENOMEM, NULL, 0, "out of memory") : rc;
}

int rl_saved_load(rl_store *st, rl_chain *c, rl_reorder *r, rl_err *err)
{
	int64_t latest;
	int rc = rl_store_meta_get_i64(st, "latest_start_us", &latest, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		rl_reorder_set_latest(r, latest);
		rl_chain_advance(c, latest); /* no state is closed: the wheel is empty */
	}
	state_io io = {st, c, r, err};
	rc = rl_store_state_each(st, load_one, &io, err);
	if (rc && err && !err->source[0])
		snprintf(err->source, sizeof err->source, "%s", rl_store_path(st));
	return rc;
}
