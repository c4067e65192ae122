/* store/writer.c - one writer thread, one batch in flight. */
#include "lib/store/writer.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/classify/endpoint.h"
#include "lib/classify/policy.h"
#include "lib/base/err.h"
#include "lib/base/text.h"
#include "lib/mem/u64map.h"

typedef struct batch {
	rl_writer_work w;
	rl_store_source_delta *deltas;
	bool has_deltas, has_totals;
	rl_writer_sample *samples;
	size_t nsamples;
	rl_writer_totals totals;
} batch;

/* All-time totals, summed while the minute rows are written, over every batch of a
 * transaction, and written once before it commits: a handful of rows per commit instead
 * of one per minute (or per batch: a log with durations fills a batch's latency table
 * within a minute), for reports over all time. */
typedef struct totals {
	rl_u64map index; /* packed key → row + 1 */
	rl_store_bucket_row *b;
	rl_store_latency_row *l;
	rl_store_retry_row *r;
	rl_store_bucket_row *ms; /* per minute and status (the timeline's rows) */
	size_t nb, capb, nl, capl, nr, capr, nms, capms;
} totals;

typedef struct client_floor {
	bool set;
	uint64_t violations, attempts;
	int64_t hash; /* the prune's last tie-break, as the database orders it */
} client_floor;

struct rl_writer {
	rl_store *st;
	rl_intern *endpoints, *methods;
	uint32_t endpoints_synced, methods_synced;
	rl_error_table *errors;
	uint32_t errors_synced;
	int64_t run_id;
	size_t nsrcs, max_samples;
	int64_t *src_ids; /* database ids of the sources, 0 until first written */
	/* the client cap (RL_CLIENTS_CAP): rows written since the last prune (an upper bound
	 * of new rows); after a prune that left a full table, the hashes it kept and its
	 * lowest row, below which a new client would only be pruned again */
	size_t client_rows;
	rl_u64map kept;
	client_floor floor;
	bool skipped_noted;
	/* one transaction for the run (rl_writer_one_transaction): open since the first
	 * batch, committed by the last */
	bool one_tx, open;
	bool all_time_latency; /* rl_writer_all_time_latency */

	totals tot; /* summed since the transaction began (drain_ctx) */

	batch b; /* the batch in flight (or the last one) */
	rl_writer_work spare; /* empty tables, ready to hand to the parser */

	pthread_t thread;
	bool threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy, quit;
	int rc;
	rl_err err;
};

static int sync_names(rl_writer *c, rl_intern *t, rl_name_kind kind, uint32_t *synced, uint32_t upto, rl_err *err)
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
	if (upto > *synced)
		*synced = upto;
	return 0;
}

/* Error rows new since the last commit get their database ids. */
static int sync_errors(rl_writer *c, uint32_t upto, rl_err *err)
{
	for (uint32_t id = c->errors_synced + 1; c->errors && id <= upto; id++) {
		const rl_store_error_row *r = rl_error_table_row(c->errors, id);
		int64_t db_id;
		int rc;
		if (!r || r->db_id)
			continue;
		if ((rc = rl_store_error_id(c->st, r, &db_id, err)))
			return rc;
		rl_error_table_set_db_id(c->errors, id, db_id);
	}
	if (upto > c->errors_synced)
		c->errors_synced = upto;
	return 0;
}

typedef struct drain_ctx {
	rl_writer *c;
	rl_err *err;
	totals *t; /* the writer's: summed over the batches of a transaction */
	int rc; /* out of memory while summing */
} drain_ctx;

/* The row of key in *arr (n rows of sz bytes), added zeroed if new; NULL if out of memory.
 * Keys of the three kinds differ in their top bits. */
static void *total_row(totals *t, uint64_t key, void **arr, size_t *n, size_t *cap, size_t sz)
{
	uint32_t i = rl_u64map_get(&t->index, key);
	if (i)
		return (char *)*arr + (i - 1) * sz;
	if (rl_array_grow(arr, cap, *n, sz) || rl_u64map_put(&t->index, key, (uint32_t)*n + 1))
		return NULL;
	void *row = (char *)*arr + (*n)++ * sz;
	memset(row, 0, sz);
	return row;
}

/* Packs up to four ids into a key, tagged with kind; false when an id does not fit. */
static bool pack(uint64_t kind, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t *key)
{
	if (a >= (1u << 22) || b >= (1u << 12) || c >= (1u << 12) || d >= (1u << 16))
		return false;
	*key = kind << 62 | a << 40 | b << 28 | c << 16 | d;
	return true;
}

