/* report/retries.c - the retry section of the report model (SPEC §3, §6).
 *
 * The database holds what the ingest runs judged (retry_bucket, chain_minute, client
 * rows with evidence, lockstep candidates, rekeyed clients) and the state of the chains
 * still in progress. The report adds the first, then judges the second as if input
 * ended at the database's end of input (open chains stay open while their window
 * lasts), with the policy and window the database was built with: so `analyze` equals
 * `ingest` + `report`, and one run equals two. Nothing here writes to the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/retry/worker.h"
#include "lib/retry/chain.h"
#include "lib/base/defaults.h"
#include "lib/mem/intern.h"
#include "lib/retry/reorder.h"
#include "lib/report/report.h"
#include "lib/store/identity.h"
#include "lib/base/timestamp.h"
#include "lib/mem/u64map.h"

typedef struct candidate {
	unsigned round;
	int64_t start_us;
	uint64_t client;
} candidate;

typedef struct ctx {
	rl_report *r;
	rl_err *err;
	/* endpoint rows by (endpoint id, method id) */
	rl_u64map ep_index;
	/* clients: all rows of the database, plus those only the open chains name */
	rl_report_client *clients;
	size_t nclients, capclients;
	rl_u64map client_index;
	/* lockstep candidates */
	candidate *cand;
	size_t ncand, capcand;
	/* clients with a rekeyed attempt */
	rl_u64map rekeyed;
	/* report-time judging */
	rl_intern *endpoints, *methods;
} ctx;

static uint64_t ep_key(int64_t endpoint, int64_t method)
{
	return ((uint64_t)endpoint << 32 | (uint32_t)method) | (1ULL << 63);
}

static rl_report_endpoint *endpoint_row(ctx *c, int64_t endpoint, int64_t method)
{
	uint32_t i = rl_u64map_get(&c->ep_index, ep_key(endpoint, method));
	return i ? &c->r->endpoints[i - 1] : NULL;
}

static rl_report_client *client_row(ctx *c, uint64_t hash)
{
	uint32_t i = rl_u64map_get(&c->client_index, hash | 1);
	if (i)
		return &c->clients[i - 1];
	if (rl_array_grow((void **)&c->clients, &c->capclients, c->nclients, sizeof *c->clients) ||
	    rl_u64map_put(&c->client_index, hash | 1, (uint32_t)c->nclients + 1))
		return NULL;
	rl_report_client *cl = &c->clients[c->nclients++];
	memset(cl, 0, sizeof *cl);
	cl->hash = hash;
	return cl;
}

/* --- what the database holds ---------------------------------------------------------- */

static int load_retry_buckets(ctx *c, rl_store *st)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/retries.sql", &q, c->err);
	if (rc)
		return rc;
	__typeof__(c->r->retries) *t = &c->r->retries;
	while ((rc = rl_store_query_step(q, c->err)) == 1) {
		uint64_t v[RL_RC_N];
		for (int i = 0; i < RL_RC_N; i++)
			t->count[i] += v[i] = (uint64_t)rl_store_query_int(q, 2 + i);
		rl_report_endpoint *e = endpoint_row(c, rl_store_query_int(q, 0), rl_store_query_int(q, 1));
		if (e) {
			e->retries += v[RL_RC_RETRIES];
			e->blind_4xx += v[RL_RC_BLIND_4XX];
		}
	}
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	if ((rc = rl_store_query_open(st, "sql/report/chains.sql", &q, c->err)))
		return rc;
	if ((rc = rl_store_query_step(q, c->err)) == 1) {
		t->chains += (uint64_t)rl_store_query_int(q, 0);
		t->recovered += (uint64_t)rl_store_query_int(q, 1);
		t->gave_up += (uint64_t)rl_store_query_int(q, 2);
		t->rekeyed_attempts += (uint64_t)rl_store_query_int(q, 3);
	}
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

