-- merge/2_attempts.sql - the input's attempt aggregates added to this database's, its
-- ids mapped by name (merge/1_names.sql). A row whose id has no name fails the NOT NULL
-- of its column: a damaged input stops the merge rather than losing its counts.
INSERT INTO main.bucket(minute, endpoint_id, method_id, status, code_id, attempts)
SELECT b.minute, e.dst, m.dst, b.status, CASE WHEN b.code_id = 0 THEN 0 ELSE c.dst END, sum(b.attempts)
FROM src.bucket b
LEFT JOIN temp.map_endpoint e ON e.src = b.endpoint_id
LEFT JOIN temp.map_method m ON m.src = b.method_id
LEFT JOIN temp.map_code c ON c.src = b.code_id
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT DO UPDATE SET attempts = attempts + excluded.attempts;

INSERT INTO main.bucket_total(endpoint_id, method_id, status, code_id, attempts)
SELECT e.dst, m.dst, b.status, CASE WHEN b.code_id = 0 THEN 0 ELSE c.dst END, sum(b.attempts)
FROM src.bucket_total b
LEFT JOIN temp.map_endpoint e ON e.src = b.endpoint_id
LEFT JOIN temp.map_method m ON m.src = b.method_id
LEFT JOIN temp.map_code c ON c.src = b.code_id
GROUP BY 1, 2, 3, 4
ON CONFLICT DO UPDATE SET attempts = attempts + excluded.attempts;

INSERT INTO main.minute_status(minute, status, attempts)
SELECT minute, status, attempts FROM src.minute_status WHERE true
ON CONFLICT DO UPDATE SET attempts = attempts + excluded.attempts;

INSERT INTO main.latency(minute, endpoint_id, method_id, bucket, count)
SELECT l.minute, e.dst, m.dst, l.bucket, sum(l.count)
FROM src.latency l
LEFT JOIN temp.map_endpoint e ON e.src = l.endpoint_id
LEFT JOIN temp.map_method m ON m.src = l.method_id
GROUP BY 1, 2, 3, 4
ON CONFLICT DO UPDATE SET count = count + excluded.count;

INSERT INTO main.latency_total(endpoint_id, method_id, bucket, count)
SELECT e.dst, m.dst, l.bucket, sum(l.count)
FROM src.latency_total l
LEFT JOIN temp.map_endpoint e ON e.src = l.endpoint_id
LEFT JOIN temp.map_method m ON m.src = l.method_id
GROUP BY 1, 2, 3
ON CONFLICT DO UPDATE SET count = count + excluded.count;
