/* commit.c - one writer thread, one batch in flight. */
#include "lib/commit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/endpoint.h"
#include "lib/text.h"

typedef struct batch {
	rl_agg *agg;
	rl_store_source_delta *deltas;
	rl_commit_sample *samples;
	size_t nsamples;
	rl_commit_totals totals;
	uint32_t endpoints_count, methods_count;
} batch;

struct rl_commit {
	rl_store *st;
	rl_intern *endpoints, *methods;
	uint32_t endpoints_synced, methods_synced;
	int64_t run_id;
	size_t nsrcs, max_samples;
	int64_t *src_ids; /* database ids of the sources, 0 until first written */

	batch b; /* the batch in flight (or the last one) */
	rl_agg *spare; /* empty tables, ready to hand to the parser */

	pthread_t thread;
	bool threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy, quit;
	int rc;
	rl_err err;
};

static int sync_names(rl_commit *c, rl_intern *t, rl_name_kind kind, uint32_t *synced, uint32_t upto, rl_err *err)
{
	char clean[RL_ENDPOINT_MAX_LEN * 4 + 8];
	for (uint32_t id = *synced + 1; id <= upto; id++) {
		if (rl_intern_db_id(t, id))
			continue;
		const char *s = rl_intern_str(t, id);
		rl_text_clean(clean, sizeof clean, s, strlen(s));
		int64_t db_id;
		int rc = rl_store_name_id(c->st, kind, clean, &db_id, err);
		if (rc)
			return rc;
		rl_intern_set_db_id(t, id, db_id);
	}
	*synced = upto;
	return 0;
}

typedef struct drain_ctx {
	rl_commit *c;
	rl_err *err;
} drain_ctx;

static int put_buckets(void *ctx, const rl_agg_bucket *rows, size_t n)
{
	drain_ctx *d = ctx;
	rl_agg_bucket x[RL_AGG_CHUNK];
	for (size_t i = 0; i < n; i++) {
		x[i] = rows[i];
		x[i].endpoint = (uint32_t)rl_intern_db_id(d->c->endpoints, rows[i].endpoint);
		x[i].method = (uint32_t)rl_intern_db_id(d->c->methods, rows[i].method);
	}
	return rl_store_add_buckets(d->c->st, x, n, d->err);
}

static int put_latencies(void *ctx, const rl_agg_latency *rows, size_t n)
{
	drain_ctx *d = ctx;
	rl_agg_latency x[RL_AGG_CHUNK];
	for (size_t i = 0; i < n; i++) {
		x[i] = rows[i];
		x[i].endpoint = (uint32_t)rl_intern_db_id(d->c->endpoints, rows[i].endpoint);
		x[i].method = (uint32_t)rl_intern_db_id(d->c->methods, rows[i].method);
	}
	return rl_store_add_latencies(d->c->st, x, n, d->err);
}

/* The transaction itself. */
static int write_batch(rl_commit *c, batch *b, rl_err *err)
{
	int rc = rl_store_begin(c->st, err);
	if (rc) {
		rl_agg_reset(b->agg);
		return rc;
	}
	drain_ctx d = {c, err};
	if ((rc = sync_names(c, c->endpoints, RL_NAME_ENDPOINT, &c->endpoints_synced, b->endpoints_count, err)) ||
	    (rc = sync_names(c, c->methods, RL_NAME_METHOD, &c->methods_synced, b->methods_count, err)) ||
	    (rc = rl_agg_drain(b->agg, put_buckets, put_latencies, &d)))
		goto fail;
	for (size_t i = 0; i < c->nsrcs; i++) {
		const rl_store_source_delta *sd = &b->deltas[i];
		if (!sd->name || (c->src_ids[i] && sd->lines == 0))
			continue;
		if ((rc = rl_store_add_source(c->st, sd, &c->src_ids[i], err)))
			goto fail;
	}
	for (size_t i = 0; i < b->nsamples; i++) {
		const rl_commit_sample *sm = &b->samples[i];
		if ((rc = rl_store_add_reject(c->st, c->run_id, c->src_ids[sm->src], sm->line, sm->reason, sm->excerpt,
					      err)))
			goto fail;
	}
	if ((rc = rl_store_run_update(c->st, c->run_id, b->totals.lines, b->totals.attempts, b->totals.rejected,
				      b->totals.status, err)))
		goto fail;
	return rl_store_commit(c->st, err);
fail:
	rl_agg_reset(b->agg);
	rl_store_rollback(c->st);
	return rc;
}

