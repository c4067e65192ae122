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
	bool tick; /* only the clock: another shard's attempt starting at in.start_us */
} msg;

typedef struct batch {
	msg m[BATCH];
	size_t n, used; /* attempts, arena bytes */
	bool last; /* the producer stops after this one */
	bool flush; /* commit the thread's tables after this one (a stream's timer) */
	char arena[ARENA];
} batch;

/* --- --jobs: parts, each the chains of a share of the clients -------------------------
 *
 * With more than one job, the thread above still builds, counts, reorders and finds the
 * late attempts (one clock for every client, SPEC §3.1.3), and hands each released or
 * late attempt to the part that owns its client (rl_chain_part), and to every part the
 * clock's last move before each of its judgements: each part sees its clients' attempts
 * and the clock as the one chain of --jobs 1 would, so it judges them alike. At a timer
 * or final commit the thread waits for the parts to be idle, folds their tables into
 * its own and saves their chains with its own. */

#define PART_OPS 1024 /* judgements and clock moves per hand-over */
#define PART_NBATCHES 3 /* in flight to a part (about 240 KB each) */

typedef struct part_op {
	int64_t advance_to; /* a clock move (judge 0) */
	uint32_t judge; /* an attempt to judge: its index in att + 1 */
} part_op;

typedef struct part_batch {
	part_op op[PART_OPS];
	rl_attempt att[PART_OPS];
	uint8_t target_n[PART_OPS]; /* its target's bytes in arena (≤ RL_TARGET_MAX) */
	uint32_t target_at[PART_OPS];
	char arena[PART_OPS * RL_TARGET_MAX];
	size_t nop, natt, used;
	bool sync; /* say when done */
	bool quit;
} part_batch;

typedef struct part {
	struct rl_worker *a;
	rl_chain *chain;
	rl_strpool *targets;
	rl_tally tally;
	rl_writer_work work;
	part_batch *pool, *cur;
	part_batch *ready[PART_NBATCHES + 1], *free_[PART_NBATCHES + 1];
	size_t nready, nfree, ready_head;
	pthread_t thread;
	bool threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t syncs_asked, syncs_done;
	int rc;
	rl_err err;
	/* the clock's last move, not handed over yet: moves with no judgement between them
	 * close what the last one alone closes, in the same order (whole seconds of the
	 * wheel, ascending), so only the last goes, before the next judgement or a sync;
	 * the first goes at once (it closes loaded chains in an order of its own) */
	int64_t pending_advance;
	bool has_pending, advanced;
} part;

struct rl_worker {
	rl_worker_opts o;
	part *parts; /* --jobs N > 1: the N - 1 parts beside this thread's own; NULL with one job */
	size_t nparts;
	rl_chain **chains; /* the chains in progress: this thread's (part 0), then the parts' */
	size_t nchains;
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
	return rl_saved_save(st, a->chain, a->chains, a->nchains, a->reorder, &a->mirror, err);
}

static int parts_sync(rl_worker *a);
static void parts_stop(rl_worker *a);
static void *part_run(void *arg);

/* Commits the thread's tables (and the parts', once they are idle); with state (a
 * stream's timer), the retry state too. */
