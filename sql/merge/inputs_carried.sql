-- merge/inputs_carried.sql - what src had merged, among this database's inputs too.
INSERT OR IGNORE INTO main.merged_input(uuid, shard, leaf, merged_us)
SELECT uuid, shard, leaf, merged_us FROM src.merged_input;
