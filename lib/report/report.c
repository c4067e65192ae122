/* report/report.c - building the report model from the store's report queries. */
#include "lib/report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/base/array.h"
#include "lib/aggregate/histogram.h"
#include "lib/base/text.h"
#include "lib/base/timestamp.h"
#include "lib/store/identity.h"

static char *dup(const char *s)
{
	return strdup(s ? s : "");
}

static rl_rate rate(uint64_t num, uint64_t den)
{
	rl_rate r = {den != 0, den ? (double)num / (double)den : 0};
	return r;
}

/* --- the window ------------------------------------------------------------------------ */

void rl_report_minutes(const rl_report *r, int64_t *lo, int64_t *hi)
{
	*lo = r->windowed && r->since_us != INT64_MIN ? rl_minute_of(r->since_us) : INT64_MIN / 2;
	*hi = r->windowed && r->until_us != INT64_MAX ? rl_minute_of(r->until_us) : INT64_MAX / 2;
}

/* Opens the query over all time (all) or, in a window, its _window twin with the
 * window's minutes bound to ?1 and ?2. */
static int open_query(const rl_report *r, rl_store *st, const char *all, const char *window, rl_store_query **q,
		      rl_err *err)
{
	int rc = rl_store_query_open(st, r->windowed ? window : all, q, err);
	if (rc || !r->windowed)
		return rc;
	int64_t lo, hi;
	rl_report_minutes(r, &lo, &hi);
	rl_store_query_bind_int(*q, 1, lo);
	rl_store_query_bind_int(*q, 2, hi);
	return 0;
}

/* --- one scan of the bucket table ------------------------------------------- */

typedef struct ep_acc {
	int64_t endpoint, method; /* database ids */
	uint64_t attempts, errors;
} ep_acc;

/* Open addressing on (endpoint, method) → index into an ep_acc array. */
typedef struct ep_map {
	ep_acc *rows;
	size_t n, cap;
	uint32_t *slots; /* index + 1; 0 empty */
	size_t nslots;
} ep_map;

static uint64_t ep_hash(int64_t e, int64_t m)
{
	return rl_hash_u64((uint64_t)e * 0x9e3779b97f4a7c15ULL ^ (uint64_t)m);
}

static ep_acc *ep_get(ep_map *m, int64_t e, int64_t me)
{
	if (m->n + 1 > m->nslots / 2) {
		size_t ns = m->nslots ? m->nslots * 2 : 256;
		uint32_t *sl = calloc(ns, sizeof *sl);
		if (!sl)
			return NULL;
		for (size_t i = 0; i < m->n; i++) {
			size_t j = ep_hash(m->rows[i].endpoint, m->rows[i].method) & (ns - 1);
			while (sl[j])
				j = (j + 1) & (ns - 1);
			sl[j] = (uint32_t)i + 1;
		}
		free(m->slots);
		m->slots = sl;
		m->nslots = ns;
	}
	size_t j = ep_hash(e, me) & (m->nslots - 1);
	for (; m->slots[j]; j = (j + 1) & (m->nslots - 1)) {
		ep_acc *a = &m->rows[m->slots[j] - 1];
		if (a->endpoint == e && a->method == me)
			return a;
	}
	if (rl_array_grow((void **)&m->rows, &m->cap, m->n, sizeof *m->rows))
		return NULL;
	ep_acc *a = &m->rows[m->n];
	memset(a, 0, sizeof *a);
	a->endpoint = e;
	a->method = me;
	m->slots[j] = (uint32_t)++m->n;
	return a;
}

static void ep_map_free(ep_map *m)
{
	free(m->rows);
	free(m->slots);
}

static int cmp_ep_busiest(const void *x, const void *y)
{
	const rl_report_endpoint *a = x, *b = y;
	if (a->attempts != b->attempts)
		return a->attempts > b->attempts ? -1 : 1;
	int c = strcmp(a->endpoint, b->endpoint);
	return c ? c : strcmp(a->method, b->method);
}

