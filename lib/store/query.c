/* store/query.c - reading the database: rl_store_query, a cursor over one of the
 * sql/report/ files, and the visits (sql/read/) of names, error rows, clients and saved state that
 * preload the next run. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/base/embedded.h"
#include "lib/store/store.h"
#include "lib/store/internal.h"

/* --- visits: one loop, one row function per table ------------------------------------ */

/* Prepares the query in file (under sql/read/), hands each row to row(s, ctx) until
 * one returns non-zero, which is returned; 0 at the end, RL_EDB when SQLite fails. */
static int each_row(rl_store *st, const char *file, int (*row)(sqlite3_stmt *s, void *ctx), void *ctx, rl_err *err)
{
	const rl_embedded *e = rl_embedded_find(file);
	if (!e)
		return rl_err_set(err, RL_EDB, file, 0, "no such built-in query");
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, e->data, (int)e->len, &s, NULL) != SQLITE_OK)
		return rl_store_db_err(st, err, "cannot read the database");
	int rc, out = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((out = row(s, ctx)))
			break;
	if (!out && rc != SQLITE_DONE)
		out = rl_store_db_err(st, err, "cannot read the database");
	sqlite3_finalize(s);
	return out;
}

struct names_visit {
	int (*cb)(void *ctx, int64_t id, const char *name);
	void *ctx;
};

static int name_row(sqlite3_stmt *s, void *p)
{
	struct names_visit *v = p;
	return v->cb(v->ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1));
}

int rl_store_names(rl_store *st, rl_name_kind kind, int (*cb)(void *ctx, int64_t id, const char *name), void *ctx,
		   rl_err *err)
{
	struct names_visit v = {cb, ctx};
	return each_row(st, kind == RL_NAME_ENDPOINT ? "sql/read/endpoints.sql" : "sql/read/methods.sql", name_row, &v,
			err);
}

struct errors_visit {
	int (*cb)(void *ctx, int64_t id, int status, const char *type, const char *code, const char *message);
	void *ctx;
};

static int error_row(sqlite3_stmt *s, void *p)
{
	struct errors_visit *v = p;
	return v->cb(v->ctx, sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1),
		     (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
		     (const char *)sqlite3_column_text(s, 4));
}

int rl_store_errors(rl_store *st,
		    int (*cb)(void *ctx, int64_t id, int status, const char *type, const char *code,
			      const char *message),
		    void *ctx, rl_err *err)
{
	struct errors_visit v = {cb, ctx};
	return each_row(st, "sql/read/errors.sql", error_row, &v, err);
}

struct checkpoints_visit {
	int (*cb)(void *ctx, const rl_store_checkpoint *cp);
	void *ctx;
};

static int checkpoint_row(sqlite3_stmt *s, void *p)
{
	struct checkpoints_visit *v = p;
	rl_store_checkpoint cp = {
		.id = sqlite3_column_int64(s, 0),
		.fp_len = (uint32_t)sqlite3_column_int64(s, 1),
		.fp_hash = (uint64_t)sqlite3_column_int64(s, 2),
		.dev = (uint64_t)sqlite3_column_int64(s, 3),
		.ino = (uint64_t)sqlite3_column_int64(s, 4),
		.size = (uint64_t)sqlite3_column_int64(s, 5),
		.mtime_ns = sqlite3_column_int64(s, 6),
		.gzip = sqlite3_column_int(s, 7) != 0,
		.offset = (uint64_t)sqlite3_column_int64(s, 8),
		.lines = sqlite3_column_int64(s, 9),
		.ended = sqlite3_column_int(s, 11) != 0,
		.document = sqlite3_column_int(s, 12) != 0,
		.name = (const char *)sqlite3_column_text(s, 13),
		.format = (const char *)sqlite3_column_text(s, 14),
		.time_res_us = sqlite3_column_int64(s, 15),
		.dur_res_us = sqlite3_column_int64(s, 16),
		.res_lines = (uint64_t)sqlite3_column_int64(s, 17),
		.run_samples = (uint64_t)sqlite3_column_int64(s, 18),
	};
	if (!cp.name)
		cp.name = "";
	cp.pending = sqlite3_column_blob(s, 10); /* then its length (SQLite's order) */
	cp.npending = cp.pending ? (size_t)sqlite3_column_bytes(s, 10) : 0;
	return v->cb(v->ctx, &cp);
}

