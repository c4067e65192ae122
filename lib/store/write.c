/* store/write.c - every write to the database: names and error rows, the aggregate
 * rows (many to a statement), clients, lockstep candidates, saved state, sources,
 * rejected samples and runs. Each statement is a file under sql/write/. */
#include <sqlite3.h>
#include <stdint.h>

#include "lib/store/store.h"
#include "lib/store/internal.h"
#include "lib/base/timestamp.h"

#define WRITE_FAILED "cannot write to the database"

/* --- names and error rows ------------------------------------------------------- */

int rl_store_name_id(rl_store *st, rl_name_kind kind, const char *name, int64_t *id, rl_err *err)
{
	rl_store_stmt_id ins = kind == RL_NAME_ENDPOINT ? RL_S_ENDPOINT_INSERT : RL_S_METHOD_INSERT;
	rl_store_stmt_id sel = kind == RL_NAME_ENDPOINT ? RL_S_ENDPOINT_ID : RL_S_METHOD_ID;
	sqlite3_stmt *s = rl_store_stmt(st, ins, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = rl_store_run_stmt(st, s, err, WRITE_FAILED);
	if (rc)
		return rc;
	if (!(s = rl_store_stmt(st, sel, err)))
		return RL_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rl_store_db_err(st, err, "cannot read back a name");
}

int rl_store_error_id(rl_store *st, const rl_store_error_row *r, int64_t *id, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_ERROR_INSERT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int(s, 1, r->status);
	sqlite3_bind_text(s, 2, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->message, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->sample, -1, SQLITE_STATIC);
	int rc = rl_store_run_stmt(st, s, err, WRITE_FAILED);
	if (rc || !(s = rl_store_stmt(st, RL_S_ERROR_ID, err)))
		return rc ? rc : RL_EDB;
	sqlite3_bind_int(s, 1, r->status);
	sqlite3_bind_text(s, 2, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->message, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rl_store_db_err(st, err, "cannot read back an error row");
}

/* --- aggregate rows: one binder per table, in its file's column order ------------ */

static void bind_bucket(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_bucket_row *b = row;
	sqlite3_bind_int64(s, at + 1, b->minute);
	sqlite3_bind_int64(s, at + 2, b->endpoint);
	sqlite3_bind_int64(s, at + 3, b->method);
	sqlite3_bind_int(s, at + 4, b->status);
	sqlite3_bind_int64(s, at + 5, b->code);
	sqlite3_bind_int64(s, at + 6, (sqlite3_int64)b->attempts);
}

/* The totals tables: the same rows without their minute. */
static void bind_bucket_total(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_bucket_row *b = row;
	sqlite3_bind_int64(s, at + 1, b->endpoint);
	sqlite3_bind_int64(s, at + 2, b->method);
	sqlite3_bind_int(s, at + 3, b->status);
	sqlite3_bind_int64(s, at + 4, b->code);
	sqlite3_bind_int64(s, at + 5, (sqlite3_int64)b->attempts);
}

static void bind_minute_status(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_bucket_row *b = row;
	sqlite3_bind_int64(s, at + 1, b->minute);
	sqlite3_bind_int(s, at + 2, b->status);
	sqlite3_bind_int64(s, at + 3, (sqlite3_int64)b->attempts);
}

static void bind_latency_total(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_latency_row *l = row;
	sqlite3_bind_int64(s, at + 1, l->endpoint);
	sqlite3_bind_int64(s, at + 2, l->method);
	sqlite3_bind_int64(s, at + 3, l->bucket);
	sqlite3_bind_int64(s, at + 4, (sqlite3_int64)l->count);
}

static void bind_retry_total(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_retry_row *r = row;
	sqlite3_bind_int64(s, at + 1, r->endpoint);
	sqlite3_bind_int64(s, at + 2, r->method);
	for (int i = 0; i < RL_RC_N; i++)
		sqlite3_bind_int64(s, at + 3 + i, (sqlite3_int64)r->v[i]);
}

static void bind_retry(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_retry_row *r = row;
	sqlite3_bind_int64(s, at + 1, r->minute);
	sqlite3_bind_int64(s, at + 2, r->endpoint);
	sqlite3_bind_int64(s, at + 3, r->method);
	for (int i = 0; i < RL_RC_N; i++)
		sqlite3_bind_int64(s, at + 4 + i, (sqlite3_int64)r->v[i]);
}

static void bind_minute(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_minute_row *m = row;
	sqlite3_bind_int64(s, at + 1, m->minute);
	for (int i = 0; i < RL_AGG_NMINUTE; i++)
		sqlite3_bind_int64(s, at + 2 + i, (sqlite3_int64)m->v[i]);
}

static void bind_latency(sqlite3_stmt *s, int at, const void *row)
{
	const rl_store_latency_row *l = row;
	sqlite3_bind_int64(s, at + 1, l->minute);
	sqlite3_bind_int64(s, at + 2, l->endpoint);
	sqlite3_bind_int64(s, at + 3, l->method);
	sqlite3_bind_int64(s, at + 4, l->bucket);
	sqlite3_bind_int64(s, at + 5, (sqlite3_int64)l->count);
}

/* Writes n rows of size sz, RL_STORE_MULTI to the multi statement while that many are
 * left, the rest one by one; a row's columns are the single statement's parameters. */
static int add_rows(rl_store *st, rl_store_stmt_id single, rl_store_stmt_id multi, const void *rows, size_t n,
		    size_t sz, void (*bind)(sqlite3_stmt *, int, const void *), rl_err *err)
{
	sqlite3_stmt *one = n ? rl_store_stmt(st, single, err) : NULL;
	if (n && !one)
		return RL_EDB;
	int cols = one ? sqlite3_bind_parameter_count(one) : 0;
	size_t i = 0;
	while (i < n) {
		int k = n - i >= RL_STORE_MULTI ? RL_STORE_MULTI : 1;
		sqlite3_stmt *s = k == RL_STORE_MULTI ? rl_store_stmt(st, multi, err) : one;
		if (!s)
			return RL_EDB;
		for (int r = 0; r < k; r++, i++)
			bind(s, r * cols, (const char *)rows + i * sz);
		int rc = rl_store_run_stmt(st, s, err, WRITE_FAILED);
		if (rc)
			return rc;
	}
	return 0;
}

int rl_store_add_buckets(rl_store *st, const rl_store_bucket_row *b, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_BUCKET, RL_S_BUCKET_MULTI, b, n, sizeof *b, bind_bucket, err);
}

int rl_store_add_latencies(rl_store *st, const rl_store_latency_row *l, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_LATENCY, RL_S_LATENCY_MULTI, l, n, sizeof *l, bind_latency, err);
}

