-- Attempts per minute, endpoint, method, status and error code, summed into the stored row.
INSERT INTO bucket(minute, endpoint_id, method_id, status, code_id, attempts)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(minute, endpoint_id, method_id, status, code_id) DO UPDATE SET
  attempts = attempts + excluded.attempts;
