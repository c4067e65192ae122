/* merge/merge.c - which inputs to merge, checked before anything is written, then each
 * merged in a transaction of its own. */
#include "lib/merge/merge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/store/identity.h"
#include "lib/store/merge.h"

/* What an input is, read before any merging. */
typedef struct input {
	const char *path;
	rl_store_identity id;
	char *policy_json;
	char shard[32]; /* "I/N", "" for a whole database */
	size_t nholds; /* databases it merged itself */
	bool skip;
} input;

/* A list of uuids. */
typedef struct uuids {
	char **v;
	size_t n, cap;
} uuids;

static bool uuids_has(const uuids *u, const char *s)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->v[i], s) == 0)
			return true;
	return false;
}

static int uuids_add(uuids *u, const char *s)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		char **v = realloc(u->v, cap * sizeof *v);
		if (!v)
			return RL_ENOMEM;
		u->v = v;
		u->cap = cap;
	}
	return (u->v[u->n] = strdup(s)) ? (u->n++, 0) : RL_ENOMEM;
}

static void uuids_free(uuids *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->v[i]);
	free(u->v);
}

static int add_merged(void *ctx, const char *uuid, const char *shard, bool leaf)
{
	(void)shard;
	(void)leaf;
	return uuids_add(ctx, uuid);
}

