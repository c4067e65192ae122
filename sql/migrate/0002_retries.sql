-- 0002_retries.sql - the retry analysis (SPEC §3): retries and verdicts per minute ×
-- endpoint × method, chains and outcomes per minute, per-client rows with evidence,
-- lockstep candidates, rekeyed clients, and the state carried from one run to the next.

-- Retries by their start minute, with their findings and backoff verdicts.
CREATE TABLE retry_bucket (
  minute              INTEGER NOT NULL,
  endpoint_id         INTEGER NOT NULL,
  method_id           INTEGER NOT NULL,
  retries             INTEGER NOT NULL DEFAULT 0,
  blind_4xx           INTEGER NOT NULL DEFAULT 0,
  unsafe              INTEGER NOT NULL DEFAULT 0,
  checked             INTEGER NOT NULL DEFAULT 0,
  compliant           INTEGER NOT NULL DEFAULT 0,
  too_fast            INTEGER NOT NULL DEFAULT 0,
  ignored_retry_after INTEGER NOT NULL DEFAULT 0,
  over_max_retries    INTEGER NOT NULL DEFAULT 0,
  no_jitter           INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, endpoint_id, method_id)
) WITHOUT ROWID;

CREATE TABLE retry_total (
  endpoint_id         INTEGER NOT NULL,
  method_id           INTEGER NOT NULL,
  retries             INTEGER NOT NULL DEFAULT 0,
  blind_4xx           INTEGER NOT NULL DEFAULT 0,
  unsafe              INTEGER NOT NULL DEFAULT 0,
  checked             INTEGER NOT NULL DEFAULT 0,
  compliant           INTEGER NOT NULL DEFAULT 0,
  too_fast            INTEGER NOT NULL DEFAULT 0,
  ignored_retry_after INTEGER NOT NULL DEFAULT 0,
  over_max_retries    INTEGER NOT NULL DEFAULT 0,
  no_jitter           INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (endpoint_id, method_id)
) WITHOUT ROWID;

-- Chains by their first start, outcomes by their last end, rekeyed attempts by start.
CREATE TABLE chain_minute (
  minute    INTEGER PRIMARY KEY,
  chains    INTEGER NOT NULL DEFAULT 0,
  recovered INTEGER NOT NULL DEFAULT 0,
  gave_up   INTEGER NOT NULL DEFAULT 0,
  rekeyed   INTEGER NOT NULL DEFAULT 0
);

-- One row per client (the hash of its name, lib/identity.h, as a signed integer), capped: past the cap
-- the clients with the fewest violations, then attempts, are dropped.
CREATE TABLE client (
  hash                INTEGER PRIMARY KEY,
  name                TEXT,
  attempts            INTEGER NOT NULL DEFAULT 0,
  retries             INTEGER NOT NULL DEFAULT 0,
  blind_4xx           INTEGER NOT NULL DEFAULT 0,
  unsafe              INTEGER NOT NULL DEFAULT 0,
  checked             INTEGER NOT NULL DEFAULT 0,
  compliant           INTEGER NOT NULL DEFAULT 0,
  too_fast            INTEGER NOT NULL DEFAULT 0,
  ignored_retry_after INTEGER NOT NULL DEFAULT 0,
  over_max_retries    INTEGER NOT NULL DEFAULT 0,
  no_jitter           INTEGER NOT NULL DEFAULT 0,
  violations          INTEGER NOT NULL DEFAULT 0,
  rekeyed             INTEGER NOT NULL DEFAULT 0,
  ev_violations       INTEGER NOT NULL DEFAULT 0,  -- of the chain kept as evidence
  ev_start            INTEGER,                     -- its first attempt's start (µs)
  evidence            TEXT                         -- {"attempts": n, "steps": [...]}; a blob from 0005
);

-- Backoff-checked retries at ms resolution without Retry-After (SPEC §3 lockstep).
CREATE TABLE lockstep_candidate (
  round    INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  client   INTEGER NOT NULL
);
CREATE INDEX lockstep_by_round ON lockstep_candidate (round, start_us);

-- Clients with a rekeyed attempt, never capped (their number is reported).
CREATE TABLE rekeyed_client (
  hash     INTEGER PRIMARY KEY,
  attempts INTEGER NOT NULL DEFAULT 0
);

-- What the next run needs to go on as if it were the same run: chains in progress,
-- rekey entries and attempts still waiting for reordering (lib/chain.h blobs), plus
-- meta keys latest_start_us, end_of_input_us and next_seq.
CREATE TABLE saved_state (
  kind INTEGER NOT NULL,
  key  INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- The time and duration resolution of each input (SPEC §3.1.1).
ALTER TABLE source ADD COLUMN time_res_us INTEGER;
ALTER TABLE source ADD COLUMN dur_res_us INTEGER;

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 2;
