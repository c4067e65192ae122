-- Latency histogram counts per minute, endpoint, method and bucket, summed into the stored row.
-- sql/merge/2_attempts.sql adds another database's rows by the same rule: change both.
INSERT INTO latency(minute, endpoint_id, method_id, bucket, count)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT(minute, endpoint_id, method_id, bucket) DO UPDATE SET
  count = count + excluded.count;
