/* report/retries.c - the retry section of the report model (SPEC §3, §6).
 *
 * The database holds what the ingest runs judged (retry_bucket, chain_minute, client
 * rows with evidence, lockstep candidates, rekeyed clients) and the state of the chains
 * still in progress. The report only sums: the first, row by row, then what the retry
 * engine finds when it judges the second as if input ended at the database's end of
 * input (lib/retry/finish.h: open chains stay open while their window lasts), counted
 * into the same tables as ingest's, row by row the same way: so `analyze` equals
 * `ingest` + `report`, and one run equals two. Nothing here writes to the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/mem/u64map.h"
#include "lib/report/report.h"
#include "lib/retry/finish.h"
#include "lib/retry/lockstep.h"

typedef rl_writer_candidate candidate;

typedef struct ctx {
	rl_report *r;
	rl_err *err;
	const char *db; /* named in errors */
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
	/* the saved state, judged now */
	rl_retry_finish fin;
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

/* --- sums: each row the same way, from the database or from the finish ------------------ */

static void add_retry_row(ctx *c, int64_t endpoint, int64_t method, const uint64_t *v)
{
	__typeof__(c->r->retries) *t = &c->r->retries;
	for (int i = 0; i < RL_RC_N; i++)
		t->count[i] += v[i];
	rl_report_endpoint *e = endpoint_row(c, endpoint, method);
	if (e) {
		e->retries += v[RL_RC_RETRIES];
		e->blind_4xx += v[RL_RC_BLIND_4XX];
	}
}

static void add_minute_row(ctx *c, const uint64_t *v)
{
	__typeof__(c->r->retries) *t = &c->r->retries;
	t->chains += v[RL_AGG_CHAINS];
	t->recovered += v[RL_AGG_RECOVERED];
	t->gave_up += v[RL_AGG_GAVE_UP];
	/* a database that an older retrylens wrote holds 0 here for its rows (the column came
	 * with sql/migrate/0009): their single failed attempts count as retried ones */
	t->gave_up_single += v[RL_AGG_UNRETRIED];
	t->rekeyed_attempts += v[RL_AGG_REKEYED];
}