static void notice(const rl_merge_opts *o, const char *source, bool is_error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void notice(const rl_merge_opts *o, const char *source, bool is_error, const char *fmt, ...)
{
	if (!o || !o->notice)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o->notice(o->notice_ctx, source, msg, is_error);
}

/* Reads what the database at in->path is (it is opened, and brought to this version's
 * schema, as a report would). */
static int read_input(input *in, uuids *holds, rl_err *err)
{
	rl_store *st;
	rl_store_opts so = {.must_exist = true};
	int rc = rl_store_open(&st, in->path, &so, err);
	if (rc)
		return rc;
	if ((rc = rl_store_identity_read(st, &in->id, err)) ||
	    (rc = rl_store_meta_dup(st, "policy_json", &in->policy_json, err)) < 0 ||
	    (rc = rl_store_merged_each(st, add_merged, holds, err)))
		goto done;
	rc = 0;
	if (in->id.shard_n > 1)
		snprintf(in->shard, sizeof in->shard, "%u/%u", in->id.shard_i, in->id.shard_n);
done:
	rl_store_close(st);
	return rc;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Checks every input against out and the others; marks those to skip. */
static int check_inputs(rl_store *out, input *in, size_t n, uuids *held, const rl_merge_opts *o,
			const char **ref_policy, const char **ref_from, int64_t *ref_window, rl_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		input *x = &in[i];
		uuids holds = {0};
		if (same_file(x->path, rl_store_path(out))) {
			notice(o, x->path, false, "the database merged into: skipped");
			x->skip = true;
			continue;
		}
		if ((rc = read_input(x, &holds, err)))
			break;
		if (!x->id.built) {
			notice(o, x->path, false, "holds nothing yet: skipped");
			x->skip = true;
		} else if (uuids_has(held, x->id.uuid)) {
			notice(o, x->path, false, "merged already (uuid %s): skipped, nothing counted twice",
			       x->id.uuid);
			x->skip = true;
		} else if (!*ref_policy ||
			   (strcmp(*ref_policy, x->policy_json) == 0 && *ref_window == x->id.retry_window_us)) {
			if (!*ref_policy) {
				*ref_policy = x->policy_json;
				*ref_from = x->path;
				*ref_window = x->id.retry_window_us;
			}
			for (size_t k = 0; k < holds.n && !rc; k++)
				if (uuids_has(held, holds.v[k]))
					rc = rl_err_set(
						err, RL_EUSAGE, x->path, 0,
						"it holds a database (uuid %s) that is merged already: its counts "
						"would be added twice; merge its own inputs instead",
						holds.v[k]);
			for (size_t k = 0; k < holds.n && !rc; k++)
				rc = uuids_add(held, holds.v[k]);
			x->nholds = holds.n;
			if (!rc)
				rc = uuids_add(held, x->id.uuid);
		} else if (strcmp(*ref_policy, x->policy_json) != 0) {
			rc = rl_err_set(err, RL_EUSAGE, x->path, 0,
					"it was built with policy '%s', %s with another: merge databases of one policy "
					"(and one --retry-window); nothing was written",
					x->id.policy.name, *ref_from);
		} else {
			rc = rl_err_set(err, RL_EUSAGE, x->path, 0,
					"it was built with --retry-window %g s, %s with %g s: merge databases of one "
					"window; nothing was written",
					(double)x->id.retry_window_us / 1e6, *ref_from, (double)*ref_window / 1e6);
		}
		uuids_free(&holds);
	}
	return rc == RL_ENOMEM ? rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory") : rc;
}

/* Merges one checked input into out, in a transaction of its own; the first also
 * records out's own lines as a leaf (own_leaf: a database ingest built). */
static int merge_one(rl_store *out, const input *x, const char *own_leaf, const char *own_shard, const rl_merge_opts *o,
		     rl_merge_stats *stats, rl_err *err)
{
	int rc = rl_store_attach(out, x->path, err);
	if (rc)
		return rc;
	int64_t run_id = 0;
	rl_store_merged m;
	if ((rc = rl_store_begin(out, err)))
		goto done;
	/* out's own lines are a leaf; out holds more than its shard from now on */
	if ((own_leaf && (rc = rl_store_merged_note(out, own_leaf, own_shard, true, err))) ||
	    (own_shard && (rc = rl_store_meta_set(out, "shard", "", err))) ||
	    (rc = rl_store_identity_claim(out, &x->id.policy, x->id.retry_window_us, err)) ||
	    (rc = rl_store_run_begin(out, "merge", &run_id, err)))
		goto fail;
	rl_store_merge_in mi = {x->id.uuid, x->shard[0] ? x->shard : NULL, x->nholds == 0, run_id};
	if ((rc = rl_store_merge_attached(out, &mi, &m, err)) ||
	    (rc = rl_store_run_update(out, run_id, m.lines, m.attempts, m.rejected, "ok", err)) ||
	    (rc = rl_store_merged_mode(out, stats->mode, &stats->leaves, &stats->shards_of, err)) ||
	    (rc = rl_store_meta_set(out, "merged_mode", stats->mode, err)) ||
	    (rc = rl_store_meta_set_i64(out, "merged_inputs", stats->leaves, err)) ||
	    (rc = rl_store_meta_set_i64(out, "merged_shards_of", stats->shards_of, err)) ||
	    (rc = rl_store_commit(out, err)))
		goto fail;
	if (m.pending)
		notice(o, x->path, false,
		       "%llu of its files ended in a line without its newline yet: that line is not merged (a "
		       "report of %s counts it; merge takes what it committed)",
		       (unsigned long long)m.pending, x->path);
	stats->merged++;
	stats->lines += m.lines;
	stats->attempts += m.attempts;
	stats->rejected += m.rejected;
	stats->chains += m.chains;
	stats->waiting += m.waiting;
	stats->apart += m.apart;
	goto done;
fail:
	rl_store_rollback(out);
done:
	rl_store_detach(out);
	return rc;
}

int rl_merge_run(rl_store *out, const char *const *paths, size_t n, const rl_merge_opts *o, rl_merge_stats *stats,
		 rl_err *err)
{
	memset(stats, 0, sizeof *stats);
	strcpy(stats->mode, "none");
	rl_store_identity out_id;
	char *out_policy = NULL;
	uuids held = {0};
	input *in = calloc(n ? n : 1, sizeof *in);
	int rc = in ? 0 : rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	if (rc || (rc = rl_store_identity_read(out, &out_id, err)) ||
	    (rc = rl_store_meta_dup(out, "policy_json", &out_policy, err)) < 0 ||
	    (rc = rl_store_merged_each(out, add_merged, &held, err)))
		goto done;
	rc = 0;
	/* out's own lines (a database ingest built, merged into for the first time) are
	 * one of the leaves */
	bool own = out_id.built && held.n == 0;
	char own_shard[32] = "";
	if (own && out_id.shard_n > 1)
		snprintf(own_shard, sizeof own_shard, "%u/%u", out_id.shard_i, out_id.shard_n);
	if (out_id.uuid[0] && (rc = uuids_add(&held, out_id.uuid)))
		goto done;
	const char *ref_policy = out_id.built ? out_policy : NULL, *ref_from = rl_store_path(out);
	int64_t ref_window = out_id.retry_window_us;
	for (size_t i = 0; i < n; i++)
		in[i].path = paths[i];
	if ((rc = check_inputs(out, in, n, &held, o, &ref_policy, &ref_from, &ref_window, err)))
		goto done;
	for (size_t i = 0; i < n && !rc; i++) {
		if (in[i].skip) {
			stats->skipped++;
			continue;
		}
		rc = merge_one(out, &in[i], own ? out_id.uuid : NULL, own_shard[0] ? own_shard : NULL, o, stats, err);
		own = false;
		if (!rc)
			notice(o, in[i].path, false, "merged%s%s", in[i].shard[0] ? ": shard " : "", in[i].shard);
	}
	if (!rc && !stats->merged)
		rc = rl_store_merged_mode(out, stats->mode, &stats->leaves, &stats->shards_of, err);
done:
	for (size_t i = 0; in && i < n; i++)
		free(in[i].policy_json);
	free(in);
	free(out_policy);
	uuids_free(&held);
	return rc;
}
