-- 0009_unretried.sql - of the chains that gave up, those of a single failed attempt that
-- nobody retried (SPEC §6 retries.unretried_failures), per minute of that attempt's end
-- like every outcome (lib/store/rows.h RL_AGG_UNRETRIED). The rows an earlier version
-- wrote cannot tell them apart and keep 0: a report over them under-counts these (it
-- counts such chains as gave_up after retries), and every other number stays exact.
ALTER TABLE chain_minute ADD COLUMN unretried INTEGER NOT NULL DEFAULT 0;

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 9;
