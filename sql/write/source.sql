-- Counts added to a source, created on first use: the finest resolutions win, the time
-- span widens. Returns its id.
-- sql/merge/5_sources.sql adds another database's rows by the same rule: change both.
INSERT INTO source(name, format, lines, attempts, rejected, late, first_us, last_us, time_res_us, dur_res_us, skipped)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
ON CONFLICT(name) DO UPDATE SET
  time_res_us = COALESCE(min(time_res_us, excluded.time_res_us), time_res_us, excluded.time_res_us),
  dur_res_us = COALESCE(min(dur_res_us, excluded.dur_res_us), dur_res_us, excluded.dur_res_us),
  format = COALESCE(excluded.format, format),
  lines = lines + excluded.lines,
  attempts = attempts + excluded.attempts,
  rejected = rejected + excluded.rejected,
  late = late + excluded.late,
  skipped = skipped + excluded.skipped,
  first_us = CASE WHEN first_us IS NULL OR excluded.first_us < first_us THEN excluded.first_us ELSE first_us END,
  last_us = CASE WHEN last_us IS NULL OR excluded.last_us > last_us THEN excluded.last_us ELSE last_us END
RETURNING id;
