-- merge/src_meta.sql - a meta value of src.
SELECT value FROM src.meta WHERE key = ?1;
