-- 0006_client_last_seen.sql - when each client was last seen: the start of its latest
-- attempt (µs), so that `retrylens prune --older-than` can drop the clients (and their
-- addresses) it has not seen since. NULL for rows written before this version.
ALTER TABLE client ADD COLUMN last_us INTEGER;

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 6;
