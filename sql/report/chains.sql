-- Chains, outcomes and rekeyed attempts over all time.
SELECT COALESCE(SUM(chains), 0), COALESCE(SUM(recovered), 0), COALESCE(SUM(gave_up), 0),
       COALESCE(SUM(rekeyed), 0)
FROM chain_minute;
