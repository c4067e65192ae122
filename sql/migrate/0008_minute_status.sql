-- 0008_minute_status.sql - attempts per minute and status: the timeline's rows (SPEC §6),
-- a few per minute where bucket has one per minute × endpoint × method × status × code,
-- so that a report over 30 days reads 30 days of these, not of bucket. Only failures are
-- told apart (a policy classifies them as retryable or not); everything else is one row
-- of status -2 (lib/store/rows.h RL_STATUS_NOT_FAILED). Written with bucket in each
-- commit; a database of an earlier version gets them from its buckets.
CREATE TABLE minute_status (
  minute   INTEGER NOT NULL,
  status   INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  PRIMARY KEY (minute, status)
) WITHOUT ROWID;

INSERT INTO minute_status(minute, status, attempts)
SELECT minute, CASE WHEN status >= 400 OR status = 0 THEN status ELSE -2 END AS s, SUM(attempts)
FROM bucket GROUP BY minute, s;

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 8;
