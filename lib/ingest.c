/* ingest.c - the line loop, the merge of inputs by time, and the retry analysis feed.
 *
 * Each input is sniffed (for --format auto) and read record by record; the inputs are
 * merged by start time (ties in command-line order, SPEC §3.1.3). Every attempt is
 * counted at once (aggregates and client rows do not depend on order) and condensed
 * into an rl_attempt for the retry analysis, which runs on its own thread
 * (lib/analysis.h); the committer (lib/commit.h) writes both threads' tables. */
#include "lib/ingest.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/aggregate.h"
#include "lib/analysis.h"
#include "lib/clients.h"
#include "lib/commit.h"
#include "lib/defaults.h"
#include "lib/endpoint.h"
#include "lib/errors.h"
#include "lib/format/format.h"
#include "lib/identity.h"
#include "lib/intern.h"
#include "lib/sniff.h"
#include "lib/source.h"
#include "lib/store_identity.h"
#include "lib/timestamp.h"

#define RES_LINES 1000 /* the resolution is the finest shown in the first 1,000 lines */

typedef struct src_state {
	rl_source *src;
	rl_format *fmt;
	char name[256];
	uint32_t name_hash;
	dev_t dev;
	ino_t ino;
	bool skip; /* the same file as an earlier input */
	bool eof; /* no more records */
	int error; /* RL_EINPUT once a read failed */
	rl_err err;
	size_t samples_taken; /* this run */
	rl_sniff sniff; /* lines read while sniffing, handed out before the source's own */
	/* the record waiting in the merge */
	rl_record rec;
	bool has_rec;
	long long rec_line; /* its line, or its item number in a document */
	/* a document format (har): its lines are taken, then its items handed out */
	long long last_line;
	bool doc_finished;
	/* resolution (SPEC §3.1.1): the finest in the first 1,000 lines */
	int64_t time_res, dur_res;
	uint64_t res_lines;
} src_state;

struct rl_ingest {
	rl_store *st;
	rl_ingest_opts o;
	rl_commit_work work;
	rl_intern *endpoints, *methods;
	rl_errors *errors; /* the error rows behind failures' bodies (lib/errors.h) */
	signed char method_safe[RL_METHODS_CAP + 2]; /* by method id: -1 unknown, 0, 1 */
	rl_commit *commit;
	int64_t run_id;
	src_state *srcs;
	rl_store_source_delta *deltas; /* per source: counts since the last flush */
	size_t nsrcs;
	rl_commit_sample *samples; /* since the last flush */
	size_t nsamples, cap_samples;
	rl_ingest_stats stats;
	int64_t last_flush_us;
	/* the retry analysis */
	rl_analysis *analysis;
	_Atomic int64_t *time_res, *dur_res; /* per source, read by the analysis thread */
	const char **source_names;
	uint64_t next_seq;
	int64_t end_of_input; /* latest end seen, over every run of the database */
	bool input_failed;
};

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

/* --- names ---------------------------------------------------------------------- */

static bool method_is_safe(rl_ingest *ing, uint32_t id)
{
	if (id > RL_METHODS_CAP + 1)
		return false;
	if (ing->method_safe[id] < 0) {
		const char *m = rl_intern_str(ing->methods, id);
		ing->method_safe[id] = m && rl_policy_method_safe(ing->o.policy, m, strlen(m));
	}
	return ing->method_safe[id] == 1;
}

/* --- saved state -------------------------------------------------------------------- */

/* In the last transaction: the state the next run goes on from, and the client cap. */
static int on_final(void *ctx, rl_store *st, rl_err *err)
{
	rl_ingest *ing = ctx;
	int rc;
	if ((rc = rl_store_meta_set_i64(st, "end_of_input_us", ing->end_of_input, err)) ||
	    (rc = rl_store_meta_set_i64(st, "next_seq", (int64_t)ing->next_seq, err)) ||
	    (rc = rl_store_meta_set_i64(st, "clock_skew_us", ing->o.clock_skew_us, err)) ||
	    (rc = rl_store_meta_set_i64(st, "max_lag_us", ing->o.max_lag_us, err)) ||
	    (ing->analysis && (rc = rl_analysis_save(ing->analysis, st, err))))
		return rc;
	return rl_store_prune_clients(st, RL_CLIENTS_CAP, NULL, err);
}

/* --- flush ---------------------------------------------------------------------- */

