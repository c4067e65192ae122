-- Chains, outcomes, rekeyed attempts and unretried chains (of gave_up) over all time, in
-- the order of lib/store/rows.h RL_AGG_*.
SELECT COALESCE(SUM(chains), 0), COALESCE(SUM(recovered), 0), COALESCE(SUM(gave_up), 0),
       COALESCE(SUM(rekeyed), 0), COALESCE(SUM(unretried), 0)
FROM chain_minute;
