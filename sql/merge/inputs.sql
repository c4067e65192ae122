-- merge/inputs.sql - src itself among this database's inputs.
INSERT OR IGNORE INTO main.merged_input(uuid, shard, leaf, merged_us) VALUES (?1, ?2, ?3, ?4);
