-- Interned names: kind 0 endpoint templates, kind 1 methods.
SELECT 0, id, template FROM endpoint
UNION ALL
SELECT 1, id, name FROM method;
