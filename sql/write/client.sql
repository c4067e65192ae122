-- A client's counts added to its row; the counters in the order of RL_CLIENT_COUNTERS,
-- lib/clients.h, which tests/unit/test_verdict.c checks. The evidence with the most
-- violations wins; on a tie, the earlier chain. last_us: the latest attempt's start seen.
-- sql/merge/4_clients.sql adds another database's rows by the same rule: change both.
INSERT INTO client(hash, name, attempts, retries, blind_4xx, unsafe, checked, compliant, too_fast,
                   ignored_retry_after, over_max_retries, no_jitter, violations, rekeyed, ev_violations, ev_start,
                   evidence, last_us)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
ON CONFLICT(hash) DO UPDATE SET
  name = COALESCE(name, excluded.name),
  attempts = attempts + excluded.attempts,
  retries = retries + excluded.retries,
  blind_4xx = blind_4xx + excluded.blind_4xx,
  unsafe = unsafe + excluded.unsafe,
  checked = checked + excluded.checked,
  compliant = compliant + excluded.compliant,
  too_fast = too_fast + excluded.too_fast,
  ignored_retry_after = ignored_retry_after + excluded.ignored_retry_after,
  over_max_retries = over_max_retries + excluded.over_max_retries,
  no_jitter = no_jitter + excluded.no_jitter,
  violations = violations + excluded.violations,
  rekeyed = rekeyed + excluded.rekeyed,
  evidence = CASE WHEN excluded.ev_violations > ev_violations
                        OR (excluded.ev_violations = ev_violations AND excluded.ev_violations > 0
                            AND excluded.ev_start < ev_start)
                  THEN excluded.evidence ELSE evidence END,
  ev_start = CASE WHEN excluded.ev_violations > ev_violations
                        OR (excluded.ev_violations = ev_violations AND excluded.ev_violations > 0
                            AND excluded.ev_start < ev_start)
                  THEN excluded.ev_start ELSE ev_start END,
  ev_violations = MAX(ev_violations, excluded.ev_violations),
  last_us = CASE WHEN last_us IS NULL OR excluded.last_us > last_us THEN excluded.last_us ELSE last_us END;
