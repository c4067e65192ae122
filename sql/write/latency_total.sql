-- All-time latency histogram counts per endpoint, method and bucket.
-- sql/merge/2_attempts.sql adds another database's rows by the same rule: change both.
INSERT INTO latency_total(endpoint_id, method_id, bucket, count)
VALUES (?, ?, ?, ?)
ON CONFLICT(endpoint_id, method_id, bucket) DO UPDATE SET
  count = count + excluded.count;
