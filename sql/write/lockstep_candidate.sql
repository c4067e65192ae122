-- A client that retried in lockstep with others in one round.
INSERT INTO lockstep_candidate(round, start_us, client) VALUES (?1, ?2, ?3);
