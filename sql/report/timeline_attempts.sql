-- The timeline (SPEC §6): attempts per minute and status in the minutes [?1, ?2), at
-- their start; report.c classifies the statuses and groups the minutes into buckets.
SELECT minute, status, attempts
FROM minute_status
WHERE minute >= ?1 AND minute < ?2
ORDER BY minute, status;
