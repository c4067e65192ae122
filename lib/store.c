/* store.c - SQLite behind the rl_store interface. */
#include "lib/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/embedded.h"
#include "lib/store_identity.h"
#include "lib/timestamp.h"

#define MULTI 32 /* rows per multi-row insert: about half the per-row cost of one */

enum {
	S_BUCKET,
	S_BUCKET_MULTI,
	S_LATENCY,
	S_LATENCY_MULTI,
	S_MINUTE,
	S_MINUTE_MULTI,
	S_RETRY,
	S_RETRY_MULTI,
	S_BUCKET_TOTAL,
	S_BUCKET_TOTAL_MULTI,
	S_LATENCY_TOTAL,
	S_LATENCY_TOTAL_MULTI,
	S_RETRY_TOTAL,
	S_RETRY_TOTAL_MULTI,
	S_CLIENT,
	S_CANDIDATE,
	S_REKEYED_CLIENT,
	S_STATE_PUT,
	S_SOURCE_UPSERT,
	S_REJECT,
	S_ENDPOINT_INS,
	S_ENDPOINT_SEL,
	S_METHOD_INS,
	S_METHOD_SEL,
	S_ERROR_INS,
	S_ERROR_SEL,
	S_RUN_UPDATE,
	S_META_GET,
	S_META_SET,
	S_COUNT
};

#define BUCKET_INSERT "INSERT INTO bucket(minute, endpoint_id, method_id, status, code_id, attempts) VALUES"
#define BUCKET_UPSERT                                                                  \
	" ON CONFLICT(minute, endpoint_id, method_id, status, code_id) DO UPDATE SET " \
	"attempts = attempts + excluded.attempts"
#define BUCKET_COLS 6
/* the counters of rl_agg_retry.v, in RL_RC_* order (lib/verdict.h) */
#define RETRY_COUNTERS(X) RL_RETRY_COUNTERS(X)
#define NAME_COMMA(id, c, head, help) ", " #c
#define SUM_COL(id, c, head, help) #c " = " #c " + excluded." #c ","
#define RETRY_INSERT "INSERT INTO retry_bucket(minute, endpoint_id, method_id" RETRY_COUNTERS(NAME_COMMA) ") VALUES"
#define RETRY_UPSERT \
	" ON CONFLICT(minute, endpoint_id, method_id) DO UPDATE SET " RETRY_COUNTERS(SUM_COL) " minute = minute"
#define RETRY_COLS (3 + RL_RC_N)
#define BUCKET_TOTAL_INSERT "INSERT INTO bucket_total(endpoint_id, method_id, status, code_id, attempts) VALUES"
#define BUCKET_TOTAL_UPSERT                                                    \
	" ON CONFLICT(endpoint_id, method_id, status, code_id) DO UPDATE SET " \
	"attempts = attempts + excluded.attempts"
#define LATENCY_TOTAL_INSERT "INSERT INTO latency_total(endpoint_id, method_id, bucket, count) VALUES"
#define LATENCY_TOTAL_UPSERT " ON CONFLICT(endpoint_id, method_id, bucket) DO UPDATE SET count = count + excluded.count"
#define RETRY_TOTAL_INSERT "INSERT INTO retry_total(endpoint_id, method_id" RETRY_COUNTERS(NAME_COMMA) ") VALUES"
#define RETRY_TOTAL_UPSERT \
	" ON CONFLICT(endpoint_id, method_id) DO UPDATE SET " RETRY_COUNTERS(SUM_COL) " method_id = method_id"
#define MINUTE_INSERT "INSERT INTO chain_minute(minute, chains, recovered, gave_up, rekeyed) VALUES"
#define MINUTE_UPSERT                                                                        \
	" ON CONFLICT(minute) DO UPDATE SET chains = chains + excluded.chains, "             \
	"recovered = recovered + excluded.recovered, gave_up = gave_up + excluded.gave_up, " \
	"rekeyed = rekeyed + excluded.rekeyed"
#define MINUTE_COLS (1 + RL_AGG_NMINUTE)
#define LATENCY_INSERT "INSERT INTO latency(minute, endpoint_id, method_id, bucket, count) VALUES"
#define LATENCY_UPSERT \
	" ON CONFLICT(minute, endpoint_id, method_id, bucket) DO UPDATE SET count = count + excluded.count"
