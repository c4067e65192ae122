-- Every file source's checkpoint (lib/input/checkpoint.h matches the inputs to them).
SELECT id, fp_len, fp_hash, dev, ino, size, mtime_ns, gzip, offset, lines, tail, ended, document, name, format,
       time_res_us, dur_res_us, res_lines
FROM checkpoint ORDER BY id;
