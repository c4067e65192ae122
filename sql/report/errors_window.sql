-- errors.sql within a window: the attempts of each error row in the minutes [?1, ?2).
SELECT e.status, e.type, e.code, e.message, SUM(b.attempts) AS n, e.sample
FROM error_code e JOIN bucket b ON b.code_id = e.id
WHERE b.minute >= ?1 AND b.minute < ?2
GROUP BY e.id
ORDER BY n DESC, e.status, e.message, e.type, e.code;
