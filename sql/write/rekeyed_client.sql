-- Attempts a client retried under a new idempotency key, summed into its row.
-- sql/merge/3_retries.sql adds another database's rows by the same rule: change both.
INSERT INTO rekeyed_client(hash, attempts) VALUES (?1, ?2)
ON CONFLICT(hash) DO UPDATE SET attempts = attempts + excluded.attempts;