/* Names of endpoint and method ids, indexed by id. */
typedef struct names {
	char **v[2];
	size_t n[2];
} names;

static int load_names(names *nm, rl_store *st, rl_err *err)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/names.sql", &q, err);
	if (rc)
		return rc;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		int kind = rl_store_query_int(q, 0) ? 1 : 0;
		int64_t id = rl_store_query_int(q, 1);
		if (id < 0 || id > 1000000)
			continue;
		if ((size_t)id >= nm->n[kind]) {
			size_t nn = (size_t)id + 64;
			char **p = realloc(nm->v[kind], nn * sizeof *p);
			if (!p) {
				rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
				break;
			}
			memset(p + nm->n[kind], 0, (nn - nm->n[kind]) * sizeof *p);
			nm->v[kind] = p;
			nm->n[kind] = nn;
		}
		free(nm->v[kind][id]);
		nm->v[kind][id] = dup(rl_store_query_text(q, 2));
	}
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

static const char *name_of(const names *nm, int kind, int64_t id)
{
	return id >= 0 && (size_t)id < nm->n[kind] && nm->v[kind][id] ? nm->v[kind][id] : "?";
}

static void names_free(names *nm)
{
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < nm->n[k]; i++)
			free(nm->v[k][i]);
		free(nm->v[k]);
	}
}

/* Sums per status into the totals and per endpoint × method into *m. */
static int scan_buckets(rl_report *r, rl_store *st, ep_map *m, rl_err *err)
{
	uint64_t by_status[1001] = {0}; /* status + 1 */
	rl_store_query *q;
	int rc = open_query(r, st, "sql/report/totals.sql", "sql/report/totals_window.sql", &q, err);
	if (rc)
		return rc;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		int64_t status = rl_store_query_int(q, 2);
		uint64_t attempts = (uint64_t)rl_store_query_int(q, 3); /* summed over codes */
		if (status < -1 || status > 999)
			continue;
		by_status[status + 1] += attempts;
		ep_acc *a = ep_get(m, rl_store_query_int(q, 0), rl_store_query_int(q, 1));
		if (!a) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		a->attempts += attempts;
		if (status >= 0 && rl_status_is_failure((int)status))
			a->errors += attempts;
	}
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	size_t cap = 0;
	for (int i = 0; i <= 1000; i++) {
		if (!by_status[i])
			continue;
		if (rl_array_grow((void **)&r->status, &cap, r->nstatus, sizeof *r->status))
			return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		rl_report_status *s = &r->status[r->nstatus++];
		s->status = i - 1;
		s->count = by_status[i];
		s->failure = s->status >= 0 && rl_status_is_failure(s->status);
		s->retryable = s->failure && rl_policy_retryable(r->policy, s->status);
		r->totals.attempts += s->count;
		if (s->status < 0)
			r->totals.unknown_status += s->count;
		else if (!s->failure)
			r->totals.success += s->count;
		else if (s->retryable)
			r->totals.retryable_errors += s->count;
		else
			r->totals.non_retryable_errors += s->count;
	}
	r->totals.errors = r->totals.retryable_errors + r->totals.non_retryable_errors;
	r->totals.retryable_rate = rate(r->totals.retryable_errors, r->totals.attempts);
	r->totals.non_retryable_rate = rate(r->totals.non_retryable_errors, r->totals.attempts);
	r->totals.retryable_share_of_errors = rate(r->totals.retryable_errors, r->totals.errors);
	return 0;
}