static char *dup_text(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* Adds a client row; its evidence (a blob, lib/retry/evidence.h) replaces the client's
 * when it beats it (rl_evidence_beats, the store's rule). RL_EDB when the blob is damaged. */
static int add_client_row(ctx *c, uint64_t hash, const char *name, const uint64_t *v, unsigned ev_violations,
			  int64_t ev_start, const void *evidence, size_t evidence_len)
{
	rl_report_client *cl = client_row(c, hash);
	if (!cl)
		return RL_ENOMEM;
	if (!cl->name)
		cl->name = dup_text(name);
	for (int i = 0; i < RL_CL_N; i++)
		cl->v[i] += v[i];
	if (evidence && evidence_len &&
	    rl_evidence_beats(ev_violations, ev_start, cl->ev_violations, cl->evidence, cl->ev_start)) {
		bool damaged;
		rl_evidence_doc *e = rl_evidence_decode(evidence, evidence_len, &damaged);
		if (!e)
			return damaged ? rl_err_set(c->err, RL_EDB, c->db, 0,
						    "the evidence of client %016llx is damaged (client.evidence)",
						    (unsigned long long)hash)
				       : RL_ENOMEM;
		free(cl->evidence);
		cl->evidence = e;
		cl->ev_violations = ev_violations;
		cl->ev_start = ev_start;
	}
	return 0;
}

/* Whether a minute is in the report's window. */
static bool in_window(const ctx *c, int64_t minute)
{
	int64_t lo, hi;
	rl_report_minutes(c->r, &lo, &hi);
	return minute >= lo && minute < hi;
}

/* Retries into the timeline, at their start minute. */
static void add_timeline(ctx *c, int64_t minute, uint64_t retries, uint64_t blind)
{
	rl_report_bucket *b = rl_report_bucket_of(c->r, minute);
	if (b) {
		b->retries += retries;
		b->blind_4xx += blind;
	}
}

static int add_candidate(ctx *c, unsigned round, int64_t start, uint64_t client)
{
	if (rl_array_grow((void **)&c->cand, &c->capcand, c->ncand, sizeof *c->cand))
		return RL_ENOMEM;
	c->cand[c->ncand++] = (candidate){round, start, client};
	return 0;
}

/* --- what the database holds ---------------------------------------------------------- */

/* Opens the query over all time, or its _window twin with the window's ?1 and ?2. */
static int open_query(ctx *c, rl_store *st, const char *all, const char *window, rl_store_query **q)
{
	int rc = rl_store_query_open(st, c->r->windowed ? window : all, q, c->err);
	if (rc || !c->r->windowed)
		return rc;
	int64_t lo, hi;
	rl_report_minutes(c->r, &lo, &hi);
	rl_store_query_bind_int(*q, 1, lo);
	rl_store_query_bind_int(*q, 2, hi);
	return 0;
}

static int load_retry_buckets(ctx *c, rl_store *st)
{
	rl_store_query *q;
	int rc = open_query(c, st, "sql/report/retries.sql", "sql/report/retries_window.sql", &q);
	if (rc)
		return rc;
	while ((rc = rl_store_query_step(q, c->err)) == 1) {
		uint64_t v[RL_RC_N];
		for (int i = 0; i < RL_RC_N; i++)
			v[i] = (uint64_t)rl_store_query_int(q, 2 + i);
		add_retry_row(c, rl_store_query_int(q, 0), rl_store_query_int(q, 1), v);
	}
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	if ((rc = open_query(c, st, "sql/report/chains.sql", "sql/report/chains_window.sql", &q)))
		return rc;
	if ((rc = rl_store_query_step(q, c->err)) == 1) {
		uint64_t v[RL_AGG_NMINUTE];
		for (int i = 0; i < RL_AGG_NMINUTE; i++)
			v[i] = (uint64_t)rl_store_query_int(q, i);
		add_minute_row(c, v);
	}
	rl_store_query_close(q);
	if (rc < 0 || !c->r->ntimeline)
		return rc < 0 ? rc : 0;
	/* the timeline's retries, per minute of their start */
	if ((rc = rl_store_query_open(st, "sql/report/timeline_retries.sql", &q, c->err)))
		return rc;
	int64_t lo, hi;
	rl_report_minutes(c->r, &lo, &hi);
	rl_store_query_bind_int(q, 1, lo);
	rl_store_query_bind_int(q, 2, hi);
	while ((rc = rl_store_query_step(q, c->err)) == 1)
		add_timeline(c, rl_store_query_int(q, 0), (uint64_t)rl_store_query_int(q, 1),
			     (uint64_t)rl_store_query_int(q, 2));
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

static int load_clients(ctx *c, rl_store *st)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/clients.sql", &q, c->err);
	if (rc)
		return rc;
	while ((rc = rl_store_query_step(q, c->err)) == 1) {
		uint64_t v[RL_CL_N];
		for (int i = 0; i < RL_CL_N; i++)
			v[i] = (uint64_t)rl_store_query_int(q, 2 + i);
		size_t evidence_len;
		const void *evidence = rl_store_query_blob(q, 4 + RL_CL_N, &evidence_len);
		int e = add_client_row(c, (uint64_t)rl_store_query_int(q, 0), rl_store_query_text(q, 1), v,
				       (unsigned)rl_store_query_int(q, 2 + RL_CL_N), rl_store_query_int(q, 3 + RL_CL_N),
				       evidence, evidence_len);
		if (e) {
			rc = e == RL_ENOMEM ? rl_err_set(c->err, RL_ENOMEM, NULL, 0, "out of memory") : e;
			break;
		}
	}
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	if ((rc = rl_store_query_open(st, c->r->windowed ? "sql/report/lockstep_window.sql" : "sql/report/lockstep.sql",
				      &q, c->err)))
		return rc;
	if (c->r->windowed) { /* candidates by their start, in µs */
		rl_store_query_bind_int(q, 1, c->r->since_us);
		rl_store_query_bind_int(q, 2, c->r->until_us);
	}
	while ((rc = rl_store_query_step(q, c->err)) == 1) {
		if (add_candidate(c, (unsigned)rl_store_query_int(q, 0), rl_store_query_int(q, 1),
				  (uint64_t)rl_store_query_int(q, 2))) {
			rc = rl_err_set(c->err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
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

/* --- the chains still open, judged by the retry engine (lib/retry/finish.h) ------------ */

static int sum_retries(void *cv, const rl_agg_retry *rows, size_t n)
{
	ctx *c = cv;
	for (size_t i = 0; i < n; i++) {
		if (!in_window(c, rows[i].minute))
			continue;
		add_retry_row(c, rl_intern_db_id(c->fin.endpoints, rows[i].endpoint),
			      rl_intern_db_id(c->fin.methods, rows[i].method), rows[i].v);
		add_timeline(c, rows[i].minute, rows[i].v[RL_RC_RETRIES], rows[i].v[RL_RC_BLIND_4XX]);
	}
	return 0;
}

static int sum_minutes(void *cv, const rl_agg_minute *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (in_window(cv, rows[i].minute))
			add_minute_row(cv, rows[i].v);
	return 0;
}

static int judge_open(ctx *c, rl_store *st)
{
	rl_retry_finish *f = &c->fin;
	int rc = rl_retry_finish_run(f, st, c->err);
	if (rc || !f->judged)
		return rc;
	snprintf(c->r->retries.policy, sizeof c->r->retries.policy, "%s", f->policy);
	c->r->retries.require_jitter = f->require_jitter;
	for (uint64_t i = 0; i < f->tally.open; i++) { /* an outcome counts at its last end */
		bool in = in_window(c, f->tally.opens[i].minute);
		c->r->retries.open += in;
		c->r->retries.open_single += in && f->tally.opens[i].single;
	}
	rl_agg_sink sink = {c, NULL, NULL, sum_retries, sum_minutes};
	if ((rc = rl_agg_drain(f->work.agg, &sink)))
		return rc;
	for (size_t i = 0, n = rl_clients_count(f->work.clients); i < n; i++) {
		const rl_client_row *w = rl_clients_row(f->work.clients, i);
		if ((rc = add_client_row(c, w->hash, w->name, w->v, w->ev_violations, w->ev_start, w->evidence,
					 w->evidence_len)))
			return rc;
	}
	for (size_t i = 0; i < f->work.ncand; i++)
		if (f->work.cand[i].start_us >= c->r->since_us && f->work.cand[i].start_us < c->r->until_us &&
		    (rc = add_candidate(c, f->work.cand[i].round, f->work.cand[i].start_us, f->work.cand[i].client)))
			return rc;
	for (size_t i = 0; i < f->work.nrekeyed; i++)
		if (rl_u64map_put(&c->rekeyed, f->work.rekeyed[i] | 1, 1))
			return RL_ENOMEM;
	return 0;
}

/* --- findings over everything ---------------------------------------------------------- */

/* SPEC §3 lockstep over every candidate, the database's and the finish's. */
static int lockstep(ctx *c)
{
	rl_lockstep l;
	int rc = rl_lockstep_find(c->cand, c->ncand, &l);
	if (rc)
		return rc;
	c->r->retries.lockstep_retries += l.retries;
	c->r->retries.lockstep_clients += l.clients;
	c->r->retries.nbursts = l.nbursts;
	memcpy(c->r->retries.bursts, l.bursts, l.nbursts * sizeof *l.bursts);
	return 0;
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
	for (size_t i = 0; i < r->nsources; i++)
		t->ms_times |= r->sources[i].time_res_us > 0 && r->sources[i].time_res_us <= 1000;
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
	c.db = rl_store_path(st);
	int rc = 0;
	for (size_t i = 0; i < r->nendpoints && !rc; i++)
		if (rl_u64map_put(&c.ep_index, ep_key(r->endpoints[i].endpoint_id, r->endpoints[i].method_id),
				  (uint32_t)i + 1))
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	char capped[8] = "";
	if (!rc && rl_store_meta_get(st, "clients_capped", capped, sizeof capped, err) < 0)
		rc = RL_EDB;
	r->clients_capped = capped[0] == '1';
	r->retries.require_jitter = r->policy->require_jitter; /* the database's, once judged */
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
	rl_retry_finish_free(&c.fin);
	return rc;
}
