/* store/internal.h - what the store's files (db.c, migrate.c, write.c, query.c) share:
 * the handle, its prepared statements and the error helpers. Users include lib/store/store.h.
 *
 * Every statement that touches a table is one file under sql/write/, built into the
 * binary (lib/base/embedded.h). A statement that writes many rows at once is the same file
 * with its VALUES (…) tuple repeated RL_STORE_MULTI times: the file holds one row. */
#ifndef RL_STORE_INTERNAL_H
#define RL_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/base/err.h"
#include "lib/store/store.h"

#define RL_STORE_MULTI 32 /* rows per multi-row insert: about half the per-row cost of one */

/* The prepared statements: id, file under sql/write/ (without .sql), rows per statement. */
#define RL_STORE_STMTS(X)                                     \
	X(BUCKET, bucket, 1)                                  \
	X(BUCKET_MULTI, bucket, RL_STORE_MULTI)               \
	X(LATENCY, latency, 1)                                \
	X(LATENCY_MULTI, latency, RL_STORE_MULTI)             \
	X(MINUTE, chain_minute, 1)                            \
	X(MINUTE_MULTI, chain_minute, RL_STORE_MULTI)         \
	X(RETRY, retry_bucket, 1)                             \
	X(RETRY_MULTI, retry_bucket, RL_STORE_MULTI)          \
	X(BUCKET_TOTAL, bucket_total, 1)                      \
	X(MINUTE_STATUS, minute_status, 1)                    \
	X(MINUTE_STATUS_MULTI, minute_status, RL_STORE_MULTI) \
	X(BUCKET_TOTAL_MULTI, bucket_total, RL_STORE_MULTI)   \
	X(LATENCY_TOTAL, latency_total, 1)                    \
	X(LATENCY_TOTAL_MULTI, latency_total, RL_STORE_MULTI) \
	X(RETRY_TOTAL, retry_total, 1)                        \
	X(RETRY_TOTAL_MULTI, retry_total, RL_STORE_MULTI)     \
	X(CLIENT, client, 1)                                  \
	X(PRUNE_CLIENTS, prune_clients, 1)                    \
	X(CANDIDATE, lockstep_candidate, 1)                   \
	X(REKEYED_CLIENT, rekeyed_client, 1)                  \
	X(STATE_DELETE, state_delete, 1)                      \
	X(STATE_PUT, state_put, 1)                            \
	X(SOURCE, source, 1)                                  \
	X(CHECKPOINT, checkpoint, 1)                          \
	X(REJECT, rejected_sample, 1)                         \
	X(ENDPOINT_INSERT, endpoint_insert, 1)                \
	X(ENDPOINT_ID, endpoint_id, 1)                        \
	X(METHOD_INSERT, method_insert, 1)                    \
	X(METHOD_ID, method_id, 1)                            \
	X(ERROR_INSERT, error_code_insert, 1)                 \
	X(ERROR_ID, error_code_id, 1)                         \
	X(RUN_BEGIN, run_begin, 1)                            \
	X(RUN_UPDATE, run_update, 1)                          \
	X(RUN_FAIL, run_fail, 1)                              \
	X(META_GET, meta_get, 1)                              \
	X(META_SET, meta_set, 1)                              \
	X(PRUNE_BUCKET, prune_bucket, 1)                      \
	X(PRUNE_MINUTE_STATUS, prune_minute_status, 1)        \
	X(PRUNE_LATENCY, prune_latency, 1)                    \
	X(PRUNE_RETRY_BUCKET, prune_retry_bucket, 1)          \
	X(PRUNE_CHAIN_MINUTE, prune_chain_minute, 1)          \
	X(PRUNE_CANDIDATES, prune_candidates, 1)              \
	X(PRUNE_OLD_CLIENTS, prune_old_clients, 1)            \
	X(PRUNE_SAMPLES, prune_samples, 1)                    \
	X(PRUNE_SOURCES, prune_sources, 1)

#define RL_STORE_STMT_ENUM_(id, file, rows) RL_S_##id,
typedef enum rl_store_stmt_id { RL_STORE_STMTS(RL_STORE_STMT_ENUM_) RL_S_COUNT } rl_store_stmt_id;
#undef RL_STORE_STMT_ENUM_

struct rl_store {
	sqlite3 *db;
	char *path; /* named in every error */
	sqlite3_stmt *stmt[RL_S_COUNT]; /* prepared on first use, finalized on close */
	bool in_tx;
	int lock_fd; /* DB.lock while this is the database's writer (lock.c), else -1 */
};

/* What the last failure of st->db means and what to do, into buf ("" when SQLite's
 * message says it all). */
void rl_store_db_hint(rl_store *st, char *buf, size_t cap);

/* Fills err with "what: SQLite's message (hint)" naming st's file; returns RL_EDB. */
int rl_store_db_err(rl_store *st, rl_err *err, const char *what);

/* The text of the embedded SQL file name ("sql/tx/begin.sql"); NULL only when the build
 * left it out, which rl_store_exec reports. */
const char *rl_store_sql(const char *name);

/* Runs sql (no data writes: pragmas, transactions, migrations; NULL: a missing file);
 * 0 or RL_EDB. */
int rl_store_exec(rl_store *st, const char *sql, rl_err *err);

/* The prepared statement which (borrowed: the store finalizes it), or NULL with err set. */
sqlite3_stmt *rl_store_stmt(rl_store *st, rl_store_stmt_id which, rl_err *err);

/* Steps a write statement to completion and resets it; 0 or RL_EDB naming what failed. */
int rl_store_run_stmt(rl_store *st, sqlite3_stmt *s, rl_err *err, const char *what);

/* Takes the writer's lock of the database at path (lock.c), waiting up to o->wait_us
 * and telling o->waiting once when it has to wait; 0, or RL_EDB naming the holder's PID
 * when it still holds it then. rl_store_unlock drops it (a no-op without one). */
int rl_store_lock(rl_store *st, const char *path, const rl_store_opts *o, rl_err *err);
void rl_store_unlock(rl_store *st);

/* Registers the SQL functions that migrations call to convert what older versions
 * wrote (legacy.c: rl_evidence_from_json); 0 or RL_EDB. */
int rl_store_legacy_register(rl_store *st, rl_err *err);

/* Brings st's schema up to the newest sql/migrate/ file (migrate.c); 0 or RL_EDB. */
int rl_store_migrate(rl_store *st, rl_err *err);

#endif
