-- Every client row (the database keeps at most 10,000, see 0002_retries.sql).
SELECT hash, name, attempts, retries, blind_4xx, unsafe, checked, compliant, too_fast, ignored_retry_after,
       over_max_retries, no_jitter, violations, rekeyed, ev_violations, ev_start, evidence
FROM client;