static char *dup_text(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static int load_clients(ctx *c, rl_store *st)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/clients.sql", &q, c->err);
	if (rc)
		return rc;
	while ((rc = rl_store_query_step(q, c->err)) == 1) {
		rl_report_client *cl = client_row(c, (uint64_t)rl_store_query_int(q, 0));
		if (!cl) {
			rc = rl_err_set(c->err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		cl->name = dup_text(rl_store_query_text(q, 1));
		for (int i = 0; i < RL_CL_N; i++)
			cl->v[i] = (uint64_t)rl_store_query_int(q, 2 + i);
		cl->ev_violations = (unsigned)rl_store_query_int(q, 2 + RL_CL_N);
		cl->ev_start = rl_store_query_int(q, 3 + RL_CL_N);
		cl->evidence = dup_text(rl_store_query_text(q, 4 + RL_CL_N));
	}
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	if ((rc = rl_store_query_open(st, "sql/report/lockstep.sql", &q, c->err)))
		return rc;
	while ((rc = rl_store_query_step(q, c->err)) == 1) {
		if (rl_array_grow((void **)&c->cand, &c->capcand, c->ncand, sizeof *c->cand)) {
			rc = rl_err_set(c->err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		c->cand[c->ncand++] = (candidate){(unsigned)rl_store_query_int(q, 0), rl_store_query_int(q, 1),
						  (uint64_t)rl_store_query_int(q, 2)};
	}
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	if ((rc = rl_store_query_open(st, "sql/report/rekeyed.sql", &q, c->err)))
		return rc;
	while ((rc = rl_store_query_step(q, c->err)) == 1)
		if (rl_u64map_put(&c->rekeyed, (uint64_t)rl_store_query_int(q, 0) | 1, 1)) {
			rc = rl_err_set(c->err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

/* --- the chains still open, judged now ------------------------------------------------- */

static int on_start(void *cv, int64_t start, uint64_t client)
{
	(void)start, (void)client;
	((ctx *)cv)->r->retries.chains++;
	return 0;
}

static int on_retry(void *cv, const rl_retry_event *ev)
{
	ctx *c = cv;
	__typeof__(c->r->retries) *t = &c->r->retries;
	rl_report_endpoint *e =
		endpoint_row(c, rl_intern_db_id(c->endpoints, ev->endpoint), rl_intern_db_id(c->methods, ev->method));
	if (e) {
		e->retries++;
		e->blind_4xx += ev->blind;
	}
	rl_report_client *cl = client_row(c, ev->client);
	if (!cl)
		return RL_ENOMEM;
	rl_retry_count(t->count, ev->blind, ev->unsafe, ev->verdict);
	rl_retry_count(&cl->v[RL_CL_RETRIES], ev->blind, ev->unsafe, ev->verdict);
	cl->v[RL_CL_VIOLATIONS] += rl_retry_violations(ev->blind, ev->unsafe, ev->verdict);
	return 0;
}

static int on_outcome(void *cv, rl_outcome o, int64_t end, uint64_t client)
{
	(void)end, (void)client;
	ctx *c = cv;
	if (o == RL_OUTCOME_RECOVERED)
		c->r->retries.recovered++;
	else if (o == RL_OUTCOME_GAVE_UP)
		c->r->retries.gave_up++;
	else
		c->r->retries.open++;
	return 0;
}

static int on_evidence(void *cv, const rl_evidence *ev)
{
	ctx *c = cv;
	rl_report_client *cl = client_row(c, ev->client);
	if (!cl)
		return RL_ENOMEM;
	if (cl->ev_violations > ev->violations ||
	    (cl->ev_violations == ev->violations && cl->evidence && cl->ev_start <= ev->first_start_us))
		return 0;
	char *json = rl_evidence_json(ev, rl_intern_str(c->methods, ev->method));
	if (!json)
		return RL_ENOMEM;
	free(cl->evidence);
	cl->evidence = json;
	cl->ev_violations = ev->violations;
	cl->ev_start = ev->first_start_us;
	return 0;
}

static int on_lockstep(void *cv, unsigned round, int64_t start, uint64_t client)
{
	ctx *c = cv;
	if (rl_array_grow((void **)&c->cand, &c->capcand, c->ncand, sizeof *c->cand))
		return RL_ENOMEM;
	c->cand[c->ncand++] = (candidate){round, start, client};
	return 0;
}

static int on_rekeyed(void *cv, int64_t start, uint64_t client)
{
	(void)start;
	ctx *c = cv;
	c->r->retries.rekeyed_attempts++;
	rl_report_client *cl = client_row(c, client);
	if (!cl || rl_u64map_put(&c->rekeyed, client | 1, 1))
		return RL_ENOMEM;
	cl->v[RL_CL_REKEYED]++;
	return 0;
}

static int64_t saved_tol(void *cv, uint16_t source, bool has_duration)
{
	(void)cv, (void)source, (void)has_duration;
	return RL_US_PER_S; /* saved attempts carry their own resolution */
}

static const char *name_of(void *cv, int kind, uint32_t id)
{
	ctx *c = cv;
	return rl_intern_str(kind ? c->methods : c->endpoints, id);
}

static uint32_t id_of(void *cv, int kind, const char *name)
{
	ctx *c = cv;
	return rl_intern_id(kind ? c->methods : c->endpoints, name, strlen(name));
}

static int judge_cb(void *cv, const rl_attempt *a)
{
	return rl_chain_judge(cv, a);
}

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

static int judge_open(ctx *c, rl_store *st)
{
	rl_store_identity id;
	int64_t skew, lag, end;
	int rc = stored_identity(st, &id, &skew, &lag, &end, c->err);
	if (rc <= 0)
		return rc;
	snprintf(c->r->retries.policy, sizeof c->r->retries.policy, "%s", id.policy.name);
	c->endpoints = rl_intern_new(100000, 4096, "{other}");
	c->methods = rl_intern_new(100000, 64, "{other}");
	rl_strpool *targets = rl_strpool_new();
	/* the lag of the run that saved the attempts: none is released before the drain */
	rl_reorder *r = rl_reorder_new(lag);
	rl_chain *chain = NULL;
	if (!c->endpoints || !c->methods || !targets || !r) {
		rc = rl_err_set(c->err, RL_ENOMEM, NULL, 0, "out of memory");
		goto done;
	}
	if ((rc = rl_store_names(st, RL_NAME_ENDPOINT, rl_intern_preload, c->endpoints, c->err)) ||
	    (rc = rl_store_names(st, RL_NAME_METHOD, rl_intern_preload, c->methods, c->err)))
		goto done;
	rl_chain_opts co = {&id.policy, id.retry_window_us, lag, skew, saved_tol, c, {c, name_of, id_of}};
	rl_chain_sink sink = {c, on_start, on_retry, on_outcome, on_evidence, on_lockstep, on_rekeyed};
	if ((rc = rl_chain_new(&chain, &co, &sink, targets, c->err)) ||
	    (rc = rl_worker_load_state(st, chain, r, c->err)))
		goto done;
	/* as if input ended here: every waiting attempt is judged, every chain closes */
	if ((rc = rl_reorder_drain(r, judge_cb, chain)) || (rc = rl_chain_finish(chain, end))) {
		if (!c->err->code)
			rl_err_set(c->err, rc, rl_store_path(st), 0, "cannot judge the saved retry state");
		goto done;
	}
done:
	rl_chain_free(chain);
	rl_reorder_free(r);
	rl_strpool_free(targets);
	return rc;
}

/* --- findings over everything ---------------------------------------------------------- */

static int cmp_cand(const void *x, const void *y)
{
	const candidate *a = x, *b = y;
	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	return a->client < b->client ? -1 : a->client > b->client;
}

static int cmp_burst(const void *x, const void *y)
{
	const rl_report_burst *a = x, *b = y;
	if (a->clients != b->clients)
		return a->clients > b->clients ? -1 : 1;
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	return a->round < b->round ? -1 : a->round > b->round;
}

/* Distinct clients among cand[lo, hi): counted with a scratch map. */
static uint64_t distinct(const candidate *cand, size_t lo, size_t hi, rl_u64map *seen)
{
	rl_u64map_clear(seen);
	uint64_t n = 0;
	for (size_t i = lo; i < hi; i++)
		if (!rl_u64map_get(seen, cand[i].client | 1)) {
			rl_u64map_put(seen, cand[i].client | 1, 1);
			n++;
		}
	return n;
}

/* SPEC §3 lockstep: a candidate is in lockstep when candidates of its round from ≥ 3
 * distinct clients start within ±5 ms of it; bursts join a round's lockstep retries
 * with gaps ≤ 5 ms. */
static int lockstep(ctx *c)
{
	rl_report *r = c->r;
	if (!c->ncand)
		return 0;
	qsort(c->cand, c->ncand, sizeof *c->cand, cmp_cand);
	bool *in = calloc(c->ncand, sizeof *in);
	rl_u64map seen = {0}, clients = {0};
	rl_report_burst *bursts = NULL;
	size_t nb = 0, capb = 0;
	if (!in)
		return RL_ENOMEM;
	size_t lo = 0, hi = 0;
	for (size_t i = 0; i < c->ncand; i++) {
		const candidate *x = &c->cand[i];
		while (c->cand[lo].round != x->round || c->cand[lo].start_us < x->start_us - RL_JITTER_US)
			lo++;
		if (hi < i)
			hi = i;
		while (hi < c->ncand && c->cand[hi].round == x->round &&
		       c->cand[hi].start_us <= x->start_us + RL_JITTER_US)
			hi++;
		in[i] = hi - lo >= 3 && distinct(c->cand, lo, hi, &seen) >= 3;
	}
	int rc = 0;
	for (size_t i = 0; i < c->ncand && !rc;) {
		if (!in[i]) {
			i++;
			continue;
		}
		/* a burst: this round's lockstep retries joined by gaps ≤ 5 ms */
		size_t j = i + 1, last = i;
		rl_u64map_clear(&seen);
		uint64_t nclients = 0;
		for (size_t k = i;; k = j++) {
			if (in[k]) {
				r->retries.lockstep_retries++;
				if (!rl_u64map_get(&clients, c->cand[k].client | 1)) {
					rl_u64map_put(&clients, c->cand[k].client | 1, 1);
					r->retries.lockstep_clients++;
				}
				if (!rl_u64map_get(&seen, c->cand[k].client | 1)) {
					rl_u64map_put(&seen, c->cand[k].client | 1, 1);
					nclients++;
				}
				last = k;
			}
			if (j >= c->ncand || c->cand[j].round != c->cand[i].round ||
			    c->cand[j].start_us - c->cand[last].start_us > RL_JITTER_US)
				break;
		}
		if (rl_array_grow((void **)&bursts, &capb, nb, sizeof *bursts))
			rc = RL_ENOMEM;
		else
			bursts[nb++] = (rl_report_burst){c->cand[i].start_us, c->cand[i].round, nclients};
		i = j;
	}
	if (nb) {
		qsort(bursts, nb, sizeof *bursts, cmp_burst);
		r->retries.nbursts = nb < RL_REPORT_BURSTS ? nb : RL_REPORT_BURSTS;
		memcpy(r->retries.bursts, bursts, r->retries.nbursts * sizeof *bursts);
	}
	free(bursts);
	free(in);
	rl_u64map_free(&seen);
	rl_u64map_free(&clients);
	return rc;
}

static int cmp_client(const void *x, const void *y)
{
	const rl_report_client *a = x, *b = y;
	if (a->v[RL_CL_VIOLATIONS] != b->v[RL_CL_VIOLATIONS])
		return a->v[RL_CL_VIOLATIONS] > b->v[RL_CL_VIOLATIONS] ? -1 : 1;
	if (a->v[RL_CL_ATTEMPTS] != b->v[RL_CL_ATTEMPTS])
		return a->v[RL_CL_ATTEMPTS] > b->v[RL_CL_ATTEMPTS] ? -1 : 1;
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

static void finish(ctx *c, size_t top)
{
	rl_report *r = c->r;
	__typeof__(r->retries) *t = &r->retries;
	t->rekeyed_clients = c->rekeyed.count;
	t->amplification = (rl_rate){t->chains != 0, t->chains ? (double)r->totals.attempts / (double)t->chains : 0};
	t->blind_4xx_retry_rate =
		(rl_rate){r->totals.attempts != 0,
			  r->totals.attempts ? (double)t->count[RL_RC_BLIND_4XX] / (double)r->totals.attempts : 0};
	uint64_t checked = t->count[RL_RC_CHECKED];
	t->compliance_rate = (rl_rate){checked != 0, checked ? (double)t->count[RL_RC_COMPLIANT] / (double)checked : 0};
	/* clients a pruned row left without a name are named by their hash */
	for (size_t i = 0; i < c->nclients; i++)
		if (!c->clients[i].name) {
			char buf[32];
			snprintf(buf, sizeof buf, "client %016llx", (unsigned long long)c->clients[i].hash);
			c->clients[i].name = strdup(buf);
		}
	if (c->nclients)
		qsort(c->clients, c->nclients, sizeof *c->clients, cmp_client);
	size_t keep = top && c->nclients > top ? top : c->nclients;
	for (size_t i = keep; i < c->nclients; i++) {
		free(c->clients[i].name);
		free(c->clients[i].evidence);
	}
	r->clients = c->clients;
	r->nclients = keep;
	c->clients = NULL;
}

int rl_report_load_retries(rl_report *r, rl_store *st, size_t top, rl_err *err)
{
	ctx c = {0};
	c.r = r;
	c.err = err;
	int rc = 0;
	for (size_t i = 0; i < r->nendpoints && !rc; i++)
		if (rl_u64map_put(&c.ep_index, ep_key(r->endpoints[i].endpoint_id, r->endpoints[i].method_id),
				  (uint32_t)i + 1))
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	char capped[8] = "";
	if (!rc && rl_store_meta_get(st, "clients_capped", capped, sizeof capped, err) < 0)
		rc = RL_EDB;
	r->clients_capped = capped[0] == '1';
	if (!rc)
		rc = load_retry_buckets(&c, st);
	if (!rc)
		rc = load_clients(&c, st);
	if (!rc)
		rc = judge_open(&c, st);
	if (!rc)
		rc = lockstep(&c);
	if (rc == RL_ENOMEM && !err->code)
		rl_err_set(err, rc, NULL, 0, "out of memory");
	if (!rc)
		finish(&c, top);
	for (size_t i = 0; c.clients && i < c.nclients; i++) {
		free(c.clients[i].name);
		free(c.clients[i].evidence);
	}
	free(c.clients);
	free(c.cand);
	rl_u64map_free(&c.ep_index);
	rl_u64map_free(&c.client_index);
	rl_u64map_free(&c.rekeyed);
	rl_intern_free(c.endpoints);
	rl_intern_free(c.methods);
	return rc;
}