#define LATENCY_COLS 5

static const char *const stmt_sql[S_COUNT] = {
	/* the bucket and latency inserts are built by insert_sql() */
	[S_SOURCE_UPSERT] =
		"INSERT INTO source(name, format, lines, attempts, rejected, late, first_us, last_us, time_res_us, "
		"dur_res_us, skipped) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT(name) DO UPDATE SET "
		"time_res_us = COALESCE(min(time_res_us, excluded.time_res_us), time_res_us, excluded.time_res_us), "
		"dur_res_us = COALESCE(min(dur_res_us, excluded.dur_res_us), dur_res_us, excluded.dur_res_us), "
		"format = COALESCE(excluded.format, format), lines = lines + excluded.lines, "
		"attempts = attempts + excluded.attempts, rejected = rejected + excluded.rejected, "
		"late = late + excluded.late, skipped = skipped + excluded.skipped, "
		"first_us = CASE WHEN first_us IS NULL OR excluded.first_us < first_us THEN excluded.first_us "
		"ELSE first_us END, "
		"last_us = CASE WHEN last_us IS NULL OR excluded.last_us > last_us THEN excluded.last_us "
		"ELSE last_us END RETURNING id",
	[S_REJECT] = "INSERT INTO rejected_sample(run_id, source_id, line, reason, excerpt) VALUES(?1,?2,?3,?4,?5)",
	[S_CLIENT] =
		"INSERT INTO client(hash, name, attempts, retries, blind_4xx, unsafe, checked, compliant, too_fast, "
		"ignored_retry_after, over_max_retries, no_jitter, violations, rekeyed, ev_violations, ev_start, "
		"evidence) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17) ON CONFLICT(hash) DO UPDATE SET "
		"name = COALESCE(name, excluded.name), attempts = attempts + excluded.attempts, "
		"retries = retries + excluded.retries, blind_4xx = blind_4xx + excluded.blind_4xx, "
		"unsafe = unsafe + excluded.unsafe, checked = checked + excluded.checked, "
		"compliant = compliant + excluded.compliant, too_fast = too_fast + excluded.too_fast, "
		"ignored_retry_after = ignored_retry_after + excluded.ignored_retry_after, "
		"over_max_retries = over_max_retries + excluded.over_max_retries, "
		"no_jitter = no_jitter + excluded.no_jitter, violations = violations + excluded.violations, "
		"rekeyed = rekeyed + excluded.rekeyed, "
		/* the evidence with the most violations wins; on a tie, the earlier chain */
		"evidence = CASE WHEN excluded.ev_violations > ev_violations OR (excluded.ev_violations = "
		"ev_violations "
		"AND excluded.ev_violations > 0 AND excluded.ev_start < ev_start) THEN excluded.evidence ELSE evidence "
		"END, "
		"ev_start = CASE WHEN excluded.ev_violations > ev_violations OR (excluded.ev_violations = "
		"ev_violations "
		"AND excluded.ev_violations > 0 AND excluded.ev_start < ev_start) THEN excluded.ev_start ELSE ev_start "
		"END, "
		"ev_violations = MAX(ev_violations, excluded.ev_violations)",
	[S_CANDIDATE] = "INSERT INTO lockstep_candidate(round, start_us, client) VALUES(?1,?2,?3)",
	[S_REKEYED_CLIENT] = "INSERT INTO rekeyed_client(hash, attempts) VALUES(?1,?2) ON CONFLICT(hash) DO UPDATE SET "
			     "attempts = attempts + excluded.attempts",
	[S_STATE_PUT] = "INSERT INTO saved_state(kind, key, data) VALUES(?1,?2,?3)",
	[S_ENDPOINT_INS] = "INSERT INTO endpoint(template) VALUES(?1) ON CONFLICT(template) DO NOTHING",
	[S_ENDPOINT_SEL] = "SELECT id FROM endpoint WHERE template = ?1",
	[S_METHOD_INS] = "INSERT INTO method(name) VALUES(?1) ON CONFLICT(name) DO NOTHING",
	[S_METHOD_SEL] = "SELECT id FROM method WHERE name = ?1",
	[S_ERROR_INS] = "INSERT INTO error_code(status, type, code, message, sample) VALUES(?1,?2,?3,?4,?5) "
			"ON CONFLICT(status, type, code, message) DO NOTHING",
	[S_ERROR_SEL] = "SELECT id FROM error_code WHERE status = ?1 AND type = ?2 AND code = ?3 AND message = ?4",
	[S_RUN_UPDATE] = "UPDATE run SET lines = ?2, attempts = ?3, rejected = ?4, "
			 "status = COALESCE(?5, status), finished_us = CASE WHEN ?5 IS NULL THEN finished_us "
			 "ELSE ?6 END WHERE id = ?1",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_SET] =
		"INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
};

