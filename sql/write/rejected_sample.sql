-- One sampled rejected line.
INSERT INTO rejected_sample(run_id, source_id, line, reason, excerpt) VALUES (?1, ?2, ?3, ?4, ?5);
