-- 0010_merge.sql - the databases merged into this one (SPEC §4, retrylens merge), by
-- uuid: merging one again changes nothing, and one that holds another already merged
-- here is refused (its counts would be added twice). shard is the leaf's "I/N" (NULL: a
-- whole database, one host's); leaf 0 marks a database that was itself a merge (its own
-- inputs are rows of their own), so the leaves are the databases whose lines these are.
CREATE TABLE merged_input (
  uuid      TEXT PRIMARY KEY,
  shard     TEXT,
  leaf      INTEGER NOT NULL,
  merged_us INTEGER NOT NULL
) WITHOUT ROWID;

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 10;
