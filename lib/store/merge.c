/* store/merge.c - another database's rows added to this one: the statements of
 * sql/merge/, and the saved state copied blob by blob (lib/retry/chain_saved.c's layout:
 * a version byte, then a chain's key, or an attempt's start, end, seq and key). */
#include "lib/store/merge.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/array.h"
#include "lib/base/blob.h"
#include "lib/base/defaults.h"
#include "lib/base/text.h"
#include "lib/base/timestamp.h"
#include "lib/mem/u64map.h"
#include "lib/store/internal.h"

#define READ_FAILED "cannot read the database to merge"
#define WRITE_FAILED "cannot merge into the database"

/* The saved state's kinds and where their fields sit (lib/retry/chain.h, chain_saved.c). */
enum { KIND_CHAIN = 1, KIND_REKEY = 2, KIND_ATTEMPT = 3 };
#define BLOB_VERSION 1
#define CHAIN_KEY_AT 1 /* a chain's key */
#define REKEY_END_AT 1 /* a rekey entry's last end */
#define ATTEMPT_SEQ_AT 17 /* an attempt's seq, after its start and end */
#define ATTEMPT_KEY_AT 25 /* and its chain's key */

static sqlite3_stmt *prepare(rl_store *st, const char *file, rl_err *err)
{
	const char *sql = rl_store_sql(file);
	sqlite3_stmt *s = NULL;
	if (!sql) {
		rl_err_set(err, RL_EDB, file, 0, "no such built-in statement");
		return NULL;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rl_store_db_err(st, err, READ_FAILED);
		return NULL;
	}
	return s;
}

