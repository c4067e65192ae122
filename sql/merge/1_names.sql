-- merge/1_names.sql - the input's endpoint templates, methods and error rows, by name.
-- A name this database lacks is added in the input's order while the table has room
-- (the caps of ingest); past the cap it counts as {other}, as ingest counts it. Which
-- names fill a capped table may depend on order (SPEC §4); every count is kept.
INSERT INTO main.endpoint(template)
SELECT s.template FROM src.endpoint s
WHERE NOT EXISTS (SELECT 1 FROM main.endpoint d WHERE d.template = s.template)
ORDER BY s.id
LIMIT max(0, (SELECT endpoints FROM temp.merge_param) - (SELECT count(*) FROM main.endpoint));
INSERT INTO main.endpoint(template)
SELECT '{other}'
WHERE NOT EXISTS (SELECT 1 FROM main.endpoint WHERE template = '{other}')
  AND EXISTS (SELECT 1 FROM src.endpoint s WHERE NOT EXISTS (SELECT 1 FROM main.endpoint d WHERE d.template = s.template));
INSERT INTO temp.map_endpoint(src, dst)
SELECT s.id, COALESCE(d.id, (SELECT o.id FROM main.endpoint o WHERE o.template = '{other}'))
FROM src.endpoint s LEFT JOIN main.endpoint d ON d.template = s.template;

INSERT INTO main.method(name)
SELECT s.name FROM src.method s
WHERE NOT EXISTS (SELECT 1 FROM main.method d WHERE d.name = s.name)
ORDER BY s.id
LIMIT max(0, (SELECT methods FROM temp.merge_param) - (SELECT count(*) FROM main.method));
INSERT INTO main.method(name)
SELECT '{other}'
WHERE NOT EXISTS (SELECT 1 FROM main.method WHERE name = '{other}')
  AND EXISTS (SELECT 1 FROM src.method s WHERE NOT EXISTS (SELECT 1 FROM main.method d WHERE d.name = s.name));
INSERT INTO temp.map_method(src, dst)
SELECT s.id, COALESCE(d.id, (SELECT o.id FROM main.method o WHERE o.name = '{other}'))
FROM src.method s LEFT JOIN main.method d ON d.name = s.name;

-- error rows: (status, type, code, message) is the name; {other} rows are per status
INSERT INTO main.error_code(status, type, code, message, sample)
SELECT s.status, s.type, s.code, s.message, s.sample FROM src.error_code s
WHERE NOT EXISTS (SELECT 1 FROM main.error_code d
                  WHERE d.status = s.status AND d.type = s.type AND d.code = s.code AND d.message = s.message)
  AND NOT (s.type = '' AND s.code = '' AND s.message = '{other}')
ORDER BY s.id
LIMIT max(0, (SELECT errors FROM temp.merge_param)
             - (SELECT count(*) FROM main.error_code WHERE NOT (type = '' AND code = '' AND message = '{other}')));
INSERT INTO main.error_code(status, type, code, message, sample)
SELECT DISTINCT s.status, '', '', '{other}', '' FROM src.error_code s
WHERE NOT EXISTS (SELECT 1 FROM main.error_code d
                  WHERE d.status = s.status AND d.type = s.type AND d.code = s.code AND d.message = s.message)
  AND NOT EXISTS (SELECT 1 FROM main.error_code o
                  WHERE o.status = s.status AND o.type = '' AND o.code = '' AND o.message = '{other}');
INSERT INTO temp.map_code(src, dst)
SELECT s.id, COALESCE(d.id, (SELECT o.id FROM main.error_code o
                             WHERE o.status = s.status AND o.type = '' AND o.code = '' AND o.message = '{other}'))
FROM src.error_code s
LEFT JOIN main.error_code d ON d.status = s.status AND d.type = s.type AND d.code = s.code AND d.message = s.message;
