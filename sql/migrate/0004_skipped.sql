-- 0004_skipped.sql - lines that parsed but are not HTTP access records (a JSON log's
-- startup and info records): counted per source, neither attempts nor rejected.
ALTER TABLE source ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 4;
