-- The latest run: its command, when it started (µs), its status (running, ok, failed)
-- and the lines it committed.
SELECT command, started_us, status, lines
FROM run
ORDER BY id DESC
LIMIT 1;