static void totals_free(totals *t)
{
	rl_u64map_free(&t->index);
	free(t->b);
	free(t->l);
	free(t->r);
	free(t->ms);
	memset(t, 0, sizeof *t);
}

/* Rows of totals held before they are written anyway: memory stays bounded whatever
 * the keys (the sums are added to the stored rows, so writing early changes nothing). */
#define RL_TOTALS_MAX 65536

static size_t totals_rows(const totals *t)
{
	return t->nb + t->nl + t->nr + t->nms;
}

/* Adds the summed totals to the stored rows and starts the sums again. */
static int write_totals(rl_writer *c, rl_err *err)
{
	totals *t = &c->tot;
	int rc = rl_store_add_bucket_totals(c->st, t->b, t->nb, err);
	if (!rc)
		rc = rl_store_add_minute_status(c->st, t->ms, t->nms, err);
	if (!rc)
		rc = rl_store_add_latency_totals(c->st, t->l, t->nl, err);
	if (!rc)
		rc = rl_store_add_retry_totals(c->st, t->r, t->nr, err);
	totals_free(t);
	return rc;
}

static int put_buckets(void *ctx, const rl_store_bucket_row *rows, size_t n)
{
	drain_ctx *d = ctx;
	rl_store_bucket_row x[RL_AGG_CHUNK];
	for (size_t i = 0; i < n; i++) {
		x[i] = rows[i];
		x[i].endpoint = (uint32_t)rl_intern_db_id(d->c->endpoints, rows[i].endpoint);
		x[i].method = (uint32_t)rl_intern_db_id(d->c->methods, rows[i].method);
		const rl_store_error_row *er =
			rows[i].code && d->c->errors ? rl_error_table_row(d->c->errors, rows[i].code) : NULL;
		x[i].code = er ? (uint32_t)er->db_id : 0;
		uint64_t key;
		rl_store_bucket_row *t;
		if (!pack(1, x[i].endpoint, x[i].method, (uint64_t)(x[i].status + 1), x[i].code, &key)) {
			d->rc = RL_ENOMEM; /* ids past what a key holds: not in a real database */
			continue;
		}
		if (!(t = total_row(d->t, key, (void **)&d->t->b, &d->t->nb, &d->t->capb, sizeof *t))) {
			d->rc = RL_ENOMEM;
			continue;
		}
		*t = (rl_store_bucket_row){0,	      x[i].endpoint, x[i].method,
					   x[i].code, x[i].status,   t->attempts + x[i].attempts};
		/* the timeline's row: kind 0 (the packed keys have 1 to 3 in their top bits);
		 * what is not a failure is one row (RL_STATUS_NOT_FAILED), whatever the policy */
		int ms = rl_status_is_failure(x[i].status) ? x[i].status : RL_STATUS_NOT_FAILED;
		uint64_t mkey = ((uint64_t)(x[i].minute + ((int64_t)1 << 50)) & (((uint64_t)1 << 51) - 1)) << 11 |
				(uint64_t)(ms + 2);
		if (!(t = total_row(d->t, mkey, (void **)&d->t->ms, &d->t->nms, &d->t->capms, sizeof *t))) {
			d->rc = RL_ENOMEM;
			continue;
		}
		*t = (rl_store_bucket_row){x[i].minute, 0, 0, 0, ms, t->attempts + x[i].attempts};
	}
	return rl_store_add_buckets(d->c->st, x, n, d->err);
}

static int put_latencies(void *ctx, const rl_store_latency_row *rows, size_t n)
{
	drain_ctx *d = ctx;
	rl_store_latency_row x[RL_AGG_CHUNK];
	for (size_t i = 0; i < n; i++) {
		x[i] = rows[i];
		x[i].endpoint = (uint32_t)rl_intern_db_id(d->c->endpoints, rows[i].endpoint);
		x[i].method = (uint32_t)rl_intern_db_id(d->c->methods, rows[i].method);
		uint64_t key;
		rl_store_latency_row *t;
		if (!pack(2, x[i].endpoint, x[i].method, 0, x[i].bucket, &key) ||
		    !(t = total_row(d->t, key, (void **)&d->t->l, &d->t->nl, &d->t->capl, sizeof *t))) {
			d->rc = RL_ENOMEM;
			continue;
		}
		*t = (rl_store_latency_row){0, x[i].endpoint, x[i].method, x[i].bucket, t->count + x[i].count};
	}
	return d->c->all_time_latency ? 0 : rl_store_add_latencies(d->c->st, x, n, d->err);
}

