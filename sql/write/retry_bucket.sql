-- Retries, their findings and verdicts per minute, endpoint and method; the counters in
-- the order of RL_RETRY_COUNTERS, lib/verdict.h, which tests/unit/test_verdict.c checks.
-- sql/merge/3_retries.sql adds another database's rows by the same rule: change both.
INSERT INTO retry_bucket(minute, endpoint_id, method_id, retries, blind_4xx, unsafe, checked, compliant, too_fast,
                         ignored_retry_after, over_max_retries, no_jitter)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(minute, endpoint_id, method_id) DO UPDATE SET
  retries = retries + excluded.retries,
  blind_4xx = blind_4xx + excluded.blind_4xx,
  unsafe = unsafe + excluded.unsafe,
  checked = checked + excluded.checked,
  compliant = compliant + excluded.compliant,
  too_fast = too_fast + excluded.too_fast,
  ignored_retry_after = ignored_retry_after + excluded.ignored_retry_after,
  over_max_retries = over_max_retries + excluded.over_max_retries,
  no_jitter = no_jitter + excluded.no_jitter;