int rl_store_add_retries(rl_store *st, const rl_store_retry_row *r, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_RETRY, RL_S_RETRY_MULTI, r, n, sizeof *r, bind_retry, err);
}

int rl_store_add_bucket_totals(rl_store *st, const rl_store_bucket_row *b, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_BUCKET_TOTAL, RL_S_BUCKET_TOTAL_MULTI, b, n, sizeof *b, bind_bucket_total, err);
}

int rl_store_add_minute_status(rl_store *st, const rl_store_bucket_row *b, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_MINUTE_STATUS, RL_S_MINUTE_STATUS_MULTI, b, n, sizeof *b, bind_minute_status, err);
}

int rl_store_add_latency_totals(rl_store *st, const rl_store_latency_row *l, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_LATENCY_TOTAL, RL_S_LATENCY_TOTAL_MULTI, l, n, sizeof *l, bind_latency_total, err);
}

int rl_store_add_retry_totals(rl_store *st, const rl_store_retry_row *r, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_RETRY_TOTAL, RL_S_RETRY_TOTAL_MULTI, r, n, sizeof *r, bind_retry_total, err);
}

int rl_store_add_minutes(rl_store *st, const rl_store_minute_row *m, size_t n, rl_err *err)
{
	return add_rows(st, RL_S_MINUTE, RL_S_MINUTE_MULTI, m, n, sizeof *m, bind_minute, err);
}

/* --- clients and lockstep ----------------------------------------------------------- */

