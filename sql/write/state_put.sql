-- One blob of saved state, lib/chain.h.
INSERT INTO saved_state(kind, key, data) VALUES (?1, ?2, ?3);
