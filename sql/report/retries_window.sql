-- retries.sql within a window: the retries that started in the minutes [?1, ?2).
SELECT endpoint_id, method_id, SUM(retries), SUM(blind_4xx), SUM(unsafe), SUM(checked), SUM(compliant),
       SUM(too_fast), SUM(ignored_retry_after), SUM(over_max_retries), SUM(no_jitter)
FROM retry_bucket
WHERE minute >= ?1 AND minute < ?2
GROUP BY endpoint_id, method_id;