static int load_meta(rl_ingest *ing, rl_err *err)
{
	int64_t v;
	int rc;
	if ((rc = rl_store_meta_get_i64(ing->st, "end_of_input_us", &v, err)) < 0)
		return rc;
	ing->end_of_input = rc == 1 ? v : INT64_MIN;
	if ((rc = rl_store_meta_get_i64(ing->st, "next_seq", &v, err)) < 0)
		return rc;
	ing->next_seq = rc == 1 ? (uint64_t)v : 1;
	return 0;
}

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
		d->time_res_us = ing->srcs[i].time_res;
		d->dur_res_us = ing->srcs[i].dur_res;
	}
	ing->nsamples = 0;
}

/* Hands what was counted since the last flush to the committer. The final flush
 * (status set) saves the retry state and waits until it is written. */
static int flush(rl_ingest *ing, const char *status, rl_err *err)
{
	for (size_t i = 0; i < ing->nsrcs; i++) {
		ing->deltas[i].time_res_us = ing->srcs[i].time_res;
		ing->deltas[i].dur_res_us = ing->srcs[i].dur_res;
	}
	rl_commit_totals t = {ing->stats.lines, ing->stats.attempts,	  ing->stats.rejected,
			      status,		status ? on_final : NULL, ing};
	ing->work.endpoints_upto = rl_intern_count(ing->endpoints);
	ing->work.methods_upto = rl_intern_count(ing->methods);
	ing->work.errors_upto = rl_errors_count(ing->errors);
	int rc = rl_commit_submit(ing->commit, &ing->work, ing->deltas, ing->samples, ing->nsamples, &t, status != NULL,
				  err);
	deltas_reset(ing);
	ing->last_flush_us = rl_mono_us();
	return rc;
}

/* --- lines ---------------------------------------------------------------------- */

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
	size_t k = rl_text_clean(sm->excerpt, sizeof sm->excerpt, ln->p,
				 ln->n < RL_SAMPLE_EXCERPT ? ln->n : RL_SAMPLE_EXCERPT);
	/* a sample cut from a longer line says so (the excerpt has room for the mark) */
	if ((ln->overlong ? ln->full_len : ln->n) > RL_SAMPLE_EXCERPT && k + 4 <= sizeof sm->excerpt)
		memcpy(sm->excerpt + k, "\xe2\x80\xa6", 4);
}

/* The resolution of the source (SPEC §3.1.1): the finest of its first records. */
static void note_resolution(rl_ingest *ing, size_t si)
{
	src_state *s = &ing->srcs[si];
	if (s->res_lines < RES_LINES) {
		s->res_lines++;
		if (!s->time_res || s->rec.time_res_us < s->time_res) {
			s->time_res = s->rec.time_res_us;
			atomic_store_explicit(&ing->time_res[si], s->time_res, memory_order_relaxed);
		}
		if (s->rec.duration_us >= 0 && (!s->dur_res || s->rec.duration_res_us < s->dur_res)) {
			s->dur_res = s->rec.duration_res_us;
			atomic_store_explicit(&ing->dur_res[si], s->dur_res, memory_order_relaxed);
		}
	}
}

/* Counts a line; returns true when it holds a record (in s->rec). A document format
 * takes the line for later (RL_REJECT_PENDING): neither a record nor a reject. */
static bool take_line(rl_ingest *ing, size_t si, const rl_line *ln)
{
	src_state *s = &ing->srcs[si];
	ing->deltas[si].lines++;
	ing->stats.lines++;
	s->last_line = ln->lineno;
	if (ln->overlong) {
		char reason[96];
		snprintf(reason, sizeof reason, "line too long (%zu bytes; the limit is %zu)", ln->full_len,
			 s->fmt && rl_format_is_document(s->fmt) ? RL_DOCUMENT_MAX_BYTES : ing->o.max_line);
		reject(ing, si, ln, reason);
		return false;
	}
	if (rl_line_is_blank(ln->p, ln->n))
		return false;
	rl_reject rj = rl_format_parse(s->fmt, ln->p, ln->n, &s->rec);
	if (rj == RL_REJECT_PENDING)
		return false;
	if (rj == RL_REJECT_NOT_ACCESS) {
		ing->deltas[si].skipped++;
		ing->stats.skipped++;
		return false;
	}
	if (rj) {
		char reason[96];
		if (rj == RL_REJECT_NO_MATCH)
			snprintf(reason, sizeof reason, "does not match format %.64s", s->fmt->name);
		else
			snprintf(reason, sizeof reason, "%s", rl_reject_text(rj));
		reject(ing, si, ln, reason);
		return false;
	}
	note_resolution(ing, si);
	s->rec_line = ln->lineno;
	return true;
}

