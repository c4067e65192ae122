/* ingest.c - the run: inputs opened, read (lib/input/reader.h) and merged by time
 * (lib/input/merge.h), every attempt counted at once (aggregates and client rows do not
 * depend on order) and condensed into an rl_attempt (lib/retry/attempt.h) for the retry
 * worker (lib/retry/worker.h); the committer (lib/store/writer.h) writes both threads' tables.
 * The threads' rule is at the top of ingest.h. */
#include "lib/ingest.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/aggregate/aggregate.h"
#include "lib/retry/worker.h"
#include "lib/retry/attempt.h"
#include "lib/aggregate/clients.h"
#include "lib/store/writer.h"
#include "lib/base/defaults.h"
#include "lib/classify/endpoint.h"
#include "lib/classify/error_table.h"
#include "lib/format/format.h"
#include "lib/classify/identity.h"
#include "lib/input/checkpoint.h"
#include "lib/input/merge.h"
#include "lib/input/prefetch.h"
#include "lib/input/reader.h"
#include "lib/mem/intern.h"
#include "lib/input/sniff.h"
#include "lib/input/source.h"
#include "lib/store/identity.h"
#include "lib/base/timestamp.h"

struct rl_ingest {
	rl_store *st;
	rl_ingest_opts o;
	rl_writer_work work;
	rl_intern *endpoints, *methods;
	rl_error_table *errors; /* the error rows behind failures' bodies (lib/classify/error_table.h) */
	signed char method_safe[RL_METHODS_CAP + 2]; /* by method id: -1 unknown, 0, 1 */
	rl_writer *commit;
	int64_t run_id;
	rl_readers readers; /* what the inputs share: counters, the samples of a flush */
	rl_reader *srcs;
	rl_checkpoints cps; /* where each file was left (lib/input/checkpoint.h) */
	rl_store_source_delta *deltas; /* per source: counts since the last flush */
	size_t nsrcs;
	rl_ingest_stats stats;
	int64_t last_commit_us; /* a stream commits every flush_every_us */
	int64_t last_progress_us;
	/* the retry analysis */
	rl_worker *analysis;
	_Atomic int64_t *time_res, *dur_res; /* per source, read by the analysis thread */
	const char **source_names;
	uint64_t next_seq;
	int64_t end_of_input; /* latest end seen, over every run of the database */
	/* where the run got to at each flush, for the writer thread to save (save_meta)
	 * while the parser goes on: two, used in turn, since a submit returns only once the
	 * batch before it is written */
	struct meta_snap {
		rl_ingest *ing;
		uint64_t next_seq;
		int64_t end_of_input;
	} snap[2];
	unsigned nflush;
	bool input_failed;
	bool streams; /* an input is a stream: every commit saves where the run got to */
	bool pending_run; /* rl_ingest_run_pending: a report's view, no checkpoints */
	_Atomic int stop; /* rl_ingest_stop's why: stop reading */
	int tick_rc; /* a commit a stream's tick made failed: the run stops with it */
	bool finished; /* the final commit is done */
	rl_err tick_err;
};

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

/* --field, --trusted-proxy and --client, for a report that counts pending lines as
 * this run would have (cli_pending_view): a list one per line. */
static int save_list(rl_store *st, const char *key, const char *const *v, size_t nv, rl_err *err)
{
	size_t n = 1;
	for (size_t i = 0; i < nv; i++)
		n += strlen(v[i]) + 1;
	char *list = malloc(n), *p = list;
	if (!list)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < nv; i++)
		p += sprintf(p, "%s%s", i ? "\n" : "", v[i]);
	*p = 0;
	int rc = rl_store_meta_set(st, key, list, err);
	free(list);
	return rc;
}

