-- Attempts a client retried under a new idempotency key, summed into its row.
INSERT INTO rekeyed_client(hash, attempts) VALUES (?1, ?2)
ON CONFLICT(hash) DO UPDATE SET attempts = attempts + excluded.attempts;