/* At the end of a document's input: finish() reads it; an unreadable document is one
 * reject, sampled at its last line (where a truncated file breaks). */
static void finish_document(rl_ingest *ing, size_t si)
{
	src_state *s = &ing->srcs[si];
	s->doc_finished = true;
	rl_reject rj = s->fmt->ops->finish(s->fmt);
	if (rj) {
		rl_line ln = {.p = "", .n = 0, .lineno = s->last_line};
		char reason[96];
		snprintf(reason, sizeof reason, "%s (format %.32s)", rl_reject_text(rj), s->fmt->name);
		reject(ing, si, &ln, reason);
	}
}

/* The next item of a finished document, like a line: returns true when it is a record
 * (in s->rec, rec_line = its item number); a rejected item is sampled as "entry N". At
 * the last item the source ends. */
static bool take_item(rl_ingest *ing, size_t si)
{
	src_state *s = &ing->srcs[si];
	rl_reject rj = RL_REJECT_NONE;
	long long item = 0;
	rl_record_reset(&s->rec);
	if (!s->fmt->ops->next(s->fmt, &s->rec, &rj, &item)) {
		s->eof = true;
		return false;
	}
	if (rj) {
		const rl_record *r = &s->rec;
		char reason[96], excerpt[RL_SAMPLE_EXCERPT];
		snprintf(reason, sizeof reason, "entry %lld: %s", item, rl_reject_text(rj));
		/* the excerpt: the entry's request, as far as the format read it */
		int mn = r->method.n < 32 ? (int)r->method.n : 32, tn = r->target.n < 120 ? (int)r->target.n : 120;
		int k = snprintf(excerpt, sizeof excerpt, "%.*s %.*s", mn, mn ? r->method.p : "", tn,
				 tn ? r->target.p : "");
		rl_line ln = {.p = excerpt, .n = k > 1 ? (size_t)k : 0, .lineno = item};
		reject(ing, si, &ln, reason);
		return false;
	}
	note_resolution(ing, si);
	s->rec_line = item;
	return true;
}

/* Reads lines until one holds a record (s->has_rec) or the input ends. */
static void pull(rl_ingest *ing, size_t si)
{
	src_state *s = &ing->srcs[si];
	s->has_rec = false;
	while (!s->eof) {
		if (s->doc_finished) {
			if (take_item(ing, si)) {
				s->has_rec = true;
				return;
			}
			continue;
		}
		rl_line ln;
		if (!rl_sniff_next(&s->sniff, &ln)) {
			if (s->sniff.lines)
				rl_sniff_clear(&s->sniff);
			int r = rl_source_next(s->src, &ln, &s->err);
			if (r < 0)
				s->error = r;
			if (r <= 0 && rl_format_is_document(s->fmt)) {
				finish_document(ing, si);
				continue;
			}
			if (r <= 0) {
				/* what the format held (CRI partial lines) is lost: counted, sampled */
				for (rl_reject rj; (rj = rl_format_end(s->fmt)) != RL_REJECT_NONE;) {
					rl_line lost = {.p = "", .n = 0, .lineno = s->last_line};
					reject(ing, si, &lost, rl_reject_text(rj));
				}
				s->eof = true;
				return;
			}
		}
		if (take_line(ing, si, &ln)) {
			s->has_rec = true;
			return;
		}
	}
}

