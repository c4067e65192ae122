-- Attempts per minute and status (the timeline's rows): the bucket rows of a commit summed.
-- sql/merge/2_attempts.sql adds another database's rows by the same rule: change both.
INSERT INTO minute_status(minute, status, attempts)
VALUES (?, ?, ?)
ON CONFLICT(minute, status) DO UPDATE SET
  attempts = attempts + excluded.attempts;
