-- Every bucket row in [?1, ?2) minutes: one range scan of the primary key. report.c
-- sums per status and per endpoint × method in memory, which is faster than GROUP BY
-- sorters on a table of millions of rows.
SELECT endpoint_id, method_id, status, attempts
FROM bucket
WHERE minute >= ?1 AND minute < ?2;
