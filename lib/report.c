/* report.c - building the report model from the store's report queries. */
#include "lib/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/histogram.h"
#include "lib/timestamp.h"

#define ALL_MINUTES_FROM INT64_MIN
#define ALL_MINUTES_TO INT64_MAX

static char *dup(const char *s)
{
	return strdup(s ? s : "");
}

static rl_rate rate(uint64_t num, uint64_t den)
{
	rl_rate r = {den != 0, den ? (double)num / (double)den : 0};
	return r;
}

/* Grows *arr (elements of size sz) to hold n + 1 elements. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, nc * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

static int load_status(rl_report *r, rl_store *st, rl_err *err)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/status.sql", &q, err);
	if (rc)
		return rc;
	rl_store_query_bind_int(q, 1, ALL_MINUTES_FROM);
	rl_store_query_bind_int(q, 2, ALL_MINUTES_TO);
	size_t cap = 0;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		if (grow((void **)&r->status, &cap, r->nstatus, sizeof *r->status)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		rl_report_status *s = &r->status[r->nstatus++];
		s->status = (int)rl_store_query_int(q, 0);
		s->count = (uint64_t)rl_store_query_int(q, 1);
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
	rl_store_query_close(q);
	r->totals.errors = r->totals.retryable_errors + r->totals.non_retryable_errors;
	r->totals.retryable_rate = rate(r->totals.retryable_errors, r->totals.attempts);
	r->totals.non_retryable_rate = rate(r->totals.non_retryable_errors, r->totals.attempts);
	r->totals.retryable_share_of_errors = rate(r->totals.retryable_errors, r->totals.errors);
	return rc < 0 ? rc : 0;
}

static int load_latency(rl_store_query *lq, int64_t ep, int64_t me, rl_report_endpoint *e, rl_err *err)
{
	rl_hist_bin bins[512];
	size_t n = 0, cap = sizeof bins / sizeof bins[0];
	rl_hist_bin *all = bins;
	int rc;
	rl_store_query_reset(lq);
	rl_store_query_bind_int(lq, 1, ALL_MINUTES_FROM);
	rl_store_query_bind_int(lq, 2, ALL_MINUTES_TO);
	rl_store_query_bind_int(lq, 3, ep);
	rl_store_query_bind_int(lq, 4, me);
	while ((rc = rl_store_query_step(lq, err)) == 1) {
		if (n == cap) {
			size_t nc = cap * 2;
			rl_hist_bin *p = all == bins ? malloc(nc * sizeof *p) : realloc(all, nc * sizeof *p);
			if (!p) {
				rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
				break;
			}
			if (all == bins)
				memcpy(p, bins, sizeof bins);
			all = p;
			cap = nc;
		}
		all[n].index = (uint32_t)rl_store_query_int(lq, 0);
		all[n].count = (uint64_t)rl_store_query_int(lq, 1);
		n++;
	}
	e->p50_us = rl_hist_percentile(all, n, 50);
	e->p95_us = rl_hist_percentile(all, n, 95);
	e->p99_us = rl_hist_percentile(all, n, 99);
	if (all != bins)
		free(all);
	return rc < 0 ? rc : 0;
}

static int load_endpoints(rl_report *r, rl_store *st, size_t top, rl_err *err)
{
	rl_store_query *q, *lq;
	int rc = rl_store_query_open(st, "sql/report/endpoints.sql", &q, err);
	if (rc)
		return rc;
	if ((rc = rl_store_query_open(st, "sql/report/latency.sql", &lq, err))) {
		rl_store_query_close(q);
		return rc;
	}
	rl_store_query_bind_int(q, 1, ALL_MINUTES_FROM);
	rl_store_query_bind_int(q, 2, ALL_MINUTES_TO);
	rl_store_query_bind_int(q, 3, top ? (int64_t)top : -1);
	size_t cap = 0;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		if (grow((void **)&r->endpoints, &cap, r->nendpoints, sizeof *r->endpoints)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		rl_report_endpoint *e = &r->endpoints[r->nendpoints++];
		memset(e, 0, sizeof *e);
		e->endpoint = dup(rl_store_query_text(q, 2));
		e->method = dup(rl_store_query_text(q, 3));
		e->attempts = (uint64_t)rl_store_query_int(q, 4);
		e->errors = (uint64_t)rl_store_query_int(q, 5);
		e->retries = (uint64_t)rl_store_query_int(q, 6);
		e->blind_4xx = (uint64_t)rl_store_query_int(q, 7);
		if (!e->endpoint || !e->method) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		if ((rc = load_latency(lq, rl_store_query_int(q, 0), rl_store_query_int(q, 1), e, err)))
			break;
	}
	rl_store_query_close(lq);
	rl_store_query_close(q);
	if (rc < 0)
		return rc;
	if ((rc = rl_store_query_open(st, "sql/report/caps.sql", &q, err)))
		return rc;
	if ((rc = rl_store_query_step(q, err)) == 1)
		r->endpoints_capped = rl_store_query_int(q, 0) != 0;
	rl_store_query_close(q);
	return rc < 0 ? rc : 0;
}

static int load_sources(rl_report *r, rl_store *st, rl_err *err)
{
	rl_store_query *q;
	int rc = rl_store_query_open(st, "sql/report/sources.sql", &q, err);
	if (rc)
		return rc;
	size_t cap = 0;
	while ((rc = rl_store_query_step(q, err)) == 1) {
		if (grow((void **)&r->sources, &cap, r->nsources, sizeof *r->sources)) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			break;
		}
		rl_report_source *s = &r->sources[r->nsources++];
		s->name = dup(rl_store_query_text(q, 0));
		s->format = rl_store_query_null(q, 1) ? NULL : dup(rl_store_query_text(q, 1));
		s->lines = (uint64_t)rl_store_query_int(q, 2);
		s->rejected = (uint64_t)rl_store_query_int(q, 3);
		s->late = (uint64_t)rl_store_query_int(q, 4);
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
		if (grow((void **)&r->samples, &cap, r->nsamples, sizeof *r->samples)) {
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

int rl_report_build(rl_report *r, rl_store *st, const rl_report_opts *opts, rl_err *err)
{
	memset(r, 0, sizeof *r);
	r->policy = opts->policy;
	rl_timestamp_format((int64_t)time(NULL) * RL_US_PER_S, r->generated_at);
	r->retries.amplification = r->retries.blind_4xx_retry_rate = r->retries.compliance_rate = rate(0, 0);
	int rc;
	if ((rc = load_sources(r, st, err)) || (rc = load_status(r, st, err)) ||
	    (rc = load_endpoints(r, st, opts->top, err)) ||
	    (rc = load_samples(r, st, opts->max_samples ? opts->max_samples : 20, err))) {
		rl_report_clear(r);
		return rc;
	}
	r->retries.blind_4xx_retry_rate = rate(r->retries.blind_4xx_retries, r->totals.attempts);
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
	for (size_t i = 0; i < r->nsamples; i++) {
		free(r->samples[i].source);
		free(r->samples[i].reason);
		free(r->samples[i].excerpt);
	}
	free(r->sources);
	free(r->status);
	free(r->endpoints);
	free(r->samples);
	memset(r, 0, sizeof *r);
}
