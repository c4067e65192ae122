/* retry/worker.c - batches of attempts to a thread that runs reorder + chain. */
#include "lib/retry/worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/classify/identity.h"
#include "lib/base/timestamp.h"
#include "lib/base/array.h"
#include "lib/mem/u64map.h"
#include "lib/retry/saved.h"
#include "lib/retry/tally.h"

#define BATCH 1024 /* attempts per hand-over */
#define ARENA (256 * 1024) /* bytes of strings per hand-over */
#define NBATCHES 4 /* in flight between the two threads */

/* A record handed over: its values and where its strings sit in the batch's arena. */
typedef struct msg {
	rl_attempt_in in;
	uint32_t off;
} msg;

typedef struct batch {
	msg m[BATCH];
	size_t n, used; /* attempts, arena bytes */
	bool last; /* the producer stops after this one */
	bool flush; /* commit the thread's tables after this one (a stream's timer) */
	char arena[ARENA];
} batch;

struct rl_worker {
	rl_worker_opts o;
	rl_strpool *targets;
	rl_reorder *reorder;
	rl_chain *chain;
	rl_writer_work work;
	rl_store_source_delta *deltas; /* late counts per input */
	rl_tally tally; /* what the chains find, counted into work */
	int64_t advanced_to;
	/* the last stored attempt of each key an earlier run saved (SPEC §3.1.8: one more
	 * than --max-lag before it is late for that key): key → index into stored_start */
	rl_u64map stored;
	int64_t *stored_start;
	size_t nstored, capstored;
	rl_saved_mirror mirror; /* what the database's saved state holds: a save writes the changes */

	/* the hand-over */
	batch *pool;
	batch *cur; /* the producer's */
	batch *ready[NBATCHES + 1], *free_[NBATCHES + 1]; /* the producer may hold none */
	size_t nready, nfree, ready_head;
	pthread_t thread;
	bool threaded, done;
	bool stopped; /* rl_worker_stop ran: nothing more is handed over */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t flushes_asked, flushes_done; /* rl_worker_flush waits for its own */
	int rc; /* first error of the thread */
	rl_err err;
};

/* --- what the chains need ----------------------------------------------------------- */

static int64_t source_tol(void *ctx, uint16_t source, bool has_duration)
{
	rl_worker *a = ctx;
	if (source >= a->o.nsources)
		return RL_US_PER_S;
	int64_t t = atomic_load_explicit(&a->o.time_res[source], memory_order_relaxed);
	int64_t d = has_duration ? atomic_load_explicit(&a->o.dur_res[source], memory_order_relaxed) : 0;
	t = t > 0 ? t : RL_US_PER_S;
	return d > t ? d : t;
}

static const char *name_of(void *ctx, int kind, uint32_t id)
{
	rl_worker *a = ctx;
	return rl_intern_str(kind ? a->o.methods : a->o.endpoints, id);
}

static uint32_t id_of(void *ctx, int kind, const char *name)
{
	rl_worker *a = ctx;
	uint32_t id = rl_intern_id(kind ? a->o.methods : a->o.endpoints, name, strlen(name));
	if (kind)
		rl_tally_note_ids(&a->tally, 0, id);
	else
		rl_tally_note_ids(&a->tally, id, 0);
	return id;
}

/* --- committing the thread's tables ------------------------------------------------- */

static int save_state(void *ctx, rl_store *st, rl_err *err)
{
	rl_worker *a = ctx;
	return rl_saved_save(st, a->chain, a->reorder, &a->mirror, err);
}

/* Commits the thread's tables; with state (a stream's timer), the retry state too. */
static int submit(rl_worker *a, bool wait, bool state)
{
	rl_tally_settle(&a->tally);
	if (state && a->o.save_every_commit) { /* the writer reads the state while this thread waits */
		a->work.save = save_state;
		a->work.save_ctx = a;
		wait = true;
	}
	a->work.endpoints_upto = a->tally.max_endpoint;
	a->work.methods_upto = a->tally.max_method;
	int rc = rl_writer_submit(a->o.commit, &a->work, a->deltas, NULL, 0, NULL, wait, &a->err);
	for (size_t i = 0; i < a->o.nsources; i++)
		a->deltas[i].late = 0;
	return rc;
}

/* --- processing --------------------------------------------------------------------- */

static int judge_released(void *ctx, const rl_attempt *att)
{
	rl_worker *a = ctx;
	return rl_chain_judge(a->chain, att);
}

