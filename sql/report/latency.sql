-- Latency histograms in [?1, ?2) minutes per endpoint and method, in bucket order.
SELECT endpoint_id, method_id, bucket, SUM(count)
FROM latency
WHERE minute >= ?1 AND minute < ?2
GROUP BY endpoint_id, method_id, bucket
ORDER BY endpoint_id, method_id, bucket;
