-- Every input, in the order first seen.
SELECT name, format, lines, rejected, late, first_us, last_us, time_res_us, skipped
FROM source
ORDER BY id;
