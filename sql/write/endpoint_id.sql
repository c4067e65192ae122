-- The id of an endpoint template, read back after endpoint_insert.sql.
SELECT id FROM endpoint WHERE template = ?1;
