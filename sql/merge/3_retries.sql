-- merge/3_retries.sql - the input's retry findings: retries and verdicts per minute and
-- in total, chains and outcomes per minute, lockstep candidates (a report settles
-- lockstep over the union, SPEC §4) and rekeyed clients. Chains still open are the
-- saved state, copied by lib/store/merge.c and judged by the report at the merged end.
INSERT INTO main.retry_bucket(minute, endpoint_id, method_id, retries, blind_4xx, unsafe, checked, compliant,
                              too_fast, ignored_retry_after, over_max_retries, no_jitter)
SELECT r.minute, e.dst, m.dst, sum(r.retries), sum(r.blind_4xx), sum(r.unsafe), sum(r.checked), sum(r.compliant),
       sum(r.too_fast), sum(r.ignored_retry_after), sum(r.over_max_retries), sum(r.no_jitter)
FROM src.retry_bucket r
LEFT JOIN temp.map_endpoint e ON e.src = r.endpoint_id
LEFT JOIN temp.map_method m ON m.src = r.method_id
GROUP BY 1, 2, 3
ON CONFLICT DO UPDATE SET
  retries = retries + excluded.retries,
  blind_4xx = blind_4xx + excluded.blind_4xx,
  unsafe = unsafe + excluded.unsafe,
  checked = checked + excluded.checked,
  compliant = compliant + excluded.compliant,
  too_fast = too_fast + excluded.too_fast,
  ignored_retry_after = ignored_retry_after + excluded.ignored_retry_after,
  over_max_retries = over_max_retries + excluded.over_max_retries,
  no_jitter = no_jitter + excluded.no_jitter;

INSERT INTO main.retry_total(endpoint_id, method_id, retries, blind_4xx, unsafe, checked, compliant, too_fast,
                             ignored_retry_after, over_max_retries, no_jitter)
SELECT e.dst, m.dst, sum(r.retries), sum(r.blind_4xx), sum(r.unsafe), sum(r.checked), sum(r.compliant),
       sum(r.too_fast), sum(r.ignored_retry_after), sum(r.over_max_retries), sum(r.no_jitter)
FROM src.retry_total r
LEFT JOIN temp.map_endpoint e ON e.src = r.endpoint_id
LEFT JOIN temp.map_method m ON m.src = r.method_id
GROUP BY 1, 2
ON CONFLICT DO UPDATE SET
  retries = retries + excluded.retries,
  blind_4xx = blind_4xx + excluded.blind_4xx,
  unsafe = unsafe + excluded.unsafe,
  checked = checked + excluded.checked,
  compliant = compliant + excluded.compliant,
  too_fast = too_fast + excluded.too_fast,
  ignored_retry_after = ignored_retry_after + excluded.ignored_retry_after,
  over_max_retries = over_max_retries + excluded.over_max_retries,
  no_jitter = no_jitter + excluded.no_jitter;

INSERT INTO main.chain_minute(minute, chains, recovered, gave_up, rekeyed, unretried)
SELECT minute, chains, recovered, gave_up, rekeyed, unretried FROM src.chain_minute WHERE true
ON CONFLICT(minute) DO UPDATE SET
  chains = chains + excluded.chains,
  recovered = recovered + excluded.recovered,
  gave_up = gave_up + excluded.gave_up,
  rekeyed = rekeyed + excluded.rekeyed,
  unretried = unretried + excluded.unretried;

INSERT INTO main.lockstep_candidate(round, start_us, client)
SELECT round, start_us, client FROM src.lockstep_candidate;

INSERT INTO main.rekeyed_client(hash, attempts)
SELECT hash, attempts FROM src.rekeyed_client WHERE true
ON CONFLICT(hash) DO UPDATE SET attempts = attempts + excluded.attempts;
