-- Attempts per minute, endpoint, method, status and error code, summed into the stored row.
-- sql/merge/2_attempts.sql adds another database's rows by the same rule: change both.
INSERT INTO bucket(minute, endpoint_id, method_id, status, code_id, attempts)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(minute, endpoint_id, method_id, status, code_id) DO UPDATE SET
  attempts = attempts + excluded.attempts;
