-- merge/state_here.sql - this database's saved state under a kind and key, if any.
SELECT data FROM main.saved_state WHERE kind = ?1 AND key = ?2;
