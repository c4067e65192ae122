-- Latency histograms over all time per endpoint and method, in bucket order.
SELECT endpoint_id, method_id, bucket, count
FROM latency_total
ORDER BY endpoint_id, method_id, bucket;
