-- merge/attach.sql - the database to merge, as src.
ATTACH DATABASE ?1 AS src;