static int count_record(rl_ingest *ing, size_t si)
{
	src_state *s = &ing->srcs[si];
	const rl_record *r = &s->rec;
	rl_store_source_delta *d = &ing->deltas[si];
	int64_t start = rl_record_start_us(r), end = rl_record_end_us(r);
	char tpl[RL_ENDPOINT_MAX_LEN];
	size_t tn = rl_endpoint_template(r->method.n ? r->target : RL_STR_NULL, tpl, sizeof tpl);
	uint32_t ep = rl_intern_id(ing->endpoints, tpl, tn);
	uint32_t me =
		r->method.n ? rl_intern_id(ing->methods, r->method.p, r->method.n) : rl_intern_id(ing->methods, "-", 1);
	uint32_t code = 0; /* the error row of a failure's body, 0 without one */
	if (!ep || !me || (r->body.n && rl_errors_id(ing->errors, r->status, r->body, &code)))
		return RL_ENOMEM;
	rl_agg_add_attempt(ing->work.agg, rl_minute_of(start), ep, me, r->status, code, r->duration_us);
	d->attempts++;
	if (start < d->first_us)
		d->first_us = start;
	if (end > d->last_us)
		d->last_us = end;
	if (end > ing->end_of_input)
		ing->end_of_input = end;
	ing->stats.attempts++;

	rl_attempt a;
	a.start_us = start;
	a.end_us = end;
	a.seq = ing->next_seq++;
	bool rid = r->attempt > 0 && r->request_id.n; /* chained by request id (SPEC §3.1.9) */
	a.key = a.reqkey = a.base = a.client = a.idem = 0; /* the analysis thread hashes */
	a.retry_after_us = r->retry_after.n ? rl_retry_after_us(r->retry_after, end) : -1;
	a.src_hash = s->name_hash;
	a.tol_us = 0;
	a.attempt_no = r->attempt;
	a.status = (int16_t)r->status;
	a.source = (uint16_t)si;
	a.endpoint = (uint16_t)ep;
	a.method = (uint8_t)me;
	a.flags = (uint8_t)((r->method.n ? RL_A_HAS_METHOD : 0) | (method_is_safe(ing, me) ? RL_A_SAFE_METHOD : 0) |
			    (r->idempotency_key.n ? RL_A_HAS_IDEM : 0) | (rid ? RL_A_REQUEST_ID : 0) |
			    (r->duration_us >= 0 ? RL_A_HAS_DURATION : 0));
	a.target_ref = 0;
	return rl_analysis_push(ing->analysis, &a, r);
}

/* Checks, every few thousand records, whether a flush is due. */
static int maybe_flush(rl_ingest *ing, rl_err *err)
{
	if (rl_agg_full(ing->work.agg) || rl_clients_full(ing->work.clients) ||
	    rl_mono_us() - ing->last_flush_us >= ing->o.flush_every_us)
		return flush(ing, NULL, err);
	return 0;
}

/* Chooses the format of input si from its first bytes (a HAR) or lines; the lines wait
 * in s->sniff. Blank or overlong lines before the first real one are taken as they
 * come, 64 at a time, however many there are. */
static int sniff(rl_ingest *ing, size_t si, rl_err *err)
{
	src_state *s = &ing->srcs[si];
	int rc = rl_sniff_document(s->src, &ing->o.format_opts, &s->fmt, err);
	if (rc)
		return rc;
	if (s->fmt) {
		notice(ing, false, s->name, "format auto: har (the input starts as a HAR document)");
		return 0;
	}
	for (;;) {
		rc = rl_sniff_lines(&s->sniff, s->src, &ing->o.format_opts, s->name, &s->fmt, err);
		if (s->sniff.read_error) {
			s->error = s->sniff.read_error;
			s->err = s->sniff.read_err;
		}
		if (rc || s->fmt || s->sniff.ended)
			break;
		/* only blank or overlong lines so far: count them, sniff again after them */
		rl_line ln;
		while (rl_sniff_next(&s->sniff, &ln))
			take_line(ing, si, &ln);
	}
	if (s->fmt)
		notice(ing, false, s->name, "format auto: %s (%zu of the first %zu lines parse)", s->fmt->name,
		       s->sniff.matched, s->sniff.nonblank);
	return rc;
}

