-- Per endpoint template and method in [?1, ?2) minutes, busiest first; ?3 rows (-1: all).
-- errors: status >= 400, or 0 (network error).
SELECT b.endpoint_id, b.method_id, e.template, m.name,
       SUM(b.attempts),
       SUM(CASE WHEN b.status >= 400 OR b.status = 0 THEN b.attempts ELSE 0 END),
       SUM(b.retries), SUM(b.blind_4xx)
FROM bucket b
JOIN endpoint e ON e.id = b.endpoint_id
JOIN method m ON m.id = b.method_id
WHERE b.minute >= ?1 AND b.minute < ?2
GROUP BY b.endpoint_id, b.method_id
ORDER BY 5 DESC, e.template, m.name
LIMIT ?3;