/* Percentiles for the endpoints shown: one pass over the grouped latency rows. */
static int load_latency(rl_report *r, rl_store *st, rl_err *err)
{
	rl_store_query *q;
	int rc = open_query(r, st, "sql/report/latency.sql", "sql/report/latency_window.sql", &q, err);
	if (rc)
		return rc;
	rl_hist_bin *bins = NULL;
	size_t nbins = 0, cap = 0;
	int64_t cur_e = -1, cur_m = -1;
	for (;;) {
		rc = rl_store_query_step(q, err);
		int64_t e = rc == 1 ? rl_store_query_int(q, 0) : -2, m = rc == 1 ? rl_store_query_int(q, 1) : -2;
		if (rc < 0)
			break;
		if ((e != cur_e || m != cur_m) && nbins) {
			for (size_t i = 0; i < r->nendpoints; i++) {
				if (r->endpoints[i].endpoint_id != cur_e || r->endpoints[i].method_id != cur_m)
					continue;
				r->endpoints[i].p50_us = rl_hist_percentile(bins, nbins, 50);
				r->endpoints[i].p95_us = rl_hist_percentile(bins, nbins, 95);
				r->endpoints[i].p99_us = rl_hist_percentile(bins, nbins, 99);
			}
			nbins = 0;
		}
		if (rc == 0)
			break;
		cur_e = e;
		cur_m = m;
		if (rl_array_grow((void **)&bins, &cap, nbins, sizeof *bins)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		bins[nbins].index = (uint32_t)rl_store_query_int(q, 2);
		bins[nbins].count = (uint64_t)rl_store_query_int(q, 3);
		nbins++;
	}
	free(bins);
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

/* --- the timeline ------------------------------------------------------------------ */

static int64_t by_minutes(rl_report_by by)
{
	return by == RL_BY_DAY ? 1440 : by == RL_BY_HOUR ? 60 : 1;
}

rl_report_bucket *rl_report_bucket_of(rl_report *r, int64_t minute)
{
	if (!r->ntimeline)
		return NULL;
	int64_t w = by_minutes(r->by), first = rl_minute_of(r->timeline[0].start_us);
	int64_t i = (rl_floor_div(minute, w) * w - first) / w;
	return i >= 0 && (uint64_t)i < r->ntimeline ? &r->timeline[i] : NULL;
}

typedef struct minute_row {
	int64_t minute;
	int status;
	uint64_t attempts;
} minute_row;

/* Attempts, errors and retryable errors per bucket from their start minutes (classified
 * with the report's policy, like the totals); retries are added by retries.c. The
 * buckets run dense from the first minute with attempts to the last. */
static int load_timeline(rl_report *r, rl_store *st, rl_report_by by, rl_err *err)
{
	int64_t lo, hi;
	rl_report_minutes(r, &lo, &hi);
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/timeline_attempts.sql", &q, err);
	if (rc)
		return rc;
	rl_store_query_bind_int(q, 1, lo);
	rl_store_query_bind_int(q, 2, hi);
	minute_row *rows = NULL;
	size_t n = 0, cap = 0;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		if (rl_array_grow((void **)&rows, &cap, n, sizeof *rows)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		rows[n++] = (minute_row){rl_store_query_int(q, 0), (int)rl_store_query_int(q, 1),
					 (uint64_t)rl_store_query_int(q, 2)};
	}
	rl_store_query_close(q);
	if (rc < 0 || !n) {
		free(rows);
		r->by = by == RL_BY_AUTO ? RL_BY_MINUTE : by;
		return rc < 0 ? rc : 0;
	}
	int64_t first = rows[0].minute, last = rows[n - 1].minute; /* in minute order */
	if (by == RL_BY_AUTO) {
		int64_t span = (hi != INT64_MAX / 2 ? hi : last + 1) - (lo != INT64_MIN / 2 ? lo : first);
		by = span <= 6 * 60 ? RL_BY_MINUTE : span <= 14 * 1440 ? RL_BY_HOUR : RL_BY_DAY;
	}
	r->by = by;
	int64_t w = by_minutes(by), b0 = rl_floor_div(first, w) * w, b1 = rl_floor_div(last, w) * w;
	if ((b1 - b0) / w >= RL_TIMELINE_MAX) {
		free(rows);
		return rl_err_set(
			err, RL_EUSAGE, "--by", 0,
			"the traffic spans %lld %ss: more than %d buckets; give --by hour or day, or a window "
			"(--since/--until)",
			(long long)((b1 - b0) / w + 1),
			by == RL_BY_DAY	   ? "day"
			: by == RL_BY_HOUR ? "hour"
					   : "minute",
			RL_TIMELINE_MAX);
	}
	size_t nb = (size_t)((b1 - b0) / w + 1);
	r->timeline = calloc(nb, sizeof *r->timeline);
	if (!r->timeline) {
		free(rows);
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	}
	r->ntimeline = nb;
	for (size_t i = 0; i < nb; i++)
		r->timeline[i].start_us = (b0 + (int64_t)i * w) * RL_US_PER_MIN;
	for (size_t i = 0; i < n; i++) {
		rl_report_bucket *b = rl_report_bucket_of(r, rows[i].minute);
		int st_ = rows[i].status;
		b->attempts += rows[i].attempts;
		if (st_ >= 0 && rl_status_is_failure(st_)) {
			b->errors += rows[i].attempts;
			if (rl_policy_retryable(r->policy, st_))
				b->retryable_errors += rows[i].attempts;
		}
	}
	free(rows);
	return 0;
}

static int load_traffic(rl_report *r, rl_store *st, size_t top, rl_err *err)
{
	ep_map m = {0};
	names nm = {0};
	int rc;
	if ((rc = load_names(&nm, st, err)) || (rc = scan_buckets(r, st, &m, err)))
		goto done;
	r->endpoints = calloc(m.n ? m.n : 1, sizeof *r->endpoints);
	if (!r->endpoints) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < m.n; i++) {
		rl_report_endpoint *e = &r->endpoints[r->nendpoints++];
		e->endpoint = dup(name_of(&nm, 0, m.rows[i].endpoint));
		e->method = dup(name_of(&nm, 1, m.rows[i].method));
		e->attempts = m.rows[i].attempts;
		e->errors = m.rows[i].errors;
		e->endpoint_id = m.rows[i].endpoint;
		e->method_id = m.rows[i].method;
		e->p50_us = e->p95_us = e->p99_us = -1;
	}
	qsort(r->endpoints, r->nendpoints, sizeof *r->endpoints, cmp_ep_busiest);
	if (top && r->nendpoints > top) {
		for (size_t i = top; i < r->nendpoints; i++) {
			free(r->endpoints[i].endpoint);
			free(r->endpoints[i].method);
		}
		r->nendpoints = top;
	}
	for (size_t i = 1; i < nm.n[0]; i++)
		r->endpoints_capped |= nm.v[0][i] && strcmp(nm.v[0][i], "{other}") == 0;
	rc = load_latency(r, st, err);
done:
	ep_map_free(&m);
	names_free(&nm);
	return rc;
}

static int load_sources(rl_report *r, rl_store *st, rl_err *err)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/sources.sql", &q, err);
	if (rc)
		return rc;
	size_t cap = 0;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		if (rl_array_grow((void **)&r->sources, &cap, r->nsources, sizeof *r->sources)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		rl_report_source *s = &r->sources[r->nsources++];
		s->name = dup(rl_store_query_text(q, 0));
		s->format = rl_store_query_null(q, 1) ? NULL : dup(rl_store_query_text(q, 1));
		s->lines = (uint64_t)rl_store_query_int(q, 2);
		s->rejected = (uint64_t)rl_store_query_int(q, 3);
		s->late = (uint64_t)rl_store_query_int(q, 4);
		s->time_res_us = rl_store_query_null(q, 7) ? 0 : rl_store_query_int(q, 7);
		s->skipped = (uint64_t)rl_store_query_int(q, 8);
		if (!s->name) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
	}
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	if ((rc = rl_store_query_open(st, "sql/report/window.sql", &q, err)))
		return rc;
	if ((rc = rl_store_query_step(q, err)) == 1) {
		r->has_window = !rl_store_query_null(q, 0);
		r->from_us = rl_store_query_int(q, 0);
		r->to_us = rl_store_query_int(q, 1);
		r->rejected = (uint64_t)rl_store_query_int(q, 2);
	}
	/* a window given is the report's window */
	if (r->windowed && r->since_us != INT64_MIN)
		r->from_us = r->since_us;
	if (r->windowed && r->until_us != INT64_MAX)
		r->to_us = r->until_us;
	r->has_window |= r->windowed && r->since_us != INT64_MIN && r->until_us != INT64_MAX;
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

/* The error rows, the top ones kept; the cap was hit when an "{other}" row exists. */
static int load_errors(rl_report *r, rl_store *st, size_t top, rl_err *err)
{
	rl_store_query *q;
	int rc = open_query(r, st, "sql/report/errors.sql", "sql/report/errors_window.sql", &q, err);
	if (rc)
		return rc;
	size_t cap = 0;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		const char *type = rl_store_query_text(q, 1), *code = rl_store_query_text(q, 2);
		const char *message = rl_store_query_text(q, 3), *sample = rl_store_query_text(q, 5);
		r->errors_capped |= !type[0] && !code[0] && strcmp(message, "{other}") == 0;
		if (top && r->nerrors >= top)
			continue;
		if (rl_array_grow((void **)&r->errors, &cap, r->nerrors, sizeof *r->errors)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		rl_report_error *e = &r->errors[r->nerrors++];
		e->status = (int)rl_store_query_int(q, 0);
		e->type = type[0] ? dup(type) : NULL;
		e->code = code[0] ? dup(code) : NULL;
		e->message = message[0] ? dup(message) : NULL;
		e->sample = sample[0] ? dup(sample) : NULL;
		if ((type[0] && !e->type) || (code[0] && !e->code) || (message[0] && !e->message) ||
		    (sample[0] && !e->sample)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		e->count = (uint64_t)rl_store_query_int(q, 4);
	}
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

static int load_samples(rl_report *r, rl_store *st, size_t max, rl_err *err)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/rejected.sql", &q, err);
	if (rc)
		return rc;
	rl_store_query_bind_int(q, 1, (int64_t)max);
	size_t cap = 0;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		if (rl_array_grow((void **)&r->samples, &cap, r->nsamples, sizeof *r->samples)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		rl_report_sample *s = &r->samples[r->nsamples++];
		s->source = dup(rl_store_query_text(q, 0));
		s->line = rl_store_query_int(q, 1);
		s->reason = dup(rl_store_query_text(q, 2));
		s->excerpt = dup(rl_store_query_text(q, 3));
	}
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

/* What the database is: a merge (of shards or of hosts), a shard, or neither. */
static int load_identity(rl_report *r, rl_store *st, rl_err *err)
{
	rl_store_identity id;
	int rc = rl_store_identity_read(st, &id, err);
	if (rc)
		return rc;
	snprintf(r->merged_mode, sizeof r->merged_mode, "%s", id.built ? id.merged_mode : "none");
	r->merged_inputs = strcmp(r->merged_mode, "none") ? id.merged_inputs : 1;
	r->merged_of = id.merged_of;
	r->shard_i = id.shard_i;
	r->shard_n = id.shard_n;
	return 0;
}

int rl_report_build(rl_report *r, rl_store *st, const rl_report_opts *opts, rl_err *err)
{
	memset(r, 0, sizeof *r);
	r->policy = opts->policy;
	r->windowed = opts->windowed;
	r->since_us = opts->windowed ? opts->since_us : INT64_MIN;
	r->until_us = opts->windowed ? opts->until_us : INT64_MAX;
	r->one_shot = opts->one_shot;
	rl_timestamp_format((int64_t)time(NULL) * RL_US_PER_S, r->generated_at);
	int rc;
	if ((rc = load_identity(r, st, err)) || (rc = load_sources(r, st, err)) ||
	    (rc = load_traffic(r, st, opts->top, err)) || (rc = load_timeline(r, st, opts->by, err)) ||
	    (rc = rl_report_load_retries(r, st, opts->top, err)) || (rc = load_errors(r, st, opts->top, err)) ||
	    (rc = load_samples(r, st, opts->max_samples ? opts->max_samples : 20, err))) {
		rl_report_clear(r);
		return rc;
	}
	return 0;
}

void rl_report_clear(rl_report *r)
{
	for (size_t i = 0; i < r->nsources; i++) {
		free(r->sources[i].name);
		free(r->sources[i].format);
	}
	for (size_t i = 0; i < r->nendpoints; i++) {
		free(r->endpoints[i].endpoint);
		free(r->endpoints[i].method);
	}
	for (size_t i = 0; i < r->nerrors; i++) {
		free(r->errors[i].type);
		free(r->errors[i].code);
		free(r->errors[i].message);
		free(r->errors[i].sample);
	}
	free(r->errors);
	for (size_t i = 0; i < r->nsamples; i++) {
		free(r->samples[i].source);
		free(r->samples[i].reason);
		free(r->samples[i].excerpt);
	}
	for (size_t i = 0; i < r->nclients; i++) {
		free(r->clients[i].name);
		free(r->clients[i].evidence);
	}
	free(r->clients);
	free(r->sources);
	free(r->status);
	free(r->endpoints);
	free(r->samples);
	free(r->timeline);
	memset(r, 0, sizeof *r);
}

const char *rl_report_merged_note(const rl_report *r, char *buf, size_t cap)
{
	const char *s = r->merged_inputs == 1 ? "" : "s";
	if (!strcmp(r->merged_mode, "shards") && r->merged_of > r->merged_inputs)
		snprintf(
			buf, cap,
			"Merged from %lld of %u shard databases: the clients of the missing shard%s are not in it; for "
			"the others' clients, every number as one process.",
			(long long)r->merged_inputs, r->merged_of, r->merged_of - r->merged_inputs == 1 ? "" : "s");
	else if (!strcmp(r->merged_mode, "shards"))
		snprintf(buf, cap,
			 "Merged from %lld shard database%s: clients partitioned, every number as one process.",
			 (long long)r->merged_inputs, s);
	else if (!strcmp(r->merged_mode, "hosts"))
		snprintf(buf, cap,
			 "Merged from %lld host database%s: attempts and statuses exact; a client's retries that "
			 "crossed hosts are undercounted.",
			 (long long)r->merged_inputs, s);
	else if (r->shard_n > 1)
		snprintf(buf, cap, "Shard %u of %u: only its clients (retrylens merge the shards for the whole).",
			 r->shard_i, r->shard_n);
	else
		return NULL;
	return buf;
}

const char *rl_report_resolution(char *buf, size_t cap, int64_t us, const char *space)
{
	if (us <= 0)
		snprintf(buf, cap, "unknown");
	else if (us % 1000000 == 0)
		snprintf(buf, cap, "%lld%ss", (long long)(us / 1000000), space);
	else if (us % 1000 == 0)
		snprintf(buf, cap, "%lld%sms", (long long)(us / 1000), space);
	else
		snprintf(buf, cap, "%lld%s\xc2\xb5s", (long long)us, space);
	return buf;
}

const char *rl_report_not_judged(const rl_report *r, bool rule4, uint64_t count, char *buf, size_t cap)
{
	const __typeof__(r->retries) *t = &r->retries;
	if (count)
		return NULL;
	if (rule4 && !t->require_jitter) {
		snprintf(buf, cap, "not judged: policy %s does not require jitter",
			 t->policy[0] ? t->policy : r->policy->name);
		return buf;
	}
	if (t->ms_times || !r->nsources)
		return NULL;
	int64_t finest = 0;
	for (size_t i = 0; i < r->nsources; i++)
		if (r->sources[i].time_res_us > 0 && (!finest || r->sources[i].time_res_us < finest))
			finest = r->sources[i].time_res_us;
	char res[32];
	snprintf(buf, cap, "not judged: needs ms timestamps (the finest source resolution here: %s)",
		 rl_report_resolution(res, sizeof res, finest, " "));
	return buf;
}
