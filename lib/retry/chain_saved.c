/* retry/chain_saved.c - the detector's state across runs: chains in progress and rekey
 * entries as versioned blobs (saved at the end of a run, loaded at the start of the
 * next and by the report), and attempts still waiting for order. */
#include "lib/retry/chain.h"

#include <stdlib.h>
#include <string.h>

#include "lib/base/blob.h"
#include "lib/retry/chain_internal.h"

/* --- saving ------------------------------------------------------------------- */

#define BLOB_VERSION 1
#define REKEY_VERSION 2 /* a rekey entry names its client since version 2 */
#define BLOB_MAX 4096

static void put_name(rl_chain *c, rl_blob *b, int kind, uint32_t id)
{
	const char *s = c->o.names.name ? c->o.names.name(c->o.names.ctx, kind, id) : NULL;
	s = s ? s : "";
	rl_blob_put_str(b, s, strlen(s));
}

static uint32_t get_name(rl_chain *c, rl_blob *b, int kind)
{
	char name[512];
	rl_blob_get_str(b, name, sizeof name);
	return c->o.names.id ? c->o.names.id(c->o.names.ctx, kind, name) : 0;
}

static void put_target(rl_chain *c, rl_blob *b, uint32_t ref)
{
	const char *t = rl_strpool_get(c->targets, ref);
	rl_blob_put_str(b, t, strlen(t));
}

/* A target copy from a blob, 0 when empty. */
static uint32_t get_target(rl_chain *c, rl_blob *b)
{
	char t[RL_TARGET_MAX + 8];
	rl_blob_get_str(b, t, sizeof t);
	if (!t[0])
		return 0;
	return rl_strpool_put(c->targets, t, strlen(t));
}

typedef struct save_ctx {
	rl_chain *c;
	rl_chain_put put;
	void *ctx;
	int rc;
} save_ctx;

static void save_state(void *ctx, uint64_t key, uint32_t ref)
{
	save_ctx *sc = ctx;
	if (sc->rc)
		return;
	rl_chain *c = sc->c;
	const cstate *s = state(c, ref);
	/* the layout of a blob does not follow the split of the state in memory */
	const cext *x = ext_of(c, s);
	const cext none = {.first_start = s->last_start, .prev_wait = -1};
	const cext *e = x ? x : &none;
	const crid *r = s->rid ? rl_slab_get(c->rids, s->rid) : &(crid){0, 0};
	unsigned char buf[BLOB_MAX];
	rl_blob b = {buf, 0, sizeof buf, true};
	rl_blob_put(&b, BLOB_VERSION, 1);
	rl_blob_put(&b, s->key, 8);
	rl_blob_put(&b, s->client, 8);
	rl_blob_put(&b, r->last_reqkey, 8);
	rl_blob_put(&b, (uint64_t)e->first_start, 8);
	rl_blob_put(&b, (uint64_t)s->last_start, 8);
	rl_blob_put(&b, (uint64_t)s->last_end, 8);
	rl_blob_put(&b, (uint64_t)s->last_ra, 8);
	rl_blob_put(&b, (uint64_t)e->prev_wait, 8);
	rl_blob_put(&b, (uint64_t)e->r4_min, 8);
	rl_blob_put(&b, (uint64_t)e->r4_max, 8);
	rl_blob_put(&b, s->last_src_hash, 4);
	rl_blob_put(&b, (uint32_t)s->last_tol, 4);
	rl_blob_put(&b, (uint32_t)r->last_attempt_no, 4);
	rl_blob_put(&b, e->n, 4);
	rl_blob_put(&b, e->violations, 4);
	rl_blob_put(&b, e->r4_n, 2);
	rl_blob_put(&b, e->r4_exact, 2);
	rl_blob_put(&b, (uint16_t)s->last_status, 2);
	rl_blob_put(&b, s->flags, 1);
	put_name(c, &b, 0, s->endpoint);
	put_name(c, &b, 1, s->method);
	put_target(c, &b, s->target);
	rl_blob_put(&b, x != NULL, 1);
	if (x) {
		rl_blob_put(&b, x->attempts, 4);
		rl_blob_put(&b, x->overflow, 4);
		rl_blob_put(&b, x->overflow_exact, 4);
		rl_blob_put(&b, x->nsteps, 1);
		for (unsigned i = 0; i < x->nsteps; i++)
			rl_evidence_step_put(&b, &x->steps[i]);
		rl_blob_put(&b, x->ndef, 1);
		for (unsigned i = 0; i < x->ndef; i++) {
			const deferred *d = &x->def[i];
			rl_blob_put(&b, (uint64_t)d->start_us, 8);
			rl_blob_put(&b, (uint16_t)d->status, 2);
			put_name(c, &b, 0, d->endpoint);
			put_name(c, &b, 1, d->method);
			rl_blob_put(&b, d->flags, 1);
			rl_blob_put(&b, d->step, 1);
		}
	}
	sc->rc = b.ok ? sc->put(sc->ctx, RL_CHAIN_STATE, key, buf, b.n) : RL_ENOMEM;
}

