-- Latency histogram counts per minute, endpoint, method and bucket, summed into the stored row.
INSERT INTO latency(minute, endpoint_id, method_id, bucket, count)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT(minute, endpoint_id, method_id, bucket) DO UPDATE SET
  count = count + excluded.count;