/* --- public ------------------------------------------------------------------------ */

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
		ing->o.retry_window_us = RL_DEFAULT_RETRY_WINDOW_US;
	if (ing->o.max_lag_us < 0)
		ing->o.max_lag_us = RL_DEFAULT_MAX_LAG_US;
	if (!ing->o.max_line)
		ing->o.max_line = RL_DEFAULT_MAX_LINE;
	if (!ing->o.flush_every_us)
		ing->o.flush_every_us = RL_DEFAULT_FLUSH_EVERY_US;
	if (!ing->o.max_samples)
		ing->o.max_samples = RL_DEFAULT_MAX_SAMPLES;
	memset(ing->method_safe, -1, sizeof ing->method_safe);
	ing->end_of_input = INT64_MIN;
	ing->next_seq = 1;
	ing->work.agg = rl_agg_new(opts->max_keys);
	ing->work.clients = rl_clients_new();
	ing->endpoints = rl_intern_new(RL_ENDPOINTS_CAP, RL_ENDPOINT_MAX_LEN, "{other}");
	ing->methods = rl_intern_new(RL_METHODS_CAP, 32, "{other}");
	ing->errors = rl_errors_new(RL_ERRORS_CAP);
	int rc;
	if (!ing->work.agg || !ing->work.clients || !ing->endpoints || !ing->methods || !ing->errors) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	/* the database's names keep their ids, and count towards the caps */
	if ((rc = rl_store_names(st, RL_NAME_ENDPOINT, rl_intern_preload, ing->endpoints, err)) ||
	    (rc = rl_store_names(st, RL_NAME_METHOD, rl_intern_preload, ing->methods, err)) ||
	    (rc = rl_store_errors(st, rl_errors_preload, ing->errors, err)))
		goto fail;
	if ((rc = rl_store_begin(st, err)))
		goto fail;
	if ((rc = rl_store_identity_claim(st, ing->o.policy, ing->o.retry_window_us, err)) ||
	    (rc = rl_store_run_begin(st, ing->o.command, &ing->run_id, err))) {
		rl_store_rollback(st);
		goto fail;
	}
	if ((rc = rl_store_commit(st, err)) || (rc = load_meta(ing, err)))
		goto fail;
	ing->last_flush_us = rl_mono_us();
	*out = ing;
	return 0;
fail:
	rl_ingest_free(ing);
	return rc;
}

/* Opens every input first: a missing file fails before anything is counted. */
static int open_inputs(rl_ingest *ing, const char *const *paths, size_t n, rl_err *err)
{
	ing->srcs = calloc(n ? n : 1, sizeof *ing->srcs);
	ing->deltas = calloc(n ? n : 1, sizeof *ing->deltas);
	ing->cap_samples = n * ing->o.max_samples;
	ing->samples = calloc(ing->cap_samples ? ing->cap_samples : 1, sizeof *ing->samples);
	ing->time_res = calloc(n ? n : 1, sizeof *ing->time_res);
	ing->dur_res = calloc(n ? n : 1, sizeof *ing->dur_res);
	ing->source_names = calloc(n ? n : 1, sizeof *ing->source_names);
	if (!ing->srcs || !ing->deltas || !ing->samples || !ing->time_res || !ing->dur_res || !ing->source_names)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		src_state *s = &ing->srcs[i];
		ing->nsrcs = i + 1;
		bool is_stdin = strcmp(paths[i], "-") == 0;
		snprintf(s->name, sizeof s->name, "%s", is_stdin ? "(stdin)" : paths[i]);
		s->name_hash = (uint32_t)rl_fnv1a64(s->name, strlen(s->name));
		ing->deltas[i].name = s->name;
		ing->source_names[i] = s->name;
		rl_source_opts so = {.max_line = ing->o.max_line};
		int rc = rl_source_open(&s->src, paths[i], &so, err);
		if (rc)
			return rc;
		struct stat sb;
		if (!is_stdin && stat(paths[i], &sb) == 0) {
			s->dev = sb.st_dev;
			s->ino = sb.st_ino;
			for (size_t j = 0; j < i; j++)
				if (ing->srcs[j].ino == sb.st_ino && ing->srcs[j].dev == sb.st_dev &&
				    !ing->srcs[j].skip) {
					s->skip = s->eof = true;
					ing->deltas[i].name = NULL; /* nothing to record */
					ing->source_names[i] = NULL;
					notice(ing, false, s->name, "the same file as %s: read once",
					       ing->srcs[j].name);
					break;
				}
		}
		if (!s->skip && strcmp(ing->o.format, "auto") != 0 &&
		    (rc = rl_format_new(&s->fmt, ing->o.format, &ing->o.format_opts, err)))
			return rc;
	}
	deltas_reset(ing);
	return 0;
}

/* Notes an input that failed midway: what was read counts, the others go on. */
static void input_failed(rl_ingest *ing, src_state *s)
{
	ing->input_failed = true;
	if (s->err.line > 0)
		notice(ing, true, s->name, "line %lld: %s", s->err.line, s->err.msg);
	else
		notice(ing, true, s->name, "%s", s->err.msg);
	s->error = 0;
}