static void save_rekey(void *ctx, uint64_t key, uint32_t ref)
{
	save_ctx *sc = ctx;
	if (sc->rc)
		return;
	const rekey *r = rl_slab_get(sc->c->rekeys, ref);
	unsigned char buf[32];
	rl_blob b = {buf, 0, sizeof buf, true};
	/* one loaded from a version-1 blob does not know its client: it stays version 1 (a
	 * run with --jobs then goes on with one job until it expires, rl_saved_routable) */
	rl_blob_put(&b, r->client ? REKEY_VERSION : BLOB_VERSION, 1);
	rl_blob_put(&b, (uint64_t)r->last_end, 8);
	rl_blob_put(&b, r->idem, 8);
	if (r->client)
		rl_blob_put(&b, r->client, 8);
	sc->rc = sc->put(sc->ctx, RL_CHAIN_REKEY, key, buf, b.n);
}

typedef struct key_ref {
	int64_t key; /* as the database orders it */
	uint32_t ref;
} key_ref;

static void collect_key_ref(void *ctx, uint64_t key, uint32_t value)
{
	key_ref **p = ctx;
	*(*p)++ = (key_ref){(int64_t)key, value};
}

static int cmp_key_ref(const void *x, const void *y)
{
	const key_ref *a = x, *b = y;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* Saves the entries of m in the order of the saved_state table's primary key: a million
 * open chains then append to its B-tree instead of landing on random pages of it. */
typedef struct collect_keys {
	const rl_chain *c;
	key_ref *end;
} collect_keys;

static void collect_state_key(void *ctx, uint32_t ref)
{
	collect_keys *k = ctx;
	*k->end++ = (key_ref){(int64_t)state(k->c, ref)->key, ref};
}

/* Saves n entries in the order of the saved_state table's primary key: a million open
 * chains then append to its B-tree instead of landing on random pages of it. */
static int save_sorted(save_ctx *sc, key_ref *v, size_t n, void (*save)(void *ctx, uint64_t key, uint32_t ref))
{
	qsort(v, n, sizeof *v, cmp_key_ref);
	for (size_t i = 0; i < n && !sc->rc; i++)
		save(sc, (uint64_t)v[i].key, v[i].ref);
	free(v);
	return sc->rc;
}

int rl_chain_save(rl_chain *c, rl_chain_put put, void *ctx)
{
	save_ctx sc = {c, put, ctx, 0};
	size_t n = c->index.count, m = c->rekey_index.count;
	key_ref *v = malloc((n ? n : 1) * sizeof *v), *w = malloc((m ? m : 1) * sizeof *w);
	if (!v || !w) {
		free(v);
		free(w);
		return RL_ENOMEM;
	}
	collect_keys k = {c, v};
	rl_keyindex_each(&c->index, collect_state_key, &k);
	key_ref *end = w;
	rl_u64map_each(&c->rekey_index, collect_key_ref, &end);
	int rc = save_sorted(&sc, v, n, save_state);
	if (rc) {
		free(w);
		return rc;
	}
	return save_sorted(&sc, w, m, save_rekey);
}

static int load_chain(rl_chain *c, rl_blob *b, rl_err *err)
{
	uint32_t ref = rl_slab_alloc(c->states);
	if (!ref || ref >= WHEEL_HEAD)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	cstate *s = state(c, ref);
	cext e = {0};
	crid r = {0};
	s->key = rl_blob_get(b, 8);
	s->client = rl_blob_get(b, 8);
	r.last_reqkey = rl_blob_get(b, 8);
	e.first_start = (int64_t)rl_blob_get(b, 8);
	s->last_start = (int64_t)rl_blob_get(b, 8);
	s->last_end = (int64_t)rl_blob_get(b, 8);
	s->last_ra = (int64_t)rl_blob_get(b, 8);
	e.prev_wait = (int64_t)rl_blob_get(b, 8);
	e.r4_min = (int64_t)rl_blob_get(b, 8);
	e.r4_max = (int64_t)rl_blob_get(b, 8);
	s->last_src_hash = (uint32_t)rl_blob_get(b, 4);
	s->last_tol = (int32_t)(uint32_t)rl_blob_get(b, 4);
	r.last_attempt_no = (int32_t)(uint32_t)rl_blob_get(b, 4);
	e.n = (uint32_t)rl_blob_get(b, 4);
	e.violations = (uint32_t)rl_blob_get(b, 4);
	e.r4_n = (uint16_t)rl_blob_get(b, 2);
	e.r4_exact = (uint16_t)rl_blob_get(b, 2);
	s->last_status = (int16_t)(uint16_t)rl_blob_get(b, 2);
	s->flags = (uint8_t)rl_blob_get(b, 1);
	s->endpoint = (uint16_t)get_name(c, b, 0);
	s->method = (uint8_t)get_name(c, b, 1);
	s->target = get_target(c, b);
	if ((s->flags & CS_RID) && (s->rid = rl_slab_alloc(c->rids)))
		*(crid *)rl_slab_get(c->rids, s->rid) = r;
	bool oom = (s->flags & CS_RID) && !s->rid;
	if (rl_blob_get(b, 1) && !oom) {
		if ((s->ext = rl_slab_alloc(c->exts))) {
			cext *x = rl_slab_get(c->exts, s->ext);
			*x = e;
			x->attempts = (uint32_t)rl_blob_get(b, 4);
			x->overflow = (uint32_t)rl_blob_get(b, 4);
			x->overflow_exact = (uint32_t)rl_blob_get(b, 4);
			x->nsteps = (uint16_t)rl_blob_get(b, 1);
			if (x->nsteps > RL_EVIDENCE_STEPS)
				b->ok = false, x->nsteps = 0;
			for (unsigned i = 0; i < x->nsteps; i++)
				rl_evidence_step_get(b, &x->steps[i]);
			x->ndef = (uint16_t)rl_blob_get(b, 1);
			if (x->ndef > DEFER_MAX)
				b->ok = false, x->ndef = 0;
			for (unsigned i = 0; i < x->ndef; i++) {
				deferred *d = &x->def[i];
				d->start_us = (int64_t)rl_blob_get(b, 8);
				d->status = (int16_t)(uint16_t)rl_blob_get(b, 2);
				d->endpoint = (uint16_t)get_name(c, b, 0);
				d->method = (uint8_t)get_name(c, b, 1);
				d->flags = (uint8_t)rl_blob_get(b, 1);
				d->step = (uint8_t)rl_blob_get(b, 1);
			}
		} else {
			oom = true;
		}
	}
	int rc = 0;
	if (oom)
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	else if (!b->ok || !s->key || rl_keyindex_get(&c->index, s->key, key_of, c))
		rc = rl_err_set(err, RL_EDB, NULL, 0, "a saved chain state is damaged");
	else if (rl_keyindex_put(&c->index, s->key, ref))
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	if (rc) {
		rl_slab_release(c->exts, s->ext);
		rl_slab_release(c->rids, s->rid);
		rl_strpool_release(c->targets, s->target);
		rl_slab_release(c->states, ref);
		return rc;
	}
	rl_chain_schedule(c, ref);
	return 0;
}

static int load_rekey(rl_chain *c, uint64_t key, rl_blob *b, unsigned version, rl_err *err)
{
	int64_t last_end = (int64_t)rl_blob_get(b, 8);
	uint64_t idem = rl_blob_get(b, 8);
	uint64_t client = version >= 2 ? rl_blob_get(b, 8) : 0;
	if (!b->ok || !key)
		return rl_err_set(err, RL_EDB, NULL, 0, "a saved rekey state is damaged");
	uint32_t ref = rl_slab_alloc(c->rekeys);
	if (!ref || rl_u64map_put(&c->rekey_index, key, ref))
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	rekey *r = rl_slab_get(c->rekeys, ref);
	r->last_end = last_end;
	r->idem = idem;
	r->client = client;
	return 0;
}

int rl_chain_load(rl_chain *c, int kind, uint64_t key, const void *blob, size_t n, rl_err *err)
{
	rl_blob b = {(unsigned char *)blob, 0, n, true};
	unsigned version = (unsigned)rl_blob_get(&b, 1);
	if (version != BLOB_VERSION && !(kind == RL_CHAIN_REKEY && version == REKEY_VERSION))
		return rl_err_set(err, RL_EDB, NULL, 0, "saved state of an unknown version");
	if (kind == RL_CHAIN_STATE)
		return load_chain(c, &b, err);
	if (kind == RL_CHAIN_REKEY)
		return load_rekey(c, key, &b, version, err);
	return rl_err_set(err, RL_EDB, NULL, 0, "saved state of an unknown kind");
}

int rl_chain_save_attempt(rl_chain *c, const rl_attempt *a, rl_chain_put put, void *ctx)
{
	unsigned char buf[BLOB_MAX];
	rl_blob b = {buf, 0, sizeof buf, true};
	rl_blob_put(&b, BLOB_VERSION, 1);
	rl_blob_put(&b, (uint64_t)a->start_us, 8);
	rl_blob_put(&b, (uint64_t)a->end_us, 8);
	rl_blob_put(&b, a->seq, 8);
	rl_blob_put(&b, a->key, 8);
	rl_blob_put(&b, a->reqkey, 8);
	rl_blob_put(&b, a->base, 8);
	rl_blob_put(&b, a->client, 8);
	rl_blob_put(&b, a->idem, 8);
	rl_blob_put(&b, (uint64_t)a->retry_after_us, 8);
	rl_blob_put(&b, a->src_hash, 4);
	rl_blob_put(&b, (uint32_t)clamp32(tol_of(c, a)), 4);
	rl_blob_put(&b, (uint32_t)a->attempt_no, 4);
	rl_blob_put(&b, (uint16_t)a->status, 2);
	rl_blob_put(&b, a->flags, 1);
	put_name(c, &b, 0, a->endpoint);
	put_name(c, &b, 1, a->method);
	put_target(c, &b, a->target_ref);
	return b.ok ? put(ctx, RL_CHAIN_ATTEMPT, a->seq, buf, b.n) : RL_ENOMEM;
}

int rl_chain_load_attempt(rl_chain *c, const void *blob, size_t n, rl_attempt *a, rl_err *err)
{
	rl_blob b = {(unsigned char *)blob, 0, n, true};
	memset(a, 0, sizeof *a);
	if (rl_blob_get(&b, 1) != BLOB_VERSION)
		return rl_err_set(err, RL_EDB, NULL, 0, "saved attempt of an unknown version");
	a->start_us = (int64_t)rl_blob_get(&b, 8);
	a->end_us = (int64_t)rl_blob_get(&b, 8);
	a->seq = rl_blob_get(&b, 8);
	a->key = rl_blob_get(&b, 8);
	a->reqkey = rl_blob_get(&b, 8);
	a->base = rl_blob_get(&b, 8);
	a->client = rl_blob_get(&b, 8);
	a->idem = rl_blob_get(&b, 8);
	a->retry_after_us = (int64_t)rl_blob_get(&b, 8);
	a->src_hash = (uint32_t)rl_blob_get(&b, 4);
	a->tol_us = (int32_t)(uint32_t)rl_blob_get(&b, 4);
	a->attempt_no = (int32_t)(uint32_t)rl_blob_get(&b, 4);
	a->status = (int16_t)(uint16_t)rl_blob_get(&b, 2);
	a->flags = (uint8_t)rl_blob_get(&b, 1);
	a->source = RL_SOURCE_SAVED;
	a->endpoint = (uint16_t)get_name(c, &b, 0);
	a->method = (uint8_t)get_name(c, &b, 1);
	a->target_ref = get_target(c, &b);
	if (!b.ok || !a->key) {
		rl_strpool_release(c->targets, a->target_ref);
		return rl_err_set(err, RL_EDB, NULL, 0, "a saved attempt is damaged");
	}
	return 0;
}

bool rl_chain_blob_client(int kind, const void *blob, size_t n, uint64_t *client)
{
	/* where each kind's client sits: after the version and a chain's key; after a
	 * rekey entry's last end and idempotency key (version 2); after an attempt's start,
	 * end, seq, key, retry key and base */
	const unsigned char *p = blob;
	size_t at = kind == RL_CHAIN_STATE ? 9 : kind == RL_CHAIN_ATTEMPT ? 49 : 17;
	if (n < at + 8 || (kind == RL_CHAIN_REKEY && p[0] < REKEY_VERSION))
		return false;
	rl_blob b = {(unsigned char *)p + at, 0, 8, true};
	*client = rl_blob_get(&b, 8);
	return true;
}
