-- The id of a method name, read back after method_insert.sql.
SELECT id FROM method WHERE name = ?1;
