/* store/db.c - opening and closing the database, its error messages, the prepared
 * statements of sql/write/, transactions and the meta table. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "lib/base/embedded.h"
#include "lib/store/store.h"
#include "lib/store/internal.h"
#include "lib/store/identity.h"

#define RL_STORE_STMT_FILE_(id, file, rows) [RL_S_##id] = {"sql/write/" #file ".sql", rows},
static const struct {
	const char *file;
	int rows;
} stmt_src[RL_S_COUNT] = {RL_STORE_STMTS(RL_STORE_STMT_FILE_)};
#undef RL_STORE_STMT_FILE_

static bool file_size_limited(void)
{
	struct rlimit rl;
	return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
}

void rl_store_db_hint(rl_store *st, char *buf, size_t cap)
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

int rl_store_db_err(rl_store *st, rl_err *err, const char *what)
{
	char hint[512] = "";
	if (st->db)
		rl_store_db_hint(st, hint, sizeof hint);
	return rl_err_set(err, RL_EDB, st->path, 0, "%s: %s%s", what, st->db ? sqlite3_errmsg(st->db) : "no database",
			  hint);
}

const char *rl_store_sql(const char *name)
{
	const rl_embedded *e = rl_embedded_find(name);
	return e ? e->data : NULL;
}

int rl_store_exec(rl_store *st, const char *sql, rl_err *err)
{
	if (!sql)
		return rl_err_set(err, RL_EDB, st->path, 0, "an SQL file is missing from this build of retrylens");
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		char hint[512];
		rl_store_db_hint(st, hint, sizeof hint);
		int rc = rl_err_set(err, RL_EDB, st->path, 0, "%s%s", msg ? msg : sqlite3_errmsg(st->db), hint);
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

/* The one-row statement sql with its VALUES (…) tuple repeated rows times, malloc'd;
 * NULL when sql has no such tuple or memory ran out. */
static char *repeat_values(const char *sql, int rows)
{
	const char *values = strstr(sql, "VALUES");
	const char *open = values ? strchr(values, '(') : NULL, *close = open;
	for (int depth = 0; close && *close; close++)
		if (*close == '(')
			depth++;
		else if (*close == ')' && --depth == 0)
			break;
	if (!close || *close != ')')
		return NULL;
	size_t head = (size_t)(open - sql), tuple = (size_t)(close + 1 - open), tail = strlen(close + 1);
	char *out = malloc(head + (size_t)rows * (tuple + 1) + tail + 1), *p = out;
	if (!out)
		return NULL;
	memcpy(p, sql, head);
	p += head;
	for (int r = 0; r < rows; r++) {
		if (r)
			*p++ = ',';
		memcpy(p, open, tuple);
		p += tuple;
	}
	memcpy(p, close + 1, tail + 1);
	return out;
}

sqlite3_stmt *rl_store_stmt(rl_store *st, rl_store_stmt_id which, rl_err *err)
{
	if (st->stmt[which])
		return st->stmt[which];
	const char *file = stmt_src[which].file;
	const rl_embedded *e = rl_embedded_find(file);
	if (!e) {
		rl_err_set(err, RL_EDB, file, 0, "no such built-in statement");
		return NULL;
	}
	char *built = stmt_src[which].rows > 1 ? repeat_values(e->data, stmt_src[which].rows) : NULL;
	if (stmt_src[which].rows > 1 && !built) {
		rl_err_set(err, RL_EDB, file, 0, "no VALUES (...) tuple to repeat, or out of memory");
		return NULL;
	}
	int rc = sqlite3_prepare_v3(st->db, built ? built : e->data, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[which],
				    NULL);
	free(built);
	if (rc != SQLITE_OK) {
		rl_store_db_err(st, err, "cannot prepare a statement");
		return NULL;
	}
	return st->stmt[which];
}

int rl_store_run_stmt(rl_store *st, sqlite3_stmt *s, rl_err *err, const char *what)
{
	int rc = sqlite3_step(s);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return rl_store_db_err(st, err, what);
	return 0;
}

/* --- open and close ------------------------------------------------------------- */

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
	st->lock_fd = -1;
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
		/* the writer's lock, before SQLite opens (or creates) the file */
		if (opts && opts->writer && (rc = rl_store_lock(st, path, opts, err)))
			goto fail;
	}
	int flags = SQLITE_OPEN_READWRITE | (must_exist ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(temporary ? "" : path, &st->db, flags, NULL) != SQLITE_OK) {
		rc = rl_store_db_err(st, err,
				     "cannot open the database (does its directory exist, and may you write there?)");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 10000);
	rc = rl_store_exec(st, rl_store_sql(temporary ? "sql/pragma/temporary.sql" : "sql/pragma/file.sql"), err);
	if (rc) {
		if (sqlite3_errcode(st->db) == SQLITE_NOTADB)
			rc = rl_err_set(err, RL_EDB, st->path, 0,
					"not a SQLite database (or an encrypted or corrupt one): name another --db");
		goto fail;
	}
	if ((rc = rl_store_migrate(st, err)) || (rc = rl_store_identity_init(st, err)))
		goto fail;
	*out = st;
	return 0;
