-- Attempts per endpoint, method and status over all time (bucket_total: the minute
-- buckets summed at each commit). report.c sums per status and per endpoint × method.
SELECT endpoint_id, method_id, status, SUM(attempts)
FROM bucket_total
GROUP BY endpoint_id, method_id, status;
