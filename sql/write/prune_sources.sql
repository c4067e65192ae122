-- prune: the time span of each input starts no earlier than the cutoff ?1 (µs); an input
-- whose attempts all came before it keeps its counts but no longer spans any time.
UPDATE source SET
  first_us = CASE WHEN last_us < ?1 THEN NULL ELSE ?1 END,
  last_us = CASE WHEN last_us < ?1 THEN NULL ELSE last_us END
WHERE first_us < ?1;
