-- Samples of rejected lines, ?1 at most, in input order.
SELECT s.name, r.line, r.reason, r.excerpt
FROM rejected_sample r
JOIN source s ON s.id = r.source_id
ORDER BY r.run_id, s.id, r.line
LIMIT ?1;