struct rl_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[S_COUNT];
	bool in_tx;
};

/* "INSERT … VALUES (?,…),(?,…) ON CONFLICT …" for rows rows of cols columns. */
static char *insert_sql(const char *head, const char *tail, int cols, int rows)
{
	size_t n = strlen(head) + strlen(tail) + (size_t)rows * ((size_t)cols * 2 + 3) + 1;
	char *sql = malloc(n), *p = sql;
	if (!sql)
		return NULL;
	p += sprintf(p, "%s", head);
	for (int r = 0; r < rows; r++) {
		*p++ = r ? ',' : ' ';
		*p++ = '(';
		for (int c = 0; c < cols; c++) {
			if (c)
				*p++ = ',';
			*p++ = '?';
		}
		*p++ = ')';
	}
	sprintf(p, "%s", tail);
	return sql;
}

struct rl_store_query {
	rl_store *st;
	sqlite3_stmt *s;
	char name[128];
};

static bool file_size_limited(void)
{
	struct rlimit rl;
	return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
}

/* What the last failure of st->db means and what to do, "" when SQLite's message says it. */
static void db_hint(rl_store *st, char *buf, size_t cap)
{
	int code = sqlite3_errcode(st->db) & 0xff, sys = sqlite3_system_errno(st->db);
	const char *why = sys ? strerror(sys) : NULL;
	buf[0] = 0;
	if (code == SQLITE_READONLY)
		snprintf(buf, cap,
			 " (check that you may write the file and its directory: SQLite writes its -wal and -shm "
			 "files beside it)");
	else if (code == SQLITE_FULL || (code == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT)))
		snprintf(buf, cap, " (the disk is full: free some space; the last complete commit is kept)");
	else if (code == SQLITE_IOERR && (sys == EFBIG || (sys == 0 && file_size_limited())))
		/* SQLite reads errno after the failed write of the WAL has been overwritten: with
		 * a file size limit set, that limit is the likely cause */
		snprintf(buf, cap,
			 " (a write past the file size limit, ulimit -f, fails; the last complete commit is "
			 "kept)");
	else if (code == SQLITE_IOERR && why)
		snprintf(buf, cap, " (%s)", why);
	else if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		snprintf(buf, cap, " (the database is damaged: restore it from a backup or name another --db)");
}

static int db_err(rl_store *st, rl_err *err, const char *what)
{
	char hint[512] = "";
	if (st->db)
		db_hint(st, hint, sizeof hint);
	return rl_err_set(err, RL_EDB, st->path, 0, "%s: %s%s", what, st->db ? sqlite3_errmsg(st->db) : "no database",
			  hint);
}