static int process(rl_worker *a, msg *m, const char *arena)
{
	rl_attempt att;
	rl_str client;
	if (rl_attempt_build(&att, &m->in, arena + m->off, a->targets, &client))
		return RL_ENOMEM;
	rl_tally_note_ids(&a->tally, att.endpoint, att.method);
	rl_client_row *row = rl_clients_get(a->work.clients, att.client, NULL, 0);
	if (!row)
		return RL_ENOMEM;
	if (!row->name) {
		char clean[RL_CLIENT_MAX * 4 + 8];
		size_t n = rl_text_clean(clean, sizeof clean, client.p, client.n);
		if (!rl_clients_get(a->work.clients, att.client, clean, n)->name)
			return RL_ENOMEM;
	}
	row->v[RL_CL_ATTEMPTS]++;
	if (att.start_us > row->last_us)
		row->last_us = att.start_us;
	uint32_t k = a->nstored ? rl_u64map_get(&a->stored, att.key) : 0;
	int rc = k && att.start_us < a->stored_start[k - 1] - a->o.max_lag_us
			 ? 1
			 : rl_reorder_push(a->reorder, &att, judge_released, a);
	if (rc == 1) {
		/* late: more than --max-lag before the latest start this run read, or before
		 * its key's last stored attempt; judged on arrival */
		if (att.source < a->o.nsources)
			a->deltas[att.source].late++;
		rc = rl_chain_judge(a->chain, &att);
	}
	if (rc)
		return rc;
	int64_t latest = rl_reorder_latest(a->reorder);
	if (latest == a->advanced_to)
		return 0;
	a->advanced_to = latest;
	return rl_chain_advance(a->chain, latest);
}

static int process_batch(rl_worker *a, batch *b)
{
	int rc = 0;
	for (size_t i = 0; i < b->n && !rc; i++)
		rc = process(a, &b->m[i], b->arena);
	/* full tables go on their own; the rest, and the state, with the parser's timer
	 * commits (rl_worker_flush) or the last */
	if (!rc && (rl_agg_full(a->work.agg) || rl_clients_full(a->work.clients)))
		rc = submit(a, false, false);
	return rc;
}

static void fail(rl_worker *a, int rc)
{
	/* under a->mu */
	if (!a->rc) {
		a->rc = rc;
		if (!a->err.code)
			rl_err_set(&a->err, rc, NULL, 0,
				   rc == RL_ENOMEM ? "out of memory" : "the retry analysis failed");
	}
}

static void *run(void *arg)
{
	rl_worker *a = arg;
	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->nready)
			pthread_cond_wait(&a->cv, &a->mu);
		batch *b = a->ready[a->ready_head];
		a->ready_head = (a->ready_head + 1) % (NBATCHES + 1);
		a->nready--;
		bool skip = a->rc != 0;
		pthread_mutex_unlock(&a->mu);
		int rc = skip ? 0 : process_batch(a, b);
		if (!rc && !skip && (b->last || b->flush))
			rc = submit(a, false, b->flush); /* the last: the run's final commit saves it */
		pthread_mutex_lock(&a->mu);
		if (rc)
			fail(a, rc);
		if (b->flush)
			a->flushes_done++;
		bool last = b->last;
		b->n = b->used = 0;
		b->last = b->flush = false;
		a->free_[a->nfree++] = b;
		pthread_cond_broadcast(&a->cv);
		if (last)
			break;
	}
	a->done = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* Hands the producer's batch over and takes a free one. */
static int hand_over(rl_worker *a, bool last)
{
	a->cur->last = last;
	if (!a->threaded) {
		int rc = process_batch(a, a->cur);
		if (!rc && (last || a->cur->flush))
			rc = submit(a, false, a->cur->flush);
		a->cur->n = a->cur->used = 0;
		a->cur->last = a->cur->flush = false;
		return rc;
	}
	pthread_mutex_lock(&a->mu);
	a->ready[(a->ready_head + a->nready) % (NBATCHES + 1)] = a->cur;
	a->nready++;
	pthread_cond_broadcast(&a->cv);
	a->cur = NULL;
	if (!last) {
		while (!a->nfree)
			pthread_cond_wait(&a->cv, &a->mu);
		a->cur = a->free_[--a->nfree];
	}
	int rc = a->rc;
	pthread_mutex_unlock(&a->mu);
	return rc;
}

int rl_worker_push(rl_worker *a, const rl_record *r, const rl_attempt_origin *o)
{
	if (a->cur->used + RL_ATTEMPT_IN_STR_MAX > ARENA) {
		int rc = hand_over(a, false);
		if (rc)
			return rc;
	}
	batch *b = a->cur;
	msg *m = &b->m[b->n++];
	m->off = (uint32_t)b->used;
	b->used += rl_attempt_in_from_record(&m->in, r, o, b->arena + b->used);
	if (b->n == BATCH)
		return hand_over(a, false);
	return 0;
}

int rl_worker_flush(rl_worker *a)
{
	a->cur->flush = true;
	if (!a->threaded)
		return hand_over(a, false);
	pthread_mutex_lock(&a->mu);
	uint64_t mine = ++a->flushes_asked;
	pthread_mutex_unlock(&a->mu);
	int rc = hand_over(a, false);
	pthread_mutex_lock(&a->mu);
	while (!rc && !a->rc && a->flushes_done < mine)
		pthread_cond_wait(&a->cv, &a->mu);
	rc = rc ? rc : a->rc;
	pthread_mutex_unlock(&a->mu);
	return rc;
}

