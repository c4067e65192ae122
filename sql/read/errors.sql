-- Error rows in id order (to preload the template table of the next run).
SELECT id, status, type, code, message FROM error_code ORDER BY id;
