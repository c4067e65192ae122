-- 0007_checkpoints.sql - where each file source was left (SPEC §4), so that a re-run
-- reads only what is new, whatever logrotate did in between.
--
-- A source is known by its content: fp_hash is FNV-1a 64 of its first fp_len bytes
-- after decompression (fp_len = min(size, 4096) when taken, extended as the file grows).
-- dev and ino tell two files with the same first bytes apart; size and mtime_ns (of the
-- file as last read, compressed for gzip) let an unchanged compressed copy be skipped
-- without inflating it. offset is the bytes of the decompressed stream read (whole
-- lines), lines their count; pending is a last line without its newline yet, not
-- counted: the next run reads it again, whole once it has its newline, and a report
-- counts it as if input ended there (SPEC §4). format and the resolutions are the source's own (SPEC §3.1.1), so
-- a resumed file is read as it was. ended: read to its end (not stopped midway);
-- document: a HAR, read whole once, never resumed.
-- Written in the transaction that commits the lines they cover.
CREATE TABLE checkpoint (
  id INTEGER PRIMARY KEY,
  fp_len INTEGER NOT NULL,
  fp_hash INTEGER NOT NULL,
  dev INTEGER NOT NULL,
  ino INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  gzip INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  pending BLOB,
  ended INTEGER NOT NULL,
  document INTEGER NOT NULL,
  name TEXT NOT NULL,
  format TEXT,
  time_res_us INTEGER NOT NULL,
  dur_res_us INTEGER NOT NULL,
  res_lines INTEGER NOT NULL,
  run_id INTEGER NOT NULL
);
CREATE INDEX checkpoint_fp ON checkpoint(fp_hash);

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 7;
