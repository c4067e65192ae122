-- prune: clients whose latest attempt started before ?1 (µs); rows written before
-- schema 6 have no last_us and stay.
DELETE FROM client WHERE last_us < ?1;
