-- Attempts per minute and status (the timeline's rows): the bucket rows of a commit summed.
INSERT INTO minute_status(minute, status, attempts)
VALUES (?, ?, ?)
ON CONFLICT(minute, status) DO UPDATE SET
  attempts = attempts + excluded.attempts;
