/* store/migrate.c - brings a database's schema forward: every sql/migrate/NNNN_*.sql
 * above its PRAGMA user_version runs in its own transaction, in order, and sets
 * user_version to NNNN itself (checked here). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/embedded.h"
#include "lib/store/internal.h"

#define MIGRATE_DIR "sql/migrate/"

static bool is_migration(const rl_embedded *e)
{
	return strncmp(e->name, MIGRATE_DIR, strlen(MIGRATE_DIR)) == 0;
}

static int migration_number(const rl_embedded *e)
{
	return atoi(e->name + strlen(MIGRATE_DIR));
}

static int latest_schema(void)
{
	int latest = 0;
	for (const rl_embedded *e = rl_embedded_files; e->name; e++)
		if (is_migration(e) && migration_number(e) > latest)
			latest = migration_number(e);
	return latest;
}

/* The schema version and the number of tables (sql/read/schema.sql). */
static int read_schema(rl_store *st, int *version, int *tables, rl_err *err)
{
	const rl_embedded *e = rl_embedded_find("sql/read/schema.sql");
	sqlite3_stmt *s;
	if (!e || sqlite3_prepare_v2(st->db, e->data, (int)e->len, &s, NULL) != SQLITE_OK)
		return rl_store_db_err(st, err, "cannot read the database");
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		*tables = sqlite3_column_int(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rl_store_db_err(st, err, "cannot read the database");
}

int rl_store_migrate(rl_store *st, rl_err *err)
{
	int version = 0, tables = 0, rc;
	if ((rc = read_schema(st, &version, &tables, err)))
		return rc;
	int latest = latest_schema();
	if (version > latest)
		return rl_err_set(err, RL_EDB, st->path, 0,
				  "the database has schema version %d, written by a newer retrylens (this one knows up "
				  "to %d): upgrade retrylens",
				  version, latest);
	if (version == 0 && tables > 0)
		return rl_err_set(err, RL_EDB, st->path, 0,
				  "not a retrylens database (it holds other tables): name another --db");
	if (version < latest && (rc = rl_store_legacy_register(st, err)))
		return rc;
	for (const rl_embedded *e = rl_embedded_files; e->name; e++) {
		if (!is_migration(e) || migration_number(e) <= version)
			continue;
		/* each file ends by setting user_version to its own number; another process
		 * (a report opening the database while an ingest creates it) may have run it
		 * since the version was read: read it again under the write lock */
		rc = rl_store_exec(st, rl_store_sql("sql/tx/begin.sql"), err);
		if (!rc)
			rc = read_schema(st, &version, &tables, err);
		if (!rc && version >= migration_number(e)) {
			if (!(rc = rl_store_exec(st, rl_store_sql("sql/tx/commit.sql"), err)))
				continue;
		}
		if (!rc)
			rc = rl_store_exec(st, e->data, err);
		if (!rc && !(rc = read_schema(st, &version, &tables, err)) && version != migration_number(e))
			rc = rl_err_set(err, RL_EDB, st->path, 0,
					"%s left the schema at version %d: this build is broken", e->name, version);
		if (!rc)
			rc = rl_store_exec(st, rl_store_sql("sql/tx/commit.sql"), err);
		if (rc) {
			sqlite3_exec(st->db, rl_store_sql("sql/tx/rollback.sql"), NULL, NULL, NULL);
			return rc;
		}
	}
	return 0;
}