static int exec(rl_store *st, const char *sql, rl_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		char hint[512];
		db_hint(st, hint, sizeof hint);
		int rc = rl_err_set(err, RL_EDB, st->path, 0, "%s%s", msg ? msg : sqlite3_errmsg(st->db), hint);
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

static sqlite3_stmt *stmt(rl_store *st, int which, rl_err *err)
{
	if (st->stmt[which])
		return st->stmt[which];
	char *built = NULL;
	switch (which) {
	case S_BUCKET:
	case S_BUCKET_MULTI:
		built = insert_sql(BUCKET_INSERT, BUCKET_UPSERT, BUCKET_COLS, which == S_BUCKET ? 1 : MULTI);
		break;
	case S_LATENCY:
	case S_LATENCY_MULTI:
		built = insert_sql(LATENCY_INSERT, LATENCY_UPSERT, LATENCY_COLS, which == S_LATENCY ? 1 : MULTI);
		break;
	case S_MINUTE:
	case S_MINUTE_MULTI:
		built = insert_sql(MINUTE_INSERT, MINUTE_UPSERT, MINUTE_COLS, which == S_MINUTE ? 1 : MULTI);
		break;
	case S_RETRY:
	case S_RETRY_MULTI:
		built = insert_sql(RETRY_INSERT, RETRY_UPSERT, RETRY_COLS, which == S_RETRY ? 1 : MULTI);
		break;
	case S_BUCKET_TOTAL:
	case S_BUCKET_TOTAL_MULTI:
		built = insert_sql(BUCKET_TOTAL_INSERT, BUCKET_TOTAL_UPSERT, BUCKET_COLS - 1,
				   which == S_BUCKET_TOTAL ? 1 : MULTI);
		break;
	case S_LATENCY_TOTAL:
	case S_LATENCY_TOTAL_MULTI:
		built = insert_sql(LATENCY_TOTAL_INSERT, LATENCY_TOTAL_UPSERT, LATENCY_COLS - 1,
				   which == S_LATENCY_TOTAL ? 1 : MULTI);
		break;
	case S_RETRY_TOTAL:
	case S_RETRY_TOTAL_MULTI:
		built = insert_sql(RETRY_TOTAL_INSERT, RETRY_TOTAL_UPSERT, RETRY_COLS - 1,
				   which == S_RETRY_TOTAL ? 1 : MULTI);
		break;
	}
	const char *sql = built ? built : stmt_sql[which];
	int rc = sql ? sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[which], NULL)
		     : SQLITE_NOMEM;
	free(built);
	if (rc != SQLITE_OK) {
		db_err(st, err, "cannot prepare a statement");
		return NULL;
	}
	return st->stmt[which];
}

/* Steps a write statement to completion and resets it. */
static int run_stmt(rl_store *st, sqlite3_stmt *s, rl_err *err, const char *what)
{
	int rc = sqlite3_step(s);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, what);
	return 0;
}

/* --- migrations --------------------------------------------------------------- */

static int migration_number(const char *name)
{
	const char *base = name + strlen("sql/migrate/");
	return atoi(base);
}

static int latest_schema(void)
{
	int latest = 0;
	for (const rl_embedded *e = rl_embedded_files; e->name; e++)
		if (strncmp(e->name, "sql/migrate/", 12) == 0 && migration_number(e->name) > latest)
			latest = migration_number(e->name);
	return latest;
}

static int migrate(rl_store *st, rl_err *err)
{
	sqlite3_stmt *s;
	int version = 0, tables = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "cannot read the database");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "cannot read the database");
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_err(st, err, "cannot read the database");
	}
	tables = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	int latest = latest_schema();
	if (version > latest)
		return rl_err_set(err, RL_EDB, st->path, 0,
				  "the database has schema version %d, written by a newer retrylens (this one knows up "
				  "to %d): upgrade retrylens",
				  version, latest);
	if (version == 0 && tables > 0)
		return rl_err_set(err, RL_EDB, st->path, 0,
				  "not a retrylens database (it holds other tables): name another --db");
	for (const rl_embedded *e = rl_embedded_files; e->name; e++) {
		if (strncmp(e->name, "sql/migrate/", 12) || migration_number(e->name) <= version)
			continue;
		int n = migration_number(e->name);
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", n);
		int rc = exec(st, "BEGIN IMMEDIATE", err);
		if (!rc)
			rc = exec(st, e->data, err);
		if (!rc)
			rc = exec(st, pragma, err);
		if (!rc)
			rc = exec(st, "COMMIT", err);
		if (rc) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return 0;
}

