-- 0005_evidence_blob.sql - a client's evidence as the blob of lib/retry/evidence.h
-- instead of JSON text: ingest no longer formats JSON that the report parses again.
-- Version 4's JSON rows are converted by rl_evidence_from_json() (lib/store/legacy.c,
-- registered on the connection while it migrates); one it cannot read fails the
-- migration, so nothing is dropped silently.
ALTER TABLE client ADD COLUMN evidence_blob BLOB;
UPDATE client SET evidence_blob = rl_evidence_from_json(evidence) WHERE evidence IS NOT NULL;
ALTER TABLE client DROP COLUMN evidence;
ALTER TABLE client RENAME COLUMN evidence_blob TO evidence;  -- the blob, NULL when none

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 5;
