-- A source's checkpoint, new (?1 NULL) or moved on; returns its id.
INSERT INTO checkpoint(id, fp_len, fp_hash, dev, ino, size, mtime_ns, gzip, offset, lines, pending, ended, document, name,
                       format, time_res_us, dur_res_us, res_lines, run_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
ON CONFLICT(id) DO UPDATE SET
  fp_len = excluded.fp_len, fp_hash = excluded.fp_hash, dev = excluded.dev, ino = excluded.ino,
  size = excluded.size, mtime_ns = excluded.mtime_ns, gzip = excluded.gzip, offset = excluded.offset,
  lines = excluded.lines, pending = excluded.pending, ended = excluded.ended, document = excluded.document, name = excluded.name,
  format = excluded.format, time_res_us = excluded.time_res_us, dur_res_us = excluded.dur_res_us,
  res_lines = excluded.res_lines, run_id = excluded.run_id
RETURNING id;
