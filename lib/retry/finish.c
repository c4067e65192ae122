/* finish.c - the saved retry state judged as if input ended (lib/retry/finish.h). */
#include "lib/retry/finish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/defaults.h"
#include "lib/base/text.h"
#include "lib/classify/endpoint.h"
#include "lib/mem/strpool.h"
#include "lib/retry/reorder.h"
#include "lib/retry/saved.h"
#include "lib/store/identity.h"

/* The database's identity and the state its last run saved; returns 1 when it has
 * them, 0 when empty. */
static int stored_identity(rl_store *st, rl_store_identity *id, int64_t *skew, int64_t *lag, int64_t *end, rl_err *err)
{
	int rc = rl_store_identity_read(st, id, err);
	if (rc || !id->built)
		return rc;
	*skew = RL_DEFAULT_CLOCK_SKEW_US;
	*lag = RL_DEFAULT_MAX_LAG_US;
	*end = INT64_MIN;
	if (rl_store_meta_get_i64(st, "clock_skew_us", skew, err) < 0 ||
	    rl_store_meta_get_i64(st, "max_lag_us", lag, err) < 0 ||
	    rl_store_meta_get_i64(st, "end_of_input_us", end, err) < 0)
		return RL_EDB;
	return 1;
}

static int64_t saved_tol(void *ctx, uint16_t source, bool has_duration)
{
	(void)ctx, (void)source, (void)has_duration;
	return RL_US_PER_S; /* saved attempts carry their own resolution */
}

static const char *name_of(void *ctx, int kind, uint32_t id)
{
	rl_retry_finish *f = ctx;
	return rl_intern_str(kind ? f->methods : f->endpoints, id);
}

/* A saved chain names its endpoint and method as the run interned them; the database
 * (whose names the interners were preloaded with) as rl_text_clean made them
 * (lib/store/writer.c): cleaned, a name with a control byte finds its row. */
static uint32_t id_of(void *ctx, int kind, const char *name)
{
	rl_retry_finish *f = ctx;
	char clean[RL_ENDPOINT_MAX_LEN * 4 + 8];
	size_t n = rl_text_clean(clean, sizeof clean, name, strlen(name));
	return rl_intern_id(kind ? f->methods : f->endpoints, clean, n);
}

static int judge_cb(void *ctx, const rl_attempt *a)
{
	return rl_chain_judge(ctx, a);
}

int rl_retry_finish_run(rl_retry_finish *f, rl_store *st, rl_err *err)
{
	memset(f, 0, sizeof *f);
	rl_store_identity id;
	int64_t skew, lag, end;
	int rc = stored_identity(st, &id, &skew, &lag, &end, err);
	if (rc <= 0)
		return rc;
	f->judged = true;
	snprintf(f->policy, sizeof f->policy, "%s", id.policy.name);
	f->require_jitter = id.policy.require_jitter;
	/* the database's names keep their ids; the caps were the database's to enforce */
	f->endpoints = rl_intern_new(100000, 4096, "{other}");
	f->methods = rl_intern_new(100000, 64, "{other}");
	f->work.agg = rl_agg_new(0);
	f->work.clients = rl_clients_new();
	rl_strpool *targets = rl_strpool_new();
	/* the lag of the run that saved the attempts: none is released before the drain */
	rl_reorder *r = rl_reorder_new(lag);
	rl_chain *chain = NULL;
	if (!f->endpoints || !f->methods || !f->work.agg || !f->work.clients || !targets || !r) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto done;
	}
	if ((rc = rl_store_names(st, RL_NAME_ENDPOINT, rl_intern_preload, f->endpoints, err)) ||
	    (rc = rl_store_names(st, RL_NAME_METHOD, rl_intern_preload, f->methods, err)))
		goto done;
	rl_tally_init(&f->tally, &f->work, f->methods);
	rl_chain_opts co = {&id.policy, id.retry_window_us, lag, skew, saved_tol, f, {f, name_of, id_of}};
	rl_chain_sink sink = rl_tally_sink(&f->tally);
	if ((rc = rl_chain_new(&chain, &co, &sink, targets, err)) ||
	    (rc = rl_saved_load(st, chain, &chain, 1, r, NULL, NULL, NULL, err)))
		goto done;
	/* as if input ended here: every waiting attempt is judged, every chain closes */
	if ((rc = rl_reorder_drain(r, judge_cb, chain)) || (rc = rl_chain_finish(chain, end))) {
		if (!err->code)
			rl_err_set(err, rc, rl_store_path(st), 0, "cannot judge the saved retry state");
		goto done;
	}
	rl_tally_settle(&f->tally);
done:
	rl_chain_free(chain);
	rl_reorder_free(r);
	rl_strpool_free(targets);
	return rc;
}

void rl_retry_finish_free(rl_retry_finish *f)
{
	rl_agg_free(f->work.agg);
	rl_clients_free(f->work.clients);
	free(f->work.cand);
	free(f->work.rekeyed);
	rl_intern_free(f->endpoints);
	rl_intern_free(f->methods);
	free(f->tally.opens);
	memset(f, 0, sizeof *f);
}
