-- A run that stopped on an error before its final commit: its counts stay those of its
-- last commit; only its status and end change.
UPDATE run SET status = 'failed', finished_us = ?2 WHERE id = ?1 AND status = 'running';
