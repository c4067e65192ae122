-- totals.sql within a window: attempts per endpoint, method and status of the minutes
-- [?1, ?2) (an attempt counts at its start, SPEC §3).
SELECT endpoint_id, method_id, status, SUM(attempts)
FROM bucket
WHERE minute >= ?1 AND minute < ?2
GROUP BY endpoint_id, method_id, status;