static void finish_batch(rl_commit *c, int rc, const rl_err *e)
{
	/* under c->mu */
	if (rc && !c->rc) {
		c->rc = rc;
		c->err = *e;
	}
	c->spare = c->b.agg;
	c->b.agg = NULL;
	c->busy = false;
	pthread_cond_broadcast(&c->cv);
}

static void *writer(void *arg)
{
	rl_commit *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->busy && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->busy)
			break;
		pthread_mutex_unlock(&c->mu);
		rl_err e;
		rl_err_clear(&e);
		int rc = write_batch(c, &c->b, &e);
		pthread_mutex_lock(&c->mu);
		finish_batch(c, rc, &e);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int rl_commit_new(rl_commit **out, rl_store *st, rl_intern *endpoints, rl_intern *methods, int64_t run_id, size_t nsrcs,
		  size_t max_samples, size_t max_keys, rl_err *err)
{
	*out = NULL;
	rl_commit *c = calloc(1, sizeof *c);
	if (!c)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	c->st = st;
	c->endpoints = endpoints;
	c->methods = methods;
	c->endpoints_synced = rl_intern_count(endpoints);
	c->methods_synced = rl_intern_count(methods);
	c->run_id = run_id;
	c->nsrcs = nsrcs;
	c->max_samples = max_samples;
	c->src_ids = calloc(nsrcs ? nsrcs : 1, sizeof *c->src_ids);
	c->b.deltas = calloc(nsrcs ? nsrcs : 1, sizeof *c->b.deltas);
	c->b.samples = calloc(max_samples ? max_samples : 1, sizeof *c->b.samples);
	c->spare = rl_agg_new(max_keys);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (!c->src_ids || !c->b.deltas || !c->b.samples || !c->spare) {
		rl_commit_free(c);
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	}
	/* without a thread, commits are written inline: slower, never wrong */
	c->threaded = pthread_create(&c->thread, NULL, writer, c) == 0;
	*out = c;
	return 0;
}

int rl_commit_submit(rl_commit *c, rl_agg **agg, const rl_store_source_delta *deltas, const rl_commit_sample *samples,
		     size_t nsamples, const rl_commit_totals *t, bool wait, rl_err *err)
{
	pthread_mutex_lock(&c->mu);
	while (c->busy)
		pthread_cond_wait(&c->cv, &c->mu);
	if (c->rc) {
		int rc = c->rc;
		if (err)
			*err = c->err;
		pthread_mutex_unlock(&c->mu);
		return rc;
	}
	batch *b = &c->b;
	b->agg = *agg;
	*agg = c->spare;
	c->spare = NULL;
	memcpy(b->deltas, deltas, c->nsrcs * sizeof *deltas);
	if (nsamples > c->max_samples)
		nsamples = c->max_samples;
	memcpy(b->samples, samples, nsamples * sizeof *samples);
	b->nsamples = nsamples;
	b->totals = *t;
	b->endpoints_count = rl_intern_count(c->endpoints);
	b->methods_count = rl_intern_count(c->methods);
	c->busy = true;
	if (c->threaded) {
		pthread_cond_broadcast(&c->cv);
	} else {
		pthread_mutex_unlock(&c->mu);
		rl_err e;
		rl_err_clear(&e);
		int rc = write_batch(c, b, &e);
		pthread_mutex_lock(&c->mu);
		finish_batch(c, rc, &e);
	}
	int rc = 0;
	if (wait) {
		while (c->busy)
			pthread_cond_wait(&c->cv, &c->mu);
		rc = c->rc;
		if (rc && err)
			*err = c->err;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void rl_commit_free(rl_commit *c)
{
	if (!c)
		return;
	if (c->threaded) {
		pthread_mutex_lock(&c->mu);
		c->quit = true;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
	}
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	rl_agg_free(c->spare);
	rl_agg_free(c->b.agg);
	free(c->src_ids);
	free(c->b.deltas);
	free(c->b.samples);
	free(c);
}