static int save_format_opts(rl_ingest *ing, rl_store *st, rl_err *err)
{
	const rl_format_opts *fo = &ing->o.format_opts;
	int rc;
	if ((rc = save_list(st, "format_fields", fo->fields, fo->nfields, err)) ||
	    (rc = save_list(st, "format_trusted_proxies", fo->trusted_proxies, fo->ntrusted_proxies, err)))
		return rc;
	return rl_store_meta_set(st, "format_client", fo->client ? fo->client : "", err);
}

/* In every commit of a stream's run (its retry state is saved with the analysis'
 * commits, lib/retry/worker.h), and in the last one of any: where the run got to. */
static int save_meta(void *ctx, rl_store *st, rl_err *err)
{
	const struct meta_snap *sn = ctx;
	rl_ingest *ing = sn->ing;
	int rc;
	if ((rc = rl_store_meta_set_i64(st, "end_of_input_us", sn->end_of_input, err)) ||
	    (rc = rl_store_meta_set_i64(st, "next_seq", (int64_t)sn->next_seq, err)) ||
	    (rc = rl_store_meta_set_i64(st, "clock_skew_us", ing->o.clock_skew_us, err)))
		return rc;
	return rl_store_meta_set_i64(st, "max_lag_us", ing->o.max_lag_us, err);
}

/* In the last transaction: the state the next run goes on from, the checkpoints (and
 * the format options a report counts their pending lines with), and the client cap. */
static int on_final(void *ctx, rl_store *st, rl_err *err)
{
	rl_ingest *ing = ((const struct meta_snap *)ctx)->ing;
	int rc;
	if ((rc = save_meta(ctx, st, err)) || (rc = save_format_opts(ing, st, err)) ||
	    (ing->analysis && (rc = rl_worker_save(ing->analysis, st, err))) ||
	    (!ing->pending_run && (rc = rl_checkpoints_save(&ing->cps, ing->srcs, ing->nsrcs, st, ing->run_id, err))))
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
	ing->readers.nsamples = 0;
}

/* Hands what was counted since the last flush to the committer. The final flush
 * (status set) saves the retry state and waits until it is written. A stream's flush
 * with commit (its timer's) first has the analysis judge and hand over every attempt
 * counted so far, with its state, so that one commit holds both (lib/store/writer.h);
 * a flush of full tables joins the open transaction (a file run's are all in one). */
static int flush(rl_ingest *ing, const char *status, bool commit, rl_err *err)
{
	if (ing->streams && commit && !status && ing->analysis) {
		int rc = rl_worker_flush(ing->analysis);
		if (rc) {
			rl_err_set(err, rc, NULL, 0, "the retry analysis failed");
			return rc;
		}
	}
	for (size_t i = 0; i < ing->nsrcs; i++) {
		ing->deltas[i].time_res_us = ing->srcs[i].time_res;
		ing->deltas[i].dur_res_us = ing->srcs[i].dur_res;
	}
	struct meta_snap *sn = &ing->snap[ing->nflush++ % 2];
	*sn = (struct meta_snap){ing, ing->next_seq, ing->end_of_input};
	rl_writer_totals t = {ing->readers.lines,
			      ing->stats.attempts,
			      ing->readers.rejected,
			      status,
			      status		       ? on_final
			      : ing->streams && commit ? save_meta
						       : NULL,
			      sn,
			      commit};
	ing->work.endpoints_upto = rl_intern_count(ing->endpoints);
	ing->work.methods_upto = rl_intern_count(ing->methods);
	ing->work.errors_upto = rl_error_table_count(ing->errors);
	int rc = rl_writer_submit(ing->commit, &ing->work, ing->deltas, ing->readers.samples, ing->readers.nsamples, &t,
				  status != NULL, err);
	deltas_reset(ing);
	if (commit)
		ing->last_commit_us = rl_mono_us();
	return rc;
}

