-- One blob of saved state (lib/retry/saved.h), new or changed since the last commit.
INSERT INTO saved_state(kind, key, data) VALUES (?1, ?2, ?3)
ON CONFLICT(kind, key) DO UPDATE SET data = excluded.data;