int rl_store_open(rl_store **out, const char *path, const rl_store_opts *opts, rl_err *err)
{
	*out = NULL;
	bool temporary = opts && opts->temporary, must_exist = opts && opts->must_exist;
	rl_store *st = calloc(1, sizeof *st);
	if (!st)
		return rl_err_set(err, RL_ENOMEM, path, 0, "out of memory");
	st->path = strdup(temporary ? "(temporary database)" : path);
	if (!st->path) {
		free(st);
		return rl_err_set(err, RL_ENOMEM, path, 0, "out of memory");
	}
	int rc;
	if (!temporary) {
		struct stat sb;
		if (stat(path, &sb) != 0) {
			if (must_exist) {
				rc = rl_err_set(err, RL_EDB, path, 0,
						"no such database: run 'retrylens ingest --db %s' first", path);
				goto fail;
			}
		} else if (!S_ISREG(sb.st_mode)) {
			rc = rl_err_set(err, RL_EDB, path, 0, "not a regular file");
			goto fail;
		}
	}
	int flags = SQLITE_OPEN_READWRITE | (must_exist ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(temporary ? "" : path, &st->db, flags, NULL) != SQLITE_OK) {
		rc = db_err(st, err, "cannot open the database (does its directory exist, and may you write there?)");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 10000);
	if (temporary)
		rc = exec(st, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;", err);
	else
		rc = exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", err);
	if (rc) {
		if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
			rc = rl_err_set(err, RL_EDB, st->path, 0,
					"not a SQLite database (or an encrypted or corrupt one): name another --db");
		goto fail;
	}
	if ((rc = migrate(st, err)) || (rc = rl_store_identity_init(st, err)))
		goto fail;
	*out = st;
	return 0;
fail:
	rl_store_close(st);
	return rc;
}

void rl_store_close(rl_store *st)
{
	if (!st)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

const char *rl_store_path(const rl_store *st)
{
	return st->path;
}

/* --- meta ---------------------------------------------------------------------- */

int rl_store_meta_get(rl_store *st, const char *key, char *buf, size_t cap, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_META_GET, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), found = 0;
	if (rc == SQLITE_ROW) {
		snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(s, 0));
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = db_err(st, err, "cannot read the database");
	}
	sqlite3_reset(s);
	return found;
}

int rl_store_meta_dup(rl_store *st, const char *key, char **value, rl_err *err)
{
	*value = NULL;
	sqlite3_stmt *s = stmt(st, S_META_GET, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s), found = 0;
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(s, 0);
		found = (*value = strdup(v ? v : "")) ? 1 : rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	} else if (rc != SQLITE_DONE) {
		found = db_err(st, err, "cannot read the database");
	}
	sqlite3_reset(s);
	return found;
}

int rl_store_meta_set(rl_store *st, const char *key, const char *value, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_META_SET, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return run_stmt(st, s, err, "cannot write to the database");
}

/* --- transactions ------------------------------------------------------------- */

int rl_store_begin(rl_store *st, rl_err *err)
{
	int rc = exec(st, "BEGIN IMMEDIATE", err);
	if (!rc)
		st->in_tx = true;
	return rc;
}

int rl_store_commit(rl_store *st, rl_err *err)
{
	int rc = exec(st, "COMMIT", err);
	if (rc) {
		rl_store_rollback(st);
		return rc;
	}
	st->in_tx = false;
	return 0;
}

void rl_store_rollback(rl_store *st)
{
	if (st->in_tx)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = false;
}

/* --- writes -------------------------------------------------------------------- */

int rl_store_name_id(rl_store *st, rl_name_kind kind, const char *name, int64_t *id, rl_err *err)
{
	int ins = kind == RL_NAME_ENDPOINT ? S_ENDPOINT_INS : S_METHOD_INS;
	int sel = kind == RL_NAME_ENDPOINT ? S_ENDPOINT_SEL : S_METHOD_SEL;
	sqlite3_stmt *s = stmt(st, ins, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = run_stmt(st, s, err, "cannot write to the database");
	if (rc)
		return rc;
	if (!(s = stmt(st, sel, err)))
		return RL_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_err(st, err, "cannot read back a name");
}

int rl_store_names(rl_store *st, rl_name_kind kind, int (*cb)(void *ctx, int64_t id, const char *name), void *ctx,
		   rl_err *err)
{
	const char *sql = kind == RL_NAME_ENDPOINT ? "SELECT id, template FROM endpoint ORDER BY id"
						   : "SELECT id, name FROM method ORDER BY id";
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "cannot read the database");
	int rc, out = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((out = cb(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1))))
			break;
	if (!out && rc != SQLITE_DONE)
		out = db_err(st, err, "cannot read the database");
	sqlite3_finalize(s);
	return out;
}

