/* store/store.h - the SQLite database: schema, writes in transactions, report queries.
 *
 * The only module that includes <sqlite3.h> (lib/store/: db.c, migrate.c, write.c,
 * query.c). The schema, the writes and the report queries are the .sql files under
 * sql/migrate/, sql/write/ and sql/report/, built into the binary; a database records its
 * schema version in PRAGMA user_version and is migrated forward on open. Writes happen
 * between rl_store_begin() and rl_store_commit() with prepared statements made once; reads
 * go through rl_store_query, a cursor over one of the sql/report/ files. Every error names
 * the database file and returns RL_EDB. */
#ifndef RL_STORE_H
#define RL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/store/rows.h"

typedef struct rl_store rl_store;

typedef struct rl_store_opts {
	bool temporary; /* a private database deleted on close (analyze): no journal, no fsync */
	bool must_exist; /* report: a missing file is an error, not a new database */
	/* writer (ingest): the one writer of the database until closed (SPEC §4). Another
	 * holder is waited for up to wait_us; waiting (may be NULL) is told once, with the
	 * holder's PID (0 when unknown), when this run has to wait. */
	bool writer;
	int64_t wait_us;
	void (*waiting)(void *ctx, const char *path, long pid, int64_t wait_us);
	void *waiting_ctx;
} rl_store_opts;

/* A private copy of src (a temporary database, deleted on close), named as src in
 * messages: what a report may add to without writing to src. */
int rl_store_open_copy(rl_store **out, rl_store *src, rl_err *err);

/* Opens (creating it if needed, unless must_exist) and migrates the database at path;
 * a writer takes the database's lock first (DB.lock beside it). */
int rl_store_open(rl_store **out, const char *path, const rl_store_opts *opts, rl_err *err);
void rl_store_close(rl_store *st);
/* Closes a database this run made and wrote nothing to (a refused merge), deleting its
 * files before its lock goes. */
void rl_store_close_remove(rl_store *st);

/* Whether a writer (an ingest) holds the database at path now (its DB.lock). */
bool rl_store_writer_busy(const char *path);

/* The file name given to rl_store_open ("(temporary)" for a temporary one). */
const char *rl_store_path(const rl_store *st);

/* meta table: value of key into buf (cap bytes); returns 1 found, 0 absent, or RL_EDB. */
int rl_store_meta_get(rl_store *st, const char *key, char *buf, size_t cap, rl_err *err);
/* The same, into a malloc'd copy in *value (NULL when absent): 1, 0, RL_EDB or RL_ENOMEM. */
int rl_store_meta_dup(rl_store *st, const char *key, char **value, rl_err *err);
int rl_store_meta_set(rl_store *st, const char *key, const char *value, rl_err *err);

/* Transactions around every write below. */
int rl_store_begin(rl_store *st, rl_err *err);
int rl_store_commit(rl_store *st, rl_err *err);
void rl_store_rollback(rl_store *st);

typedef enum rl_name_kind { RL_NAME_ENDPOINT, RL_NAME_METHOD } rl_name_kind;

/* The id of a name (endpoint template or method), inserting it if new. */
int rl_store_name_id(rl_store *st, rl_name_kind kind, const char *name, int64_t *id, rl_err *err);

/* Visits all stored names of a kind in id order (to preload an interner). */
int rl_store_names(rl_store *st, rl_name_kind kind, int (*cb)(void *ctx, int64_t id, const char *name), void *ctx,
		   rl_err *err);

/* The id of an error row (lib/store/rows.h), inserting it with its sample if new (a stored
 * row keeps its first sample). */
int rl_store_error_id(rl_store *st, const rl_store_error_row *r, int64_t *id, rl_err *err);

/* Visits all stored error rows in id order (to preload lib/classify/error_table.h); type and code are
 * "" when absent. */
int rl_store_errors(rl_store *st,
		    int (*cb)(void *ctx, int64_t id, int status, const char *type, const char *code,
			      const char *message),
		    void *ctx, rl_err *err);

/* Adds n rows to the bucket or latency table (summing into existing rows); endpoint,
 * method and code are database ids. Rows go in many to a statement. */
int rl_store_add_buckets(rl_store *st, const rl_store_bucket_row *b, size_t n, rl_err *err);
int rl_store_add_latencies(rl_store *st, const rl_store_latency_row *l, size_t n, rl_err *err);
int rl_store_add_retries(rl_store *st, const rl_store_retry_row *r, size_t n, rl_err *err);

/* The all-time totals of the same rows (their minute is ignored): a report over all
 * time reads these instead of every minute. */
int rl_store_add_bucket_totals(rl_store *st, const rl_store_bucket_row *b, size_t n, rl_err *err);
/* Attempts per minute and status (rows with endpoint, method and code 0). */
int rl_store_add_minute_status(rl_store *st, const rl_store_bucket_row *b, size_t n, rl_err *err);
int rl_store_add_latency_totals(rl_store *st, const rl_store_latency_row *l, size_t n, rl_err *err);
int rl_store_add_retry_totals(rl_store *st, const rl_store_retry_row *r, size_t n, rl_err *err);
int rl_store_add_minutes(rl_store *st, const rl_store_minute_row *m, size_t n, rl_err *err);

/* Adds a client's counts to its row (created if new); its evidence replaces the stored
 * one when it has more violations, or as many and an earlier chain. */
int rl_store_add_client(rl_store *st, const rl_store_client_row *r, rl_err *err);

/* Keeps the cap clients with the most violations, then attempts (then hash), and
 * records in the meta table that clients were dropped; *pruned (may be NULL) gets how
 * many rows went. */