int rl_store_add_client(rl_store *st, const rl_store_client_row *r, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_CLIENT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)r->hash);
	if (r->name)
		sqlite3_bind_text(s, 2, r->name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	for (int i = 0; i < RL_CL_N; i++)
		sqlite3_bind_int64(s, 3 + i, (sqlite3_int64)r->v[i]);
	sqlite3_bind_int64(s, 3 + RL_CL_N, r->ev_violations);
	if (r->evidence) {
		sqlite3_bind_int64(s, 4 + RL_CL_N, r->ev_start);
		sqlite3_bind_blob(s, 5 + RL_CL_N, r->evidence, (int)r->evidence_len, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(s, 4 + RL_CL_N);
		sqlite3_bind_null(s, 5 + RL_CL_N);
	}
	if (r->last_us != INT64_MIN)
		sqlite3_bind_int64(s, 6 + RL_CL_N, r->last_us);
	else
		sqlite3_bind_null(s, 6 + RL_CL_N);
	int rc = rl_store_run_stmt(st, s, err, WRITE_FAILED);
	sqlite3_clear_bindings(s);
	return rc;
}

int rl_store_prune_clients(rl_store *st, size_t cap, uint64_t *pruned, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_PRUNE_CLIENTS, err);
	int rc = s ? 0 : RL_EDB;
	if (!rc) {
		sqlite3_bind_int64(s, 1, cap > INT64_MAX ? INT64_MAX : (sqlite3_int64)cap);
		rc = rl_store_run_stmt(st, s, err, WRITE_FAILED);
	}
	uint64_t n = rc ? 0 : (uint64_t)sqlite3_changes(st->db);
	if (pruned)
		*pruned = n;
	if (!rc && n)
		rc = rl_store_meta_set(st, "clients_capped", "1", err);
	return rc;
}

int rl_store_add_candidate(rl_store *st, unsigned round, int64_t start_us, uint64_t client, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_CANDIDATE, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, round);
	sqlite3_bind_int64(s, 2, start_us);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)client);
	return rl_store_run_stmt(st, s, err, WRITE_FAILED);
}

int rl_store_add_rekeyed_client(rl_store *st, uint64_t client, uint64_t attempts, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_REKEYED_CLIENT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)client);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)attempts);
	return rl_store_run_stmt(st, s, err, WRITE_FAILED);
}

/* --- saved state ---------------------------------------------------------------------- */

int rl_store_state_delete(rl_store *st, int kind, uint64_t key, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_STATE_DELETE, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int(s, 1, kind);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)key);
	return rl_store_run_stmt(st, s, err, WRITE_FAILED);
}

int rl_store_state_put(rl_store *st, int kind, uint64_t key, const void *blob, size_t n, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_STATE_PUT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int(s, 1, kind);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)key);
	sqlite3_bind_blob(s, 3, blob, (int)n, SQLITE_STATIC);
	return rl_store_run_stmt(st, s, err, WRITE_FAILED);
}

/* --- sources, rejected samples, runs -------------------------------------------------- */

/* Binds v at idx, or NULL when v is not set. */
static void bind_opt_i64(sqlite3_stmt *s, int idx, bool set, int64_t v)
{
	if (set)
		sqlite3_bind_int64(s, idx, v);
	else
		sqlite3_bind_null(s, idx);
}

int rl_store_add_source(rl_store *st, const rl_store_source_delta *d, int64_t *source_id, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_SOURCE, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, d->name, -1, SQLITE_STATIC);
	if (d->format)
		sqlite3_bind_text(s, 2, d->format, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)d->lines);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)d->attempts);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)d->rejected);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)d->late);
	bind_opt_i64(s, 7, d->first_us != INT64_MAX, d->first_us);
	bind_opt_i64(s, 8, d->last_us != INT64_MIN, d->last_us);
	bind_opt_i64(s, 9, d->time_res_us > 0, d->time_res_us);
	bind_opt_i64(s, 10, d->dur_res_us > 0, d->dur_res_us);
	sqlite3_bind_int64(s, 11, (sqlite3_int64)d->skipped);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && source_id)
		*source_id = sqlite3_column_int64(s, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rl_store_db_err(st, err, WRITE_FAILED);
}