int rl_worker_stop(rl_worker *a, rl_err *err)
{
	if (a->stopped) {
		if (a->rc && err)
			*err = a->err;
		return a->rc;
	}
	a->stopped = true;
	int rc = hand_over(a, true);
	if (!a->threaded)
		a->rc = rc;
	if (a->threaded) {
		pthread_join(a->thread, NULL);
		a->threaded = false;
		rc = a->rc;
	}
	if (rc && err)
		*err = a->err;
	return rc;
}

void rl_worker_start(rl_worker *a)
{
	/* signals (SIGINT, SIGTERM…) are the parser's to take: the thread blocks them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	a->threaded = pthread_create(&a->thread, NULL, run, a) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* --- life cycle ------------------------------------------------------------------------ */

int rl_worker_new(rl_worker **out, const rl_worker_opts *o, rl_err *err)
{
	*out = NULL;
	rl_worker *a = calloc(1, sizeof *a);
	if (!a)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	a->o = *o;
	a->advanced_to = INT64_MIN;
	a->targets = rl_strpool_new();
	a->reorder = rl_reorder_new(o->max_lag_us);
	a->work.agg = rl_agg_new(o->max_keys);
	a->work.clients = rl_clients_new();
	a->deltas = calloc(o->nsources ? o->nsources : 1, sizeof *a->deltas);
	a->pool = calloc(NBATCHES + 1, sizeof *a->pool);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	int rc;
	if (!a->targets || !a->reorder || !a->work.agg || !a->work.clients || !a->deltas || !a->pool) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < o->nsources; i++) {
		a->deltas[i].name = o->source_names[i];
		a->deltas[i].first_us = INT64_MAX;
		a->deltas[i].last_us = INT64_MIN;
	}
	a->cur = &a->pool[NBATCHES];
	for (size_t i = 0; i < NBATCHES; i++)
		a->free_[a->nfree++] = &a->pool[i];
	rl_chain_opts co = {o->policy, o->window_us,	   o->max_lag_us, o->clock_skew_us, source_tol,
			    a,	       {a, name_of, id_of}};
	rl_tally_init(&a->tally, &a->work, a->o.methods);
	rl_chain_sink sink = rl_tally_sink(&a->tally);
	if ((rc = rl_chain_new(&a->chain, &co, &sink, a->targets, err)))
		goto fail;
	*out = a;
	return 0;
fail:
	rl_worker_free(a);
	return rc;
}

static int note_stored(void *ctx, uint64_t key, int64_t start_us)
{
	rl_worker *a = ctx;
	uint32_t k = rl_u64map_get(&a->stored, key);
	if (k) {
		if (start_us > a->stored_start[k - 1])
			a->stored_start[k - 1] = start_us;
		return 0;
	}
	if (a->nstored >= UINT32_MAX - 1 ||
	    rl_array_grow((void **)&a->stored_start, &a->capstored, a->nstored, sizeof *a->stored_start))
		return RL_ENOMEM;
	a->stored_start[a->nstored++] = start_us;
	return rl_u64map_put(&a->stored, key, (uint32_t)a->nstored);
}

int rl_worker_load(rl_worker *a, rl_store *st, rl_err *err)
{
	int rc = rl_saved_load(st, a->chain, a->reorder, note_stored, a, &a->mirror, err);
	int64_t latest;
	if (rc || !a->o.continue_clock || (rc = rl_store_meta_get_i64(st, "latest_start_us", &latest, err)) != 1)
		return rc < 0 ? rc : 0;
	rl_reorder_set_latest(a->reorder, latest);
	a->advanced_to = latest;
	return rl_chain_advance(a->chain, latest) ? rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory") : 0;
}

int rl_worker_save(rl_worker *a, rl_store *st, rl_err *err)
{
	return save_state(a, st, err);
}

size_t rl_worker_active(const rl_worker *a)
{
	return rl_chain_active(a->chain) + rl_reorder_count(a->reorder);
}

size_t rl_worker_bytes(const rl_worker *a)
{
	return rl_chain_bytes(a->chain) + rl_reorder_bytes(a->reorder) + rl_strpool_bytes(a->targets);
}

uint64_t rl_worker_state_writes(const rl_worker *a)
{
	return a->mirror.written;
}

int64_t rl_worker_latest(const rl_worker *a)
{
	return rl_reorder_latest(a->reorder);
}

void rl_worker_free(rl_worker *a)
{
	if (!a)
		return;
	if (a->threaded && !a->stopped) {
		/* stop without committing: an error path */
		pthread_mutex_lock(&a->mu);
		fail(a, RL_EINPUT);
		pthread_mutex_unlock(&a->mu);
		hand_over(a, true);
		pthread_join(a->thread, NULL);
	}
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	rl_chain_free(a->chain);
	rl_reorder_free(a->reorder);
	rl_u64map_free(&a->stored);
	rl_saved_mirror_free(&a->mirror);
	free(a->stored_start);
	rl_strpool_free(a->targets);
	rl_agg_free(a->work.agg);
	rl_clients_free(a->work.clients);
	free(a->work.cand);
	free(a->work.rekeyed);
	free(a->deltas);
	free(a->pool);
	free(a);
}
