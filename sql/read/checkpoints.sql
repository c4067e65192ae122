-- Every file source's checkpoint (lib/input/checkpoint.h matches the inputs to them), and
-- the rejected-line samples the run that wrote it took of its source.
SELECT id, fp_len, fp_hash, dev, ino, size, mtime_ns, gzip, offset, lines, pending, ended, document, name, format,
       time_res_us, dur_res_us, res_lines,
       (SELECT count(*) FROM rejected_sample r JOIN source s ON s.id = r.source_id
        WHERE r.run_id = checkpoint.run_id AND s.name = checkpoint.name) AS run_samples
FROM checkpoint ORDER BY id;
