-- merge/5_sources.sql - the input's sources, by name, summed as sql/write/source.sql sums
-- a run's (shards of one file add up to its lines: each counted only its clients', and
-- shard 0 the lines that hold none), and its rejected samples, under this merge's run.
INSERT INTO main.source(name, format, lines, attempts, rejected, late, first_us, last_us, time_res_us, dur_res_us,
                        skipped)
SELECT name, format, lines, attempts, rejected, late, first_us, last_us, time_res_us, dur_res_us, skipped
FROM src.source WHERE true ORDER BY id
ON CONFLICT(name) DO UPDATE SET
  time_res_us = COALESCE(min(time_res_us, excluded.time_res_us), time_res_us, excluded.time_res_us),
  dur_res_us = COALESCE(min(dur_res_us, excluded.dur_res_us), dur_res_us, excluded.dur_res_us),
  format = COALESCE(format, excluded.format),
  lines = lines + excluded.lines,
  attempts = attempts + excluded.attempts,
  rejected = rejected + excluded.rejected,
  late = late + excluded.late,
  skipped = skipped + excluded.skipped,
  first_us = CASE WHEN first_us IS NULL OR excluded.first_us < first_us THEN excluded.first_us ELSE first_us END,
  last_us = CASE WHEN last_us IS NULL OR excluded.last_us > last_us THEN excluded.last_us ELSE last_us END;
INSERT INTO temp.map_source(src, dst)
SELECT s.id, d.id FROM src.source s JOIN main.source d ON d.name = s.name;
INSERT INTO main.rejected_sample(run_id, source_id, line, reason, excerpt)
SELECT (SELECT run_id FROM temp.merge_param), m.dst, r.line, r.reason, r.excerpt
FROM src.rejected_sample r JOIN temp.map_source m ON m.src = r.source_id
ORDER BY r.run_id, r.source_id, r.line;
