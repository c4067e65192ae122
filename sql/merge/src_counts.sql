-- merge/src_counts.sql - the lines, attempts and rejected lines src's sources hold.
SELECT COALESCE(sum(lines), 0), COALESCE(sum(attempts), 0), COALESCE(sum(rejected), 0) FROM src.source;
