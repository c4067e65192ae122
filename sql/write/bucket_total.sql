-- All-time attempts per endpoint, method, status and error code: the bucket rows without their minute.
-- sql/merge/2_attempts.sql adds another database's rows by the same rule: change both.
INSERT INTO bucket_total(endpoint_id, method_id, status, code_id, attempts)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT(endpoint_id, method_id, status, code_id) DO UPDATE SET
  attempts = attempts + excluded.attempts;
