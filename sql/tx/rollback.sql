-- Drops what the open transaction wrote.
ROLLBACK;