int rl_store_error_id(rl_store *st, const rl_error_row *r, int64_t *id, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_ERROR_INS, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int(s, 1, r->status);
	sqlite3_bind_text(s, 2, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->message, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->sample, -1, SQLITE_STATIC);
	int rc = run_stmt(st, s, err, "cannot write to the database");
	if (rc || !(s = stmt(st, S_ERROR_SEL, err)))
		return rc ? rc : RL_EDB;
	sqlite3_bind_int(s, 1, r->status);
	sqlite3_bind_text(s, 2, r->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->message, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_err(st, err, "cannot read back an error row");
}

int rl_store_errors(rl_store *st,
		    int (*cb)(void *ctx, int64_t id, int status, const char *type, const char *code,
			      const char *message),
		    void *ctx, rl_err *err)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT id, status, type, code, message FROM error_code ORDER BY id", -1, &s,
			       NULL) != SQLITE_OK)
		return db_err(st, err, "cannot read the database");
	int rc, out = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((out = cb(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1),
			      (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
			      (const char *)sqlite3_column_text(s, 4))))
			break;
	if (!out && rc != SQLITE_DONE)
		out = db_err(st, err, "cannot read the database");
	sqlite3_finalize(s);
	return out;
}

static void bind_bucket(sqlite3_stmt *s, int at, const void *row)
{
	const rl_agg_bucket *b = row;
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
	const rl_agg_bucket *b = row;
	sqlite3_bind_int64(s, at + 1, b->endpoint);
	sqlite3_bind_int64(s, at + 2, b->method);
	sqlite3_bind_int(s, at + 3, b->status);
	sqlite3_bind_int64(s, at + 4, b->code);
	sqlite3_bind_int64(s, at + 5, (sqlite3_int64)b->attempts);
}

static void bind_latency_total(sqlite3_stmt *s, int at, const void *row)
{
	const rl_agg_latency *l = row;
	sqlite3_bind_int64(s, at + 1, l->endpoint);
	sqlite3_bind_int64(s, at + 2, l->method);
	sqlite3_bind_int64(s, at + 3, l->bucket);
	sqlite3_bind_int64(s, at + 4, (sqlite3_int64)l->count);
}

static void bind_retry_total(sqlite3_stmt *s, int at, const void *row)
{
	const rl_agg_retry *r = row;
	sqlite3_bind_int64(s, at + 1, r->endpoint);
	sqlite3_bind_int64(s, at + 2, r->method);
	for (int i = 0; i < RL_RC_N; i++)
		sqlite3_bind_int64(s, at + 3 + i, (sqlite3_int64)r->v[i]);
}

static void bind_retry(sqlite3_stmt *s, int at, const void *row)
{
	const rl_agg_retry *r = row;
	sqlite3_bind_int64(s, at + 1, r->minute);
	sqlite3_bind_int64(s, at + 2, r->endpoint);
	sqlite3_bind_int64(s, at + 3, r->method);
	for (int i = 0; i < RL_RC_N; i++)
		sqlite3_bind_int64(s, at + 4 + i, (sqlite3_int64)r->v[i]);
}

static void bind_minute(sqlite3_stmt *s, int at, const void *row)
{
	const rl_agg_minute *m = row;
	sqlite3_bind_int64(s, at + 1, m->minute);
	for (int i = 0; i < RL_AGG_NMINUTE; i++)
		sqlite3_bind_int64(s, at + 2 + i, (sqlite3_int64)m->v[i]);
}

static void bind_latency(sqlite3_stmt *s, int at, const void *row)
{
	const rl_agg_latency *l = row;
	sqlite3_bind_int64(s, at + 1, l->minute);
	sqlite3_bind_int64(s, at + 2, l->endpoint);
	sqlite3_bind_int64(s, at + 3, l->method);
	sqlite3_bind_int64(s, at + 4, l->bucket);
	sqlite3_bind_int64(s, at + 5, (sqlite3_int64)l->count);
}

/* Writes n rows of size sz, MULTI to a statement, the rest one by one. */
static int add_rows(rl_store *st, int single, int multi, int cols, const char *rows, size_t n, size_t sz,
		    void (*bind)(sqlite3_stmt *, int, const void *), rl_err *err)
{
	size_t i = 0;
	while (i < n) {
		int k = n - i >= MULTI ? MULTI : 1;
		sqlite3_stmt *s = stmt(st, k == MULTI ? multi : single, err);
		if (!s)
			return RL_EDB;
		for (int r = 0; r < k; r++, i++)
			bind(s, r * cols, rows + i * sz);
		int rc = run_stmt(st, s, err, "cannot write to the database");
		if (rc)
			return rc;
	}
	return 0;
}

