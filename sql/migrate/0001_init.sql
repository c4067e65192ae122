-- 0001_init.sql - the first schema of a retrylens database (SPEC §4).
-- Aggregates, not raw lines. Times are integers: µs since the epoch (UTC), or minutes
-- since the epoch for buckets.

-- Identity and settings of this database: uuid, created_at, policy, policy_json,
-- retry_window_us.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- Interned names; aggregates refer to them by id so that keys stay small.
CREATE TABLE endpoint (
  id       INTEGER PRIMARY KEY,
  template TEXT NOT NULL UNIQUE   -- "/v1/leads/{id}", "{other}" past the cap
);
CREATE TABLE method (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE       -- "GET"; "-" for a request without a method
);
-- Error message templates (status, type, code, message), filled from response bodies.
CREATE TABLE error_code (
  id      INTEGER PRIMARY KEY,
  status  INTEGER NOT NULL,
  type    TEXT,
  code    TEXT,
  message TEXT,
  sample  TEXT,
  UNIQUE (status, type, code, message)
);

-- Attempts per minute × endpoint × method × status × error code. status -1: not logged.
CREATE TABLE bucket (
  minute      INTEGER NOT NULL,
  endpoint_id INTEGER NOT NULL,
  method_id   INTEGER NOT NULL,
  status      INTEGER NOT NULL,
  code_id     INTEGER NOT NULL DEFAULT 0,
  attempts    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, endpoint_id, method_id, status, code_id)
) WITHOUT ROWID;

-- The same without the minute: what a report over all time reads.
CREATE TABLE bucket_total (
  endpoint_id INTEGER NOT NULL,
  method_id   INTEGER NOT NULL,
  status      INTEGER NOT NULL,
  code_id     INTEGER NOT NULL DEFAULT 0,
  attempts    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (endpoint_id, method_id, status, code_id)
) WITHOUT ROWID;

-- Latency histograms (lib/histogram.h buckets) per minute × endpoint × method.
CREATE TABLE latency (
  minute      INTEGER NOT NULL,
  endpoint_id INTEGER NOT NULL,
  method_id   INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY (minute, endpoint_id, method_id, bucket)
) WITHOUT ROWID;

CREATE TABLE latency_total (
  endpoint_id INTEGER NOT NULL,
  method_id   INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  PRIMARY KEY (endpoint_id, method_id, bucket)
) WITHOUT ROWID;

-- One row per input name, summed over runs.
CREATE TABLE source (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  format   TEXT,
  lines    INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  late     INTEGER NOT NULL DEFAULT 0,
  first_us INTEGER,   -- earliest attempt start
  last_us  INTEGER    -- latest attempt end
);

-- Samples of rejected lines (bounded per source and run).
CREATE TABLE rejected_sample (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL,
  source_id INTEGER NOT NULL,
  line      INTEGER NOT NULL,
  reason    TEXT NOT NULL,
  excerpt   TEXT
);

-- One row per ingest or analyze run.
CREATE TABLE run (
  id          INTEGER PRIMARY KEY,
  command     TEXT NOT NULL,
  version     TEXT NOT NULL,
  started_us  INTEGER NOT NULL,
  finished_us INTEGER,
  status      TEXT NOT NULL,   -- running, ok, failed
  lines       INTEGER NOT NULL DEFAULT 0,
  attempts    INTEGER NOT NULL DEFAULT 0,
  rejected    INTEGER NOT NULL DEFAULT 0
);

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 1;
