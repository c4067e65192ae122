-- The id of an error row, read back after error_code_insert.sql.
SELECT id FROM error_code WHERE status = ?1 AND type = ?2 AND code = ?3 AND message = ?4;
