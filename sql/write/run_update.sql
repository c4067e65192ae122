-- A run's counts; with a status, also the status and the finish time.
UPDATE run SET
  lines = ?2,
  attempts = ?3,
  rejected = ?4,
  status = COALESCE(?5, status),
  finished_us = CASE WHEN ?5 IS NULL THEN finished_us ELSE ?6 END
WHERE id = ?1;
