-- The all-time tables again from the minute tables they sum, after prune dropped minutes.
DELETE FROM bucket_total;
INSERT INTO bucket_total (endpoint_id, method_id, status, code_id, attempts)
SELECT endpoint_id, method_id, status, code_id, SUM(attempts)
FROM bucket GROUP BY endpoint_id, method_id, status, code_id;

DELETE FROM latency_total;
INSERT INTO latency_total (endpoint_id, method_id, bucket, count)
SELECT endpoint_id, method_id, bucket, SUM(count)
FROM latency GROUP BY endpoint_id, method_id, bucket;

DELETE FROM retry_total;
INSERT INTO retry_total (endpoint_id, method_id, retries, blind_4xx, unsafe, checked, compliant, too_fast,
                         ignored_retry_after, over_max_retries, no_jitter)
SELECT endpoint_id, method_id, SUM(retries), SUM(blind_4xx), SUM(unsafe), SUM(checked), SUM(compliant),
       SUM(too_fast), SUM(ignored_retry_after), SUM(over_max_retries), SUM(no_jitter)
FROM retry_bucket GROUP BY endpoint_id, method_id;
