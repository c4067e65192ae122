-- What the merged leaves make this database: their number, how many are whole
-- databases, how many shard counts N they name, how many distinct shards, and N.
SELECT count(*), sum(shard IS NULL), count(DISTINCT substr(shard, instr(shard, '/') + 1)), count(DISTINCT shard),
       max(CAST(substr(shard, instr(shard, '/') + 1) AS INTEGER))
FROM merged_input WHERE leaf = 1;