int rl_store_attach(rl_store *st, const char *path, rl_err *err)
{
	sqlite3_stmt *s = prepare(st, "sql/merge/attach.sql", err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rl_err_set(err, RL_EDB, path, 0, "cannot open it: %s", sqlite3_errmsg(st->db));
}

void rl_store_detach(rl_store *st)
{
	sqlite3_exec(st->db, rl_store_sql("sql/merge/detach.sql"), NULL, NULL, NULL);
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Chains of src kept under another key, so that its waiting attempts follow them. */
typedef struct renames {
	rl_u64map index; /* old key → entry + 1 */
	uint64_t *to;
	size_t n, cap;
} renames;

static int rename_add(renames *r, uint64_t from, uint64_t to)
{
	if (r->n >= UINT32_MAX - 1 || rl_array_grow((void **)&r->to, &r->cap, r->n, sizeof *r->to))
		return RL_ENOMEM;
	r->to[r->n++] = to;
	return rl_u64map_put(&r->index, from, (uint32_t)r->n);
}

/* Whether main holds (kind, key); with *blob a copy of its end field for a rekey entry. */
static int held_here(sqlite3_stmt *here, int kind, uint64_t key, int64_t *rekey_end)
{
	sqlite3_bind_int(here, 1, kind);
	sqlite3_bind_int64(here, 2, (sqlite3_int64)key);
	int rc = sqlite3_step(here);
	int held = rc == SQLITE_ROW;
	if (held && rekey_end) {
		const unsigned char *b = sqlite3_column_blob(here, 0);
		int n = sqlite3_column_bytes(here, 0);
		*rekey_end = b && n >= REKEY_END_AT + 8 ? (int64_t)get_u64(b + REKEY_END_AT) : INT64_MIN;
	}
	sqlite3_reset(here);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? held : -1;
}

/* src's saved state into main's. */
static int copy_state(rl_store *st, const char *uuid, rl_store_merged *out, rl_err *err)
{
	int64_t next_seq = 1;
	int rc = rl_store_meta_get_i64(st, "next_seq", &next_seq, err);
	if (rc < 0)
		return rc;
	if (next_seq < 1)
		next_seq = 1;
	sqlite3_stmt *all = prepare(st, "sql/merge/state.sql", err);
	sqlite3_stmt *here = all ? prepare(st, "sql/merge/state_here.sql", err) : NULL;
	if (!here) {
		sqlite3_finalize(all);
		return RL_EDB;
	}
	renames rn = {0};
	uint64_t salt = rl_fnv1a64(uuid, strlen(uuid));
	unsigned char buf[8192];
	rc = 0;
	int step;
	while (!rc && (step = sqlite3_step(all)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(all, 0);
		uint64_t key = (uint64_t)sqlite3_column_int64(all, 1);
		const void *blob = sqlite3_column_blob(all, 2);
		int n = sqlite3_column_bytes(all, 2);
		size_t need = kind == KIND_ATTEMPT ? ATTEMPT_KEY_AT + 8 : CHAIN_KEY_AT + 8;
		if (!blob || n < (int)need || (size_t)n > sizeof buf ||
		    (((const unsigned char *)blob)[0] != BLOB_VERSION &&
		     !(kind == KIND_REKEY && ((const unsigned char *)blob)[0] == 2)) ||
		    kind < KIND_CHAIN || kind > KIND_ATTEMPT) {
			rc = rl_err_set(err, RL_EDB, NULL, 0,
					"its saved state holds a blob this version cannot read (kind %d): the "
					"database to merge is damaged or from another version",
					kind);
			break;
		}
		memcpy(buf, blob, (size_t)n);
		int64_t end_here = 0;
		int held = kind == KIND_ATTEMPT ? 0 : held_here(here, kind, key, kind == KIND_REKEY ? &end_here : NULL);
		if (held < 0) {
			rc = rl_store_db_err(st, err, READ_FAILED);
			break;
		}
		if (kind == KIND_CHAIN) {
			if (held) {
				/* the same key in both (one client, two hosts): each chain is judged on
				 * its own, as its host's run would have */
				uint64_t k = key;
				do
					k = rl_hash_u64(k ^ salt) | 1;
				while ((held = held_here(here, kind, k, NULL)) == 1);
				if (held < 0 || rename_add(&rn, key, k)) {
					rc = held < 0 ? rl_store_db_err(st, err, READ_FAILED) : RL_ENOMEM;
					break;
				}
				put_u64(buf + CHAIN_KEY_AT, k);
				key = k;
				out->apart++;
			}
			out->chains++;
		} else if (kind == KIND_REKEY) {
			/* a rekey entry is the last keyed failure of a request: the later one */
			if (held && end_here >= (int64_t)get_u64(buf + REKEY_END_AT))
				continue;
		} else {
			uint32_t r = rl_u64map_get(&rn.index, get_u64(buf + ATTEMPT_KEY_AT));
			if (r)
				put_u64(buf + ATTEMPT_KEY_AT, rn.to[r - 1]);
			key = (uint64_t)next_seq++;
			put_u64(buf + ATTEMPT_SEQ_AT, key);
			out->waiting++;
		}
		rc = rl_store_state_put(st, kind, key, buf, (size_t)n, err);
	}
	if (!rc && step != SQLITE_DONE)
		rc = rl_store_db_err(st, err, READ_FAILED);
	sqlite3_finalize(all);
	sqlite3_finalize(here);
	rl_u64map_free(&rn.index);
	free(rn.to);
	return rc ? rc : rl_store_meta_set_i64(st, "next_seq", next_seq, err);
}

/* A meta value of src as an integer; 0 when it has none. */
static int src_meta_i64(rl_store *st, const char *key, int64_t *v, rl_err *err)
{
	sqlite3_stmt *s = prepare(st, "sql/merge/src_meta.sql", err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	int found = rc == SQLITE_ROW;
	if (found)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : rl_store_db_err(st, err, READ_FAILED);
}

/* main's meta key moved to src's when that is later (max) or when main has none (first). */
static int meta_follow(rl_store *st, const char *key, bool max, rl_err *err)
{
	int64_t theirs = 0, ours = 0;
	int rc = src_meta_i64(st, key, &theirs, err);
	if (rc <= 0)
		return rc;
	if ((rc = rl_store_meta_get_i64(st, key, &ours, err)) < 0)
		return rc;
	if (rc == 1 && (!max || ours >= theirs))
		return 0;
	return rl_store_meta_set_i64(st, key, theirs, err);
}

static int run_file(rl_store *st, const char *file, rl_err *err)
{
	const char *sql = rl_store_sql(file);
	char *msg = NULL;
	if (!sql)
		return rl_err_set(err, RL_EDB, file, 0, "no such built-in statement");
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	int rc = rl_err_set(err, RL_EDB, st->path, 0, "%s (%s): %s", WRITE_FAILED, file,
			    msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	return rc;
}

static int src_counts(rl_store *st, rl_store_merged *out, rl_err *err)
{
	sqlite3_stmt *s = prepare(st, "sql/merge/src_counts.sql", err);
	if (!s)
		return RL_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->lines = (uint64_t)sqlite3_column_int64(s, 0);
		out->attempts = (uint64_t)sqlite3_column_int64(s, 1);
		out->rejected = (uint64_t)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW || !(s = prepare(st, "sql/merge/src_pending.sql", err)))
		return rl_store_db_err(st, err, READ_FAILED);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		out->pending = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rl_store_db_err(st, err, READ_FAILED);
}

int rl_store_merged_note(rl_store *st, const char *uuid, const char *shard, bool leaf, rl_err *err)
{
	sqlite3_stmt *s = prepare(st, "sql/merge/inputs.sql", err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
	if (shard)
		sqlite3_bind_text(s, 2, shard, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, leaf);
	sqlite3_bind_int64(s, 4, rl_wall_us());
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rl_store_db_err(st, err, WRITE_FAILED);
}

static int note_inputs(rl_store *st, const rl_store_merge_in *in, rl_err *err)
{
	int rc = rl_store_merged_note(st, in->uuid, in->shard, in->leaf, err);
	return rc ? rc : run_file(st, "sql/merge/inputs_carried.sql", err);
}

int rl_store_merge_attached(rl_store *st, const rl_store_merge_in *in, rl_store_merged *out, rl_err *err)
{
	memset(out, 0, sizeof *out);
	int rc = run_file(st, "sql/merge/0_begin.sql", err);
	if (rc)
		return rc;
	sqlite3_stmt *p = prepare(st, "sql/merge/param.sql", err);
	if (!p)
		return RL_EDB;
	sqlite3_bind_int64(p, 1, in->run_id);
	sqlite3_bind_int(p, 2, RL_ENDPOINTS_CAP);
	sqlite3_bind_int(p, 3, RL_METHODS_CAP);
	sqlite3_bind_int(p, 4, RL_ERRORS_CAP);
	rc = sqlite3_step(p);
	sqlite3_finalize(p);
	if (rc != SQLITE_DONE)
		return rl_store_db_err(st, err, WRITE_FAILED);
	static const char *const files[] = {"sql/merge/1_names.sql",   "sql/merge/2_attempts.sql",
					    "sql/merge/3_retries.sql", "sql/merge/4_clients.sql",
					    "sql/merge/5_sources.sql", "sql/merge/6_end.sql"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		if ((rc = run_file(st, files[i], err)))
			return rc;
	if ((rc = src_counts(st, out, err)) || (rc = copy_state(st, in->uuid, out, err)) ||
	    (rc = meta_follow(st, "end_of_input_us", true, err)) ||
	    (rc = meta_follow(st, "latest_start_us", true, err)) || (rc = meta_follow(st, "max_lag_us", false, err)) ||
	    (rc = meta_follow(st, "clock_skew_us", false, err)) || (rc = note_inputs(st, in, err)))
		return rc;
	return rl_store_prune_clients(st, RL_CLIENTS_CAP, NULL, err);
}

int rl_store_merged_each(rl_store *st, int (*cb)(void *ctx, const char *uuid, const char *shard, bool leaf), void *ctx,
			 rl_err *err)
{
	sqlite3_stmt *s = prepare(st, "sql/read/merged.sql", err);
	if (!s)
		return RL_EDB;
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW)
		rc = cb(ctx, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int(s, 2) != 0);
	if (!rc && step != SQLITE_DONE)
		rc = rl_store_db_err(st, err, "cannot read the merged inputs");
	sqlite3_finalize(s);
	return rc;
}

int rl_store_merged_mode(rl_store *st, char mode[8], int64_t *leaves, uint32_t *shards_of, rl_err *err)
{
	sqlite3_stmt *s = prepare(st, "sql/read/merged_mode.sql", err);
	if (!s)
		return RL_EDB;
	int rc = sqlite3_step(s);
	int64_t n = 0, whole = 0, ns = 0, distinct = 0, of = 0;
	if (rc == SQLITE_ROW) {
		n = sqlite3_column_int64(s, 0);
		whole = sqlite3_column_int64(s, 1);
		ns = sqlite3_column_int64(s, 2);
		distinct = sqlite3_column_int64(s, 3);
		of = sqlite3_column_int64(s, 4);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return rl_store_db_err(st, err, "cannot read the merged inputs");
	*leaves = n;
	bool shards = n && !whole && ns == 1 && distinct == n;
	strcpy(mode, !n ? "none" : shards ? "shards" : "hosts");
	*shards_of = shards ? (uint32_t)of : 0;
	return 0;
}
