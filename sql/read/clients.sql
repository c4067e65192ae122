-- Every client with what the cap ranks it by (violations, then attempts).
SELECT hash, violations, attempts FROM client;
