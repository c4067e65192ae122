-- Retries over all time per endpoint and method, with their findings and verdicts.
SELECT endpoint_id, method_id, retries, blind_4xx, unsafe, checked, compliant, too_fast, ignored_retry_after,
       over_max_retries, no_jitter
FROM retry_total;
