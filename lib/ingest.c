/* ingest.c - the line loop and the flush transaction. */
#include "lib/ingest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/aggregate.h"
#include "lib/commit.h"
#include "lib/endpoint.h"
#include "lib/format/format.h"
#include "lib/intern.h"
#include "lib/source.h"
#include "lib/timestamp.h"

#define SNIFF_LINES 64
#define SNIFF_BYTES (1 << 20)
#define MAX_METHODS 64

typedef struct src_state {
	rl_source *src;
	rl_format *fmt;
	char name[256];
	dev_t dev;
	ino_t ino;
	bool skip; /* the same file as an earlier input */
	bool eof; /* the source reported its end while sniffing */
	size_t samples_taken; /* this run */
} src_state;

struct rl_ingest {
	rl_store *st;
	rl_ingest_opts o;
	rl_agg *agg;
	rl_intern *endpoints, *methods;
	rl_commit *commit;
	int64_t run_id;
	src_state *srcs;
	rl_store_source_delta *deltas; /* per source: counts since the last flush */
	size_t nsrcs;
	rl_commit_sample *samples; /* since the last flush */
	size_t nsamples, cap_samples;
	rl_ingest_stats stats;
	int64_t last_flush_us;
	rl_record rec;
};

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void notice(rl_ingest *ing, bool is_error, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void notice(rl_ingest *ing, bool is_error, const char *source, const char *fmt, ...)
{
	if (!ing->o.notice)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ing->o.notice(ing->o.notice_ctx, source, msg, is_error);
}

/* --- identity ------------------------------------------------------------------ */

static int check_identity(rl_ingest *ing, rl_err *err)
{
	char *json = rl_policy_to_json(ing->o.policy, false);
	if (!json)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	char have[16384], window[32];
	snprintf(window, sizeof window, "%lld", (long long)ing->o.retry_window_us);
	int rc = rl_store_meta_get(ing->st, "policy_json", have, sizeof have, err);
	if (rc == 0) {
		if (!(rc = rl_store_meta_set(ing->st, "policy", ing->o.policy->name, err)) &&
		    !(rc = rl_store_meta_set(ing->st, "policy_json", json, err)))
			rc = rl_store_meta_set(ing->st, "retry_window_us", window, err);
	} else if (rc == 1) {
		rc = 0;
		char name[128] = "", have_window[32] = "";
		rl_store_meta_get(ing->st, "policy", name, sizeof name, err);
		rl_store_meta_get(ing->st, "retry_window_us", have_window, sizeof have_window, err);
		if (strcmp(have, json) != 0)
			rc = rl_err_set(err, RL_EUSAGE, rl_store_path(ing->st), 0,
					"this database was built with policy '%s'; ingest with --policy %s (a changed "
					"policy file counts as another policy) or use another --db",
					name, name);
		else if (strcmp(have_window, window) != 0)
			rc = rl_err_set(
				err, RL_EUSAGE, rl_store_path(ing->st), 0,
				"this database was built with --retry-window %lld s; use the same or another --db",
				atoll(have_window) / 1000000);
	}
	free(json);
	return rc;
}

/* --- names ------------------------------------------------------------------- */

static int preload_cb(void *ctx, int64_t id, const char *name)
{
	rl_intern *t = ctx;
	uint32_t local = rl_intern_id(t, name, strlen(name));
	if (!local)
		return RL_ENOMEM;
	rl_intern_set_db_id(t, local, id);
	return 0;
}

/* --- flush ------------------------------------------------------------------- */

static void deltas_reset(rl_ingest *ing)
{
	for (size_t i = 0; i < ing->nsrcs; i++) {
		rl_store_source_delta *d = &ing->deltas[i];
		const char *name = d->name, *format = d->format;
		memset(d, 0, sizeof *d);
		d->name = name;
		d->format = format;
		d->first_us = INT64_MAX;
		d->last_us = INT64_MIN;
	}
	ing->nsamples = 0;
}

/* Hands what was counted since the last flush to the committer (lib/commit.h). The
 * final flush (status set) waits until it is written. */
static int flush(rl_ingest *ing, const char *status, rl_err *err)
{
	rl_commit_totals t = {ing->stats.lines, ing->stats.attempts, ing->stats.rejected, status};
	int rc = rl_commit_submit(ing->commit, &ing->agg, ing->deltas, ing->samples, ing->nsamples, &t, status != NULL,
				  err);
	deltas_reset(ing);
	ing->last_flush_us = mono_us();
	return rc;
}

/* --- lines --------------------------------------------------------------------- */

static void reject(rl_ingest *ing, size_t si, const rl_line *ln, const char *reason)
{
	src_state *s = &ing->srcs[si];
	ing->deltas[si].rejected++;
	ing->stats.rejected++;
	if (s->samples_taken >= ing->o.max_samples || ing->nsamples == ing->cap_samples)
		return;
	s->samples_taken++;
	rl_commit_sample *sm = &ing->samples[ing->nsamples++];
	sm->src = si;
	sm->line = ln->lineno;
	snprintf(sm->reason, sizeof sm->reason, "%s", reason);
	rl_text_clean(sm->excerpt, sizeof sm->excerpt, ln->p, ln->n < RL_SAMPLE_EXCERPT ? ln->n : RL_SAMPLE_EXCERPT);
}

static inline int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int count_attempt(rl_ingest *ing, rl_store_source_delta *d, const rl_record *r)
{
	int64_t start = rl_record_start_us(r), end = rl_record_end_us(r);
	char tpl[RL_ENDPOINT_MAX_LEN];
	size_t tn = rl_endpoint_template(r->method.n ? r->target : RL_STR_NULL, tpl, sizeof tpl);
	uint32_t ep = rl_intern_id(ing->endpoints, tpl, tn);
	uint32_t me =
		r->method.n ? rl_intern_id(ing->methods, r->method.p, r->method.n) : rl_intern_id(ing->methods, "-", 1);
	if (!ep || !me)
		return RL_ENOMEM;
	rl_agg_add_attempt(ing->agg, floor_div(start, RL_US_PER_MIN), ep, me, r->status, 0, r->duration_us);
	d->attempts++;
	if (start < d->first_us)
		d->first_us = start;
	if (end > d->last_us)
		d->last_us = end;
	ing->stats.attempts++;
	return 0;
}

static bool is_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

static int handle_line(rl_ingest *ing, size_t si, const rl_line *ln, rl_err *err)
{
	src_state *s = &ing->srcs[si];
	ing->deltas[si].lines++;
	ing->stats.lines++;
	if (ln->overlong) {
		char reason[96];
		snprintf(reason, sizeof reason, "line too long (%zu bytes; the limit is %zu)", ln->full_len,
			 ing->o.max_line);
		reject(ing, si, ln, reason);
		return 0;
	}
	if (is_blank(ln->p, ln->n))
		return 0;
	rl_reject rj = rl_format_parse(s->fmt, ln->p, ln->n, &ing->rec);
	if (rj) {
		char reason[96];
		if (rj == RL_REJECT_NO_MATCH)
			snprintf(reason, sizeof reason, "does not match format %s", s->fmt->name);
		else
			snprintf(reason, sizeof reason, "%s", rl_reject_text(rj));
		reject(ing, si, ln, reason);
		return 0;
	}
	int rc = count_attempt(ing, &ing->deltas[si], &ing->rec);
	if (rc)
		return rl_err_set(err, rc, s->name, ln->lineno, "out of memory");
	return 0;
}

/* Checks, every few thousand lines, whether a flush is due. */
static int maybe_flush(rl_ingest *ing, rl_err *err)
{
	if (rl_agg_full(ing->agg) || mono_us() - ing->last_flush_us >= ing->o.flush_every_us)
		return flush(ing, NULL, err);
	return 0;
}

/* Reads the first lines, chooses the format, then handles those lines. */
static int sniff_and_start(rl_ingest *ing, size_t si, rl_err *err)
{
	src_state *s = &ing->srcs[si];
	rl_line *lines = calloc(SNIFF_LINES, sizeof *lines);
	rl_str *views = calloc(SNIFF_LINES, sizeof *views);
	char *arena = malloc(SNIFF_BYTES);
	size_t n = 0, used = 0, nonblank = 0;
	int rc = 0;
	if (!lines || !views || !arena) {
		rc = rl_err_set(err, RL_ENOMEM, s->name, 0, "out of memory");
		goto done;
	}
	while (n < SNIFF_LINES && nonblank < SNIFF_LINES / 2) {
		rl_line ln;
		int r = rl_source_next(s->src, &ln, err);
		if (r < 0) {
			rc = r;
			break;
		}
		if (r == 0) {
			s->eof = true;
			break;
		}
		size_t k = ln.n < SNIFF_BYTES - used ? ln.n : SNIFF_BYTES - used;
		memcpy(arena + used, ln.p, k);
		lines[n] = ln;
		lines[n].p = arena + used;
		lines[n].n = k;
		if (!ln.overlong && !is_blank(ln.p, ln.n))
			views[nonblank++] = rl_str_make(arena + used, k);
		used += k;
		n++;
	}
	/* a read error after some lines still lets those lines count */
	if (nonblank > 0) {
		size_t matched = 0;
		int fr = rl_format_sniff(&s->fmt, views, nonblank, &matched, s->name, err);
		if (fr) {
			rc = fr;
			goto done;
		}
		notice(ing, false, s->name, "format auto: %s (%zu of the first %zu lines parse)", s->fmt->name, matched,
		       nonblank);
		ing->deltas[si].format = s->fmt->name;
	}
	/* without a format, every line here is blank or overlong: handle_line needs none */
	for (size_t i = 0; i < n; i++) {
		int hr = handle_line(ing, si, &lines[i], err);
		if (hr) {
			rc = hr;
			break;
		}
	}
done:
	free(lines);
	free(views);
	free(arena);
	return rc;
}

static int read_source(rl_ingest *ing, size_t si, rl_err *err)
{
	src_state *s = &ing->srcs[si];
	int rc = 0;
	while (!s->fmt) {
		if ((rc = sniff_and_start(ing, si, err)) || s->eof)
			return rc;
	}
	ing->deltas[si].format = s->fmt->name;
	rl_line ln;
	unsigned k = 0;
	for (;;) {
		int r = rl_source_next(s->src, &ln, err);
		if (r <= 0)
			return r;
		if ((rc = handle_line(ing, si, &ln, err)))
			return rc;
		if (++k % 4096 == 0 && (rc = maybe_flush(ing, err)))
			return rc;
	}
}

/* --- public ------------------------------------------------------------------ */

int rl_ingest_new(rl_ingest **out, rl_store *st, const rl_ingest_opts *opts, rl_err *err)
{
	*out = NULL;
	rl_ingest *ing = calloc(1, sizeof *ing);
	if (!ing)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	ing->st = st;
	ing->o = *opts;
	if (!ing->o.format)
		ing->o.format = "auto";
	if (!ing->o.retry_window_us)
		ing->o.retry_window_us = 120 * RL_US_PER_S;
	if (!ing->o.max_line)
		ing->o.max_line = 64 * 1024;
	if (!ing->o.flush_every_us)
		ing->o.flush_every_us = 10 * RL_US_PER_S;
	if (!ing->o.max_samples)
		ing->o.max_samples = 10;
	ing->agg = rl_agg_new(opts->max_keys);
	ing->endpoints = rl_intern_new(1000, RL_ENDPOINT_MAX_LEN, "{other}");
	ing->methods = rl_intern_new(MAX_METHODS, 32, "{other}");
	int rc;
	if (!ing->agg || !ing->endpoints || !ing->methods) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	/* the database's names keep their ids, and count towards the caps */
	if ((rc = rl_store_names(st, RL_NAME_ENDPOINT, preload_cb, ing->endpoints, err)) ||
	    (rc = rl_store_names(st, RL_NAME_METHOD, preload_cb, ing->methods, err)))
		goto fail;
	if ((rc = rl_store_begin(st, err)))
		goto fail;
	if ((rc = check_identity(ing, err)) || (rc = rl_store_run_begin(st, ing->o.command, &ing->run_id, err))) {
		rl_store_rollback(st);
		goto fail;
	}
	if ((rc = rl_store_commit(st, err)))
		goto fail;
	ing->last_flush_us = mono_us();
	*out = ing;
	return 0;
fail:
	rl_ingest_free(ing);
	return rc;
}

int rl_ingest_run(rl_ingest *ing, const char *const *paths, size_t n, rl_err *err)
{
	int rc = 0;
	ing->srcs = calloc(n ? n : 1, sizeof *ing->srcs);
	ing->deltas = calloc(n ? n : 1, sizeof *ing->deltas);
	ing->cap_samples = n * ing->o.max_samples;
	ing->samples = calloc(ing->cap_samples ? ing->cap_samples : 1, sizeof *ing->samples);
	if (!ing->srcs || !ing->deltas || !ing->samples)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	/* open everything first: a missing file fails before anything is counted */
	for (size_t i = 0; i < n; i++) {
		src_state *s = &ing->srcs[i];
		ing->nsrcs = i + 1;
		bool is_stdin = strcmp(paths[i], "-") == 0;
		snprintf(s->name, sizeof s->name, "%s", is_stdin ? "(stdin)" : paths[i]);
		if (!s->skip)
			ing->deltas[i].name = s->name;
		rl_source_opts so = {.max_line = ing->o.max_line};
		if ((rc = rl_source_open(&s->src, paths[i], &so, err)))
			return rc;
		struct stat sb;
		if (!is_stdin && stat(paths[i], &sb) == 0) {
			s->dev = sb.st_dev;
			s->ino = sb.st_ino;
			for (size_t j = 0; j < i; j++)
				if (ing->srcs[j].ino == sb.st_ino && ing->srcs[j].dev == sb.st_dev &&
				    !ing->srcs[j].skip) {
					s->skip = true;
					notice(ing, false, s->name, "the same file as %s: read once",
					       ing->srcs[j].name);
				}
		}
		if (s->skip)
			ing->deltas[i].name = NULL; /* nothing to record */
		else if (strcmp(ing->o.format, "auto") != 0 && (rc = rl_format_new(&s->fmt, ing->o.format, err)))
			return rc;
	}
	deltas_reset(ing);
	if ((rc = rl_commit_new(&ing->commit, ing->st, ing->endpoints, ing->methods, ing->run_id, n, ing->cap_samples,
				ing->o.max_keys, err)))
		return rc;
	int input_rc = 0;
	for (size_t i = 0; i < n; i++) {
		src_state *s = &ing->srcs[i];
		if (s->skip)
			continue;
		rl_err e;
		rl_err_clear(&e);
		rc = read_source(ing, i, &e);
		ing->stats.sources++;
		ing->stats.bytes += rl_source_bytes_read(s->src);
		if (rc == RL_EINPUT) {
			/* keep what was read; go on with the other inputs */
			input_rc = rc;
			if (e.line > 0)
				notice(ing, true, s->name, "line %lld: %s", e.line, e.msg);
			else
				notice(ing, true, s->name, "%s", e.msg);
			continue;
		}
		if (rc) {
			if (err)
				*err = e;
			flush(ing, "failed", NULL);
			return rc;
		}
	}
	if ((rc = flush(ing, input_rc ? "failed" : "ok", err)))
		return rc;
	rl_err_clear(err);
	return input_rc;
}

void rl_ingest_get_stats(const rl_ingest *ing, rl_ingest_stats *out)
{
	*out = ing->stats;
}

void rl_ingest_free(rl_ingest *ing)
{
	if (!ing)
		return;
	for (size_t i = 0; i < ing->nsrcs; i++) {
		rl_source_free(ing->srcs[i].src);
		rl_format_free(ing->srcs[i].fmt);
	}
	rl_commit_free(ing->commit);
	free(ing->srcs);
	free(ing->deltas);
	free(ing->samples);
	rl_agg_free(ing->agg);
	rl_intern_free(ing->endpoints);
	rl_intern_free(ing->methods);
	free(ing);
}