static int count_record(rl_ingest *ing, size_t si)
{
	rl_reader *s = &ing->srcs[si];
	const rl_record *r = s->cur;
	if (ing->o.shard_n > 1 && rl_identity_shard(r, ing->o.shard_n) != ing->o.shard_i) {
		/* another shard's client: its line is counted there; its start still moves the
		 * clock, which is the whole input's (what is late, when chains close) */
		rl_reader_drop_record(s);
		return rl_worker_tick(ing->analysis, rl_record_start_us(r));
	}
	rl_store_source_delta *d = &ing->deltas[si];
	int64_t start = rl_record_start_us(r), end = rl_record_end_us(r);
	char buf[RL_ENDPOINT_MAX_LEN];
	const char *tpl = s->cur_tpl; /* made ahead with the parse (lib/input/prefetch.h) */
	size_t tn = s->cur_tpl_n;
	if (!tpl) {
		tpl = buf;
		tn = rl_prefetch_template(r, buf, sizeof buf);
	}
	uint32_t ep = rl_intern_id(ing->endpoints, tpl, tn);
	uint32_t me =
		r->method.n ? rl_intern_id(ing->methods, r->method.p, r->method.n) : rl_intern_id(ing->methods, "-", 1);
	uint32_t code = 0; /* the error row of a failure's body, 0 without one */
	if (!ep || !me || (r->body.n && rl_error_table_id(ing->errors, r->status, r->body, &code)))
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
	rl_reader_count_record(s);

	rl_attempt_origin o = {ing->next_seq++, s->name_hash, (uint16_t)si, ep, me, method_is_safe(ing, me)};
	return rl_worker_push(ing->analysis, r, &o);
}

/* Tells o.progress where the run is, at most every 100 ms (and at the end, done). */
static void progress(rl_ingest *ing, bool done)
{
	if (!ing->o.progress)
		return;
	int64_t now = rl_mono_us();
	if (!done && now - ing->last_progress_us < 100000)
		return;
	ing->last_progress_us = now;
	rl_ingest_progress p = {.lines = ing->readers.lines, .done = done};
	bool stream = false;
	for (size_t i = 0; i < ing->nsrcs; i++) {
		const rl_reader *r = &ing->srcs[i];
		if (!r->src || r->skip)
			continue;
		stream |= rl_source_is_stream(r->src);
		p.bytes += rl_source_position(r->src);
		p.total_bytes += r->file_size;
	}
	if (stream)
		p.total_bytes = 0;
	ing->o.progress(ing->o.progress_ctx, &p);
}

/* Checks, every few thousand records, whether a flush is due. */
static int maybe_flush(rl_ingest *ing, rl_err *err)
{
	bool due = rl_mono_us() - ing->last_commit_us >= ing->o.flush_every_us;
	if (due || rl_agg_full(ing->work.agg) || rl_clients_full(ing->work.clients))
		return flush(ing, NULL, due, err);
	return 0;
}

/* A stream is about to wait for input (lib/input/source.h): commits when one is due,
 * so an idle or slow stream keeps the database current. False stops the source. */
static bool tick(void *ctx)
{
	rl_ingest *ing = ctx;
	if (atomic_load_explicit(&ing->stop, memory_order_relaxed) || ing->tick_rc)
		return false;
	progress(ing, false);
	if (!ing->analysis || rl_mono_us() - ing->last_commit_us < ing->o.flush_every_us)
		return true;
	ing->tick_rc = flush(ing, NULL, true, &ing->tick_err);
	return ing->tick_rc == 0;
}

