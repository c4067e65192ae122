-- chains.sql within a window: chains whose first attempt started, outcomes (unretried
-- ones among them) whose last attempt ended, rekeyed attempts that started, in the
-- minutes [?1, ?2).
SELECT COALESCE(SUM(chains), 0), COALESCE(SUM(recovered), 0), COALESCE(SUM(gave_up), 0),
       COALESCE(SUM(rekeyed), 0), COALESCE(SUM(unretried), 0)
FROM chain_minute
WHERE minute >= ?1 AND minute < ?2;
