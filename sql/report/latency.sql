-- Latency histogram of one endpoint (?3) and method (?4) in [?1, ?2) minutes.
SELECT bucket, SUM(count)
FROM latency
WHERE minute >= ?1 AND minute < ?2 AND endpoint_id = ?3 AND method_id = ?4
GROUP BY bucket
ORDER BY bucket;
