/* tally.c - what the chains find, counted (lib/retry/tally.h). */
#include "lib/retry/tally.h"

#include "lib/base/array.h"
#include "lib/base/err.h"
#include "lib/base/timestamp.h"

void rl_tally_init(rl_tally *t, rl_writer_work *work, const rl_intern *methods)
{
	*t = (rl_tally){.work = work, .methods = methods};
}

void rl_tally_note_ids(rl_tally *t, uint32_t endpoint, uint32_t method)
{
	if (endpoint > t->max_endpoint)
		t->max_endpoint = endpoint;
	if (method > t->max_method)
		t->max_method = method;
}

void rl_tally_settle(rl_tally *t)
{
	if (t->chain_count)
		rl_agg_add_minute(t->work->agg, t->chain_minute, RL_AGG_CHAINS, t->chain_count);
	t->chain_count = 0;
}

static int on_start(void *ctx, int64_t start, uint64_t client)
{
	(void)client;
	rl_tally *t = ctx;
	int64_t m = rl_minute_of(start);
	if (m != t->chain_minute || t->chain_count == UINT32_MAX) {
		rl_tally_settle(t);
		t->chain_minute = m;
	}
	t->chain_count++;
	return 0;
}

static int on_retry(void *ctx, const rl_retry_event *ev)
{
	rl_tally *t = ctx;
	rl_tally_note_ids(t, ev->endpoint, ev->method);
	rl_agg_add_retry(t->work->agg, rl_minute_of(ev->start_us), ev->endpoint, ev->method, ev->blind, ev->unsafe,
			 ev->verdict);
	return rl_clients_add_retry(t->work->clients, ev) ? RL_ENOMEM : 0;
}

static int on_outcome(void *ctx, rl_outcome o, int64_t end, uint64_t client, uint32_t attempts)
{
	(void)client;
	rl_tally *t = ctx;
	int64_t m = rl_minute_of(end);
	if (o == RL_OUTCOME_OPEN) { /* ingest saves open chains; a finish counts them */
		if (rl_array_grow((void **)&t->opens, &t->open_cap, (size_t)t->open, sizeof *t->opens))
			return RL_ENOMEM;
		t->opens[t->open++] = (rl_tally_open){m, attempts == 1};
	} else if (o == RL_OUTCOME_RECOVERED) {
		rl_agg_add_minute(t->work->agg, m, RL_AGG_RECOVERED, 1);
	} else {
		rl_agg_add_minute(t->work->agg, m, RL_AGG_GAVE_UP, 1);
		if (attempts == 1) /* a chain with an outcome saw a failure: this one */
			rl_agg_add_minute(t->work->agg, m, RL_AGG_UNRETRIED, 1);
	}
	return 0;
}

static int on_evidence(void *ctx, const rl_evidence *ev)
{
	rl_tally *t = ctx;
	return rl_clients_add_evidence(t->work->clients, ev, rl_intern_str(t->methods, ev->method)) ? RL_ENOMEM : 0;
}

static int on_lockstep(void *ctx, unsigned round, int64_t start, uint64_t client)
{
	rl_tally *t = ctx;
	return rl_writer_work_candidate(t->work, round, start, client) ? RL_ENOMEM : 0;
}

static int on_rekeyed(void *ctx, int64_t start, uint64_t client)
{
	rl_tally *t = ctx;
	rl_agg_add_minute(t->work->agg, rl_minute_of(start), RL_AGG_REKEYED, 1);
	rl_client_row *r = rl_clients_get(t->work->clients, client, NULL, 0);
	if (!r || rl_writer_work_rekeyed(t->work, client))
		return RL_ENOMEM;
	r->v[RL_CL_REKEYED]++;
	return 0;
}

rl_chain_sink rl_tally_sink(rl_tally *t)
{
	return (rl_chain_sink){t, on_start, on_retry, on_outcome, on_evidence, on_lockstep, on_rekeyed};
}