static int submit(rl_worker *a, bool wait, bool state, bool with_parts)
{
	int rc = a->nparts && with_parts ? parts_sync(a) : 0;
	/* the idle parts' tables folded into this thread's: one row per key to write */
	for (size_t i = 0; with_parts && i < a->nparts && !rc; i++) {
		part *p = &a->parts[i];
		rl_tally_settle(&p->tally);
		rl_tally_note_ids(&a->tally, p->tally.max_endpoint, p->tally.max_method);
		rl_agg_merge(a->work.agg, p->work.agg);
		rc = rl_clients_merge(a->work.clients, p->work.clients);
		for (size_t k = 0; k < p->work.ncand && !rc; k++)
			rc = rl_writer_work_candidate(&a->work, p->work.cand[k].round, p->work.cand[k].start_us,
						      p->work.cand[k].client);
		for (size_t k = 0; k < p->work.nrekeyed && !rc; k++)
			rc = rl_writer_work_rekeyed(&a->work, p->work.rekeyed[k]);
		p->work.ncand = p->work.nrekeyed = 0;
	}
	if (rc)
		return rc;
	rl_tally_settle(&a->tally);
	if (state && a->o.save_every_commit) { /* the writer reads the state while this thread waits */
		a->work.save = save_state;
		a->work.save_ctx = a;
		wait = true;
	}
	a->work.endpoints_upto = a->tally.max_endpoint;
	a->work.methods_upto = a->tally.max_method;
	rc = rl_writer_submit(a->o.commit, &a->work, a->deltas, NULL, 0, NULL, wait, &a->err);
	for (size_t i = 0; i < a->o.nsources; i++)
		a->deltas[i].late = 0;
	return rc;
}

/* --- processing --------------------------------------------------------------------- */

static int part_hand_over(part *p, bool sync, bool quit);

/* The op slot of part p's batch, handing the batch over first when it is full. */
static int part_room(part *p)
{
	return p->cur->nop == PART_OPS ? part_hand_over(p, false, false) : 0;
}

/* Hands the part the clock's last move, if one waits. */
static int part_flush_advance(part *p)
{
	if (!p->has_pending)
		return 0;
	int rc = part_room(p);
	if (!rc) {
		p->cur->op[p->cur->nop++] = (part_op){p->pending_advance, 0};
		p->has_pending = false;
	}
	return rc;
}

/* Judges att: here when its client is this thread's share (every client with one job),
 * else by the part that owns it (the target copy moves to that part's pool). */
static int judge(rl_worker *a, const rl_attempt *att)
{
	size_t k = a->nparts ? rl_chain_part(att->client, a->nchains) : 0;
	if (!k)
		return rl_chain_judge(a->chain, att);
	part *p = &a->parts[k - 1];
	int rc = part_flush_advance(p);
	if (!rc)
		rc = part_room(p);
	if (rc)
		return rc;
	part_batch *b = p->cur;
	size_t j = b->natt++;
	b->att[j] = *att;
	const char *t = att->target_ref ? rl_strpool_get(a->targets, att->target_ref) : NULL;
	size_t tn = t ? strlen(t) : 0;
	tn = tn < RL_TARGET_MAX ? tn : RL_TARGET_MAX;
	b->target_at[j] = (uint32_t)b->used;
	b->target_n[j] = (uint8_t)tn;
	b->att[j].target_ref = t ? 1 : 0; /* a target to put in the part's pool */
	if (tn)
		memcpy(b->arena + b->used, t, tn);
	b->used += tn;
	rl_strpool_release(a->targets, att->target_ref);
	b->op[b->nop++] = (part_op){0, (uint32_t)j + 1};
	return 0;
}

/* Moves the clock: of this thread's chains, and of every part's. */
static int advance(rl_worker *a, int64_t latest)
{
	int rc = rl_chain_advance(a->chain, latest);
	for (size_t i = 0; i < a->nparts && !rc; i++) {
		part *p = &a->parts[i];
		p->pending_advance = latest;
		p->has_pending = true;
		if (!p->advanced) {
			p->advanced = true;
			rc = part_flush_advance(p);
		}
	}
	return rc;
}

static int judge_released(void *ctx, const rl_attempt *att)
{
	return judge(ctx, att);
}

