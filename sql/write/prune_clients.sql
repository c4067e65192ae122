-- Keeps the ?1 clients with the most violations, then attempts, then hash. The kept rows
-- are a top-k, SQLite's sorter keeps only k rows for a LIMIT, and the delete walks the
-- table in rowid order: no sort of the whole table.
DELETE FROM client WHERE hash NOT IN (
  SELECT hash FROM client ORDER BY violations DESC, attempts DESC, hash DESC LIMIT ?1
);