static int put_retries(void *ctx, const rl_store_retry_row *rows, size_t n)
{
	drain_ctx *d = ctx;
	rl_store_retry_row x[RL_AGG_CHUNK];
	for (size_t i = 0; i < n; i++) {
		x[i] = rows[i];
		x[i].endpoint = (uint32_t)rl_intern_db_id(d->c->endpoints, rows[i].endpoint);
		x[i].method = (uint32_t)rl_intern_db_id(d->c->methods, rows[i].method);
		uint64_t key;
		rl_store_retry_row *t;
		if (!pack(3, x[i].endpoint, x[i].method, 0, 0, &key) ||
		    !(t = total_row(d->t, key, (void **)&d->t->r, &d->t->nr, &d->t->capr, sizeof *t))) {
			d->rc = RL_ENOMEM;
			continue;
		}
		t->endpoint = x[i].endpoint;
		t->method = x[i].method;
		for (int j = 0; j < RL_RC_N; j++)
			t->v[j] += x[i].v[j];
	}
	return rl_store_add_retries(d->c->st, x, n, d->err);
}

static int put_minutes(void *ctx, const rl_store_minute_row *rows, size_t n)
{
	drain_ctx *d = ctx;
	return rl_store_add_minutes(d->c->st, rows, n, d->err);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

/* The prune keeps the most violations, then attempts, then the highest hash. */
static bool below_floor(const client_floor *f, uint64_t violations, uint64_t attempts, uint64_t hash)
{
	if (violations != f->violations)
		return violations < f->violations;
	if (attempts != f->attempts)
		return attempts < f->attempts;
	return (int64_t)hash < f->hash;
}

static int note_kept(void *ctx, uint64_t hash, uint64_t violations, uint64_t attempts)
{
	rl_writer *c = ctx;
	if (!c->floor.set || below_floor(&c->floor, violations, attempts, hash))
		c->floor = (client_floor){true, violations, attempts, (int64_t)hash};
	return rl_u64map_put(&c->kept, hash | 1, 1) ? RL_ENOMEM : 0;
}

/* Prunes the client table to the cap and learns what it kept. */
static int prune_clients(rl_writer *c, rl_err *err)
{
	int rc = rl_store_prune_clients(c->st, RL_CLIENTS_CAP, NULL, err);
	c->client_rows = 0;
	rl_u64map_clear(&c->kept);
	c->floor.set = false;
	if (!rc && (rc = rl_store_clients_each(c->st, note_kept, c, err)) == RL_ENOMEM)
		rl_err_set(err, rc, NULL, 0, "out of memory");
	if (c->kept.count < RL_CLIENTS_CAP)
		c->floor.set = false; /* room left: every client may come in */
	return rc;
}

/* Clients, lockstep candidates and rekeyed clients of the batch. */
static int write_findings(rl_writer *c, rl_writer_work *w, rl_err *err)
{
	int rc = 0;
	bool skipped = false;
	rl_clients_sort(w->clients);
	for (size_t i = 0; i < rl_clients_count(w->clients) && !rc; i++) {
		const rl_store_client_row *r = rl_clients_row(w->clients, i);
		/* a million one-off clients must not make a million rows: once the table is
		 * full, a new client below its lowest row is dropped at once, as the next
		 * prune would drop it */
		if (c->floor.set && !rl_u64map_get(&c->kept, r->hash | 1)) {
			if (below_floor(&c->floor, r->v[RL_CL_VIOLATIONS], r->v[RL_CL_ATTEMPTS], r->hash)) {
				skipped = true;
				continue;
			}
			if (rl_u64map_put(&c->kept, r->hash | 1, 1))
				return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		}
		rc = rl_store_add_client(c->st, r, err);
		c->client_rows++;
	}
	if (!rc && skipped && !c->skipped_noted) {
		rc = rl_store_meta_set(c->st, "clients_capped", "1", err);
		c->skipped_noted = true;
	}
	if (!rc && c->client_rows > 2 * RL_CLIENTS_CAP)
		rc = prune_clients(c, err);
	for (size_t i = 0; i < w->ncand && !rc; i++)
		rc = rl_store_add_candidate(c->st, w->cand[i].round, w->cand[i].start_us, w->cand[i].client, err);
	if (w->nrekeyed)
		qsort(w->rekeyed, w->nrekeyed, sizeof *w->rekeyed, cmp_u64);
	for (size_t i = 0; i < w->nrekeyed && !rc;) {
		size_t j = i;
		while (j < w->nrekeyed && w->rekeyed[j] == w->rekeyed[i])
			j++;
		rc = rl_store_add_rekeyed_client(c->st, w->rekeyed[i], j - i, err);
		i = j;
	}
	return rc;
}

static void work_reset(rl_writer_work *w)
{
	rl_agg_reset(w->agg);
	rl_clients_reset(w->clients);
	w->ncand = w->nrekeyed = 0;
	w->save = NULL;
	w->save_ctx = NULL;
}

int rl_writer_work_candidate(rl_writer_work *w, unsigned round, int64_t start_us, uint64_t client)
{
	if (w->ncand == w->capcand) {
		size_t nc = w->capcand ? w->capcand * 2 : 1024;
		rl_writer_candidate *p = realloc(w->cand, nc * sizeof *p);
		if (!p)
			return RL_ENOMEM;
		w->cand = p;
		w->capcand = nc;
	}
	w->cand[w->ncand++] = (rl_writer_candidate){round, start_us, client};
	return 0;
}

int rl_writer_work_rekeyed(rl_writer_work *w, uint64_t client)
{
	if (w->nrekeyed == w->caprekeyed) {
		size_t nc = w->caprekeyed ? w->caprekeyed * 2 : 256;
		uint64_t *p = realloc(w->rekeyed, nc * sizeof *p);
		if (!p)
			return RL_ENOMEM;
		w->rekeyed = p;
		w->caprekeyed = nc;
	}
	w->rekeyed[w->nrekeyed++] = client;
	return 0;
}

static int work_init(rl_writer_work *w, size_t max_keys)
{
	memset(w, 0, sizeof *w);
	w->agg = rl_agg_new(max_keys);
	w->clients = rl_clients_new();
	return w->agg && w->clients ? 0 : -1;
}

static void work_free(rl_writer_work *w)
{
	rl_agg_free(w->agg);
	rl_clients_free(w->clients);
	free(w->cand);
	free(w->rekeyed);
	memset(w, 0, sizeof *w);
}

/* The transaction itself. */
static int write_batch(rl_writer *c, batch *b, rl_err *err)
{
	int rc = c->open ? 0 : rl_store_begin(c->st, err);
	if (rc) {
		work_reset(&b->w);
		return rc;
	}
	c->open = true;
	drain_ctx d;
	memset(&d, 0, sizeof d);
	d.c = c;
	d.err = err;
	d.t = &c->tot;
	/* whether this batch commits: only the parser's batches that say so end a
	 * transaction (the analysis' batches before one join it, rl_worker_flush, so counts
	 * and chains commit together); in one transaction for the run, only its last */
	bool commits = b->has_totals && (c->one_tx ? b->totals.status != NULL : b->totals.commit || b->totals.status);
	rl_agg_sink sink = {&d, put_buckets, put_latencies, put_retries, put_minutes};
	if ((rc = sync_names(c, c->endpoints, RL_NAME_ENDPOINT, &c->endpoints_synced, b->w.endpoints_upto, err)) ||
	    (rc = sync_names(c, c->methods, RL_NAME_METHOD, &c->methods_synced, b->w.methods_upto, err)) ||
	    (rc = sync_errors(c, b->w.errors_upto, err)) || (rc = rl_agg_drain(b->w.agg, &sink)) || (rc = d.rc) ||
	    ((commits || totals_rows(&c->tot) > RL_TOTALS_MAX) && (rc = write_totals(c, err))) ||
	    (rc = write_findings(c, &b->w, err)) || (b->w.save && (rc = b->w.save(b->w.save_ctx, c->st, err)))) {
		if (rc == RL_ENOMEM)
			rl_err_set(err, rc, NULL, 0, "out of memory");
		goto fail;
	}
	for (size_t i = 0; b->has_deltas && i < c->nsrcs; i++) {
		const rl_store_source_delta *sd = &b->deltas[i];
		if (!sd->name || (c->src_ids[i] && !sd->lines && !sd->late))
			continue;
		if ((rc = rl_store_add_source(c->st, sd, &c->src_ids[i], err)))
			goto fail;
	}
	for (size_t i = 0; i < b->nsamples; i++) {
		const rl_writer_sample *sm = &b->samples[i];
		if ((rc = rl_store_add_reject(c->st, c->run_id, c->src_ids[sm->src], sm->line, sm->reason, sm->excerpt,
					      err)))
			goto fail;
	}
	if (b->has_totals && (rc = rl_store_run_update(c->st, c->run_id, b->totals.lines, b->totals.attempts,
						       b->totals.rejected, b->totals.status, err)))
		goto fail;
	if (b->has_totals && b->totals.on_final && (rc = b->totals.on_final(b->totals.final_ctx, c->st, err)))
		goto fail;
	work_reset(&b->w);
	if (!commits)
		return 0;
	c->open = false;
	return rl_store_commit(c->st, err);
fail:
	work_reset(&b->w);
	totals_free(&c->tot); /* rolled back with the rows they summed */
	c->open = false;
	rl_store_rollback(c->st);
	return rc;
}

static void finish_batch(rl_writer *c, int rc, const rl_err *e)
{
	/* under c->mu */
	if (rc && !c->rc) {
		c->rc = rc;
		c->err = *e;
	}
	c->spare = c->b.w;
	memset(&c->b.w, 0, sizeof c->b.w);
	c->busy = false;
	pthread_cond_broadcast(&c->cv);
}

static void *writer(void *arg)
{
	rl_writer *c = arg;
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

int rl_writer_new(rl_writer **out, rl_store *st, rl_intern *endpoints, rl_intern *methods, rl_error_table *errors,
		  int64_t run_id, size_t nsrcs, size_t max_samples, size_t max_keys, rl_err *err)
{
	*out = NULL;
	rl_writer *c = calloc(1, sizeof *c);
	if (!c)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	c->st = st;
	c->endpoints = endpoints;
	c->methods = methods;
	c->endpoints_synced = rl_intern_count(endpoints);
	c->methods_synced = rl_intern_count(methods);
	c->errors = errors;
	c->errors_synced = errors ? rl_error_table_count(errors) : 0;
	c->run_id = run_id;
	c->nsrcs = nsrcs;
	c->max_samples = max_samples;
	c->src_ids = calloc(nsrcs ? nsrcs : 1, sizeof *c->src_ids);
	c->b.deltas = calloc(nsrcs ? nsrcs : 1, sizeof *c->b.deltas);
	c->b.samples = calloc(max_samples ? max_samples : 1, sizeof *c->b.samples);
	int wrc = work_init(&c->spare, max_keys);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (!c->src_ids || !c->b.deltas || !c->b.samples || wrc) {
		rl_writer_free(c);
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	}
	/* without a thread, commits are written inline: slower, never wrong */
	sigset_t all, old; /* signals are the parser's to take: the thread blocks them */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	c->threaded = pthread_create(&c->thread, NULL, writer, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	*out = c;
	return 0;
}

void rl_writer_all_time_latency(rl_writer *c)
{
	c->all_time_latency = true;
}

void rl_writer_one_transaction(rl_writer *c, bool on)
{
	c->one_tx = on;
}

int rl_writer_submit(rl_writer *c, rl_writer_work *w, const rl_store_source_delta *deltas,
		     const rl_writer_sample *samples, size_t nsamples, const rl_writer_totals *t, bool wait,
		     rl_err *err)
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
	b->w = *w;
	*w = c->spare;
	memset(&c->spare, 0, sizeof c->spare);
	b->has_deltas = deltas != NULL;
	if (deltas)
		memcpy(b->deltas, deltas, c->nsrcs * sizeof *deltas);
	if (nsamples > c->max_samples)
		nsamples = c->max_samples;
	if (nsamples)
		memcpy(b->samples, samples, nsamples * sizeof *samples);
	b->nsamples = nsamples;
	b->has_totals = t != NULL;
	if (t)
		b->totals = *t;
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

void rl_writer_free(rl_writer *c)
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
	if (c->open) /* the run ended before its last batch: none of it is kept */
		rl_store_rollback(c->st);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	work_free(&c->spare);
	work_free(&c->b.w);
	totals_free(&c->tot);
	rl_u64map_free(&c->kept);
	free(c->src_ids);
	free(c->b.deltas);
	free(c->b.samples);
	free(c);
}