static int process(rl_worker *a, msg *m, const char *arena)
{
	if (m->tick) {
		int rc = rl_reorder_advance(a->reorder, m->in.start_us, judge_released, a);
		int64_t latest = rl_reorder_latest(a->reorder);
		if (rc || latest == a->advanced_to)
			return rc;
		a->advanced_to = latest;
		return advance(a, latest);
	}
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
		 * its key's last stored attempt; judged on arrival. Then it is read like any
		 * attempt: the latest start read counts it (it moves the clock only when late for
		 * its key alone; every shard of an ingest --shard moves it so, rl_worker_tick) */
		if (att.source < a->o.nsources)
			a->deltas[att.source].late++;
		rc = judge(a, &att);
		if (!rc)
			rc = rl_reorder_advance(a->reorder, att.start_us, judge_released, a);
	}
	if (rc)
		return rc;
	int64_t latest = rl_reorder_latest(a->reorder);
	if (latest == a->advanced_to)
		return 0;
	a->advanced_to = latest;
	return advance(a, latest);
}

static int process_batch(rl_worker *a, batch *b)
{
	int rc = 0;
	for (size_t i = 0; i < b->n && !rc; i++)
		rc = process(a, &b->m[i], b->arena);
	/* full tables go on their own; the rest, and the state, with the parser's timer
	 * commits (rl_worker_flush) or the last */
	if (!rc && (rl_agg_full(a->work.agg) || rl_clients_full(a->work.clients)))
		rc = submit(a, false, false, false); /* the parts send theirs when full, or with the next commit */
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
			rc = submit(a, false, b->flush, true); /* the last: the run's final commit saves it */
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
			rc = submit(a, false, a->cur->flush, true);
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
	m->tick = false;
	m->off = (uint32_t)b->used;
	b->used += rl_attempt_in_from_record(&m->in, r, o, b->arena + b->used);
	if (b->n == BATCH)
		return hand_over(a, false);
	return 0;
}