int rl_store_add_buckets(rl_store *st, const rl_agg_bucket *b, size_t n, rl_err *err)
{
	return add_rows(st, S_BUCKET, S_BUCKET_MULTI, BUCKET_COLS, (const char *)b, n, sizeof *b, bind_bucket, err);
}

int rl_store_add_latencies(rl_store *st, const rl_agg_latency *l, size_t n, rl_err *err)
{
	return add_rows(st, S_LATENCY, S_LATENCY_MULTI, LATENCY_COLS, (const char *)l, n, sizeof *l, bind_latency, err);
}

int rl_store_add_retries(rl_store *st, const rl_agg_retry *r, size_t n, rl_err *err)
{
	return add_rows(st, S_RETRY, S_RETRY_MULTI, RETRY_COLS, (const char *)r, n, sizeof *r, bind_retry, err);
}

int rl_store_add_bucket_totals(rl_store *st, const rl_agg_bucket *b, size_t n, rl_err *err)
{
	return add_rows(st, S_BUCKET_TOTAL, S_BUCKET_TOTAL_MULTI, BUCKET_COLS - 1, (const char *)b, n, sizeof *b,
			bind_bucket_total, err);
}

int rl_store_add_latency_totals(rl_store *st, const rl_agg_latency *l, size_t n, rl_err *err)
{
	return add_rows(st, S_LATENCY_TOTAL, S_LATENCY_TOTAL_MULTI, LATENCY_COLS - 1, (const char *)l, n, sizeof *l,
			bind_latency_total, err);
}

int rl_store_add_retry_totals(rl_store *st, const rl_agg_retry *r, size_t n, rl_err *err)
{
	return add_rows(st, S_RETRY_TOTAL, S_RETRY_TOTAL_MULTI, RETRY_COLS - 1, (const char *)r, n, sizeof *r,
			bind_retry_total, err);
}

int rl_store_add_minutes(rl_store *st, const rl_agg_minute *m, size_t n, rl_err *err)
{
	return add_rows(st, S_MINUTE, S_MINUTE_MULTI, MINUTE_COLS, (const char *)m, n, sizeof *m, bind_minute, err);
}

int rl_store_add_client(rl_store *st, const rl_client_row *r, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CLIENT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)r->hash);
	if (r->name)
		sqlite3_bind_text(s, 2, r->name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 2);
	for (int i = 0; i < RL_CL_N; i++)
		sqlite3_bind_int64(s, 3 + i, (sqlite3_int64)r->v[i]);
	sqlite3_bind_int64(s, 15, r->ev_violations);
	if (r->evidence) {
		sqlite3_bind_int64(s, 16, r->ev_start);
		sqlite3_bind_text(s, 17, r->evidence, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(s, 16);
		sqlite3_bind_null(s, 17);
	}
	int rc = run_stmt(st, s, err, "cannot write to the database");
	sqlite3_clear_bindings(s);
	return rc;
}

int rl_store_add_candidate(rl_store *st, unsigned round, int64_t start_us, uint64_t client, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_CANDIDATE, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, round);
	sqlite3_bind_int64(s, 2, start_us);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)client);
	return run_stmt(st, s, err, "cannot write to the database");
}

int rl_store_add_rekeyed_client(rl_store *st, uint64_t client, uint64_t attempts, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_REKEYED_CLIENT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)client);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)attempts);
	return run_stmt(st, s, err, "cannot write to the database");
}

int rl_store_prune_clients(rl_store *st, size_t cap, uint64_t *pruned, rl_err *err)
{
	/* the kept rows are a top-k (SQLite's sorter keeps only k rows for a LIMIT), and the
	 * delete walks the table in rowid order: no sort of the whole table */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "DELETE FROM client WHERE hash NOT IN (SELECT hash FROM client "
		 "ORDER BY violations DESC, attempts DESC, hash DESC LIMIT %zu)",
		 cap);
	int rc = exec(st, sql, err);
	uint64_t n = rc ? 0 : (uint64_t)sqlite3_changes(st->db);
	if (pruned)
		*pruned = n;
	if (!rc && n)
		rc = rl_store_meta_set(st, "clients_capped", "1", err);
	return rc;
}