int rl_store_checkpoint_put(rl_store *st, rl_store_checkpoint *cp, int64_t run_id, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_CHECKPOINT, err);
	if (!s)
		return RL_EDB;
	bind_opt_i64(s, 1, cp->id != 0, cp->id);
	sqlite3_bind_int64(s, 2, cp->fp_len);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)cp->fp_hash);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)cp->dev);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)cp->ino);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)cp->size);
	sqlite3_bind_int64(s, 7, cp->mtime_ns);
	sqlite3_bind_int(s, 8, cp->gzip);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)cp->offset);
	sqlite3_bind_int64(s, 10, cp->lines);
	if (cp->npending)
		sqlite3_bind_blob(s, 11, cp->pending, (int)cp->npending, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 11);
	sqlite3_bind_int(s, 12, cp->ended);
	sqlite3_bind_int(s, 13, cp->document);
	sqlite3_bind_text(s, 14, cp->name, -1, SQLITE_STATIC);
	if (cp->format)
		sqlite3_bind_text(s, 15, cp->format, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 15);
	sqlite3_bind_int64(s, 16, cp->time_res_us);
	sqlite3_bind_int64(s, 17, cp->dur_res_us);
	sqlite3_bind_int64(s, 18, (sqlite3_int64)cp->res_lines);
	sqlite3_bind_int64(s, 19, run_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		cp->id = sqlite3_column_int64(s, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rl_store_db_err(st, err, WRITE_FAILED);
}

int rl_store_add_reject(rl_store *st, int64_t run_id, int64_t source_id, long long line, const char *reason,
			const char *excerpt, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_REJECT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, source_id);
	sqlite3_bind_int64(s, 3, line);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, excerpt, -1, SQLITE_STATIC);
	return rl_store_run_stmt(st, s, err, WRITE_FAILED);
}

int rl_store_run_begin(rl_store *st, const char *command, int64_t *run_id, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_RUN_BEGIN, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, RL_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, rl_wall_us());
	int rc = rl_store_run_stmt(st, s, err, WRITE_FAILED);
	sqlite3_clear_bindings(s);
	if (rc)
		return rc;
	*run_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int rl_store_run_update(rl_store *st, int64_t run_id, uint64_t lines, uint64_t attempts, uint64_t rejected,
			const char *status, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_RUN_UPDATE, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)lines);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)attempts);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)rejected);
	if (status)
		sqlite3_bind_text(s, 5, status, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int64(s, 6, rl_wall_us());
	return rl_store_run_stmt(st, s, err, WRITE_FAILED);
}

int rl_store_run_fail(rl_store *st, int64_t run_id, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_RUN_FAIL, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, rl_wall_us());
	return rl_store_run_stmt(st, s, err, WRITE_FAILED);
}

/* Runs the prune statement which with v bound to ?1; adds the rows it dropped to *n. */
static int prune_one(rl_store *st, rl_store_stmt_id which, int64_t v, uint64_t *n, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, which, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, v);
	int rc = rl_store_run_stmt(st, s, err, WRITE_FAILED);
	if (!rc)
		*n += (uint64_t)sqlite3_changes(st->db);
	return rc;
}

int rl_store_prune_older(rl_store *st, int64_t before_us, rl_store_pruned *out, rl_err *err)
{
	rl_store_pruned p = {0};
	uint64_t spans = 0, timeline = 0;
	int64_t minute = rl_minute_of(before_us);
	/* the per-minute tables by minute, the rest by time */
	const struct {
		rl_store_stmt_id id;
		int64_t before;
		uint64_t *n;
	} steps[] = {
		{RL_S_PRUNE_BUCKET, minute, &p.minutes},	   {RL_S_PRUNE_LATENCY, minute, &p.minutes},
		{RL_S_PRUNE_RETRY_BUCKET, minute, &p.minutes},	   {RL_S_PRUNE_CHAIN_MINUTE, minute, &p.minutes},
		{RL_S_PRUNE_CANDIDATES, before_us, &p.candidates}, {RL_S_PRUNE_OLD_CLIENTS, before_us, &p.clients},
		{RL_S_PRUNE_SAMPLES, before_us, &p.samples},	   {RL_S_PRUNE_SOURCES, before_us, &spans},
		{RL_S_PRUNE_MINUTE_STATUS, minute, &timeline},
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps && !rc; i++)
		rc = prune_one(st, steps[i].id, steps[i].before, steps[i].n, err);
	if (!rc && p.minutes)
		rc = rl_store_exec(st, rl_store_sql("sql/maintain/rebuild_totals.sql"), err);
	if (out)
		*out = p;
	return rc;
}
