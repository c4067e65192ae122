-- latency.sql within a window: the histograms of the minutes [?1, ?2) summed.
SELECT endpoint_id, method_id, bucket, SUM(count)
FROM latency
WHERE minute >= ?1 AND minute < ?2
GROUP BY endpoint_id, method_id, bucket
ORDER BY endpoint_id, method_id, bucket;
