-- The databases merged into this one (sql/migrate/0010_merge.sql).
SELECT uuid, COALESCE(shard, ''), leaf FROM merged_input ORDER BY uuid;
