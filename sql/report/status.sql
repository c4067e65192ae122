-- Attempts per status in [?1, ?2) minutes. status -1: not logged.
SELECT status, SUM(attempts)
FROM bucket
WHERE minute >= ?1 AND minute < ?2
GROUP BY status
ORDER BY status;
