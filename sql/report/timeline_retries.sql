-- The timeline's retries and blind 4xx retries per minute of their start, in [?1, ?2).
SELECT minute, SUM(retries), SUM(blind_4xx)
FROM retry_bucket
WHERE minute >= ?1 AND minute < ?2
GROUP BY minute;
