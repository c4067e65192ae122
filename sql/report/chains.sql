-- Chains, outcomes and rekeyed attempts in [?1, ?2) minutes.
SELECT COALESCE(SUM(chains), 0), COALESCE(SUM(recovered), 0), COALESCE(SUM(gave_up), 0),
       COALESCE(SUM(rekeyed), 0)
FROM chain_minute
WHERE minute >= ?1 AND minute < ?2;