int rl_worker_tick(rl_worker *a, int64_t start_us)
{
	batch *b = a->cur;
	msg *m = &b->m[b->n++];
	m->tick = true;
	m->off = (uint32_t)b->used;
	m->in.start_us = start_us;
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
	parts_stop(a); /* the last submit synced them: nothing is pending */
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
	for (size_t i = 0; i < a->nparts; i++)
		a->parts[i].threaded = pthread_create(&a->parts[i].thread, NULL, part_run, &a->parts[i]) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* --- parts -------------------------------------------------------------------------------- */

static const char *part_name_of(void *ctx, int kind, uint32_t id)
{
	part *p = ctx;
	return rl_intern_str(kind ? p->a->o.methods : p->a->o.endpoints, id);
}

static uint32_t part_id_of(void *ctx, int kind, const char *name)
{
	part *p = ctx;
	uint32_t id = rl_intern_id(kind ? p->a->o.methods : p->a->o.endpoints, name, strlen(name));
	rl_tally_note_ids(&p->tally, kind ? 0 : id, kind ? id : 0);
	return id;
}

static int part_process(part *p, part_batch *b)
{
	int rc = 0;
	for (size_t i = 0; i < b->nop && !rc; i++) {
		const part_op *op = &b->op[i];
		if (!op->judge) {
			rc = rl_chain_advance(p->chain, op->advance_to);
			continue;
		}
		size_t j = op->judge - 1;
		rl_attempt *att = &b->att[j];
		if (att->target_ref &&
		    !(att->target_ref = rl_strpool_put(p->targets, b->arena + b->target_at[j], b->target_n[j])))
			return RL_ENOMEM;
		rl_tally_note_ids(&p->tally, att->endpoint, att->method);
		rc = rl_chain_judge(p->chain, att);
	}
	if (!rc && (rl_agg_full(p->work.agg) || rl_clients_full(p->work.clients))) {
		rl_tally_settle(&p->tally);
		p->work.endpoints_upto = p->tally.max_endpoint;
		p->work.methods_upto = p->tally.max_method;
		rc = rl_writer_submit(p->a->o.commit, &p->work, NULL, NULL, 0, NULL, false, &p->err);
	}
	return rc;
}

static void *part_run(void *arg)
{
	part *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->nready)
			pthread_cond_wait(&p->cv, &p->mu);
		part_batch *b = p->ready[p->ready_head];
		p->ready_head = (p->ready_head + 1) % (PART_NBATCHES + 1);
		p->nready--;
		bool skip = p->rc != 0;
		pthread_mutex_unlock(&p->mu);
		int rc = skip ? 0 : part_process(p, b);
		pthread_mutex_lock(&p->mu);
		if (rc && !p->rc) {
			p->rc = rc;
			if (!p->err.code)
				rl_err_set(&p->err, rc, NULL, 0,
					   rc == RL_ENOMEM ? "out of memory" : "the retry analysis failed");
		}
		if (b->sync)
			p->syncs_done++;
		bool quit = b->quit;
		b->nop = b->natt = b->used = 0;
		b->sync = b->quit = false;
		p->free_[p->nfree++] = b;
		pthread_cond_broadcast(&p->cv);
		if (quit)
			break;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Hands part p its batch (sync: to be told when it is done; quit: its last). */
static int part_hand_over(part *p, bool sync, bool quit)
{
	p->cur->sync = sync;
	p->cur->quit = quit;
	if (!p->threaded) {
		int rc = p->rc ? p->rc : part_process(p, p->cur);
		p->rc = rc;
		p->cur->nop = p->cur->natt = p->cur->used = 0;
		p->cur->sync = p->cur->quit = false;
		return rc;
	}
	pthread_mutex_lock(&p->mu);
	if (sync)
		p->syncs_asked++;
	p->ready[(p->ready_head + p->nready) % (PART_NBATCHES + 1)] = p->cur;
	p->nready++;
	pthread_cond_broadcast(&p->cv);
	p->cur = NULL;
	if (!quit) {
		while (!p->nfree)
			pthread_cond_wait(&p->cv, &p->mu);
		p->cur = p->free_[--p->nfree];
	}
	int rc = p->rc;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Hands every part what it has and waits until each has done it: then the parts are
 * idle (this thread gives them nothing more) and their tables and chains hold still. */
static int parts_sync(rl_worker *a)
{
	int rc = 0;
	for (size_t i = 0; i < a->nparts; i++) {
		int r = part_flush_advance(&a->parts[i]);
		if (!r)
			r = part_hand_over(&a->parts[i], true, false);
		rc = rc ? rc : r;
	}
	for (size_t i = 0; i < a->nparts; i++) {
		part *p = &a->parts[i];
		if (!p->threaded)
			continue;
		pthread_mutex_lock(&p->mu);
		while (p->syncs_done < p->syncs_asked)
			pthread_cond_wait(&p->cv, &p->mu);
		rc = rc ? rc : p->rc;
		pthread_mutex_unlock(&p->mu);
	}
	for (size_t i = 0; rc && i < a->nparts; i++)
		if (a->parts[i].rc && !a->err.code)
			a->err = a->parts[i].err;
	return rc;
}

/* Stops the parts' threads (after the last sync: nothing is pending). */
static void parts_stop(rl_worker *a)
{
	for (size_t i = 0; i < a->nparts; i++) {
		part *p = &a->parts[i];
		if (!p->threaded)
			continue;
		part_hand_over(p, false, true);
		pthread_join(p->thread, NULL);
		p->threaded = false;
		p->cur = &p->pool[PART_NBATCHES]; /* the spare, never handed over again */
		p->cur->nop = p->cur->natt = p->cur->used = 0;
	}
}

static void parts_free(rl_worker *a)
{
	parts_stop(a);
	for (size_t i = 0; i < a->nparts; i++) {
		part *p = &a->parts[i];
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		rl_chain_free(p->chain);
		rl_strpool_free(p->targets);
		rl_agg_free(p->work.agg);
		rl_clients_free(p->work.clients);
		free(p->work.cand);
		free(p->work.rekeyed);
		free(p->pool);
	}
	free(a->parts);
	a->parts = NULL;
	a->nparts = 0;
	a->chains[0] = a->chain;
	a->nchains = 1;
}

/* The parts of --jobs jobs: jobs - 1 beside this thread, which judges a share itself. */
static int parts_new(rl_worker *a, size_t jobs, const rl_chain_opts *co, rl_err *err)
{
	size_t n = jobs - 1;
	rl_chain **chains = realloc(a->chains, jobs * sizeof *chains);
	if (!chains)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	a->chains = chains;
	if (!(a->parts = calloc(n, sizeof *a->parts)))
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	a->nparts = n;
	for (size_t i = 0; i < n; i++) {
		part *p = &a->parts[i];
		p->a = a;
		pthread_mutex_init(&p->mu, NULL);
		pthread_cond_init(&p->cv, NULL);
		p->targets = rl_strpool_new();
		p->work.agg = rl_agg_new(a->o.max_keys);
		p->work.clients = rl_clients_new();
		p->pool = calloc(PART_NBATCHES + 1, sizeof *p->pool);
		if (!p->targets || !p->work.agg || !p->work.clients || !p->pool)
			return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		p->cur = &p->pool[PART_NBATCHES];
		for (size_t k = 0; k < PART_NBATCHES; k++)
			p->free_[p->nfree++] = &p->pool[k];
		rl_chain_opts pco = *co;
		pco.names = (rl_chain_names){p, part_name_of, part_id_of};
		rl_tally_init(&p->tally, &p->work, a->o.methods);
		rl_chain_sink sink = rl_tally_sink(&p->tally);
		int rc = rl_chain_new(&p->chain, &pco, &sink, p->targets, err);
		if (rc)
			return rc;
		a->chains[i + 1] = p->chain;
	}
	a->nchains = jobs;
	return 0;
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
	if (!(a->chains = malloc(sizeof *a->chains))) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	if ((rc = rl_chain_new(&a->chain, &co, &sink, a->targets, err)))
		goto fail;
	a->chains[0] = a->chain;
	a->nchains = 1;
	if (o->jobs > 1 && (rc = parts_new(a, o->jobs, &co, err)))
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
	bool routable = true;
	int rc = a->nparts ? rl_saved_routable(st, &routable, err) : 0;
	if (rc)
		return rc;
	if (!routable) /* state saved before rekey entries named their client: one job goes on from it */
		parts_free(a);
	rc = rl_saved_load(st, a->chain, a->chains, a->nchains, a->reorder, note_stored, a, &a->mirror, err);
	int64_t latest;
	if (rc || !a->o.continue_clock || (rc = rl_store_meta_get_i64(st, "latest_start_us", &latest, err)) != 1)
		return rc < 0 ? rc : 0;
	rl_reorder_set_latest(a->reorder, latest);
	a->advanced_to = latest;
	for (size_t i = 0; i < a->nchains; i++)
		if (rl_chain_advance(a->chains[i], latest))
			return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	return 0;
}

int rl_worker_save(rl_worker *a, rl_store *st, rl_err *err)
{
	return save_state(a, st, err);
}

size_t rl_worker_active(const rl_worker *a)
{
	size_t n = rl_reorder_count(a->reorder);
	for (size_t i = 0; i < a->nchains; i++)
		n += rl_chain_active(a->chains[i]);
	return n;
}

size_t rl_worker_bytes(const rl_worker *a)
{
	size_t n = rl_chain_bytes(a->chain) + rl_reorder_bytes(a->reorder) + rl_strpool_bytes(a->targets);
	for (size_t i = 0; i < a->nparts; i++)
		n += rl_chain_bytes(a->parts[i].chain) + rl_strpool_bytes(a->parts[i].targets);
	return n;
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
	if (a->parts) {
		for (size_t i = 0; i < a->nparts; i++) { /* an error path: stop without judging */
			part *p = &a->parts[i];
			pthread_mutex_lock(&p->mu);
			p->rc = p->rc ? p->rc : RL_EINPUT;
			pthread_mutex_unlock(&p->mu);
		}
		parts_free(a);
	}
	free(a->chains);
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