void rl_ingest_stop(rl_ingest *ing, int why)
{
	atomic_store_explicit(&ing->stop, why ? why : -1, memory_order_relaxed);
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
	ing->errors = rl_error_table_new(RL_ERRORS_CAP);
	int rc;
	if (!ing->work.agg || !ing->work.clients || !ing->endpoints || !ing->methods || !ing->errors) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	/* the database's names keep their ids, and count towards the caps */
	if ((rc = rl_store_names(st, RL_NAME_ENDPOINT, rl_intern_preload, ing->endpoints, err)) ||
	    (rc = rl_store_names(st, RL_NAME_METHOD, rl_intern_preload, ing->methods, err)) ||
	    (rc = rl_store_errors(st, rl_error_table_preload, ing->errors, err)))
		goto fail;
	if ((rc = rl_store_begin(st, err)))
		goto fail;
	if ((rc = rl_store_identity_claim_shard(st, ing->o.shard_i, ing->o.shard_n, err)) ||
	    (rc = rl_store_identity_claim(st, ing->o.policy, ing->o.retry_window_us, err)) ||
	    (rc = rl_store_run_begin(st, ing->o.command, &ing->run_id, err))) {
		rl_store_rollback(st);
		goto fail;
	}
	if ((rc = rl_store_commit(st, err)) || (rc = load_meta(ing, err)))
		goto fail;
	ing->last_commit_us = rl_mono_us();
	*out = ing;
	return 0;
fail:
	rl_ingest_free(ing);
	return rc;
}

/* Opens every input first: a missing file fails before anything is counted. */
/* The arrays of n inputs, and what the readers share. */
static int alloc_inputs(rl_ingest *ing, size_t n, rl_err *err)
{
	ing->srcs = calloc(n ? n : 1, sizeof *ing->srcs);
	ing->deltas = calloc(n ? n : 1, sizeof *ing->deltas);
	rl_readers *all = &ing->readers;
	*all = (rl_readers){.format_spec = strcmp(ing->o.format, "auto") != 0 ? ing->o.format : NULL,
			    .format_opts = &ing->o.format_opts,
			    .max_line = ing->o.max_line,
			    .max_samples = ing->o.max_samples,
			    .cap_samples = n * ing->o.max_samples,
			    .notice = ing->o.notice,
			    .notice_ctx = ing->o.notice_ctx,
			    .tick = tick,
			    .tick_ctx = ing,
			    .keep_pending = ing->o.keep_pending,
			    .others_elsewhere = ing->o.shard_n > 1 && ing->o.shard_i != 0};
	all->samples = calloc(all->cap_samples ? all->cap_samples : 1, sizeof *all->samples);
	ing->time_res = calloc(n ? n : 1, sizeof *ing->time_res);
	ing->dur_res = calloc(n ? n : 1, sizeof *ing->dur_res);
	ing->source_names = calloc(n ? n : 1, sizeof *ing->source_names);
	if (!ing->srcs || !ing->deltas || !all->samples || !ing->time_res || !ing->dur_res || !ing->source_names)
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	return 0;
}

/* Reader i before it opens: its counts and its resolution for the analysis thread. */
static rl_reader *reader_at(rl_ingest *ing, size_t i)
{
	rl_reader *s = &ing->srcs[i];
	ing->nsrcs = i + 1;
	s->delta = &ing->deltas[i];
	s->time_res_pub = &ing->time_res[i];
	s->dur_res_pub = &ing->dur_res[i];
	return s;
}

