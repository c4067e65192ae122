-- Methods in id order (to preload the interner of the next run).
SELECT id, name FROM method ORDER BY id;