fail:
	rl_store_close(st);
	return rc;
}

int rl_store_open_copy(rl_store **out, rl_store *src, rl_err *err)
{
	rl_store_opts o = {.temporary = true};
	int rc = rl_store_open(out, "", &o, err);
	if (rc)
		return rc;
	rl_store *st = *out;
	sqlite3_backup *b = sqlite3_backup_init(st->db, "main", src->db, "main");
	int step = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
	if (b)
		sqlite3_backup_finish(b);
	char *name = strdup(src->path);
	if (step != SQLITE_DONE || !name) {
		rc = name ? rl_err_set(err, RL_EDB, src->path, 0,
				       "cannot copy it to count its pending lines (a temporary file, in $TMPDIR or "
				       "/var/tmp, as large as the database): %s",
				       sqlite3_errmsg(st->db))
			  : rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		free(name);
		rl_store_close(st);
		*out = NULL;
		return rc;
	}
	free(st->path);
	st->path = name;
	return 0;
}

/* Closes st; with remove, deletes the database's files first, while the lock still
 * keeps every other writer out (one waiting for it then makes the database anew). */
static void close_store(rl_store *st, bool remove_files)
{
	if (!st)
		return;
	for (int i = 0; i < RL_S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->in_tx)
		sqlite3_exec(st->db, rl_store_sql("sql/tx/rollback.sql"), NULL, NULL, NULL);
	sqlite3_close(st->db);
	if (remove_files && st->path) {
		size_t n = strlen(st->path) + 8;
		char *side = malloc(n);
		remove(st->path);
		if (side) {
			snprintf(side, n, "%s-wal", st->path);
			remove(side);
			snprintf(side, n, "%s-shm", st->path);
			remove(side);
			free(side);
		}
	}
	rl_store_unlock(st); /* after the last write is closed */
	free(st->path);
	free(st);
}

void rl_store_close(rl_store *st)
{
	close_store(st, false);
}

void rl_store_close_remove(rl_store *st)
{
	close_store(st, true);
}

const char *rl_store_path(const rl_store *st)
{
	return st->path;
}

/* --- transactions ----------------------------------------------------------------- */

int rl_store_begin(rl_store *st, rl_err *err)
{
	int rc = rl_store_exec(st, rl_store_sql("sql/tx/begin.sql"), err);
	if (!rc)
		st->in_tx = true;
	return rc;
}

int rl_store_commit(rl_store *st, rl_err *err)
{
	int rc = rl_store_exec(st, rl_store_sql("sql/tx/commit.sql"), err);
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
		sqlite3_exec(st->db, rl_store_sql("sql/tx/rollback.sql"), NULL, NULL, NULL);
	st->in_tx = false;
}

/* --- meta ------------------------------------------------------------------------- */

/* Steps meta_get.sql for key: 1 with the value in *text (valid until the reset), 0
 * absent, or RL_EDB. The caller resets the statement. */
static int meta_find(rl_store *st, const char *key, sqlite3_stmt **s, const char **text, rl_err *err)
{
	if (!(*s = rl_store_stmt(st, RL_S_META_GET, err)))
		return RL_EDB;
	sqlite3_bind_text(*s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(*s);
	if (rc == SQLITE_ROW) {
		*text = (const char *)sqlite3_column_text(*s, 0);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : rl_store_db_err(st, err, "cannot read the database");
}

int rl_store_meta_get(rl_store *st, const char *key, char *buf, size_t cap, rl_err *err)
{
	sqlite3_stmt *s;
	const char *v = NULL;
	int found = meta_find(st, key, &s, &v, err);
	if (found == 1)
		snprintf(buf, cap, "%s", v);
	if (s)
		sqlite3_reset(s);
	return found;
}

int rl_store_meta_dup(rl_store *st, const char *key, char **value, rl_err *err)
{
	*value = NULL;
	sqlite3_stmt *s;
	const char *v = NULL;
	int found = meta_find(st, key, &s, &v, err);
	if (found == 1 && !(*value = strdup(v ? v : "")))
		found = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	if (s)
		sqlite3_reset(s);
	return found;
}

int rl_store_meta_set(rl_store *st, const char *key, const char *value, rl_err *err)
{
	sqlite3_stmt *s = rl_store_stmt(st, RL_S_META_SET, err);
	if (!s)
		return RL_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return rl_store_run_stmt(st, s, err, "cannot write to the database");
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