static int open_inputs(rl_ingest *ing, const char *const *paths, size_t n, rl_err *err)
{
	int rc = alloc_inputs(ing, n, err);
	if (rc)
		return rc;
	rl_readers *all = &ing->readers;
	for (size_t i = 0; i < n; i++) {
		rl_reader *s = reader_at(ing, i);
		rc = rl_reader_open(s, all, i, paths[i], err);
		if (rc)
			return rc;
		ing->deltas[i].name = s->name;
		ing->source_names[i] = s->name;
		for (size_t j = 0; j < i && s->ino; j++)
			if (ing->srcs[j].ino == s->ino && ing->srcs[j].dev == s->dev && !ing->srcs[j].skip) {
				s->skip = s->eof = true;
				ing->deltas[i].name = NULL; /* nothing to record */
				ing->source_names[i] = NULL;
				rl_readers_notice(&ing->readers, s->name, false, "the same file as %s: read once",
						  ing->srcs[j].name);
				break;
			}
		if (!s->skip && strcmp(ing->o.format, "auto") != 0 &&
		    (rc = rl_format_new(&s->fmt, ing->o.format, &ing->o.format_opts, err)))
			return rc;
	}
	/* each file goes on from where an earlier run left it */
	if ((rc = rl_checkpoints_load(&ing->cps, ing->st, err)) ||
	    (rc = rl_checkpoints_place(&ing->cps, ing->srcs, n, strcmp(ing->o.format, "auto") == 0, err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if (ing->srcs[i].skip)
			ing->source_names[i] = NULL;
	deltas_reset(ing);
	return 0;
}

/* The pending last lines of the database's files, as inputs (a report's view). */
static int open_pending(rl_ingest *ing, size_t *n, rl_err *err)
{
	int rc = rl_checkpoints_load(&ing->cps, ing->st, err);
	if (rc)
		return rc;
	*n = rl_checkpoints_pending(&ing->cps);
	if ((rc = alloc_inputs(ing, *n, err)))
		return rc;
	for (size_t k = 0, i = 0; k < ing->cps.n; k++) {
		const rl_store_checkpoint *cp = &ing->cps.v[k];
		if (!cp->npending)
			continue;
		rl_reader *s = reader_at(ing, i);
		if ((rc = rl_reader_open_mem(s, &ing->readers, i, cp->name, cp->pending, cp->npending, err)) ||
		    (rc = rl_source_skip(s->src, 0, cp->lines, err))) /* its line number */
			return rc;
		ing->deltas[i].name = s->name;
		ing->source_names[i] = s->name;
		s->samples_taken = cp->run_samples; /* as the run that read the rest of it */
		rl_checkpoints_bind(&ing->cps, s, k);
		i++;
	}
	deltas_reset(ing);
	return 0;
}

/* Notes an input that failed midway: what was read counts, the others go on. */
static void input_failed(rl_ingest *ing, rl_reader *s)
{
	ing->input_failed = true;
	s->failed = true;
	if (s->err.line > 0)
		rl_readers_notice(&ing->readers, s->name, true, "line %lld: %s", s->err.line, s->err.msg);
	else
		rl_readers_notice(&ing->readers, s->name, true, "%s", s->err.msg);
	s->error = 0;
}

/* Reads the n opened inputs, merged by time, and commits. */
static int run_readers(rl_ingest *ing, size_t n, rl_err *err)
{
	int rc;
	if ((rc = rl_writer_new(&ing->commit, ing->st, ing->endpoints, ing->methods, ing->errors, ing->run_id, n,
				ing->readers.cap_samples, ing->o.max_keys, err)))
		return rc;
	/* files are read again after a crash, from their checkpoints: a run of files is one
	 * transaction, so a kill leaves the database as it was; a stream cannot be read
	 * again, so it commits as it goes */
	for (size_t i = 0; i < n; i++)
		ing->streams |= ing->srcs[i].src && rl_source_is_stream(ing->srcs[i].src);
	rl_writer_one_transaction(ing->commit, !ing->streams);
	if (ing->o.all_time_latency)
		rl_writer_all_time_latency(ing->commit);
	rl_worker_opts ao = {.policy = ing->o.policy,
			     .window_us = ing->o.retry_window_us,
			     .max_lag_us = ing->o.max_lag_us,
			     .clock_skew_us = ing->o.clock_skew_us,
			     .jobs = ing->pending_run ? 1 : ing->o.jobs,
			     .max_keys = ing->o.max_keys,
			     .endpoints = ing->endpoints,
			     .methods = ing->methods,
			     .commit = ing->commit,
			     .nsources = n,
			     .source_names = ing->source_names,
			     .time_res = ing->time_res,
			     .dur_res = ing->dur_res,
			     .save_every_commit = ing->streams,
			     .continue_clock = ing->pending_run};
	if ((rc = rl_worker_new(&ing->analysis, &ao, err)) || (rc = rl_worker_load(ing->analysis, ing->st, err)))
		return rc;
	rl_worker_start(ing->analysis);
	/* formats, then the first record of each input */
	for (size_t i = 0; i < n; i++) {
		rl_reader *s = &ing->srcs[i];
		if (s->skip) {
			if (s->error) /* it failed where its checkpoint put it (lib/input/checkpoint.h) */
				input_failed(ing, s);
			continue;
		}
		ing->stats.sources++;
		if ((rc = rl_reader_start(s, err)))
			return rc;
		if (s->error)
			input_failed(ing, s);
	}
	/* merge by start time, ties in command-line order */
	unsigned k = 0;
	for (;;) {
		size_t best = rl_merge_next(ing->srcs, n);
		if (best == n)
			break;
		if ((rc = count_record(ing, best)))
			goto fail;
		rl_reader *b = &ing->srcs[best];
		if (atomic_load_explicit(&ing->stop, memory_order_relaxed) && !rl_source_is_stream(b->src) &&
		    !rl_format_is_document(b->fmt)) {
			/* stopped: a file's record in the merge counts, nothing more is read (its
			 * checkpoint is after it; a stream goes on to the end of what it has: its
			 * source stops at its next read, after the whole lines it holds; a document
			 * hands out the rest of its items) */
			b->has_rec = false;
			b->eof = b->cut = true;
		} else {
			rl_reader_pull(b);
		}
		if (ing->srcs[best].error)
			input_failed(ing, &ing->srcs[best]);
		if (ing->tick_rc)
			break;
		if (++k % 256 == 0) {
			if ((rc = maybe_flush(ing, err)))
				return rc;
			progress(ing, false);
		}
	}
	if (ing->tick_rc) { /* a commit a stream's tick made failed (here or while starting) */
		*err = ing->tick_err;
		rc = ing->tick_rc;
		goto fail;
	}
	/* an input of which no line parsed was read with the wrong format: say so */
	size_t wrong = 0;
	for (size_t i = 0; i < n; i++) {
		rl_reader *s = &ing->srcs[i];
		if (s->skip || s->failed || !s->fmt || !s->run_nonblank || s->run_parsed || ing->pending_run)
			continue;
		ing->input_failed = true;
		s->no_checkpoint = true; /* to be read again, with the right format */
		rl_readers_notice(&ing->readers, s->name, true,
				  "none of its %llu lines parse as %s: is it another format? 'retrylens check-format "
				  "%s' shows what each format makes of its lines",
				  (unsigned long long)s->run_nonblank, rl_format_name(s->fmt), s->name);
		wrong++;
	}
	if (wrong && ing->o.wrong_format_writes_nothing && !ing->streams) {
		/* its lines would be counted again, rightly, by the run with the right format:
		 * the run's one transaction is rolled back */
		rc = rl_err_set(err, RL_EINPUT, NULL, 0,
				"nothing of this run was written (%zu input%s had the wrong format): the same command "
				"with the right --format reads every line once",
				wrong, wrong == 1 ? "" : "s");
		goto fail;
	}
	ing->stats.stopped = atomic_load_explicit(&ing->stop, memory_order_relaxed);
	for (size_t i = 0; i < n; i++)
		if (ing->srcs[i].src) {
			ing->stats.dropped += rl_source_dropped(ing->srcs[i].src);
			ing->stats.bytes += rl_source_bytes_read(ing->srcs[i].src);
		}
	/* the analysis commits its last tables, then the final commit saves its state */
	if ((rc = rl_worker_stop(ing->analysis, err)) ||
	    (rc = flush(ing, ing->input_failed ? "failed" : "ok", true, err)))
		return rc;
	progress(ing, true);
	ing->finished = true;
	rl_err_clear(err);
	return ing->input_failed ? RL_EINPUT : 0;
fail:
	if (rc == RL_ENOMEM)
		rl_err_set(err, rc, NULL, 0, "out of memory");
	else
		rl_worker_stop(ing->analysis, err);
	return rc;
}

/* After an error before the final commit: the threads stop, and the run's row says it
 * failed (report would otherwise take it for a run that was killed). Best effort: the
 * database may be what failed. */
static void mark_failed(rl_ingest *ing)
{
	rl_err ignored;
	rl_err_clear(&ignored);
	if (ing->analysis)
		(void)rl_worker_stop(ing->analysis, &ignored);
	rl_writer_free(ing->commit); /* waits for what it was writing */
	ing->commit = NULL;
	rl_store_rollback(ing->st);
	if (ing->run_id && !rl_store_begin(ing->st, &ignored)) {
		if (rl_store_run_fail(ing->st, ing->run_id, &ignored))
			rl_store_rollback(ing->st);
		else
			(void)rl_store_commit(ing->st, &ignored);
	}
}

int rl_ingest_run(rl_ingest *ing, const char *const *paths, size_t n, rl_err *err)
{
	int rc = open_inputs(ing, paths, n, err);
	if (!rc)
		rc = run_readers(ing, n, err);
	if (rc && !ing->finished)
		mark_failed(ing);
	for (size_t i = 0; (!rc || rc == RL_EINPUT) && i < ing->nsrcs; i++) {
		size_t parts = ing->srcs[i].pending_parts;
		if (parts == 1)
			rl_readers_notice(&ing->readers, ing->srcs[i].name, false,
					  "its last line (%zu bytes) is a part of a record whose end has not come yet: "
					  "the next run reads it again, and a report counts it as if input ended there",
					  ing->srcs[i].npending);
		else if (parts)
			rl_readers_notice(&ing->readers, ing->srcs[i].name, false,
					  "its last %zu lines (%zu bytes) are parts of a record whose end has not come "
					  "yet: the next run reads them again, and a report counts them as if input "
					  "ended there",
					  parts, ing->srcs[i].npending);
		else if (ing->srcs[i].npending)
			rl_readers_notice(&ing->readers, ing->srcs[i].name, false,
					  "its last line (%zu bytes) has no newline yet: the next run reads it again, "
					  "and a report counts it as if input ended there",
					  ing->srcs[i].npending);
	}
	return rc;
}

int rl_ingest_run_pending(rl_ingest *ing, rl_err *err)
{
	size_t n = 0;
	ing->pending_run = true;
	int rc = open_pending(ing, &n, err);
	if (!rc)
		rc = run_readers(ing, n, err);
	if (rc && !ing->finished)
		mark_failed(ing);
	return rc;
}

void rl_ingest_get_stats(const rl_ingest *ing, rl_ingest_stats *out)
{
	*out = ing->stats;
	out->lines = ing->readers.lines;
	out->rejected = ing->readers.rejected;
	out->skipped = ing->readers.skipped;
	out->active_keys = ing->analysis ? rl_worker_active(ing->analysis) : 0;
	out->analysis_bytes = ing->analysis ? rl_worker_bytes(ing->analysis) : 0;
	out->state_writes = ing->analysis ? rl_worker_state_writes(ing->analysis) : 0;
}

void rl_ingest_free(rl_ingest *ing)
{
	if (!ing)
		return;
	rl_worker_free(ing->analysis);
	rl_writer_free(ing->commit);
	for (size_t i = 0; i < ing->nsrcs; i++)
		rl_reader_close(&ing->srcs[i]);
	free(ing->srcs);
	rl_checkpoints_free(&ing->cps);
	free(ing->deltas);
	free(ing->readers.samples);
	free(ing->time_res);
	free(ing->dur_res);
	free(ing->source_names);
	rl_agg_free(ing->work.agg);
	rl_clients_free(ing->work.clients);
	free(ing->work.cand);
	free(ing->work.rekeyed);
	rl_intern_free(ing->endpoints);
	rl_intern_free(ing->methods);
	rl_error_table_free(ing->errors);
	free(ing);
}