int rl_ingest_run(rl_ingest *ing, const char *const *paths, size_t n, rl_err *err)
{
	int rc = open_inputs(ing, paths, n, err);
	if (rc)
		return rc;
	if ((rc = rl_commit_new(&ing->commit, ing->st, ing->endpoints, ing->methods, ing->errors, ing->run_id, n,
				ing->cap_samples, ing->o.max_keys, err)))
		return rc;
	rl_analysis_opts ao = {ing->o.policy,	      ing->o.retry_window_us,
			       ing->o.max_lag_us,     ing->o.clock_skew_us,
			       ing->o.flush_every_us, ing->o.max_keys,
			       ing->endpoints,	      ing->methods,
			       ing->commit,	      n,
			       ing->source_names,     ing->time_res,
			       ing->dur_res};
	if ((rc = rl_analysis_new(&ing->analysis, &ao, err)) || (rc = rl_analysis_load(ing->analysis, ing->st, err)))
		return rc;
	rl_analysis_start(ing->analysis);
	/* formats, then the first record of each input */
	for (size_t i = 0; i < n; i++) {
		src_state *s = &ing->srcs[i];
		if (s->skip)
			continue;
		ing->stats.sources++;
		rc = 0;
		if (!s->fmt)
			rc = sniff(ing, i, err);
		if (rc) {
			if (rc != RL_EINPUT)
				return rc;
			s->err = *err; /* no format: the whole input is unreadable */
			s->eof = true;
			s->error = rc;
			rl_err_clear(err);
		}
		if (!s->eof && !s->fmt) {
			/* only blank or overlong lines: still counted */
			rl_line ln;
			while (rl_sniff_next(&s->sniff, &ln))
				take_line(ing, i, &ln);
			s->eof = true;
		} else if (!s->eof)
			ing->deltas[i].format = s->fmt->name;
		if (s->fmt && rl_format_is_document(s->fmt))
			rl_source_set_max_line(s->src, RL_DOCUMENT_MAX_BYTES);
		if (!s->eof)
			pull(ing, i);
		if (s->error)
			input_failed(ing, s);
	}
	/* merge by start time, ties in command-line order */
	unsigned k = 0;
	for (;;) {
		size_t best = n;
		int64_t best_start = 0;
		for (size_t i = 0; i < n; i++) {
			src_state *s = &ing->srcs[i];
			if (!s->has_rec)
				continue;
			int64_t st = rl_record_start_us(&s->rec);
			if (best == n || st < best_start) {
				best = i;
				best_start = st;
			}
		}
		if (best == n)
			break;
		if ((rc = count_record(ing, best)))
			goto fail;
		pull(ing, best);
		if (ing->srcs[best].error)
			input_failed(ing, &ing->srcs[best]);
		if (++k % 256 == 0 && (rc = maybe_flush(ing, err)))
			return rc;
	}
	for (size_t i = 0; i < n; i++)
		ing->stats.bytes += ing->srcs[i].src ? rl_source_bytes_read(ing->srcs[i].src) : 0;
	/* the analysis commits its last tables, then the final commit saves its state */
	if ((rc = rl_analysis_stop(ing->analysis, err)) || (rc = flush(ing, ing->input_failed ? "failed" : "ok", err)))
		return rc;
	rl_err_clear(err);
	return ing->input_failed ? RL_EINPUT : 0;
fail:
	if (rc == RL_ENOMEM)
		rl_err_set(err, rc, NULL, 0, "out of memory");
	else
		rl_analysis_stop(ing->analysis, err);
	return rc;
}

void rl_ingest_get_stats(const rl_ingest *ing, rl_ingest_stats *out)
{
	*out = ing->stats;
	out->active_keys = ing->analysis ? rl_analysis_active(ing->analysis) : 0;
	out->analysis_bytes = ing->analysis ? rl_analysis_bytes(ing->analysis) : 0;
}

void rl_ingest_free(rl_ingest *ing)
{
	if (!ing)
		return;
	rl_analysis_free(ing->analysis);
	rl_commit_free(ing->commit);
	for (size_t i = 0; i < ing->nsrcs; i++) {
		rl_source_free(ing->srcs[i].src);
		rl_format_free(ing->srcs[i].fmt);
		rl_sniff_clear(&ing->srcs[i].sniff);
	}
	free(ing->srcs);
	free(ing->deltas);
	free(ing->samples);
	free(ing->time_res);
	free(ing->dur_res);
	free(ing->source_names);
	rl_agg_free(ing->work.agg);
	rl_clients_free(ing->work.clients);
	free(ing->work.cand);
	free(ing->work.rekeyed);
	rl_intern_free(ing->endpoints);
	rl_intern_free(ing->methods);
	rl_errors_free(ing->errors);
	free(ing);
}
