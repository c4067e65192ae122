-- The value of a meta key.
SELECT value FROM meta WHERE key = ?1;