int rl_store_clients_each(rl_store *st, int (*cb)(void *ctx, uint64_t hash, uint64_t violations, uint64_t attempts),
			  void *ctx, rl_err *err)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT hash, violations, attempts FROM client", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "cannot read the database");
	int rc, out = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((out = cb(ctx, (uint64_t)sqlite3_column_int64(s, 0), (uint64_t)sqlite3_column_int64(s, 1),
			      (uint64_t)sqlite3_column_int64(s, 2))))
			break;
	if (!out && rc != SQLITE_DONE)
		out = db_err(st, err, "cannot read the database");
	sqlite3_finalize(s);
	return out;
}

int rl_store_state_clear(rl_store *st, rl_err *err)
{
	return exec(st, "DELETE FROM saved_state", err);
}

int rl_store_state_put(rl_store *st, int kind, uint64_t key, const void *blob, size_t n, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_STATE_PUT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int(s, 1, kind);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)key);
	sqlite3_bind_blob(s, 3, blob, (int)n, SQLITE_STATIC);
	return run_stmt(st, s, err, "cannot write to the database");
}

int rl_store_state_each(rl_store *st, int (*cb)(void *ctx, int kind, uint64_t key, const void *blob, size_t n),
			void *ctx, rl_err *err)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT kind, key, data FROM saved_state ORDER BY kind, key", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_err(st, err, "cannot read the database");
	int rc, out = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out = cb(ctx, sqlite3_column_int(s, 0), (uint64_t)sqlite3_column_int64(s, 1), sqlite3_column_blob(s, 2),
			 (size_t)sqlite3_column_bytes(s, 2));
		if (out)
			break;
	}
	if (!out && rc != SQLITE_DONE)
		out = db_err(st, err, "cannot read the database");
	sqlite3_finalize(s);
	return out;
}

int rl_store_meta_get_i64(rl_store *st, const char *key, int64_t *value, rl_err *err)
{
	char buf[32];
	int rc = rl_store_meta_get(st, key, buf, sizeof buf, err);
	if (rc == 1)
		*value = strtoll(buf, NULL, 10);
	return rc;
}

int rl_store_meta_set_i64(rl_store *st, const char *key, int64_t value, rl_err *err)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)value);
	return rl_store_meta_set(st, key, buf, err);
}

int rl_store_add_source(rl_store *st, const rl_store_source_delta *d, int64_t *source_id, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_SOURCE_UPSERT, err);
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
	sqlite3_bind_int64(s, 11, (sqlite3_int64)d->skipped);
	if (d->first_us != INT64_MAX)
		sqlite3_bind_int64(s, 7, d->first_us);
	else
		sqlite3_bind_null(s, 7);
	if (d->last_us != INT64_MIN)
		sqlite3_bind_int64(s, 8, d->last_us);
	else
		sqlite3_bind_null(s, 8);
	if (d->time_res_us > 0)
		sqlite3_bind_int64(s, 9, d->time_res_us);
	else
		sqlite3_bind_null(s, 9);
	if (d->dur_res_us > 0)
		sqlite3_bind_int64(s, 10, d->dur_res_us);
	else
		sqlite3_bind_null(s, 10);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && source_id)
		*source_id = sqlite3_column_int64(s, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : db_err(st, err, "cannot write to the database");
}

int rl_store_add_reject(rl_store *st, int64_t run_id, int64_t source_id, long long line, const char *reason,
			const char *excerpt, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_REJECT, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, source_id);
	sqlite3_bind_int64(s, 3, line);
	sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, excerpt, -1, SQLITE_STATIC);
	return run_stmt(st, s, err, "cannot write to the database");
}

int rl_store_run_begin(rl_store *st, const char *command, int64_t *run_id, rl_err *err)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO run(command, version, started_us, status) VALUES(?1, ?2, ?3, 'running')",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "cannot write to the database");
	sqlite3_bind_text(s, 1, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, RL_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, rl_wall_us());
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "cannot write to the database");
	*run_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int rl_store_run_update(rl_store *st, int64_t run_id, uint64_t lines, uint64_t attempts, uint64_t rejected,
			const char *status, rl_err *err)
{
	sqlite3_stmt *s = stmt(st, S_RUN_UPDATE, err);
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
	return run_stmt(st, s, err, "cannot write to the database");
}

/* --- queries ------------------------------------------------------------------- */

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
		db_hint(st, hint, sizeof hint);
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
	db_hint(q->st, hint, sizeof hint);
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
