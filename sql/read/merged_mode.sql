-- What the merged leaves make this database: their number, how many are whole
-- databases, how many shard counts N they name, and how many distinct shards.
SELECT count(*), sum(shard IS NULL), count(DISTINCT substr(shard, instr(shard, '/') + 1)), count(DISTINCT shard)
FROM merged_input WHERE leaf = 1;