int rl_store_checkpoints(rl_store *st, int (*cb)(void *ctx, const rl_store_checkpoint *cp), void *ctx, rl_err *err)
{
	struct checkpoints_visit v = {cb, ctx};
	return each_row(st, "sql/read/checkpoints.sql", checkpoint_row, &v, err);
}

struct clients_visit {
	int (*cb)(void *ctx, uint64_t hash, uint64_t violations, uint64_t attempts);
	void *ctx;
};

static int client_row(sqlite3_stmt *s, void *p)
{
	struct clients_visit *v = p;
	return v->cb(v->ctx, (uint64_t)sqlite3_column_int64(s, 0), (uint64_t)sqlite3_column_int64(s, 1),
		     (uint64_t)sqlite3_column_int64(s, 2));
}

int rl_store_clients_each(rl_store *st, int (*cb)(void *ctx, uint64_t hash, uint64_t violations, uint64_t attempts),
			  void *ctx, rl_err *err)
{
	struct clients_visit v = {cb, ctx};
	return each_row(st, "sql/read/clients.sql", client_row, &v, err);
}

struct state_visit {
	int (*cb)(void *ctx, int kind, uint64_t key, const void *blob, size_t n);
	void *ctx;
};

static int state_row(sqlite3_stmt *s, void *p)
{
	struct state_visit *v = p;
	return v->cb(v->ctx, sqlite3_column_int(s, 0), (uint64_t)sqlite3_column_int64(s, 1), sqlite3_column_blob(s, 2),
		     (size_t)sqlite3_column_bytes(s, 2));
}

int rl_store_state_each(rl_store *st, int (*cb)(void *ctx, int kind, uint64_t key, const void *blob, size_t n),
			void *ctx, rl_err *err)
{
	struct state_visit v = {cb, ctx};
	return each_row(st, "sql/read/saved_state.sql", state_row, &v, err);
}

/* --- the report cursor ---------------------------------------------------------------- */

struct rl_store_query {
	rl_store *st;
	sqlite3_stmt *s;
	char name[128];
};

int rl_store_query_open(rl_store *st, const char *name, rl_store_query **out, rl_err *err)
{
	*out = NULL;
	const rl_embedded *e = rl_embedded_find(name);
	if (!e)
		return rl_err_set(err, RL_EDB, name, 0, "no such built-in query");
	rl_store_query *q = calloc(1, sizeof *q);
	if (!q)
		return rl_err_set(err, RL_ENOMEM, name, 0, "out of memory");
	q->st = st;
	snprintf(q->name, sizeof q->name, "%s", name);
	if (sqlite3_prepare_v2(st->db, e->data, (int)e->len, &q->s, NULL) != SQLITE_OK) {
		char hint[512];
		rl_store_db_hint(st, hint, sizeof hint);
		int rc = rl_err_set(err, RL_EDB, st->path, 0, "query %s: %s%s", name, sqlite3_errmsg(st->db), hint);
		free(q);
		return rc;
	}
	*out = q;
	return 0;
}

void rl_store_query_bind_int(rl_store_query *q, int idx, int64_t v)
{
	sqlite3_bind_int64(q->s, idx, v);
}

int rl_store_query_step(rl_store_query *q, rl_err *err)
{
	int rc = sqlite3_step(q->s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	char hint[512];
	rl_store_db_hint(q->st, hint, sizeof hint);
	return rl_err_set(err, RL_EDB, q->st->path, 0, "query %s: %s%s", q->name, sqlite3_errmsg(q->st->db), hint);
}

int64_t rl_store_query_int(rl_store_query *q, int col)
{
	return sqlite3_column_int64(q->s, col);
}

bool rl_store_query_null(rl_store_query *q, int col)
{
	return sqlite3_column_type(q->s, col) == SQLITE_NULL;
}

const char *rl_store_query_text(rl_store_query *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q->s, col);
	return t ? (const char *)t : "";
}

const void *rl_store_query_blob(rl_store_query *q, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(q->s, col);
	*n = p ? (size_t)sqlite3_column_bytes(q->s, col) : 0;
	return p;
}

void rl_store_query_reset(rl_store_query *q)
{
	sqlite3_reset(q->s);
	sqlite3_clear_bindings(q->s);
}

void rl_store_query_close(rl_store_query *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->s);
	free(q);
}
