-- Endpoint templates in id order (to preload the interner of the next run).
SELECT id, template FROM endpoint ORDER BY id;