int rl_store_prune_clients(rl_store *st, size_t cap, uint64_t *pruned, rl_err *err);

/* Calls cb with the hash, violations and attempts of every client row; a non-zero
 * return stops and is returned. */
int rl_store_clients_each(rl_store *st, int (*cb)(void *ctx, uint64_t hash, uint64_t violations, uint64_t attempts),
			  void *ctx, rl_err *err);

int rl_store_add_candidate(rl_store *st, unsigned round, int64_t start_us, uint64_t client, rl_err *err);
int rl_store_add_rekeyed_client(rl_store *st, uint64_t client, uint64_t attempts, rl_err *err);

/* Saved state (lib/retry/saved.h blobs): a blob written (new or changed) or deleted,
 * and every blob. */
int rl_store_state_delete(rl_store *st, int kind, uint64_t key, rl_err *err);
int rl_store_state_put(rl_store *st, int kind, uint64_t key, const void *blob, size_t n, rl_err *err);
int rl_store_state_each(rl_store *st, int (*cb)(void *ctx, int kind, uint64_t key, const void *blob, size_t n),
			void *ctx, rl_err *err);

/* A file source's checkpoint (sql/migrate/0007_checkpoints.sql says what each means;
 * lib/input/checkpoint.h uses them). id 0: not yet written. */
typedef struct rl_store_checkpoint {
	int64_t id;
	uint32_t fp_len;
	uint64_t fp_hash;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	bool gzip, ended, document;
	uint64_t offset;
	const void *pending; /* a last line without its newline yet, or NULL */
	size_t npending;
	long long lines;
	const char *name, *format; /* format may be NULL */
	int64_t time_res_us, dur_res_us;
	uint64_t res_lines;
	uint64_t run_samples; /* read only: the samples of its rejects the run that wrote it took */
} rl_store_checkpoint;

/* Hands every checkpoint to cb (its strings valid during the call); a non-zero return
 * stops and is returned. */
int rl_store_checkpoints(rl_store *st, int (*cb)(void *ctx, const rl_store_checkpoint *cp), void *ctx, rl_err *err);

/* Writes cp (a new row when cp->id is 0, then setting it) for run_id. */
int rl_store_checkpoint_put(rl_store *st, rl_store_checkpoint *cp, int64_t run_id, rl_err *err);

/* meta values that are integers; get returns 1 found, 0 absent, or RL_EDB. */
int rl_store_meta_get_i64(rl_store *st, const char *key, int64_t *value, rl_err *err);
int rl_store_meta_set_i64(rl_store *st, const char *key, int64_t value, rl_err *err);

/* Adds counts to the source called name (created on first use). first_us/last_us
 * widen its time span unless INT64_MAX/INT64_MIN. *source_id gets its id. */
typedef struct rl_store_source_delta {
	const char *name, *format;
	uint64_t lines, attempts, rejected, late;
	uint64_t skipped; /* parsed, but not access records (SPEC §2: counted, not rejected) */
	int64_t first_us, last_us;
	int64_t time_res_us, dur_res_us; /* resolutions seen (the finest wins), 0: unknown */
} rl_store_source_delta;
int rl_store_add_source(rl_store *st, const rl_store_source_delta *d, int64_t *source_id, rl_err *err);

int rl_store_add_reject(rl_store *st, int64_t run_id, int64_t source_id, long long line, const char *reason,
			const char *excerpt, rl_err *err);

/* Runs: begin inserts a "running" row; update sets counts and, when status is not
 * NULL, the status and finish time. */
int rl_store_run_begin(rl_store *st, const char *command, int64_t *run_id, rl_err *err);
int rl_store_run_update(rl_store *st, int64_t run_id, uint64_t lines, uint64_t attempts, uint64_t rejected,
			const char *status, rl_err *err);

/* A run that stopped on an error before its final commit: "failed", its counts those of
 * its last commit. */
int rl_store_run_fail(rl_store *st, int64_t run_id, rl_err *err);

/* What rl_store_prune_older dropped. */
typedef struct rl_store_pruned {
	uint64_t minutes; /* rows of the per-minute tables: attempts, latency, retries, chains */
	uint64_t candidates, clients, samples;
} rl_store_pruned;

/* Drops (in the caller's transaction) what is older than before_us: the per-minute
 * rows of earlier minutes (the all-time tables are summed again from what is left),
 * lockstep candidates that started before it, clients last seen before it, and the
 * rejected-line samples of runs that finished before it (wall clock); each input's
 * time span starts at it at the earliest. The retry state and the per-input counts stay. */
int rl_store_prune_older(rl_store *st, int64_t before_us, rl_store_pruned *out, rl_err *err);

/* --- reading ------------------------------------------------------------------ */

typedef struct rl_store_query rl_store_query;

/* Prepares the embedded query called name ("sql/report/status.sql"). */
int rl_store_query_open(rl_store *st, const char *name, rl_store_query **out, rl_err *err);
void rl_store_query_bind_int(rl_store_query *q, int idx, int64_t v);
/* Returns 1 for a row, 0 when done, RL_EDB on error. */
int rl_store_query_step(rl_store_query *q, rl_err *err);
int64_t rl_store_query_int(rl_store_query *q, int col);
bool rl_store_query_null(rl_store_query *q, int col);
const char *rl_store_query_text(rl_store_query *q, int col); /* "" for NULL; valid until the next step */
const void *rl_store_query_blob(rl_store_query *q, int col, size_t *n); /* NULL, 0 for NULL; the same */
/* Rewinds for new bindings. */
void rl_store_query_reset(rl_store_query *q);
void rl_store_query_close(rl_store_query *q);

#endif
